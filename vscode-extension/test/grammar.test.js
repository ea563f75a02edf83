// The TextMate grammar, run by vscode-textmate as VS Code runs it: the
// annotated files of test/grammar/ (vscode-tmgrammar-test), a check that they
// assert every scope the grammar can produce, and the catalog's names.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const vsctm = require('vscode-textmate');
const { tokenize, loadGrammar, GRAMMAR_PATH } = require('./lib/tokenize');
const { readCatalog } = require('../scripts/catalog');

const ROOT = path.join(__dirname, '..');
const CASES = path.join(__dirname, 'grammar');
const CORPUS = process.env.KAMC_CORPUS_DIR || path.resolve(__dirname, '..', '..', '..', 'shared', 'corpus');
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

test('on every corpus config no pseudo-variable, index or transformation stays open past its line', { skip: !fs.existsSync(CORPUS) && `${CORPUS} is not there` }, async () => {
  const grammar = await loadGrammar();
  const files = ['kamailio', 'kamailio-5.6']
    .map((d) => path.join(CORPUS, d))
    .filter((d) => fs.existsSync(d))
    .flatMap((d) => fs.readdirSync(d).filter((f) => /\.cfg/.test(f)).map((f) => path.join(d, f)));
  assert.ok(files.length > 100, `${files.length} corpus configs`);
  const started = Date.now();
  const endedInString = [];
  for (const file of files) {
    let state = vsctm.INITIAL;
    const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
    lines.forEach((line, i) => {
      state = grammar.tokenizeLine(line, state).ruleStack;
      // The scopes in force at the start of the next line.
      const open = grammar.tokenizeLine('', state).tokens[0].scopes;
      const leaked = open.filter((s) => /^(variable\.other\.pv|meta\.index|meta\.transformation|variable\.parameter\.pv)/.test(s));
      assert.deepEqual(leaked, [], `${path.basename(file)}:${i + 1} leaves ${leaked.join(' ')} open`);
    });
    const atEnd = grammar.tokenizeLine('', state).tokens[0].scopes;
    if (atEnd.length > 1) endedInString.push(path.basename(file));
    assert.ok(atEnd.length === 1 || (atEnd.length === 2 && atEnd[1] === 'string.quoted.double.kamailio'),
      `${path.basename(file)} ends inside ${atEnd.join(' ')}`);
  }
  // A string may run over lines, as in Kamailio's lexer; only files with an odd number of quotes end inside one.
  assert.ok(endedInString.includes('test__misc__cfg__bad_eof.cfg'), 'the unterminated string of bad_eof.cfg');
  assert.ok(Date.now() - started < 20_000, `${Date.now() - started} ms for ${files.length} files`);
});
