// How the language client starts kamc-lsp: a stdio server with no arguments.
// Pure data, so that the tests check exactly what VS Code will run.

export const LANGUAGE_ID = 'kamailio';

export interface ServerExecutable {
  command: string;
  args: string[];
  options?: { env?: NodeJS.ProcessEnv };
}

export function serverOptions(serverPath: string): { run: ServerExecutable; debug: ServerExecutable } {
  // No transport given: vscode-languageclient talks over the process's stdin/stdout.
  const executable: ServerExecutable = { command: serverPath, args: [] };
  return { run: executable, debug: executable };
}

/** Open files and unsaved buffers of the kamailio language (not preview documents). */
export const documentSelector = [
  { scheme: 'file', language: LANGUAGE_ID },
  { scheme: 'untitled', language: LANGUAGE_ID },
];

export const SETTINGS = {
  serverPath: 'kamailio.server.path',
  serverEnabled: 'kamailio.server.enabled',
  cfgcheckPath: 'kamailio.cfgcheck.path',
  kamcPath: 'kamailio.kamc.path',
  defines: 'kamailio.defines',
  associations: 'kamailio.files.associations',
  trace: 'kamailio.trace.server',
} as const;
