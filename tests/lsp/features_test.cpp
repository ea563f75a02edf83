// The feature layer, called as the server calls it but without JSON: file
// paths, contents and positions in, plain structs out.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "Features.h"
#include "kamc/ast/AstJson.h"
#include "Scheduler.h"
#include "WorkspaceCheck.h"

using namespace kamc;
using namespace kamc::lsp;
namespace fs = std::filesystem;

namespace {

// A workspace folder on disk for one test, removed afterwards.
class TempWorkspace {
 public:
  TempWorkspace() {
    dir_ = fs::temp_directory_path() / ("kamc-lsp-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(dir_);
  }
  ~TempWorkspace() { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return normalizePath((dir_ / name).string());
  }
  std::string dir() const { return dir_.string(); }

 private:
  fs::path dir_;
  static inline int counter_ = 0;
};

const std::string kMain =
    "loadmodule \"tm.so\"\n"           // 0
    "loadmodule \"sl.so\"\n"           // 1
    "loadmodule \"pv.so\"\n"           // 2
    "#!define CODE 404\n"              // 3
    "modparam(\"tm\", \"fr_timer\", 5000)\n"  // 4
    "request_route {\n"                // 5
    "  $var(n) = 1;\n"                 // 6
    "  t_on_failure(\"MISS\");\n"      // 7
    "  route(RELAY);\n"                // 8
    "  sl_send_reply(CODE, \"x\");\n"  // 9
    "}\n"                              // 10
    "route[RELAY] {\n"                 // 11
    "  if ($var(n) == 1) t_relay();\n" // 12
    "}\n"                              // 13
    "failure_route[MISS] {\n"          // 14
    "  drop;\n"                        // 15
    "}\n";

std::shared_ptr<const Analysis> analyse(const std::string& path, const FileOverlay& overlay = {}) {
  return Analysis::run(path, overlay, {});
}

Range span(uint32_t line, uint32_t from, uint32_t to) { return {{line, from}, {line, to}}; }

std::vector<std::string> labels(const std::vector<Completion>& items) {
  std::vector<std::string> out;
  for (const Completion& c : items) out.push_back(c.label);
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

TEST(Features, ACleanConfigHasNoDiagnostics) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", kMain);
  EXPECT_TRUE(analyse(main)->diagnostics(main).empty());
}

TEST(Features, DiagnosticsHaveTheRuleIdAndTheWholeRange) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", "loadmodule \"sl.so\"\nrequest_route {\n  sl_send_replyy(\"404\", \"x\");\n}\n");
  std::vector<FileDiagnostic> d = analyse(main)->diagnostics(main);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].rule, "kamc-unknown-function");
  EXPECT_EQ(d[0].severity, Severity::Error);
  EXPECT_EQ(d[0].range, span(2, 2, 28));
  EXPECT_NE(d[0].message.find("did you mean 'sl_send_reply'"), std::string::npos);
}

TEST(Features, SuppressionCommentsAreHonoured) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg",
                              "loadmodule \"sl.so\"\nrequest_route {\n  # cfgcheck: disable=kamc-unknown-function\n"
                              "  sl_send_replyy(\"404\", \"x\");\n}\n");
  EXPECT_TRUE(analyse(main)->diagnostics(main).empty());
}

TEST(Features, AnIncludedFragmentIsAnalysedInItsRootAndCarriesTheIncludeChain) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", "loadmodule \"sl.so\"\ninclude_file \"routes.cfg\"\n");
  std::string routes = ws.write("routes.cfg", "request_route {\n  sl_send_reply(\"404\", \"x\");\n  xlog(\"hi\");\n}\n");
  Workspace workspace;
  EXPECT_EQ(workspace.scanFolder(ws.dir()), 2u);
  EXPECT_EQ(workspace.roots(), std::vector<std::string>{main});
  EXPECT_EQ(workspace.rootFor(routes), main);
  // Alone, routes.cfg would lack the sl module; in its root only xlog is missing.
  std::shared_ptr<const Analysis> a = analyse(workspace.rootFor(routes));
  std::vector<FileDiagnostic> d = a->diagnostics(routes);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].rule, "kamc-module-not-loaded");
  EXPECT_EQ(d[0].range.start, (Position{2, 2}));
  ASSERT_FALSE(d[0].related.empty());
  EXPECT_EQ(d[0].related.back().location, (Location{main, span(1, 0, 12)}));
  EXPECT_EQ(d[0].related.back().message, "included from here");
  EXPECT_TRUE(a->diagnostics(main).empty());
}

TEST(Features, AFindingInADefineIsAtItsUseWithEachDefineAsRelatedInformation) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg",
                              "#!define INNER sl_send_replyy(\"404\", \"x\")\n"  // 0
                              "#!define OUTER if ($rU) { INNER; }\n"          // 1
                              "loadmodule \"sl.so\"\nloadmodule \"pv.so\"\n"  // 2, 3
                              "request_route {\n"                             // 4
                              "  OUTER\n"                                     // 5
                              "}\n");
  std::vector<FileDiagnostic> d = analyse(main)->diagnostics(main);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].rule, "kamc-unknown-function");
  EXPECT_EQ(d[0].range, span(5, 2, 7));  // the name OUTER where it is used
  ASSERT_EQ(d[0].related.size(), 2u);    // outermost first, as clang orders them
  EXPECT_EQ(d[0].related[0].message, "expanded from #!define OUTER");
  EXPECT_EQ(d[0].related[0].location, (Location{main, span(1, 26, 31)}));
  EXPECT_EQ(d[0].related[1].message, "expanded from #!define INNER");
  EXPECT_EQ(d[0].related[1].location, (Location{main, span(0, 15, 29)}));
}

