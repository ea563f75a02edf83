// kamc: the command-line driver. `kamc -E cfg` prints the config the way
// `kamailio --cfg-print` does; `--expand` prints the text the parser sees.
// Parsing commands run kamc-cc1, compiling commands (run, -o, -c, --emit-llvm)
// run kamc-cg, both installed beside kamc.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "kamc/driver/CommonOptionsCli.h"
#include "kamc/frontend/Pipeline.h"

namespace {

struct Options {
  std::string input;
  std::string output;
  bool preprocessOnly = false;
  bool expand = false;
  bool dumpAst = false;
  bool printCfg = false;
  bool emitLlvm = false;
  bool checkOnly = false;
  int optLevel = 2;
  kamc::CommonOptions common;
};

int preprocessCommand(const Options& o) {
  auto mode = o.expand ? kamc::PreprocessMode::Expand : kamc::PreprocessMode::CfgPrint;
  kamc::frontend::Compilation unit =
      kamc::frontend::preprocess(kamc::frontend::ConfigInput::file(o.input), o.common.preprocessOptions(mode));
  if (!unit.readable()) {
    unit.printDiagnostics(o.common.useColor());
    return unit.exitCode();
  }
  // The text goes out even after an error, as kamailio prints what it read.
  if (!kamc::writeTextOutput(unit.pp.text, o.output)) {
    std::cerr << "kamc: cannot write " << o.output << "\n";
    return kamc::kExitUsage;
  }
  unit.printDiagnostics(o.common.useColor());
  return unit.exitCode();
}

// The directory of the running kamc, where kamc-cc1 is installed beside it.
std::string ownDirectory(const char* argv0) {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  std::string self = n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string(argv0);
  size_t slash = self.rfind('/');
  return slash == std::string::npos ? "." : self.substr(0, slash);
}

// Hands a command to kamc-cc1 or kamc-cg with the user's arguments unchanged.
int runTool(const char* tool, int argc, char** argv) {
  std::string path = ownDirectory(argv[0]) + "/" + tool;
  std::vector<char*> args{path.data()};
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  ::execv(path.c_str(), args.data());
  std::cerr << "kamc: cannot run " << path << ": " << std::strerror(errno) << "\n";
  return kamc::kExitUsage;
}

// `kamc lsp [args]`: the language server, kamc-lsp, beside kamc (an install),
// in the build tree's lsp/ directory, or on PATH; "lsp" itself is dropped.
int runLanguageServer(int argc, char** argv) {
  std::string dir = ownDirectory(argv[0]);
  std::vector<std::string> candidates{dir + "/kamc-lsp", dir + "/../../lsp/kamc-lsp"};
  std::vector<char*> args{nullptr};
  for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  for (std::string& path : candidates) {
    if (::access(path.c_str(), X_OK) != 0) continue;
    args[0] = path.data();
    ::execv(path.c_str(), args.data());
  }
  char name[] = "kamc-lsp";
  args[0] = name;
  ::execvp(name, args.data());
  std::cerr << "kamc: cannot run kamc-lsp (looked beside kamc, in " << dir << "/../../lsp and on PATH): "
            << std::strerror(errno) << "\n";
  return kamc::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "lsp") == 0) return runLanguageServer(argc, argv);
  // `kamc run cfg [kamailio flags]`: the rest of the line belongs to the runtime.
  if (argc > 1 && std::strcmp(argv[1], "run") == 0) return runTool("kamc-cg", argc, argv);
  CLI::App app{"kamc: Kamailio configuration toolchain\n"
               "  kamc run CFG [-A NAME] [kamailio flags]   compile with the JIT and serve SIP\n"
               "  kamc lsp [--check DIR]                   the language server (kamc-lsp)"};
  Options o;
  app.set_version_flag("--version", std::string("kamc ") + KAMC_VERSION);
  app.add_option("input", o.input, "Kamailio configuration file")->required();
  app.add_flag("-E", o.preprocessOnly,
               "Preprocess only: print what `kamailio --cfg-print` prints");
  app.add_flag("--expand", o.expand,
               "With -E: print the text the parser sees (defines and substs applied)");
  app.add_flag("--dump-ast", o.dumpAst, "Parse and print the AST as JSON (docs/ast-json.md)");
  app.add_flag("--print-cfg", o.printCfg, "Parse and print the config back from its AST");
  app.add_flag("--emit-llvm", o.emitLlvm, "Compile and print the LLVM IR");
  app.add_flag("-c", o.checkOnly, "Check only: compile and load the config as `kamailio -c` does");
  app.add_option("-O", o.optLevel, "Optimization level of compiling commands: 0 or 2 (default)");
  app.add_option("-o", o.output,
                 "Write the output to FILE; without -E/--dump-ast/--print-cfg, build a standalone proxy");
  kamc::addCommonOptions(app, o.common);
  if (std::optional<int> done = kamc::parseCommandLine(app, argc, argv)) return *done;
  if (o.expand) o.preprocessOnly = true;
  int parseModes = int(o.preprocessOnly) + int(o.dumpAst) + int(o.printCfg);
  int compileModes = int(o.emitLlvm) + int(o.checkOnly);
  if (parseModes + compileModes > 1) {
    std::cerr << "kamc: -E, --dump-ast, --print-cfg, --emit-llvm and -c exclude each other\n";
    return kamc::kExitUsage;
  }
  if (o.dumpAst || o.printCfg) return runTool("kamc-cc1", argc, argv);
  if (o.preprocessOnly) return preprocessCommand(o);
  if (compileModes == 1 || !o.output.empty()) return runTool("kamc-cg", argc, argv);
  std::cerr << "kamc: nothing to do: give -o FILE (build a proxy), run, -c, --emit-llvm, -E, "
               "--dump-ast or --print-cfg\n";
  return kamc::kExitUsage;
}
