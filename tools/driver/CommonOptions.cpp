// Shared option definitions for the thin tool mains.
#include "kamc/driver/CommonOptions.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

namespace kamc {

void CommonOptions::addTo(CLI::App& app) {
  app.add_option("-A", defines, "Define NAME or NAME=VALUE, like kamailio -A")
      ->allow_extra_args(false);
  app.add_option("--max-defines", maxDefines,
                 "Most defines allowed (256; 512 matches Kamailio >= 5.3)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--color", color, "Color diagnostics: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
}

PreprocessOptions CommonOptions::preprocessOptions(PreprocessMode mode) const {
  PreprocessOptions opts;
  opts.mode = mode;
  opts.commandLineDefines = defines;
  opts.maxDefines = maxDefines;
  return opts;
}

bool CommonOptions::useColor() const {
  if (color == "always") return true;
  if (color == "never") return false;
  return isatty(STDERR_FILENO);
}

void printDiagnostics(const DiagnosticEngine& diags, const SourceManager& sm, bool color) {
  for (const Diagnostic& d : diags.diagnostics()) std::cerr << renderText(d, sm, {color, true});
}

}  // namespace kamc
