// The order of checks is the order of their findings in the output.
#include "kamc/lint/Lint.h"

namespace kamc::lint {

SourceLocation LintContext::endOf(const ast::Node& at) const {
  if (!sm || at.expansion >= 0 || at.range.end <= at.range.begin) return {};
  MappedLocation last = map.lookup(at.range.end - 1, *sm);
  if (last.expansion >= 0 || last.loc.file != at.loc.file || last.loc.line < at.loc.line ||
      (last.loc.line == at.loc.line && last.loc.column < at.loc.column))
    return {};
  return {last.loc.file, last.loc.line, last.loc.column + 1};
}

void runTopLevelChecks(const LintContext& ctx) { checkCatalogItems(ctx); }

void runAllChecks(const LintContext& ctx) {
  checkCatalogItems(ctx);
  checkModparams(ctx);
  checkModuleParamValues(ctx);
  checkFunctionCalls(ctx);
  checkRouteTypesThroughCalls(ctx);
  checkPseudoVariables(ctx);
  checkExpressionTypes(ctx);
  checkRegexes(ctx);
  checkUninitializedVars(ctx);
  checkExecTaint(ctx);
  checkRouteReferences(ctx);
  checkUnreachableCode(ctx);
}

}  // namespace kamc::lint
