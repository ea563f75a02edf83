// Where the programs the extension runs are: kamc-lsp, cfgcheck and kamc.
// Pure logic; the file system and the environment come in as arguments so that
// the tests can describe any machine.
import * as path from 'path';

export type ProgramName = 'kamc-lsp' | 'cfgcheck' | 'kamc';

export interface Lookup {
  /** The user's setting for this program ('' when unset). */
  configured: string;
  /** The extension's install directory; its bin/ may ship the programs. */
  extensionPath: string;
  /**
   * Other kamc programs the user pointed at (the language server, or the
   * cfgcheck and kamc settings): an install keeps them side by side, and a kamc
   * build tree keeps them at build/lsp/kamc-lsp, build/tools/cfgcheck/cfgcheck
   * and build/tools/kamc/kamc.
   */
  related?: readonly string[];
  /** The PATH environment variable. */
  envPath: string;
  /** The home directory, for a setting that starts with '~'. */
  home: string;
  /** True when the path names an executable file. */
  isExecutable: (p: string) => boolean;
  platform?: NodeJS.Platform;
}

export type Resolution =
  | { found: true; path: string; source: 'setting' | 'extension' | 'beside a related program' | 'PATH' }
  | { found: false; tried: string[]; fromSetting: boolean };

export function executableName(name: ProgramName, platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? `${name}.exe` : name;
}

/** Where a kamc build tree keeps each program, relative to the build directory. */
const BUILD_TREE: Record<ProgramName, string[]> = {
  'kamc-lsp': ['lsp'],
  cfgcheck: ['tools', 'cfgcheck'],
  kamc: ['tools', 'kamc'],
};

/** The places a program may be, given where a related kamc program is. */
export function besideRelated(name: ProgramName, relatedPath: string, platform: NodeJS.Platform = process.platform): string[] {
  const exe = executableName(name, platform);
  const dir = path.dirname(relatedPath);
  const out = [path.join(dir, exe)];
  for (const [other, where] of Object.entries(BUILD_TREE) as Array<[ProgramName, string[]]>) {
    const suffix = path.join(...where);
    if (path.basename(relatedPath) === executableName(other, platform) && dir.endsWith(path.sep + suffix)) {
      const buildDir = dir.slice(0, dir.length - suffix.length - 1);
      out.push(path.join(buildDir, ...BUILD_TREE[name], exe));
    }
  }
  return [...new Set(out)];
}

export function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return p;
}

/**
 * The setting wins and is never second-guessed: if it names no executable the
 * answer is "not found", so the user sees their own mistake. Otherwise: the
 * extension's bin/, the language server's directory, then PATH.
 */
export function resolveProgram(name: ProgramName, lookup: Lookup): Resolution {
  const platform = lookup.platform ?? process.platform;
  const exe = executableName(name, platform);
  const configured = lookup.configured.trim();
  if (configured !== '') {
    const p = expandHome(configured, lookup.home);
    return lookup.isExecutable(p) ? { found: true, path: p, source: 'setting' } : { found: false, tried: [p], fromSetting: true };
  }
  const tried: string[] = [];
  const candidates: Array<[string, 'extension' | 'beside a related program']> = [[path.join(lookup.extensionPath, 'bin', exe), 'extension']];
  for (const related of lookup.related ?? []) {
    if (related.trim() === '') continue;
    for (const c of besideRelated(name, expandHome(related.trim(), lookup.home), platform)) candidates.push([c, 'beside a related program']);
  }
  for (const [candidate, source] of candidates) {
    tried.push(candidate);
    if (lookup.isExecutable(candidate)) return { found: true, path: candidate, source };
  }
  const separator = platform === 'win32' ? ';' : ':';
  for (const dir of lookup.envPath.split(separator)) {
    if (dir === '') continue;
    const candidate = path.join(dir, exe);
    tried.push(candidate);
    if (lookup.isExecutable(candidate)) return { found: true, path: candidate, source: 'PATH' };
  }
  return { found: false, tried, fromSetting: false };
}

/** The text shown when a program cannot be found, with what to do about it. */
export function missingProgramMessage(name: ProgramName, settingKey: string, resolution: Resolution): string {
  if (resolution.found) throw new Error(`${name} was found at ${resolution.path}`);
  if (resolution.fromSetting) {
    return `Kamailio: ${settingKey} is set to "${resolution.tried[0]}", which is not an executable file. Fix the setting, or clear it to use ${name} from the extension or PATH.`;
  }
  return `Kamailio: ${name} was not found in the extension, beside the other kamc programs set, or on PATH. Build kamc ("make" puts it under build/), then set ${settingKey} to its path.`;
}
