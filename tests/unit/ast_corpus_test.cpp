// Every corpus config that parses cleanly survives parse -> print -> parse
// with an identical AST, including etc__kamailio.cfg under its -A WITH_*
// defines. The figures are printed; any file that differs is named.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "kamc/ast/AstJson.h"
#include "kamc/ast/AstPrinter.h"
#include "kamc/frontend/Pipeline.h"

using namespace kamc;
namespace fs = std::filesystem;

namespace {

const char* const kWithDefines[] = {
    "WITH_DEBUG", "WITH_MYSQL", "WITH_AUTH", "WITH_IPAUTH", "WITH_USRLOCDB", "WITH_PRESENCE",
    "WITH_NAT", "WITH_NATSIPPING", "WITH_RTPENGINE", "WITH_PSTN", "WITH_ALIASDB",
    "WITH_SPEEDDIAL", "WITH_MULTIDOMAIN", "WITH_TLS", "WITH_JSONRPC", "WITH_ANTIFLOOD",
    "WITH_BLOCK3XX", "WITH_BLOCK401407", "WITH_VOICEMAIL", "WITH_ACCDB", "WITH_HTABLE",
    "WITH_MSGREBUILD"};

enum class Outcome { SyntaxErrors, Identical, Different };

// Preprocess and parse, the printers' stages.
frontend::Compilation parse(const frontend::ConfigInput& input, std::vector<std::string> defines = {}) {
  frontend::PipelineOptions options;
  options.preprocess.commandLineDefines = std::move(defines);
  return frontend::parse(input, options);
}

std::string treeWithoutLocations(const frontend::Compilation& unit) {
  return ast::dumpJson(*unit.config, unit.sm, nullptr, {false, -1});
}

// Runs from the file's folder, as kamailio resolves includes from there.
Outcome roundTrip(const fs::path& file, std::vector<std::string> defines, std::string* detail) {
  fs::path previous = fs::current_path();
  fs::current_path(file.parent_path());
  frontend::Compilation unit = parse(frontend::ConfigInput::file(file.filename().string()), std::move(defines));
  fs::current_path(previous);
  if (unit.exitCode() != 0) return Outcome::SyntaxErrors;
  std::string original = treeWithoutLocations(unit);
  std::string printed = ast::printConfig(*unit.config);
  frontend::Compilation again = parse(frontend::ConfigInput::inMemory("printed.cfg", printed));
  bool errors = again.exitCode() != 0;
  std::string reparsed = again.config ? treeWithoutLocations(again) : "";
  if (!errors && reparsed == original) return Outcome::Identical;
  size_t at = std::mismatch(original.begin(), original.end(), reparsed.begin(), reparsed.end()).first -
              original.begin();
  *detail = errors ? "the printed text has syntax errors"
                   : "trees differ at JSON offset " + std::to_string(at) + ": " +
                         original.substr(at > 80 ? at - 80 : 0, 160);
  return Outcome::Different;
}

}  // namespace

TEST(AstCorpus, PrintedConfigsParseBackToTheSameTree) {
  std::vector<std::pair<fs::path, std::vector<std::string>>> inputs;
  for (const char* corpus : {"kamailio", "kamailio-5.6"}) {
    fs::path dir = fs::path(KAMC_CORPUS_DIR) / corpus;
    ASSERT_TRUE(fs::is_directory(dir)) << dir << " is missing";
    for (const fs::directory_entry& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".cfg") inputs.push_back({e.path(), {}});
    for (const char* define : kWithDefines) inputs.push_back({dir / "etc__kamailio.cfg", {define}});
  }
  size_t identical = 0, skipped = 0;
  std::vector<std::string> different;
  for (auto& [file, defines] : inputs) {
    std::string detail;
    Outcome o = roundTrip(file, defines, &detail);
    if (o == Outcome::Identical) ++identical;
    else if (o == Outcome::SyntaxErrors) ++skipped;
    else different.push_back(file.string() + (defines.empty() ? "" : " -A " + defines[0]) + ": " + detail);
  }
  std::printf("round-trip: %zu inputs, %zu identical, %zu different, %zu not parsed (syntax errors)\n",
              inputs.size(), identical, different.size(), skipped);
  EXPECT_GT(identical, 100u);
  for (const std::string& d : different) ADD_FAILURE() << d;
}
