// Each cfgcheck rule: a config that triggers it and a near miss that does not.
#include <gtest/gtest.h>

#include <algorithm>

#include "kamc/driver/DiagnosticOutput.h"
#include "kamc/frontend/Pipeline.h"

using namespace kamc;

namespace {

// A config through the front end, every check run.
frontend::Compilation linted(const std::string& text) {
  frontend::Compilation unit = frontend::check(frontend::ConfigInput::inMemory("t.cfg", text), {});
  EXPECT_TRUE(unit.linted) << "the test config must parse";
  return unit;
}

std::vector<std::string> rulesOf(const DiagnosticEngine& diags) {
  std::vector<std::string> rules;
  for (const Diagnostic& d : diags.diagnostics()) rules.push_back(d.rule);
  return rules;
}

// The rule ids reported for a config, in order.
std::vector<std::string> rulesFor(const std::string& text) { return rulesOf(linted(text).diags); }

using Rules = std::vector<std::string>;

// The modules most configs load, so that a test exercises one rule only.
const std::string kCommonModules =
    "loadmodule \"tm.so\"\nloadmodule \"sl.so\"\nloadmodule \"pv.so\"\nloadmodule \"xlog.so\"\n"
    "loadmodule \"textops.so\"\nloadmodule \"exec.so\"\n";

std::vector<std::string> rulesWithModules(const std::string& text) { return rulesFor(kCommonModules + text); }

// The messages of one rule's findings.
std::vector<std::string> messagesOf(const std::string& rule, const std::string& text) {
  frontend::Compilation unit = linted(text);
  std::vector<std::string> messages;
  for (const Diagnostic& d : unit.diags.diagnostics())
    if (d.rule == rule) messages.push_back(d.message);
  return messages;
}

}  // namespace

TEST(LintRoutes, CallOfAMissingRouteIsAnError) {
  EXPECT_EQ(rulesFor("request_route { route(NOPE); }\n"), Rules{"kamc-undefined-route"});
  EXPECT_EQ(rulesFor("request_route { route(YES); }\nroute[YES] { exit; }\n"), Rules{});
}

TEST(LintRoutes, RoutesArmedByStringMustExistWithTheRightKind) {
  // t_on_failure names a failure_route; a plain route of that name does not count.
  EXPECT_EQ(rulesWithModules("request_route { t_on_failure(\"F\"); }\nroute[F] { exit; }\n"),
            (Rules{"kamc-undefined-route", "kamc-unused-route"}));
  EXPECT_EQ(rulesWithModules("request_route { t_on_failure(\"F\"); t_on_branch(\"B\"); t_on_reply(\"R\"); }\n"
                     "failure_route[F] { exit; }\nbranch_route[B] { exit; }\nonreply_route[R] { exit; }\n"),
            Rules{});
}

TEST(LintRoutes, DynamicRouteNamesAreNotGuessed) {
  EXPECT_EQ(rulesWithModules("request_route { route($var(next)); t_on_failure(\"$var(f)\"); }\nroute[A] { exit; }\n"),
            Rules{});
}

TEST(LintRoutes, DuplicateNamesAreErrors) {
  EXPECT_EQ(rulesFor("request_route { route(A); }\nroute[A] { exit; }\nroute[A] { drop; }\n"),
            Rules{"kamc-duplicate-route"});
  EXPECT_EQ(rulesWithModules("request_route { route(A); t_on_failure(\"A\"); }\nroute[A] { exit; }\n"
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
  EXPECT_EQ(rulesWithModules("request_route { exit; xlog(\"x\"); }\n"), Rules{"kamc-unreachable-code"});
  EXPECT_EQ(rulesWithModules("request_route { if ($rU) { exit; } else { drop; } xlog(\"x\"); }\n"),
            Rules{"kamc-unreachable-code"});
  EXPECT_EQ(rulesWithModules("request_route { if ($rU) { exit; } xlog(\"x\"); }\n"), Rules{});
  EXPECT_EQ(rulesWithModules("request_route { switch ($rm) { case \"A\": break; case \"B\": exit; } xlog(\"x\"); }\n"),
            Rules{});
}

TEST(LintOutput, SuppressionCommentsAndWerror) {
  frontend::Compilation unit =
      linted("loadmodule \"xlog.so\"\nrequest_route {\n exit;\n xlog(\"a\"); # cfgcheck: disable=kamc-unreachable-code\n}\n");
  ASSERT_EQ(unit.diags.diagnostics().size(), 1u);
  EXPECT_TRUE(applyFilter(unit.diags.diagnostics(), unit.sm, {}).empty());
  DiagnosticEngine other;
  other.report("kamc-unreachable-code", {unit.pp.mainFile, 2, 2}, "x");
  std::vector<Diagnostic> raised = applyFilter(other.diagnostics(), unit.sm, {{}, true});
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].severity, Severity::Error);
  EXPECT_TRUE(applyFilter(other.diagnostics(), unit.sm, {{"kamc-unreachable-code"}, false}).empty());
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

// ------------------------------------------------------------- function calls

TEST(LintCalls, UnknownFunctionsAreErrorsWithASuggestion) {
  EXPECT_EQ(rulesWithModules("request_route { sl_send_replyy(\"404\", \"x\"); }\n"), Rules{"kamc-unknown-function"});
  EXPECT_EQ(messagesOf("kamc-unknown-function", "request_route { xlgo(\"x\"); }\n"),
            (std::vector<std::string>{"unknown function 'xlgo': neither the core nor any Kamailio 5.6 module "
                                      "exports it; did you mean 'xlog' (module xlog, not loaded)?"}));
  EXPECT_EQ(rulesWithModules("request_route { sl_send_reply(\"404\", \"x\"); }\n"), Rules{});
}

TEST(LintCalls, FunctionsInConditionsAreResolvedToo) {
  EXPECT_EQ(rulesFor("request_route { if (is_method(\"INVITE\")) exit; }\n"), Rules{"kamc-module-not-loaded"});
  EXPECT_EQ(rulesFor("loadmodule \"textops\"\nrequest_route { if (is_method(\"INVITE\")) exit; }\n"), Rules{});
}

TEST(LintCalls, AFunctionOfAModuleNotLoadedNamesTheModule) {
  EXPECT_EQ(messagesOf("kamc-module-not-loaded", "request_route { sl_send_reply(\"404\", \"x\"); }\n"),
            (std::vector<std::string>{"'sl_send_reply' comes from module sl, which is not loaded; add loadmodule "
                                      "\"sl.so\" (Kamailio: \"unknown command, missing loadmodule?\")"}));
  // Any spelling of the module path loads it.
  EXPECT_EQ(rulesFor("loadmodule \"/usr/lib/x86_64-linux-gnu/kamailio/modules/sl.so\"\n"
                     "request_route { sl_send_reply(\"404\", \"x\"); }\n"),
            Rules{});
}

TEST(LintCalls, AModuleLoadedBelowTheUseIsTooLate) {
  EXPECT_EQ(rulesFor("request_route { sl_send_reply(\"404\", \"x\"); }\nloadmodule \"sl.so\"\n"),
            Rules{"kamc-module-not-loaded"});
}

TEST(LintCalls, CoreFunctionsNeedNoModule) {
  EXPECT_EQ(rulesFor("request_route { setflag(1); rewritehost(\"a\"); force_rport; forward(); }\n"), Rules{});
}

TEST(LintCalls, ArgumentCountsFollowTheExports) {
  EXPECT_EQ(rulesWithModules("request_route { sl_send_reply(\"404\"); }\n"), Rules{"kamc-wrong-arg-count"});
  EXPECT_EQ(messagesOf("kamc-wrong-arg-count", kCommonModules + "request_route { t_relay(\"a\"); }\n"),
            (std::vector<std::string>{"'t_relay' takes 0 or 2 arguments, not 1 (Kamailio: \"failed to find command "
                                      "t_relay (params 1)\")"}));
  EXPECT_EQ(rulesFor("request_route { forward(\"a\", 1, 2); }\n"), Rules{"kamc-wrong-arg-count"});
  EXPECT_EQ(rulesWithModules("request_route { t_relay(); t_relay(\"h\", \"5060\"); }\n"), Rules{});
}

TEST(LintCalls, ModuleFunctionsNeedParentheses) {
  EXPECT_EQ(rulesWithModules("request_route { t_relay; }\n"), Rules{"kamc-missing-parens"});
  EXPECT_EQ(rulesFor("request_route { revert_uri; }\n"), Rules{});
}

TEST(LintCalls, ABareNameIsReportedAtTheNextTokenWhereKamailioStops) {
  // kamailio -c: "line 3, column 2: '('')' expected (function call)".
  frontend::Compilation unit = linted("request_route {\n  if ($rU != MY_PORT\n  ) { exit; }\n}\n");
  const Diagnostic* found = nullptr;
  for (const Diagnostic& d : unit.diags.diagnostics())
    if (d.rule == "kamc-unknown-function") found = &d;
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->loc.line, 3u);
  EXPECT_EQ(found->loc.column, 3u);
  ASSERT_EQ(found->notes.size(), 1u);
  EXPECT_EQ(found->notes[0].loc.line, 2u);
  EXPECT_EQ(found->notes[0].loc.column, 14u);
  EXPECT_NE(found->message.find("#!define"), std::string::npos) << found->message;
}

