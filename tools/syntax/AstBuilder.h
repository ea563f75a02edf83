// Private to kamc_syntax: the one place that reads ANTLR's parse tree.
#pragma once

#include <memory>
#include <vector>

#include "KamailioParser.h"
#include "antlr4-runtime.h"
#include "kamc/ast/AST.h"
#include "kamc/basic/Diagnostics.h"
#include "kamc/preprocess/Preprocessor.h"
#include "kamc/syntax/SyntaxCheck.h"

namespace kamc {

class AstBuilder {
  using P = grammar::KamailioParser;

 public:
  using IncompleteItem = ParseResult::IncompleteItem;
  // `base`: where in pp.text the lexed text starts (a slice holding one item).
  AstBuilder(const PreprocessResult& pp, const SourceManager& sm, DiagnosticEngine& diags,
             antlr4::TokenStream& tokens, size_t base = 0);
  std::unique_ptr<ast::Config> build(P::ConfigContext* ctx);
  ast::TopItemPtr buildItem(P::TopStatementContext* ctx) { return buildTop(ctx); }
  // Errors found while building (e.g. '+=', malformed pseudo-variables).
  size_t errorCount() const { return errors_; }
  // After build(): the items whose text had a syntax error (ANTLR's error
  // recovery left holes in them, or building one reported an error), and
  // the kinds of top-level items whose start the recovery skipped.
  const std::vector<IncompleteItem>& incompleteItems() const { return incomplete_; }
  LostItems lostItems() const { return lost_; }

 private:
  void place(ast::Node& node, antlr4::ParserRuleContext* ctx);
  void placeRange(ast::Node& node, antlr4::Token* first, antlr4::Token* last);
  ast::TextRange rangeOf(antlr4::Token* first, antlr4::Token* last) const;
  std::string textOf(const ast::Node& node) const;
  std::string textOf(ast::TextRange r) const;
  std::string textOf(antlr4::ParserRuleContext* ctx) const;
  std::string textOf(antlr4::tree::TerminalNode* t) const;
  void error(const ast::Node& at, std::string message);
  bool hasRecoveryHoles(antlr4::tree::ParseTree* tree);
  LostItems itemStartedBy(antlr4::Token* t);
  LostItems itemsSwallowedBy(antlr4::ParserRuleContext* item);
  size_t firstSwallowedItem(antlr4::ParserRuleContext* item);
  bool routeHeaderWhole(P::TopStatementContext* top);
  std::vector<const ast::Statement*> wholeStatements(P::TopStatementContext* top, const ast::TopItem& item,
                                                     size_t firstError);

  ast::Word word(P::StringContext* ctx);
  ast::TopItemPtr buildTop(P::TopStatementContext* ctx);
  ast::TopItemPtr loadModule(P::LoadModuleContext* c);
  ast::TopItemPtr pathItem(ast::TopKind kind, antlr4::tree::TerminalNode* keyword,
                           antlr4::tree::TerminalNode* equal, P::StringContext* value);
  ast::TopItemPtr modparam(P::ModparamContext* c);
  ast::TopItemPtr routeBlock(P::RouteBlockContext* c);
  ast::TopItemPtr flags(P::FlagsDeclarationContext* c);
  ast::TopItemPtr globalParam(P::GlobalParamContext* c);
  ast::ParamAtom paramAtom(P::ParamAtomContext* a);

  std::unique_ptr<ast::Block> block(P::BlockContext* c);
  void rejectEmptyBlock(size_t children, antlr4::tree::TerminalNode* rbrace);
  ast::StmtPtr body(P::BodyContext* c);
  ast::StmtPtr statement(P::StatementContext* ctx);
  ast::StmtPtr statementOfKind(P::StatementContext* ctx);
  ast::StmtPtr ifStatement(P::IfStatementContext* c);
  ast::StmtPtr switchStatement(P::SwitchStatementContext* c);
  ast::StmtPtr assignStatement(P::AssignStatementContext* c);
  ast::ExprPtr lvalue(P::LvalueContext* c);
  std::unique_ptr<ast::CallExpr> call(P::CallContext* c);

  ast::ExprPtr expr(P::ExprContext* ctx);
  ast::ExprPtr exprOfKind(P::ExprContext* ctx);
  ast::ExprPtr binary(P::BinaryExprContext* c);
  ast::ExprPtr groupKeywordComparison(std::unique_ptr<ast::BinaryExpr> e);
  ast::ExprPtr primary(P::PrimaryContext* ctx);
  ast::ExprPtr leaf(P::PrimaryContext* ctx);
  ast::ExprPtr address(ast::AddressKind kind);
  ast::ExprPtr builtin(ast::ExprKind kind, std::vector<P::ExprContext*> args);
  ast::ExprPtr stringExpr(P::StringContext* c);
  ast::ExprPtr pseudoVar(antlr4::tree::TerminalNode* token);
  int64_t numberValue(const ast::Node& at, antlr4::tree::TerminalNode* digits, bool negative);

  const PreprocessResult& pp_;
  const SourceManager& sm_;
  DiagnosticEngine& diags_;
  antlr4::TokenStream& tokens_;
  size_t base_ = 0;
  size_t errors_ = 0;
  std::vector<IncompleteItem> incomplete_;
  std::vector<size_t> errorOffsets_;  // where error() reported, in pp.text
  LostItems lost_;
};

}  // namespace kamc
