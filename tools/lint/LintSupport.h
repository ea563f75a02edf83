// What several checks share: the words of their messages (load hints,
// did-you-mean, route masks in words), on top of the sema layer.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "kamc/ast/AST.h"
#include "kamc/basic/Diagnostics.h"
#include "kamc/catalog/Catalog.h"
#include "kamc/sema/Modules.h"
#include "kamc/sema/Routes.h"
#include "kamc/sema/Words.h"

namespace kamc::lint {

// Module scope, call resolution and route references live in the sema
// layer, shared with the language server; the checks name them as before.
using sema::bareValueWords;
using sema::CallResolution;
using sema::kamailioRouteType;
using sema::kindWords;
using sema::LoadedModule;
using sema::ModuleSet;
using sema::orderOf;
using sema::referenceOf;
using sema::resolveCall;
using sema::RouteKey;
using sema::RouteReference;
using sema::routeLabel;
using sema::joinWords;
using sema::allowedBlocks;
using sema::argCountWords;

// The module part of modparam("tm|rr", ...): a case-insensitive POSIX
// regular expression over whole module names; nullopt when it does not compile.
std::optional<std::regex> moduleRegex(const std::string& pattern);
// "sl_send_reply" is in module "sl" -> "sl.so" etc.: the loadmodule hint.
std::string loadHint(std::string_view module);
// The fix that adds `loadmodule "module.so"` below the config's last
// loadmodule line (or above its first item).
kamc::FixIt loadmoduleFix(const ModuleSet& modules, std::string_view module);
// The closest known spelling of a misspelled name, or "".
std::string closestName(std::string_view name, const std::vector<std::string_view>& candidates);


}  // namespace kamc::lint
