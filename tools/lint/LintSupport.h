// What several checks share: the modules a config loads (and where, since
// Kamailio resolves names while it reads the file), how a call resolves
// against them, and the route-block types Kamailio checks functions against.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kamc/ast/AST.h"
#include "kamc/catalog/Catalog.h"

namespace kamc::lint {

// A route block's identity: its kind and its name.
using RouteKey = std::pair<ast::RouteKind, std::string>;

// A reference to a route block in a route body: route(X), t_on_failure("X")...
// and whether the name is only known at run time (route($var(x))).
struct RouteReference {
  const ast::CallExpr* call;
  RouteKey target;
  bool dynamic = false;
};
std::optional<RouteReference> referenceOf(const ast::CallExpr& call);
// "failure_route" for the kind of block a reference names.
const char* kindWords(ast::RouteKind k);

// One loadmodule line.
struct LoadedModule {
  std::string name;
  const catalog::ModuleInfo* info = nullptr;  // null: not a Kamailio 5.6 module kamc knows
  const ast::LoadModuleItem* item = nullptr;
  size_t order = 0;  // index of the line among the config's top-level items
};

// The modules of a config in load order. Kamailio looks functions,
// pseudo-variables and modparams up among the modules loaded *so far*, so
// every query takes the position (top-level item index) of the use.
class ModuleSet {
 public:
  explicit ModuleSet(const ast::Config& config);

  // The module loaded under this name before `order`, or null.
  const LoadedModule* loadedBefore(std::string_view name, size_t order) const;
  // The first loadmodule of this name anywhere in the file, or null.
  const LoadedModule* loadedAnywhere(std::string_view name) const;
  // A module kamc cannot see into is loaded before `order` (one not in the
  // catalog, or a loadmodulex path with variables): names that kamc does not
  // find may come from it, so they are not reported as unknown.
  bool opaqueBefore(size_t order) const;
  const std::vector<LoadedModule>& modules() const { return modules_; }

 private:
  std::vector<LoadedModule> modules_;
  std::vector<size_t> opaqueOrders_;
};

// How Kamailio resolves a call f(args) at a place in the file.
struct CallResolution {
  enum class Status {
    Found,          // rows holds the matching exports (name and argument count)
    Keyword,        // a bare core operand: method, uri, myself, src_ip...
    Unknown,        // no module of the catalog exports the name
    NotLoaded,      // exported only by modules that are not loaded (rows: those exports)
    WrongArgCount,  // exported by a loaded module, never with this many arguments
    Opaque,         // not found, but a module kamc does not know may export it
  };
  Status status = Status::Unknown;
  std::vector<const catalog::FunctionInfo*> rows;
};
CallResolution resolveCall(const ast::CallExpr& call, const ModuleSet& modules, size_t order);

// The bare names that Kamailio's grammar reads as the value of a keyword
// comparison rather than as calls: INVITE in `method == INVITE` (a string),
// localhost in `src_ip == localhost`, and my, host.example.com in
// `src_ip == my-host.example.com` (a host name, whose '-' kamc parses as a
// minus). Empty when e is no such comparison.
std::vector<const ast::CallExpr*> bareValueWords(const ast::Expr& e);

// "sl_send_reply" is in module "sl" -> "sl.so" etc.: the loadmodule hint.
std::string loadHint(std::string_view module);
// "a, b and c" (lastJoin "and") or "a, b or c".
std::string joinWords(const std::vector<std::string>& words, std::string_view lastJoin);
// The closest known spelling of a misspelled name, or "".
std::string closestName(std::string_view name, const std::vector<std::string_view>& candidates);

// The route type Kamailio checks a block's functions against: named
// route[X] blocks count as request_route, whoever calls them.
catalog::RouteType kamailioRouteType(const ast::RouteItem& route);
// "request_route", "failure_route[MANAGE_FAILURE]", "route[RELAY]".
std::string routeLabel(const ast::RouteItem& route);
// "request_route, failure_route and branch_route" for a function's mask.
std::string allowedBlocks(catalog::RouteMask mask);
// The top-level item index of every route block (for ModuleSet queries).
size_t orderOf(const ast::Config& config, const ast::TopItem& item);

// "1 argument", "0 or 2 arguments", "1 to 3 arguments".
std::string argCountWords(const std::vector<const catalog::FunctionInfo*>& rows);

}  // namespace kamc::lint
