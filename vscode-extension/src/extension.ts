// The VS Code side: starts kamc-lsp through vscode-languageclient, claims
// Kamailio files, and runs cfgcheck and kamc for the commands. The decisions
// live in the pure modules (association, paths, commands, server).
import * as vscode from 'vscode';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFile } from 'child_process';
import { LanguageClient, LanguageClientOptions } from 'vscode-languageclient/node';
import { kamailioReason } from './association';
import { resolveProgram, missingProgramMessage, ProgramName, Resolution } from './paths';
import {
  cfgcheckArgs, kamcPreviewArgs, parseCfgcheckJson, runFailure, previewUriParts, previewModeOf,
  PREVIEW_SCHEME, PreviewMode, Problem, RunResult,
} from './commands';
import { serverOptions, documentSelector, LANGUAGE_ID, SETTINGS } from './server';

export const OPEN_SETTINGS = 'Open Settings';

let client: LanguageClient | undefined;
let checkDiagnostics: vscode.DiagnosticCollection | undefined;

function setting<T>(key: string, fallback: T): T {
  const dot = key.indexOf('.');
  const value = vscode.workspace.getConfiguration(key.slice(0, dot)).get<T>(key.slice(dot + 1));
  return value === undefined ? fallback : value;
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

const PROGRAM_SETTINGS: Record<ProgramName, string> = {
  'kamc-lsp': SETTINGS.serverPath,
  cfgcheck: SETTINGS.cfgcheckPath,
  kamc: SETTINGS.kamcPath,
};

/** A program from its setting, the extension, the other programs' settings (and the resolved server), or PATH. */
function locate(name: ProgramName, extensionPath: string, serverPath?: string): Resolution {
  const related = (Object.keys(PROGRAM_SETTINGS) as ProgramName[])
    .filter((other) => other !== name)
    .map((other) => setting(PROGRAM_SETTINGS[other], ''));
  if (serverPath) related.unshift(serverPath);
  return resolveProgram(name, {
    configured: setting(PROGRAM_SETTINGS[name], ''),
    extensionPath,
    related,
    envPath: process.env.PATH ?? '',
    home: os.homedir(),
    isExecutable,
  });
}

export const DISABLE_SERVER = 'Disable Language Server';

async function reportMissing(name: ProgramName, settingKey: string, resolution: Resolution): Promise<void> {
  // Without the server, highlighting, snippets and the commands still work; say how to stop the message.
  const actions = name === 'kamc-lsp' ? [OPEN_SETTINGS, DISABLE_SERVER] : [OPEN_SETTINGS];
  const choice = await vscode.window.showErrorMessage(missingProgramMessage(name, settingKey, resolution), ...actions);
  if (choice === OPEN_SETTINGS) await vscode.commands.executeCommand('workbench.action.openSettings', settingKey);
  if (choice === DISABLE_SERVER) {
    await vscode.workspace.getConfiguration('kamailio').update('server.enabled', false, vscode.ConfigurationTarget.Global);
  }
}

/** Switch a document to the kamailio language when association.ts says it is one. */
function claimDocument(doc: vscode.TextDocument): void {
  if (doc.languageId === LANGUAGE_ID || doc.uri.scheme !== 'file') return;
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
  const reason = kamailioReason(
    {
      fileName: doc.uri.fsPath,
      relativePath: folder ? path.relative(folder.uri.fsPath, doc.uri.fsPath).split(path.sep).join('/') : undefined,
      firstLine: doc.lineCount > 0 ? doc.lineAt(0).text : '',
    },
    setting<string[]>(SETTINGS.associations, []),
  );
  if (reason !== undefined) void vscode.languages.setTextDocumentLanguage(doc, LANGUAGE_ID);
}

async function startServer(context: vscode.ExtensionContext): Promise<void> {
  if (!setting(SETTINGS.serverEnabled, true)) return;
  const resolution = locate('kamc-lsp', context.extensionPath);
  if (!resolution.found) {
    // Not awaited: activation must not wait for the user to answer.
    void reportMissing('kamc-lsp', SETTINGS.serverPath, resolution);
    return;
  }
  const clientOptions: LanguageClientOptions = {
    documentSelector,
    synchronize: { configurationSection: 'kamailio' },
  };
  client = new LanguageClient('kamailio', 'Kamailio (kamc-lsp)', serverOptions(resolution.path), clientOptions);
  // A server that fails to start must not fail the activation: the rest works without it.
  try {
    await client.start();
  } catch (e) {
    client = undefined;
    void vscode.window.showErrorMessage(`Kamailio: ${resolution.path} did not start as a language server: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function stopServer(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) await running.stop();
}

function run(program: string, args: string[], cwd: string): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(program, args, { cwd, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error && typeof (error as any).code === 'number' ? (error as any).code : error ? null : 0;
      resolve({ exitCode: code, stdout, stderr: stderr || (error && code === null ? String(error.message) : '') });
    });
  });
}

function activeKamailioFile(): vscode.TextDocument | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc || doc.languageId !== LANGUAGE_ID || doc.uri.scheme !== 'file') {
    void vscode.window.showWarningMessage('Kamailio: open a Kamailio config file (saved on disk) first.');
    return undefined;
  }
  return doc;
}

function lineReader(): (file: string, line0: number) => string | undefined {
  const cache = new Map<string, string[] | undefined>();
  return (file, line0) => {
    if (!cache.has(file)) {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
      let lines: string[] | undefined;
      if (open) lines = open.getText().split(/\r?\n/);
      else {
        try {
          lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
        } catch {
          lines = undefined;
        }
      }
      cache.set(file, lines);
    }
    return cache.get(file)?.[line0];
  };
}

function toDiagnostic(p: Problem): vscode.Diagnostic {
  const start = new vscode.Position(p.position.line, p.position.character);
  const d = new vscode.Diagnostic(
    new vscode.Range(start, start.translate(0, 1)),
    p.message,
    p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : p.severity === 'note' ? vscode.DiagnosticSeverity.Information : vscode.DiagnosticSeverity.Error,
  );
  d.source = 'cfgcheck';
  d.code = p.rule;
  d.relatedInformation = p.related
    .filter((n) => n.file && n.position)
    .map((n) => new vscode.DiagnosticRelatedInformation(
      new vscode.Location(vscode.Uri.file(n.file!), new vscode.Position(n.position!.line, n.position!.character)),
      n.message,
    ));
  return d;
}

async function checkConfig(context: vscode.ExtensionContext): Promise<void> {
  const doc = activeKamailioFile();
  if (!doc) return;
  if (doc.isDirty) await doc.save();
  const cfgcheck = locate('cfgcheck', context.extensionPath, serverPathHint(context));
  if (!cfgcheck.found) return reportMissing('cfgcheck', SETTINGS.cfgcheckPath, cfgcheck);
  const file = doc.uri.fsPath;
  const result = await run(cfgcheck.path, cfgcheckArgs(file, setting<string[]>(SETTINGS.defines, [])), path.dirname(file));
  const failure = runFailure('cfgcheck', result);
  if (failure) {
    void vscode.window.showErrorMessage(`Kamailio: ${failure}`);
    return;
  }
  const problems = parseCfgcheckJson(result.stdout, lineReader(), path.dirname(file));
  const byFile = new Map<string, vscode.Diagnostic[]>();
  byFile.set(file, []);
  for (const p of problems) {
    const list = byFile.get(p.file) ?? [];
    list.push(toDiagnostic(p));
    byFile.set(p.file, list);
  }
  checkDiagnostics!.clear();
  for (const [f, list] of byFile) checkDiagnostics!.set(vscode.Uri.file(f), list);
  await vscode.commands.executeCommand('workbench.actions.view.problems');
  const summary = problems.length === 0 ? 'no problems' : `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
  void vscode.window.setStatusBarMessage(`cfgcheck: ${summary} in ${path.basename(file)}`, 5000);
}

function serverPathHint(context: vscode.ExtensionContext): string | undefined {
  const r = locate('kamc-lsp', context.extensionPath);
  return r.found ? r.path : undefined;
}

class PreviewProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly context: vscode.ExtensionContext) {}

  /** A saved config may be the previewed file or one it includes: every open preview is run again. */
  refreshAll(): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme === PREVIEW_SCHEME) this.changed.fire(doc.uri);
    }
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const kamc = locate('kamc', this.context.extensionPath, serverPathHint(this.context));
    if (!kamc.found) {
      void reportMissing('kamc', SETTINGS.kamcPath, kamc);
      return `# ${missingProgramMessage('kamc', SETTINGS.kamcPath, kamc)}\n`;
    }
    const file = vscode.Uri.file(uri.path).fsPath;
    const mode = previewModeOf(uri.query);
    const result = await run(kamc.path, kamcPreviewArgs(file, setting<string[]>(SETTINGS.defines, []), mode), path.dirname(file));
    const failure = runFailure('kamc', result);
    if (failure) return `# ${failure}\n`;
    // Exit code 1: kamc still prints the text read so far, as kamailio does; the errors follow.
    const errors = result.exitCode === 1 && result.stderr.trim() !== ''
      ? '\n' + result.stderr.trim().split('\n').map((l) => `# ${l}`).join('\n') + '\n'
      : '';
    return result.stdout + errors;
  }
}

