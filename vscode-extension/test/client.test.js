// The language client outside VS Code: which files it claims, where it finds
// kamc-lsp, what it starts, what it says when the server is missing, and what
// the commands run. The 'vscode' module is the stand-in of lib/vscode-stub.js;
// cfgcheck and kamc are the real programs when the build provides them.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { createHost, loadExtension, makeDocument } = require('./lib/vscode-stub');
const association = require('../out/association');
const paths = require('../out/paths');
const commands = require('../out/commands');
const server = require('../out/server');

const CFGCHECK = process.env.KAMC_CFGCHECK;
const KAMC = process.env.KAMC_KAMC;

function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'kamc-vscode-'));
}

function fakeExecutable(dir, name) {
  const p = path.join(dir, name);
  fs.writeFileSync(p, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return p;
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

test.describe('file association', () => {
  const facts = (fileName, firstLine = '', relativePath) => ({ fileName, firstLine, relativePath });

  test('a .cfg that starts with #!KAMAILIO is a Kamailio config, other .cfg files are not', () => {
    assert.ok(association.isKamailioFile(facts('/etc/sip/proxy.cfg', '#!KAMAILIO')));
    assert.ok(association.isKamailioFile(facts('/etc/sip/proxy.cfg', '#!OPENSER')));
    assert.ok(!association.isKamailioFile(facts('/etc/app/settings.cfg', '[section]')));
    assert.ok(!association.isKamailioFile(facts('/etc/app/settings.cfg', '# !KAMAILIO')));
  });

  test('kamailio*.cfg and *.inc are Kamailio configs whatever their first line', () => {
    assert.ok(association.isKamailioFile(facts('/etc/kamailio/kamailio.cfg', 'debug=2')));
    assert.ok(association.isKamailioFile(facts('/etc/kamailio/kamailio-local.cfg', '')));
    assert.ok(association.isKamailioFile(facts('/etc/kamailio/routes.inc', 'route[X] {')));
    assert.ok(!association.isKamailioFile(facts('/etc/kamailio/mykamailio.cfg.bak', '')));
  });

  test('the kamailio.files.associations patterns add files by name or by workspace path', () => {
    const patterns = ['routes-*.cfg', '**/sip/*.conf', 'conf.d/{a,b}.txt'];
    assert.ok(association.isKamailioFile(facts('/w/routes-nat.cfg', ''), patterns));
    assert.ok(association.isKamailioFile(facts('/w/etc/sip/proxy.conf', '', 'etc/sip/proxy.conf'), patterns));
    assert.ok(association.isKamailioFile(facts('/w/conf.d/b.txt', '', 'conf.d/b.txt'), patterns));
    assert.ok(!association.isKamailioFile(facts('/w/conf.d/c.txt', '', 'conf.d/c.txt'), patterns));
    assert.ok(!association.isKamailioFile(facts('/w/etc/http/site.conf', '', 'etc/http/site.conf'), patterns));
    assert.match(association.kamailioReason(facts('/w/routes-nat.cfg', ''), patterns), /routes-\*\.cfg/);
  });

  test('globs: * stays inside a directory, ** crosses directories, ? is one character', () => {
    assert.ok(association.globToRegExp('*.cfg').test('a.cfg'));
    assert.ok(!association.globToRegExp('*.cfg').test('d/a.cfg'));
    assert.ok(association.globToRegExp('**/*.cfg').test('a.cfg'));
    assert.ok(association.globToRegExp('**/*.cfg').test('x/y/a.cfg'));
    assert.ok(association.globToRegExp('a?.cfg').test('ab.cfg'));
    assert.ok(!association.globToRegExp('a?.cfg').test('abc.cfg'));
    assert.ok(association.globToRegExp('[kK]am.cfg').test('Kam.cfg'));
    assert.ok(!association.globToRegExp('a.cfg').test('aXcfg'), 'a dot is literal');
  });
});

test.describe('program lookup', () => {
  test('the setting wins; a setting that names no executable is reported, not replaced', () => {
    const dir = tempDir();
    const onPath = fakeExecutable(dir, 'kamc-lsp');
    const base = { extensionPath: '/ext', envPath: dir, home: '/home/u', isExecutable: (p) => fs.existsSync(p) };
    const set = paths.resolveProgram('kamc-lsp', { ...base, configured: onPath });
    assert.deepEqual(set, { found: true, path: onPath, source: 'setting' });
    const wrong = paths.resolveProgram('kamc-lsp', { ...base, configured: '~/bin/kamc-lsp' });
    assert.deepEqual(wrong, { found: false, tried: ['/home/u/bin/kamc-lsp'], fromSetting: true });
    assert.match(paths.missingProgramMessage('kamc-lsp', 'kamailio.server.path', wrong), /kamailio\.server\.path is set to "\/home\/u\/bin\/kamc-lsp", which is not an executable file/);
  });

  test('without a setting: the extension bin/ first, then beside a related program, then PATH', () => {
    const exists = new Set(['/ext/bin/kamc-lsp', '/opt/kamc/cfgcheck', '/usr/bin/kamc', '/usr/local/bin/kamc']);
    const base = { configured: '', extensionPath: '/ext', envPath: '/usr/local/bin:/usr/bin', home: '/h', isExecutable: (p) => exists.has(p), platform: 'linux' };
    assert.deepEqual(paths.resolveProgram('kamc-lsp', base), { found: true, path: '/ext/bin/kamc-lsp', source: 'extension' });
    assert.deepEqual(paths.resolveProgram('cfgcheck', { ...base, related: ['/opt/kamc/kamc-lsp'] }), { found: true, path: '/opt/kamc/cfgcheck', source: 'beside a related program' });
    assert.deepEqual(paths.resolveProgram('kamc', base), { found: true, path: '/usr/local/bin/kamc', source: 'PATH' }, 'PATH order is kept');
    const missing = paths.resolveProgram('cfgcheck', base);
    assert.deepEqual(missing, { found: false, tried: ['/ext/bin/cfgcheck', '/usr/local/bin/cfgcheck', '/usr/bin/cfgcheck'], fromSetting: false });
    assert.match(paths.missingProgramMessage('cfgcheck', 'kamailio.cfgcheck.path', missing), /cfgcheck was not found.*set kamailio\.cfgcheck\.path/);
  });

  test('one program of a kamc build tree leads to the others', () => {
    assert.deepEqual(paths.besideRelated('kamc-lsp', '/src/kamc/build/tools/kamc/kamc', 'linux'), ['/src/kamc/build/tools/kamc/kamc-lsp', '/src/kamc/build/lsp/kamc-lsp']);
    assert.deepEqual(paths.besideRelated('cfgcheck', '/src/kamc/build/lsp/kamc-lsp', 'linux'), ['/src/kamc/build/lsp/cfgcheck', '/src/kamc/build/tools/cfgcheck/cfgcheck']);
    assert.deepEqual(paths.besideRelated('kamc', '/usr/local/bin/cfgcheck', 'linux'), ['/usr/local/bin/kamc'], 'an install keeps them side by side');
    const exists = new Set(['/b/lsp/kamc-lsp', '/b/tools/cfgcheck/cfgcheck', '/b/tools/kamc/kamc']);
    const lookup = { configured: '', extensionPath: '/ext', envPath: '', home: '/h', isExecutable: (p) => exists.has(p), platform: 'linux', related: ['', '~/unset', '/b/tools/kamc/kamc'] };
    assert.deepEqual(paths.resolveProgram('kamc-lsp', lookup), { found: true, path: '/b/lsp/kamc-lsp', source: 'beside a related program' });
    assert.deepEqual(paths.resolveProgram('cfgcheck', lookup), { found: true, path: '/b/tools/cfgcheck/cfgcheck', source: 'beside a related program' });
  });

  test('on Windows the programs end in .exe and PATH is split on ;', () => {
    const exists = new Set([path.join('C:\\kamc', 'kamc-lsp.exe')]);
    const r = paths.resolveProgram('kamc-lsp', { configured: '', extensionPath: 'C:\\ext', envPath: 'C:\\x;C:\\kamc', home: 'C:\\u', isExecutable: (p) => exists.has(p), platform: 'win32' });
    assert.equal(r.found, true);
    assert.equal(r.path, path.join('C:\\kamc', 'kamc-lsp.exe'));
  });
});

test.describe('command arguments and cfgcheck output', () => {
  test('defines become -A flags for cfgcheck and kamc, blanks are dropped', () => {
    assert.deepEqual(commands.cfgcheckArgs('/w/k.cfg', ['WITH_AUTH', ' ', 'DBURL="mysql://x"']),
      ['--format=json', '--color=never', '-A', 'WITH_AUTH', '-A', 'DBURL="mysql://x"', '/w/k.cfg']);
    assert.deepEqual(commands.kamcPreviewArgs('/w/k.cfg', [], 'preprocessed'), ['-E', '--color=never', '/w/k.cfg']);
    assert.deepEqual(commands.kamcPreviewArgs('/w/k.cfg', ['WITH_NAT'], 'expanded'), ['-E', '--expand', '--color=never', '-A', 'WITH_NAT', '/w/k.cfg']);
  });

  test('cfgcheck JSON becomes problems with 0-based positions, UTF-16 columns and notes', () => {
    const json = JSON.stringify([
      { file: '/w/k.cfg', rule: 'kamc-undefined-route', severity: 'error', location: { file: '/w/k.cfg', line: 3, col: 16 }, message: 'no route', notes: [
        { location: { file: '/w/inc.cfg', line: 1, col: 1 }, message: 'included from here' }] },
      { file: '/w/k.cfg', rule: 'kamc-implicit-avp', severity: 'warning', location: null, message: 'whole file', notes: [] },
    ]);
    // Line 3 is 'xlog("é€"); route(X);': 'é' is 2 bytes, '€' 3 bytes, each one UTF-16 unit.
    const lines = { '/w/k.cfg': ['', '', 'xlog("é€"); route(X);'], '/w/inc.cfg': ['include_file "k.cfg"'] };
    const problems = commands.parseCfgcheckJson(json, (f, l) => lines[f]?.[l]);
    assert.equal(problems.length, 2);
    assert.deepEqual(problems[0].position, { line: 2, character: 12 }, "byte column 16 is 'route', the 13th character");
    assert.equal(problems[0].rule, 'kamc-undefined-route');
    assert.deepEqual(problems[0].related, [{ file: '/w/inc.cfg', position: { line: 0, character: 0 }, message: 'included from here' }]);
    assert.equal(problems[1].severity, 'warning');
    assert.deepEqual(problems[1].position, { line: 0, character: 0 });
  });

  test('file names cfgcheck prints relative to the directory it ran in become absolute', () => {
    const json = JSON.stringify([{ file: 'main.cfg', rule: 'r', severity: 'error', location: { file: 'sub/r.cfg', line: 2, col: 2 }, message: 'm',
      notes: [{ location: { file: 'main.cfg', line: 3, col: 1 }, message: 'included from here' }] }]);
    const [p] = commands.parseCfgcheckJson(json, () => undefined, '/w/etc');
    assert.equal(p.file, '/w/etc/sub/r.cfg');
    assert.equal(p.related[0].file, '/w/etc/main.cfg');
    assert.equal(commands.parseCfgcheckJson(json, () => undefined, '/w/etc')[0].position.line, 1);
    assert.equal(commands.parseCfgcheckJson(JSON.stringify([{ file: '/abs/k.cfg', rule: 'r', severity: 'error', location: { file: '/abs/k.cfg', line: 1, col: 1 }, message: 'm', notes: [] }]), () => undefined, '/w')[0].file, '/abs/k.cfg');
  });

  test('exit codes 0 and 1 carry output; 2 or a signal is a failure with the last stderr lines', () => {
    assert.equal(commands.runFailure('cfgcheck', { exitCode: 1, stdout: '[]', stderr: '' }), undefined);
    assert.equal(commands.runFailure('cfgcheck', { exitCode: 2, stdout: '', stderr: 'cfgcheck: x.cfg: No such file\n' }), 'cfgcheck failed: cfgcheck: x.cfg: No such file');
    assert.equal(commands.runFailure('kamc', { exitCode: null, stdout: '', stderr: '' }), 'kamc failed: exit code null');
  });

  test('the language server is started as a stdio program with no arguments, for kamailio files', () => {
    assert.deepEqual(server.serverOptions('/opt/kamc-lsp'), { run: { command: '/opt/kamc-lsp', args: [] }, debug: { command: '/opt/kamc-lsp', args: [] } });
    assert.deepEqual(server.documentSelector, [{ scheme: 'file', language: 'kamailio' }, { scheme: 'untitled', language: 'kamailio' }]);
  });
});

test.describe('activation with the vscode module stubbed', () => {
  test('registers the commands and claims open #!KAMAILIO .cfg files, and no others', async () => {
    const host = createHost();
    host.settings['kamailio.server.enabled'] = false;
    const kam = makeDocument('/w/proxy.cfg', '#!KAMAILIO\ndebug=2\n');
    const other = makeDocument('/w/app.cfg', '[main]\n');
    host.documents.push(kam, other);
    const ext = loadExtension(host);
    await ext.activate(host.context);
    assert.deepEqual([...host.commands.keys()].sort(), ['kamailio.checkConfig', 'kamailio.restartServer', 'kamailio.showExpanded', 'kamailio.showPreprocessed']);
    assert.deepEqual(host.calls.languageSet.map((c) => [c.doc.uri.fsPath, c.id]), [['/w/proxy.cfg', 'kamailio']]);
    // A file opened later, matched by a user pattern.
    host.settings['kamailio.files.associations'] = ['*.routes'];
    host.listeners.open[0](makeDocument('/w/nat.routes', 'route[NAT] {'));
    assert.equal(host.calls.languageSet.length, 2);
    assert.equal(host.clients.length, 0, 'kamailio.server.enabled=false starts no server');
    assert.ok(host.context.subscriptions.length >= 7);
  });

  test('starts kamc-lsp from kamailio.server.path over stdio', async () => {
    const host = createHost();
    const lsp = fakeExecutable(tempDir(), 'kamc-lsp');
    host.settings['kamailio.server.path'] = lsp;
    const ext = loadExtension(host);
    await ext.activate(host.context);
    assert.equal(host.clients.length, 1);
    const client = host.clients[0];
    assert.equal(client.id, 'kamailio');
    assert.deepEqual(client.serverOptions.run, { command: lsp, args: [] });
    assert.equal(client.serverOptions.run.transport, undefined, 'stdio is the default transport');
    assert.deepEqual(client.clientOptions.documentSelector, server.documentSelector);
    assert.ok(client.started);
    assert.equal(host.calls.errors.length, 0);
    await ext.deactivate();
    assert.ok(client.stopped);
  });

  test('finds kamc-lsp on PATH when no setting is given', async () => {
    const host = createHost();
    const dir = tempDir();
    const lsp = fakeExecutable(dir, 'kamc-lsp');
    const savedPath = process.env.PATH;
    process.env.PATH = `${dir}${path.delimiter}${savedPath}`;
    try {
      const ext = loadExtension(host);
      await ext.activate(host.context);
    } finally {
      process.env.PATH = savedPath;
    }
    assert.equal(host.clients.length, 1);
    assert.equal(host.clients[0].serverOptions.run.command, lsp);
  });

  test('setting only kamailio.kamc.path to a build tree finds kamc-lsp in the same tree', async () => {
    const host = createHost();
    const build = tempDir();
    fs.mkdirSync(path.join(build, 'lsp'));
    fs.mkdirSync(path.join(build, 'tools', 'kamc'), { recursive: true });
    const lsp = fakeExecutable(path.join(build, 'lsp'), 'kamc-lsp');
    host.settings['kamailio.kamc.path'] = fakeExecutable(path.join(build, 'tools', 'kamc'), 'kamc');
    const savedPath = process.env.PATH;
    process.env.PATH = tempDir();
    try {
      await loadExtension(host).activate(host.context);
    } finally {
      process.env.PATH = savedPath;
    }
    assert.equal(host.calls.errors.length, 0);
    assert.equal(host.clients[0].serverOptions.run.command, lsp);
  });

  test('a missing server gives a clear message whose button opens the setting', async () => {
    const host = createHost();
    host.settings['kamailio.server.path'] = '/nonexistent/kamc-lsp';
    host.answers.error = 'Open Settings';
    const ext = loadExtension(host);
    await ext.activate(host.context);
    assert.equal(host.clients.length, 0);
    assert.equal(host.calls.errors.length, 1);
    assert.match(host.calls.errors[0].message, /kamailio\.server\.path is set to "\/nonexistent\/kamc-lsp", which is not an executable file/);
    assert.deepEqual(host.calls.errors[0].items, ['Open Settings', 'Disable Language Server']);
    await settled();
    assert.deepEqual(host.calls.executed, [['workbench.action.openSettings', 'kamailio.server.path']]);
  });

  test('activation does not wait for the user to answer the missing-server message', async () => {
    const host = createHost();
    host.settings['kamailio.server.path'] = '/nonexistent/kamc-lsp';
    host.vscode.window.showErrorMessage = (message, ...items) => {
      host.calls.errors.push({ message, items });
      return new Promise(() => {}); // never answered
    };
    const ext = loadExtension(host);
    const activated = await Promise.race([ext.activate(host.context).then(() => 'activated'), new Promise((r) => setTimeout(() => r('hung'), 1000))]);
    assert.equal(activated, 'activated');
    assert.equal(host.calls.errors.length, 1);
    assert.ok(host.commands.has('kamailio.checkConfig'), 'the commands work without the server');
  });

  test('the missing-server message can turn the server off for good', async () => {
    const host = createHost();
    host.answers.error = 'Disable Language Server';
    const savedPath = process.env.PATH;
    process.env.PATH = tempDir();
    try {
      await loadExtension(host).activate(host.context);
    } finally {
      process.env.PATH = savedPath;
    }
    assert.match(host.calls.errors[0].message, /kamc-lsp was not found in the extension, beside the other kamc programs set, or on PATH/);
    await settled();
    assert.deepEqual(host.calls.updates, [{ key: 'kamailio.server.enabled', value: false, target: 1 }]);
  });

  test('a server that fails to start is reported, and activation still succeeds', async () => {
    const host = createHost();
    const lsp = fakeExecutable(tempDir(), 'kamc-lsp');
    host.settings['kamailio.server.path'] = lsp;
    host.languageClientModule.LanguageClient.prototype.start = async function () { throw new Error('Connection to server got closed.'); };
    const ext = loadExtension(host);
    await ext.activate(host.context);
    assert.equal(host.calls.errors.length, 1);
    assert.equal(host.calls.errors[0].message, `Kamailio: ${lsp} did not start as a language server: Connection to server got closed.`);
    assert.ok(host.commands.has('kamailio.checkConfig'));
    await ext.deactivate(); // nothing running to stop
  });

  test('changing kamailio.server.path restarts the client with the new program', async () => {
    const host = createHost();
    const dir = tempDir();
    host.settings['kamailio.server.path'] = fakeExecutable(dir, 'kamc-lsp');
    const ext = loadExtension(host);
    await ext.activate(host.context);
    const second = path.join(dir, 'other');
    fs.mkdirSync(second);
    host.settings['kamailio.server.path'] = fakeExecutable(second, 'kamc-lsp');
    await host.listeners.config[0]({ affectsConfiguration: (k) => k === 'kamailio.server.path' });
    assert.equal(host.clients.length, 2);
    assert.ok(host.clients[0].stopped);
    assert.equal(host.clients[1].serverOptions.run.command, host.settings['kamailio.server.path']);
  });

  test('Check config runs cfgcheck and puts its findings in the problems list', { skip: !CFGCHECK && 'KAMC_CFGCHECK is not set' }, async () => {
    const host = createHost();
    const dir = tempDir();
    const cfg = path.join(dir, 'proxy.cfg');
    const text = '#!KAMAILIO\nloadmodule "sl.so"\nrequest_route {\n\tif (is_method("INVITE")) {\n\t\troute(NOPE);\n\t}\n}\n';
    fs.writeFileSync(cfg, text);
    Object.assign(host.settings, { 'kamailio.server.enabled': false, 'kamailio.cfgcheck.path': CFGCHECK });
    host.activeDocument = makeDocument(cfg, text, 'kamailio');
    const ext = loadExtension(host);
    await ext.activate(host.context);
    await host.commands.get('kamailio.checkConfig')();
    const collection = host.collections.find((c) => c.name === 'cfgcheck');
    const found = collection.entries.get(cfg);
    // The same findings as cfgcheck itself prints for the file.
    let expected;
    try {
      execFileSync(CFGCHECK, ['--format=json', cfg], { encoding: 'utf8' });
      expected = [];
    } catch (e) {
      expected = JSON.parse(e.stdout);
    }
    assert.ok(expected.length >= 2, 'is_method without textops and the undefined route');
    assert.deepEqual(found.map((d) => [d.code, d.range.start.line + 1, d.range.start.character + 1]),
      expected.map((e) => [e.rule, e.location.line, e.location.col]));
    assert.ok(found.some((d) => d.code === 'kamc-undefined-route' && d.range.start.line === 4 && /NOPE/.test(d.message)));
    assert.ok(found.every((d) => d.source === 'cfgcheck'));
    assert.deepEqual(host.calls.executed.at(-1), ['workbench.actions.view.problems']);
  });

  test('Check config puts a finding in an included file on that file', { skip: !CFGCHECK && 'KAMC_CFGCHECK is not set' }, async () => {
    const host = createHost();
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'routes'));
    const cfg = path.join(dir, 'kamailio.cfg');
    const inc = path.join(dir, 'routes', 'relay.cfg');
    const text = '#!KAMAILIO\nloadmodule "sl.so"\ninclude_file "routes/relay.cfg"\nrequest_route {\n\troute(RELAY);\n}\n';
    fs.writeFileSync(cfg, text);
    fs.writeFileSync(inc, 'route[RELAY] {\n\tt_relay();\n}\n');
    Object.assign(host.settings, { 'kamailio.server.enabled': false, 'kamailio.cfgcheck.path': CFGCHECK });
    host.activeDocument = makeDocument(cfg, text, 'kamailio');
    const ext = loadExtension(host);
    await ext.activate(host.context);
    await host.commands.get('kamailio.checkConfig')();
    const collection = host.collections.find((c) => c.name === 'cfgcheck');
    assert.deepEqual(collection.entries.get(cfg), [], 'the checked file is listed, clean, so that old findings go');
    const found = collection.entries.get(inc);
    assert.ok(found, `findings are keyed by the included file: ${[...collection.entries.keys()]}`);
    assert.deepEqual(found.map((d) => [d.code, d.range.start.line, d.range.start.character]), [['kamc-module-not-loaded', 1, 1]]);
    assert.match(found[0].message, /t_relay.*tm/);
  });

  test('Show preprocessed/expanded config open kamc -E output beside the file, run again on save', { skip: !KAMC && 'KAMC_KAMC is not set' }, async () => {
    const host = createHost();
    const dir = tempDir();
    const cfg = path.join(dir, 'proxy.cfg');
    const text = '#!KAMAILIO\n#!define GREETING "hello"\n#!ifdef WITH_NAT\nnat_enabled=yes\n#!endif\nrequest_route {\n\txlog(GREETING);\n}\n';
    fs.writeFileSync(cfg, text);
    Object.assign(host.settings, { 'kamailio.server.enabled': false, 'kamailio.kamc.path': KAMC, 'kamailio.defines': ['WITH_NAT'] });
    host.activeDocument = makeDocument(cfg, text, 'kamailio');
    const ext = loadExtension(host);
    await ext.activate(host.context);

    await host.commands.get('kamailio.showPreprocessed')();
    const pre = host.calls.shown.at(-1);
    assert.equal(pre.doc.uri.scheme, 'kamailio-preview');
    assert.equal(pre.doc.languageId, 'kamailio');
    assert.equal(pre.options.viewColumn, -2);
    assert.equal(pre.doc.getText(), execFileSync(KAMC, ['-E', '-A', 'WITH_NAT', cfg], { encoding: 'utf8' }));
    assert.match(pre.doc.getText(), /nat_enabled=yes/, '-A WITH_NAT from kamailio.defines is passed');

    await host.commands.get('kamailio.showExpanded')();
    const exp = host.calls.shown.at(-1).doc.getText();
    assert.equal(exp, execFileSync(KAMC, ['-E', '--expand', '-A', 'WITH_NAT', cfg], { encoding: 'utf8' }));
    assert.match(exp, /xlog\("hello"\);/, 'the define is substituted');

    // Saving a Kamailio file runs every open preview again.
    const provider = host.contentProviders.get('kamailio-preview');
    const refreshed = [];
    provider.onDidChange((uri) => refreshed.push(uri.toString()));
    fs.writeFileSync(cfg, text.replace('"hello"', '"bye"'));
    host.listeners.save[0]({ languageId: 'kamailio', uri: host.activeDocument.uri });
    assert.deepEqual(refreshed.sort(), [pre.doc.uri.toString(), host.calls.shown.at(-1).doc.uri.toString()].sort());
    assert.match(await provider.provideTextDocumentContent(host.calls.shown.at(-1).doc.uri), /xlog\("bye"\);/);
    host.listeners.save[0]({ languageId: 'plaintext', uri: host.activeDocument.uri });
    assert.equal(refreshed.length, 2, 'saving another language refreshes nothing');
    assert.match(pre.doc.getText(), /xlog\(GREETING\);/, 'kamc -E alone leaves define uses as written');
  });
});

