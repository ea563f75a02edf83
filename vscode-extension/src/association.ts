// Which files are Kamailio configs. The package.json contribution covers
// kamailio*.cfg and *.inc; a *.cfg is claimed by other languages first
// (VS Code's own "properties"), so the client looks at its first line, and at
// the user's extra patterns, and switches the language itself.

/** The header a Kamailio config may start with to choose its compatibility mode. */
export const COMPAT_HEADER = /^#!(KAMAILIO|OPENSER|SER|MAXCOMPAT|ALL)\b/;

export interface FileFacts {
  /** Absolute path (or a URI path) of the document. */
  fileName: string;
  /** Path relative to its workspace folder, '/'-separated, when it has one. */
  relativePath?: string;
  /** The first line of the document's text. */
  firstLine: string;
}

/** A glob as VS Code's files.associations writes it: *, **, ?, {a,b}, [abc]. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let inGroup = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // '**/' matches any number of directories, including none.
        if (glob[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '{') {
      inGroup++;
      re += '(?:';
    } else if (c === '}' && inGroup > 0) {
      inGroup--;
      re += ')';
    } else if (c === ',' && inGroup > 0) {
      re += '|';
    } else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) {
        re += '\\[';
      } else {
        re += '[' + glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = close;
      }
    } else {
      re += c.replace(/[.+^$()|\\\]]/g, '\\$&');
    }
  }
  return new RegExp('^' + re + '$');
}

function baseName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1];
}

/**
 * True when a pattern matches the file. A pattern with a '/' is matched against
 * the workspace-relative path (and the full path); one without, against the
 * file name, as files.associations does.
 */
export function matchesPattern(pattern: string, file: FileFacts): boolean {
  const re = globToRegExp(pattern);
  const full = file.fileName.replace(/\\/g, '/');
  if (!pattern.includes('/')) return re.test(baseName(full));
  if (file.relativePath !== undefined && re.test(file.relativePath)) return true;
  return re.test(full);
}

/** Why a file is a Kamailio config, or undefined when it is not one. */
export function kamailioReason(file: FileFacts, extraPatterns: readonly string[] = []): string | undefined {
  const name = baseName(file.fileName);
  if (/^kamailio.*\.cfg$/.test(name)) return 'file name kamailio*.cfg';
  if (name.endsWith('.inc')) return 'extension .inc';
  if (name.endsWith('.cfg') && COMPAT_HEADER.test(file.firstLine)) return 'first line ' + file.firstLine.trim();
  const hit = extraPatterns.find((p) => p.trim() !== '' && matchesPattern(p.trim(), file));
  return hit === undefined ? undefined : `pattern ${hit} of kamailio.files.associations`;
}

export function isKamailioFile(file: FileFacts, extraPatterns: readonly string[] = []): boolean {
  return kamailioReason(file, extraPatterns) !== undefined;
}
