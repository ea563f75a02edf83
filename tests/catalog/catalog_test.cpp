// The module catalog as a specification: facts of Kamailio 5.6.3 that
// cfgcheck, codegen and the runtime rely on, and the invariants of the tables.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "kamc/catalog/Catalog.h"

namespace kc = kamc::catalog;

namespace {

std::set<std::size_t> argCountsOf(std::string_view module, std::string_view name) {
  std::set<std::size_t> counts;
  for (const kc::FunctionInfo& f : kc::functionsNamed(name))
    if (f.module == module)
      for (std::size_t n = f.minArgs; n <= f.maxArgs; ++n) counts.insert(n);
  return counts;
}

const kc::FunctionInfo& row(std::string_view module, std::string_view name, std::size_t args) {
  const kc::FunctionInfo* f = kc::findFunction(module, name, args);
  if (!f) throw std::runtime_error(std::string(module) + "." + std::string(name) + " missing");
  return *f;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST(Functions, MfProcessMaxfwdHeaderIsRequestRouteOnlyWithOneArgument) {
  EXPECT_EQ(argCountsOf("maxfwd", "mf_process_maxfwd_header"), (std::set<std::size_t>{1}));
  const auto& f = row("maxfwd", "mf_process_maxfwd_header", 1);
  EXPECT_EQ(f.routeMask, kc::RequestRoute);
  EXPECT_TRUE(f.allowedIn(kc::RequestRoute));
  EXPECT_FALSE(f.allowedIn(kc::FailureRoute));
  EXPECT_FALSE(f.allowedIn(kc::BranchRoute));
  EXPECT_EQ(f.kinds()[0], kc::ArgKind::Int);
}

TEST(Functions, TRelayTakesNoArgumentsOrHostAndPort) {
  EXPECT_EQ(argCountsOf("tm", "t_relay"), (std::set<std::size_t>{0, 2}));
  const auto& hostPort = row("tm", "t_relay", 2);
  EXPECT_EQ(hostPort.routeMask, kc::RequestRoute | kc::FailureRoute);
  EXPECT_FALSE(hostPort.allowedIn(kc::TmOnReplyRoute));
  EXPECT_EQ(kc::findFunction("tm", "t_relay", 1), nullptr);
}

TEST(Functions, SlSendReplyTakesCodeAndReasonInRequestRouteOnly) {
  const auto& f = row("sl", "sl_send_reply", 2);
  EXPECT_EQ(f.kinds()[0], kc::ArgKind::Int);
  EXPECT_EQ(f.kinds()[1], kc::ArgKind::Spv);
  EXPECT_TRUE(f.allowedIn(kc::RequestRoute));
  EXPECT_FALSE(f.allowedIn(kc::FailureRoute));
  // send_reply is the one usable in failure and reply routes too.
  EXPECT_TRUE(row("sl", "send_reply", 2).allowedIn(kc::FailureRoute));
  EXPECT_TRUE(row("sl", "send_reply", 2).allowedIn(kc::CoreOnReplyRoute));
}

TEST(Functions, TOnFailureTakesARouteName) {
  EXPECT_EQ(row("tm", "t_on_failure", 1).kinds()[0], kc::ArgKind::Route);
  EXPECT_EQ(row("tm", "t_on_branch", 1).kinds()[0], kc::ArgKind::Route);
}

TEST(Functions, RequestRouteFunctionsAreAllowedInEventRoutes) {
  // Kamailio's sr_cmd_flags_match: event_route accepts a function with any
  // EVENT_ROUTE bit, even though EVENT_ROUTE has two bits.
  EXPECT_TRUE(row("maxfwd", "mf_process_maxfwd_header", 1).allowedIn(kc::EventRoute));
  EXPECT_FALSE(row("tm", "t_check_status", 1).allowedIn(kc::OnSendRoute));
  EXPECT_TRUE(kc::routeAllows(kc::AnyRoute, kc::OnSendRoute));
}

TEST(Functions, NameExportedByTwoModulesListsBoth) {
  std::set<std::string_view> modules;
  for (const auto& f : kc::functionsNamed("append_branch")) modules.insert(f.module);
  EXPECT_TRUE(modules.count("corex"));
  std::set<std::string_view> lookups;
  for (const auto& f : kc::functionsNamed("lookup")) lookups.insert(f.module);
  EXPECT_TRUE(lookups.count("registrar"));
}

TEST(Functions, CoreStatementsAreCatalogued) {
  EXPECT_EQ(argCountsOf("core", "forward"), (std::set<std::size_t>{0, 1, 2}));
  EXPECT_EQ(argCountsOf("core", "drop"), (std::set<std::size_t>{0, 1}));
  EXPECT_EQ(row("core", "route", 1).kinds()[0], kc::ArgKind::Route);
  EXPECT_EQ(row("core", "sethost", 1).aliasOf, "rewritehost");
  // cfg.y refuses most core statements in onsend_route ("command not allowed in onsend_route").
  EXPECT_TRUE(row("core", "forward", 1).allowedIn(kc::FailureRoute));
  EXPECT_FALSE(row("core", "forward", 1).allowedIn(kc::OnSendRoute));
  EXPECT_TRUE(row("core", "drop", 0).allowedIn(kc::OnSendRoute));
  EXPECT_NE(kc::findFunction("core", "force_rport", 0), nullptr);
  EXPECT_NE(kc::findFunction("core", "exec", 1), nullptr);
}

TEST(Functions, MadeUpNamesAreNotFound) {
  EXPECT_TRUE(kc::functionsNamed("t_relay_to_the_moon").empty());
  EXPECT_EQ(kc::findFunction("tm", "t_relay", 3), nullptr);
  EXPECT_EQ(kc::findModule("no_such_module"), nullptr);
  EXPECT_EQ(kc::findCoreParam("no_such_param"), nullptr);
  EXPECT_EQ(kc::findPseudoVariable("no_such_pv"), nullptr);
  EXPECT_EQ(kc::findTransformation("s", "no_such_tr"), nullptr);
  EXPECT_EQ(kc::findParam("tm", "no_such_param"), nullptr);
}

TEST(Functions, EveryRowHasAnArgumentCountAndKindsForIt) {
  for (const auto& f : kc::allFunctions()) {
    EXPECT_LE(f.minArgs, f.maxArgs) << f.module << "." << f.name;
    EXPECT_LE(f.maxArgs, kc::kMaxFunctionArgs) << f.module << "." << f.name;
    EXPECT_EQ(f.kinds().size(), f.maxArgs);
  }
}

TEST(Functions, NoModuleExportsTheSameNameAndArityTwice) {
  std::set<std::tuple<std::string_view, std::string_view, std::size_t>> seen;
  for (const auto& f : kc::allFunctions())
    for (std::size_t n = f.minArgs; n <= f.maxArgs; ++n)
      EXPECT_TRUE(seen.insert({f.module, f.name, n}).second)
          << f.module << "." << f.name << "/" << n;
}

TEST(Functions, EveryRowIsFoundByItsName) {
  for (const auto& f : kc::allFunctions()) {
    auto rows = kc::functionsNamed(f.name);
    EXPECT_TRUE(std::any_of(rows.begin(), rows.end(), [&](const auto& r) { return &r == &f; }))
        << f.name;
  }
}

// Which rows are `native` is checked against the runtime's own tables in both
// directions by runtime.CatalogConsistency.* (tests/runtime/catalog_consistency_test.cpp).

TEST(Params, ModparamTypesAreKamailios) {
  const kc::ParamInfo* fr = kc::findParam("tm", "fr_timer");
  ASSERT_NE(fr, nullptr);
  EXPECT_EQ(fr->type, kc::ParamType::Int);
  EXPECT_FALSE(kc::paramAccepts(fr->type, kc::ParamType::Str));
  const kc::ParamInfo* dbUrl = kc::findParam("usrloc", "db_url");
  ASSERT_NE(dbUrl, nullptr);
  EXPECT_EQ(dbUrl->type, kc::ParamType::Str);
  const kc::ParamInfo* table = kc::findParam("htable", "htable");
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(table->repeatable);
  // jsonrpcs exports fifo_group twice, as a name and as a gid.
  EXPECT_EQ(kc::findParam("jsonrpcs", "fifo_group")->type, kc::ParamType::IntOrStr);
}

TEST(Params, DatabaseUrlsSayWhenTheirModuleBindsTheDriver) {
  // auth_db binds the driver of its db_url whenever it is set...
  const kc::ParamInfo* authDb = kc::findParam("auth_db", "db_url");
  ASSERT_NE(authDb, nullptr);
  EXPECT_TRUE(authDb->dbUrl);
  EXPECT_EQ(authDb->dbUrlSwitch, "");
  // ...usrloc only when db_mode is not 0.
  const kc::ParamInfo* usrloc = kc::findParam("usrloc", "db_url");
  EXPECT_TRUE(usrloc->dbUrl);
  EXPECT_EQ(usrloc->dbUrlSwitch, "db_mode");
  EXPECT_EQ(kc::findParam("usrloc", usrloc->dbUrlSwitch)->type, kc::ParamType::Int);
  // presence binds under a condition whose default binds: not flagged.
  EXPECT_FALSE(kc::findParam("presence", "db_url")->dbUrl);
  EXPECT_FALSE(kc::findParam("tm", "fr_timer")->dbUrl);
}

TEST(Functions, DialogProfileFunctionsAreMarked) {
  EXPECT_TRUE(kc::findFunction("dialog", "set_dlg_profile", 2)->namesDialogProfile);
  EXPECT_TRUE(kc::findFunction("dialog", "get_profile_size", 3)->namesDialogProfile);
  EXPECT_FALSE(kc::findFunction("dialog", "dlg_manage", 0)->namesDialogProfile);
}

TEST(PseudoVariables, SourceIpIsReadOnlyAndRequestUriIsWritable) {
  const kc::PseudoVariableInfo* si = kc::findPseudoVariable("si");
  ASSERT_NE(si, nullptr);
  EXPECT_FALSE(si->writable());
  EXPECT_EQ(si->module, "pv");
  const kc::PseudoVariableInfo* ru = kc::findPseudoVariable("$ru");
  ASSERT_NE(ru, nullptr);
  EXPECT_TRUE(ru->writable());
  EXPECT_EQ(ru->assign, kc::PvAssign::String);
}

TEST(PseudoVariables, ClassFormsTakeNamesAndIndexes) {
  const auto* hdr = kc::findPseudoVariable("hdr");
  ASSERT_NE(hdr, nullptr);
  EXPECT_TRUE(hdr->takesName);
  EXPECT_TRUE(hdr->takesIndex);
  EXPECT_FALSE(hdr->writable());
  const auto* var = kc::findPseudoVariable("var");
  ASSERT_NE(var, nullptr);
  EXPECT_TRUE(var->takesName);
  EXPECT_EQ(var->assign, kc::PvAssign::Any);
  EXPECT_TRUE(kc::findPseudoVariable("avp")->takesIndex);
  EXPECT_TRUE(kc::findPseudoVariable("sht")->writable());
  EXPECT_EQ(kc::findPseudoVariable("sht")->module, "htable");
}

TEST(PseudoVariables, ModulePvsNameTheirModule) {
  const auto* idx = kc::findPseudoVariable("T_branch_idx");
  ASSERT_NE(idx, nullptr);
  EXPECT_EQ(idx->module, "tmx");
  EXPECT_FALSE(idx->takesName);
  // The core registers only a handful; $rU and friends need loadmodule "pv".
  EXPECT_EQ(kc::findPseudoVariable("rU")->module, "pv");
  EXPECT_EQ(kc::findPseudoVariable("retcode")->module, "core");
  EXPECT_EQ(kc::findPseudoVariable("null")->module, "core");
}

TEST(Transformations, StringAndParamClasses) {
  const auto* len = kc::findTransformation("s", "len");
  ASSERT_NE(len, nullptr);
  EXPECT_EQ(len->maxParams, 0);
  const auto* substr = kc::findTransformation("s", "substr");
  ASSERT_NE(substr, nullptr);
  EXPECT_EQ(substr->minParams, 2);
  EXPECT_EQ(substr->paramKinds[0], kc::TrParamKind::Int);
  const auto* value = kc::findTransformation("param", "value");
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(value->minParams, 1);
  EXPECT_EQ(value->maxParams, 2);  // optional separator
  EXPECT_NE(kc::findTransformation("uri", "user"), nullptr);
  EXPECT_NE(kc::findTransformation("nameaddr", "uri"), nullptr);
  EXPECT_TRUE(kc::isTransformationClass("tobody"));
  EXPECT_FALSE(kc::isTransformationClass("nosuchclass"));
}

TEST(CoreParams, CommonParametersAndTheirTypes) {
  ASSERT_NE(kc::findCoreParam("debug"), nullptr);
  EXPECT_EQ(kc::findCoreParam("debug")->type, kc::CoreValueType::SignedInt);  // debug=-1
  EXPECT_EQ(kc::findCoreParam("children")->type, kc::CoreValueType::Int);     // children=-1 is refused
  EXPECT_EQ(kc::findCoreParam("user")->type, kc::CoreValueType::StringOrName);
  ASSERT_NE(kc::findCoreParam("children"), nullptr);
  EXPECT_EQ(kc::findCoreParam("listen")->type, kc::CoreValueType::Listen);
  EXPECT_EQ(kc::findCoreParam("log_stderror")->type, kc::CoreValueType::Bool);
  EXPECT_EQ(kc::findCoreParam("log_facility")->type, kc::CoreValueType::Special);
  EXPECT_EQ(kc::findCoreParam("tcp_connection_lifetime")->type, kc::CoreValueType::SignedInt);
  EXPECT_EQ(kc::findCoreParam("dns_srv_loadbalancing")->aliasOf, "dns_srv_lb");
  EXPECT_EQ(kc::findCoreParam("mpath")->aliasOf, "loadpath");
  // 5.6 has no log_stderr spelling: kamailio -c rejects it.
  EXPECT_EQ(kc::findCoreParam("log_stderr"), nullptr);
  EXPECT_GT(kc::allCoreParams().size(), 200u);
}

TEST(CoreParams, AliasesPointAtCanonicalNames) {
  for (const auto& p : kc::allCoreParams()) {
    if (p.aliasOf.empty()) continue;
    const auto* canonical = kc::findCoreParam(p.aliasOf);
    ASSERT_NE(canonical, nullptr) << p.name;
    EXPECT_TRUE(canonical->aliasOf.empty()) << p.name;
    EXPECT_EQ(canonical->type, p.type) << p.name;
  }
}

TEST(CoreKeywords, OperandsOfConditions) {
  EXPECT_EQ(kc::findCoreKeyword("method")->type, kc::KeywordType::Str);
  EXPECT_EQ(kc::findCoreKeyword("src_port")->type, kc::KeywordType::Int);
  EXPECT_EQ(kc::findCoreKeyword("src_ip")->type, kc::KeywordType::Ip);
  EXPECT_TRUE(kc::findCoreKeyword("snd_ip")->onSendOnly);
  EXPECT_FALSE(kc::findCoreKeyword("dst_ip")->onSendOnly);
  EXPECT_NE(kc::findCoreKeyword("msg:len"), nullptr);
  EXPECT_NE(kc::findCoreKeyword("myself"), nullptr);
  EXPECT_EQ(kc::findCoreKeyword("status")->aliasOf, "uri");
}

TEST(Modules, IterationCoversCoreAndModulesWithTheirRows) {
  auto modules = kc::allModules();
  ASSERT_FALSE(modules.empty());
  EXPECT_TRUE(modules.front().isCore());
  std::size_t functions = 0;
  for (const auto& m : modules) {
    EXPECT_EQ(kc::findModule(m.name), &m);
    for (const auto& f : m.functions) EXPECT_EQ(f.module, m.name);
    for (const auto& p : m.params) EXPECT_EQ(p.module, m.name);
    for (const auto& v : m.pseudoVariables) EXPECT_EQ(v.module, m.name);
    functions += m.functions.size();
  }
  EXPECT_EQ(functions, kc::allFunctions().size());
  EXPECT_FALSE(kc::findModule("tm")->params.empty());
  EXPECT_FALSE(kc::findModule("pv")->transformations.empty());
}

// Every module etc/kamailio.cfg loads, under any -A WITH_* define.
TEST(Modules, EveryModuleOfTheDefaultConfigIsCatalogued) {
  const std::string cfg = readFile(KAMC_CORPUS_DIR "/kamailio-5.6/etc__kamailio.cfg");
  ASSERT_FALSE(cfg.empty()) << "corpus file missing";
  const std::regex load(R"(loadmodule\s+"([A-Za-z0-9_]+)(\.so)?")");
  std::size_t loads = 0;
  for (std::sregex_iterator it(cfg.begin(), cfg.end(), load), end; it != end; ++it, ++loads)
    EXPECT_NE(kc::findModule((*it)[1].str()), nullptr) << (*it)[1].str();
  EXPECT_GT(loads, 30u);
}
