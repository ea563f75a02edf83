// Tokens of the Kamailio 5.6 cfg language, read from the preprocessor's
// expanded text (defines substituted, directives consumed). Keywords that only
// name things (core params, core functions such as forward or setflag) stay
// identifiers: the module catalog, not the lexer, gives them meaning.
lexer grammar KamailioLexer;

// Layout and comments are skipped, not kept on a hidden channel: nothing
// reads them (the printer regenerates layout), and every kept token costs
// a token object and a channel scan in the parser's stream (7% of
// cfgcheck's instructions on etc__kamailio.cfg).
WS              : [ \t\r\n\b\f]+ -> skip;
ESCAPED_NEWLINE : '\\' '\r'? '\n' -> skip;
BLOCK_COMMENT   : '/*' (BLOCK_COMMENT | .)*? '*/' -> skip;
LINE_COMMENT    : ('#' | '//') ~[\n]* -> skip;

// Route blocks.
ROUTE           : 'route';
REQUEST_ROUTE   : 'request_route';
FAILURE_ROUTE   : 'failure_route';
ONREPLY_ROUTE   : 'onreply_route';
REPLY_ROUTE     : 'reply_route';
BRANCH_ROUTE    : 'branch_route';
ONSEND_ROUTE    : 'onsend_route';
EVENT_ROUTE     : 'event_route';

// Statements.
IF      : 'if';
ELSE    : 'else';
SWITCH  : 'switch';
CASE    : 'case';
DEFAULT : 'default';
WHILE   : 'while';
BREAK   : 'break';
RETURN  : 'return';
EXIT    : 'exit';
DROP    : 'drop';

// Module statements.
LOADMODULE  : 'loadmodule';
LOADMODULEX : 'loadmodulex';
LOADPATH    : 'loadpath' | 'mpath';
MODPARAM    : 'modparam';
MODPARAMX   : 'modparamx';
CFGENGINE   : 'cfgengine';
DESCRIPTION : 'description' | 'descr' | 'desc';
FLAGS       : 'flags' | 'bool';
AVPFLAGS    : 'avpflags';

// Transport protocols: keywords in Kamailio (proto == UDP, udp:1.2.3.4:5060).
PROTO : 'udp' | 'UDP' | 'tcp' | 'TCP' | 'tls' | 'TLS' | 'sctp' | 'SCTP' | 'ws' | 'WS' | 'wss' | 'WSS';

// Kamailio lexes these as the numbers 1 and 0.
BOOL : 'yes' | 'true' | 'on' | 'enable' | 'no' | 'false' | 'off' | 'disable';
// And these as the numbers AF_INET and AF_INET6 (af == INET6), wherever
// they appear: they are never names.
ADDRESS_FAMILY : 'inet' | 'INET' | 'ipv4' | 'IPv4' | 'IPV4' | 'inet6' | 'INET6' | 'ipv6' | 'IPv6' | 'IPV6';

// Expression keywords.
DEFINED  : 'defined';
STRLEN   : 'strlen';
STREMPTY : 'strempty';
SELVAL   : 'selval';
INTCAST  : '(int)';
STRCAST  : '(str)';
STREQ    : 'eq';
STRDIFF  : 'ne';
INTEQ    : 'ieq';
INTDIFF  : 'ine';
MODULO   : 'mod';
LOG_AND  : '&&' | 'and';
LOG_OR   : '||' | 'or';
NOT      : '!' | 'not';
URIHOST  : 'uri:host';
URIPORT  : 'uri:port';
MSGLEN   : 'msg:len';

// cfg.lex has a token for max_len that no rule of cfg.y takes: the word is
// a syntax error wherever the lexer reads a name (not in strings, $names or
// @selects), and a #!define of it is never substituted.
MAX_LEN : 'max_len';

// Operators and punctuation.
EQUAL_T    : '==';
DIFF       : '!=';
MATCH      : '=~';
ADDEQ      : '+=';
GTE        : '>=';
LTE        : '<=';
BIN_LSHIFT : '<<';
BIN_RSHIFT : '>>';
GT         : '>';
LT         : '<';
EQUAL      : '=';
BIN_AND    : '&';
BIN_OR     : '|';
BIN_NOT    : '~';
BIN_XOR    : '^';
PLUS       : '+';
MINUS      : '-';
STAR       : '*';
SLASH      : '/';
COLON      : ':';
COMMA      : ',';
SEMICOLON  : ';';
DOT        : '.';
LPAREN     : '(';
RPAREN     : ')';
LBRACE     : '{';
RBRACE     : '}';
LBRACK     : '[';
RBRACK     : ']';

// Values.
STRING   : '"' ('\\' . | ~["\\])* '"'
         | '\'' ~[']* '\'';
// $name, $name(...), $(...) with nested parentheses, an index right after,
// and the return code $? : one token, as in Kamailio's lexer.
PVAR     : '$' ( '(' PV_BODY ')' | PV_NAME ('(' PV_BODY ')')? | '?' ) PV_INDEX?
         // AVPs with a class prefix, $f.name / $tu.name / $g.name, and the
         // SER form %name.
         | ('$' | '%') (AVP_CLASS '.')? PV_NAME PV_INDEX?;
fragment AVP_CLASS : [ft] [rud]? | 'g';
fragment PV_NAME  : [a-zA-Z_] [a-zA-Z0-9_]*;
fragment PV_BODY  : ( '(' PV_BODY ')' | ~[()] )*;
fragment PV_INDEX : '[' ~[\]\n]* ']';
// @via[1].branch: a select.
SELECT   : '@' [a-zA-Z_] [a-zA-Z0-9_]* ( '.' [a-zA-Z_] [a-zA-Z0-9_]* | '[' ~[\]\n]* ']' )*;
// Kamailio's IPV6ADDR: always contains "::" or seven colons.
IPV6ADDR : (HEX4 ':') (HEX4 ':') (HEX4 ':') (HEX4 ':') (HEX4 ':') (HEX4 ':') (HEX4 ':') HEX4
         | (HEX4 ':')+ (':' HEX4)+
         | ':' (':' HEX4)+
         | (HEX4 ':')+ ':'
         | '::';
fragment HEX4 : HEX HEX? HEX? HEX?;
fragment HEX  : [0-9a-fA-F];
NUMBER   : '0x' HEX+ | [0-9]+ | [01]+ 'b';
ID       : [a-zA-Z_] [a-zA-Z0-9_]*;
NUM_ID   : [0-9] [a-zA-Z0-9_]*;

// Anything else is a lexical error the parser reports with its location.
UNEXPECTED_CHAR : .;
