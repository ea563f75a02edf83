// kamc-lsp as VS Code's client meets it: the real binary (KAMC_LSP) started
// with no arguments and spoken to over stdio with vscode-jsonrpc. initialize
// must answer with capabilities, a config opened with a mistake must get that
// mistake pushed back as a diagnostic at its line, with cfgcheck's rule, and
// the edit that fixes it must clear it.
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
  assert.ok(fs.existsSync(LSP), `${LSP} is not built`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kamc-lsp-client-'));
  const file = path.join(dir, 'kamailio.cfg');
  const text = '#!KAMAILIO\nloadmodule "sl.so"\nloadmodule "xlog.so"\nrequest_route {\n\troute(NOPE);\n}\n';
  fs.writeFileSync(file, text);
  const uri = 'file://' + file;
  const server = startServer();
  try {
    // Each publishDiagnostics for the file, in order; next() waits for the next one matching.
    const published = [];
    const waiting = [];
    server.connection.onNotification('textDocument/publishDiagnostics', (params) => {
      if (params.uri !== uri) return;
      published.push(params.diagnostics);
      for (const w of waiting.splice(0)) w();
    });
    const next = async (accept, what) => withTimeout((async () => {
      for (;;) {
        const hit = published.find(accept);
        if (hit) {
          published.splice(0, published.indexOf(hit) + 1);
          return hit;
        }
        await new Promise((resolve) => waiting.push(resolve));
      }
    })(), 15_000, what);
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

    const found = await next((d) => d.length > 0, 'publishDiagnostics after didOpen');
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

    // The edit VS Code sends when the user defines the route: the finding goes away.
    const fixed = text + 'route[NOPE] {\n\txlog("L_INFO", "here\\n");\n}\n';
    server.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: fixed }],
    });
    const after = await next((d) => !d.some((x) => /NOPE/.test(x.message)), 'publishDiagnostics after didChange');
    assert.deepEqual(after.filter((d) => d.severity === 1), [], 'no error is left');

    await withTimeout(server.connection.sendRequest('shutdown'), 10_000, 'shutdown');
    server.connection.sendNotification('exit');
    const code = await withTimeout(new Promise((resolve) => server.child.on('exit', resolve)), 10_000, 'exit');
    assert.equal(code, 0, server.stderr());
  } finally {
    server.connection.dispose();
    if (server.child.exitCode === null) server.child.kill();
  }
});