TEST(Features, AnOpenBufferIsReadInsteadOfTheDisk) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", "loadmodule \"sl.so\"\ninclude_file \"routes.cfg\"\n");
  std::string routes = ws.write("routes.cfg", "request_route {\n  drop;\n}\n");
  FileOverlay overlay;
  overlay.set(routes, "request_route {\n  sl_send_replyy(\"1\", \"x\");\n}\n");
  std::vector<FileDiagnostic> d = analyse(main, overlay)->diagnostics(routes);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].rule, "kamc-unknown-function");
}

TEST(Features, HoverOnAFunctionShowsItsSignatureModuleAndRouteTypes) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", kMain);
  std::optional<HoverResult> h = analyse(main)->hover(main, {9, 4});
  ASSERT_TRUE(h);
  EXPECT_EQ(h->range, span(9, 2, 15));
  EXPECT_EQ(h->markdown.substr(0, h->markdown.find('\n', 12)), "```kamailio\nsl_send_reply(int, spv)");
  EXPECT_NE(h->markdown.find("Module: `sl`"), std::string::npos);
  EXPECT_NE(h->markdown.find("Allowed in: request_route"), std::string::npos);
}

TEST(Features, HoverOnADefineShowsItsValue) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", kMain);
  std::optional<HoverResult> h = analyse(main)->hover(main, {9, 17});
  ASSERT_TRUE(h);
  EXPECT_EQ(h->markdown, "```kamailio\n#!define CODE 404\n```\nExpands to: `404`");
  EXPECT_EQ(h->range, span(9, 16, 20));
}

TEST(Features, HoverOnAModparamShowsItsTypeAndDefault) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", kMain);
  std::optional<HoverResult> h = analyse(main)->hover(main, {4, 18});
  ASSERT_TRUE(h);
  EXPECT_EQ(h->markdown.substr(0, 66), "```kamailio\nmodparam(\"tm\", \"fr_timer\", int)\n```\nDefault: `30000`\n\n");
}

TEST(Features, HoverShowsStringDefaultsQuotedAndNoneWhenTheCatalogHasNone) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", "loadmodule \"sl.so\"\nloadmodule \"tm.so\"\n"
                                          "modparam(\"sl\", \"default_reason\", \"x\")\n"
                                          "modparam(\"tm\", \"fr_timer_avp\", \"$avp(t)\")\n"
                                          "tls_disable = yes\n");
  std::shared_ptr<const Analysis> a = analyse(main);
  std::optional<HoverResult> reason = a->hover(main, {2, 20});
  ASSERT_TRUE(reason);
  EXPECT_NE(reason->markdown.find("\nDefault: `\"Internal Server Error\"`\n"), std::string::npos) << reason->markdown;
  std::optional<HoverResult> avp = a->hover(main, {3, 20});
  ASSERT_TRUE(avp);  // not set unless configured: no default to show
  EXPECT_EQ(avp->markdown.find("Default:"), std::string::npos) << avp->markdown;
  std::optional<HoverResult> tls = a->hover(main, {4, 2});  // an alias shows its canonical name's default
  ASSERT_TRUE(tls);
  EXPECT_EQ(tls->markdown, "```kamailio\ntls_disable = <bool>\n```\nDefault: `yes`\n\n");
}

TEST(Features, HoverOnAPseudoVariableSaysWhetherItIsWritable) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", kMain);
  std::optional<HoverResult> h = analyse(main)->hover(main, {6, 3});
  ASSERT_TRUE(h);
  EXPECT_EQ(h->range, span(6, 2, 9));
  EXPECT_NE(h->markdown.find("Module: `pv`; writable"), std::string::npos);
}

TEST(Features, DefinitionOfARouteFromRouteCallAndFromAStringArmedFailureRoute) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", kMain);
  std::shared_ptr<const Analysis> a = analyse(main);
  EXPECT_EQ(a->definition(main, {8, 9}), (std::vector<Location>{{main, span(11, 6, 11)}}));
  EXPECT_EQ(a->definition(main, {8, 3}), (std::vector<Location>{{main, span(11, 6, 11)}}));
  EXPECT_EQ(a->definition(main, {7, 18}), (std::vector<Location>{{main, span(14, 14, 18)}}));
}

TEST(Features, ReferencesOfARouteDefineAndVariable) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", kMain);
  std::shared_ptr<const Analysis> a = analyse(main);
  EXPECT_EQ(a->references(main, {14, 15}, true),
            (std::vector<Location>{{main, span(14, 14, 18)}, {main, span(7, 16, 20)}}));
  EXPECT_EQ(a->references(main, {3, 10}, true),
            (std::vector<Location>{{main, span(3, 9, 13)}, {main, span(9, 16, 20)}}));
  EXPECT_EQ(a->references(main, {12, 8}, false),
            (std::vector<Location>{{main, span(6, 2, 9)}, {main, span(12, 6, 13)}}));
  EXPECT_EQ(a->definition(main, {12, 8}), (std::vector<Location>{{main, span(6, 2, 9)}}));
}

TEST(Features, DocumentSymbolsGroupModparamsUnderTheirModule) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", kMain);
  std::vector<Symbol> s = analyse(main)->documentSymbols(main);
  std::vector<std::string> names;
  for (const Symbol& sym : s) names.push_back(sym.name);
  EXPECT_EQ(names, (std::vector<std::string>{"CODE", "tm", "sl", "pv", "request_route", "route[RELAY]", "failure_route[MISS]"}));
  ASSERT_EQ(s[1].children.size(), 1u);
  EXPECT_EQ(s[1].children[0].name, "fr_timer");
  EXPECT_EQ(s[1].children[0].kind, SymbolKind::Modparam);
  EXPECT_EQ(s[4].range, (Range{{5, 0}, {10, 1}}));
}

TEST(Features, CompletionOffersRouteNamesOfTheRightKind) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", kMain);
  std::shared_ptr<const Analysis> a = analyse(main);
  std::string text = kMain;
  text.replace(text.find("route(RELAY)"), 12, "route(R)");
  EXPECT_EQ(labels(a->completion(main, text, {8, 9})), std::vector<std::string>{"RELAY"});
  EXPECT_EQ(labels(a->completion(main, kMain, {7, 16})), std::vector<std::string>{"MISS"});
}

