// The front end names the pseudo-variable syntax of the semantics library, which the
// runtime's fixups share (kamc/semantics/PvSyntax.h).
#pragma once

#include "kamc/semantics/PvSyntax.h"

namespace kamc::ast {

using semantics::FormatParse;
using semantics::FormatPart;
using semantics::parseFormat;
using semantics::parsePseudoVariable;
using semantics::PseudoVariable;
using semantics::PseudoVariableParse;
using semantics::PvContext;
using semantics::Transformation;

}  // namespace kamc::ast