namespace {

// A config through the front end as cfgcheck runs it: checks go on after errors.
frontend::Compilation checkedAsCfgcheck(const std::string& text) {
  frontend::PipelineOptions cfgcheck;
  cfgcheck.keepGoing = true;
  return frontend::check(frontend::ConfigInput::inMemory("t.cfg", text), cfgcheck);
}

// "rule:line" for each finding, in order.
std::vector<std::string> findingsOf(const frontend::Compilation& unit) {
  std::vector<std::string> out;
  for (const Diagnostic& d : unit.diags.diagnostics()) out.push_back(d.rule + ":" + std::to_string(d.loc.line));
  return out;
}

// The same without the syntax errors, where how many the recovery reports is not the point.
std::vector<std::string> findingsBesideSyntaxErrors(const frontend::Compilation& unit) {
  std::vector<std::string> out;
  for (const Diagnostic& d : unit.diags.diagnostics())
    if (d.rule != "kamc-syntax") out.push_back(d.rule + ":" + std::to_string(d.loc.line));
  return out;
}

}  // namespace

TEST(LintRecovery, ItemsAroundASyntaxErrorAreCheckedInTheSameRun) {
  frontend::Compilation unit = checkedAsCfgcheck(
      "loadmodule \"xlog.so\"\nloadmodule \"sl.so\"\n"   // 1-2
      "modparam(\"sl\", \"bogus\", 1)\n"                  // 3
      "request_route {\n xlogg(\"a\");\n route(NOPE);\n}\n"  // 4-7
      "route[BROKEN] {\n if ($rU == \"a\" { exit; }\n}\n"   // 8-10
      "route[AFTER] {\n sl_send_reply(\"404\");\n}\n");     // 11-13
  EXPECT_FALSE(unit.linted);
  EXPECT_EQ(findingsOf(unit), (Rules{"kamc-syntax:9", "kamc-unknown-modparam:3", "kamc-unknown-function:5",
                                     "kamc-wrong-arg-count:12", "kamc-undefined-route:6"}));
  EXPECT_EQ(unit.exitCode(), 1);
  EXPECT_EQ(unit.checkedConfig(), nullptr) << "a config with errors is never handed to codegen";
}

TEST(LintRecovery, ARouteWhoseBodyDidNotParseIsStillDefined) {
  // route(R) names the broken route: not undefined. R's own calls are lost,
  // so no route is called "unused" either (USED may be called in the hole).
  frontend::Compilation unit = checkedAsCfgcheck(
      "request_route {\n route(R);\n}\nroute[R] {\n route(USED)\n exit;\n}\nroute[USED] {\n exit;\n}\n");
  EXPECT_EQ(findingsOf(unit), Rules{"kamc-syntax:6"});
}

TEST(LintRecovery, TheStatementsOfABrokenRouteThatParsedAreChecked) {
  // As Kamailio: the ';' missing after route(A) is reported at xlogg, and
  // xlogg itself is still checked; so is the statement before the error.
  // The `if` that holds the second error is not.
  frontend::Compilation unit = checkedAsCfgcheck(
      "loadmodule \"xlog.so\"\nrequest_route {\n xlog(\"a\", \"b\", \"c\", \"d\");\n route(A)\n"
      " xlogg(\"x\");\n if ($ru == \"x\" { xlogg(\"y\"); }\n}\nroute[A] {\n exit;\n}\n");
  EXPECT_EQ(findingsOf(unit), (Rules{"kamc-syntax:5", "kamc-syntax:6", "kamc-wrong-arg-count:3",
                                     "kamc-unknown-function:5"}));
}

TEST(LintRecovery, StatementsReadFromASwallowedItemAreNotChecked) {
  // route[A] lacks its '}': what follows `route[B]` is B's text, not A's.
  frontend::Compilation unit = checkedAsCfgcheck(
      "loadmodule \"xlog.so\"\nrequest_route {\n exit;\n}\nroute[A] {\n xlogg(\"a\");\n"
      "route[B] {\n xlogg(\"b\");\n nosuchfunc();\n}\n");
  std::vector<std::string> found = findingsBesideSyntaxErrors(unit);
  EXPECT_EQ(found, Rules{"kamc-unknown-function:6"});
}

