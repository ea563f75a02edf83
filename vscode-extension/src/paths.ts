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
  /** The resolved language server, whose directory may hold cfgcheck and kamc too. */
  serverPath?: string;
  /** The PATH environment variable. */
  envPath: string;
  /** The home directory, for a setting that starts with '~'. */
  home: string;
  /** True when the path names an executable file. */
  isExecutable: (p: string) => boolean;
  platform?: NodeJS.Platform;
}

export type Resolution =
  | { found: true; path: string; source: 'setting' | 'extension' | 'server directory' | 'PATH' }
  | { found: false; tried: string[]; fromSetting: boolean };

export function executableName(name: ProgramName, platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? `${name}.exe` : name;
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
  const candidates: Array<[string, 'extension' | 'server directory']> = [[path.join(lookup.extensionPath, 'bin', exe), 'extension']];
  if (lookup.serverPath) candidates.push([path.join(path.dirname(lookup.serverPath), exe), 'server directory']);
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
  return `Kamailio: ${name} was not found, neither next to the extension nor on PATH. Build it with kamc (it is in build/ after "make"), then set ${settingKey} to its path.`;
}
