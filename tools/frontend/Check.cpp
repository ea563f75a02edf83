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
  lint::LintContext lint{*unit.config, unit.pp.map, unit.diags, &unit.sm};
  bool treeWhole = unit.incompleteItems.empty() && !unit.lostItems.any();
  if (!unit.diags.hasErrors()) {
    lint::runAllChecks(lint);
    unit.linted = true;
  } else if (options.keepGoing && treeWhole) {
    // A preprocessor error that left the text whole (an unclosed #!ifdef).
    lint::runAllChecks(lint);
  } else if (options.keepGoing) {
    lint::runChecksOnRecoveredTree(lint, unit.incompleteItems, unit.lostItems);
  }
}

}  // namespace kamc::frontend