TEST(LintRecovery, FlowChecksWaitForEveryRouteBody) {
  // The broken route may assign $var(x): reading it is no finding.
  frontend::Compilation unit = checkedAsCfgcheck(
      "loadmodule \"pv.so\"\nloadmodule \"xlog.so\"\n"
      "request_route {\n route(SET);\n xlog(\"$var(x)\");\n}\nroute[SET] {\n $var(x) = 1\n exit;\n}\n");
  EXPECT_EQ(findingsOf(unit), Rules{"kamc-syntax:9"});
}

TEST(LintRecovery, AnItemSwallowedByTheRecoveryHidesWholeConfigFindings) {
  // route[A] lacks its '}', so route[B] is read as statements of A: B is not
  // in the tree, and route(B) is not called undefined. The findings no lost
  // route can refute remain.
  frontend::Compilation unit = checkedAsCfgcheck(
      "loadmodule \"xlog.so\"\nrequest_route {\n route(B);\n xlog(\"a\", \"b\", \"c\", \"d\");\n"
      " xlogg(\"x\");\n}\nroute[A] {\n xlog(\"a\");\nroute[B] {\n xlog(\"b\");\n}\n");
  std::vector<std::string> found = findingsBesideSyntaxErrors(unit);
  EXPECT_EQ(found, (Rules{"kamc-wrong-arg-count:4", "kamc-unknown-function:5"}));
}

TEST(LintRecovery, ABrokenLoadmoduleLineHidesTheFindingsItCouldRefute) {
  // Line 2 may have been meant to load sl, or a module with an xlogg: its
  // names are not judged. The route reference still is.
  frontend::Compilation unit = checkedAsCfgcheck(
      "loadmodule \"xlog.so\"\nloadmodule (\"sl.so\")\nrequest_route {\n xlogg(\"a\");\n"
      " sl_send_reply(\"404\");\n route(NOPE);\n}\n");
  EXPECT_EQ(findingsOf(unit), (Rules{"kamc-syntax:2", "kamc-syntax:2", "kamc-undefined-route:6"}));
}

TEST(LintRecovery, ABrokenModparamDoesNotHideTheRoutes) {
  frontend::Compilation unit = checkedAsCfgcheck(
      "loadmodule \"xlog.so\"\nmodparam(\"xlog\", \"buf_size\" 1)\n"
      "request_route {\n xlog(\"a\", \"b\", \"c\", \"d\");\n}\n");
  EXPECT_EQ(findingsOf(unit), (Rules{"kamc-syntax:2", "kamc-wrong-arg-count:4"}));
}

TEST(LintRecovery, APreprocessorErrorThatKeepsTheTextRunsEveryCheck) {
  frontend::Compilation unit = checkedAsCfgcheck("#!ifndef X\nrequest_route {\n route(NOPE);\n}\n");
  EXPECT_EQ(findingsOf(unit), (Rules{"kamc-unclosed-ifdef:1", "kamc-undefined-route:3"}));
}

TEST(LintRecovery, TheParsedTreeIsLeftWholeForTheLanguageServer) {
  frontend::Compilation unit = checkedAsCfgcheck("request_route {\n route(R);\n}\nroute[R] {\n exit\n}\n");
  ASSERT_TRUE(unit.config);
  ASSERT_EQ(unit.config->items.size(), 2u);
  const auto& broken = static_cast<const ast::RouteItem&>(*unit.config->items[1]);
  ASSERT_TRUE(broken.body) << "the checks saw the header alone; the tree keeps the body";
  EXPECT_FALSE(broken.body->body.empty());
}

TEST(LintCatalog, TopLevelChecksRunOnATreeWithSyntaxErrors) {
  // Kamailio reads in order: the unknown core parameter on line 1 comes
  // before the syntax error on line 2.
  frontend::PipelineOptions cfgcheck;
  cfgcheck.keepGoing = true;
  frontend::Compilation unit = frontend::check(
      frontend::ConfigInput::inMemory("t.cfg", "fifo=\"/tmp/x\"\nrequest_route { exit }\n"), cfgcheck);
  EXPECT_FALSE(unit.linted);
  EXPECT_EQ(rulesOf(unit.diags), (Rules{"kamc-syntax", "kamc-unknown-core-param"}));
}

TEST(LintCalls, CallsInsideModuleFunctionArgumentsAreRefused) {
  EXPECT_EQ(rulesWithModules("request_route { xlog(is_method(\"A\")); }\n"), Rules{"kamc-call-in-argument"});
  EXPECT_EQ(rulesWithModules("failure_route[F] { exit; }\nrequest_route { t_on_failure(F); }\n"),
            Rules{"kamc-call-in-argument"});
  EXPECT_EQ(rulesWithModules("failure_route[F] { exit; }\nroute[R] { exit; }\n"
                             "request_route { route(R); t_on_failure(\"F\"); }\n"),
            Rules{});
}

TEST(LintCalls, AFunctionOutsideItsRouteTypesIsAnError) {
  EXPECT_EQ(rulesWithModules("failure_route[F] { sl_send_reply(\"404\", \"x\"); }\n"
                             "request_route { t_on_failure(\"F\"); }\n"),
            Rules{"kamc-route-type"});
  EXPECT_EQ(rulesWithModules("failure_route[F] { t_reply(\"404\", \"x\"); }\n"
                             "request_route { t_on_failure(\"F\"); }\n"),
            Rules{});
}

TEST(LintCalls, OnsendRouteTakesFewCoreStatements) {
  EXPECT_EQ(messagesOf("kamc-route-type", "onsend_route { forward(); }\nrequest_route { exit; }\n"),
            (std::vector<std::string>{"'forward' cannot be used in onsend_route: module core allows it in every "
                                      "block but onsend_route (Kamailio: \"command not allowed in onsend_route\")"}));
  EXPECT_EQ(rulesFor("onsend_route { setflag(1); log(\"x\"); drop; }\nrequest_route { exit; }\n"), Rules{});
}

TEST(LintCalls, NamedRoutesAreCheckedAsRequestRoutesLikeKamailioDoes) {
  // t_drop_replies is failure_route only: kamailio -c refuses it in route[X],
  // whoever calls the route.
  EXPECT_EQ(rulesWithModules("route[R] { t_drop_replies(); }\nfailure_route[F] { route(R); }\n"
                             "request_route { t_on_failure(\"F\"); }\n"),
            Rules{"kamc-route-type"});
}

