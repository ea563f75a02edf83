// The value of a core parameter against its grammar in cfg.y (assign_stm):
// a number where Kamailio wants one, a string, a listen address list.
#pragma once

#include "kamc/ast/AST.h"
#include "kamc/catalog/Catalog.h"
#include "kamc/lint/Lint.h"

namespace kamc::lint {

// Reports a value Kamailio's parser refuses as kamc-syntax, as Kamailio stops
// there with a parse error ("number expected", "port number expected").
void checkCoreParamValue(const LintContext& ctx, const ast::GlobalParamItem& p, const catalog::CoreParamInfo& info);

}  // namespace kamc::lint
