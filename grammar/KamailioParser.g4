// The structure of the Kamailio 5.6 cfg language (src/core/cfg.y): global
// parameters, module statements, route blocks, statements and expressions.
// Expression alternatives are listed from the tightest binding to the loosest,
// following cfg.y's precedence table (note that Kamailio's bitwise and shift
// operators bind looser than comparisons).
parser grammar KamailioParser;

options { tokenVocab = KamailioLexer; }

@parser::members {
// True when the next tokens start a new global parameter (name [= ...]):
// a parameter's value atoms stop there, so that `listen=... advertise x`
// followed by `group.var = 1` on the next line is two parameters.
bool atParamStart() {
  size_t i = 1;
  if (_input->LA(i) != ID) return false;
  ++i;
  if (_input->LA(i) == LBRACK) i += 3;
  if (_input->LA(i) == DOT) i += 2;
  return _input->LA(i) == EQUAL;
}
}

config : topStatement* EOF;

topStatement
  : (LOADMODULE | LOADMODULEX) string                                  # loadModule
  | LOADPATH EQUAL? string                                             # loadPath
  | CFGENGINE EQUAL? string                                            # cfgEngine
  | (MODPARAM | MODPARAMX) LPAREN string COMMA string COMMA modparamValue RPAREN  # modparam
  | routeKind (LBRACK routeName RBRACK)? block                         # routeBlock
  | (FLAGS | AVPFLAGS) flagSpec (COMMA flagSpec)*                      # flagsDeclaration
  | paramName EQUAL paramValue (DESCRIPTION string)?                   # globalParam
  | SEMICOLON                                                          # emptyTopStatement
  ;

modparamValue : string | MINUS? NUMBER | BOOL | ADDRESS_FAMILY | PVAR;

flagSpec : (string | ID) (COLON NUMBER)?;

routeKind
  : ROUTE | REQUEST_ROUTE | FAILURE_ROUTE | ONREPLY_ROUTE | REPLY_ROUTE
  | BRANCH_ROUTE | ONSEND_ROUTE | EVENT_ROUTE
  ;
routeName : nameWord (COLON nameWord)* | NUMBER | string;
nameWord  : (anyWord | NUM_ID | NUMBER) (MINUS (anyWord | NUM_ID | NUMBER))*;

// A name where Kamailio takes any word, keywords included
// (event_route[htable:mod-init], session_timer.default = ...).
anyWord
  : ID | BOOL | ADDRESS_FAMILY | ROUTE | IF | ELSE | SWITCH | CASE | DEFAULT | WHILE | BREAK | RETURN | EXIT
  | DROP | DEFINED | STRLEN | STREMPTY | SELVAL | STREQ | STRDIFF | INTEQ | INTDIFF | MODULO
  | DESCRIPTION | FLAGS | AVPFLAGS | PROTO
  ;

// "core.param" and custom "group.var" / "group[1].var" names.
paramName  : ID (LBRACK NUMBER RBRACK)? (DOT anyWord)?;
// A global parameter's value runs until the next statement starts; the
// catalog checks each parameter's own syntax (listen, alias, ...).
paramValue : paramAtom ({!atParamStart()}? paramAtom)*;
paramAtom
  : string | NUMBER | BOOL | ADDRESS_FAMILY | PROTO | NUM_ID | IPV6ADDR | ID | PVAR | COLON | DOT | MINUS | STAR
  | SLASH | COMMA | LPAREN | RPAREN | LBRACK | RBRACK | PLUS
  ;

block : LBRACE statement* RBRACE;

