// Reads the names the highlighter needs from kamc's module catalog
// (tools/catalog/data/*.cat, format in docs/catalog.md), so that the grammar
// knows exactly the core parameters, keywords and functions cfgcheck knows.
'use strict';
const fs = require('fs');
const path = require('path');

const DEFAULT_DIR = path.resolve(__dirname, '..', '..', 'tools', 'catalog', 'data');

function readCatalog(dir = DEFAULT_DIR) {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cat')).sort();
  if (files.length === 0) throw new Error(`${dir}: no .cat files (is this kamc's tools/catalog/data?)`);
  const coreFunctions = new Set();
  const moduleFunctions = new Set();
  const coreParams = new Set();
  const coreKeywords = new Set();
  const modules = new Set();
  for (const file of files) {
    const lines = fs.readFileSync(path.join(dir, file), 'utf8').split('\n');
    let module = null;
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      switch (fields[0]) {
        case 'module':
          module = fields[1];
          modules.add(module);
          break;
        case 'function':
          (module === 'core' ? coreFunctions : moduleFunctions).add(fields[1]);
          break;
        case 'coreparam':
          coreParams.add(fields[1]);
          break;
        case 'keyword':
          coreKeywords.add(fields[1]);
          break;
        default:
          break;
      }
    }
  }
  // A name the core defines is highlighted as core even if a module reuses it.
  for (const f of coreFunctions) moduleFunctions.delete(f);
  const sorted = (s) => [...s].sort();
  return {
    coreFunctions: sorted(coreFunctions),
    moduleFunctions: sorted(moduleFunctions),
    coreParams: sorted(coreParams),
    coreKeywords: sorted(coreKeywords),
    modules: sorted(modules),
  };
}

module.exports = { readCatalog, DEFAULT_DIR };
