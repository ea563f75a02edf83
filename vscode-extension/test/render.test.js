// The picture of what users will see: test/render/showcase.cfg highlighted by
// the grammar into an HTML page (lib/render.js), and, where Debian's chromium
// is installed, a headless screenshot of it (KAMC_RENDER_OUT, default a temp
// directory). The README's screenshot is this file.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { tokenize } = require('./lib/tokenize');
const { renderHtml, styleOf } = require('./lib/render');

const SHOWCASE = path.join(__dirname, 'render', 'showcase.cfg');
const OUT = process.env.KAMC_RENDER_OUT || fs.mkdtempSync(path.join(os.tmpdir(), 'kamc-render-'));

function findChromium() {
  for (const name of [process.env.CHROMIUM, 'chromium', 'chromium-browser', 'google-chrome']) {
    if (!name) continue;
    const r = spawnSync('sh', ['-c', `command -v "${name}"`], { encoding: 'utf8' });
    if (r.status === 0) return r.stdout.trim();
  }
  return undefined;
}
const CHROMIUM = findChromium();

async function renderShowcase() {
  const source = fs.readFileSync(SHOWCASE, 'utf8');
  const tokens = await tokenize(source);
  const html = renderHtml(source, tokens, 'kamailio.cfg — Kamailio (kamc)');
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, 'showcase.html');
  fs.writeFileSync(file, html);
  return { source, tokens, html, file };
}

test('every token class of the showcase gets its own colour in the page', async () => {
  const { tokens, html } = await renderShowcase();
  const colourOf = (text, scope) => {
    const t = tokens.find((x) => x.text === text && x.scopes.some((s) => s.startsWith(scope)));
    assert.ok(t, `${text} is a ${scope}`);
    return styleOf(t.scopes).color;
  };
  const classes = {
    comment: colourOf(' core parameters ', 'comment.block'),
    directive: colourOf('define', 'keyword.control.directive'),
    defineName: colourOf('WITH_NAT', 'entity.name.constant.preprocessor'),
    route: colourOf('request_route', 'storage.type.route'),
    routeName: colourOf('MANAGE_FAILURE', 'entity.name.function.route'),
    keyword: colourOf('if', 'keyword.control'),
    coreParam: colourOf('debug', 'support.variable.coreparam'),
    string: colourOf('L_INFO', 'string.quoted'),
    pv: colourOf('rm', 'variable.other.pv'),
    escape: colourOf('$$', 'constant.character.escape.dollar'),
    transformation: colourOf('tolower', 'support.function.transformation'),
    number: colourOf('30000', 'constant.numeric'),
    moduleFunction: colourOf('t_relay', 'support.function.module'),
  };
  assert.notEqual(classes.comment, classes.string);
  assert.notEqual(classes.pv, classes.string, 'a pseudo-variable stands out inside its string');
  assert.notEqual(classes.escape, classes.pv, '$$ is not a pseudo-variable');
  assert.notEqual(classes.defineName, classes.directive);
  assert.notEqual(classes.routeName, classes.route);
  for (const colour of Object.values(classes)) assert.ok(html.includes(`color:${colour}`));
  assert.equal((html.match(/class="line"/g) || []).length, fs.readFileSync(SHOWCASE, 'utf8').split('\n').length);
});

test('headless Chromium takes a screenshot of the highlighted showcase', { skip: !CHROMIUM && 'chromium is not installed' }, async () => {
  const { file } = await renderShowcase();
  const png = path.join(OUT, 'vscode-extension-screenshot.png');
  fs.rmSync(png, { force: true });
  const r = spawnSync(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--force-device-scale-factor=1',
    '--window-size=860,760', `--screenshot=${png}`, 'file://' + file,
  ], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, HOME: OUT } });
  assert.ok(fs.existsSync(png), `chromium wrote no screenshot (status ${r.status}): ${r.stderr}`);
  const data = fs.readFileSync(png);
  assert.deepEqual([...data.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
  assert.equal(data.readUInt32BE(16), 860, 'width');
  assert.equal(data.readUInt32BE(20), 760, 'height');
  assert.ok(data.length > 20_000, `a picture with content (${data.length} bytes)`);
});
