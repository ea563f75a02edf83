// Writes an AST back as cfg text. Parsing the output gives the same AST (the
// round-trip tests check it on the corpus), which the formatter builds on.
// Comments and the original layout are not kept yet: the printer writes one
// statement per line, indented with tabs.
#pragma once

#include <optional>
#include <string>

#include "kamc/ast/AST.h"

namespace kamc::ast {

std::string printConfig(const Config& config);
std::string printExpr(const Expr& expr);
// An assignment, call, return/exit/drop, break or empty statement on one
// line, as printConfig writes it; nullopt for a block, if, switch or while.
std::optional<std::string> printSimpleStatement(const Statement& statement);

}  // namespace kamc::ast
