// Route blocks, the calls that name them, and an index of both.
#include "kamc/sema/Routes.h"

#include "kamc/ast/AstWalk.h"

namespace kamc::sema {

namespace {

// The functions that name a route block, and the kind they name.
struct RouteNamingFunction {
  std::string_view name;
  ast::RouteKind kind;
  std::string_view eventPrefix;  // t_on_branch_failure names event_route[tm:branch-failure:X]
};
constexpr RouteNamingFunction kRouteNamers[] = {
    {"route", ast::RouteKind::Named, ""},
    {"t_on_failure", ast::RouteKind::Failure, ""},
    {"t_on_branch", ast::RouteKind::Branch, ""},
    {"t_on_reply", ast::RouteKind::OnReply, ""},
    {"t_on_branch_failure", ast::RouteKind::Event, "tm:branch-failure:"},
};

}  // namespace

const char* kindWords(ast::RouteKind k) {
  switch (k) {
    case ast::RouteKind::Named: return "route";
    case ast::RouteKind::Failure: return "failure_route";
    case ast::RouteKind::Branch: return "branch_route";
    case ast::RouteKind::OnReply: return "onreply_route";
    case ast::RouteKind::Event: return "event_route";
    default: return "route";
  }
}

std::optional<RouteReference> referenceOf(const ast::CallExpr& call) {
  for (const RouteNamingFunction& f : kRouteNamers) {
    if (call.callee != f.name || call.args.size() != 1) continue;
    const ast::Expr& arg = *call.args[0];
    RouteReference ref{&call, {f.kind, ""}};
    if (arg.kind == ast::ExprKind::String) {
      ref.target.second = static_cast<const ast::StringExpr&>(arg).value;
      ref.dynamic = ref.target.second.find('$') != std::string::npos;
    } else if (arg.kind == ast::ExprKind::Call && !static_cast<const ast::CallExpr&>(arg).hasParens) {
      ref.target.second = static_cast<const ast::CallExpr&>(arg).callee;
    } else if (arg.kind == ast::ExprKind::Number) {
      ref.target.second = arg.text;  // SER-era route(1) / route[1]
    } else {
      ref.dynamic = true;
    }
    if (!f.eventPrefix.empty()) ref.target.second = std::string(f.eventPrefix) + ref.target.second;
    return ref;
  }
  return std::nullopt;
}

RouteKey keyOf(const ast::RouteItem& route) { return {route.routeKind, route.name ? route.name->value : ""}; }

catalog::RouteType kamailioRouteType(const ast::RouteItem& route) {
  using ast::RouteKind;
  switch (route.routeKind) {
    case RouteKind::Request:
    case RouteKind::Named: return catalog::RequestRoute;
    case RouteKind::Failure: return catalog::FailureRoute;
    case RouteKind::OnReply:
      // onreply_route and onreply_route[0] are the core reply route.
      return !route.name || route.name->value == "0" ? catalog::CoreOnReplyRoute : catalog::TmOnReplyRoute;
    case RouteKind::Reply: return catalog::CoreOnReplyRoute;
    case RouteKind::Branch: return catalog::BranchRoute;
    case RouteKind::OnSend: return catalog::OnSendRoute;
    case RouteKind::Event: return catalog::EventRoute;
  }
  return catalog::RequestRoute;
}

std::string routeLabel(const ast::RouteItem& route) {
  std::string label = route.keyword;
  if (route.name) label += "[" + route.name->value + "]";
  return label;
}

RouteIndex::RouteIndex(const ast::Config& config) {
  for (const ast::TopItemPtr& item : config.items) {
    if (item->kind != ast::TopKind::Route) continue;
    auto& route = static_cast<const ast::RouteItem&>(*item);
    definitions[keyOf(route)].push_back(&route);
    ast::forEachCall(route.body.get(), [&](const ast::CallExpr& call) {
      if (std::optional<RouteReference> ref = referenceOf(call)) uses.push_back({*ref, &route});
    });
  }
}

const ast::RouteItem* RouteIndex::definition(const RouteKey& key) const {
  auto it = definitions.find(key);
  return it == definitions.end() ? nullptr : it->second.front();
}

std::vector<const RouteIndex::Use*> RouteIndex::usesOf(const RouteKey& key) const {
  std::vector<const Use*> out;
  for (const Use& u : uses)
    if (!u.ref.dynamic && u.ref.target == key) out.push_back(&u);
  return out;
}

}  // namespace kamc::sema
