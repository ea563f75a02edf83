// A stand-in for the 'vscode' module and for vscode-languageclient's
// LanguageClient, so that out/extension.js runs in plain Node. It records what
// the extension asks of VS Code; each test sets the settings, the open
// documents and the answers to messages.
'use strict';
const Module = require('module');
const path = require('path');

class Position {
  constructor(line, character) { this.line = line; this.character = character; }
  translate(dl, dc) { return new Position(this.line + dl, this.character + dc); }
}
class EventEmitter {
  constructor() { this.listeners = []; this.event = (fn) => { this.listeners.push(fn); return { dispose() {} }; }; }
  fire(value) { for (const fn of this.listeners) fn(value); }
}
class Range { constructor(start, end) { this.start = start; this.end = end; } }
class Location { constructor(uri, pos) { this.uri = uri; this.range = new Range(pos, pos); } }
class Diagnostic { constructor(range, message, severity) { this.range = range; this.message = message; this.severity = severity; } }
class DiagnosticRelatedInformation { constructor(location, message) { this.location = location; this.message = message; } }
class Uri {
  constructor(scheme, p, query) { this.scheme = scheme; this.path = p; this.query = query || ''; this.fsPath = p; }
  static file(p) { return new Uri('file', path.resolve(p)); }
  static from(parts) { return new Uri(parts.scheme, parts.path, parts.query); }
  toString() { return `${this.scheme}:${this.path}${this.query ? '?' + this.query : ''}`; }
}

function makeDocument(fsPath, text, languageId = 'plaintext', scheme = 'file') {
  const lines = text.split(/\r?\n/);
  return {
    uri: scheme === 'file' ? Uri.file(fsPath) : new Uri(scheme, fsPath),
    languageId,
    isDirty: false,
    lineCount: lines.length,
    lineAt: (i) => ({ text: lines[i] }),
    getText: () => text,
    save: async () => true,
  };
}

function createHost() {
  const host = {
    settings: {},
    documents: [],
    activeDocument: undefined,
    workspaceFolders: [],
    answers: { error: undefined },
    calls: { errors: [], warnings: [], executed: [], languageSet: [], shown: [], statusMessages: [], updates: [] },
    commands: new Map(),
    contentProviders: new Map(),
    collections: [],
    clients: [],
    listeners: { open: [], config: [], save: [] },
  };
  const disposable = { dispose() {} };
  const vscode = {
    Position, Range, Location, EventEmitter, Diagnostic, DiagnosticRelatedInformation, Uri,
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    ViewColumn: { Beside: -2 },
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    workspace: {
      getConfiguration: (section) => ({
        get: (key) => host.settings[`${section}.${key}`],
        update: async (key, value, target) => {
          host.calls.updates.push({ key: `${section}.${key}`, value, target });
          host.settings[`${section}.${key}`] = value;
        },
      }),
      get textDocuments() { return host.documents; },
      getWorkspaceFolder: (uri) => host.workspaceFolders.find((f) => uri.fsPath.startsWith(f.uri.fsPath + path.sep)),
      onDidOpenTextDocument: (fn) => { host.listeners.open.push(fn); return disposable; },
      onDidChangeConfiguration: (fn) => { host.listeners.config.push(fn); return disposable; },
      onDidSaveTextDocument: (fn) => { host.listeners.save.push(fn); return disposable; },
      registerTextDocumentContentProvider: (scheme, provider) => { host.contentProviders.set(scheme, provider); return disposable; },
      // Like VS Code: a virtual document is opened once and stays among textDocuments.
      openTextDocument: async (uri) => {
        const provider = host.contentProviders.get(uri.scheme);
        const text = await provider.provideTextDocumentContent(uri);
        const doc = makeDocument(uri.path, text, 'plaintext', uri.scheme);
        doc.uri = uri;
        host.documents.push(doc);
        return doc;
      },
    },
    languages: {
      createDiagnosticCollection: (name) => {
        const entries = new Map();
        const c = {
          name,
          entries,
          set: (uri, list) => entries.set(uri.fsPath, list),
          clear: () => entries.clear(),
          dispose() {},
        };
        host.collections.push(c);
        return c;
      },
      setTextDocumentLanguage: async (doc, id) => { host.calls.languageSet.push({ doc, id }); doc.languageId = id; return doc; },
    },
    commands: {
      registerCommand: (id, fn) => { host.commands.set(id, fn); return disposable; },
      executeCommand: async (...args) => { host.calls.executed.push(args); },
    },
    window: {
      get activeTextEditor() { return host.activeDocument ? { document: host.activeDocument } : undefined; },
      showErrorMessage: async (message, ...items) => { host.calls.errors.push({ message, items }); return host.answers.error; },
      showWarningMessage: async (message, ...items) => { host.calls.warnings.push({ message, items }); return undefined; },
      showTextDocument: async (doc, options) => { host.calls.shown.push({ doc, options }); },
      setStatusBarMessage: (text) => { host.calls.statusMessages.push(text); return disposable; },
    },
  };
  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions, started: false, stopped: false });
      host.clients.push(this);
    }
    async start() { this.started = true; }
    async stop() { this.stopped = true; }
  }
  host.vscode = vscode;
  host.languageClientModule = { LanguageClient };
  host.context = { subscriptions: [], extensionPath: '/nonexistent/extension' };
  return host;
}

/** Loads out/extension.js afresh against a new host. */
function loadExtension(host) {
  const extensionPath = path.join(__dirname, '..', '..', 'out', 'extension.js');
  for (const k of Object.keys(require.cache)) if (k.includes(`${path.sep}out${path.sep}`)) delete require.cache[k];
  const originalLoad = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request === 'vscode') return host.vscode;
    if (request === 'vscode-languageclient/node') return host.languageClientModule;
    return originalLoad.call(this, request, parent, isMain);
  };
  try {
    return require(extensionPath);
  } finally {
    Module._load = originalLoad;
  }
}

module.exports = { createHost, loadExtension, makeDocument, Uri };