TEST(Features, CompletionOffersLoadedFunctionsWithSnippetsAndUnloadedOnesWithTheirLoadmodule) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", kMain);
  std::shared_ptr<const Analysis> a = analyse(main);
  std::string text = kMain;
  text.replace(text.find("  drop;"), 7, "  sl_se");
  std::vector<Completion> items = a->completion(main, text, {15, 7});
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items[0].label, "sl_send_reply");
  EXPECT_EQ(items[0].insertText, "sl_send_reply(${1:int}, \"${2:spv}\")");
  EXPECT_TRUE(items[0].snippet);
  EXPECT_TRUE(items[0].additionalEdits.empty());
  text = kMain;
  text.replace(text.find("  drop;"), 7, "  xlo");
  items = a->completion(main, text, {15, 5});
  auto xlog = std::find_if(items.begin(), items.end(), [](const Completion& c) { return c.label == "xlog"; });
  ASSERT_NE(xlog, items.end());
  ASSERT_EQ(xlog->additionalEdits.size(), 1u);
  EXPECT_EQ(xlog->additionalEdits[0], (TextEdit{{{3, 0}, {3, 0}}, "loadmodule \"xlog.so\"\n"}));
}

TEST(Features, CompletionOfModparamNamesPseudoVariablesAndDefines) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", kMain);
  std::shared_ptr<const Analysis> a = analyse(main);
  std::string text = kMain + "modparam(\"tm\", \"fr_\n";
  std::vector<Completion> params = a->completion(main, text, {17, 19});
  EXPECT_TRUE(has(labels(params), "fr_inv_timer"));
  auto fr = std::find_if(params.begin(), params.end(), [](const Completion& c) { return c.label == "fr_timer"; });
  ASSERT_NE(fr, params.end());
  EXPECT_EQ(fr->detail, "int, default 30000");
  text = kMain + "#!ifdef CO\n";
  EXPECT_EQ(labels(a->completion(main, text, {17, 10})), std::vector<std::string>{"CODE"});
  text = kMain;
  text.replace(text.find("  drop;"), 7, "  $r");
  std::vector<std::string> pvs = labels(a->completion(main, text, {15, 4}));
  EXPECT_TRUE(has(pvs, "rU"));
  EXPECT_TRUE(has(pvs, "ru"));
  EXPECT_FALSE(has(pvs, "var"));
}

TEST(Features, CompletionAtTopLevelOffersCoreParameters) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", kMain);
  std::vector<Completion> items = analyse(main)->completion(main, kMain + "chil\n", {17, 4});
  EXPECT_EQ(labels(items), std::vector<std::string>{"children"});
  EXPECT_EQ(items.front().detail, "int, default 8");
}

TEST(Features, PositionsOutsideTheFileFindNothing) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", kMain);
  std::shared_ptr<const Analysis> a = analyse(main);
  EXPECT_FALSE(a->hover(main, {1000, 0}));
  EXPECT_TRUE(a->definition(main, {1000, 0}).empty());
  EXPECT_FALSE(a->hover(main, {8, 1000}));
  EXPECT_TRUE(a->definition("/no/such/file.cfg", {0, 0}).empty());
}

TEST(Features, Utf16ColumnsCountSurrogatePairs) {
  TempWorkspace ws;
  // A comment with an emoji before the call moves the UTF-16 column by 2, the byte column by 4.
  std::string main = ws.write("main.cfg", "loadmodule \"sl.so\"\nrequest_route {\n  /* \xF0\x9F\x98\x80 */ sl_send_replyy(\"1\", \"x\");\n}\n");
  std::vector<FileDiagnostic> d = analyse(main)->diagnostics(main);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].range.start, (Position{2, 11}));
  std::vector<FileDiagnostic> d8 = Analysis::run(main, {}, {{}, PositionEncoding::Utf8})->diagnostics(main);
  EXPECT_EQ(d8[0].range.start, (Position{2, 13}));
}

TEST(WorkspaceCheck, ReportsEachRootAndExitsLikeCfgcheck) {
  TempWorkspace ws;
  ws.write("main.cfg", "loadmodule \"sl.so\"\ninclude_file \"routes.cfg\"\n");
  ws.write("routes.cfg", "request_route {\n  sl_send_replyy(\"1\", \"x\");\n}\n");
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* out = open_memstream(&buf, &len);
  WorkspaceCheckResult r = checkWorkspace(ws.dir(), {}, out, false);
  std::fclose(out);
  std::string text(buf, len);
  std::free(buf);
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.roots, 1u);
  EXPECT_EQ(r.errors, 1u);
  EXPECT_NE(text.find("In the context of root config " + normalizePath(ws.dir() + "/main.cfg") + ":"), std::string::npos);
  EXPECT_NE(text.find("routes.cfg:2:3: error: unknown function 'sl_send_replyy'"), std::string::npos);
  EXPECT_NE(text.find("2 configs, 1 roots: 1 errors, 0 warnings"), std::string::npos);
}

TEST(Scheduler, PublishesOnlyTheLatestVersionAfterRapidEdits) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", kMain);
  Workspace workspace;
  std::mutex m;
  std::vector<int64_t> published;
  {
    Scheduler s(workspace, std::chrono::milliseconds(20), [&](const std::string&, int64_t v, const std::vector<FileDiagnostic>&) {
      std::lock_guard<std::mutex> lock(m);
      published.push_back(v);
    });
    s.open(main, kMain, 1);
    for (int v = 2; v <= 200; ++v) s.change(main, kMain + "# edit " + std::to_string(v) + "\n", v);
    s.flush();
    EXPECT_LT(s.analysesRun(), 20u);  // debounced: not one analysis per edit
  }
  ASSERT_FALSE(published.empty());
  EXPECT_EQ(published.back(), 200);
}

