// The sema layer (module scope, route index, define table, the nodes under a
// position), the file overlay, diagnostic ranges and editor column encodings.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "kamc/basic/PositionEncoding.h"
#include "kamc/frontend/Pipeline.h"
#include "kamc/sema/Defines.h"
#include "kamc/sema/Modules.h"
#include "kamc/sema/NodeAt.h"
#include "kamc/sema/Routes.h"

using namespace kamc;

namespace {

frontend::Compilation checked(const std::string& text) {
  frontend::Compilation unit = frontend::check(frontend::ConfigInput::inMemory("t.cfg", text), {});
  EXPECT_TRUE(unit.config) << "the test config must parse";
  return unit;
}

// The preprocessed offset of "needle" (its n-th occurrence) in the main file.
uint32_t offsetOf(const frontend::Compilation& unit, const std::string& needle, size_t skip = 0) {
  const std::string& text = unit.sm.file(unit.pp.mainFile).content;
  size_t at = text.find(needle);
  while (skip-- > 0) at = text.find(needle, at + 1);
  EXPECT_NE(at, std::string::npos);
  std::optional<uint32_t> out = sema::preprocessedOffset(unit.pp.map, unit.pp.mainFile, uint32_t(at));
  EXPECT_TRUE(out);
  return out.value_or(0);
}

const std::string kRoutes =
    "loadmodule \"tm.so\"\nloadmodule \"sl.so\"\n"
    "request_route {\n  route(RELAY);\n  t_on_failure(\"MISS\");\n}\n"
    "route[RELAY] {\n  t_relay();\n  route(RELAY);\n}\n"
    "failure_route[MISS] {\n  sl_send_reply(\"500\", \"x\");\n}\n";

}  // namespace

TEST(SemaRoutes, IndexFindsEveryBlockAndEveryStaticReference) {
  frontend::Compilation unit = checked(kRoutes);
  sema::RouteIndex routes(*unit.config);
  sema::RouteKey relay{ast::RouteKind::Named, "RELAY"}, miss{ast::RouteKind::Failure, "MISS"};
  ASSERT_TRUE(routes.definition(relay));
  EXPECT_EQ(routes.definition(relay)->loc.line, 7u);
  EXPECT_EQ(routes.usesOf(relay).size(), 2u);
  ASSERT_EQ(routes.usesOf(miss).size(), 1u);
  EXPECT_EQ(routes.usesOf(miss)[0]->ref.call->loc.line, 5u);
  EXPECT_EQ(routes.usesOf(miss)[0]->in->routeKind, ast::RouteKind::Request);
}

TEST(SemaModules, ResolvesACallAgainstTheModulesLoadedAboveIt) {
  frontend::Compilation unit = checked(kRoutes);
  sema::ModuleSet modules(*unit.config);
  sema::NodePath p = sema::nodeAt(*unit.config, offsetOf(unit, "sl_send_reply"));
  ASSERT_TRUE(p.enclosingCall());
  EXPECT_EQ(p.enclosingCall()->callee, "sl_send_reply");
  sema::CallResolution r = sema::resolveCall(*p.enclosingCall(), modules, sema::orderOf(*unit.config, *p.item));
  EXPECT_EQ(r.status, sema::CallResolution::Status::Found);
  ASSERT_FALSE(r.rows.empty());
  EXPECT_EQ(r.rows[0]->module, "sl");
}

TEST(SemaNodeAt, FindsTheInnermostExpressionAndTheTopLevelWord) {
  frontend::Compilation unit = checked("modparam(\"tm\", \"fr_timer\", 10)\nrequest_route {\n  if ($rU == \"a\") drop;\n}\n");
  sema::NodePath pv = sema::nodeAt(*unit.config, offsetOf(unit, "$rU") + 1);
  ASSERT_TRUE(pv.innermostExpr());
  EXPECT_EQ(pv.innermostExpr()->kind, ast::ExprKind::PseudoVar);
  EXPECT_EQ(pv.statements.size(), 2u);  // the block and the if
  sema::NodePath param = sema::nodeAt(*unit.config, offsetOf(unit, "fr_timer"));
  ASSERT_TRUE(param.word);
  EXPECT_EQ(param.word->value, "fr_timer");
}

