// Functions reached through route(X) from a block of another type. Kamailio
// checks a named route[X] as a request_route whoever calls it, so
// sl_send_reply in route[RELAY] passes kamailio -c even when
// failure_route[MANAGE_FAILURE] calls route(RELAY); at run time the
// function then runs where its module says it must not. This check follows
// route(X) from every entry block and names the chain.
#include <map>
#include <set>

#include "LintSupport.h"
#include "kamc/ast/AstWalk.h"
#include "kamc/lint/Lint.h"

namespace kamc::lint {
namespace {

using Chain = std::vector<const ast::RouteItem*>;

std::string chainWords(const Chain& chain) {
  std::string out;
  for (const ast::RouteItem* r : chain) out += (out.empty() ? "" : " -> ") + routeLabel(*r);
  return out;
}

class ChainChecker {
 public:
  ChainChecker(const LintContext& ctx, const ModuleSet& modules) : ctx_(ctx), modules_(modules) {
    for (size_t i = 0; i < ctx.config.items.size(); ++i) {
      if (ctx.config.items[i]->kind != ast::TopKind::Route) continue;
      auto& r = static_cast<const ast::RouteItem&>(*ctx.config.items[i]);
      routes_.emplace_back(&r, i);
      orders_[&r] = i;
      if (r.routeKind == ast::RouteKind::Named && r.name) named_.emplace(r.name->value, &r);
    }
  }

  void checkFromEveryEntry() {
    for (auto& [route, order] : routes_) {
      catalog::RouteType type = kamailioRouteType(*route);
      // A named route is checked as a request_route by kamailio -c and by
      // the direct check: only other block types need the chain.
      if (route->routeKind == ast::RouteKind::Named || type == catalog::RequestRoute) continue;
      Chain chain{route};
      follow(chain, type);
    }
  }

 private:
  void follow(Chain& chain, catalog::RouteType type) {
    const ast::RouteItem& here = *chain.back();
    ast::forEachCall(here.body.get(), [&](const ast::CallExpr& call) {
      std::optional<RouteReference> ref = referenceOf(call);
      if (!ref || ref->dynamic || ref->target.first != ast::RouteKind::Named) return;
      auto it = named_.find(ref->target.second);
      // Each route is judged once per block type, on the first chain found.
      if (it == named_.end() || !visited_.insert({it->second, type}).second) return;
      chain.push_back(it->second);
      checkCalls(chain, type);
      follow(chain, type);
      chain.pop_back();
    });
  }

  void checkCalls(const Chain& chain, catalog::RouteType type) {
    const ast::RouteItem& route = *chain.back();
    size_t order = orders_.at(&route);
    ast::forEachCall(route.body.get(), [&](const ast::CallExpr& call) {
      CallResolution r = resolveCall(call, modules_, order);
      if (r.status != CallResolution::Status::Found) return;
      catalog::RouteMask mask = 0;
      for (const catalog::FunctionInfo* f : r.rows) {
        // Allowed here, or already refused as a request_route by kamailio -c.
        if (f->allowedIn(type) || !f->allowedIn(catalog::RequestRoute)) return;
        mask |= f->routeMask;
      }
      if (!reported_.insert({&call, type}).second) return;
      ctx_.report("kamc-route-type-via-call", call,
                  "'" + call.callee + "' is not allowed in " + chain.front()->keyword + " (" + chainWords(chain) +
                      "): module " + std::string(r.rows.front()->module) + " allows it in " + allowedBlocks(mask) +
                      "; kamailio -c does not follow route() calls, but the function runs in the wrong place");
    });
  }

  const LintContext& ctx_;
  const ModuleSet& modules_;
  std::vector<std::pair<const ast::RouteItem*, size_t>> routes_;  // file order
  std::map<const ast::RouteItem*, size_t> orders_;
  std::map<std::string, const ast::RouteItem*> named_;
  std::set<std::pair<const ast::RouteItem*, catalog::RouteType>> visited_;
  std::set<std::pair<const ast::CallExpr*, catalog::RouteType>> reported_;
};

}  // namespace

void checkRouteTypesThroughCalls(const LintContext& ctx) {
  ModuleSet modules(ctx.config);
  ChainChecker(ctx, modules).checkFromEveryEntry();
}

}  // namespace kamc::lint
