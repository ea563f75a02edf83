// The pipeline's last stage: cfgcheck's checks over the parsed tree.
#include "kamc/frontend/Pipeline.h"
#include "kamc/lint/Lint.h"

namespace kamc::frontend {

Compilation check(const ConfigInput& input, const PipelineOptions& options) {
  Compilation unit = parse(input, options);
  checkStage(unit, options);
  return unit;
}

namespace {

lint::TreeHoles holesOf(const Compilation& unit) {
  lint::TreeHoles holes;
  for (const ParseResult::IncompleteItem& i : unit.incompleteItems)
    holes.incompleteItems.push_back({i.item, i.headerWhole, i.wholeStatements});
  holes.routesLost = unit.lostItems.routes;
  holes.moduleItemsLost = unit.lostItems.moduleItems;
  return holes;
}

}  // namespace

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
    lint::runChecksOnRecoveredTree(lint, holesOf(unit));
  }
}

}  // namespace kamc::frontend
