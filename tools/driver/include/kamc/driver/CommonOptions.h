// Command-line options every kamc tool shares (the -A defines, the define
// limit, colors) and the diagnostic printing that goes with them, so kamc and
// cfgcheck spell them the same way.
#pragma once

#include <string>
#include <vector>

#include "kamc/basic/Diagnostics.h"
#include "kamc/preprocess/Preprocessor.h"

namespace kamc {

// Exit codes of every tool: 0 clean, 1 findings in the config, 2 usage or I/O.
enum ExitCode { kExitClean = 0, kExitFindings = 1, kExitUsage = 2 };

// Filled by addCommonOptions (CommonOptionsCli.h) from the command line.
struct CommonOptions {
  std::vector<std::string> defines;
  size_t maxDefines = 256;
  std::string color = "auto";

  PreprocessOptions preprocessOptions(PreprocessMode mode) const;
  bool useColor() const;  // on stderr
};

// Writes text to path, or to stdout for "" or "-"; false on any I/O error.
bool writeTextOutput(const std::string& text, const std::string& path);

// gcc-style text on stderr.
void printDiagnostics(const std::vector<Diagnostic>& diags, const SourceManager& sm, bool color);

}  // namespace kamc
