// Each cfgcheck rule: a config that triggers it and a near miss that does not.
#include <gtest/gtest.h>

#include "kamc/driver/DiagnosticOutput.h"
#include "kamc/lint/Lint.h"
#include "kamc/syntax/SyntaxCheck.h"

using namespace kamc;

namespace {

// The rule ids reported for a config, in order.
std::vector<std::string> rulesFor(const std::string& text) {
  SourceManager sm;
  DiagnosticEngine diags;
  PreprocessResult pp = preprocessText("t.cfg", text, {}, sm, diags);
  ParseResult parsed = parseConfig(pp, sm, diags);
  EXPECT_FALSE(diags.hasErrors()) << "the test config must parse";
  lint::runAllChecks({*parsed.config, pp.map, diags});
  std::vector<std::string> rules;
  for (const Diagnostic& d : diags.diagnostics()) rules.push_back(d.rule);
  return rules;
}

using Rules = std::vector<std::string>;

}  // namespace

TEST(LintRoutes, CallOfAMissingRouteIsAnError) {
  EXPECT_EQ(rulesFor("request_route { route(NOPE); }\n"), Rules{"kamc-undefined-route"});
  EXPECT_EQ(rulesFor("request_route { route(YES); }\nroute[YES] { exit; }\n"), Rules{});
}

TEST(LintRoutes, RoutesArmedByStringMustExistWithTheRightKind) {
  // t_on_failure names a failure_route; a plain route of that name does not count.
  EXPECT_EQ(rulesFor("request_route { t_on_failure(\"F\"); }\nroute[F] { exit; }\n"),
            (Rules{"kamc-undefined-route", "kamc-unused-route"}));
  EXPECT_EQ(rulesFor("request_route { t_on_failure(\"F\"); t_on_branch(\"B\"); t_on_reply(\"R\"); }\n"
                     "failure_route[F] { exit; }\nbranch_route[B] { exit; }\nonreply_route[R] { exit; }\n"),
            Rules{});
}

TEST(LintRoutes, DynamicRouteNamesAreNotGuessed) {
  EXPECT_EQ(rulesFor("request_route { route($var(next)); t_on_failure(\"$var(f)\"); }\nroute[A] { exit; }\n"),
            Rules{});
}

TEST(LintRoutes, DuplicateNamesAreErrors) {
  EXPECT_EQ(rulesFor("request_route { route(A); }\nroute[A] { exit; }\nroute[A] { drop; }\n"),
            Rules{"kamc-duplicate-route"});
  EXPECT_EQ(rulesFor("request_route { route(A); t_on_failure(\"A\"); }\nroute[A] { exit; }\n"
                     "failure_route[A] { exit; }\n"),
            Rules{});
}

TEST(LintRoutes, RoutesOnlyReachableFromUnusedRoutesAreUnused) {
  EXPECT_EQ(rulesFor("request_route { exit; }\nroute[A] { route(B); }\nroute[B] { exit; }\n"),
            (Rules{"kamc-unused-route", "kamc-unused-route"}));
  EXPECT_EQ(rulesFor("request_route { route(A); }\nroute[A] { route(B); }\nroute[B] { exit; }\n"), Rules{});
}

TEST(LintRoutes, KemiConfigsAreNotJudgedForUnusedRoutes) {
  EXPECT_EQ(rulesFor("cfgengine \"lua\"\nroute[A] { exit; }\n"), Rules{});
}

TEST(LintFlow, StatementsAfterExitNeverRun) {
  EXPECT_EQ(rulesFor("request_route { exit; xlog(\"x\"); }\n"), Rules{"kamc-unreachable-code"});
  EXPECT_EQ(rulesFor("request_route { if ($a) { exit; } else { drop; } xlog(\"x\"); }\n"),
            Rules{"kamc-unreachable-code"});
  EXPECT_EQ(rulesFor("request_route { if ($a) { exit; } xlog(\"x\"); }\n"), Rules{});
  EXPECT_EQ(rulesFor("request_route { switch ($rm) { case \"A\": break; case \"B\": exit; } xlog(\"x\"); }\n"),
            Rules{});
}

TEST(LintOutput, SuppressionCommentsAndWerror) {
  SourceManager sm;
  DiagnosticEngine diags;
  PreprocessResult pp = preprocessText(
      "t.cfg", "request_route {\n exit;\n xlog(\"a\"); # cfgcheck: disable=kamc-unreachable-code\n}\n", {}, sm,
      diags);
  ParseResult parsed = parseConfig(pp, sm, diags);
  lint::runAllChecks({*parsed.config, pp.map, diags});
  ASSERT_EQ(diags.diagnostics().size(), 1u);
  EXPECT_TRUE(applyFilter(diags.diagnostics(), sm, {}).empty());
  DiagnosticEngine other;
  other.report("kamc-unreachable-code", {pp.mainFile, 2, 2}, "x");
  std::vector<Diagnostic> raised = applyFilter(other.diagnostics(), sm, {{}, true});
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].severity, Severity::Error);
  EXPECT_TRUE(applyFilter(other.diagnostics(), sm, {{"kamc-unreachable-code"}, false}).empty());
}

TEST(LintCatalog, UnknownCoreParametersAreErrors) {
  EXPECT_EQ(rulesFor("loop_checks=1\nrequest_route { exit; }\n"), Rules{"kamc-unknown-core-param"});
  EXPECT_EQ(rulesFor("debug=2\nlog_stderror=no\nchildren=4\ngroup.var = 1\nrequest_route { exit; }\n"),
            Rules{});
}

TEST(LintCatalog, UnknownModulesAreWarnings) {
  EXPECT_EQ(rulesFor("loadmodule \"nosuch.so\"\nrequest_route { exit; }\n"), Rules{"kamc-unknown-module"});
  EXPECT_EQ(rulesFor("loadmodule \"tm.so\"\nloadmodule \"/usr/lib/kamailio/modules/sl.so\"\n"
                     "loadmodule \"rr\"\nrequest_route { exit; }\n"),
            Rules{});
}