// ------------------------------------------------------------------ modparams

TEST(LintModparams, AModparamNeedsItsModuleLoadedAbove) {
  EXPECT_EQ(rulesFor("modparam(\"tm\", \"fr_timer\", 1000)\nrequest_route { exit; }\n"),
            Rules{"kamc-module-not-loaded"});
  EXPECT_EQ(rulesFor("modparam(\"tm\", \"fr_timer\", 1000)\nloadmodule \"tm.so\"\nrequest_route { exit; }\n"),
            Rules{"kamc-module-not-loaded"});
  EXPECT_EQ(rulesFor("loadmodule \"tm.so\"\nmodparam(\"tm\", \"fr_timer\", 1000)\nrequest_route { exit; }\n"),
            Rules{});
}

TEST(LintModparams, UnknownParametersAreErrorsWithASuggestion) {
  EXPECT_EQ(messagesOf("kamc-unknown-modparam",
                       "loadmodule \"tm.so\"\nmodparam(\"tm\", \"fr_timerr\", 1000)\nrequest_route { exit; }\n"),
            (std::vector<std::string>{"module tm has no parameter 'fr_timerr'; did you mean 'fr_timer'? (Kamailio: "
                                      "\"Can't set module parameter\")"}));
}

TEST(LintModparams, TheModuleNameIsARegularExpressionOverLoadedModules) {
  std::string loads = "loadmodule \"tm.so\"\nloadmodule \"rr.so\"\n";
  // Every matching module must export the parameter: tm has no append_fromtag.
  EXPECT_EQ(rulesFor(loads + "modparam(\"tm|rr\", \"append_fromtag\", 1)\nrequest_route { exit; }\n"),
            Rules{"kamc-unknown-modparam"});
  EXPECT_EQ(rulesFor(loads + "modparam(\"T.*\", \"fr_timer\", 1)\nrequest_route { exit; }\n"), Rules{});
}

TEST(LintModparams, ValuesMustHaveTheParameterType) {
  std::string tm = "loadmodule \"tm.so\"\n";
  EXPECT_EQ(rulesFor(tm + "modparam(\"tm\", \"fr_timer\", \"1000\")\nrequest_route { exit; }\n"),
            Rules{"kamc-modparam-type"});
  EXPECT_EQ(rulesFor("loadmodule \"rr.so\"\nmodparam(\"rr\", \"custom_user_avp\", 5)\nrequest_route { exit; }\n"),
            Rules{"kamc-modparam-type"});
  EXPECT_EQ(rulesFor(tm + "modparam(\"tm\", \"fr_timer\", -1)\nrequest_route { exit; }\n"), Rules{});
}

TEST(LintModparams, APlainParameterSetTwiceLosesTheFirstValue) {
  std::string tm = "loadmodule \"tm.so\"\n";
  EXPECT_EQ(rulesFor(tm + "modparam(\"tm\", \"fr_timer\", 1)\nmodparam(\"tm\", \"fr_timer\", 2)\n"
                          "request_route { exit; }\n"),
            Rules{"kamc-duplicate-modparam"});
  // Parameters handed to the module line by line accumulate.
  EXPECT_EQ(rulesFor("loadmodule \"htable.so\"\nmodparam(\"htable\", \"htable\", \"a=>size=4\")\n"
                     "modparam(\"htable\", \"htable\", \"b=>size=4\")\nrequest_route { exit; }\n"),
            Rules{});
}

// ------------------------------------------------- module parameter values

// auth_db binds its driver whenever db_url is set; db_mysql is loaded here,
// so only the URL's grammar (Kamailio's srdb1 parser) is judged.
std::vector<std::string> dbUrlRules(const std::string& url) {
  return rulesFor("loadmodule \"db_mysql.so\"\nloadmodule \"auth_db.so\"\nmodparam(\"auth_db\", \"db_url\", \"" + url +
                  "\")\nrequest_route { exit; }\n");
}

TEST(LintModuleParamValues, DatabaseUrlsFollowKamailiosParser) {
  for (const char* taken : {"mysql://kamailio:kamailiorw@localhost/kamailio", "mysql://localhost/kamailio",
                            "mysql://localhost:3306/kamailio", "mysql://u:p@ss@localhost/db",  // '@' in the password
                            "mysql://user@example.com:pw@localhost/db",                        // '@' in the user
                            "mysql://u:p@[::1]:3306/db", "mysql://[fe80::1]/db", "mysql://u:p@h/",  // empty database
                            "mysql://h/db?opt=1"})
    EXPECT_EQ(dbUrlRules(taken), Rules{}) << taken;
  for (const char* refused : {"mysql://localhost", "mysql:/localhost/db", "mysql:localhost/db",
                              "mysql://[::1/db", "mysql://u:p@localhost:3306"})
    EXPECT_EQ(dbUrlRules(refused), Rules{"kamc-bad-db-url"}) << refused;
  // Without a ':' Kamailio looks for a driver named after the whole value.
  EXPECT_EQ(dbUrlRules("localhost/kamailio"), Rules{"kamc-bad-db-url"});
}

TEST(LintModuleParamValues, ADatabaseUrlNeedsTheDriverOfItsScheme) {
  std::string authDb = "loadmodule \"auth_db.so\"\nmodparam(\"auth_db\", \"db_url\", \"postgres://h/db\")\n";
  EXPECT_EQ(rulesFor(authDb + "request_route { exit; }\n"), Rules{"kamc-db-driver-not-loaded"});
  // Modules bind their driver when they initialise: below the URL is in time.
  EXPECT_EQ(rulesFor(authDb + "loadmodule \"db_postgres.so\"\nrequest_route { exit; }\n"), Rules{});
  EXPECT_EQ(messagesOf("kamc-db-driver-not-loaded",
                       "loadmodule \"auth_db.so\"\nmodparam(\"auth_db\", \"db_url\", \"mysqll://h/db\")\n"
                       "request_route { exit; }\n")
                .at(0)
                .find("did you mean 'mysql'?") != std::string::npos,
            true);
  // One modparam line for several modules is one finding.
  EXPECT_EQ(rulesFor("loadmodule \"acc.so\"\nloadmodule \"auth_db.so\"\n"
                     "modparam(\"acc|auth_db\", \"db_url\", \"mysql://h/db\")\nrequest_route { exit; }\n"),
            Rules{"kamc-db-driver-not-loaded"});
  // sqlops' connections are "name=>URL", each one's driver bound.
  EXPECT_EQ(rulesFor("loadmodule \"sqlops.so\"\nmodparam(\"sqlops\", \"sqlcon\", \"ca => postgres://h/db\")\n"
                     "request_route { exit; }\n"),
            Rules{"kamc-db-driver-not-loaded"});
  // usrloc binds it only with a db_mode other than 0, set above or below.
  std::string usrloc = "loadmodule \"usrloc.so\"\nmodparam(\"usrloc\", \"db_url\", \"mysql://h/db\")\n";
  EXPECT_EQ(rulesFor(usrloc + "request_route { exit; }\n"), Rules{});
  EXPECT_EQ(rulesFor(usrloc + "modparam(\"usrloc\", \"db_mode\", 0)\nrequest_route { exit; }\n"), Rules{});
  EXPECT_EQ(rulesFor(usrloc + "modparam(\"usrloc\", \"db_mode\", 3)\nrequest_route { exit; }\n"),
            Rules{"kamc-db-driver-not-loaded"});
}

