// Runs the extension's TextMate grammar the way VS Code does (vscode-textmate
// with the Oniguruma WebAssembly engine), outside VS Code.
'use strict';
const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const GRAMMAR_PATH = path.join(__dirname, '..', '..', 'syntaxes', 'kamailio.tmLanguage.json');
let registryPromise = null;

function registry() {
  if (!registryPromise) {
    const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
    const onigLib = oniguruma.loadWASM(wasm).then(() => ({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }));
    registryPromise = Promise.resolve(
      new vsctm.Registry({
        onigLib,
        loadGrammar: async (scopeName) =>
          scopeName === 'source.kamailio'
            ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR_PATH, 'utf8'), GRAMMAR_PATH)
            : null,
      })
    );
  }
  return registryPromise;
}

async function loadGrammar() {
  return (await registry()).loadGrammar('source.kamailio');
}

// Tokens of every line: [{ line, text, scopes }], scopes without the root scope.
async function tokenize(source) {
  const grammar = await loadGrammar();
  const lines = source.split(/\r?\n/);
  let state = vsctm.INITIAL;
  const out = [];
  lines.forEach((lineText, line) => {
    const result = grammar.tokenizeLine(lineText, state);
    for (const t of result.tokens) {
      out.push({
        line,
        start: t.startIndex,
        text: lineText.substring(t.startIndex, t.endIndex),
        scopes: t.scopes.slice(1),
      });
    }
    state = result.ruleStack;
  });
  return out;
}

module.exports = { tokenize, loadGrammar, GRAMMAR_PATH };
