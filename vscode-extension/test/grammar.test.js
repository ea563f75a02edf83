// The TextMate grammar, run by vscode-textmate as VS Code runs it: the
// annotated files of test/grammar/ (vscode-tmgrammar-test), a check that they
// assert every scope the grammar can produce, and the catalog's names.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { tokenize, GRAMMAR_PATH } = require('./lib/tokenize');
const { readCatalog } = require('../scripts/catalog');

const ROOT = path.join(__dirname, '..');
const CASES = path.join(__dirname, 'grammar');
const caseFiles = fs.readdirSync(CASES).filter((f) => f.endsWith('.cfg')).sort();

test('every annotated file passes vscode-tmgrammar-test', () => {
  assert.ok(caseFiles.length >= 3);
  const cli = require.resolve('vscode-tmgrammar-test/dist/unit.js');
  const r = spawnSync(process.execPath, [cli, '--compact', '-g', GRAMMAR_PATH, ...caseFiles.map((f) => path.join(CASES, f))], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  for (const f of caseFiles) assert.match(r.stdout, new RegExp(`${f.replace('.', '\\.')} run successfu`));
});

test('the annotated files assert every scope the grammar produces', () => {
  const grammar = JSON.parse(fs.readFileSync(GRAMMAR_PATH, 'utf8'));
  const produced = new Set();
  (function walk(node) {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        // A name may hold several scopes separated by spaces.
        if ((k === 'name' || k === 'contentName') && typeof v === 'string') v.split(/\s+/).forEach((n) => produced.add(n));
        else walk(v);
      }
    }
  })(grammar.repository);
  const asserted = new Set();
  for (const f of caseFiles) {
    for (const line of fs.readFileSync(path.join(CASES, f), 'utf8').split('\n')) {
      const m = line.match(/^#\s*(?:\^+|<[~]*-+)\s+(.*)$/);
      if (m) m[1].split(' - ')[0].split(/\s+/).forEach((s) => asserted.add(s));
    }
  }
  const missing = [...produced].filter((s) => !asserted.has(s)).sort();
  assert.deepEqual(missing, [], 'scopes no test file asserts');
  assert.ok(produced.size > 60, `${produced.size} scopes`);
});

test('every core parameter of the catalog is highlighted where it is set', async () => {
  const catalog = readCatalog(process.env.KAMC_CATALOG_DIR || undefined);
  const tokens = await tokenize(catalog.coreParams.map((p) => `${p} = 1`).join('\n'));
  const params = tokens.filter((t) => t.scopes.includes('support.variable.coreparam.kamailio')).map((t) => t.text);
  assert.deepEqual(params, catalog.coreParams);
});

test('every module function of the catalog is highlighted as a module function call', async () => {
  const catalog = readCatalog(process.env.KAMC_CATALOG_DIR || undefined);
  const tokens = await tokenize(catalog.moduleFunctions.map((f) => `\t${f}("x");`).join('\n'));
  const calls = tokens.filter((t) => t.scopes.includes('support.function.module.kamailio')).map((t) => t.text);
  assert.deepEqual(calls, catalog.moduleFunctions);
  assert.ok(calls.length > 1000, `${calls.length} functions`);
});

test('a name no module exports is still a call, but not a catalog function', async () => {
  const tokens = await tokenize('\tt_relay_nope("x");\n\tt_relay();');
  const scopeOf = (text) => tokens.find((t) => t.text === text).scopes;
  assert.deepEqual(scopeOf('t_relay_nope'), ['entity.name.function.call.kamailio']);
  assert.deepEqual(scopeOf('t_relay'), ['support.function.module.kamailio']);
});
