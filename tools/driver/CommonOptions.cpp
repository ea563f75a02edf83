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

bool writeTextOutput(const std::string& text, const std::string& path) {
  bool toStdout = path.empty() || path == "-";
  FILE* f = toStdout ? stdout : std::fopen(path.c_str(), "wb");
  if (!f) return false;
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = (toStdout ? std::fflush(f) : std::fclose(f)) == 0 && ok;
  return ok;
}

void printDiagnostics(const std::vector<Diagnostic>& diags, const SourceManager& sm, bool color) {
  for (const Diagnostic& d : diags) {
    std::string text = renderText(d, sm, {color, true});
    std::fwrite(text.data(), 1, text.size(), stderr);
  }
}

}  // namespace kamc
