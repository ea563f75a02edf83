// Statements that follow exit, drop, return or break in the same list, or
// an if/else whose every branch ends that way, never run.
#include "kamc/ast/AstWalk.h"
#include "kamc/lint/Lint.h"

namespace kamc::lint {
namespace {

bool endsFlow(const ast::Statement* s);

bool listEndsFlow(const std::vector<ast::StmtPtr>& list) {
  for (const ast::StmtPtr& s : list)
    if (endsFlow(s.get())) return true;
  return false;
}

bool endsFlow(const ast::Statement* s) {
  if (!s) return false;
  switch (s->kind) {
    case ast::StmtKind::Return:
    case ast::StmtKind::Exit:
    case ast::StmtKind::Drop:
    case ast::StmtKind::Break: return true;
    case ast::StmtKind::Block: return listEndsFlow(static_cast<const ast::Block*>(s)->body);
    case ast::StmtKind::If: {
      auto* i = static_cast<const ast::IfStmt*>(s);
      return i->elseBranch && endsFlow(i->thenBranch.get()) && endsFlow(i->elseBranch.get());
    }
    default: return false;
  }
}

const char* describeEnd(const ast::Statement& s) {
  switch (s.kind) {
    case ast::StmtKind::Return: return "return";
    case ast::StmtKind::Exit: return "exit";
    case ast::StmtKind::Drop: return "drop";
    case ast::StmtKind::Break: return "break";
    default: return "the statement before";
  }
}

void checkList(const LintContext& ctx, const std::vector<ast::StmtPtr>& list) {
  for (size_t i = 0; i + 1 < list.size(); ++i) {
    if (!endsFlow(list[i].get())) continue;
    for (size_t j = i + 1; j < list.size(); ++j) {
      if (list[j]->kind == ast::StmtKind::Empty) continue;
      ctx.report("kamc-unreachable-code", *list[j],
                 std::string("this statement never runs: it follows ") + describeEnd(*list[i]));
      return;
    }
    return;
  }
}

}  // namespace

void checkUnreachableCode(const LintContext& ctx) {
  ast::AstVisitor v;
  v.onStatement = [&](const ast::Statement& s) {
    if (s.kind == ast::StmtKind::Block) checkList(ctx, static_cast<const ast::Block&>(s).body);
    if (s.kind == ast::StmtKind::Switch)
      for (const ast::SwitchCase& c : static_cast<const ast::SwitchStmt&>(s).cases) checkList(ctx, c.body);
  };
  for (const ast::TopItemPtr& item : ctx.config.items)
    if (item->kind == ast::TopKind::Route) ast::walk(static_cast<const ast::RouteItem&>(*item).body.get(), v);
}


}  // namespace kamc::lint
