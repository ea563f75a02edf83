// The pipeline's second stage: the preprocessed text parsed into the AST.
#include "kamc/frontend/Pipeline.h"
#include "kamc/syntax/SyntaxCheck.h"

namespace kamc::frontend {

Compilation parse(const ConfigInput& input, const PipelineOptions& options) {
  Compilation unit = preprocess(input, options.preprocess);
  parseStage(unit, options);
  return unit;
}

void parseStage(Compilation& unit, const PipelineOptions& options) {
  if (!unit.readable() || (unit.pp.stoppedEarly && !options.keepGoing)) return;
  SyntaxCheckOptions syntax;
  syntax.textEndsEarly = unit.pp.stoppedEarly;
  ParseResult parsed = parseConfig(unit.pp, unit.sm, unit.diags, syntax);
  unit.config = std::move(parsed.config);
  unit.syntaxErrors = parsed.syntaxErrors;
}

}  // namespace kamc::frontend
