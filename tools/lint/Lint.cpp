// The order of checks is the order of their findings in the output.
#include "kamc/lint/Lint.h"

#include <algorithm>
#include <iterator>
#include <string_view>
#include <unordered_map>

namespace kamc::lint {

SourceLocation LintContext::endOf(const ast::Node& at) const {
  if (!sm || at.expansion >= 0 || at.range.end <= at.range.begin) return {};
  MappedLocation last = map.lookup(at.range.end - 1, *sm);
  if (last.expansion >= 0 || last.loc.file != at.loc.file || last.loc.line < at.loc.line ||
      (last.loc.line == at.loc.line && last.loc.column < at.loc.column))
    return {};
  return {last.loc.file, last.loc.line, last.loc.column + 1};
}

namespace {

// The checks whose findings hold for each item on its own.
void runItemChecks(const LintContext& ctx) {
  checkCatalogItems(ctx);
  checkModparams(ctx);
  checkModuleParamValues(ctx);
  checkFunctionCalls(ctx);
  checkRouteTypesThroughCalls(ctx);
  checkPseudoVariables(ctx);
  checkExpressionTypes(ctx);
  checkRegexes(ctx);
}

// The flow checks walk every path through route(X) calls: a statement lost
// from any route may be the assignment or the validation they look for.
void runFlowChecks(const LintContext& ctx) {
  checkUninitializedVars(ctx);
  checkExecTaint(ctx);
}

// Findings that a lost item could refute. A lost loadmodule brings
// functions, parameters and pseudo-variables; a lost modparam defines
// profiles, database URLs, the htable db_url.
constexpr std::string_view kNeedEveryModuleItem[] = {
    "kamc-unknown-function",       "kamc-module-not-loaded",    "kamc-unknown-pv",
    "kamc-unknown-transformation", "kamc-implicit-avp",         "kamc-db-driver-not-loaded",
    "kamc-undefined-dialog-profile", "kamc-ineffective-modparam",
};
// A lost route block defines a route and calls others.
constexpr std::string_view kNeedEveryRoute[] = {"kamc-undefined-route", "kamc-unused-route"};
// A call lost from a route body could be the only use of a route.
constexpr std::string_view kNeedEveryBody[] = {"kamc-unused-route"};

template <size_t N>
bool listed(const std::string_view (&rules)[N], std::string_view rule) {
  return std::find(std::begin(rules), std::end(rules), rule) != std::end(rules);
}

// The items of a parsed tree the checks may trust, borrowed in order (the
// parsed tree stays as it is: the language server reads it). A route whose
// body has holes is there as its header and the statements of its body that
// parsed as written, so that it counts as defined. ast::Config and
// ast::Block own their nodes, so the borrowed ones are released, never freed.
class RecoveredView {
 public:
  RecoveredView(const ast::Config& parsed, const std::vector<ast::IncompleteItem>& incompleteItems,
                ast::LostItems lost) {
    std::unordered_map<const ast::TopItem*, const ast::IncompleteItem*> incomplete;
    for (const ast::IncompleteItem& i : incompleteItems) incomplete.emplace(i.item, &i);
    for (const ast::TopItemPtr& item : parsed.items) {
      auto found = incomplete.find(item.get());
      const ast::IncompleteItem* hole = found == incomplete.end() ? nullptr : found->second;
      if (!hole) {
        borrow(item.get());
      } else if (item->kind != ast::TopKind::Route) {
        moduleItemsMissing_ = true;  // a broken core parameter may be a mistyped loadmodule
      } else if (hole->headerWhole) {
        parts_.push_back(partOf(static_cast<const ast::RouteItem&>(*item), hole->wholeStatements));
        borrow(parts_.back().get());
        bodiesMissing_ = true;
      } else {
        routesMissing_ = true;
      }
    }
    routesMissing_ = routesMissing_ || lost.routes;
    moduleItemsMissing_ = moduleItemsMissing_ || lost.moduleItems;
  }
  ~RecoveredView() {
    for (ast::TopItemPtr& item : view_.items) (void)item.release();
    for (const std::unique_ptr<ast::RouteItem>& part : parts_)
      for (ast::StmtPtr& s : part->body->body) (void)s.release();
  }
  RecoveredView(const RecoveredView&) = delete;
  RecoveredView& operator=(const RecoveredView&) = delete;

  const ast::Config& config() const { return view_; }
  // Some statements of the config are not in the view.
  bool bodiesMissing() const { return bodiesMissing_ || routesMissing_; }
  bool keeps(std::string_view rule) const {
    return !(moduleItemsMissing_ && listed(kNeedEveryModuleItem, rule)) &&
           !(routesMissing_ && listed(kNeedEveryRoute, rule)) && !(bodiesMissing() && listed(kNeedEveryBody, rule));
  }

 private:
  static std::unique_ptr<ast::RouteItem> partOf(const ast::RouteItem& route,
                                                const std::vector<const ast::Statement*>& statements) {
    auto part = std::make_unique<ast::RouteItem>();
    static_cast<ast::Node&>(*part) = static_cast<const ast::Node&>(route);
    part->routeKind = route.routeKind;
    part->keyword = route.keyword;
    part->name = route.name;
    part->body = std::make_unique<ast::Block>();
    if (route.body) static_cast<ast::Node&>(*part->body) = static_cast<const ast::Node&>(*route.body);
    for (const ast::Statement* s : statements) part->body->body.emplace_back(const_cast<ast::Statement*>(s));
    return part;
  }
  void borrow(const ast::TopItem* item) { view_.items.emplace_back(const_cast<ast::TopItem*>(item)); }

  ast::Config view_;
  std::vector<std::unique_ptr<ast::RouteItem>> parts_;
  bool moduleItemsMissing_ = false;
  bool routesMissing_ = false;
  bool bodiesMissing_ = false;
};

}  // namespace

void runAllChecks(const LintContext& ctx) {
  runItemChecks(ctx);
  runFlowChecks(ctx);
  checkRouteReferences(ctx);
  checkUnreachableCode(ctx);
}

void runChecksOnRecoveredTree(const LintContext& ctx, const std::vector<ast::IncompleteItem>& incompleteItems,
                              ast::LostItems lost) {
  RecoveredView view(ctx.config, incompleteItems, lost);
  DiagnosticEngine findings;
  LintContext checks{view.config(), ctx.map, findings, ctx.sm};
  runItemChecks(checks);
  if (!view.bodiesMissing()) runFlowChecks(checks);
  checkRouteReferences(checks);
  checkUnreachableCode(checks);
  for (const Diagnostic& d : findings.diagnostics())
    if (view.keeps(d.rule)) ctx.diags.add(d);
}

}  // namespace kamc::lint
