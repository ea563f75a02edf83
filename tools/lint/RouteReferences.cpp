// Which route blocks exist, which are named by route(X) or armed by a t_on_*
// string, and which of them an entry route reaches.
#include <map>
#include <set>

#include "LintSupport.h"
#include "kamc/lint/Lint.h"
#include "kamc/sema/Routes.h"

namespace kamc::lint {
namespace {

using ast::RouteKind;

bool isEntryRoute(const ast::RouteItem& r) {
  switch (r.routeKind) {
    case RouteKind::Request:
    case RouteKind::Reply:
    case RouteKind::OnSend:
    case RouteKind::Event: return true;
    case RouteKind::OnReply: return !r.name;  // the core reply route
    default: return false;
  }
}

class RouteGraph {
 public:
  explicit RouteGraph(const LintContext& ctx) : ctx_(ctx), index_(ctx.config) {
    for (const ast::TopItemPtr& item : ctx.config.items) {
      if (item->kind == ast::TopKind::CfgEngine) scriptedRouting_ = true;
      if (item->kind != ast::TopKind::Route) continue;
      if (item->expansion < 0) lastRoute_ = item.get();
      auto& r = static_cast<const ast::RouteItem&>(*item);
      const ast::RouteItem* first = index_.definition(sema::keyOf(r));
      if (first != &r && r.name) {
        Diagnostic& d = ctx_.report("kamc-duplicate-route", r,
                                    std::string(kindWords(r.routeKind)) + "[" + r.name->value + "] is defined twice");
        d.notes.push_back({first->loc, "first defined here"});
      }
    }
    // Kamailio keeps the first block of a name: only its references count.
    for (const auto& [key, blocks] : index_.definitions) routes_.emplace(key, blocks.front());
    for (const sema::RouteIndex::Use& use : index_.uses) {
      if (index_.definition(sema::keyOf(*use.in)) != use.in) continue;
      anyDynamic_ |= use.ref.dynamic;
      references_[use.in].push_back(use.ref);
    }
  }

  // In file order (references_ is keyed by address, which is no order at all).
  void reportUndefined() {
    for (const ast::TopItemPtr& item : ctx_.config.items) {
      if (item->kind != ast::TopKind::Route) continue;
      auto it = references_.find(static_cast<const ast::RouteItem*>(item.get()));
      if (it == references_.end()) continue;
      for (const RouteReference& ref : it->second)
        if (!ref.dynamic && !routes_.count(ref.target)) undefined(ref);
    }
  }

  void reportUnused() {
    // Routes run by a KEMI script, or named at run time, cannot be followed.
    if (scriptedRouting_ || anyDynamic_) return;
    std::set<const ast::RouteItem*> reached;
    for (auto& [key, route] : routes_)
      if (isEntryRoute(*route)) reach(route, reached);
    for (auto& [key, route] : routes_)
      if (!reached.count(route) && !isEntryRoute(*route))
        ctx_.report("kamc-unused-route", *route,
                    std::string(kindWords(key.first)) + "[" + key.second +
                        "] is never used: no entry route reaches it by route() or t_on_*()");
  }

 private:
  void undefined(const RouteReference& ref) {
    std::string what = std::string(kindWords(ref.target.first)) + "[" + ref.target.second + "]";
    Diagnostic& d = ctx_.report("kamc-undefined-route", *ref.call,
                                ref.call->callee + "() names " + what + ", which is not defined");
    // The new block goes after the config's last route block.
    if (SourceLocation end = lastRoute_ ? ctx_.endOf(*lastRoute_) : SourceLocation{}; end.valid())
      d.fixes.push_back({"Create " + what, end, end, "\n\n" + what + " {\n}"});
  }

  void reach(const ast::RouteItem* route, std::set<const ast::RouteItem*>& reached) {
    if (!reached.insert(route).second) return;
    for (const RouteReference& ref : references_[route]) {
      auto it = routes_.find(ref.target);
      if (it != routes_.end()) reach(it->second, reached);
    }
  }

  const LintContext& ctx_;
  sema::RouteIndex index_;
  std::map<RouteKey, const ast::RouteItem*> routes_;
  std::map<const ast::RouteItem*, std::vector<RouteReference>> references_;
  const ast::TopItem* lastRoute_ = nullptr;
  bool scriptedRouting_ = false;
  bool anyDynamic_ = false;
};

}  // namespace

void checkRouteReferences(const LintContext& ctx) {
  RouteGraph graph(ctx);
  graph.reportUndefined();
  graph.reportUnused();
}

}  // namespace kamc::lint