// cfg.y: a braced block is not a statement of its own; it only follows if,
// else and while (a '{' among statements is "bad command").
statement
  : IF expr body (ELSE body)?                                   # ifStatement
  | SWITCH expr LBRACE switchCase* RBRACE                       # switchStatement
  | WHILE expr body                                             # whileStatement
  | RETURN expr? SEMICOLON                                      # returnStatement
  | BREAK SEMICOLON                                             # breakStatement
  | (EXIT | DROP) (LPAREN RPAREN | expr)? SEMICOLON             # exitStatement
  | lvalue (EQUAL | ADDEQ) expr SEMICOLON                       # assignStatement
  | call SEMICOLON                                              # callStatement
  | SEMICOLON                                                   # emptyStatement
  ;

body : block | statement;

// `case /"re":` is a regex label (cfg.y: CASE SLASH ct_rval COLON).
switchCase
  : CASE regex=SLASH? expr COLON statement*                     # caseLabel
  | DEFAULT COLON statement*                                    # defaultLabel
  ;

lvalue : PVAR | SELECT;

// A function call; a bare name is a call without arguments, or one of
// Kamailio's special operands (method, uri, src_ip, myself, ...).
call      : callee (LPAREN arguments? RPAREN)?;
callee    : ID | ROUTE;
arguments : expr (COMMA expr)*;

expr
  : primary                                                     # primaryExpr
  | (INTCAST | STRCAST) expr                                    # castExpr
  | DEFINED expr                                                # definedExpr
  | op=(NOT | BIN_NOT | MINUS) expr                             # unaryExpr
  | expr op=(STAR | SLASH | MODULO) expr                        # binaryExpr
  | expr op=(PLUS | MINUS) expr                                 # binaryExpr
  | expr op=(GT | LT | GTE | LTE) expr                          # binaryExpr
  | expr op=(EQUAL_T | DIFF | MATCH | STREQ | STRDIFF | INTEQ | INTDIFF) expr  # binaryExpr
  | expr op=BIN_RSHIFT expr                                     # binaryExpr
  | expr op=BIN_LSHIFT expr                                     # binaryExpr
  | expr op=BIN_XOR expr                                        # binaryExpr
  | expr op=BIN_AND expr                                        # binaryExpr
  | expr op=BIN_OR expr                                         # binaryExpr
  | expr op=LOG_AND expr                                        # binaryExpr
  | expr op=LOG_OR expr                                         # binaryExpr
  ;

primary
  : PROTO COLON socketHost (COLON NUMBER)?                      # socketLiteral
  | (PROTO | STAR)                                              # protoOperand  // proto == * (any)
  | ipAddress                                                   # ipLiteral
  | MINUS? NUMBER                                               # numberLiteral
  | (BOOL | ADDRESS_FAMILY)                                     # wordNumber
  | hostName                                                    # hostLiteral
  | string                                                      # stringLiteral
  | PVAR                                                        # pvarOperand
  | SELECT                                                      # selectOperand
  | (URIHOST | URIPORT | MSGLEN)                                # builtinOperand
  | STRLEN LPAREN expr RPAREN                                   # strlenExpr
  | STREMPTY LPAREN expr RPAREN                                 # stremptyExpr
  | SELVAL LPAREN expr COMMA expr COMMA expr RPAREN             # selvalExpr
  | call                                                        # callOperand
  | LPAREN expr RPAREN                                          # parenExpr
  | LPAREN lvalue EQUAL expr RPAREN                             # assignOperand
  | LBRACE statement* RBRACE                                    # blockOperand
  ;

socketHost : ipAddress | hostName | ID;

// example.com in comparisons such as src_ip == proxy.example.com
hostName : ID (DOT (ID | NUM_ID | NUMBER))+;

// 10.0.0.1, 10.0.0.0/8, 10.0.0.0/255.0.0.0, [::1], ::1/64
ipAddress
  : ipv4 (SLASH (ipv4 | NUMBER))?
  | LBRACK? IPV6ADDR RBRACK? (SLASH NUMBER)?
  ;
ipv4 : NUMBER DOT NUMBER DOT NUMBER DOT NUMBER;

// Adjacent strings concatenate, as in Kamailio's lexer.
string : STRING+;
