// cfgcheck: checks Kamailio configs without running any module code. So far
// it reports preprocessor and syntax errors (rule 1 of the linter); the
// semantic rules come with the module catalog.
#include <CLI/CLI.hpp>

#include "kamc/driver/CommonOptionsCli.h"
#include "kamc/syntax/SyntaxCheck.h"

namespace {

// Checks one file; returns false when it could not be read at all.
bool checkFile(const std::string& path, const kamc::CommonOptions& common, bool* findings) {
  kamc::SourceManager sm;
  kamc::DiagnosticEngine diags;
  kamc::PreprocessResult pp = kamc::preprocessFile(
      path, common.preprocessOptions(kamc::PreprocessMode::Expand), sm, diags);
  if (pp.mainFile != kamc::kNoFile && !pp.stoppedEarly) kamc::checkSyntax(pp, sm, diags);
  kamc::printDiagnostics(diags, sm, common.useColor());
  *findings = *findings || diags.hasErrors();
  return pp.mainFile != kamc::kNoFile;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cfgcheck: find mistakes in Kamailio configs"};
  std::vector<std::string> inputs;
  kamc::CommonOptions common;
  app.add_option("files", inputs, "Kamailio configuration files")->required();
  kamc::addCommonOptions(app, common);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kamc::kExitClean : kamc::kExitUsage;
  }
  bool findings = false;
  bool ioError = false;
  for (const std::string& path : inputs) ioError |= !checkFile(path, common, &findings);
  if (ioError) return kamc::kExitUsage;
  return findings ? kamc::kExitFindings : kamc::kExitClean;
}
