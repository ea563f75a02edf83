// kamc-lsp: the language server on stdin/stdout (no arguments, as editors
// start it), or `--check DIR` for CI. Option parsing and wiring only.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "LSPServer.h"
#include "WorkspaceCheck.h"
#include "kamc/driver/CommonOptionsCli.h"

int main(int argc, char** argv) {
  CLI::App app{"kamc-lsp: the Kamailio config language server (LSP 3.17 over stdio)"};
  std::string checkDir;
  int debounceMs = 10;  // a burst of edits (a paste, a replay) is analysed once
  kamc::CommonOptions common;
  app.add_option("--check", checkDir, "Print every diagnostic of the workspace in DIR and exit 0 clean, 1 errors, 2 usage");
  app.add_option("--debounce-ms", debounceMs, "Quiet time after an edit before the document is analysed again")
      ->check(CLI::Range(0, 10000));
  bool stdio = true;
  app.add_flag("--stdio", stdio, "Serve over stdin/stdout (the default; accepted for clients that pass it)");
  kamc::addCommonOptions(app, common);
  if (std::optional<int> done = kamc::parseCommandLine(app, argc, argv)) return *done;

  kamc::lsp::AnalysisOptions analysis;
  analysis.defines = common.defines;
  if (!checkDir.empty())
    return kamc::lsp::checkWorkspace(checkDir, analysis, stdout, common.useColor()).exitCode;

  kamc::lsp::JsonTransport transport(stdin, stdout);
  kamc::lsp::ServerOptions options;
  options.debounce = std::chrono::milliseconds(debounceMs);
  options.analysis = analysis;
  kamc::lsp::LSPServer server(transport, options);
  return server.run();
}