TEST(Scheduler, ACancelledRequestDoesNotRunAndAQueuedRequestSeesTheLatestText) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", kMain);
  Workspace workspace;
  Scheduler s(workspace, std::chrono::milliseconds(1000), [](const std::string&, int64_t, const std::vector<FileDiagnostic>&) {});
  s.open(main, kMain, 1);
  std::atomic<int> ran{0}, cancelled{0};
  std::string seenText;
  bool sawTree = false;
  // The long debounce would delay the analysis; a request does not wait for it.
  s.request("1", main, [&](const Analysis*, const Analysis*, const std::string&) { ++ran; }, [&] { ++cancelled; });
  s.cancel("1");
  s.request("2", main, [&](const Analysis* a, const Analysis*, const std::string& text) {
    seenText = text;
    sawTree = a && a->hasTree();
  }, [&] { ++cancelled; });
  s.flush();
  EXPECT_EQ(seenText, kMain);
  EXPECT_TRUE(sawTree);
  EXPECT_EQ(ran + cancelled, 1);  // the cancel may come after request 1 started
  EXPECT_FALSE(s.change("/not/open.cfg", "x", 1));
}

// A config whose analysis takes a while (seconds in a RelWithDebInfo build).
std::string hugeConfig() {
  std::string text;
  for (int i = 0; i < 40000; ++i)
    text += "route[R" + std::to_string(i) + "] {\n  $var(x) = \"" + std::string(40, 'y') + "\";\n}\n";
  return text;
}

TEST(Scheduler, ARequestOnOneDocumentIsAnsweredWhileAnotherIsBeingAnalysed) {
  TempWorkspace ws;
  std::string small = ws.write("small.cfg", kMain);
  std::string huge = ws.write("huge.cfg", "");
  Workspace workspace;
  std::atomic<bool> hugePublished{false};
  Scheduler s(workspace, std::chrono::milliseconds(0), [&](const std::string& path, int64_t, const std::vector<FileDiagnostic>&) {
    if (path == huge) hugePublished = true;
  });
  s.open(small, kMain, 1);
  s.flush();
  s.open(huge, hugeConfig(), 1);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (s.analysesInProgress() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_EQ(s.analysesInProgress(), 1u);
  std::promise<bool> answered;
  s.request("hover", small, [&](const Analysis* a, const Analysis*, const std::string&) {
    answered.set_value(a && a->hasTree() && !hugePublished);
  }, [] {});
  std::future<bool> whileHugeRuns = answered.get_future();
  ASSERT_EQ(whileHugeRuns.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  EXPECT_TRUE(whileHugeRuns.get()) << "the request waited for the other document's analysis";
  s.flush();
  EXPECT_TRUE(hugePublished);
}

TEST(Scheduler, NoDiagnosticsOfADocumentArePublishedAfterItIsClosed) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", kMain);
  Workspace workspace;
  std::atomic<bool> publishing{false};
  std::atomic<int64_t> lastPublishEnded{0};
  auto nowNs = [] { return std::chrono::steady_clock::now().time_since_epoch().count(); };
  Scheduler s(workspace, std::chrono::milliseconds(0), [&](const std::string& path, int64_t, const std::vector<FileDiagnostic>&) {
    if (path != main) return;
    publishing = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a slow client pipe
    lastPublishEnded = nowNs();
  });
  s.open(main, kMain, 1);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!publishing && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(publishing);
  s.close(main);  // while its diagnostics are being published
  int64_t closed = nowNs();
  s.open(ws.write("other.cfg", kMain), kMain, 1);  // keeps the workers busy with another document
  s.flush();
  EXPECT_LE(lastPublishEnded.load(), closed) << "a publish of the closed document ended after close() returned";
}

TEST(Features, SignatureHelpFollowsTheArgumentBeingWritten) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", kMain);
  std::shared_ptr<const Analysis> a = analyse(main);
  std::string text = kMain;
  text.replace(text.find("  drop;"), 7, "  sl_send_reply(\"4,0\", ");
  std::optional<SignatureHelpResult> s = a->signatureHelp(text, {15, 24});
  ASSERT_TRUE(s);
  ASSERT_EQ(s->signatures.size(), 1u);
  EXPECT_EQ(s->signatures[0].label, "sl_send_reply(int, spv)");
  EXPECT_EQ(s->signatures[0].params, (std::vector<std::string>{"int", "spv"}));
  EXPECT_EQ(s->activeParameter, 1u);  // the comma inside the string does not count
  EXPECT_FALSE(a->signatureHelp(kMain, {15, 4}));
}

TEST(Features, QuickFixesComeFromTheEnginesFixIts) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg",
                              "loadmodule \"sl.so\"\n"
                              "request_route {\n"
                              "  sl_send_replyy(\"404\", \"x\");\n"
                              "  xlog(\"x\");\n"
                              "  route(MISSING);\n"
                              "}\n");
  std::shared_ptr<const Analysis> a = analyse(main);
  std::vector<std::pair<FileDiagnostic, QuickFix>> fixes = a->quickFixes(main, {{0, 0}, {10, 0}});
  std::vector<std::string> titles;
  for (auto& [d, f] : fixes) titles.push_back(f.title);
  EXPECT_EQ(titles, (std::vector<std::string>{"Change to 'sl_send_reply'", "Add loadmodule \"xlog.so\"", "Create route[MISSING]"}));
  EXPECT_EQ(fixes[0].second.edit, (FileEdit{{main, span(2, 2, 16)}, "sl_send_reply"}));
  EXPECT_EQ(fixes[1].second.edit, (FileEdit{{main, span(1, 0, 0)}, "loadmodule \"xlog.so\"\n"}));
  EXPECT_EQ(fixes[2].second.edit, (FileEdit{{main, span(5, 1, 1)}, "\n\nroute[MISSING] {\n}"}));
  // Only the findings the range touches.
  EXPECT_EQ(a->quickFixes(main, {{3, 3}, {3, 3}}).size(), 1u);
}

