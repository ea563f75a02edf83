// Parses preprocessed cfg text with the ANTLR grammar and reports syntax
// errors at their original file:line:col (through the preprocessor's map).
// No ANTLR type appears in this interface.
#pragma once

#include <string>

#include "kamc/basic/Diagnostics.h"
#include "kamc/preprocess/Preprocessor.h"

namespace kamc {

struct SyntaxCheckOptions {
  size_t maxErrors = 20;  // stop reporting after this many
};

// Returns the number of syntax errors found (each also reported to diags
// under the rule kamc-syntax).
size_t checkSyntax(const PreprocessResult& pp, const SourceManager& sm, DiagnosticEngine& diags,
                   const SyntaxCheckOptions& opts = {});

}  // namespace kamc
