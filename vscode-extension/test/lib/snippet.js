// Expands a VS Code snippet body the way accepting every default would:
// ${1:text} and ${1|a,b|} give their default, $1 and $0 give nothing, and
// \$ \} \\ are the literal characters.
'use strict';

function expandSnippet(body) {
  const text = Array.isArray(body) ? body.join('\n') : body;
  let i = 0;
  function parse(stopAtBrace) {
    let out = '';
    while (i < text.length) {
      const c = text[i];
      if (c === '\\' && i + 1 < text.length && '$}\\'.includes(text[i + 1])) {
        out += text[i + 1];
        i += 2;
      } else if (stopAtBrace && c === '}') {
        return out;
      } else if (c === '$' && text[i + 1] === '{') {
        const m = /^\$\{(\d+)(:|\||\})/.exec(text.slice(i));
        if (!m) throw new Error(`unsupported snippet syntax at ${text.slice(i, i + 20)}`);
        i += m[0].length;
        if (m[2] === ':') {
          out += parse(true);
          i += 1; // the closing brace
        } else if (m[2] === '|') {
          const end = text.indexOf('|}', i);
          out += text.slice(i, end).split(',')[0];
          i = end + 2;
        }
      } else if (c === '$' && /\d/.test(text[i + 1] || '')) {
        i += 1;
        while (/\d/.test(text[i] || '')) i++;
      } else {
        out += c;
        i++;
      }
    }
    if (stopAtBrace) throw new Error('unclosed ${ in snippet');
    return out;
  }
  return parse(false);
}

module.exports = { expandSnippet };