TEST(Features, DocumentLinksAndDefinitionOfAnIncludedFile) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", "loadmodule \"sl.so\"\ninclude_file \"routes.cfg\"\nimport_file \"none.cfg\"\n");
  std::string routes = ws.write("routes.cfg", "request_route {\n  drop;\n}\n");
  std::shared_ptr<const Analysis> a = analyse(main);
  std::vector<DocumentLink> links = a->documentLinks(main);
  ASSERT_EQ(links.size(), 1u);  // import_file of a missing file reads nothing
  EXPECT_EQ(links[0].range, span(1, 14, 24));
  EXPECT_EQ(links[0].target, routes);
  EXPECT_EQ(a->definition(main, {1, 16}), (std::vector<Location>{{routes, {}}}));
}

TEST(Features, FoldingRangesOfRoutesAndBlocks) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", kMain);
  EXPECT_EQ(analyse(main)->foldingRanges(main),
            (std::vector<FoldingRange>{{5, 10}, {11, 13}, {14, 16}}));
}

TEST(Features, FoldingRangesSkipARouteWhoseBodyDidNotParse) {
  // Found by fuzz_lsp_jsonrpc: the recovered tree keeps route[B] as its header
  // alone, with no body, and folding read through it.
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", "route[A] {\n  drop;\n}\n\nroute[B){x\n");
  EXPECT_EQ(analyse(main)->foldingRanges(main), (std::vector<FoldingRange>{{0, 2}}));
}

TEST(Features, RenameARouteAcrossIncludedFiles) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", "loadmodule \"tm.so\"\ninclude_file \"routes.cfg\"\nrequest_route {\n  route(RELAY);\n}\n");
  std::string routes = ws.write("routes.cfg", "route[RELAY] {\n  t_relay();\n}\n");
  std::shared_ptr<const Analysis> a = analyse(main);
  EXPECT_EQ(a->renameTarget(main, {3, 9}), (Location{main, span(3, 8, 13)}));
  std::string error;
  EXPECT_EQ(a->rename(main, {3, 9}, "FORWARD", &error),
            (std::vector<FileEdit>{{{routes, span(0, 6, 11)}, "FORWARD"}, {{main, span(3, 8, 13)}, "FORWARD"}}));
  EXPECT_TRUE(a->rename(main, {3, 9}, "no good", &error).empty());
  EXPECT_EQ(error, "'no good' is not a name: use letters, digits and '_', not starting with a digit");
  EXPECT_FALSE(a->renameTarget(main, {0, 3}));
}

TEST(Features, RenameADefineRenamesItsUsesAndIfdefs) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg",
                              "#!define WITH_X\n#!define CODE 404\nloadmodule \"sl.so\"\nrequest_route {\n"
                              "#!ifdef WITH_X\n  sl_send_reply(CODE, \"x\");\n#!endif\n}\n");
  std::shared_ptr<const Analysis> a = analyse(main);
  std::string error;
  EXPECT_EQ(a->rename(main, {0, 10}, "WITH_Y", &error),
            (std::vector<FileEdit>{{{main, span(0, 9, 15)}, "WITH_Y"}, {{main, span(4, 8, 14)}, "WITH_Y"}}));
  EXPECT_EQ(a->rename(main, {5, 17}, "STATUS", &error),
            (std::vector<FileEdit>{{{main, span(1, 9, 13)}, "STATUS"}, {{main, span(5, 16, 20)}, "STATUS"}}));
}

TEST(Features, SemanticTokensIncludeGreyedInactiveRegions) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg",
                              "#!define CODE 404\n"                 // 0
                              "loadmodule \"sl.so\"\n"              // 1
                              "request_route {\n"                   // 2
                              "#!ifdef WITH_NOTHING\n"              // 3
                              "  drop;\n"                           // 4
                              "#!endif\n"                           // 5
                              "  sl_send_reply(CODE, \"x\");\n"     // 6
                              "  $ru = 1;\n"                        // 7
                              "}\n");
  std::vector<SemanticToken> t = analyse(main)->semanticTokens(main);
  EXPECT_EQ(t, (std::vector<SemanticToken>{
                   {{1, 0}, 10, TokenKind::Keyword},
                   {{2, 0}, 13, TokenKind::Keyword},
                   {{4, 0}, 7, TokenKind::Inactive},
                   {{6, 2}, 13, TokenKind::Function},
                   {{6, 16}, 4, TokenKind::Macro},
                   {{6, 22}, 3, TokenKind::String},
                   {{7, 2}, 3, TokenKind::Variable},
                   {{7, 8}, 1, TokenKind::Number},
               }));
}

TEST(Features, CallHierarchyOverRouteAndTOnCalls) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", kMain);
  std::shared_ptr<const Analysis> a = analyse(main);
  std::vector<RouteCallItem> relay = a->prepareCallHierarchy(main, {8, 9});
  ASSERT_EQ(relay.size(), 1u);
  EXPECT_EQ(relay[0].name, "route[RELAY]");
  EXPECT_EQ(relay[0].selectionRange, span(11, 6, 11));
  std::vector<RouteCall> in = a->incomingCalls(relay[0]);
  ASSERT_EQ(in.size(), 1u);
  EXPECT_EQ(in[0].item.name, "request_route");
  EXPECT_EQ(in[0].fromRanges, std::vector<Range>{span(8, 8, 13)});
  std::vector<RouteCall> out = a->outgoingCalls(a->prepareCallHierarchy(main, {5, 3})[0]);
  std::vector<std::string> names;
  for (const RouteCall& c : out) names.push_back(c.item.name);
  EXPECT_EQ(names, (std::vector<std::string>{"failure_route[MISS]", "route[RELAY]"}));
}

