// `kamc --dump-ast`: the AST as JSON. The schema is in docs/ast-json.md.
#pragma once

#include <string>

#include "kamc/ast/AST.h"
#include "kamc/preprocess/SourceMap.h"

namespace kamc::ast {

struct JsonOptions {
  // Off for comparing trees (round-trip tests): positions differ by design.
  bool withLocations = true;
  int indent = 2;  // -1 for one line
};

// sm names the files; expansions (may be null) names the #!define a node came
// from.
std::string dumpJson(const Config& config, const SourceManager& sm,
                     const std::vector<DefineExpansion>* expansions, const JsonOptions& opts = {});

}  // namespace kamc::ast
