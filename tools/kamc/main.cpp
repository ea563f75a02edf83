// kamc: the command-line driver. `kamc -E cfg` prints the config the way
// `kamailio --cfg-print` does; `--expand` prints the text the parser sees.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "kamc/driver/CommonOptionsCli.h"

namespace {

struct Options {
  std::string input;
  std::string output;
  bool preprocessOnly = false;
  bool expand = false;
  kamc::CommonOptions common;
};

bool writeOutput(const std::string& text, const std::string& path) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0;
  }
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

int preprocessCommand(const Options& o) {
  kamc::SourceManager sm;
  kamc::DiagnosticEngine diags;
  auto mode = o.expand ? kamc::PreprocessMode::Expand : kamc::PreprocessMode::CfgPrint;
  kamc::PreprocessResult r =
      kamc::preprocessFile(o.input, o.common.preprocessOptions(mode), sm, diags);
  if (r.mainFile == kamc::kNoFile) {
    kamc::printDiagnostics(diags, sm, o.common.useColor());
    return kamc::kExitUsage;
  }
  // The text goes out even after an error, as kamailio prints what it read.
  if (!writeOutput(r.text, o.output)) {
    std::cerr << "kamc: cannot write " << o.output << "\n";
    return kamc::kExitUsage;
  }
  kamc::printDiagnostics(diags, sm, o.common.useColor());
  return diags.hasErrors() ? kamc::kExitFindings : kamc::kExitClean;
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
  kamc::addCommonOptions(app, o.common);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kamc::kExitClean : kamc::kExitUsage;
  }
  if (o.expand) o.preprocessOnly = true;
  if (!o.preprocessOnly) {
    std::cerr << "kamc: only -E (preprocess) is implemented so far; the AST and "
                 "compiling are not built yet (cfgcheck checks syntax; see README.md)\n";
    return kamc::kExitUsage;
  }
  return preprocessCommand(o);
}
