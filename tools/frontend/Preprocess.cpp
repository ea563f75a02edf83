// The pipeline's first stage and the Compilation's accessors: all that
// `kamc -E` links from this library.
#include "kamc/driver/CommonOptions.h"
#include "kamc/frontend/Pipeline.h"

namespace kamc::frontend {

Compilation preprocess(const ConfigInput& input, const PreprocessOptions& options) {
  Compilation unit;
  unit.sm.setOverlay(input.overlay);
  unit.pp = input.text ? preprocessText(input.path, *input.text, options, unit.sm, unit.diags)
                       : preprocessFile(input.path, options, unit.sm, unit.diags);
  return unit;
}

const ast::Config* Compilation::checkedConfig() const {
  return linted && !diags.hasErrors() ? config.get() : nullptr;
}

int Compilation::exitCode() const {
  if (!readable()) return kExitUsage;
  return diags.hasErrors() || pp.stoppedEarly ? kExitFindings : kExitClean;
}

void Compilation::printDiagnostics(bool color) const { kamc::printDiagnostics(diags.diagnostics(), sm, color); }

}  // namespace kamc::frontend
