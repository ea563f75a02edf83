// kamc-lsp as VS Code's client meets it: the real binary (KAMC_LSP) started
// with no arguments and spoken to over stdio with vscode-jsonrpc. initialize
// must answer with capabilities, and a config opened with a mistake must get
// that mistake pushed back as a diagnostic at its line, with cfgcheck's rule.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const rpc = require('vscode-jsonrpc/node');

const LSP = process.env.KAMC_LSP;
const CFGCHECK = process.env.KAMC_CFGCHECK;

function startServer() {
  const child = spawn(LSP, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  connection.listen();
  return { child, connection, stderr: () => stderr };
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

test('kamc-lsp answers initialize and pushes cfgcheck diagnostics for an opened config', { skip: !LSP && 'KAMC_LSP is not set (no kamc-lsp in this build)', timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kamc-lsp-client-'));
  const file = path.join(dir, 'kamailio.cfg');
  const text = '#!KAMAILIO\nloadmodule "sl.so"\nloadmodule "xlog.so"\nrequest_route {\n\troute(NOPE);\n}\n';
  fs.writeFileSync(file, text);
  const uri = 'file://' + file;
  const server = startServer();
  try {
    const diagnostics = new Promise((resolve) => {
      server.connection.onNotification('textDocument/publishDiagnostics', (params) => {
        if (params.uri === uri && params.diagnostics.length > 0) resolve(params.diagnostics);
      });
    });
    const init = await withTimeout(server.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: 'file://' + dir,
      workspaceFolders: [{ uri: 'file://' + dir, name: 'w' }],
      capabilities: {
        general: { positionEncodings: ['utf-16'] },
        textDocument: { publishDiagnostics: { relatedInformation: true }, synchronization: { dynamicRegistration: false } },
      },
    }), 10_000, 'initialize');
    assert.equal(typeof init.capabilities, 'object');
    assert.ok(init.capabilities.textDocumentSync !== undefined, 'the server syncs documents');
    server.connection.sendNotification('initialized', {});
    server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'kamailio', version: 1, text } });

    const found = await withTimeout(diagnostics, 15_000, 'publishDiagnostics');
    const route = found.find((d) => /NOPE/.test(d.message));
    assert.ok(route, `a diagnostic names route NOPE: ${JSON.stringify(found)}`);
    assert.equal(route.range.start.line, 4);
    assert.equal(route.range.start.character, 1);
    if (CFGCHECK) {
      // The same rules as cfgcheck reports for the file on disk.
      const r = spawnSync(CFGCHECK, ['--format=json', file], { encoding: 'utf8' });
      const rules = JSON.parse(r.stdout).map((f) => f.rule).sort();
      assert.deepEqual(found.map((d) => d.code).sort(), rules);
    }

    await withTimeout(server.connection.sendRequest('shutdown'), 10_000, 'shutdown');
    server.connection.sendNotification('exit');
    const code = await withTimeout(new Promise((resolve) => server.child.on('exit', resolve)), 10_000, 'exit');
    assert.equal(code, 0, server.stderr());
  } finally {
    server.connection.dispose();
    if (server.child.exitCode === null) server.child.kill();
  }
});
