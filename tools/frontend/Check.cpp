// The pipeline's last stage: cfgcheck's checks over the parsed tree.
#include "kamc/frontend/Pipeline.h"
#include "kamc/lint/Lint.h"

namespace kamc::frontend {

Compilation check(const ConfigInput& input, const PipelineOptions& options) {
  Compilation unit = parse(input, options);
  checkStage(unit, options);
  return unit;
}

void checkStage(Compilation& unit, const PipelineOptions& options) {
  if (!unit.config) return;
  // The checks need a tree without holes; top-level items stay whole.
  lint::LintContext lint{*unit.config, unit.pp.map, unit.diags, &unit.sm};
  if (!unit.diags.hasErrors()) {
    lint::runAllChecks(lint);
    unit.linted = true;
  } else if (options.keepGoing) {
    lint::runTopLevelChecks(lint);
  }
}

}  // namespace kamc::frontend
