// A forward data-flow walk over route blocks, path by path: if/else and
// switch branches are walked apart and merged, exit and drop end a path,
// return ends the route, and route(X) walks X with the caller's state (so
// findings name the chain of routes). A check supplies the Domain: its state
// and what reads, writes, calls and conditions do to it.
//
// Domain requirements:
//   using State = ...;                     // copyable, comparable (memo key)
//   State merge(const State& a, const State& b);
//   void read(const ast::PseudoVarExpr& pv, State& s, const FlowContext& where);
//   void assign(const ast::Expr& target, const ast::Expr& value, State& s, const FlowContext&);
//   void call(const ast::CallExpr& call, State& s, const FlowContext& where);  // not route()
//   void refine(const ast::Expr& condition, bool taken, State& s);  // s in the branch taken or not
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "LintSupport.h"
#include "kamc/ast/AST.h"

namespace kamc::lint {

// Where a finding happens: the chain of routes from the entry block.
struct FlowContext {
  std::vector<const ast::RouteItem*> chain;
  size_t order = 0;  // top-level index of the route being walked (for ModuleSet)

  std::string chainWords() const {
    std::string out;
    for (const ast::RouteItem* r : chain) out += (out.empty() ? "" : " -> ") + routeLabel(*r);
    return out;
  }
};

template <class Domain>
class FlowAnalysis {
  using State = typename Domain::State;
  // The state on a path, or no path at all (after exit, return, break).
  using Flow = std::optional<State>;

 public:
  FlowAnalysis(const ast::Config& config, Domain& domain) : domain_(domain) {
    for (size_t i = 0; i < config.items.size(); ++i) {
      if (config.items[i]->kind != ast::TopKind::Route) continue;
      auto& r = static_cast<const ast::RouteItem&>(*config.items[i]);
      orders_[&r] = i;
      if (r.routeKind == ast::RouteKind::Named && r.name) named_.emplace(r.name->value, &r);
      else entries_.push_back(&r);
    }
  }

  // Walks every entry block (request, failure, reply, branch, event...
  // routes) from `start`.
  void run(const State& start) {
    for (const ast::RouteItem* entry : entries_) walkRoute(*entry, start);
  }

 private:
  // The state after running `route` (its returns and its end merged); empty
  // when every path exits.
  Flow walkRoute(const ast::RouteItem& route, const State& in) {
    auto key = std::make_pair(&route, in);
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    context_.chain.push_back(&route);
    size_t savedOrder = context_.order;
    context_.order = orders_.at(&route);
    std::vector<Flow> savedReturns = std::move(returns_);
    returns_.clear();
    Flow out = statement(route.body.get(), in);
    for (const Flow& r : returns_) out = merge(out, r);
    returns_ = std::move(savedReturns);
    context_.order = savedOrder;
    context_.chain.pop_back();
    memo_.emplace(key, out);
    return out;
  }

  Flow merge(const Flow& a, const Flow& b) {
    if (!a) return b;
    if (!b) return a;
    return domain_.merge(*a, *b);
  }

  Flow statements(const std::vector<ast::StmtPtr>& list, Flow flow) {
    for (const ast::StmtPtr& s : list) flow = statement(s.get(), std::move(flow));
    return flow;
  }

  Flow statement(const ast::Statement* s, Flow flow) {
    if (!s || !flow) return flow;
    switch (s->kind) {
      case ast::StmtKind::Block: return statements(static_cast<const ast::Block*>(s)->body, std::move(flow));
      case ast::StmtKind::If: return ifStatement(static_cast<const ast::IfStmt&>(*s), std::move(*flow));
      case ast::StmtKind::Switch: return switchStatement(static_cast<const ast::SwitchStmt&>(*s), std::move(*flow));
      case ast::StmtKind::While: return whileStatement(static_cast<const ast::WhileStmt&>(*s), std::move(*flow));
      case ast::StmtKind::Return: {
        flow = evaluate(static_cast<const ast::ExitStmt&>(*s).value.get(), std::move(flow));
        returns_.push_back(std::move(flow));
        return std::nullopt;
      }
      case ast::StmtKind::Exit:
      case ast::StmtKind::Drop:
        evaluate(static_cast<const ast::ExitStmt&>(*s).value.get(), std::move(flow));
        return std::nullopt;
      case ast::StmtKind::Break:
        // Outside a switch or while, SER-era configs use break as return.
        if (breaks_.empty()) returns_.push_back(std::move(flow));
        else breaks_.back() = merge(breaks_.back(), flow);
        return std::nullopt;
      case ast::StmtKind::Assign: {
        auto& a = static_cast<const ast::AssignStmt&>(*s);
        flow = evaluate(a.value.get(), std::move(flow));
        if (flow && a.target && a.value) domain_.assign(*a.target, *a.value, *flow, context_);
        return flow;
      }
      case ast::StmtKind::Call: return evaluate(static_cast<const ast::CallStmt&>(*s).call.get(), std::move(flow));
      case ast::StmtKind::Empty: return flow;
    }
    return flow;
  }

  Flow branch(const ast::Expr* condition, bool taken, State s) {
    if (condition) domain_.refine(*condition, taken, s);
    return s;
  }

  Flow ifStatement(const ast::IfStmt& s, State in) {
    Flow after = evaluate(s.condition.get(), std::move(in));
    if (!after) return after;
    Flow thenFlow = statement(s.thenBranch.get(), branch(s.condition.get(), true, *after));
    Flow elseFlow = branch(s.condition.get(), false, *after);
    if (s.elseBranch) elseFlow = statement(s.elseBranch.get(), std::move(elseFlow));
    return merge(thenFlow, elseFlow);
  }

