// What "Check config" and the preview commands run, and how cfgcheck's JSON
// (tools/driver/DiagnosticOutput.cpp, --format=json) becomes problems.
// Pure logic: no vscode import, so the tests run it in plain Node.
import * as path from 'path';

export function defineArgs(defines: readonly string[]): string[] {
  return defines.map((d) => d.trim()).filter((d) => d !== '').flatMap((d) => ['-A', d]);
}

export function cfgcheckArgs(file: string, defines: readonly string[]): string[] {
  return ['--format=json', '--color=never', ...defineArgs(defines), file];
}

export type PreviewMode = 'preprocessed' | 'expanded';

/** kamc -E prints what kamailio --cfg-print prints; --expand also substitutes defines and applies #!subst. */
export function kamcPreviewArgs(file: string, defines: readonly string[], mode: PreviewMode): string[] {
  return ['-E', ...(mode === 'expanded' ? ['--expand'] : []), '--color=never', ...defineArgs(defines), file];
}

export interface Position {
  line: number; // 0-based
  character: number; // 0-based, UTF-16 code units (VS Code's unit)
}

export interface RelatedNote {
  file?: string;
  position?: Position;
  message: string;
}

export interface Problem {
  file: string;
  position: Position;
  severity: 'error' | 'warning' | 'note';
  rule: string;
  message: string;
  related: RelatedNote[];
}

/** cfgcheck's columns count bytes of the UTF-8 line; VS Code counts UTF-16 units. */
export function byteColumnToUtf16(lineText: string | undefined, column1: number): number {
  const byteOffset = Math.max(0, column1 - 1);
  if (lineText === undefined) return byteOffset;
  const bytes = Buffer.from(lineText, 'utf8');
  return bytes.subarray(0, Math.min(byteOffset, bytes.length)).toString('utf8').length + Math.max(0, byteOffset - bytes.length);
}

interface JsonLocation {
  file?: string;
  line?: number;
  col?: number;
}

function toPosition(loc: JsonLocation | null | undefined, lineOf: (file: string, line0: number) => string | undefined): Position | undefined {
  if (!loc || typeof loc.line !== 'number' || loc.line < 1) return undefined;
  const line = loc.line - 1;
  const text = loc.file ? lineOf(loc.file, line) : undefined;
  return { line, character: byteColumnToUtf16(text, typeof loc.col === 'number' ? loc.col : 1) };
}

/**
 * Problems from cfgcheck --format=json. cfgcheck names files as it reached
 * them, relative to the directory it ran in (cwd) when the include was
 * relative; lineOf gives a line's text (to convert byte columns), or undefined
 * when the file cannot be read.
 */
export function parseCfgcheckJson(
  stdout: string,
  lineOf: (file: string, line0: number) => string | undefined = () => undefined,
  cwd?: string,
): Problem[] {
  const data: unknown = JSON.parse(stdout);
  if (!Array.isArray(data)) throw new Error('cfgcheck --format=json did not print a JSON array');
  const absolute = (f: string | undefined) => (f === undefined || cwd === undefined ? f : path.resolve(cwd, f));
  const located = (loc: JsonLocation | null | undefined) => (loc ? { ...loc, file: absolute(loc.file) } : loc);
  return data.map((d: any): Problem => {
    d = { ...d, file: absolute(d.file), location: located(d.location), notes: Array.isArray(d.notes) ? d.notes.map((n: any) => ({ ...n, location: located(n.location) })) : [] };
    const file: string = d.location?.file ?? d.file;
    const severity = d.severity === 'warning' || d.severity === 'note' ? d.severity : 'error';
    return {
      file,
      position: toPosition(d.location, lineOf) ?? { line: 0, character: 0 },
      severity,
      rule: String(d.rule ?? ''),
      message: String(d.message ?? ''),
      related: (Array.isArray(d.notes) ? d.notes : []).map((n: any) => ({
        file: n.location?.file,
        position: toPosition(n.location, lineOf),
        message: String(n.message ?? ''),
      })),
    };
  });
}

export interface RunResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/**
 * cfgcheck and kamc exit 0 (clean), 1 (the config has errors; output is still
 * valid) or 2 (usage or I/O error). Returns the error text to show, if any.
 */
export function runFailure(program: string, result: RunResult): string | undefined {
  if (result.exitCode === 0 || result.exitCode === 1) return undefined;
  const detail = result.stderr.trim().split('\n').slice(-3).join(' ') || `exit code ${result.exitCode}`;
  return `${program} failed: ${detail}`;
}

/** The preview document's URI: the source path, and the mode as the query. */
export const PREVIEW_SCHEME = 'kamailio-preview';

export function previewUriParts(sourcePath: string, mode: PreviewMode): { scheme: string; path: string; query: string } {
  return { scheme: PREVIEW_SCHEME, path: sourcePath.replace(/\\/g, '/'), query: mode };
}

export function previewModeOf(query: string): PreviewMode {
  return query === 'expanded' ? 'expanded' : 'preprocessed';
}
