// The TextMate grammar of the Kamailio cfg language, as a function of the
// catalog's name lists. build-grammar.js writes it to syntaxes/; it follows
// grammar/KamailioLexer.g4 and the preprocessor (tools/preprocess), so that
// what is coloured as one token is one token for kamc too.
'use strict';

const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alternation = (names) =>
  // Longest first, so that no name is cut short by a prefix of it.
  [...names].sort((a, b) => b.length - a.length || a.localeCompare(b)).map(escapeRegex).join('|');

const ROUTE_KINDS = [
  'request_route', 'failure_route', 'onreply_route', 'reply_route',
  'branch_route', 'onsend_route', 'event_route', 'route',
];
// Functions whose string argument names a route block (t_on_failure("X")).
const ROUTE_ARMING = ['t_on_failure', 't_on_branch', 't_on_branch_failure', 't_on_reply'];
const STATEMENT_KEYWORDS = ['if', 'else', 'switch', 'case', 'default', 'while', 'break', 'return', 'exit', 'drop'];
const MODULE_STATEMENTS = ['loadmodulex', 'loadmodule', 'loadpath', 'mpath', 'modparamx', 'modparam', 'cfgengine', 'avpflags'];
const OPERATOR_WORDS = ['and', 'or', 'not', 'eq', 'ne', 'ieq', 'ine', 'mod', 'defined', 'strlen', 'strempty', 'selval'];
const BOOLEANS = ['yes', 'true', 'on', 'enable', 'no', 'false', 'off', 'disable'];
const PROTOCOLS = ['udp', 'UDP', 'tcp', 'TCP', 'tls', 'TLS', 'sctp', 'SCTP', 'ws', 'WS', 'wss', 'WSS'];
const ADDRESS_FAMILIES = ['inet', 'INET', 'ipv4', 'IPv4', 'IPV4', 'inet6', 'INET6', 'ipv6', 'IPv6', 'IPV6'];
const COMPAT_MODES = ['KAMAILIO', 'OPENSER', 'SER', 'MAXCOMPAT', 'ALL'];

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
// #! and !! are the two spellings of a directive (Kamailio's PREP_START).
const DIRECTIVE_START = '^\\s*(#!|!!)';

