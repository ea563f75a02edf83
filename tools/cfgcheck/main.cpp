// cfgcheck: checks Kamailio configs without running any module code. So far
// it reports preprocessor and syntax errors (rule 1 of the linter); the
// semantic rules come with the module catalog.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "kamc/basic/Diagnostics.h"
#include "kamc/preprocess/Preprocessor.h"
#include "kamc/syntax/SyntaxCheck.h"

namespace {

enum ExitCode { kClean = 0, kFindings = 1, kUsageError = 2 };

struct Options {
  std::vector<std::string> inputs;
  std::vector<std::string> defines;
  size_t maxDefines = 256;
  std::string color = "auto";
};

// Checks one file; returns false when it could not be read at all.
bool checkFile(const std::string& path, const Options& o, bool color, bool* findings) {
  kamc::SourceManager sm;
  kamc::DiagnosticEngine diags;
  kamc::PreprocessOptions popts;
  popts.commandLineDefines = o.defines;
  popts.maxDefines = o.maxDefines;
  kamc::PreprocessResult pp = kamc::preprocessFile(path, popts, sm, diags);
  if (pp.mainFile != kamc::kNoFile && !pp.stoppedEarly) kamc::checkSyntax(pp, sm, diags);
  for (const kamc::Diagnostic& d : diags.diagnostics())
    std::cerr << kamc::renderText(d, sm, {color, true});
  *findings = *findings || diags.hasErrors();
  return pp.mainFile != kamc::kNoFile;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cfgcheck: find mistakes in Kamailio configs"};
  Options o;
  app.add_option("files", o.inputs, "Kamailio configuration files")->required();
  app.add_option("-A", o.defines, "Define NAME or NAME=VALUE, like kamailio -A")
      ->allow_extra_args(false);
  app.add_option("--max-defines", o.maxDefines,
                 "Most defines allowed (256; 512 matches Kamailio >= 5.3)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--color", o.color, "Color diagnostics: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kClean : kUsageError;
  }
  bool color = o.color == "always" || (o.color == "auto" && isatty(STDERR_FILENO));
  bool findings = false;
  bool ioError = false;
  for (const std::string& path : o.inputs) ioError |= !checkFile(path, o, color, &findings);
  if (ioError) return kUsageError;
  return findings ? kFindings : kClean;
}
