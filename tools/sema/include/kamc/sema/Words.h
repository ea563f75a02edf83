// Catalog facts in the words of messages and hovers: route masks, argument
// counts, lists. lint and the language server say them the same way.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kamc/catalog/Catalog.h"

namespace kamc::sema {

// "a, b and c" (lastJoin "and") or "a, b or c".
std::string joinWords(const std::vector<std::string>& words, std::string_view lastJoin);
// "request_route, failure_route and branch_route" for a function's mask.
std::string allowedBlocks(catalog::RouteMask mask);
// "1 argument", "0 or 2 arguments", "1 to 3 arguments".
std::string argCountWords(const std::vector<const catalog::FunctionInfo*>& rows);

}  // namespace kamc::sema
