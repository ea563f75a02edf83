// The order of checks is the order of their findings in the output.
#include "kamc/lint/Lint.h"

namespace kamc::lint {

void runTopLevelChecks(const LintContext& ctx) { checkCatalogItems(ctx); }

void runAllChecks(const LintContext& ctx) {
  checkCatalogItems(ctx);
  checkModparams(ctx);
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