std::vector<std::string> modparamRules(const std::string& module, const std::string& param, const std::string& value) {
  return rulesFor("loadmodule \"tm.so\"\nloadmodule \"rr.so\"\nloadmodule \"" + module + ".so\"\nmodparam(\"" + module +
                  "\", \"" + param + "\", \"" + value + "\")\nrequest_route { exit; }\n");
}

TEST(LintModuleParamValues, HtableDefinitionsFollowHtablesParser) {
  for (const char* taken : {"a=>size=8;autoexpire=300", " a =>size = 8 ;", "a=>initval=-1;size=+4", "a=>cols=",
                            "=>size=4", "a=>dbmode=0;cols"})
    EXPECT_EQ(modparamRules("htable", "htable", taken), Rules{}) << taken;
  for (const char* refused : {"a", "a b=>size=8", "a=>colnull=0", "a=>Size=8", "a=>size=-1", "a=>size=0x10",
                              "a=>size=99999999999", "a=>size", "a=>cols=;size=4", "a=>size=8;;autoexpire=1"})
    EXPECT_EQ(modparamRules("htable", "htable", refused), Rules{"kamc-bad-modparam-value"}) << refused;
  EXPECT_EQ(modparamRules("htable", "htable", "a=>dbtable=location"), Rules{"kamc-ineffective-modparam"});
}

TEST(LintModuleParamValues, DialogProfileNamesAndRtpengineSets) {
  EXPECT_EQ(modparamRules("dialog", "profiles_with_value", " a_1 ; b;;"), Rules{});
  EXPECT_EQ(modparamRules("dialog", "profiles_with_value", "caller-id"), Rules{"kamc-bad-modparam-value"});
  EXPECT_EQ(modparamRules("dialog", "profiles_no_value", "a;b;a"), Rules{"kamc-bad-modparam-value"});
  EXPECT_EQ(modparamRules("rtpengine", "rtpengine_sock", "1 == udp:h:2223=2 UDP:h:2224 unix:/run/rtpe.sock"), Rules{});
  EXPECT_EQ(modparamRules("rtpengine", "rtpengine_sock", "x == udp:h:2223"), Rules{"kamc-bad-modparam-value"});
  EXPECT_EQ(modparamRules("rtpengine", "rtpengine_sock", "1 ==  "), Rules{"kamc-bad-modparam-value"});
  EXPECT_EQ(modparamRules("rtpengine", "rtpengine_sock", "h:2223 udp:h:99999"), Rules{"kamc-ineffective-modparam"});
}

// ---------------------------------------------------------- pseudo-variables

TEST(LintPseudoVariables, ReadOnlyVariablesCannotBeAssigned) {
  EXPECT_EQ(rulesWithModules("request_route { $si = \"1.2.3.4\"; }\n"), Rules{"kamc-readonly-pv"});
  EXPECT_EQ(rulesWithModules("request_route { $ru = \"sip:a@b\"; $var(x) = $si; }\n"), Rules{});
}

TEST(LintPseudoVariables, ScriptVariablesNeedTheirModule) {
  EXPECT_EQ(rulesFor("request_route { $var(x) = 1; }\n"), Rules{"kamc-module-not-loaded"});
  EXPECT_EQ(rulesWithModules("request_route { $var(x) = $foo(x); }\n"), Rules{"kamc-unknown-pv"});
  EXPECT_EQ(rulesWithModules("request_route { $var(x) = $hdr(From) + $fU; }\n"), Rules{});
}

TEST(LintPseudoVariables, APlainUnknownNameIsSilentlyAnAvp) {
  EXPECT_EQ(rulesWithModules("request_route { $foo = 1; }\n"), Rules{"kamc-implicit-avp"});
  EXPECT_EQ(rulesFor("request_route { if ($ru == \"x\") exit; }\n"), Rules{"kamc-implicit-avp"});
  // An index makes even a real pseudo-variable an AVP outside $( ).
  EXPECT_EQ(rulesWithModules("request_route { $var(x) = $pu[1]; $var(y) = $(pu[1]); }\n"), Rules{"kamc-implicit-avp"});
  EXPECT_EQ(rulesWithModules("request_route { $avp(foo) = 1; $f.bar = 2; }\n"), Rules{});
}

TEST(LintPseudoVariables, TransformationsMustExistWithTheirParameters) {
  EXPECT_EQ(rulesWithModules("request_route { $var(x) = $(ru{s.foo}); }\n"), Rules{"kamc-unknown-transformation"});
  EXPECT_EQ(rulesWithModules("request_route { $var(x) = $(ru{s.len,1}); }\n"), Rules{"kamc-unknown-transformation"});
  EXPECT_EQ(rulesWithModules("request_route { $var(x) = $(ru{foo.len}); }\n"), Rules{"kamc-unknown-transformation"});
  EXPECT_EQ(rulesWithModules("request_route { $var(x) = $(ru{s.substr,1,2}{uri.user}); }\n"), Rules{});
}

TEST(LintPseudoVariables, FormatArgumentsAreCheckedAsTheModuleWillAtStartUp) {
  EXPECT_EQ(rulesWithModules("request_route { xlog(\"L_INFO\", \"user $rU from $SIP_USER\\n\"); }\n"),
            Rules{"kamc-bad-format"});
  EXPECT_EQ(rulesWithModules("request_route { xlog(\"L_INFO\", \"$(ru{s.nope})\\n\"); }\n"), Rules{"kamc-bad-format"});
  EXPECT_EQ(rulesWithModules("request_route { xlog(\"L_INFO\", \"user $rU costs $$5 $(ru{uri.user})\\n\"); }\n"),
            Rules{});
}

