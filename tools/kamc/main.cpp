// kamc: the command-line driver. `kamc -E cfg` prints the config the way
// `kamailio --cfg-print` does; `--expand` prints the text the parser sees.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "kamc/basic/Diagnostics.h"
#include "kamc/preprocess/Preprocessor.h"

namespace {

enum ExitCode { kClean = 0, kConfigErrors = 1, kUsageError = 2 };

struct Options {
  std::string input;
  std::string output;
  bool preprocessOnly = false;
  bool expand = false;
  std::vector<std::string> defines;
  size_t maxDefines = 256;
  std::string color = "auto";
};

bool useColor(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  return isatty(STDERR_FILENO);
}

void printDiagnostics(const kamc::DiagnosticEngine& diags, const kamc::SourceManager& sm,
                      bool color) {
  for (const kamc::Diagnostic& d : diags.diagnostics())
    std::cerr << kamc::renderText(d, sm, {color, true});
}

int preprocessCommand(const Options& o) {
  kamc::SourceManager sm;
  kamc::DiagnosticEngine diags;
  kamc::PreprocessOptions popts;
  popts.mode = o.expand ? kamc::PreprocessMode::Expand : kamc::PreprocessMode::CfgPrint;
  popts.commandLineDefines = o.defines;
  popts.maxDefines = o.maxDefines;
  kamc::PreprocessResult r = kamc::preprocessFile(o.input, popts, sm, diags);
  if (r.mainFile == kamc::kNoFile) {
    printDiagnostics(diags, sm, useColor(o.color));
    return kUsageError;
  }
  // The text goes out even after an error, as kamailio prints what it read.
  if (o.output.empty() || o.output == "-") {
    std::fwrite(r.text.data(), 1, r.text.size(), stdout);
    std::fflush(stdout);
  } else {
    std::ofstream out(o.output, std::ios::binary);
    out << r.text;
    if (!out) {
      std::cerr << "kamc: cannot write " << o.output << "\n";
      return kUsageError;
    }
  }
  printDiagnostics(diags, sm, useColor(o.color));
  return diags.hasErrors() ? kConfigErrors : kClean;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kamc: Kamailio configuration toolchain"};
  Options o;
  app.set_version_flag("--version", std::string("kamc ") + KAMC_VERSION);
  app.add_option("input", o.input, "Kamailio configuration file")->required();
  app.add_flag("-E", o.preprocessOnly,
               "Preprocess only: print what `kamailio --cfg-print` prints");
  app.add_flag("--expand", o.expand,
               "With -E: print the text the parser sees (defines and substs applied)");
  app.add_option("-o", o.output, "Write the output to FILE");
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
    int rc = app.exit(e);
    return rc == 0 ? kClean : kUsageError;
  }
  if (o.expand) o.preprocessOnly = true;
  if (!o.preprocessOnly) {
    std::cerr << "kamc: only -E (preprocess) is implemented so far; the AST and "
                 "compiling are not built yet (cfgcheck checks syntax; see README.md)\n";
    return kUsageError;
  }
  return preprocessCommand(o);
}
