// Shell injection through exec: a command string (the first argument of a
// function the catalog marks as running a shell) built from values the SIP
// sender controls ($rU, $hdr(...), $ua... : pseudo-variables the catalog
// marks as from the message), directly or through variables assigned from
// them, that no check has validated on that path. The exec module's
// documentation warns about exactly this.
//
// A check validates a value when it is a regular expression match that
// anchors the whole value and admits no shell metacharacter, e.g.
//   if (!($rU =~ "^[0-9]{1,15}$")) { exit; }
// after which $rU is safe on the paths that continue.
#include <map>
#include <set>
#include <tuple>

#include "FlowAnalysis.h"
#include "kamc/lint/Lint.h"

namespace kamc::lint {
namespace {

// $rU, $hdr(From), $var(x): one variable, whatever its index or transformations.
std::string variableKey(const ast::PseudoVariable& pv) {
  return "$" + pv.className + (pv.inner ? "(" + *pv.inner + ")" : "");
}

bool fromMessage(const ast::PseudoVariable& pv) {
  for (const catalog::PseudoVariableInfo& row : catalog::pseudoVariablesNamed(pv.className))
    if (row.fromMessage) return true;
  return false;
}

bool isShellMetacharacter(char c) {
  return std::string_view(";&|`$()<>'\"\\ \t\n*?!{}[]#~=%").find(c) != std::string_view::npos;
}

// The characters a bracket expression such as [0-9a-z_.-] admits are all
// safe, and it is not negated.
bool safeBracket(std::string_view body) {
  if (body.empty() || body[0] == '^') return false;
  for (size_t i = 0; i < body.size(); ++i) {
    char lo = body[i], hi = lo;
    if (i + 2 < body.size() && body[i + 1] == '-') {
      hi = body[i + 2];
      i += 2;
    }
    for (int c = static_cast<unsigned char>(lo); c <= static_cast<unsigned char>(hi); ++c)
      if (isShellMetacharacter(static_cast<char>(c))) return false;
  }
  return true;
}

// "^...$" with no top-level alternative and nothing in between that matches
// a shell metacharacter: no '.', no negated or metacharacter class, no \S.
bool validatesWholeValue(std::string_view re) {
  if (re.size() < 2 || re.front() != '^' || re.back() != '$' || re[re.size() - 2] == '\\') return false;
  std::string_view body = re.substr(1, re.size() - 2);
  int depth = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '\\') {
      if (++i >= body.size() || std::string_view("dw").find(body[i]) == std::string_view::npos) return false;
    } else if (c == '[') {
      size_t close = body.find(']', i + 2);
      if (close == std::string_view::npos || !safeBracket(body.substr(i + 1, close - i - 1))) return false;
      i = close;
    } else if (c == '.') {
      return false;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == '|' && depth == 0) {
      return false;
    }
  }
  return true;
}

class ExecTaint {
 public:
  struct State {
    std::map<std::string, std::string> tainted;  // variable -> the message value it holds
    std::set<std::string> validated;             // message values checked on every path
    bool operator<(const State& o) const { return std::tie(tainted, validated) < std::tie(o.tainted, o.validated); }
  };

  ExecTaint(const LintContext& ctx, const ModuleSet& modules) : ctx_(ctx), modules_(modules) {}

  State merge(const State& a, const State& b) {
    State out;
    out.tainted = a.tainted;
    out.tainted.insert(b.tainted.begin(), b.tainted.end());
    std::set_intersection(a.validated.begin(), a.validated.end(), b.validated.begin(), b.validated.end(),
                          std::inserter(out.validated, out.validated.end()));
    return out;
  }

  void read(const ast::PseudoVarExpr&, State&, const FlowContext&) {}

  void assign(const ast::Expr& target, const ast::Expr& value, State& s, const FlowContext&) {
    if (target.kind != ast::ExprKind::PseudoVar) return;
    const ast::PseudoVariable& pv = static_cast<const ast::PseudoVarExpr&>(target).pv;
    std::string key = variableKey(pv);
    std::string origin = taintOf(value, s);
    if (origin.empty()) s.tainted.erase(key);
    else s.tainted[key] = origin;
    // Overwriting a message value ($rU = "x") makes it what the script wrote.
    if (fromMessage(pv)) {
      if (origin.empty()) s.validated.insert(key);
      else s.validated.erase(key);
    }
  }