  // Cases fall through to the next one until a break, as in C.
  Flow switchStatement(const ast::SwitchStmt& s, State in) {
    Flow subject = evaluate(s.subject.get(), std::move(in));
    if (!subject) return subject;
    breaks_.emplace_back();
    Flow fallthrough;
    bool hasDefault = false;
    for (const ast::SwitchCase& c : s.cases) {
      hasDefault |= !c.value;
      fallthrough = statements(c.body, merge(subject, fallthrough));
    }
    Flow out = merge(breaks_.back(), fallthrough);
    breaks_.pop_back();
    return hasDefault ? out : merge(out, subject);
  }

  // Two passes over the body approximate its repetition.
  Flow whileStatement(const ast::WhileStmt& s, State in) {
    Flow top = evaluate(s.condition.get(), std::move(in));
    if (!top) return top;
    breaks_.emplace_back();
    Flow exitFlow = branch(s.condition.get(), false, *top);
    // A second pass carries what the body changed around the back edge; it
    // doubles the work of every loop inside, so past 8 nested loops one pass
    // (less precise) keeps the walk linear instead of 2^depth.
    int passes = loopDepth_ < kPreciseLoopDepth ? 2 : 1;
    ++loopDepth_;
    for (int pass = 0; pass < passes && top; ++pass) {
      Flow end = statement(s.body.get(), branch(s.condition.get(), true, *top));
      Flow again = end ? evaluate(s.condition.get(), std::move(end)) : Flow{};
      if (again) exitFlow = merge(exitFlow, branch(s.condition.get(), false, *again));
      top = merge(top, again);
    }
    --loopDepth_;
    Flow out = merge(exitFlow, breaks_.back());
    breaks_.pop_back();
    return out;
  }

  // Operands in evaluation order; && and || may skip their right side.
  Flow evaluate(const ast::Expr* e, Flow flow) {
    if (!e || !flow) return flow;
    switch (e->kind) {
      case ast::ExprKind::PseudoVar:
        domain_.read(static_cast<const ast::PseudoVarExpr&>(*e), *flow, context_);
        return flow;
      case ast::ExprKind::Call: return callExpr(static_cast<const ast::CallExpr&>(*e), std::move(flow));
      case ast::ExprKind::Assign: {
        auto& a = static_cast<const ast::AssignExpr&>(*e);
        flow = evaluate(a.value.get(), std::move(flow));
        if (flow && a.target && a.value) domain_.assign(*a.target, *a.value, *flow, context_);
        return flow;
      }
      case ast::ExprKind::BlockValue:
        return statements(static_cast<const ast::BlockValueExpr&>(*e).body, std::move(flow));
      case ast::ExprKind::Unary: return evaluate(static_cast<const ast::UnaryExpr&>(*e).operand.get(), std::move(flow));
      case ast::ExprKind::Cast: return evaluate(static_cast<const ast::CastExpr&>(*e).operand.get(), std::move(flow));
      case ast::ExprKind::Defined: return flow;  // asks whether it is set: not a use of the value
      case ast::ExprKind::Binary: {
        auto& b = static_cast<const ast::BinaryExpr&>(*e);
        flow = evaluate(b.lhs.get(), std::move(flow));
        if (!flow) return flow;
        if (b.op != ast::BinaryOp::LogicalAnd && b.op != ast::BinaryOp::LogicalOr)
          return evaluate(b.rhs.get(), std::move(flow));
        // The right side runs only when the left did not decide.
        bool rightRunsWhen = b.op == ast::BinaryOp::LogicalAnd;
        Flow right = evaluate(b.rhs.get(), branch(b.lhs.get(), rightRunsWhen, *flow));
        return merge(flow, right);
      }
      case ast::ExprKind::StrLen:
      case ast::ExprKind::StrEmpty:
      case ast::ExprKind::SelVal:
        for (const ast::ExprPtr& a : static_cast<const ast::BuiltinCallExpr&>(*e).args)
          flow = evaluate(a.get(), std::move(flow));
        return flow;
      default: return flow;
    }
  }

  Flow callExpr(const ast::CallExpr& call, Flow flow) {
    std::optional<RouteReference> ref = referenceOf(call);
    bool runsRoute = ref && ref->target.first == ast::RouteKind::Named;
    if (!runsRoute)
      for (const ast::ExprPtr& a : call.args) flow = evaluate(a.get(), std::move(flow));
    if (!flow) return flow;
    if (!runsRoute) {
      domain_.call(call, *flow, context_);
      return flow;
    }
    if (ref->dynamic) return flow;
    auto it = named_.find(ref->target.second);
    bool recursive = it != named_.end() &&
                     std::find(context_.chain.begin(), context_.chain.end(), it->second) != context_.chain.end();
    if (it == named_.end() || recursive) return flow;
    return walkRoute(*it->second, *flow);
  }

  Domain& domain_;
  FlowContext context_;
  std::map<const ast::RouteItem*, size_t> orders_;
  std::map<std::string, const ast::RouteItem*> named_;
  std::vector<const ast::RouteItem*> entries_;
  std::vector<Flow> returns_;  // of the route being walked
  std::vector<Flow> breaks_;   // of the enclosing switch or while
  static constexpr unsigned kPreciseLoopDepth = 8;
  unsigned loopDepth_ = 0;  // while loops around the statement being walked
  std::map<std::pair<const ast::RouteItem*, State>, Flow> memo_;
};

}  // namespace kamc::lint
