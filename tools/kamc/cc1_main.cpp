// kamc-cc1: the parsing half of kamc, run by the `kamc` driver for every
// command that needs the parser (as clang's driver runs `clang -cc1`). It is
// a separate program so that `kamc -E` does not pay the ANTLR runtime's
// start-up cost (docs/benchmarks.md).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "kamc/ast/AstJson.h"
#include "kamc/ast/AstPrinter.h"
#include "kamc/driver/CommonOptionsCli.h"
#include "kamc/frontend/Pipeline.h"

namespace {

struct Options {
  std::string input;
  std::string output;
  bool dumpAst = false;
  bool printCfg = false;
  kamc::CommonOptions common;
};

int run(const Options& o) {
  kamc::frontend::PipelineOptions pipeline;
  pipeline.preprocess = o.common.preprocessOptions(kamc::PreprocessMode::Expand);
  kamc::frontend::Compilation unit = kamc::frontend::parse(kamc::frontend::ConfigInput::file(o.input), pipeline);
  unit.printDiagnostics(o.common.useColor());
  // A tree recovered from syntax errors is not printed: it would look valid.
  if (int code = unit.exitCode(); code != kamc::kExitClean) return code;
  std::string text = o.printCfg ? kamc::ast::printConfig(*unit.config)
                                : kamc::ast::dumpJson(*unit.config, unit.sm, &unit.pp.map.expansions()) + "\n";
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
