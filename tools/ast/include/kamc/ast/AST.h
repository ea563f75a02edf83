// The typed syntax tree of a Kamailio config: what cfgcheck, codegen and the
// language server read. It knows nothing of ANTLR; tools/syntax builds it.
// Every node records where it starts in the original text (through includes
// and defines) and the span of preprocessed text it covers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kamc/ast/PseudoVariable.h"
#include "kamc/basic/SourceManager.h"

namespace kamc::ast {

// Offsets into the preprocessed text the parser read, end exclusive.
struct TextRange {
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct Node {
  SourceLocation loc;   // original file:line:col of the first byte
  int expansion = -1;   // the #!define use the node starts in, -1 if none
  TextRange range;
};

// ---------------------------------------------------------------- expressions

enum class ExprKind {
  Number,       // 12, 0x1f, 101b, and yes/no/on/off... (Kamailio reads them as 1/0)
  String,       // "a\n" or 'a', adjacent strings joined
  PseudoVar,    // $rU, $(hdr(Via)[1]{s.len})
  Select,       // @via[1].branch
  Address,      // 10.0.0.0/8, [::1], example.com, udp:1.2.3.4:5060, UDP
  Keyword,      // uri:host, uri:port, msg:len
  Call,         // f(a, b), f, and bare operands such as method, uri, myself
  Unary,        // ! - ~
  Cast,         // (int) (str)
  Defined,      // defined $x
  Binary,
  StrLen,       // strlen(e)
  StrEmpty,     // strempty(e)
  SelVal,       // selval(cond, a, b)
  Assign,       // ($x = e) used as an operand
  BlockValue,   // { statements } used as an operand
};

enum class AddressKind { Ip, Host, Socket, Proto };

// Operators in Kamailio's spelling; the AST keeps the exact one written.
enum class BinaryOp {
  Mul, Div, Mod,            // * / mod
  Plus, Minus,              // + -
  Gt, Lt, Ge, Le,           // > < >= <=
  Eq, Ne, Match,            // == != =~
  StrEq, StrNe, IntEq, IntNe,  // eq ne ieq ine
  ShiftRight, ShiftLeft,    // >> <<
  BitXor, BitAnd, BitOr,    // ^ & |
  LogicalAnd, LogicalOr,    // && (and)  || (or)
};
enum class UnaryOp { Not, BitNot, Negate };
enum class CastKind { Int, Str };

struct Statement;
struct Block;

struct Expr : Node {
  explicit Expr(ExprKind k) : kind(k) {}
  virtual ~Expr() = default;
  ExprKind kind;
  bool parenthesized = false;  // written inside ( ), kept for printing
  // The exact spelling of a leaf (number, string with quotes, pv, select,
  // address, keyword) or of the operator (e.g. "and" against "&&").
  std::string text;
};
using ExprPtr = std::unique_ptr<Expr>;

struct NumberExpr : Expr {
  NumberExpr() : Expr(ExprKind::Number) {}
  int64_t value = 0;
};

struct StringExpr : Expr {
  StringExpr() : Expr(ExprKind::String) {}
  std::string value;  // escapes decoded as Kamailio's lexer does
};

struct PseudoVarExpr : Expr {
  PseudoVarExpr() : Expr(ExprKind::PseudoVar) {}
  PseudoVariable pv;
};

struct SelectExpr : Expr {
  SelectExpr() : Expr(ExprKind::Select) {}
};

struct AddressExpr : Expr {
  AddressExpr() : Expr(ExprKind::Address) {}
  AddressKind addressKind = AddressKind::Ip;
};

struct KeywordExpr : Expr {
  KeywordExpr() : Expr(ExprKind::Keyword) {}
};

struct CallExpr : Expr {
  CallExpr() : Expr(ExprKind::Call) {}
  std::string callee;
  bool hasParens = false;  // `f` and `f()` differ for keywords like method
  std::vector<ExprPtr> args;
  // For a bare name: where the token after it starts. Kamailio's parser
  // reports a name that needs '()' there ("'('')' expected").
  std::optional<Node> nextToken;
};

struct UnaryExpr : Expr {
  UnaryExpr() : Expr(ExprKind::Unary) {}
  UnaryOp op = UnaryOp::Not;
  ExprPtr operand;
};

struct CastExpr : Expr {
  CastExpr() : Expr(ExprKind::Cast) {}
  CastKind cast = CastKind::Int;
  ExprPtr operand;
};

struct DefinedExpr : Expr {
  DefinedExpr() : Expr(ExprKind::Defined) {}
  ExprPtr operand;
};

struct BinaryExpr : Expr {
  BinaryExpr() : Expr(ExprKind::Binary) {}
  BinaryOp op = BinaryOp::Plus;
  ExprPtr lhs, rhs;
};

// strlen, strempty and selval share one node: a fixed list of operands.
struct BuiltinCallExpr : Expr {
  explicit BuiltinCallExpr(ExprKind k) : Expr(k) {}
  std::vector<ExprPtr> args;
};

struct AssignExpr : Expr {
  AssignExpr() : Expr(ExprKind::Assign) {}
  ExprPtr target;  // a PseudoVarExpr or SelectExpr
  ExprPtr value;
};

struct BlockValueExpr : Expr {
  BlockValueExpr() : Expr(ExprKind::BlockValue) {}
  std::vector<std::unique_ptr<Statement>> body;
};

// ----------------------------------------------------------------- statements

enum class StmtKind { Block, If, Switch, While, Return, Break, Exit, Drop, Assign, Call, Empty };

struct Statement : Node {
  explicit Statement(StmtKind k) : kind(k) {}
  virtual ~Statement() = default;
  StmtKind kind;
};
using StmtPtr = std::unique_ptr<Statement>;

struct Block : Statement {
  Block() : Statement(StmtKind::Block) {}
  std::vector<StmtPtr> body;
};

struct IfStmt : Statement {
  IfStmt() : Statement(StmtKind::If) {}
  ExprPtr condition;
  StmtPtr thenBranch;
  StmtPtr elseBranch;  // null without else
};

struct SwitchCase : Node {
  ExprPtr value;         // null for default:
  bool isRegex = false;  // `case /"re":` matches value as a POSIX extended regex
  std::vector<StmtPtr> body;
};

struct SwitchStmt : Statement {
  SwitchStmt() : Statement(StmtKind::Switch) {}
  ExprPtr subject;
  std::vector<SwitchCase> cases;
};

struct WhileStmt : Statement {
  WhileStmt() : Statement(StmtKind::While) {}
  ExprPtr condition;
  StmtPtr body;
};

// return, exit and drop, with an optional value; `exit()` keeps its parens.
struct ExitStmt : Statement {
  explicit ExitStmt(StmtKind k) : Statement(k) {}
  ExprPtr value;
  bool emptyParens = false;
};

struct AssignStmt : Statement {
  AssignStmt() : Statement(StmtKind::Assign) {}
  ExprPtr target;  // a PseudoVarExpr or SelectExpr
  ExprPtr value;
};

struct CallStmt : Statement {
  CallStmt() : Statement(StmtKind::Call) {}
  std::unique_ptr<CallExpr> call;
};

// ---------------------------------------------------------------- top level

enum class TopKind { LoadModule, LoadPath, CfgEngine, Modparam, GlobalParam, Flags, Route, Empty };

struct TopItem : Node {
  explicit TopItem(TopKind k) : kind(k) {}
  virtual ~TopItem() = default;
  TopKind kind;
};
using TopItemPtr = std::unique_ptr<TopItem>;

// A word as written in the config: its decoded value and exact spelling.
struct Word : Node {
  std::string value;
  std::string text;
};

struct LoadModuleItem : TopItem {
  LoadModuleItem() : TopItem(TopKind::LoadModule) {}
  bool extended = false;  // loadmodulex: defines and pvs evaluated in the path
  Word path;
  // "tm", "tm.so", "modules/tm/tm.so", "/usr/lib/kamailio/modules/tm.so" -> "tm"
  std::string moduleName() const;
};

// loadpath/mpath, and cfgengine: one string operand.
struct PathItem : TopItem {
  explicit PathItem(TopKind k) : TopItem(k) {}
  std::string keyword;  // loadpath, mpath or cfgengine
  bool hasEqual = false;
  Word value;
};

struct ModparamItem : TopItem {
  ModparamItem() : TopItem(TopKind::Modparam) {}
  bool extended = false;  // modparamx
  Word modules;           // "tm" or "acc|auth_db|usrloc"
  Word param;
  ExprPtr value;          // NumberExpr, StringExpr or PseudoVarExpr
};

// A value atom of a global parameter: listen=udp:1.2.3.4:5060 advertise ...
// keeps every token, since each core parameter has its own value syntax.
struct ParamAtom : Word {
  enum Kind { String, Number, Bool, Identifier, Punctuation, Other } kind = Other;
};

struct GlobalParamItem : TopItem {
  GlobalParamItem() : TopItem(TopKind::GlobalParam) {}
  std::string name;   // "debug", "group.var", "group[1].var"
  std::vector<ParamAtom> value;
  std::string valueText;  // the value as written, atoms joined with their spacing
  std::optional<Word> description;
};

struct FlagSpec : Node {
  Word name;
  std::optional<int64_t> bit;
};

struct FlagsItem : TopItem {
  FlagsItem() : TopItem(TopKind::Flags) {}
  std::string keyword;  // flags, bool or avpflags
  std::vector<FlagSpec> flags;
};

// `route { }` without a name is the request route, as in Kamailio;
// `onreply_route { }` without a name is the core reply route.
enum class RouteKind { Request, Named, Failure, OnReply, Reply, Branch, OnSend, Event };

struct RouteItem : TopItem {
  RouteItem() : TopItem(TopKind::Route) {}
  RouteKind routeKind = RouteKind::Request;
  std::string keyword;       // route, request_route, onreply_route, ...
  std::optional<Word> name;  // the text inside [ ], quotes removed in value
  std::unique_ptr<Block> body;
};

struct EmptyItem : TopItem {
  EmptyItem() : TopItem(TopKind::Empty) {}
};

struct Config {
  std::vector<TopItemPtr> items;
};

// Names used in dumps and messages.
const char* exprKindName(ExprKind k);
const char* stmtKindName(StmtKind k);
const char* topKindName(TopKind k);
const char* routeKindName(RouteKind k);
const char* binaryOpSpelling(BinaryOp op);  // canonical spelling, e.g. "&&"
const char* unaryOpSpelling(UnaryOp op);
// Binding strength in Kamailio's precedence table: higher binds tighter.
int binaryPrecedence(BinaryOp op);

}  // namespace kamc::ast
