// `kamc-lsp --check DIR`: the editor's verdict for a whole workspace, for CI.
// Every root config (one no other config includes) is analysed as the server
// analyses it, and every finding is printed in cfgcheck's text format under
// the root it was found in; included fragments are reported through each root
// that includes them.
#pragma once

#include <cstdio>
#include <string>

#include "Features.h"

namespace kamc::lsp {

struct WorkspaceCheckResult {
  size_t roots = 0, files = 0, errors = 0, warnings = 0;
  int exitCode = 0;  // 0 clean, 1 errors, 2 no config found or unreadable
};
WorkspaceCheckResult checkWorkspace(const std::string& dir, const AnalysisOptions& options, std::FILE* out, bool color);

}  // namespace kamc::lsp
