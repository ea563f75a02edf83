// The snippets: well formed, and what they insert is a config cfgcheck
// accepts with no finding at all (KAMC_CFGCHECK, from the build).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { expandSnippet } = require('./lib/snippet');

const snippets = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'snippets', 'kamailio.json'), 'utf8'));
const byPrefix = Object.fromEntries(Object.values(snippets).map((s) => [s.prefix, s]));
const CFGCHECK = process.env.KAMC_CFGCHECK;

const ROUTE_SKELETONS = ['route-reqinit', 'route-withindlg', 'route-registrar', 'route-location', 'route-relay', 'failure-route-manage-failure'];

function cfgcheck(text) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kamc-snippet-'));
  const file = path.join(dir, 'kamailio.cfg');
  fs.writeFileSync(file, text);
  const r = spawnSync(CFGCHECK, ['--format=json', file], { encoding: 'utf8' });
  return { status: r.status, findings: r.stdout ? JSON.parse(r.stdout) : [], stderr: r.stderr };
}

test('the snippet expander keeps defaults and literal dollars', () => {
  assert.equal(expandSnippet(['a ${1:x} $2 \\$var(${3:n}) ${4|L_INFO,L_ERR|}$0']), 'a x  $var(n) L_INFO');
  assert.equal(expandSnippet('${1:outer ${2:inner}}'), 'outer inner');
});

test('there is a snippet for each common route skeleton and for a minimal config', () => {
  for (const p of [...ROUTE_SKELETONS, 'kamailio-minimal']) {
    assert.ok(byPrefix[p], `snippet ${p}`);
    assert.ok(byPrefix[p].description.length > 10);
  }
  assert.match(expandSnippet(byPrefix['route-reqinit'].body), /^route\[REQINIT\] \{/);
  assert.match(expandSnippet(byPrefix['failure-route-manage-failure'].body), /^failure_route\[MANAGE_FAILURE\] \{/);
  for (const s of Object.values(snippets)) assert.doesNotThrow(() => expandSnippet(s.body), s.prefix);
});

test('the minimal config is clean for cfgcheck', { skip: !CFGCHECK && 'KAMC_CFGCHECK is not set' }, () => {
  const r = cfgcheck(expandSnippet(byPrefix['kamailio-minimal'].body) + '\n');
  assert.deepEqual(r.findings.map((f) => `${f.location.line}: ${f.message} [${f.rule}]`), []);
  assert.equal(r.status, 0, r.stderr);
});

test('the minimal config calling every route skeleton is clean for cfgcheck', { skip: !CFGCHECK && 'KAMC_CFGCHECK is not set' }, () => {
  const calls = ['REQINIT', 'WITHINDLG', 'REGISTRAR', 'LOCATION', 'RELAY'].map((r) => `route(${r});`).join('\n\t');
  const minimal = byPrefix['kamailio-minimal'].body.join('\n').replace('${0:t_relay();}', calls);
  assert.notEqual(minimal, byPrefix['kamailio-minimal'].body.join('\n'), 'the $0 placeholder is in request_route');
  const text = [expandSnippet(minimal), ...ROUTE_SKELETONS.map((p) => expandSnippet(byPrefix[p].body))].join('\n\n') + '\n';
  const r = cfgcheck(text);
  assert.deepEqual(r.findings.map((f) => `${f.location.line}: ${f.message} [${f.rule}]`), []);
  assert.equal(r.status, 0, r.stderr);
});