TEST(LintPseudoVariables, ADotAfterANameInAFormatBelongsToTheName) {
  // pv_parse_spec reads "$ru." as the name "ru.", which xlog's fixup refuses.
  EXPECT_EQ(messagesOf("kamc-bad-format", kCommonModules + "request_route { xlog(\"L_INFO\", \"to $ru.\\n\"); }\n"),
            (std::vector<std::string>{"unknown pseudo-variable $ru.: Kamailio reads '.' as part of the name; write "
                                      "$(ru). to end it before (in a format argument of 'xlog': kamailio -c does not "
                                      "look, but the module's start-up fixup fails on it)"}));
  EXPECT_EQ(rulesWithModules("loadmodule \"tmx.so\"\nrequest_route { $var(x) = 1; "
                             "xlog(\"L_INFO\", \"$err.class $(ru). $var(x). $T_req($hdr(X))\\n\"); }\n"),
            Rules{});
}

// ---------------------------------------------------------- route-type chains

TEST(LintRouteChains, AFunctionReachedFromAnotherBlockTypeShowsTheChain) {
  std::string cfg = kCommonModules +
                    "route[RELAY] { if (!t_relay()) { sl_reply_error(); } }\n"
                    "failure_route[MANAGE_FAILURE] { route(RELAY); }\n"
                    "request_route { t_on_failure(\"MANAGE_FAILURE\"); route(RELAY); }\n";
  EXPECT_EQ(messagesOf("kamc-route-type-via-call", cfg),
            (std::vector<std::string>{
                "'sl_reply_error' is not allowed in failure_route (failure_route[MANAGE_FAILURE] -> route[RELAY]): "
                "module sl allows it in request_route; kamailio -c does not follow route() calls, but the function "
                "runs in the wrong place"}));
}

TEST(LintRouteChains, ChainsAreFollowedThroughSeveralRoutes) {
  EXPECT_EQ(rulesWithModules("route[B] { sl_send_reply(\"500\", \"x\"); }\nroute[A] { route(B); }\n"
                             "branch_route[BR] { route(A); }\nrequest_route { t_on_branch(\"BR\"); }\n"),
            Rules{"kamc-route-type-via-call"});
  // The same chain from a request route is fine.
  EXPECT_EQ(rulesWithModules("route[B] { sl_send_reply(\"500\", \"x\"); }\nroute[A] { route(B); }\n"
                             "request_route { route(A); }\n"),
            Rules{});
}

// ----------------------------------------------------------- expression types

TEST(LintTypes, KamailiosParseTimeTypeErrorsAreReported) {
  EXPECT_EQ(messagesOf("kamc-type-mismatch", kCommonModules + "request_route { $var(r) = 1 + 2 + \"3\"; }\n"),
            (std::vector<std::string>{"bad expression: type mismatch: str instead of int: \"3\" is a str and '+' "
                                      "takes the type of its left operand (kamailio -c refuses the config)"}));
  EXPECT_EQ(rulesWithModules("request_route { $var(r) = \"3\" + 1 + 2; }\n"), Rules{});
}

TEST(LintTypes, ConditionsReturnValuesAndModuleArgumentsAreTyped) {
  EXPECT_EQ(rulesWithModules("request_route { if ($rU && 1 - \"x\") exit; }\n"), Rules{"kamc-type-mismatch"});
  EXPECT_EQ(rulesWithModules("request_route { xlog(1 eq \"1\"); }\n"), Rules{"kamc-type-mismatch"});
  EXPECT_EQ(rulesWithModules("route[R] { return 1 mod \"2\"; }\nrequest_route { route(R); }\n"),
            Rules{"kamc-type-mismatch"});
  // Keyword conditions are Kamailio's own comparisons, not typed rvalues.
  EXPECT_EQ(rulesWithModules("request_route { if (src_port == \"5060\" || method == \"INVITE\") exit; }\n"), Rules{});
  EXPECT_EQ(rulesWithModules("request_route { if (!method == \"MESSAGE\") exit; }\n"), Rules{});
}

TEST(LintTypes, ASwitchComparesIntegersOrStringsAndRegexesNotBoth) {
  // cfg.y's case_check_type: 'bad switch(): mixed integer and string/RE cases not allowed'.
  EXPECT_EQ(messagesOf("kamc-type-mismatch",
                       kCommonModules + "request_route { switch ($rU) {\n case /\"^0049\": break;\n case 49: break;\n} }\n"),
            (std::vector<std::string>{"type mismatch in case: an integer label in a switch whose first label (line "
                                      "8) is a regex; a switch compares either integers or strings and regexes "
                                      "(kamailio -c: 'bad switch(): mixed integer and string/RE cases not allowed')"}));
  EXPECT_EQ(rulesWithModules("request_route { switch ($rU) { case 1: break; case \"a\": break; } }\n"),
            Rules{"kamc-type-mismatch"});
  // Near misses: string and regex labels mix; a regex label may be a number ("5").
  EXPECT_EQ(rulesWithModules("request_route { switch ($rU) { case /\"^0049\": break; case \"123\": break; "
                             "case /5: break; default: break; } }\n"),
            Rules{});
}

TEST(LintTypes, ADefaultWrittenFirstMakesKamailioCompareIntegers) {
  // fix_switch looks at the first label only; kamailio -c accepts, start-up fails
  // with 'wrong case type 3 (int expected)'.
  EXPECT_EQ(rulesWithModules("request_route { switch ($rU) { default: break; case /\"^00\": break; } }\n"),
            Rules{"kamc-type-mismatch"});
  EXPECT_EQ(rulesWithModules("request_route { switch ($rU) { case /\"^00\": break; default: break; } }\n"),
            Rules{});
  EXPECT_EQ(rulesWithModules("request_route { switch ($rU) { default: break; case 1: break; } }\n"), Rules{});
}

// --------------------------------------------------------------------- regexes

TEST(LintRegexes, APatternThatDoesNotCompileFailsAtStartUp) {
  // kamailio -c accepts both; start-up fails in fix_match / fix_match_rve.
  EXPECT_EQ(messagesOf("kamc-bad-regex", kCommonModules + "request_route { switch ($rU) { case /\"^(00\": break; } }\n"),
            (std::vector<std::string>{"bad regular expression \"^(00\": Unmatched ( or \\( (kamailio -c accepts "
                                      "it; its start-up fails)"}));
  EXPECT_EQ(rulesWithModules("request_route { if ($rU =~ \"a\" + \"[\") exit; }\n"), Rules{"kamc-bad-regex"});
  // Near misses: the same characters escaped or in a bracket, and a run-time pattern.
  EXPECT_EQ(rulesWithModules("request_route { switch ($rU) { case /\"^\\(00\": break; } "
                             "if ($rU =~ \"a[[]\" || $rU =~ $fU) exit; }\n"),
            Rules{});
}