TEST(Features, InlayHintsShowDefineValuesAndArgumentKinds) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", kMain);
  EXPECT_EQ(analyse(main)->inlayHints(main, 9, 9),
            (std::vector<InlayHint>{{{9, 16}, "int:", true}, {{9, 20}, "= 404", false}, {{9, 22}, "spv:", true}}));
}

TEST(Features, WorkspaceSymbolsMatchAnyCase) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", "include_file \"routes.cfg\"\nrequest_route {\n  route(RELAY);\n}\n");
  std::string routes = ws.write("routes.cfg", "route[RELAY] {\n  drop;\n}\n");
  std::vector<std::pair<Symbol, std::string>> s = analyse(main)->workspaceSymbols("rel");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].first.name, "route[RELAY]");
  EXPECT_EQ(s[0].second, routes);
}

namespace {

// The text after applying edits (each within one line, in order).
std::string applied(std::string text, const std::vector<TextEdit>& edits) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) lines.push_back(text.substr(start, nl - start));
  lines.push_back(text.substr(start));
  for (auto it = edits.rbegin(); it != edits.rend(); ++it)
    lines[it->range.start.line].replace(it->range.start.character, it->range.end.character - it->range.start.character,
                                        it->newText);
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) out += lines[i] + (i + 1 < lines.size() ? "\n" : "");
  return out;
}

// Formatting `messy` (tabs) gives `tidy`, and formatting `tidy` changes nothing.
void expectFormatsToThenStays(TempWorkspace& ws, const std::string& messy, const std::string& tidy) {
  std::string main = ws.write("main.cfg", messy);
  std::string error;
  std::optional<std::vector<TextEdit>> edits = analyse(main)->format(main, 0, 100, false, 4, &error);
  ASSERT_TRUE(edits) << error;
  EXPECT_EQ(applied(messy, *edits), tidy);
  ws.write("main.cfg", tidy);
  std::optional<std::vector<TextEdit>> again = analyse(main)->format(main, 0, 100, false, 4, &error);
  ASSERT_TRUE(again) << error;
  EXPECT_EQ(*again, std::vector<TextEdit>{});
}

}  // namespace

TEST(Features, FormattingReindentsByTheTreeKeepsCommentsAndDirectivesAndIsIdempotent) {
  TempWorkspace ws;
  const std::string messy =
      "loadmodule \"sl.so\"\n"
      "   #!define CODE 404\n"
      "request_route {\n"
      "if ($rm == \"INVITE\") {\n"
      "      # a comment\n"
      "sl_send_reply(CODE,\n"
      "        \"x\");\n"
      "  } else {\n"
      "     switch ($rm) {\n"
      "  case \"BYE\":\n"
      "  drop;\n"
      "   }\n"
      "}\n"
      "  \t\n"
      "#!ifdef NEVER\n"
      "      exit;\n"
      "#!endif\n"
      "}\n";
  const std::string tidy =
      "loadmodule \"sl.so\"\n"
      "   #!define CODE 404\n"
      "request_route {\n"
      "\tif ($rm == \"INVITE\") {\n"
      "\t\t# a comment\n"
      "\t\tsl_send_reply(CODE,\n"
      "        \"x\");\n"
      "\t} else {\n"
      "\t\tswitch ($rm) {\n"
      "\t\t\tcase \"BYE\":\n"
      "\t\t\t\tdrop;\n"
      "\t\t}\n"
      "\t}\n"
      "\n"
      "#!ifdef NEVER\n"
      "      exit;\n"
      "#!endif\n"
      "}\n";
  expectFormatsToThenStays(ws, messy, tidy);
  // Two spaces a level, and only the lines of a range.
  std::string main = ws.write("main.cfg", tidy);
  std::string error;
  std::optional<std::vector<TextEdit>> edits = analyse(main)->format(main, 3, 3, true, 2, &error);
  ASSERT_TRUE(edits);
  EXPECT_EQ(*edits, (std::vector<TextEdit>{{span(3, 0, 1), "  "}}));
}