function buildGrammar(catalog) {
  const { coreFunctions, moduleFunctions, coreParams, coreKeywords } = catalog;
  const statementLike = new Set([...STATEMENT_KEYWORDS, 'route']);
  const coreCalls = coreFunctions.filter((f) => !statementLike.has(f));

  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'Kamailio',
    scopeName: 'source.kamailio',
    fileTypes: ['cfg', 'inc'],
    patterns: [
      { include: '#block-comment' },
      { include: '#preprocessor' },
      { include: '#line-comment' },
      { include: '#route-call' },
      { include: '#route-arming' },
      { include: '#route-definition' },
      { include: '#include-statement' },
      { include: '#core-param' },
      { include: '#module-statement' },
      { include: '#keywords' },
      { include: '#strings' },
      { include: '#pseudo-variables' },
      { include: '#select' },
      { include: '#function-calls' },
      { include: '#constants' },
      { include: '#numbers' },
      { include: '#operators' },
      { include: '#punctuation' },
    ],
    repository: {
      'block-comment': {
        name: 'comment.block.kamailio',
        begin: '/\\*',
        end: '\\*/',
        beginCaptures: { 0: { name: 'punctuation.definition.comment.begin.kamailio' } },
        endCaptures: { 0: { name: 'punctuation.definition.comment.end.kamailio' } },
        // kamc's lexer nests block comments.
        patterns: [{ include: '#block-comment' }],
      },
      'line-comment': {
        patterns: [
          {
            name: 'comment.line.number-sign.kamailio',
            match: '(#).*$',
            captures: { 1: { name: 'punctuation.definition.comment.kamailio' } },
          },
          {
            name: 'comment.line.double-slash.kamailio',
            match: '(//).*$',
            captures: { 1: { name: 'punctuation.definition.comment.kamailio' } },
          },
        ],
      },
      preprocessor: {
        patterns: [
          {
            // The compatibility header: #!KAMAILIO, #!OPENSER, ...
            name: 'meta.preprocessor.compat.kamailio',
            match: `^\\s*(#!)(${COMPAT_MODES.join('|')})\\b`,
            captures: {
              1: { name: 'punctuation.definition.directive.kamailio' },
              2: { name: 'keyword.control.directive.compat.kamailio' },
            },
          },
          {
            // #!define NAME value, with the value running on over lines that end in '\'.
            name: 'meta.preprocessor.define.kamailio',
            begin: `${DIRECTIVE_START}(define|trydef|redefine)\\b\\s*(${NAME})?`,
            beginCaptures: {
              1: { name: 'punctuation.definition.directive.kamailio' },
              2: { name: 'keyword.control.directive.define.kamailio' },
              3: { name: 'entity.name.constant.preprocessor.kamailio' },
            },
            // vscode-textmate appends '\n' to each line, and '$' also matches after it.
            end: '(?<![\\\\\\n])$',
            patterns: [
              { match: '\\\\$', name: 'constant.character.escape.line-continuation.kamailio' },
              { include: '#strings' },
              { include: '#pseudo-variables' },
              { include: '#numbers' },
            ],
          },
          {
            name: 'meta.preprocessor.conditional.kamailio',
            match: `${DIRECTIVE_START}(ifdef|ifndef)\\b\\s*(${NAME})?`,
            captures: {
              1: { name: 'punctuation.definition.directive.kamailio' },
              2: { name: 'keyword.control.directive.conditional.kamailio' },
              3: { name: 'variable.other.constant.preprocessor.kamailio' },
            },
          },
          {
            name: 'meta.preprocessor.conditional.kamailio',
            match: `${DIRECTIVE_START}(else|endif)\\b`,
            captures: {
              1: { name: 'punctuation.definition.directive.kamailio' },
              2: { name: 'keyword.control.directive.conditional.kamailio' },
            },
          },
          {
            // #!defenv NAME or #!defenv ID=NAME: a define from the environment.
            name: 'meta.preprocessor.define.kamailio',
            match: `${DIRECTIVE_START}(defenvs|defenv|trydefenvs|trydefenv)\\b\\s*(${NAME})?(?:(=)(${NAME}))?`,
            captures: {
              1: { name: 'punctuation.definition.directive.kamailio' },
              2: { name: 'keyword.control.directive.define.kamailio' },
              3: { name: 'entity.name.constant.preprocessor.kamailio' },
              4: { name: 'keyword.operator.assignment.kamailio' },
              5: { name: 'variable.other.environment.kamailio' },
            },
          },
          {
            name: 'meta.preprocessor.subst.kamailio',
            begin: `${DIRECTIVE_START}(substdefs|substdef|subst)\\b`,
            beginCaptures: {
              1: { name: 'punctuation.definition.directive.kamailio' },
              2: { name: 'keyword.control.directive.subst.kamailio' },
            },
            end: '$',
            patterns: [
              {
                name: 'string.regexp.substitution.kamailio',
                match: '"(?:[^"\\\\]|\\\\.)*"',
              },
            ],
          },
          {
            name: 'meta.preprocessor.include.kamailio',
            begin: `${DIRECTIVE_START}(include_file|import_file)\\b`,
            beginCaptures: {
              1: { name: 'punctuation.definition.directive.kamailio' },
              2: { name: 'keyword.control.directive.include.kamailio' },
            },
            end: '$',
            patterns: [{ include: '#include-path' }],
          },
        ],
      },
      'include-statement': {
        // include_file and import_file may also be written without #!.
        name: 'meta.preprocessor.include.kamailio',
        begin: '\\b(include_file|import_file)\\b',
        beginCaptures: { 1: { name: 'keyword.control.directive.include.kamailio' } },
        end: '$',
        patterns: [{ include: '#include-path' }],
      },
      'include-path': {
        name: 'string.quoted.double.include.kamailio',
        match: '(")([^"]*)(")',
        captures: {
          1: { name: 'punctuation.definition.string.begin.kamailio' },
          3: { name: 'punctuation.definition.string.end.kamailio' },
        },
      },
      'route-definition': {
        // request_route { ... }, route[NAME], event_route[xhttp:request], route["quoted"].
        name: 'meta.route.kamailio',
        match: `\\b(${ROUTE_KINDS.join('|')})\\b(?:\\s*(\\[)\\s*(?:(")([^"\\]]*)(")|([^\\]\\s]*))\\s*(\\]))?`,
        captures: {
          1: { name: 'storage.type.route.kamailio' },
          2: { name: 'punctuation.section.brackets.begin.kamailio' },
          3: { name: 'punctuation.definition.string.begin.kamailio' },
          4: { name: 'entity.name.function.route.kamailio' },
          5: { name: 'punctuation.definition.string.end.kamailio' },
          6: { name: 'entity.name.function.route.kamailio' },
          7: { name: 'punctuation.section.brackets.end.kamailio' },
        },
      },
      'route-call': {
        patterns: [
          {
            name: 'meta.function-call.route.kamailio',
            match: '\\b(route)\\s*(\\()\\s*(?:(")([^"]*)(")|([A-Za-z0-9_:.\\-]+))\\s*(\\))',
            captures: {
              1: { name: 'keyword.control.route.kamailio' },
              2: { name: 'punctuation.section.parens.begin.kamailio' },
              3: { name: 'punctuation.definition.string.begin.kamailio' },
              4: { name: 'entity.name.function.route.kamailio' },
              5: { name: 'punctuation.definition.string.end.kamailio' },
              6: { name: 'entity.name.function.route.kamailio' },
              7: { name: 'punctuation.section.parens.end.kamailio' },
            },
          },
          {
            // route($var(next)): the name is computed.
            match: '\\b(route)\\s*(?=\\()',
            captures: { 1: { name: 'keyword.control.route.kamailio' } },
          },
        ],
      },
      'route-arming': {
        // t_on_failure("MANAGE_FAILURE"): the string is a route name.
        name: 'meta.function-call.kamailio',
        match: `\\b(${ROUTE_ARMING.join('|')})\\s*(\\()\\s*(?:(")([A-Za-z0-9_:.\\-]+)(")|([A-Za-z0-9_:.\\-]+))\\s*(\\))`,
        captures: {
          1: { name: 'support.function.module.kamailio' },
          2: { name: 'punctuation.section.parens.begin.kamailio' },
          3: { name: 'punctuation.definition.string.begin.kamailio' },
          4: { name: 'entity.name.function.route.kamailio' },
          5: { name: 'punctuation.definition.string.end.kamailio' },
          6: { name: 'entity.name.function.route.kamailio' },
          7: { name: 'punctuation.section.parens.end.kamailio' },
        },
      },
      'module-statement': {
        patterns: [
          {
            // loadmodule "tm.so", loadmodule "/usr/lib/kamailio/modules/sl.so": the module's name stands out.
            match: '\\b(loadmodulex?)\\s*(")((?:[^"/$]*/)*)([^"/$]*?)(\\.so)?(")',
            captures: {
              1: { name: 'keyword.other.module.kamailio' },
              2: { name: 'string.quoted.double.kamailio punctuation.definition.string.begin.kamailio' },
              3: { name: 'string.quoted.double.kamailio' },
              4: { name: 'string.quoted.double.kamailio entity.name.namespace.module.kamailio' },
              5: { name: 'string.quoted.double.kamailio' },
              6: { name: 'string.quoted.double.kamailio punctuation.definition.string.end.kamailio' },
            },
          },
          {
            // modparam("tm", "fr_timer", ...): the module (a regex over module names) and the parameter.
            match: '\\b(modparamx?)\\s*(\\()\\s*(")([^"]*)(")\\s*(,)\\s*(")([^"]*)(")',
            captures: {
              1: { name: 'keyword.other.module.kamailio' },
              2: { name: 'punctuation.section.parens.begin.kamailio' },
              3: { name: 'string.quoted.double.kamailio punctuation.definition.string.begin.kamailio' },
              4: { name: 'string.quoted.double.kamailio entity.name.namespace.module.kamailio' },
              5: { name: 'string.quoted.double.kamailio punctuation.definition.string.end.kamailio' },
              6: { name: 'punctuation.separator.comma.kamailio' },
              7: { name: 'string.quoted.double.kamailio punctuation.definition.string.begin.kamailio' },
              8: { name: 'string.quoted.double.kamailio variable.parameter.modparam.kamailio' },
              9: { name: 'string.quoted.double.kamailio punctuation.definition.string.end.kamailio' },
            },
          },
          {
            name: 'keyword.other.module.kamailio',
            match: `\\b(?:${MODULE_STATEMENTS.join('|')})\\b`,
          },
        ],
      },
      'core-param': {
        // debug=2, listen=udp:..., children = 4: a core parameter being set.
        match: `^\\s*(${alternation(coreParams)})\\s*(?==(?!=))`,
        captures: { 1: { name: 'support.variable.coreparam.kamailio' } },
      },
      keywords: {
        patterns: [
          { name: 'keyword.control.kamailio', match: `\\b(?:${STATEMENT_KEYWORDS.join('|')})\\b` },
          { name: 'keyword.operator.word.kamailio', match: `\\b(?:${OPERATOR_WORDS.join('|')})\\b` },
          { name: 'keyword.operator.cast.kamailio', match: '\\((?:int|str)\\)' },
        ],
      },
      strings: {
        patterns: [
          {
            name: 'string.quoted.double.kamailio',
            begin: '"',
            end: '"',
            beginCaptures: { 0: { name: 'punctuation.definition.string.begin.kamailio' } },
            endCaptures: { 0: { name: 'punctuation.definition.string.end.kamailio' } },
            patterns: [
              { name: 'constant.character.escape.kamailio', match: '\\\\.' },
              { include: '#string-formats-in-double-quotes' },
            ],
          },
          {
            // No backslash escapes in single quotes; formats still expand.
            name: 'string.quoted.single.kamailio',
            begin: "'",
            end: "'",
            beginCaptures: { 0: { name: 'punctuation.definition.string.begin.kamailio' } },
            endCaptures: { 0: { name: 'punctuation.definition.string.end.kamailio' } },
            patterns: [{ include: '#string-formats-in-single-quotes' }],
          },
        ],
      },
      ...pseudoVariableRules('', null),
      ...pseudoVariableRules('-in-double-quotes', '"'),
      ...pseudoVariableRules('-in-single-quotes', "'"),
      select: {
        // @via[1].branch, @ruri.user
        name: 'variable.other.select.kamailio',
        match: '@[A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*|\\[[^\\]\\n]*\\])*',
      },
      'function-calls': {
        patterns: [
          {
            name: 'support.function.core.kamailio',
            match: `\\b(?:${alternation(coreCalls)})\\b(?=\\s*\\()`,
          },
          {
            name: 'support.function.module.kamailio',
            match: `\\b(?:${alternation(moduleFunctions)})\\b(?=\\s*\\()`,
          },
          {
            // Not in the catalog: still a call, but no module kamc knows exports it.
            name: 'entity.name.function.call.kamailio',
            match: `\\b${NAME}(?=\\s*\\()`,
          },
        ],
      },
      constants: {
        patterns: [
          { name: 'constant.language.boolean.kamailio', match: `\\b(?:${BOOLEANS.join('|')})\\b` },
          { name: 'constant.language.protocol.kamailio', match: `\\b(?:${PROTOCOLS.join('|')})\\b` },
          { name: 'constant.language.address-family.kamailio', match: `\\b(?:${ADDRESS_FAMILIES.join('|')})\\b` },
          { name: 'constant.language.myself.kamailio', match: '\\bmyself\\b' },
          { name: 'variable.language.kamailio', match: `\\b(?:${alternation(coreKeywords.filter((k) => k !== 'myself'))})\\b` },
          { name: 'constant.numeric.ip.kamailio', match: '\\b\\d{1,3}(?:\\.\\d{1,3}){3}\\b' },
        ],
      },
      numbers: {
        patterns: [
          { name: 'constant.numeric.hex.kamailio', match: '\\b0x[0-9a-fA-F]+\\b' },
          { name: 'constant.numeric.binary.kamailio', match: '\\b[01]+b\\b' },
          { name: 'constant.numeric.integer.kamailio', match: '\\b[0-9]+\\b' },
        ],
      },
      operators: {
        patterns: [
          // Two-character operators before their one-character prefixes.
          { name: 'keyword.operator.bitwise.kamailio', match: '<<|>>' },
          { name: 'keyword.operator.comparison.kamailio', match: '==|!=|>=|<=' },
          { name: 'keyword.operator.regexp-match.kamailio', match: '=~' },
          { name: 'keyword.operator.logical.kamailio', match: '&&|\\|\\|' },
          { name: 'keyword.operator.assignment.kamailio', match: '\\+=|=' },
          { name: 'keyword.operator.comparison.kamailio', match: '>|<' },
          { name: 'keyword.operator.logical.kamailio', match: '!' },
          { name: 'keyword.operator.bitwise.kamailio', match: '&|\\||~|\\^' },
          { name: 'keyword.operator.arithmetic.kamailio', match: '\\+|-|\\*|/|%' },
        ],
      },
      punctuation: {
        patterns: [
          { name: 'punctuation.terminator.statement.kamailio', match: ';' },
          { name: 'punctuation.separator.comma.kamailio', match: ',' },
          { name: 'punctuation.section.block.begin.kamailio', match: '\\{' },
          { name: 'punctuation.section.block.end.kamailio', match: '\\}' },
          { name: 'punctuation.section.parens.begin.kamailio', match: '\\(' },
          { name: 'punctuation.section.parens.end.kamailio', match: '\\)' },
          { name: 'punctuation.section.brackets.begin.kamailio', match: '\\[' },
          { name: 'punctuation.section.brackets.end.kamailio', match: '\\]' },
          { name: 'punctuation.separator.colon.kamailio', match: ':' },
        ],
      },
    },
  };
}

