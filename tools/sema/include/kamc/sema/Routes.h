// Route blocks and the places that name them: route(X), t_on_failure("X"),
// t_on_branch, t_on_reply, t_on_branch_failure. lint checks them (undefined,
// unused, route types through calls); the language server navigates them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kamc/ast/AST.h"
#include "kamc/catalog/Catalog.h"

namespace kamc::sema {

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
// The key a block is found under by references: onreply_route[0] and the
// unnamed onreply_route are the core reply route; request_route and an
// unnamed route are the one request route.
RouteKey keyOf(const ast::RouteItem& route);

// The route type Kamailio checks a block's functions against: named
// route[X] blocks count as request_route, whoever calls them.
catalog::RouteType kamailioRouteType(const ast::RouteItem& route);
// "request_route", "failure_route[MANAGE_FAILURE]", "route[RELAY]".
std::string routeLabel(const ast::RouteItem& route);

// Every block of a config and every static reference to one, in file order.
struct RouteIndex {
  struct Use {
    RouteReference ref;
    const ast::RouteItem* in;  // the block the reference is written in
  };
  std::map<RouteKey, std::vector<const ast::RouteItem*>> definitions;
  std::vector<Use> uses;

  explicit RouteIndex(const ast::Config& config);
  const ast::RouteItem* definition(const RouteKey& key) const;
  std::vector<const Use*> usesOf(const RouteKey& key) const;
};

}  // namespace kamc::sema
