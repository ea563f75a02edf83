// The packaged extension (KAMC_VSIX, built by `vsce package`): it holds the
// grammar, the compiled client with the modules it loads at run time, the
// snippets, the language configuration, and a package.json whose
// contributions point at files that are in the package.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const yauzl = require('yauzl');

const VSIX = process.env.KAMC_VSIX;

function readZip(file) {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const entries = new Map();
      zip.on('entry', (entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks = [];
          stream.on('data', (c) => chunks.push(c));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

test('the .vsix holds what VS Code needs, and no sources or tests', { skip: !VSIX && 'KAMC_VSIX is not set' }, async () => {
  const entries = await readZip(VSIX);
  const names = [...entries.keys()];
  for (const required of [
    'extension.vsixmanifest',
    'extension/package.json',
    'extension/out/extension.js',
    'extension/syntaxes/kamailio.tmLanguage.json',
    'extension/snippets/kamailio.json',
    'extension/language-configuration.json',
    'extension/readme.md',
    'extension/node_modules/vscode-languageclient/node.js',
    'extension/node_modules/vscode-languageserver-protocol/package.json',
    'extension/node_modules/vscode-jsonrpc/package.json',
  ]) {
    assert.ok(names.some((n) => n.toLowerCase() === required.toLowerCase()), `${required} is in the .vsix`);
  }
  assert.deepEqual(names.filter((n) => /^extension\/(src|test|scripts)\//.test(n) || n.endsWith('.ts')), []);
  assert.deepEqual(names.filter((n) => /node_modules\/(typescript|@vscode\/vsce|vscode-textmate|vscode-tmgrammar-test)\//.test(n)), [], 'no build-time packages');

  const manifest = JSON.parse(entries.get('extension/package.json').toString('utf8'));
  const source = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  assert.deepEqual(manifest.contributes, source.contributes);
  assert.equal(manifest.main, './out/extension.js');
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, true);
  const inPackage = (rel) => entries.has('extension/' + rel.replace(/^\.\//, ''));
  for (const g of manifest.contributes.grammars) assert.ok(inPackage(g.path), g.path);
  for (const s of manifest.contributes.snippets) assert.ok(inPackage(s.path), s.path);
  for (const l of manifest.contributes.languages) assert.ok(inPackage(l.configuration), l.configuration);
  assert.ok(inPackage(manifest.main));

  const grammar = JSON.parse(entries.get('extension/syntaxes/kamailio.tmLanguage.json').toString('utf8'));
  assert.equal(grammar.scopeName, 'source.kamailio');
  const commands = manifest.contributes.commands.map((c) => c.title);
  assert.deepEqual(commands.slice(0, 3), ['Check config', 'Show preprocessed config', 'Show expanded config']);
  const client = entries.get('extension/out/extension.js').toString('utf8');
  for (const c of manifest.contributes.commands) assert.ok(client.includes(`'${c.command}'`), `${c.command} is registered by the client`);
});
