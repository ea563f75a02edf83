// One recursive walk over every node kind; checks plug in callbacks.
#include "kamc/ast/AstWalk.h"

namespace kamc::ast {
namespace {

void walkList(const std::vector<StmtPtr>& list, const AstVisitor& v) {
  for (const StmtPtr& s : list) walk(s.get(), v);
}

void walkStatementChildren(const Statement& s, const AstVisitor& v) {
  switch (s.kind) {
    case StmtKind::Block: walkList(static_cast<const Block&>(s).body, v); break;
    case StmtKind::If: {
      auto& i = static_cast<const IfStmt&>(s);
      walk(i.condition.get(), v);
      walk(i.thenBranch.get(), v);
      walk(i.elseBranch.get(), v);
      break;
    }
    case StmtKind::Switch: {
      auto& sw = static_cast<const SwitchStmt&>(s);
      walk(sw.subject.get(), v);
      for (const SwitchCase& c : sw.cases) {
        walk(c.value.get(), v);
        walkList(c.body, v);
      }
      break;
    }
    case StmtKind::While: {
      auto& w = static_cast<const WhileStmt&>(s);
      walk(w.condition.get(), v);
      walk(w.body.get(), v);
      break;
    }
    case StmtKind::Return:
    case StmtKind::Exit:
    case StmtKind::Drop: walk(static_cast<const ExitStmt&>(s).value.get(), v); break;
    case StmtKind::Assign: {
      auto& a = static_cast<const AssignStmt&>(s);
      walk(a.target.get(), v);
      walk(a.value.get(), v);
      break;
    }
    case StmtKind::Call: walk(static_cast<const CallStmt&>(s).call.get(), v); break;
    case StmtKind::Break:
    case StmtKind::Empty: break;
  }
}

void walkExprChildren(const Expr& e, const AstVisitor& v) {
  switch (e.kind) {
    case ExprKind::Call:
      for (const ExprPtr& a : static_cast<const CallExpr&>(e).args) walk(a.get(), v);
      break;
    case ExprKind::Unary: walk(static_cast<const UnaryExpr&>(e).operand.get(), v); break;
    case ExprKind::Cast: walk(static_cast<const CastExpr&>(e).operand.get(), v); break;
    case ExprKind::Defined: walk(static_cast<const DefinedExpr&>(e).operand.get(), v); break;
    case ExprKind::Binary:
      walk(static_cast<const BinaryExpr&>(e).lhs.get(), v);
      walk(static_cast<const BinaryExpr&>(e).rhs.get(), v);
      break;
    case ExprKind::StrLen:
    case ExprKind::StrEmpty:
    case ExprKind::SelVal:
      for (const ExprPtr& a : static_cast<const BuiltinCallExpr&>(e).args) walk(a.get(), v);
      break;
    case ExprKind::Assign:
      walk(static_cast<const AssignExpr&>(e).target.get(), v);
      walk(static_cast<const AssignExpr&>(e).value.get(), v);
      break;
    case ExprKind::BlockValue: walkList(static_cast<const BlockValueExpr&>(e).body, v); break;
    default: break;
  }
}

}  // namespace

void walk(const Statement* s, const AstVisitor& v) {
  if (!s) return;
  if (v.onStatement) v.onStatement(*s);
  walkStatementChildren(*s, v);
}

void walk(const Expr* e, const AstVisitor& v) {
  if (!e) return;
  if (v.onExpr) v.onExpr(*e);
  walkExprChildren(*e, v);
}

void forEachCall(const Statement* s, const std::function<void(const CallExpr&)>& fn) {
  AstVisitor v;
  v.onExpr = [&](const Expr& e) {
    if (e.kind == ExprKind::Call) fn(static_cast<const CallExpr&>(e));
  };
  walk(s, v);
}

}  // namespace kamc::ast
