// cfgcheck's semantic checks over the AST. Each check is a small function
// reporting under its own rule id (tools/basic/.../Rules.def); the same
// checks serve cfgcheck and the language server.
#pragma once

#include <vector>

#include "kamc/ast/AST.h"
#include "kamc/ast/TreeHoles.h"
#include "kamc/basic/Diagnostics.h"
#include "kamc/preprocess/SourceMap.h"

namespace kamc::lint {

struct LintContext {
  const ast::Config& config;
  const SourceMap& map;  // adds "expanded from #!define" notes
  DiagnosticEngine& diags;
  const SourceManager* sm = nullptr;  // when set, findings carry the node's whole range

  Diagnostic& report(std::string_view rule, const ast::Node& at, std::string message) const {
    Diagnostic& d = diags.report(rule, at.loc, std::move(message));
    map.addExpansionNotes(d, at.expansion);
    d.end = endOf(at);
    return d;
  }
  // The original position just after a node's last byte, when the node is
  // text of one file as written (not from a define's expansion).
  SourceLocation endOf(const ast::Node& at) const;
};

// Runs every check.
void runAllChecks(const LintContext& ctx);

// Every check on a tree with syntax errors, so that one run reports them all:
// the items that parsed whole are checked, a route with a whole header counts
// as defined and the statements of its body without an error are checked,
// and findings that the missing text could refute are left out
// (docs/cfgcheck.md, "After a syntax error").
void runChecksOnRecoveredTree(const LintContext& ctx, const std::vector<ast::IncompleteItem>& incompleteItems,
                              ast::LostItems lost);

// Rules kamc-undefined-route, kamc-duplicate-route, kamc-unused-route.
void checkRouteReferences(const LintContext& ctx);
// Rules kamc-unknown-core-param, kamc-unknown-module.
void checkCatalogItems(const LintContext& ctx);
// Rule kamc-unreachable-code.
void checkUnreachableCode(const LintContext& ctx);
// Rules kamc-unknown-function, kamc-module-not-loaded, kamc-wrong-arg-count,
// kamc-missing-parens, kamc-call-in-argument, kamc-route-type.
void checkFunctionCalls(const LintContext& ctx);
// Rule kamc-route-type-via-call.
void checkRouteTypesThroughCalls(const LintContext& ctx);
// Rules kamc-module-not-loaded, kamc-unknown-modparam, kamc-modparam-type,
// kamc-duplicate-modparam.
void checkModparams(const LintContext& ctx);
// Rules kamc-bad-db-url, kamc-db-driver-not-loaded, kamc-bad-modparam-value,
// kamc-ineffective-modparam, kamc-undefined-dialog-profile: values read with
// a module's own grammar, and the names they define.
void checkModuleParamValues(const LintContext& ctx);
// Rules kamc-readonly-pv, kamc-unknown-pv, kamc-unknown-transformation,
// kamc-implicit-avp, kamc-bad-format (and kamc-module-not-loaded).
void checkPseudoVariables(const LintContext& ctx);
// Rule kamc-type-mismatch.
void checkExpressionTypes(const LintContext& ctx);
// Rule kamc-bad-regex.
void checkRegexes(const LintContext& ctx);
// Rule kamc-uninitialized-var.
void checkUninitializedVars(const LintContext& ctx);
// Rule kamc-exec-taint.
void checkExecTaint(const LintContext& ctx);

}  // namespace kamc::lint