  void call(const ast::CallExpr& call, State& s, const FlowContext& where) {
    CallResolution r = resolveCall(call, modules_, where.order);
    if (r.status != CallResolution::Status::Found || !r.rows.front()->runsShellCommand || call.args.empty()) return;
    const ast::Expr& command = *call.args[0];
    for (const ast::PseudoVariable& pv : variablesIn(command)) {
      std::string origin = taintOf(pv, s);
      if (origin.empty() || !reported_.insert({&call, variableKey(pv)}).second) continue;
      std::string key = variableKey(pv);
      std::string what = key == origin ? key + ", which the SIP sender controls,"
                                       : key + ", which holds " + origin + " from the SIP message,";
      Diagnostic& d = ctx_.report(
          "kamc-exec-taint", command,
          "'" + call.callee + "' runs a shell command built from " + what + " not validated on this path (" +
              where.chainWords() + "); check it first with an anchored regular expression, e.g. if (!(" + origin +
              " =~ \"^[0-9]{1,15}$\")) { exit; }");
      if (r.rows.front()->nativeInRuntime) {
        // kamc's exec rewrites each pseudo-variable into a quoted environment reference
        // (docs/runtime.md, "exec"); Kamailio pastes the value into the shell text.
        d.notes.push_back({call.loc, "kamc runs this command safely: " + key +
                                         " reaches the shell as one quoted word, never as code; Kamailio pastes its "
                                         "value into the command text, where a quote, ';', '`' or '$(' in it runs as "
                                         "shell code. The script itself still gets the unchecked value"});
      }
    }
  }

  void refine(const ast::Expr& condition, bool taken, State& s) {
    if (condition.kind == ast::ExprKind::Unary) {
      auto& u = static_cast<const ast::UnaryExpr&>(condition);
      if (u.op == ast::UnaryOp::Not && u.operand) refine(*u.operand, !taken, s);
      return;
    }
    if (condition.kind != ast::ExprKind::Binary) return;
    auto& b = static_cast<const ast::BinaryExpr&>(condition);
    if (!b.lhs || !b.rhs) return;
    // Both sides hold when && is true; both fail when || is false.
    if ((b.op == ast::BinaryOp::LogicalAnd && taken) || (b.op == ast::BinaryOp::LogicalOr && !taken)) {
      refine(*b.lhs, taken, s);
      refine(*b.rhs, taken, s);
      return;
    }
    if (b.op != ast::BinaryOp::Match || !taken || b.lhs->kind != ast::ExprKind::PseudoVar ||
        b.rhs->kind != ast::ExprKind::String || !validatesWholeValue(static_cast<const ast::StringExpr&>(*b.rhs).value))
      return;
    const ast::PseudoVariable& pv = static_cast<const ast::PseudoVarExpr&>(*b.lhs).pv;
    if (!pv.transformations.empty()) return;  // the check saw a transformed value
    std::string key = variableKey(pv);
    s.tainted.erase(key);
    if (fromMessage(pv)) s.validated.insert(key);
  }

 private:
  // The message value a variable carries on this path, or "".
  std::string taintOf(const ast::PseudoVariable& pv, const State& s) const {
    std::string key = variableKey(pv);
    if (fromMessage(pv) && !s.validated.count(key)) return key;
    auto it = s.tainted.find(key);
    return it == s.tainted.end() ? "" : it->second;
  }

  // An assigned value is tainted by any tainted variable it reads (function
  // calls give their return code; string literals are not expanded).
  std::string taintOf(const ast::Expr& value, const State& s) const {
    for (const ast::PseudoVariable& pv : variablesIn(value)) {
      std::string origin = taintOf(pv, s);
      if (!origin.empty()) return origin;
    }
    return "";
  }

  // The variables an expression reads: pseudo-variables, and those of a
  // string when it is a command format.
  static std::vector<ast::PseudoVariable> variablesIn(const ast::Expr& e) {
    std::vector<ast::PseudoVariable> out;
    collect(e, e.kind == ast::ExprKind::String, out);
    return out;
  }

  static void collect(const ast::Expr& e, bool stringIsFormat, std::vector<ast::PseudoVariable>& out) {
    switch (e.kind) {
      case ast::ExprKind::PseudoVar: out.push_back(static_cast<const ast::PseudoVarExpr&>(e).pv); return;
      case ast::ExprKind::String:
        if (stringIsFormat)
          for (const ast::FormatPart& part : ast::parseFormat(static_cast<const ast::StringExpr&>(e).value).parts)
            if (part.isVariable) out.push_back(*part.pv);
        return;
      case ast::ExprKind::Binary: {
        auto& b = static_cast<const ast::BinaryExpr&>(e);
        if (b.lhs) collect(*b.lhs, false, out);
        if (b.rhs) collect(*b.rhs, false, out);
        return;
      }
      case ast::ExprKind::Cast: collect(*static_cast<const ast::CastExpr&>(e).operand, false, out); return;
      case ast::ExprKind::SelVal:
        for (size_t i = 1; i < static_cast<const ast::BuiltinCallExpr&>(e).args.size(); ++i)
          collect(*static_cast<const ast::BuiltinCallExpr&>(e).args[i], false, out);
        return;
      default: return;
    }
  }

  const LintContext& ctx_;
  const ModuleSet& modules_;
  std::set<std::pair<const ast::CallExpr*, std::string>> reported_;
};

}  // namespace

void checkExecTaint(const LintContext& ctx) {
  ModuleSet modules(ctx.config);
  ExecTaint domain(ctx, modules);
  FlowAnalysis<ExecTaint>(ctx.config, domain).run({});
}

}  // namespace kamc::lint
