// kamc-cc1: the parsing half of kamc, run by the `kamc` driver for every
// command that needs the parser (as clang's driver runs `clang -cc1`). It is
// a separate program so that `kamc -E` does not pay the ANTLR runtime's
// start-up cost (docs/benchmarks.md).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "kamc/ast/AstJson.h"
#include "kamc/ast/AstPrinter.h"
#include "kamc/driver/CommonOptionsCli.h"
#include "kamc/syntax/SyntaxCheck.h"

namespace {

struct Options {
  std::string input;
  std::string output;
  bool dumpAst = false;
  bool printCfg = false;
  kamc::CommonOptions common;
};

int run(const Options& o) {
  kamc::SourceManager sm;
  kamc::DiagnosticEngine diags;
  kamc::PreprocessResult pp =
      kamc::preprocessFile(o.input, o.common.preprocessOptions(kamc::PreprocessMode::Expand), sm, diags);
  if (pp.mainFile == kamc::kNoFile || pp.stoppedEarly) {
    kamc::printDiagnostics(diags.diagnostics(), sm, o.common.useColor());
    return pp.mainFile == kamc::kNoFile ? kamc::kExitUsage : kamc::kExitFindings;
  }
  kamc::ParseResult parsed = kamc::parseConfig(pp, sm, diags);
  kamc::printDiagnostics(diags.diagnostics(), sm, o.common.useColor());
  // A tree recovered from syntax errors is not printed: it would look valid.
  if (diags.hasErrors()) return kamc::kExitFindings;
  std::string text = o.printCfg ? kamc::ast::printConfig(*parsed.config)
                                : kamc::ast::dumpJson(*parsed.config, sm, &pp.map.expansions()) + "\n";
  if (!kamc::writeTextOutput(text, o.output)) {
    std::fprintf(stderr, "kamc: cannot write %s\n", o.output.c_str());
    return kamc::kExitUsage;
  }
  return kamc::kExitClean;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kamc-cc1: kamc's parser front end (run through kamc)"};
  Options o;
  app.add_option("input", o.input, "Kamailio configuration file")->required();
  app.add_flag("--dump-ast", o.dumpAst, "Print the AST as JSON (docs/ast-json.md)");
  app.add_flag("--print-cfg", o.printCfg, "Print the AST back as cfg text");
  app.add_option("-o", o.output, "Write the output to FILE");
  kamc::addCommonOptions(app, o.common);
  if (std::optional<int> done = kamc::parseCommandLine(app, argc, argv)) return *done;
  if (o.dumpAst == o.printCfg) {
    std::fprintf(stderr, "kamc-cc1: give exactly one of --dump-ast and --print-cfg\n");
    return kamc::kExitUsage;
  }
  return run(o);
}
