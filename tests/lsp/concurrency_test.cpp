// ANTLR's lexer and parser share static DFA caches; the language server (and
// any tool) may parse from several threads. Every corpus config parsed from
// eight threads at once, with cold caches, must give the tree a sequential
// parse gives, and nothing may crash (parseConfig serialises the parses).
// The server's workers run whole analyses at once (preprocessing, checks and
// indexes in parallel): each must give the findings a sequential one gives.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "Features.h"
#include "kamc/ast/AstJson.h"
#include "kamc/frontend/Pipeline.h"

using namespace kamc;
namespace fs = std::filesystem;

namespace {

std::string treeOf(const std::string& path) {
  frontend::PipelineOptions options;
  options.keepGoing = true;
  frontend::Compilation unit = frontend::parse(frontend::ConfigInput::file(path), options);
  if (!unit.config) return "<no tree>";
  return ast::dumpJson(*unit.config, unit.sm, &unit.pp.map.expansions(), {true, -1});
}

std::vector<std::string> corpusConfigs() {
  std::vector<std::string> files;
  for (const char* sub : {"kamailio", "kamailio-5.6"})
    for (const auto& e : fs::directory_iterator(fs::path(KAMC_CORPUS_DIR) / sub))
      if (e.path().extension() == ".cfg") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

std::string findingsOf(const std::string& path) {
  std::shared_ptr<const lsp::Analysis> a = lsp::Analysis::run(path, {}, {});
  std::string out;
  for (const Diagnostic& d : a->rawDiagnostics())
    out += d.rule + " " + std::to_string(d.loc.line) + ":" + std::to_string(d.loc.column) + " " + d.message + "\n";
  return out + std::to_string(a->files().size()) + " files\n";
}

}  // namespace

TEST(ConcurrentParses, EveryThreadGetsTheSequentialTree) {
  std::vector<std::string> files = corpusConfigs();
  ASSERT_GT(files.size(), 50u);
  std::vector<std::string> concurrent(files.size());
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (size_t i; (i = next++) < files.size();) concurrent[i] = treeOf(files[i]);
    });
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < files.size(); ++i) EXPECT_EQ(concurrent[i], treeOf(files[i])) << files[i];
}

TEST(ConcurrentAnalyses, EveryThreadGetsTheSequentialFindings) {
  std::vector<std::string> files = corpusConfigs();
  ASSERT_GT(files.size(), 50u);
  std::vector<std::string> concurrent(files.size());
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (size_t i; (i = next++) < files.size();) concurrent[i] = findingsOf(files[i]);
    });
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < files.size(); ++i) EXPECT_EQ(concurrent[i], findingsOf(files[i])) << files[i];
}
