// The parameters of a transformation as Kamailio's tr_parse_* functions read
// them. Each transformation has its own grammar, which the catalog states as
// parameter kinds: {s.select,1,,} is the field 1 and the separator ',', while
// {param.value,a,,} is refused.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kamc/ast/PseudoVariable.h"
#include "kamc/catalog/Catalog.h"

namespace kamc::lint {

struct TransformationParam {
  std::string text;                      // as written (a number, a string, a separator)
  std::optional<ast::PseudoVariable> pv;  // when the parameter is a pseudo-variable
};

struct TransformationParams {
  std::vector<TransformationParam> params;
  std::string error;  // why Kamailio refuses them; empty when it accepts them
};

TransformationParams readTransformationParams(const catalog::TransformationInfo& info,
                                              const ast::Transformation& t);

}  // namespace kamc::lint