TEST(Features, FormattingRefusesAConfigThatDoesNotParse) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", "request_route {\n  if ( {\n}\n");
  std::string error;
  EXPECT_FALSE(analyse(main)->format(main, 0, 10, false, 4, &error));
  EXPECT_EQ(error, "cannot format a config that does not parse: fix its syntax errors first");
}

TEST(Features, FormattingWritesLoneStatementsAndBlockHeadersAsTheAstPrinterDoes) {
  TempWorkspace ws;
  const std::string messy =
      "loadmodule \"sl.so\"\n"
      "#!define CODE 404\n"
      "request_route {\n"
      "if($rU==\"a\"&&!($rm=~\"^B\")){\n"
      "$var(x)=1+2 ;   # a trailing comment\n"
      "xlog( \"L_INFO\" ,\"x\" );\n"
      "sl_send_reply(CODE,\"x\");\n"     // a define's value: as written
      "$var(y)=/* why */1;\n"           // a comment inside: as written
      "xlog(\"a\",\n"                   // several lines: as written
      "  \"b\");\n"
      "}else if($rm==\"BYE\"){\n"
      "drop ;\n"
      "}  else{\n"
      "#!ifdef NEVER\n"
      "$var(z)=2;\n"
      "#!endif\n"
      "switch($rm){\n"
      "case \"X\":\n"
      "break  ;\n"
      "}\n"
      "while($var(x)<3){ $var(x)=$var(x)+1; }\n"  // code after the brace: as written
      "return(1);\n"
      "}\n"
      "$var(s)='a\n"
      "  # inside a string, not a comment\n"
      "b';\n"
      "}\n";
  const std::string tidy =
      "loadmodule \"sl.so\"\n"
      "#!define CODE 404\n"
      "request_route {\n"
      "\tif ($rU == \"a\" && !($rm =~ \"^B\")) {\n"
      "\t\t$var(x) = 1 + 2;   # a trailing comment\n"
      "\t\txlog(\"L_INFO\", \"x\");\n"
      "\t\tsl_send_reply(CODE,\"x\");\n"
      "\t\t$var(y)=/* why */1;\n"
      "\t\txlog(\"a\",\n"
      "  \"b\");\n"
      "\t} else if ($rm == \"BYE\") {\n"
      "\t\tdrop;\n"
      "\t} else {\n"
      "#!ifdef NEVER\n"
      "$var(z)=2;\n"
      "#!endif\n"
      "\t\tswitch ($rm) {\n"
      "\t\t\tcase \"X\":\n"
      "\t\t\t\tbreak;\n"
      "\t\t}\n"
      "\t\twhile($var(x)<3){ $var(x)=$var(x)+1; }\n"
      "\t\treturn (1);\n"
      "\t}\n"
      "\t$var(s)='a\n"
      "  # inside a string, not a comment\n"
      "b';\n"
      "}\n";
  expectFormatsToThenStays(ws, messy, tidy);
  std::string main = ws.write("main.cfg", messy);
  std::string error;
  // A range gets the same edits on its lines only: here one edit for the
  // indentation and the text together.
  std::optional<std::vector<TextEdit>> edits = analyse(main)->format(main, 4, 4, true, 2, &error);
  ASSERT_TRUE(edits);
  EXPECT_EQ(*edits, (std::vector<TextEdit>{{span(4, 0, 13), "    $var(x) = 1 + 2;"}}));
  // Indented already: the edit covers the statement only, its end in UTF-16
  // code units (é is one, the emoji two).
  std::string indented = ws.write("main.cfg", "request_route {\n\txlog( \"\u00e9\U0001F600\" ); # c\n}\n");
  EXPECT_EQ(*analyse(indented)->format(indented, 0, 10, false, 4, &error),
            (std::vector<TextEdit>{{span(1, 1, 15), "xlog(\"\u00e9\U0001F600\");"}}));
}

namespace {

std::string treeWithoutLocations(const Analysis& a) {
  return ast::dumpJson(*a.compilation().config, a.sourceManager(), nullptr, {false, -1});
}

}  // namespace

TEST(Features, FormattingEveryCorpusConfigKeepsItsTreeAndFormattingAgainChangesNothing) {
  size_t formatted = 0, refused = 0, rewrittenLines = 0;
  for (const auto& e : fs::directory_iterator(fs::path(KAMC_CORPUS_DIR) / "kamailio-5.6")) {
    if (e.path().extension() != ".cfg") continue;
    std::string path = normalizePath(e.path().string());
    std::shared_ptr<const Analysis> before = analyse(path);
    std::string error;
    std::optional<std::vector<TextEdit>> edits = before->format(path, 0, UINT32_MAX, false, 4, &error);
    if (!edits) {
      EXPECT_FALSE(before->parsedCleanly()) << path << ": " << error;
      ++refused;
      continue;
    }
    for (const TextEdit& edit : *edits)
      rewrittenLines += edit.newText.find_first_not_of(" \t") != std::string::npos;  // not only indentation
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    FileOverlay overlay;
    overlay.set(path, applied(text, *edits));
    std::shared_ptr<const Analysis> after = Analysis::run(path, overlay, {});
    ASSERT_TRUE(after->parsedCleanly()) << path;
    EXPECT_EQ(treeWithoutLocations(*after), treeWithoutLocations(*before)) << path;
    EXPECT_EQ(*after->format(path, 0, UINT32_MAX, false, 4, &error), std::vector<TextEdit>{}) << path;
    ++formatted;
  }
  std::printf("formatting: %zu corpus configs formatted (%zu lines with their text rewritten), %zu refused\n",
              formatted, rewrittenLines, refused);
  EXPECT_GT(formatted, 40u);
  EXPECT_GT(rewrittenLines, 100u);
}

TEST(Features, QuickFixEndsAPseudoVariableNameBeforeADotInAFormat) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg",
                              "loadmodule \"pv.so\"\nloadmodule \"xlog.so\"\nrequest_route {\n"
                              "  xlog(\"L_INFO\", \"user $rU.x\\n\");\n}\n");
  std::vector<std::pair<FileDiagnostic, QuickFix>> fixes = analyse(main)->quickFixes(main, {{3, 0}, {3, 40}});
  ASSERT_EQ(fixes.size(), 1u);
  EXPECT_EQ(fixes[0].first.rule, "kamc-bad-format");
  EXPECT_EQ(fixes[0].second.title, "Change to $(rU)");
  EXPECT_EQ(fixes[0].second.edit, (FileEdit{{main, span(3, 23, 26)}, "$(rU)"}));
}

TEST(Features, CompletionOfBranchFailureRouteNames) {
  TempWorkspace ws;
  std::string text = "loadmodule \"tm.so\"\nrequest_route {\n  t_on_branch_failure(\"\");\n}\n"
                     "event_route[tm:branch-failure:RETRY] {\n  drop;\n}\n";
  std::string main = ws.write("main.cfg", text);
  EXPECT_EQ(labels(analyse(main)->completion(main, text, {2, 23})), std::vector<std::string>{"RETRY"});
}

TEST(Features, PseudoVariablesInsideFormatStringsAreNavigable) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg",
                              "loadmodule \"pv.so\"\nloadmodule \"xlog.so\"\nrequest_route {\n"
                              "  $var(n) = 1;\n"
                              "  xlog(\"L_INFO\", \"n=$var(n) ru=$ru\\n\");\n"
                              "  $var(m) = \"$var(n)\";\n"  // a plain string, not a format: no reference
                              "}\n");
  std::shared_ptr<const Analysis> a = analyse(main);
  EXPECT_EQ(a->references(main, {3, 4}, true),
            (std::vector<Location>{{main, span(3, 2, 9)}, {main, span(4, 20, 27)}}));
  EXPECT_EQ(a->definition(main, {4, 22}), (std::vector<Location>{{main, span(3, 2, 9)}}));
  std::optional<HoverResult> h = a->hover(main, {4, 32});
  ASSERT_TRUE(h);
  EXPECT_EQ(h->range, span(4, 31, 34));
  EXPECT_EQ(h->markdown.substr(0, 20), "```kamailio\n$ru\n```\n");
}

