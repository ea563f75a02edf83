// $var(x) read before any assignment on some path. Script variables live in
// the worker process and keep their value from the previous message that
// process handled, so such a read sees stale data, not an empty value.
#include <algorithm>
#include <iterator>
#include <set>

#include "FlowAnalysis.h"
#include "kamc/ast/AstWalk.h"
#include "kamc/lint/Lint.h"

namespace kamc::lint {
namespace {

// "x" of $var(x); "" for other variables and for names built at run time.
std::string scriptVarName(const ast::PseudoVariable& pv) {
  if (pv.className != "var" || !pv.inner || pv.inner->find('$') != std::string::npos) return "";
  return *pv.inner;
}

class UninitializedVars {
 public:
  using State = std::set<std::string>;  // $var names assigned on every path so far

  UninitializedVars(const LintContext& ctx, const ModuleSet& modules) : ctx_(ctx), modules_(modules) {
    findWritingArguments();
  }

  State merge(const State& a, const State& b) {
    State both;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::inserter(both, both.end()));
    return both;
  }

  void read(const ast::PseudoVarExpr& e, State& s, const FlowContext& where) {
    if (writingArguments_.count(&e)) return;
    checkRead(e.pv, e, s, where);
  }

  void assign(const ast::Expr& target, const ast::Expr&, State& s, const FlowContext&) {
    if (target.kind != ast::ExprKind::PseudoVar) return;
    std::string name = scriptVarName(static_cast<const ast::PseudoVarExpr&>(target).pv);
    if (!name.empty()) s.insert(name);
  }

  // Format arguments read their variables; pvar arguments are written.
  void call(const ast::CallExpr& call, State& s, const FlowContext& where) {
    CallResolution r = resolveCall(call, modules_, where.order);
    if (r.status != CallResolution::Status::Found) return;
    std::span<const catalog::ArgKind> kinds = r.rows.front()->kinds();
    for (size_t i = 0; i < call.args.size() && i < kinds.size(); ++i) {
      const ast::Expr& arg = *call.args[i];
      if (kinds[i] == catalog::ArgKind::Spv && arg.kind == ast::ExprKind::String)
        for (const ast::FormatPart& part : ast::parseFormat(static_cast<const ast::StringExpr&>(arg).value).parts)
          if (part.isVariable) checkRead(*part.pv, arg, s, where);
      if (std::string name = writtenName(arg); writes(kinds[i]) && !name.empty()) s.insert(name);
    }
  }

  void refine(const ast::Expr&, bool, State&) {}

 private:
  static bool writes(catalog::ArgKind k) { return k == catalog::ArgKind::Pvar || k == catalog::ArgKind::Any; }

  // $var(x) or "$var(x)" given where a function writes a variable.
  static std::string writtenName(const ast::Expr& arg) {
    if (arg.kind == ast::ExprKind::PseudoVar) return scriptVarName(static_cast<const ast::PseudoVarExpr&>(arg).pv);
    if (arg.kind != ast::ExprKind::String) return "";
    ast::PseudoVariableParse p =
        ast::parsePseudoVariable(static_cast<const ast::StringExpr&>(arg).value, ast::PvContext::String);
    return p.pv ? scriptVarName(*p.pv) : "";
  }

  void checkRead(const ast::PseudoVariable& pv, const ast::Node& at, const State& s, const FlowContext& where) {
    std::string name = scriptVarName(pv);
    if (name.empty() || s.count(name) || !reported_.insert(&at).second) return;
    ctx_.report("kamc-uninitialized-var", at,
                "$var(" + name + ") is read before any assignment on this path (" + where.chainWords() +
                    "): a $var keeps the value left by the previous message of the same process, so assign it "
                    "first");
  }

  // $var(x) arguments in pvar (or unclassified) positions are written, not read.
  void findWritingArguments() {
    for (size_t i = 0; i < ctx_.config.items.size(); ++i) {
      if (ctx_.config.items[i]->kind != ast::TopKind::Route) continue;
      auto& route = static_cast<const ast::RouteItem&>(*ctx_.config.items[i]);
      ast::forEachCall(route.body.get(), [&](const ast::CallExpr& call) {
        CallResolution r = resolveCall(call, modules_, i);
        if (r.status != CallResolution::Status::Found) return;
        std::span<const catalog::ArgKind> kinds = r.rows.front()->kinds();
        for (size_t a = 0; a < call.args.size() && a < kinds.size(); ++a)
          if (writes(kinds[a]) && call.args[a]->kind == ast::ExprKind::PseudoVar) writingArguments_.insert(call.args[a].get());
      });
    }
  }

  const LintContext& ctx_;
  const ModuleSet& modules_;
  std::set<const ast::Expr*> writingArguments_;
  std::set<const ast::Node*> reported_;
};

}  // namespace

void checkUninitializedVars(const LintContext& ctx) {
  ModuleSet modules(ctx.config);
  UninitializedVars domain(ctx, modules);
  FlowAnalysis<UninitializedVars>(ctx.config, domain).run({});
}

}  // namespace kamc::lint