async function showPreview(mode: PreviewMode): Promise<void> {
  const doc = activeKamailioFile();
  if (!doc) return;
  if (doc.isDirty) await doc.save();
  const parts = previewUriParts(doc.uri.fsPath, mode);
  const uri = vscode.Uri.from(parts);
  const preview = await vscode.workspace.openTextDocument(uri);
  await vscode.languages.setTextDocumentLanguage(preview, LANGUAGE_ID);
  await vscode.window.showTextDocument(preview, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  checkDiagnostics = vscode.languages.createDiagnosticCollection('cfgcheck');
  const previews = new PreviewProvider(context);
  context.subscriptions.push(
    checkDiagnostics,
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, previews),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (doc.languageId === LANGUAGE_ID) previews.refreshAll();
    }),
    vscode.commands.registerCommand('kamailio.checkConfig', () => checkConfig(context)),
    vscode.commands.registerCommand('kamailio.showPreprocessed', () => showPreview('preprocessed')),
    vscode.commands.registerCommand('kamailio.showExpanded', () => showPreview('expanded')),
    vscode.commands.registerCommand('kamailio.restartServer', async () => {
      await stopServer();
      await startServer(context);
    }),
    vscode.workspace.onDidOpenTextDocument(claimDocument),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration(SETTINGS.serverPath) || e.affectsConfiguration(SETTINGS.serverEnabled)) {
        await stopServer();
        await startServer(context);
      }
    }),
  );
  vscode.workspace.textDocuments.forEach(claimDocument);
  await startServer(context);
}

export async function deactivate(): Promise<void> {
  await stopServer();
}