test.describe('package.json and the language configuration', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  const languageConfig = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'language-configuration.json'), 'utf8'));

  test('the settings the client reads are exactly the ones package.json declares', () => {
    assert.deepEqual(Object.keys(manifest.contributes.configuration.properties).sort(), Object.values(server.SETTINGS).sort());
  });

  test('in untrusted workspaces a workspace cannot choose the programs the extension runs', () => {
    const trust = manifest.capabilities.untrustedWorkspaces;
    assert.equal(trust.supported, true);
    const programs = [server.SETTINGS.serverPath, server.SETTINGS.cfgcheckPath, server.SETTINGS.kamcPath];
    assert.deepEqual([...trust.restrictedConfigurations].sort(), [...programs].sort());
    for (const key of programs) assert.equal(manifest.contributes.configuration.properties[key].scope, 'machine-overridable', key);
  });

  test('every contributed command is registered on activation', async () => {
    const host = createHost();
    host.settings['kamailio.server.enabled'] = false;
    await loadExtension(host).activate(host.context);
    assert.deepEqual([...host.commands.keys()].sort(), manifest.contributes.commands.map((c) => c.command).sort());
  });

  test('the language is registered for kamailio*.cfg, *.inc and the #!KAMAILIO first line', () => {
    const [lang] = manifest.contributes.languages;
    assert.equal(lang.id, 'kamailio');
    assert.deepEqual(lang.filenamePatterns, ['kamailio*.cfg']);
    assert.deepEqual(lang.extensions, ['.inc']);
    const firstLine = new RegExp(lang.firstLine);
    assert.ok(firstLine.test('#!KAMAILIO') && firstLine.test('#!SER') && !firstLine.test('#!KAMAILIOX') && !firstLine.test('# KAMAILIO'));
    assert.equal(firstLine.source, association.COMPAT_HEADER.source, 'the client and the manifest agree on the header');
  });

  test('route blocks and case labels indent, a closing brace dedents, #!ifdef folds', () => {
    const increase = new RegExp(languageConfig.indentationRules.increaseIndentPattern);
    const decrease = new RegExp(languageConfig.indentationRules.decreaseIndentPattern);
    for (const line of ['request_route {', 'route[RELAY] {', '\tif ($rU == $null) {', '\tcase 486:', '\tdefault:', 'event_route[tm:local-request] {  # local'])
      assert.ok(increase.test(line), line);
    for (const line of ['\txlog("{");', 'route(RELAY);', '\tif (a) { b(); }', '\t$var(x) = "{";'])
      assert.ok(!increase.test(line), line);
    assert.ok(decrease.test('\t}') && decrease.test('} # end') && !decrease.test('\tx();'));
    const start = new RegExp(languageConfig.folding.markers.start);
    const end = new RegExp(languageConfig.folding.markers.end);
    assert.ok(start.test('#!ifdef WITH_NAT') && start.test('  !!ifndef X') && !start.test('# #!ifdef X'));
    assert.ok(end.test('#!endif') && end.test('!!endif'));
    assert.deepEqual(languageConfig.comments, { lineComment: '#', blockComment: ['/*', '*/'] });
  });
});