/**
 * The pseudo-variable rules, once for code and once for each kind of string.
 * Kamailio finds a string's closing quote first and parses the pseudo-variables
 * inside it afterwards, so inside a string every open $(...), $name(...),
 * [...] or {...} stops at the closing quote; and none runs past its line, so
 * that one unbalanced parenthesis cannot colour the rest of the file.
 */
function pseudoVariableRules(suffix, quote) {
  const stop = (end) => `${end}|${quote ? `(?=${quote})|` : ''}$`;
  const ref = (rule) => ({ include: `#${rule}${suffix}` });
  const formats = {
    [`string-formats${suffix}`]: {
      patterns: [
        // $$ is a literal dollar in a format string.
        { name: 'constant.character.escape.dollar.kamailio', match: '\\$\\$' },
        ref('pseudo-variables'),
      ],
    },
  };
  return {
    ...(quote ? formats : {}),
    [`pseudo-variables${suffix}`]: {
      patterns: [
        ref('pv-parenthesised'),
        ref('pv-with-argument'),
        {
          // $? is the return code of the last function or route.
          name: 'variable.other.pv.kamailio',
          match: '(\\$)\\?',
          captures: { 1: { name: 'punctuation.definition.variable.kamailio' } },
        },
        {
          // $ru, $fU, $f.name (AVP with class), $rU[0]
          name: 'variable.other.pv.kamailio',
          match: `(\\$)(?:((?:[ft][rud]?|g))(\\.))?(${NAME})(\\[[^\\]\\n]*\\])?`,
          captures: {
            1: { name: 'punctuation.definition.variable.kamailio' },
            2: { name: 'storage.modifier.avp-class.kamailio' },
            3: { name: 'punctuation.separator.kamailio' },
            5: { patterns: [ref('pv-index')] },
          },
        },
      ],
    },
    [`pv-parenthesised${suffix}`]: {
      // $(ru{s.tolower}), $(avp(x)[*]), $(hdr(From){nameaddr.uri}{uri.user})
      name: 'variable.other.pv.kamailio',
      begin: '(\\$)(\\()',
      beginCaptures: {
        1: { name: 'punctuation.definition.variable.kamailio' },
        2: { name: 'punctuation.section.parens.begin.kamailio' },
      },
      end: stop('\\)'),
      endCaptures: { 0: { name: 'punctuation.section.parens.end.kamailio' } },
      patterns: [ref('pv-inner-parens'), ref('pv-index'), ref('transformation'), ref('pseudo-variables')],
    },
    [`pv-inner-parens${suffix}`]: {
      begin: '\\(',
      end: stop('\\)'),
      beginCaptures: { 0: { name: 'punctuation.section.parens.begin.kamailio' } },
      endCaptures: { 0: { name: 'punctuation.section.parens.end.kamailio' } },
      contentName: 'variable.parameter.pv.kamailio',
      patterns: [ref('pseudo-variables'), ref('pv-inner-parens')],
    },
    [`pv-with-argument${suffix}`]: {
      // $var(x), $avp(s:name), $hdr(X-Foo)[1], $sht(t=>$ci)
      name: 'variable.other.pv.kamailio',
      begin: `(\\$)(${NAME})(\\()`,
      beginCaptures: {
        1: { name: 'punctuation.definition.variable.kamailio' },
        3: { name: 'punctuation.section.parens.begin.kamailio' },
      },
      end: stop('(\\))(\\[[^\\]\\n]*\\])?'),
      endCaptures: {
        1: { name: 'punctuation.section.parens.end.kamailio' },
        2: { patterns: [ref('pv-index')] },
      },
      contentName: 'variable.parameter.pv.kamailio',
      patterns: [ref('pseudo-variables'), ref('pv-inner-parens')],
    },
    [`pv-index${suffix}`]: {
      name: 'meta.index.pv.kamailio',
      begin: '\\[',
      end: stop('\\]'),
      beginCaptures: { 0: { name: 'punctuation.section.brackets.begin.kamailio' } },
      endCaptures: { 0: { name: 'punctuation.section.brackets.end.kamailio' } },
      patterns: [
        { name: 'constant.numeric.integer.kamailio', match: '-?\\d+' },
        { name: 'keyword.operator.wildcard.kamailio', match: '\\*' },
        ref('pseudo-variables'),
      ],
    },
    [`transformation${suffix}`]: {
      // {s.tolower}, {s.select,1,;}, {uri.param,$var(p)}
      name: 'meta.transformation.kamailio',
      begin: '(\\{)\\s*([A-Za-z0-9_]+)(\\.)([A-Za-z0-9_.]+)',
      beginCaptures: {
        1: { name: 'punctuation.section.braces.begin.kamailio' },
        2: { name: 'support.class.transformation.kamailio' },
        3: { name: 'punctuation.accessor.kamailio' },
        4: { name: 'support.function.transformation.kamailio' },
      },
      end: stop('\\}'),
      endCaptures: { 0: { name: 'punctuation.section.braces.end.kamailio' } },
      patterns: [
        { name: 'punctuation.separator.arguments.kamailio', match: ',' },
        ref('pseudo-variables'),
        { name: 'constant.numeric.integer.kamailio', match: '(?<=,)-?\\d+(?=[,}])' },
      ],
    },
  };
}

module.exports = { buildGrammar };
