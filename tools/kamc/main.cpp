// kamc: the command-line driver. `kamc -E cfg` prints the config the way
// `kamailio --cfg-print` does; `--expand` prints the text the parser sees.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "kamc/driver/CommonOptionsCli.h"

namespace {

struct Options {
  std::string input;
  std::string output;
  bool preprocessOnly = false;
  bool expand = false;
  bool dumpAst = false;
  bool printCfg = false;
  kamc::CommonOptions common;
};

int preprocessCommand(const Options& o) {
  kamc::SourceManager sm;
  kamc::DiagnosticEngine diags;
  auto mode = o.expand ? kamc::PreprocessMode::Expand : kamc::PreprocessMode::CfgPrint;
  kamc::PreprocessResult r =
      kamc::preprocessFile(o.input, o.common.preprocessOptions(mode), sm, diags);
  if (r.mainFile == kamc::kNoFile) {
    kamc::printDiagnostics(diags.diagnostics(), sm, o.common.useColor());
    return kamc::kExitUsage;
  }
  // The text goes out even after an error, as kamailio prints what it read.
  if (!kamc::writeTextOutput(r.text, o.output)) {
    std::cerr << "kamc: cannot write " << o.output << "\n";
    return kamc::kExitUsage;
  }
  kamc::printDiagnostics(diags.diagnostics(), sm, o.common.useColor());
  return diags.hasErrors() ? kamc::kExitFindings : kamc::kExitClean;
}

// The directory of the running kamc, where kamc-cc1 is installed beside it.
std::string ownDirectory(const char* argv0) {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  std::string self = n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string(argv0);
  size_t slash = self.rfind('/');
  return slash == std::string::npos ? "." : self.substr(0, slash);
}

// Hands a parsing command to kamc-cc1 with the user's arguments unchanged.
int runFrontEnd(int argc, char** argv) {
  std::string cc1 = ownDirectory(argv[0]) + "/kamc-cc1";
  std::vector<char*> args{cc1.data()};
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  ::execv(cc1.c_str(), args.data());
  std::cerr << "kamc: cannot run " << cc1 << ": " << std::strerror(errno) << "\n";
  return kamc::kExitUsage;
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
  app.add_flag("--dump-ast", o.dumpAst, "Parse and print the AST as JSON (docs/ast-json.md)");
  app.add_flag("--print-cfg", o.printCfg, "Parse and print the config back from its AST");
  app.add_option("-o", o.output, "Write the output to FILE");
  kamc::addCommonOptions(app, o.common);
  if (std::optional<int> done = kamc::parseCommandLine(app, argc, argv)) return *done;
  if (o.expand) o.preprocessOnly = true;
  if (int(o.preprocessOnly) + int(o.dumpAst) + int(o.printCfg) > 1) {
    std::cerr << "kamc: -E, --dump-ast and --print-cfg exclude each other\n";
    return kamc::kExitUsage;
  }
  if (o.dumpAst || o.printCfg) return runFrontEnd(argc, argv);
  if (!o.preprocessOnly) {
    std::cerr << "kamc: compiling is not built yet; use -E, --dump-ast or --print-cfg "
                 "(cfgcheck checks configs; see README.md)\n";
    return kamc::kExitUsage;
  }
  return preprocessCommand(o);
}