// -------------------------------------------------------- uninitialized $var

TEST(LintVars, AVarReadBeforeItsAssignmentIsAWarning) {
  EXPECT_EQ(rulesWithModules("request_route { xlog(\"L_INFO\", \"$var(x)\\n\"); $var(x) = 1; }\n"),
            Rules{"kamc-uninitialized-var"});
  EXPECT_EQ(rulesWithModules("request_route { $var(x) = 1; xlog(\"L_INFO\", \"$var(x)\\n\"); }\n"), Rules{});
}

TEST(LintVars, OnePathWithoutTheAssignmentIsEnough) {
  std::string cfg = kCommonModules + "request_route { if ($rU == \"a\") { $var(x) = 1; } $var(y) = $var(x); }\n";
  EXPECT_EQ(messagesOf("kamc-uninitialized-var", cfg),
            (std::vector<std::string>{"$var(x) is read before any assignment on this path (request_route): a $var "
                                      "keeps the value left by the previous message of the same process, so assign "
                                      "it first"}));
  EXPECT_EQ(rulesWithModules("request_route { if ($rU == \"a\") { $var(x) = 1; } else { $var(x) = 2; } "
                             "$var(y) = $var(x); }\n"),
            Rules{});
  // A path that exits never reaches the read.
  EXPECT_EQ(rulesWithModules("request_route { if ($rU == \"a\") { $var(x) = 1; } else { exit; } "
                             "$var(y) = $var(x); }\n"),
            Rules{});
}

TEST(LintVars, AssignmentsInCalledRoutesCountAndTheChainIsNamed) {
  EXPECT_EQ(rulesWithModules("route[SET] { $var(x) = 1; }\nrequest_route { route(SET); $var(y) = $var(x); }\n"),
            Rules{});
  EXPECT_EQ(messagesOf("kamc-uninitialized-var",
                       kCommonModules + "route[USE] { $var(y) = $var(x); }\nrequest_route { route(USE); }\n"),
            (std::vector<std::string>{"$var(x) is read before any assignment on this path (request_route -> "
                                      "route[USE]): a $var keeps the value left by the previous message of the same "
                                      "process, so assign it first"}));
}

// ------------------------------------------------------------------ exec taint

TEST(LintExecTaint, ACommandBuiltFromTheMessageIsFlaggedWithItsPath) {
  std::string cfg = kCommonModules + "route[EXEC] { exec_msg(\"/usr/bin/notify $rU\"); }\n"
                                     "request_route { route(EXEC); }\n";
  EXPECT_EQ(messagesOf("kamc-exec-taint", cfg),
            (std::vector<std::string>{"'exec_msg' runs a shell command built from $rU, which the SIP sender controls, "
                                      "not validated on this path (request_route -> route[EXEC]); check it first with "
                                      "an anchored regular expression, e.g. if (!($rU =~ \"^[0-9]{1,15}$\")) { exit; }"}));
}

TEST(LintExecTaint, TheNoteSaysKamcRunsTheCommandSafelyAndKamailioDoesNot) {
  std::string cfg = kCommonModules + "request_route { exec_avp(\"echo '$fU'\"); }\n";
  frontend::Compilation unit = linted(cfg);
  const Diagnostic* found = nullptr;
  for (const Diagnostic& d : unit.diags.diagnostics())
    if (d.rule == "kamc-exec-taint") found = &d;
  ASSERT_NE(found, nullptr);
  ASSERT_EQ(found->notes.size(), 1u);
  EXPECT_EQ(found->notes[0].message,
            "kamc runs this command safely: $fU reaches the shell as one quoted word, never as code; Kamailio pastes "
            "its value into the command text, where a quote, ';', '`' or '$(' in it runs as shell code. The script "
            "itself still gets the unchecked value");
}

TEST(LintExecTaint, AnAnchoredRegexCheckMakesTheValueSafe) {
  EXPECT_EQ(rulesWithModules("request_route { if (!($rU =~ \"^[0-9]{1,15}$\")) { exit; } exec_msg(\"n $rU\"); }\n"),
            Rules{});
  EXPECT_EQ(rulesWithModules("request_route { if ($rU =~ \"^[a-z0-9_-]+$\") { exec_msg(\"n $rU\"); } }\n"), Rules{});
  // Not anchored at the end, or admitting anything: still tainted.
  EXPECT_EQ(rulesWithModules("request_route { if (!($rU =~ \"^[0-9]+\")) { exit; } exec_msg(\"n $rU\"); }\n"),
            Rules{"kamc-exec-taint"});
  EXPECT_EQ(rulesWithModules("request_route { if (!($rU =~ \"^.*$\")) { exit; } exec_msg(\"n $rU\"); }\n"),
            Rules{"kamc-exec-taint"});
  // The check covers only the branch where it held.
  EXPECT_EQ(rulesWithModules("request_route { if ($rU =~ \"^[0-9]+$\") { xlog(\"ok\"); } exec_msg(\"n $rU\"); }\n"),
            Rules{"kamc-exec-taint"});
}

TEST(LintExecTaint, TaintFlowsThroughVariables) {
  EXPECT_EQ(messagesOf("kamc-exec-taint", kCommonModules + "request_route { $var(u) = $hdr(X-User); "
                                                           "exec_msg(\"n $var(u)\"); }\n"),
            (std::vector<std::string>{"'exec_msg' runs a shell command built from $var(u), which holds $hdr(X-User) "
                                      "from the SIP message, not validated on this path (request_route); check it "
                                      "first with an anchored regular expression, e.g. if (!($hdr(X-User) =~ "
                                      "\"^[0-9]{1,15}$\")) { exit; }"}));
  EXPECT_EQ(rulesWithModules("request_route { $var(u) = $hdr(X-User); $var(u) = \"fixed\"; "
                             "exec_msg(\"n $var(u)\"); }\n"),
            Rules{});
}

// Issue 19: operands of the core's comparisons that are values, not calls
// (tests/diff/verdicts/keyword-operands.cfg holds kamailio's verdict).
TEST(LintKeywordOperands, AddressFamiliesAndProtocolsAreValues) {
  EXPECT_EQ(rulesWithModules("request_route { if (af == INET6 || af != inet || proto == WSS || proto == *) drop; }\n"
                             "onsend_route { if (snd_af == IPv6 || to_proto == udp) drop; }\n"),
            Rules{});
}

TEST(LintKeywordOperands, BareNamesAfterMethodAndIpKeywordsAreValues) {
  EXPECT_EQ(rulesWithModules("request_route { if (method == INVITE || src_ip == localhost || "
                             "dst_ip != my-host.example.com) drop; }\n"),
            Rules{});
  // After uri a bare name is a call, as in Kamailio.
  EXPECT_EQ(rulesWithModules("request_route { if (uri == sip_server) drop; }\n"), Rules{"kamc-unknown-function"});
}

