// What the tool mains share besides option parsing (see CommonOptionsCli.h).
#include "kamc/driver/CommonOptions.h"

#include <unistd.h>

#include <cstdio>

namespace kamc {

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
  for (const Diagnostic& d : diags.diagnostics()) {
    std::string text = renderText(d, sm, {color, true});
    std::fwrite(text.data(), 1, text.size(), stderr);
  }
}

}  // namespace kamc
