// Regular expressions Kamailio compiles once, at start-up: the labels of
// `case /"re":` and constant `=~` patterns. kamailio -c accepts a pattern
// that does not compile; start-up then fails ("bad regular expression").
// Checked with the same regcomp (glibc POSIX) and flags Kamailio uses.
#include <regex.h>

#include "kamc/ast/AstWalk.h"
#include "kamc/ast/ExprType.h"
#include "kamc/lint/Lint.h"
#include "kamc/semantics/RegexLimits.h"

namespace kamc::lint {
namespace {

// Empty when the pattern compiles, else regcomp's reason.
std::string compileError(const std::string& pattern, int flags) {
  regex_t re;
  std::string reason = semantics::compileBoundedRegex(re, pattern, flags);
  if (reason.empty()) regfree(&re);
  return reason;
}

void checkPattern(const LintContext& ctx, const ast::Expr& at, int flags) {
  ast::FoldResult folded = ast::foldConstant(at);
  if (!folded.value) return;
  std::string pattern = folded.value->asStr();
  std::string reason = compileError(pattern, flags);
  if (reason.empty()) return;
  ctx.report("kamc-bad-regex", at,
             "bad regular expression \"" + pattern + "\": " + reason +
                 " (kamailio -c accepts it; its start-up fails)");
}

}  // namespace

void checkRegexes(const LintContext& ctx) {
  ast::AstVisitor v;
  v.onStatement = [&](const ast::Statement& s) {
    if (s.kind != ast::StmtKind::Switch) return;
    for (const ast::SwitchCase& c : static_cast<const ast::SwitchStmt&>(s).cases)
      if (c.isRegex && c.value) checkPattern(ctx, *c.value, REG_EXTENDED | REG_NOSUB);
  };
  v.onExpr = [&](const ast::Expr& e) {
    if (e.kind != ast::ExprKind::Binary) return;
    auto& b = static_cast<const ast::BinaryExpr&>(e);
    if (b.op == ast::BinaryOp::Match && b.rhs)
      checkPattern(ctx, *b.rhs, REG_EXTENDED | REG_NOSUB | REG_ICASE);
  };
  for (const ast::TopItemPtr& item : ctx.config.items)
    if (item->kind == ast::TopKind::Route) ast::walk(static_cast<const ast::RouteItem&>(*item).body.get(), v);
}

}  // namespace kamc::lint
