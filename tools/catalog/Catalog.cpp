// Lookups over the generated catalog tables (binary search over name-sorted
// indexes; everything is constant data).
#include "kamc/catalog/Catalog.h"

#include <algorithm>
#include <iterator>
#include <type_traits>

namespace kamc::catalog {
namespace {

#include "CatalogTables.inc"

// The rows of `table` whose key equals `name`, through a name-sorted index.
template <class T, class Key>
std::span<const std::uint16_t> equalRange(const T* table, std::span<const std::uint16_t> index,
                                          std::string_view name, Key key) {
  auto [lo, hi] = std::equal_range(
      index.begin(), index.end(), name,
      [&](const auto& a, const auto& b) {
        if constexpr (std::is_same_v<std::decay_t<decltype(a)>, std::string_view>)
          return a < key(table[b]);
        else
          return key(table[a]) < b;
      });
  return index.subspan(static_cast<std::size_t>(lo - index.begin()),
                       static_cast<std::size_t>(hi - lo));
}

std::string_view withoutDollar(std::string_view name) {
  return name.starts_with('$') ? name.substr(1) : name;
}

template <class T>
const T* findByName(std::span<const T> sorted, std::string_view name) {
  auto it = std::lower_bound(sorted.begin(), sorted.end(), name,
                             [](const T& row, std::string_view n) { return row.name < n; });
  return it != sorted.end() && it->name == name ? &*it : nullptr;
}

}  // namespace

std::string_view routeTypeName(RouteType t) {
  switch (t) {
    case RequestRoute: return "REQUEST_ROUTE";
    case FailureRoute: return "FAILURE_ROUTE";
    case TmOnReplyRoute: return "TM_ONREPLY_ROUTE";
    case BranchRoute: return "BRANCH_ROUTE";
    case OnSendRoute: return "ONSEND_ROUTE";
    case ErrorRoute: return "ERROR_ROUTE";
    case LocalRoute: return "LOCAL_ROUTE";
    case CoreOnReplyRoute: return "CORE_ONREPLY_ROUTE";
    case BranchFailureRoute: return "BRANCH_FAILURE_ROUTE";
    case OnEventRoute: return "ONEVENT_ROUTE";
    case OnReplyRoute: return "ONREPLY_ROUTE";
    case EventRoute: return "EVENT_ROUTE";
    case AnyRoute: return "ANY_ROUTE";
  }
  return "";
}

std::string_view argKindName(ArgKind k) {
  switch (k) {
    case ArgKind::String: return "string";
    case ArgKind::Spv: return "spv";
    case ArgKind::Int: return "int";
    case ArgKind::Pvar: return "pvar";
    case ArgKind::Route: return "route";
    case ArgKind::Regex: return "regex";
    case ArgKind::Any: return "any";
  }
  return "";
}

std::span<const ModuleInfo> allModules() { return kModules; }
std::span<const FunctionInfo> allFunctions() { return kFunctions; }
std::span<const PseudoVariableInfo> allPseudoVariables() { return kPseudoVariables; }
std::span<const TransformationInfo> allTransformations() { return kTransformations; }
std::span<const CoreParamInfo> allCoreParams() { return kCoreParams; }
std::span<const CoreKeywordInfo> allCoreKeywords() { return kCoreKeywords; }

const ModuleInfo* findModule(std::string_view name) {
  auto rows = equalRange(kModules, kModulesByName, name,
                         [](const ModuleInfo& m) { return m.name; });
  return rows.empty() ? nullptr : &kModules[rows.front()];
}

IndexedRange<FunctionInfo> functionsNamed(std::string_view name) {
  return {kFunctions, equalRange(kFunctions, kFunctionsByName, name,
                                 [](const FunctionInfo& f) { return f.name; })};
}

const FunctionInfo* findFunction(std::string_view module, std::string_view name,
                                 std::size_t argCount) {
  for (const FunctionInfo& f : functionsNamed(name))
    if (f.module == module && f.acceptsArgCount(argCount)) return &f;
  return nullptr;
}

const ParamInfo* findParam(std::string_view module, std::string_view name) {
  const ModuleInfo* m = findModule(module);
  if (!m) return nullptr;
  for (const ParamInfo& p : m->params)
    if (p.name == name) return &p;
  return nullptr;
}

IndexedRange<PseudoVariableInfo> pseudoVariablesNamed(std::string_view className) {
  return {kPseudoVariables,
          equalRange(kPseudoVariables, kPseudoVariablesByName, withoutDollar(className),
                     [](const PseudoVariableInfo& p) { return p.name; })};
}

const PseudoVariableInfo* findPseudoVariable(std::string_view className) {
  auto rows = pseudoVariablesNamed(className);
  return rows.empty() ? nullptr : &rows[0];
}

const TransformationInfo* findTransformation(std::string_view className, std::string_view name) {
  // About 150 rows: a linear scan costs less than keeping another index.
  for (const TransformationInfo& t : kTransformations)
    if (t.className == className && t.name == name) return &t;
  return nullptr;
}

bool isTransformationClass(std::string_view className) {
  return std::any_of(std::begin(kTransformations), std::end(kTransformations),
                     [&](const TransformationInfo& t) { return t.className == className; });
}

const CoreParamInfo* findCoreParam(std::string_view name) {
  return findByName(allCoreParams(), name);
}

const CoreKeywordInfo* findCoreKeyword(std::string_view name) {
  return findByName(allCoreKeywords(), name);
}

const RemovedModuleInfo* findRemovedModule(std::string_view name) {
  return findByName(std::span<const RemovedModuleInfo>(kRemovedModules), name);
}

}  // namespace kamc::catalog
