// Turns the grammar's tokens into an HTML page coloured the way a dark VS Code
// theme colours those scopes: the picture of what users will see.
'use strict';

// Most specific first: the first rule whose scope prefix a token has wins,
// looking from the innermost scope outwards, as TextMate themes do.
const THEME = [
  ['comment', '#6a9955', 'italic'],
  ['punctuation.definition.directive', '#c586c0'],
  ['keyword.control.directive', '#c586c0'],
  ['entity.name.constant.preprocessor', '#4fc1ff'],
  ['variable.other.constant.preprocessor', '#4fc1ff'],
  ['variable.other.environment', '#9cdcfe'],
  ['constant.character.escape', '#d7ba7d'],
  ['string.regexp', '#d16969'],
  ['support.class.transformation', '#4ec9b0'],
  ['support.function.transformation', '#dcdcaa'],
  ['meta.index', '#b5cea8'],
  ['variable.parameter.pv', '#ce9178'],
  ['variable.other.pv', '#9cdcfe'],
  ['variable.other.select', '#9cdcfe'],
  ['entity.name.namespace.module', '#4ec9b0'],
  ['variable.parameter.modparam', '#9cdcfe'],
  ['string', '#ce9178'],
  ['storage.type.route', '#569cd6'],
  ['entity.name.function.route', '#4ec9b0', 'bold'],
  ['keyword.control', '#c586c0'],
  ['keyword.other.module', '#569cd6'],
  ['keyword.operator.word', '#569cd6'],
  ['keyword.operator', '#d4d4d4'],
  ['support.variable.coreparam', '#9cdcfe'],
  ['variable.language', '#569cd6'],
  ['support.function.core', '#dcdcaa'],
  ['support.function.module', '#dcdcaa'],
  ['entity.name.function.call', '#dcdcaa', 'underline'],
  ['constant.numeric', '#b5cea8'],
  ['constant.language', '#569cd6'],
];
const FOREGROUND = '#d4d4d4';
const BACKGROUND = '#1e1e1e';

function styleOf(scopes) {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const s = scopes[i].replace(/\.kamailio$/, '');
    const rule = THEME.find(([prefix]) => s === prefix || s.startsWith(prefix + '.'));
    if (rule) return { color: rule[1], fontStyle: rule[2] };
  }
  return undefined;
}

const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** tokens: [{ line, start, text, scopes }] from lib/tokenize.js. */
function renderHtml(source, tokens, title) {
  const lines = source.split(/\r?\n/);
  const byLine = lines.map(() => []);
  for (const t of tokens) byLine[t.line].push(t);
  const body = byLine.map((ts, i) => {
    const code = ts.map((t) => {
      const style = styleOf(t.scopes);
      const text = escapeHtml(t.text.replace(/\t/g, '    '));
      if (!style) return text;
      const css = [`color:${style.color}`];
      if (style.fontStyle === 'italic') css.push('font-style:italic');
      if (style.fontStyle === 'bold') css.push('font-weight:bold');
      if (style.fontStyle === 'underline') css.push('text-decoration:underline wavy #888');
      return `<span class="${t.scopes.at(-1) || ''}" style="${css.join(';')}">${text}</span>`;
    }).join('');
    return `<div class="line"><span class="ln">${i + 1}</span>${code}</div>`;
  }).join('');
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body { margin: 0; background: ${BACKGROUND}; color: ${FOREGROUND}; }
.tab { background: #252526; color: #ccc; font: 13px sans-serif; padding: 8px 16px; border-bottom: 1px solid #333; }
pre { margin: 0; padding: 8px 0; font: 14px/20px "DejaVu Sans Mono", monospace; }
.line { white-space: pre; }
.ln { display: inline-block; width: 3em; padding-right: 1.5em; text-align: right; color: #858585; }
</style></head>
<body><div class="tab">${escapeHtml(title)}</div><pre>
${body}
</pre></body></html>
`;
}

module.exports = { renderHtml, styleOf, THEME };
