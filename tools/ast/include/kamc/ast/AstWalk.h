// Generic traversal of statements and expressions, so each check visits only
// the nodes it cares about.
#pragma once

#include <functional>

#include "kamc/ast/AST.h"

namespace kamc::ast {

struct AstVisitor {
  std::function<void(const Statement&)> onStatement;
  std::function<void(const Expr&)> onExpr;
};

// Visits s and everything inside it, parents before children.
void walk(const Statement* s, const AstVisitor& v);
void walk(const Expr* e, const AstVisitor& v);
// Every call (statement or operand) inside s.
void forEachCall(const Statement* s, const std::function<void(const CallExpr&)>& fn);

}  // namespace kamc::ast
