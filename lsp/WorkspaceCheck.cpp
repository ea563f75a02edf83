// The same analyses as the server, printed instead of published.
#include "WorkspaceCheck.h"

#include "kamc/driver/CommonOptions.h"

namespace kamc::lsp {

WorkspaceCheckResult checkWorkspace(const std::string& dir, const AnalysisOptions& options, std::FILE* out, bool color) {
  WorkspaceCheckResult result;
  Workspace workspace(options);
  result.files = workspace.scanFolder(dir);
  if (result.files == 0) {
    std::fprintf(stderr, "kamc-lsp: no *.cfg file under %s\n", dir.c_str());
    result.exitCode = kExitUsage;
    return result;
  }
  for (const std::string& root : workspace.roots()) {
    ++result.roots;
    std::shared_ptr<const Analysis> a = Analysis::run(root, workspace.overlay(), options);
    if (a->rawDiagnostics().empty()) continue;
    std::fprintf(out, "In the context of root config %s:\n", root.c_str());
    for (const Diagnostic& d : a->rawDiagnostics()) {
      std::string text = renderText(d, a->sourceManager(), {color, true});
      std::fwrite(text.data(), 1, text.size(), out);
      if (d.severity == Severity::Error) ++result.errors;
      if (d.severity == Severity::Warning) ++result.warnings;
    }
  }
  std::fprintf(out, "%zu configs, %zu roots: %zu errors, %zu warnings\n", result.files, result.roots, result.errors,
               result.warnings);
  result.exitCode = result.errors ? kExitFindings : kExitClean;
  return result;
}

}  // namespace kamc::lsp
