// Analysis::update reuses the previous tree when an edit stays inside one
// route block (or in comments between items). Whatever it reuses, its result
// must be the one a whole analysis gives: the same tree, node for node with
// every location, and the same findings.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "Features.h"
#include "kamc/ast/AstJson.h"

using namespace kamc;
using namespace kamc::lsp;
namespace fs = std::filesystem;

namespace {

std::string treeOf(const Analysis& a) {
  const frontend::Compilation& unit = a.compilation();
  if (!unit.config) return "<no tree>";
  return ast::dumpJson(*unit.config, unit.sm, &unit.pp.map.expansions(), {true, -1});
}

std::string findingsOf(const Analysis& a) {
  std::ostringstream out;
  for (const Diagnostic& d : a.rawDiagnostics()) {
    out << d.rule << " " << d.loc.file << ":" << d.loc.line << ":" << d.loc.column << "-" << d.end.line << ":"
        << d.end.column << " " << d.message << "\n";
    for (const DiagnosticNote& n : d.notes) out << "  " << n.loc.line << ":" << n.loc.column << " " << n.message << "\n";
    for (const FixIt& f : d.fixes)
      out << "  fix " << f.begin.line << ":" << f.begin.column << " " << f.replacement << "\n";
  }
  return out.str();
}

struct Outcome {
  bool reused = false;
};

// Analyses `before`, then updates to `after`; checks the update against a
// whole analysis of `after`.
Outcome expectSameAsWhole(const std::string& path, const std::string& before, const std::string& after) {
  FileOverlay old, now;
  old.set(path, before);
  now.set(path, after);
  std::shared_ptr<const Analysis> previous = Analysis::run(path, old, {});
  std::shared_ptr<const Analysis> updated = Analysis::update(previous, path, now, {});
  std::shared_ptr<const Analysis> whole = Analysis::run(path, now, {});
  EXPECT_EQ(treeOf(*updated), treeOf(*whole)) << path;
  EXPECT_EQ(findingsOf(*updated), findingsOf(*whole)) << path;
  return {updated->reusedTree()};
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// After the first line of the first route block that opens with "{\n".
size_t insideFirstRoute(const std::string& text) {
  for (const char* opener : {"request_route {\n", "route {\n", "route[", "failure_route["}) {
    size_t at = text.find(opener);
    if (at == std::string::npos) continue;
    size_t brace = text.find("{\n", at);
    if (brace != std::string::npos) return brace + 2;
  }
  return std::string::npos;
}

}  // namespace

TEST(IncrementalAnalysis, EditsInsideOneItemReuseTheTreeAndMatchAWholeAnalysis) {
  const std::string path = (fs::temp_directory_path() / "kamc-incremental.cfg").string();
  const std::string text =
      "#!define CODE 404\nloadmodule \"sl.so\"\nloadmodule \"pv.so\"\n"
      "request_route {\n  route(A);\n  sl_send_reply(CODE, \"x\");\n}\n"
      "route[A] {\n  $var(x) = 1;\n}\n"
      "route[B] {\n  if ($var(x) == 1) { drop; }\n}\n";
  size_t inA = text.find("  $var(x) = 1;");
  EXPECT_TRUE(expectSameAsWhole(path, text, text.substr(0, inA) + "  # note\n" + text.substr(inA)).reused);
  EXPECT_TRUE(expectSameAsWhole(path, text, text.substr(0, inA) + "  sl_send_replyy(\"1\", \"y\");\n" + text.substr(inA)).reused);
  EXPECT_TRUE(expectSameAsWhole(path, text, text.substr(0, inA) + "  $var(y) = CODE;\n" + text.substr(inA)).reused);
  // Between items: a comment is reused, anything else is parsed whole.
  EXPECT_TRUE(expectSameAsWhole(path, text, "# top\n" + text).reused);
  EXPECT_FALSE(expectSameAsWhole(path, text, "oops\n" + text).reused);
  // Deleting the '#' of a comment between items changes one byte to none, and
  // makes the rest of the line code: parsed whole, and a syntax error.
  std::string commented = "# oops\n" + text;
  EXPECT_FALSE(expectSameAsWhole(path, commented, commented.substr(1)).reused);
  // A change that crosses blocks, a broken block, or a define's value: whole.
  EXPECT_FALSE(expectSameAsWhole(path, text, text.substr(0, inA) + "}\nroute[C] {\n" + text.substr(inA)).reused);
  EXPECT_FALSE(expectSameAsWhole(path, text, text.substr(0, inA) + "  if (\n" + text.substr(inA)).reused);
  // Inside a modparam or a loadmodule: that item alone, too.
  std::string withParam = "modparam(\"sl\", \"default_code\", 400)\n" + text;
  size_t code = withParam.find("400");
  EXPECT_TRUE(expectSameAsWhole(path, withParam, withParam.substr(0, code) + "4" + withParam.substr(code)).reused);
  EXPECT_TRUE(expectSameAsWhole(path, withParam, withParam.substr(0, code) + "\"x\"" + withParam.substr(code + 3)).reused);
  size_t so = text.find("sl.so");
  EXPECT_TRUE(expectSameAsWhole(path, text, text.substr(0, so) + "tm" + text.substr(so + 2)).reused);
  // A core parameter's value is not reused: what follows it may belong to it.
  std::string withDebug = "debug=2\n" + text;
  EXPECT_FALSE(expectSameAsWhole(path, withDebug, "debug=3\n" + text).reused);
  std::string redefined = text;
  redefined.replace(redefined.find("404"), 3, "500");
  EXPECT_TRUE(expectSameAsWhole(path, text, redefined).reused);
}

TEST(IncrementalAnalysis, ADefineUsedInSeveralItemsReparsesThoseItemsAlone) {
  const std::string path = (fs::temp_directory_path() / "kamc-incremental-define.cfg").string();
  const std::string text =
      "#!define CODE 404\nloadmodule \"sl.so\"\nloadmodule \"pv.so\"\n"
      "modparam(\"sl\", \"default_code\", CODE)\n"
      "request_route {\n  route(A);\n  sl_send_reply(CODE, \"x\");\n}\n"
      "route[A] {\n  $var(x) = 1;\n}\n"
      "route[B] {\n  if ($var(x) == CODE) { drop; }\n}\n";
  auto withCode = [&](const std::string& value) {
    std::string t = text;
    t.replace(t.find("404"), 3, value);
    return t;
  };
  // Three items change (the modparam and two blocks), route[A] moves.
  EXPECT_TRUE(expectSameAsWhole(path, text, withCode("4040")).reused);
  EXPECT_TRUE(expectSameAsWhole(path, text, withCode("\"404\"")).reused);  // now a finding in each use
  EXPECT_TRUE(expectSameAsWhole(path, text, withCode("4")).reused);
  // A value that breaks the items' syntax: parsed whole, with its errors.
  EXPECT_FALSE(expectSameAsWhole(path, text, withCode("(")).reused);
  // A change inside one block and in a comment between two others, at once.
  std::string two = text;
  two.replace(two.find("$var(x) = 1"), 11, "$var(x) = 2");
  two.replace(two.find("route[B]"), 0, "# b\n");
  EXPECT_TRUE(expectSameAsWhole(path, text, two).reused);
  // A change inside a block and one that is not layout between items: whole.
  std::string broken = two;
  broken.replace(broken.find("# b\n"), 4, "b\n");
  EXPECT_FALSE(expectSameAsWhole(path, text, broken).reused);
}

TEST(IncrementalAnalysis, EveryCorpusConfigGivesTheWholeAnalysisAfterAnEditInsideAnItem) {
  size_t reused = 0;
  for (const auto& e : fs::directory_iterator(fs::path(KAMC_CORPUS_DIR) / "kamailio-5.6")) {
    if (e.path().extension() != ".cfg") continue;
    std::string text = readFile(e.path().string());
    size_t at = insideFirstRoute(text);
    if (at == std::string::npos) continue;
    for (const char* insert : {"  # edited\n", "\t$var(edited) = $rU;\n", "\txlog(\"L_INFO\", \"edited $ru\\n\");\n"})
      reused += expectSameAsWhole(e.path().string(), text, text.substr(0, at) + insert + text.substr(at)).reused;
    reused += expectSameAsWhole(e.path().string(), text, "# a new first line\n" + text).reused;
    // Inside the first modparam's parameter name.
    size_t modparam = text.find("\nmodparam(\"");
    if (modparam != std::string::npos) {
      size_t name = text.find("\", \"", modparam);
      if (name != std::string::npos && name < text.find('\n', modparam + 1))
        reused += expectSameAsWhole(e.path().string(), text, text.substr(0, name + 4) + "x" + text.substr(name + 4)).reused;
    }
  }
  EXPECT_GT(reused, 100u);
}

TEST(IncrementalAnalysis, EveryCorpusConfigGivesTheWholeAnalysisAfterADefineValueChanges) {
  size_t edited = 0, reused = 0;
  for (const auto& e : fs::directory_iterator(fs::path(KAMC_CORPUS_DIR) / "kamailio-5.6")) {
    if (e.path().extension() != ".cfg") continue;
    std::string text = readFile(e.path().string());
    // Every numeric #!define value gets a digit more: its uses change wherever they are.
    std::string after = text;
    size_t changed = 0;
    for (size_t at = after.find("#!define "); at != std::string::npos; at = after.find("#!define ", at + 1)) {
      size_t eol = after.find('\n', at);
      size_t value = after.find_last_of(" \t", eol);
      if (value == std::string::npos || value < at + 9 || value + 1 >= eol) continue;
      if (after.find_first_not_of("0123456789", value + 1) != eol) continue;
      after.insert(eol, "0");
      ++changed;
    }
    if (!changed) continue;
    ++edited;
    reused += expectSameAsWhole(e.path().string(), text, after).reused;
  }
  EXPECT_GE(edited, 10u);
  EXPECT_GE(reused * 2, edited);
}
