// Converts the ANTLR parse tree into kamc's own AST, once. Everything that
// knows the generated context classes lives in this file; after a syntax
// error ANTLR may leave parts of the tree empty, so every child is checked.
#include "AstBuilder.h"

#include <algorithm>
#include <charconv>

#include "kamc/ast/ExprType.h"
#include "kamc/semantics/Conversions.h"

namespace kamc {
namespace {

using grammar::KamailioParser;
using P = KamailioParser;

std::string decodeStringToken(std::string_view token) {
  if (token.size() < 2) return std::string(token);
  std::string_view body = token.substr(1, token.size() - 2);
  return token[0] == '"' ? semantics::decodeDoubleQuoted(body) : std::string(body);
}

// Kamailio's NUMBER token, as the script's 32-bit int.
std::optional<int64_t> parseNumber(std::string_view text) {
  std::optional<int32_t> value = semantics::numberLiteral(text);
  if (!value) return std::nullopt;
  return *value;
}

std::optional<ast::BinaryOp> binaryOpFor(size_t t) {
  switch (t) {
    case P::STAR: return ast::BinaryOp::Mul;
    case P::SLASH: return ast::BinaryOp::Div;
    case P::MODULO: return ast::BinaryOp::Mod;
    case P::PLUS: return ast::BinaryOp::Plus;
    case P::MINUS: return ast::BinaryOp::Minus;
    case P::GT: return ast::BinaryOp::Gt;
    case P::LT: return ast::BinaryOp::Lt;
    case P::GTE: return ast::BinaryOp::Ge;
    case P::LTE: return ast::BinaryOp::Le;
    case P::EQUAL_T: return ast::BinaryOp::Eq;
    case P::DIFF: return ast::BinaryOp::Ne;
    case P::MATCH: return ast::BinaryOp::Match;
    case P::STREQ: return ast::BinaryOp::StrEq;
    case P::STRDIFF: return ast::BinaryOp::StrNe;
    case P::INTEQ: return ast::BinaryOp::IntEq;
    case P::INTDIFF: return ast::BinaryOp::IntNe;
    case P::BIN_RSHIFT: return ast::BinaryOp::ShiftRight;
    case P::BIN_LSHIFT: return ast::BinaryOp::ShiftLeft;
    case P::BIN_XOR: return ast::BinaryOp::BitXor;
    case P::BIN_AND: return ast::BinaryOp::BitAnd;
    case P::BIN_OR: return ast::BinaryOp::BitOr;
    case P::LOG_AND: return ast::BinaryOp::LogicalAnd;
    case P::LOG_OR: return ast::BinaryOp::LogicalOr;
    default: return std::nullopt;
  }
}

ast::RouteKind routeKindFor(size_t tokenType, bool named) {
  switch (tokenType) {
    case P::ROUTE: return named ? ast::RouteKind::Named : ast::RouteKind::Request;
    case P::FAILURE_ROUTE: return ast::RouteKind::Failure;
    case P::ONREPLY_ROUTE: return ast::RouteKind::OnReply;
    case P::REPLY_ROUTE: return ast::RouteKind::Reply;
    case P::BRANCH_ROUTE: return ast::RouteKind::Branch;
    case P::ONSEND_ROUTE: return ast::RouteKind::OnSend;
    case P::EVENT_ROUTE: return ast::RouteKind::Event;
    default: return ast::RouteKind::Request;
  }
}

}  // namespace

AstBuilder::AstBuilder(const PreprocessResult& pp, const SourceManager& sm, DiagnosticEngine& diags,
                       antlr4::TokenStream& tokens, size_t base)
    : pp_(pp), sm_(sm), diags_(diags), tokens_(tokens), base_(base) {}

void AstBuilder::place(ast::Node& node, antlr4::ParserRuleContext* ctx) {
  placeRange(node, ctx->getStart(), ctx->getStop());
}

ast::TextRange AstBuilder::rangeOf(antlr4::Token* first, antlr4::Token* last) const {
  size_t begin = first ? first->getStartIndex() + base_ : pp_.text.size();
  size_t end = last ? last->getStopIndex() + 1 + base_ : begin;
  if (begin > pp_.text.size()) begin = pp_.text.size();
  if (end < begin || end > pp_.text.size()) end = begin;  // an empty rule after an error
  return {static_cast<uint32_t>(begin), static_cast<uint32_t>(end)};
}

void AstBuilder::placeRange(ast::Node& node, antlr4::Token* first, antlr4::Token* last) {
  node.range = rangeOf(first, last);
  MappedLocation m = pp_.map.lookup(node.range.begin, sm_);
  node.loc = m.loc;
  node.expansion = m.expansion;
}

std::string AstBuilder::textOf(const ast::Node& node) const { return textOf(node.range); }

std::string AstBuilder::textOf(ast::TextRange r) const {
  return pp_.text.substr(r.begin, r.end - r.begin);
}

std::string AstBuilder::textOf(antlr4::ParserRuleContext* ctx) const {
  return textOf(rangeOf(ctx->getStart(), ctx->getStop()));
}

std::string AstBuilder::textOf(antlr4::tree::TerminalNode* t) const {
  return textOf(rangeOf(t->getSymbol(), t->getSymbol()));
}

void AstBuilder::error(const ast::Node& at, std::string message) {
  pp_.map.addExpansionNotes(diags_.report("kamc-syntax", at.loc, std::move(message)), at.expansion);
  errorOffsets_.push_back(at.range.begin);
  ++errors_;
}

std::unique_ptr<ast::Config> AstBuilder::build(P::ConfigContext* ctx) {
  auto config = std::make_unique<ast::Config>();
  if (ctx->exception) lost_ = LostItems::all();
  for (antlr4::tree::ParseTree* child : ctx->children) {
    auto* top = dynamic_cast<P::TopStatementContext*>(child);
    if (!top) {
      hasRecoveryHoles(child);  // tokens skipped between items
      continue;
    }
    size_t errorsBefore = errors_;
    ast::TopItemPtr item = buildTop(top);
    bool holes = hasRecoveryHoles(top) || errors_ != errorsBefore;
    if (!item) {
      if (holes) lost_ = LostItems::all();
      continue;
    }
    if (holes) {
      bool headerWhole = routeHeaderWhole(top);
      std::vector<const ast::Statement*> statements;
      if (headerWhole) statements = wholeStatements(top, *item, errorsBefore);
      incomplete_.push_back({item.get(), headerWhole, std::move(statements)});
      lost_ |= itemsSwallowedBy(top);
    }
    config->items.push_back(std::move(item));
  }
  return config;
}

// ANTLR's recovery leaves two marks: an error node for each token it skipped
// or made up, and the exception on a rule it left early.
bool AstBuilder::hasRecoveryHoles(antlr4::tree::ParseTree* tree) {
  if (auto* skipped = dynamic_cast<antlr4::tree::ErrorNode*>(tree)) {
    lost_ |= itemStartedBy(skipped->getSymbol());
    return true;
  }
  bool holes = false;
  if (auto* rule = dynamic_cast<antlr4::ParserRuleContext*>(tree)) holes = rule->exception != nullptr;
  for (antlr4::tree::ParseTree* child : tree->children) holes = hasRecoveryHoles(child) || holes;
  return holes;
}

// Whether a route block with holes still has its header as written: nothing
// skipped or made up before the '{' that opens its body.
bool AstBuilder::routeHeaderWhole(P::TopStatementContext* top) {
  auto* c = dynamic_cast<P::RouteBlockContext*>(top);
  if (!c || !c->routeKind() || !c->block()) return false;
  for (antlr4::tree::ParseTree* child : c->children) {
    if (child == c->block()) break;
    if (hasRecoveryHoles(child)) return false;
  }
  antlr4::tree::TerminalNode* open = c->block()->LBRACE();
  return open && open->getSymbol()->getTokenIndex() != INVALID_INDEX;
}

// The statements of a route body with holes that have none themselves, and
// where building reported no error (of the item's errors, from `firstError`).
std::vector<const ast::Statement*> AstBuilder::wholeStatements(P::TopStatementContext* top,
                                                               const ast::TopItem& item, size_t firstError) {
  std::vector<const ast::Statement*> whole;
  auto* c = dynamic_cast<P::RouteBlockContext*>(top);
  const auto& route = static_cast<const ast::RouteItem&>(item);
  if (!c || !c->block() || !route.body) return whole;
  std::vector<size_t> wholeStarts;
  for (P::StatementContext* s : c->block()->statement())
    if (s->getStart() && !hasRecoveryHoles(s)) wholeStarts.push_back(s->getStart()->getStartIndex() + base_);
  std::vector<size_t> errors(errorOffsets_.begin() + static_cast<ptrdiff_t>(firstError), errorOffsets_.end());
  std::sort(errors.begin(), errors.end());
  // What follows the start of a swallowed item is that item's text.
  size_t swallowedAt = firstSwallowedItem(c);
  for (const ast::StmtPtr& s : route.body->body) {
    if (s->range.begin >= swallowedAt) break;
    bool parsedWhole = std::binary_search(wholeStarts.begin(), wholeStarts.end(), s->range.begin);
    auto error = std::lower_bound(errors.begin(), errors.end(), s->range.begin);
    bool builtWhole = error == errors.end() || *error >= std::max<size_t>(s->range.end, s->range.begin + 1);
    if (parsedWhole && builtWhole) whole.push_back(s.get());
  }
  return whole;
}

// The recovery may read the start of the next item as statements (a route
// block whose '}' is missing takes `route[B] {` for a call of route).
// Where in pp.text the first item an item swallowed starts, or past the end.
size_t AstBuilder::firstSwallowedItem(antlr4::ParserRuleContext* item) {
  if (!item->getStart() || !item->getStop()) return pp_.text.size();
  size_t last = std::min(item->getStop()->getTokenIndex(), tokens_.size() - 1);
  for (size_t i = item->getStart()->getTokenIndex() + 1; i <= last; ++i)
    if (itemStartedBy(tokens_.get(i)).any()) return tokens_.get(i)->getStartIndex() + base_;
  return pp_.text.size();
}

LostItems AstBuilder::itemsSwallowedBy(antlr4::ParserRuleContext* item) {
  LostItems lost;
  if (!item->getStart() || !item->getStop()) return lost;
  size_t last = std::min(item->getStop()->getTokenIndex(), tokens_.size() - 1);
  for (size_t i = item->getStart()->getTokenIndex() + 1; i <= last; ++i) lost |= itemStartedBy(tokens_.get(i));
  return lost;
}

// The item a token begins: a loadmodule, a modparam or a route block
// (`route` only before '[' or '{', since `route(X)` is a statement).
LostItems AstBuilder::itemStartedBy(antlr4::Token* t) {
  if (!t || t->getTokenIndex() == INVALID_INDEX) return {};  // made up by the recovery
  switch (t->getType()) {
    case P::LOADMODULE: case P::LOADMODULEX: case P::MODPARAM: case P::MODPARAMX:
      return {false, true};
    case P::REQUEST_ROUTE: case P::FAILURE_ROUTE: case P::ONREPLY_ROUTE: case P::REPLY_ROUTE:
    case P::BRANCH_ROUTE: case P::ONSEND_ROUTE: case P::EVENT_ROUTE:
      return {true, false};
    case P::ROUTE:
      for (size_t i = t->getTokenIndex() + 1; i < tokens_.size(); ++i) {
        antlr4::Token* next = tokens_.get(i);
        if (next->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
        return {next->getType() == P::LBRACK || next->getType() == P::LBRACE, false};
      }
      return {};
    default:
      return {};
  }
}

ast::Word AstBuilder::word(P::StringContext* ctx) {
  ast::Word w;
  if (!ctx) return w;
  place(w, ctx);
  w.text = textOf(w);
  for (antlr4::tree::TerminalNode* s : ctx->STRING()) w.value += decodeStringToken(textOf(s));
  return w;
}

ast::TopItemPtr AstBuilder::buildTop(P::TopStatementContext* ctx) {
  ast::TopItemPtr item;
  if (auto* c = dynamic_cast<P::LoadModuleContext*>(ctx)) item = loadModule(c);
  else if (auto* c = dynamic_cast<P::LoadPathContext*>(ctx)) item = pathItem(ast::TopKind::LoadPath, c->LOADPATH(), c->EQUAL(), c->string());
  else if (auto* c = dynamic_cast<P::CfgEngineContext*>(ctx)) item = pathItem(ast::TopKind::CfgEngine, c->CFGENGINE(), c->EQUAL(), c->string());
  else if (auto* c = dynamic_cast<P::ModparamContext*>(ctx)) item = modparam(c);
  else if (auto* c = dynamic_cast<P::RouteBlockContext*>(ctx)) item = routeBlock(c);
  else if (auto* c = dynamic_cast<P::FlagsDeclarationContext*>(ctx)) item = flags(c);
  else if (auto* c = dynamic_cast<P::GlobalParamContext*>(ctx)) item = globalParam(c);
  else if (dynamic_cast<P::EmptyTopStatementContext*>(ctx)) item = std::make_unique<ast::EmptyItem>();
  if (item) place(*item, ctx);
  return item;
}

ast::TopItemPtr AstBuilder::loadModule(P::LoadModuleContext* c) {
  auto item = std::make_unique<ast::LoadModuleItem>();
  item->extended = c->LOADMODULEX() != nullptr;
  item->path = word(c->string());
  return item;
}

ast::TopItemPtr AstBuilder::pathItem(ast::TopKind kind, antlr4::tree::TerminalNode* keyword,
                                     antlr4::tree::TerminalNode* equal, P::StringContext* value) {
  auto item = std::make_unique<ast::PathItem>(kind);
  if (keyword) item->keyword = textOf(keyword);
  item->hasEqual = equal != nullptr;
  item->value = word(value);
  return item;
}

ast::TopItemPtr AstBuilder::modparam(P::ModparamContext* c) {
  auto item = std::make_unique<ast::ModparamItem>();
  item->extended = c->MODPARAMX() != nullptr;
  item->modules = word(c->string(0));
  item->param = word(c->string(1));
  P::ModparamValueContext* v = c->modparamValue();
  if (!v) return item;
  if (v->string()) {
    item->value = stringExpr(v->string());
  } else if (v->PVAR()) {
    item->value = pseudoVar(v->PVAR());
  } else {
    auto n = std::make_unique<ast::NumberExpr>();
    place(*n, v);
    n->text = textOf(*n);
    if (v->BOOL() || v->ADDRESS_FAMILY()) n->value = semantics::cfgWordValue(n->text);
    else n->value = numberValue(*n, v->NUMBER(), v->MINUS() != nullptr);
    item->value = std::move(n);
  }
  return item;
}

ast::TopItemPtr AstBuilder::routeBlock(P::RouteBlockContext* c) {
  auto item = std::make_unique<ast::RouteItem>();
  P::RouteKindContext* kind = c->routeKind();
  if (kind) item->keyword = textOf(kind);
  if (P::RouteNameContext* n = c->routeName()) {
    ast::Word name;
    place(name, n);
    name.text = textOf(name);
    name.value = n->string() ? word(n->string()).value : name.text;
    item->name = std::move(name);
  }
  if (kind && kind->getStart())
    item->routeKind = routeKindFor(kind->getStart()->getType(), item->name.has_value());
  if (c->block()) item->body = block(c->block());
  return item;
}

ast::TopItemPtr AstBuilder::flags(P::FlagsDeclarationContext* c) {
  auto item = std::make_unique<ast::FlagsItem>();
  item->keyword = c->FLAGS() ? textOf(c->FLAGS()) : textOf(c->AVPFLAGS());
  for (P::FlagSpecContext* f : c->flagSpec()) {
    ast::FlagSpec spec;
    place(spec, f);
    if (f->string()) {
      spec.name = word(f->string());
    } else if (f->ID()) {
      placeRange(spec.name, f->ID()->getSymbol(), f->ID()->getSymbol());
      spec.name.text = spec.name.value = textOf(f->ID());
    }
    if (f->NUMBER()) spec.bit = parseNumber(textOf(f->NUMBER()));
    item->flags.push_back(std::move(spec));
  }
  return item;
}

ast::TopItemPtr AstBuilder::globalParam(P::GlobalParamContext* c) {
  auto item = std::make_unique<ast::GlobalParamItem>();
  if (c->paramName()) item->name = textOf(c->paramName());
  if (P::ParamValueContext* v = c->paramValue()) {
    item->valueText = textOf(v);
    for (P::ParamAtomContext* a : v->paramAtom()) item->value.push_back(paramAtom(a));
  }
  if (c->DESCRIPTION() && c->string()) item->description = word(c->string());
  return item;
}

ast::ParamAtom AstBuilder::paramAtom(P::ParamAtomContext* a) {
  ast::ParamAtom atom;
  place(atom, a);
  atom.text = atom.value = textOf(atom);
  if (a->string()) {
    atom.kind = ast::ParamAtom::String;
    atom.value = word(a->string()).value;
  } else if (a->NUMBER() || a->ADDRESS_FAMILY()) {
    atom.kind = ast::ParamAtom::Number;
  } else if (a->BOOL()) {
    atom.kind = ast::ParamAtom::Bool;
  } else if (a->ID() || a->PROTO()) {
    atom.kind = ast::ParamAtom::Identifier;
  } else if (a->NUM_ID() || a->IPV6ADDR() || a->PVAR()) {
    atom.kind = ast::ParamAtom::Other;
  } else {
    atom.kind = ast::ParamAtom::Punctuation;
  }
  return atom;
}

// ----------------------------------------------------------------- statements

std::unique_ptr<ast::Block> AstBuilder::block(P::BlockContext* c) {
  auto b = std::make_unique<ast::Block>();
  place(*b, c);
  for (P::StatementContext* s : c->statement())
    if (ast::StmtPtr stmt = statement(s)) b->body.push_back(std::move(stmt));
  rejectEmptyBlock(c->children.size(), c->RBRACE());
  return b;
}

// cfg.y's blocks hold `actions`, which is one statement or more: Kamailio
// stops at the '}' of `{ }`. `children` counts the braces too.
void AstBuilder::rejectEmptyBlock(size_t children, antlr4::tree::TerminalNode* rbrace) {
  if (children != 2 || !rbrace || rbrace->getSymbol()->getStartIndex() == INVALID_INDEX) return;
  ast::Node at;
  placeRange(at, rbrace->getSymbol(), rbrace->getSymbol());
  error(at, "empty block: Kamailio needs at least one statement between '{' and '}'; write ';' for none");
}

ast::StmtPtr AstBuilder::body(P::BodyContext* c) {
  if (!c) return nullptr;
  if (c->block()) return block(c->block());
  return statement(c->statement());
}

ast::StmtPtr AstBuilder::statement(P::StatementContext* ctx) {
  if (!ctx) return nullptr;
  ast::StmtPtr stmt = statementOfKind(ctx);
  if (stmt && stmt->kind != ast::StmtKind::Block) place(*stmt, ctx);
  return stmt;
}

ast::StmtPtr AstBuilder::statementOfKind(P::StatementContext* ctx) {
  if (auto* c = dynamic_cast<P::IfStatementContext*>(ctx)) return ifStatement(c);
  if (auto* c = dynamic_cast<P::SwitchStatementContext*>(ctx)) return switchStatement(c);
  if (auto* c = dynamic_cast<P::WhileStatementContext*>(ctx)) {
    auto s = std::make_unique<ast::WhileStmt>();
    s->condition = expr(c->expr());
    s->body = body(c->body());
    return s;
  }
  if (auto* c = dynamic_cast<P::ReturnStatementContext*>(ctx)) {
    auto s = std::make_unique<ast::ExitStmt>(ast::StmtKind::Return);
    s->value = expr(c->expr());
    return s;
  }
  if (dynamic_cast<P::BreakStatementContext*>(ctx)) return std::make_unique<ast::Statement>(ast::StmtKind::Break);
  if (auto* c = dynamic_cast<P::ExitStatementContext*>(ctx)) {
    auto s = std::make_unique<ast::ExitStmt>(c->DROP() ? ast::StmtKind::Drop : ast::StmtKind::Exit);
    s->emptyParens = c->LPAREN() != nullptr;
    s->value = expr(c->expr());
    return s;
  }
  if (auto* c = dynamic_cast<P::AssignStatementContext*>(ctx)) return assignStatement(c);
  if (auto* c = dynamic_cast<P::CallStatementContext*>(ctx)) {
    auto s = std::make_unique<ast::CallStmt>();
    s->call = call(c->call());
    if (!s->call) return nullptr;
    return s;
  }
  if (dynamic_cast<P::EmptyStatementContext*>(ctx)) return std::make_unique<ast::Statement>(ast::StmtKind::Empty);
  return nullptr;
}

ast::StmtPtr AstBuilder::ifStatement(P::IfStatementContext* c) {
  auto s = std::make_unique<ast::IfStmt>();
  s->condition = expr(c->expr());
  std::vector<P::BodyContext*> branches = c->body();
  if (!branches.empty()) s->thenBranch = body(branches[0]);
  if (branches.size() > 1) s->elseBranch = body(branches[1]);
  return s;
}

ast::StmtPtr AstBuilder::switchStatement(P::SwitchStatementContext* c) {
  auto s = std::make_unique<ast::SwitchStmt>();
  s->subject = expr(c->expr());
  for (P::SwitchCaseContext* sc : c->switchCase()) {
    ast::SwitchCase out;
    place(out, sc);
    std::vector<P::StatementContext*> body;
    if (auto* label = dynamic_cast<P::CaseLabelContext*>(sc)) {
      out.value = expr(label->expr());
      out.isRegex = label->regex != nullptr;
      // cfg.y's ct_rval: a case label is evaluated once, at start-up.
      if (out.value && !ast::isConstant(*out.value))
        error(*out.value, std::string(out.isRegex ? "the regex of a case label" : "a case label") +
                              " must be a constant (numbers, strings and operators on them), not a value known "
                              "only at run time (kamailio -c: 'constant expected')");
      body = label->statement();
    } else if (auto* def = dynamic_cast<P::DefaultLabelContext*>(sc)) {
      body = def->statement();
    }
    for (P::StatementContext* st : body)
      if (ast::StmtPtr stmt = statement(st)) out.body.push_back(std::move(stmt));
    s->cases.push_back(std::move(out));
  }
  return s;
}

ast::StmtPtr AstBuilder::assignStatement(P::AssignStatementContext* c) {
  auto s = std::make_unique<ast::AssignStmt>();
  s->target = lvalue(c->lvalue());
  s->value = expr(c->expr());
  if (c->ADDEQ()) {
    ast::Node at;
    placeRange(at, c->ADDEQ()->getSymbol(), c->ADDEQ()->getSymbol());
    // cfg.lex has the token, but cfg.y's only assignment operator is '='.
    error(at, "'+=' is not an assignment operator in Kamailio; write '$x = $x + value;'");
  }
  return s;
}

ast::ExprPtr AstBuilder::lvalue(P::LvalueContext* c) {
  if (!c) return nullptr;
  if (c->PVAR()) return pseudoVar(c->PVAR());
  auto sel = std::make_unique<ast::SelectExpr>();
  place(*sel, c);
  sel->text = textOf(*sel);
  return sel;
}

std::unique_ptr<ast::CallExpr> AstBuilder::call(P::CallContext* c) {
  if (!c || !c->callee()) return nullptr;
  auto call = std::make_unique<ast::CallExpr>();
  place(*call, c);
  call->callee = textOf(c->callee());
  call->text = call->callee;
  call->hasParens = c->LPAREN() != nullptr;
  if (!call->hasParens && c->getStop()) {
    for (size_t i = c->getStop()->getTokenIndex() + 1; i < tokens_.size(); ++i) {
      antlr4::Token* t = tokens_.get(i);
      if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
      if (t->getType() != antlr4::Token::EOF) {
        call->nextToken.emplace();
        placeRange(*call->nextToken, t, t);
      }
      break;
    }
  }
  if (P::ArgumentsContext* args = c->arguments())
    for (P::ExprContext* a : args->expr())
      if (ast::ExprPtr e = expr(a)) call->args.push_back(std::move(e));
  return call;
}

// ---------------------------------------------------------------- expressions

ast::ExprPtr AstBuilder::expr(P::ExprContext* ctx) {
  if (!ctx) return nullptr;
  ast::ExprPtr e = exprOfKind(ctx);
  if (e && e->kind != ast::ExprKind::Call) place(*e, ctx);
  return e;
}

ast::ExprPtr AstBuilder::exprOfKind(P::ExprContext* ctx) {
  if (auto* c = dynamic_cast<P::PrimaryExprContext*>(ctx)) {
    ast::ExprPtr e = primary(c->primary());
    return e;
  }
  if (auto* c = dynamic_cast<P::CastExprContext*>(ctx)) {
    auto e = std::make_unique<ast::CastExpr>();
    e->cast = c->STRCAST() ? ast::CastKind::Str : ast::CastKind::Int;
    e->text = c->STRCAST() ? "(str)" : "(int)";
    e->operand = expr(c->expr());
    return e;
  }
  if (auto* c = dynamic_cast<P::DefinedExprContext*>(ctx)) {
    auto e = std::make_unique<ast::DefinedExpr>();
    e->operand = expr(c->expr());
    return e;
  }
  if (auto* c = dynamic_cast<P::UnaryExprContext*>(ctx)) {
    auto e = std::make_unique<ast::UnaryExpr>();
    size_t t = c->op ? c->op->getType() : static_cast<size_t>(P::NOT);
    e->op = t == P::MINUS ? ast::UnaryOp::Negate : t == P::BIN_NOT ? ast::UnaryOp::BitNot : ast::UnaryOp::Not;
    e->text = c->op ? c->op->getText() : "!";
    e->operand = expr(c->expr());
    return e;
  }
  if (auto* c = dynamic_cast<P::BinaryExprContext*>(ctx)) return binary(c);
  return nullptr;
}

ast::ExprPtr AstBuilder::binary(P::BinaryExprContext* c) {
  std::optional<ast::BinaryOp> op = c->op ? binaryOpFor(c->op->getType()) : std::nullopt;
  std::vector<P::ExprContext*> sides = c->expr();
  if (!op || sides.size() != 2) return nullptr;
  auto e = std::make_unique<ast::BinaryExpr>();
  e->op = *op;
  e->text = textOf(rangeOf(c->op, c->op));
  e->lhs = expr(sides[0]);
  e->rhs = expr(sides[1]);
  return groupKeywordComparison(std::move(e));
}

namespace {

// The comparisons cfg.y's exp_elem builds after a keyword operand (strop,
// equalop, cmpop).
bool isKeywordComparison(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::Eq: case ast::BinaryOp::Ne: case ast::BinaryOp::Match:
    case ast::BinaryOp::StrEq: case ast::BinaryOp::StrNe:
    case ast::BinaryOp::Gt: case ast::BinaryOp::Lt: case ast::BinaryOp::Ge: case ast::BinaryOp::Le: return true;
    default: return false;
  }
}

// A bare name (method, uri, src_ip, myself...) or msg:len. Kamailio has such
// a word as an operand only at the left of a comparison (exp_elem), so any
// other bare name is a syntax error there anyway.
bool isKeywordOperand(const ast::Expr& e) {
  if (e.kind == ast::ExprKind::Keyword) return true;
  if (e.kind != ast::ExprKind::Call) return false;
  const auto& call = static_cast<const ast::CallExpr&>(e);
  return !call.hasParens && call.args.empty();
}

// The operand slot that an operator written right before `e` reaches last:
// the operand of ! - ~ (int) (str) defined, the right side of a binary.
ast::ExprPtr* lastOperandSlot(ast::Expr& e) {
  if (e.parenthesized) return nullptr;
  switch (e.kind) {
    case ast::ExprKind::Unary: return &static_cast<ast::UnaryExpr&>(e).operand;
    case ast::ExprKind::Cast: return &static_cast<ast::CastExpr&>(e).operand;
    case ast::ExprKind::Defined: return &static_cast<ast::DefinedExpr&>(e).operand;
    case ast::ExprKind::Binary: return &static_cast<ast::BinaryExpr&>(e).rhs;
    default: return nullptr;
  }
}

}  // namespace

// cfg.y reads `KEYWORD op value` as one operand (exp_elem), so the operators
// written before the keyword apply to the whole comparison: `!method == "X"`
// is !(method == "X"), `(int)src_port > 5` is (int)(src_port > 5). ANTLR's
// precedence binds the prefix operator first, (!method) == "X"; this moves
// the comparison down to the keyword.
ast::ExprPtr AstBuilder::groupKeywordComparison(std::unique_ptr<ast::BinaryExpr> e) {
  if (!isKeywordComparison(e->op) || !e->lhs || !e->rhs) return e;
  ast::ExprPtr* slot = lastOperandSlot(*e->lhs);
  std::vector<ast::Expr*> path{e->lhs.get()};
  while (slot && *slot && !isKeywordOperand(**slot)) {
    path.push_back(slot->get());
    slot = lastOperandSlot(**slot);
  }
  if (!slot || !*slot || (*slot)->parenthesized) return e;
  // The comparison spans from the keyword to the end of its right side, and
  // every operator above it now ends there too.
  ast::TextRange keyword = (*slot)->range;
  e->range = {keyword.begin, e->rhs->range.end};
  e->loc = (*slot)->loc;
  e->expansion = (*slot)->expansion;
  for (ast::Expr* above : path) above->range.end = e->range.end;
  ast::ExprPtr top = std::move(e->lhs);
  e->lhs = std::move(*slot);
  *slot = std::move(e);
  return top;
}

ast::ExprPtr AstBuilder::primary(P::PrimaryContext* ctx) {
  if (!ctx) return nullptr;
  if (auto* c = dynamic_cast<P::ParenExprContext*>(ctx)) {
    ast::ExprPtr inner = expr(c->expr());
    if (inner) inner->parenthesized = true;
    return inner;
  }
  if (auto* c = dynamic_cast<P::CallOperandContext*>(ctx)) return call(c->call());
  ast::ExprPtr e = leaf(ctx);
  if (e && e->text.empty()) {
    place(*e, ctx);
    e->text = textOf(*e);
  }
  return e;
}

ast::ExprPtr AstBuilder::leaf(P::PrimaryContext* ctx) {
  if (auto* c = dynamic_cast<P::NumberLiteralContext*>(ctx)) {
    auto n = std::make_unique<ast::NumberExpr>();
    place(*n, ctx);
    n->text = textOf(*n);
    n->value = numberValue(*n, c->NUMBER(), c->MINUS() != nullptr);
    return n;
  }
  if (dynamic_cast<P::WordNumberContext*>(ctx)) {
    auto n = std::make_unique<ast::NumberExpr>();
    place(*n, ctx);
    n->text = textOf(*n);
    n->value = semantics::cfgWordValue(n->text);
    return n;
  }
  if (auto* c = dynamic_cast<P::StringLiteralContext*>(ctx)) return stringExpr(c->string());
  if (auto* c = dynamic_cast<P::PvarOperandContext*>(ctx)) return pseudoVar(c->PVAR());
  if (dynamic_cast<P::SelectOperandContext*>(ctx)) return std::make_unique<ast::SelectExpr>();
  if (dynamic_cast<P::BuiltinOperandContext*>(ctx)) return std::make_unique<ast::KeywordExpr>();
  if (dynamic_cast<P::SocketLiteralContext*>(ctx)) return address(ast::AddressKind::Socket);
  if (dynamic_cast<P::ProtoOperandContext*>(ctx)) return address(ast::AddressKind::Proto);
  if (dynamic_cast<P::IpLiteralContext*>(ctx)) return address(ast::AddressKind::Ip);
  if (dynamic_cast<P::HostLiteralContext*>(ctx)) return address(ast::AddressKind::Host);
  if (auto* c = dynamic_cast<P::StrlenExprContext*>(ctx)) return builtin(ast::ExprKind::StrLen, {c->expr()});
  if (auto* c = dynamic_cast<P::StremptyExprContext*>(ctx)) return builtin(ast::ExprKind::StrEmpty, {c->expr()});
  if (auto* c = dynamic_cast<P::SelvalExprContext*>(ctx)) return builtin(ast::ExprKind::SelVal, c->expr());
  if (auto* c = dynamic_cast<P::AssignOperandContext*>(ctx)) {
    auto e = std::make_unique<ast::AssignExpr>();
    e->target = lvalue(c->lvalue());
    e->value = expr(c->expr());
    e->text = "=";
    return e;
  }
  if (auto* c = dynamic_cast<P::BlockOperandContext*>(ctx)) {
    auto e = std::make_unique<ast::BlockValueExpr>();
    for (P::StatementContext* s : c->statement())
      if (ast::StmtPtr stmt = statement(s)) e->body.push_back(std::move(stmt));
    rejectEmptyBlock(c->children.size(), c->RBRACE());
    e->text = "{}";
    return e;
  }
  return nullptr;
}

ast::ExprPtr AstBuilder::address(ast::AddressKind kind) {
  auto a = std::make_unique<ast::AddressExpr>();
  a->addressKind = kind;
  return a;
}

ast::ExprPtr AstBuilder::builtin(ast::ExprKind kind, std::vector<P::ExprContext*> args) {
  auto e = std::make_unique<ast::BuiltinCallExpr>(kind);
  for (P::ExprContext* a : args)
    if (ast::ExprPtr arg = expr(a)) e->args.push_back(std::move(arg));
  e->text = kind == ast::ExprKind::StrLen ? "strlen" : kind == ast::ExprKind::StrEmpty ? "strempty" : "selval";
  return e;
}

ast::ExprPtr AstBuilder::stringExpr(P::StringContext* c) {
  auto s = std::make_unique<ast::StringExpr>();
  ast::Word w = word(c);
  static_cast<ast::Node&>(*s) = static_cast<ast::Node&>(w);
  s->text = std::move(w.text);
  s->value = std::move(w.value);
  return s;
}

ast::ExprPtr AstBuilder::pseudoVar(antlr4::tree::TerminalNode* token) {
  auto e = std::make_unique<ast::PseudoVarExpr>();
  placeRange(*e, token->getSymbol(), token->getSymbol());
  e->text = textOf(token);
  ast::PseudoVariableParse p = ast::parsePseudoVariable(e->text);
  if (p.pv && p.length == e->text.size()) {
    e->pv = std::move(*p.pv);
  } else {
    error(*e, "malformed pseudo-variable '" + e->text + "': " +
                  (p.pv ? "unexpected text after " + p.pv->text : p.error));
    e->pv.text = e->text;
  }
  return e;
}

int64_t AstBuilder::numberValue(const ast::Node& at, antlr4::tree::TerminalNode* digits, bool negative) {
  if (!digits) return 0;
  std::optional<int64_t> v = parseNumber(textOf(digits));
  if (!v) {
    error(at, "number '" + textOf(digits) + "' is out of range");
    return 0;
  }
  return negative ? -*v : *v;
}

}  // namespace kamc
