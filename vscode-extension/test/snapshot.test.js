// Snapshots of how the grammar colours two real configs of the shared corpus
// (read in place). A change of the grammar that changes them shows up as a
// diff; after checking it, KAMC_UPDATE_SNAPSHOTS=1 rewrites the .snap files.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { tokenize } = require('./lib/tokenize');

const CORPUS = process.env.KAMC_CORPUS_DIR || path.resolve(__dirname, '..', '..', '..', 'shared', 'corpus');
const SNAPSHOTS = process.env.KAMC_SNAPSHOT_DIR || path.join(__dirname, 'snapshots');
const UPDATE = process.env.KAMC_UPDATE_SNAPSHOTS === '1';

const CONFIGS = [
  'kamailio-5.6/etc__kamailio.cfg',
  'kamailio-5.6/examples__ims__pcscf__route__register.cfg',
];

/** Each source line after '>', then one line per coloured token: carets under it and its scopes. */
function render(source, tokens) {
  const out = [];
  const byLine = new Map();
  for (const t of tokens) {
    if (!byLine.has(t.line)) byLine.set(t.line, []);
    byLine.get(t.line).push(t);
  }
  source.split(/\r?\n/).forEach((text, i) => {
    out.push('>' + text);
    for (const t of byLine.get(i) || []) {
      if (t.scopes.length === 0 || t.text.trim() === '') continue;
      const scopes = t.scopes.map((s) => s.replace(/\.kamailio$/, '')).join(' ');
      out.push('#' + ' '.repeat(t.start) + '^'.repeat(t.text.length) + ' ' + scopes);
    }
  });
  return out.join('\n') + '\n';
}

for (const rel of CONFIGS) {
  const file = path.join(CORPUS, rel);
  test(`the colours of ${rel} match its snapshot`, { skip: !fs.existsSync(file) && `${file} is not there` }, async () => {
    const source = fs.readFileSync(file, 'utf8');
    const actual = render(source, await tokenize(source));
    const snap = path.join(SNAPSHOTS, path.basename(rel) + '.snap');
    if (UPDATE || !fs.existsSync(snap)) {
      assert.ok(UPDATE, `${snap} is missing: run with KAMC_UPDATE_SNAPSHOTS=1 to write it`);
      fs.writeFileSync(snap, actual);
      return;
    }
    const expected = fs.readFileSync(snap, 'utf8');
    if (actual !== expected) {
      const a = actual.split('\n');
      const e = expected.split('\n');
      const first = a.findIndex((l, i) => l !== e[i]);
      assert.fail(`${path.basename(snap)} differs from line ${first + 1}:\n  expected: ${e[first]}\n  actual:   ${a[first]}`);
    }
  });
}
