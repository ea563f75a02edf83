// cfgcheck's output formats beyond gcc-style text: JSON and SARIF 2.1.0, and
// the filters every format shares (--disable, -Werror, inline suppressions).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "kamc/basic/Diagnostics.h"

namespace kamc {

// The findings of one checked file, with the files it read (for locations).
struct CheckedFile {
  std::string path;
  SourceManager sm;
  std::vector<Diagnostic> diagnostics;
};

struct DiagnosticFilter {
  std::set<std::string> disabledRules;
  bool warningsAsErrors = false;
};

// Drops disabled rules and findings suppressed by a comment
// `# cfgcheck: disable=kamc-rule[,kamc-other]` on their line or the line
// above; raises warnings to errors under -Werror.
std::vector<Diagnostic> applyFilter(const std::vector<Diagnostic>& diags, const SourceManager& sm,
                                    const DiagnosticFilter& filter);

std::string renderJson(const std::vector<CheckedFile>& files);
// Paths are made relative to baseDir (the repository root in CI) when inside it.
std::string renderSarif(const std::vector<CheckedFile>& files, const std::string& baseDir,
                        const std::string& toolVersion);

}  // namespace kamc
