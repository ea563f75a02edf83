// The pipeline's second stage: the preprocessed text parsed into the AST.
#include "kamc/frontend/Pipeline.h"
#include "kamc/syntax/SyntaxCheck.h"

#include <set>
#include <string>

namespace kamc::frontend {

Compilation parse(const ConfigInput& input, const PipelineOptions& options) {
  Compilation unit = preprocess(input, options.preprocess);
  parseStage(unit, options);
  return unit;
}

namespace {

// Preprocessor errors after which the text still holds everything the file
// says, as Kamailio reads it; after any other (a file not included, defines
// not applied) the tree may lack items.
bool textMayLackItems(const DiagnosticEngine& diags) {
  static const std::set<std::string, std::less<>> kTextWhole = {
      "kamc-unclosed-ifdef", "kamc-unmatched-else", "kamc-unmatched-endif", "kamc-duplicate-define"};
  for (const Diagnostic& d : diags.diagnostics())
    if (d.severity == Severity::Error && !kTextWhole.count(d.rule)) return true;
  return false;
}

}  // namespace

void parseStage(Compilation& unit, const PipelineOptions& options) {
  if (!unit.readable() || (unit.pp.stoppedEarly && !options.keepGoing)) return;
  bool textLacksItems = unit.pp.stoppedEarly || textMayLackItems(unit.diags);
  SyntaxCheckOptions syntax;
  syntax.textEndsEarly = unit.pp.stoppedEarly;
  ParseResult parsed = parseConfig(unit.pp, unit.sm, unit.diags, syntax);
  unit.config = std::move(parsed.config);
  unit.syntaxErrors = parsed.syntaxErrors;
  unit.incompleteItems = std::move(parsed.incompleteItems);
  unit.lostItems = textLacksItems ? LostItems::all() : parsed.lost;
}

}  // namespace kamc::frontend