TEST(Features, TheNameOfAnIfdefLineIsTheDefine) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg",
                              "#!define WITH_X\nloadmodule \"sl.so\"\nrequest_route {\n"
                              "#!ifdef WITH_X\n  drop;\n#!endif\n#!ifndef WITH_Y\n  exit;\n#!endif\n}\n");
  std::shared_ptr<const Analysis> a = analyse(main);
  EXPECT_EQ(a->definition(main, {3, 10}), (std::vector<Location>{{main, span(0, 9, 15)}}));
  std::optional<HoverResult> h = a->hover(main, {6, 10});
  ASSERT_TRUE(h);
  EXPECT_EQ(h->markdown, "`WITH_Y` is not defined at the end of the config");
  EXPECT_EQ(h->range, span(6, 9, 15));
  std::string error;
  EXPECT_EQ(a->rename(main, {3, 10}, "WITH_Z", &error),
            (std::vector<FileEdit>{{{main, span(0, 9, 15)}, "WITH_Z"}, {{main, span(3, 8, 14)}, "WITH_Z"}}));
}

TEST(Features, AFragmentOfTwoRootsIsAnalysedUnderTheFirstAndCheckedUnderBoth) {
  TempWorkspace ws;
  std::string a = ws.write("a.cfg", "loadmodule \"sl.so\"\ninclude_file \"common.cfg\"\n");
  std::string b = ws.write("b.cfg", "include_file \"common.cfg\"\n");
  std::string common = ws.write("common.cfg", "request_route {\n  sl_send_reply(\"404\", \"x\");\n}\n");
  Workspace workspace;
  workspace.scanFolder(ws.dir());
  EXPECT_EQ(workspace.roots(), (std::vector<std::string>{a, b}));
  EXPECT_EQ(workspace.rootFor(common), a);  // the first in path order
  EXPECT_TRUE(analyse(a)->diagnostics(common).empty());
  // Under b.cfg, which loads no sl, the same fragment has a finding: --check shows both roots.
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* out = open_memstream(&buf, &len);
  WorkspaceCheckResult r = checkWorkspace(ws.dir(), {}, out, false);
  std::fclose(out);
  std::string text(buf, len);
  std::free(buf);
  EXPECT_EQ(r.roots, 2u);
  EXPECT_EQ(r.errors, 1u);
  EXPECT_EQ(text.find("In the context of root config " + a), std::string::npos);
  EXPECT_NE(text.find("In the context of root config " + b + ":"), std::string::npos);
  EXPECT_NE(text.find("common.cfg:2:3: error: 'sl_send_reply' comes from module sl, which is not loaded"),
            std::string::npos);
}

TEST(Features, AModuleNameAtTheStartOfALineCompletesToItsLoadmoduleLine) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", kMain);
  std::vector<Completion> items = analyse(main)->completion(main, kMain + "xlo\n", {17, 3});
  auto xlog = std::find_if(items.begin(), items.end(), [](const Completion& c) { return c.label == "xlog"; });
  ASSERT_NE(xlog, items.end());
  EXPECT_EQ(xlog->kind, CompletionKind::Module);
  EXPECT_EQ(xlog->insertText, "loadmodule \"xlog.so\"");
  // A loaded module is not offered again.
  std::vector<std::string> names = labels(analyse(main)->completion(main, kMain + "sl\n", {17, 2}));
  EXPECT_FALSE(has(names, "sl"));
}

TEST(Features, QuickFixForAMisspeltModparamName) {
  TempWorkspace ws;
  std::string main = ws.write("main.cfg", "loadmodule \"tm.so\"\nmodparam(\"tm\", \"fr_timre\", 5000)\n");
  std::vector<std::pair<FileDiagnostic, QuickFix>> fixes = analyse(main)->quickFixes(main, {{1, 0}, {1, 30}});
  ASSERT_EQ(fixes.size(), 1u);
  EXPECT_EQ(fixes[0].first.rule, "kamc-unknown-modparam");
  EXPECT_EQ(fixes[0].second.title, "Change to 'fr_timer'");
  EXPECT_EQ(fixes[0].second.edit, (FileEdit{{main, span(1, 16, 24)}, "fr_timer"}));
}

TEST(Workspace, ARemovedFolderIsNoLongerARootNorAnIncluderUnlessItsRootIsStillAnalysed) {
  TempWorkspace kept, removed;
  std::string keptRoot = kept.write("main.cfg", "loadmodule \"sl.so\"\n");
  std::string root = removed.write("root.cfg", "loadmodule \"tm.so\"\ninclude_file \"part.cfg\"\n");
  std::string part = removed.write("part.cfg", "request_route {\n  t_relay();\n}\n");
  Workspace workspace;
  workspace.scanFolder(kept.dir());
  workspace.scanFolder(removed.dir() + "/");
  EXPECT_EQ(workspace.roots(), (std::vector<std::string>{keptRoot, root}));
  EXPECT_EQ(workspace.rootFor(part), root);
  EXPECT_TRUE(workspace.inFolders(part));

  // root.cfg is open (its own analyses keep its include edges): part.cfg stays in its context.
  Workspace stillOpen = workspace;
  stillOpen.removeFolder(removed.dir(), {root});
  EXPECT_EQ(stillOpen.roots(), std::vector<std::string>{keptRoot});
  EXPECT_EQ(stillOpen.rootFor(part), root);

  workspace.removeFolder(removed.dir(), {});
  EXPECT_EQ(workspace.roots(), std::vector<std::string>{keptRoot});
  EXPECT_EQ(workspace.rootFor(part), part);  // its own root now, like any file outside the workspace
  EXPECT_FALSE(workspace.inFolders(part));
  EXPECT_TRUE(workspace.inFolders(keptRoot));
}