// Issue 19: transformation parameters read with each transformation's own
// grammar (tests/diff/verdicts/transformation-*.cfg hold kamailio's verdicts).
TEST(LintTransformationParams, SeparatorsMayBeACommaOrABlank) {
  EXPECT_EQ(rulesWithModules("request_route { $var(x) = $(ru{s.select,1,,}) + $(ru{s.select,-1, }) + "
                             "$(ru{s.before,,}) + $(ru{param.count,,}) + $(ru{s.replace,,x}); }\n"),
            Rules{});
  EXPECT_EQ(rulesWithModules("request_route { $var(x) = $(ru{param.value,a,,}); }\n"),
            Rules{"kamc-unknown-transformation"});
  EXPECT_EQ(rulesWithModules("request_route { $var(x) = $(ru{s.select,1,ab}); }\n"),
            Rules{"kamc-unknown-transformation"});
}

TEST(LintTransformationParams, NumbersAreCheckedAsKamailioDoes) {
  EXPECT_EQ(rulesWithModules("request_route { $var(x) = $(ru{s.substr, -1, 2}{s.Len} {s.int}); }\n"), Rules{});
  for (const char* bad : {"{s.substr,1,-2}", "{s.substr,,2}", "{s.substr,1x,2}", "{s.prefixes,}", "{s.len,}"})
    EXPECT_EQ(rulesWithModules(std::string("request_route { $var(x) = $(ru") + bad + "); }\n"),
              Rules{"kamc-unknown-transformation"})
        << bad;
}

TEST(LintTransformationParams, ASubstExpressionKeepsItsCommas) {
  EXPECT_EQ(rulesWithModules("request_route { $var(x) = $(ru{re.subst,/a,b/c,d/g}); }\n"), Rules{});
}

TEST(LintTransformationParams, PseudoVariableParametersMustExist) {
  EXPECT_EQ(rulesWithModules("request_route { $var(x) = $(ru{s.substr,$rU,$nope}); }\n"),
            Rules{"kamc-unknown-pv"});
}

// Issue 19: core parameter values and removed modules, which Kamailio refuses
// at parse time (tests/diff/verdicts/core-param-*.cfg, listen-*.cfg,
// removed-module.cfg hold its verdicts).
TEST(LintCoreParamValues, EachParameterHasItsValueGrammar) {
  EXPECT_EQ(rulesFor("debug=-1\nchildren=0x2\nfork=yes\ndns_try_ipv6=INET6\nuser=kamailio\nlog_prefix=\"x \" \"y\"\n"
                     "request_route { exit; }\n"),
            Rules{});
  for (const char* bad : {"tcp_connection_lifetime=SOME_NAME", "children=-1", "children=\"4\"", "log_prefix=abc",
                          "user=1", "port=3605s"})
    EXPECT_EQ(rulesFor(std::string(bad) + "\nrequest_route { exit; }\n"), Rules{"kamc-syntax"}) << bad;
}

TEST(LintCoreParamValues, ABareWordForANumberSuggestsAnUndefinedDefine) {
  EXPECT_EQ(messagesOf("kamc-syntax", "port=SIPPORT\nrequest_route { exit; }\n"),
            (std::vector<std::string>{"port takes a number (no sign), not 'SIPPORT' (Kamailio: \"number expected\"); "
                                      "is 'SIPPORT' a #!define that is not defined here?"}));
}

TEST(LintCoreParamValues, ListenTakesAddressesPortsAndOptions) {
  EXPECT_EQ(rulesFor("listen=udp:127.0.0.1:5060 tcp:[::1]:* advertise ext.example.com:5060 name \"a\" virtual\n"
                     "listen=udp:(127.0.0.1,127.0.0.2):5070 \"eth0\"\nalias=example.com udp:my-host.example.com:5060\n"
                     "request_route { exit; }\n"),
            Rules{});
  for (const char* bad : {"listen=udp:127.0.0.1:SIPPORT", "listen=ws:127.0.0.1:5060",
                          "listen=udp:127.0.0.1:5060 advertise 192.0.2.1:*", "alias=example.com advertise 192.0.2.1"})
    EXPECT_EQ(rulesFor(std::string(bad) + "\nrequest_route { exit; }\n"), Rules{"kamc-syntax"}) << bad;
}

TEST(LintModules, ARemovedModuleIsAnErrorThatSaysWhatHappenedToIt) {
  EXPECT_EQ(messagesOf("kamc-removed-module", "loadmodule \"mysql.so\"\nrequest_route { exit; }\n"),
            (std::vector<std::string>{"module 'mysql' does not exist in Kamailio 5.6 (the OpenSER 1.x name of "
                                      "db_mysql); Kamailio refuses to start (\"could not find module\")"}));
  EXPECT_EQ(rulesFor("loadmodule \"mi_fifo.so\"\nloadmodule \"nosuch.so\"\nrequest_route { exit; }\n"),
            (Rules{"kamc-removed-module", "kamc-unknown-module"}));
}

// Issue 19: a '$' that starts no pseudo-variable in a format argument fails
// the module's fixup (tests/diff/verdicts/format-lone-dollar.cfg).
TEST(LintPseudoVariables, ALoneDollarInAFormatFailsAtStartUp) {
  EXPECT_EQ(rulesWithModules("request_route { xlog(\"L_INFO\", \"5 $ each\\n\"); }\n"), Rules{"kamc-bad-format"});
  EXPECT_EQ(rulesWithModules("request_route { xlog(\"L_INFO\", \"5 $$ each\\n\"); }\n"), Rules{});
}

TEST(LintOpensipsSyntax, SaveFlagsInOpensipsLettersAreAWarningWithTheirMeaning) {
  std::string modules = "loadmodule \"usrloc.so\"\nloadmodule \"registrar.so\"\n";
  EXPECT_EQ(messagesOf("kamc-opensips-syntax", modules + "request_route { save(\"location\", \"p2v\"); }\n"),
            (std::vector<std::string>{"save() flags 'p2v' are OpenSIPS syntax: Kamailio takes a number here and "
                                      "refuses to start on them (save_fixup(): bad flags <p2v>)"}));
  // Kamailio's own forms: a number, a variable.
  EXPECT_TRUE(messagesOf("kamc-opensips-syntax", modules + "request_route { save(\"location\", \"0x04\"); }\n").empty());
  EXPECT_TRUE(messagesOf("kamc-opensips-syntax", modules + "request_route { save(\"location\", \"$var(f)\"); }\n").empty());
}
