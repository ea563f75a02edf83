// Writes syntaxes/kamailio.tmLanguage.json from scripts/grammar.js and the
// module catalog. Usage: node scripts/build-grammar.js [CATALOG_DIR]
'use strict';
const fs = require('fs');
const path = require('path');
const { readCatalog, DEFAULT_DIR } = require('./catalog');
const { buildGrammar } = require('./grammar');

const catalogDir = path.resolve(process.argv[2] || process.env.KAMC_CATALOG_DIR || DEFAULT_DIR);
const grammar = buildGrammar(readCatalog(catalogDir));
const out = path.join(__dirname, '..', 'syntaxes', 'kamailio.tmLanguage.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
const text = JSON.stringify(grammar, null, 2) + '\n';
// Leave the file untouched when nothing changed, so that the build stays incremental.
if (!fs.existsSync(out) || fs.readFileSync(out, 'utf8') !== text) fs.writeFileSync(out, text);
console.log(`build-grammar: ${path.relative(process.cwd(), out)} from ${catalogDir}`);
