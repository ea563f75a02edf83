// Writes an AST back as cfg text. Parsing the output gives the same AST (the
// round-trip tests check it on the corpus), which the formatter builds on.
// Comments and the original layout are not kept yet: the printer writes one
// statement per line, indented with tabs.
#pragma once

#include <string>

#include "kamc/ast/AST.h"

namespace kamc::ast {

std::string printConfig(const Config& config);
std::string printExpr(const Expr& expr);

}  // namespace kamc::ast