TEST(SemaDefines, KnowsWhereANameIsDefinedAndUsed) {
  frontend::Compilation unit = checked("#!define CODE 404\nrequest_route {\n  sl_send_reply(CODE, \"no\");\n}\n");
  sema::DefineTable defines(unit.pp);
  ASSERT_TRUE(defines.find("CODE"));
  EXPECT_EQ(defines.find("CODE")->value, "404");
  ASSERT_EQ(defines.usesOf("CODE").size(), 1u);
  EXPECT_EQ(defines.usesOf("CODE")[0]->useSite.line, 3u);
  EXPECT_TRUE(defines.useAt({unit.pp.mainFile, 3, 18}));
  EXPECT_FALSE(defines.useAt({unit.pp.mainFile, 3, 24}));
  EXPECT_TRUE(defines.definitionAt({unit.pp.mainFile, 1, 10}));
}

TEST(FileOverlay, AnOpenBufferReplacesTheFileOnDiskForTheMainFileAndItsIncludes) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "kamc-overlay-test";
  fs::create_directories(dir);
  std::ofstream(dir / "main.cfg") << "include_file \"part.cfg\"\n";
  std::ofstream(dir / "part.cfg") << "debug=2\n";
  FileOverlay overlay;
  overlay.set((dir / "part.cfg").string(), "no_such_param=1\n");
  frontend::ConfigInput input = frontend::ConfigInput::file((dir / "main.cfg").string());
  input.overlay = &overlay;
  frontend::PipelineOptions options;
  options.keepGoing = true;
  frontend::Compilation unit = frontend::check(input, options);
  ASSERT_EQ(unit.diags.diagnostics().size(), 1u);
  EXPECT_EQ(unit.diags.diagnostics()[0].rule, "kamc-unknown-core-param");
  // The include resolved relative to the including file, read from the overlay.
  EXPECT_EQ(unit.sm.file(unit.diags.diagnostics()[0].loc.file).content, "no_such_param=1\n");
  overlay.erase((dir / "part.cfg").string());
  EXPECT_FALSE(frontend::check(input, options).diags.hasErrors());
  fs::remove_all(dir);
}

TEST(DiagnosticRange, ALintFindingSpansTheWholeNode) {
  frontend::Compilation unit = checked("loadmodule \"sl.so\"\nrequest_route {\n  sl_send_replyy(\"404\", \"x\");\n}\n");
  ASSERT_EQ(unit.diags.diagnostics().size(), 1u);
  const Diagnostic& d = unit.diags.diagnostics()[0];
  EXPECT_EQ(d.rule, "kamc-unknown-function");
  EXPECT_EQ(d.loc, (SourceLocation{unit.pp.mainFile, 3, 3}));
  EXPECT_EQ(d.end, (SourceLocation{unit.pp.mainFile, 3, 29}));
}

TEST(PositionEncoding, CountsUtf16UnitsAndUtf8Bytes) {
  std::string line = "a\xC3\xA9" "b\xF0\x9F\x98\x80" "c";  // a é b 😀 c
  EXPECT_EQ(codeUnitsBefore(line, 3, PositionEncoding::Utf16), 2u);   // after é
  EXPECT_EQ(codeUnitsBefore(line, 8, PositionEncoding::Utf16), 5u);   // after the surrogate pair
  EXPECT_EQ(codeUnitsBefore(line, 8, PositionEncoding::Utf8), 8u);
  EXPECT_EQ(byteColumnOf(line, 5, PositionEncoding::Utf16), 8u);
  EXPECT_EQ(byteColumnOf(line, 4, PositionEncoding::Utf16), 4u);      // inside the pair: its start
  EXPECT_EQ(byteColumnOf(line, 100, PositionEncoding::Utf16), line.size());  // past the end: the end
  EXPECT_EQ(byteColumnOf(line, 2, PositionEncoding::Utf8), 1u);       // inside é: its start
}
