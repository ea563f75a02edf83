// Type errors Kamailio's parser reports in expressions ("bad expression:
// type mismatch: str instead of int"), with its typing rules from
// kamc/ast/ExprType.h. Kamailio types every expression it builds as an
// rvalue: conditions, assigned values, return codes, switch subjects and
// cases, and the arguments of module functions (core statements such as
// forward() or setflag() have their own argument grammar).
#include "LintSupport.h"
#include "kamc/ast/AstWalk.h"
#include "kamc/ast/ExprType.h"
#include "kamc/lint/Lint.h"

namespace kamc::lint {
namespace {

std::string describe(const ast::Expr& operand) {
  switch (operand.kind) {
    case ast::ExprKind::Number:
    case ast::ExprKind::String:
    case ast::ExprKind::PseudoVar: return operand.text;
    default: return "this operand";
  }
}

class TypeChecker {
 public:
  TypeChecker(const LintContext& ctx, const ModuleSet& modules) : ctx_(ctx), modules_(modules) {}

  void checkRoute(const ast::RouteItem& route, size_t order) {
    order_ = order;
    ast::AstVisitor v;
    v.onStatement = [&](const ast::Statement& s) { checkStatement(s); };
    v.onExpr = [&](const ast::Expr& e) {
      if (e.kind == ast::ExprKind::Assign) checkRoot(static_cast<const ast::AssignExpr&>(e).value.get());
      if (e.kind == ast::ExprKind::Call) checkArguments(static_cast<const ast::CallExpr&>(e));
    };
    ast::walk(route.body.get(), v);
  }

 private:
  void checkStatement(const ast::Statement& s) {
    switch (s.kind) {
      case ast::StmtKind::If: checkRoot(static_cast<const ast::IfStmt&>(s).condition.get()); break;
      case ast::StmtKind::While: checkRoot(static_cast<const ast::WhileStmt&>(s).condition.get()); break;
      case ast::StmtKind::Switch: {
        auto& sw = static_cast<const ast::SwitchStmt&>(s);
        checkRoot(sw.subject.get());
        for (const ast::SwitchCase& c : sw.cases) checkRoot(c.value.get());
        checkCaseKinds(sw);
        break;
      }
      case ast::StmtKind::Return:
      case ast::StmtKind::Exit:
      case ast::StmtKind::Drop: checkRoot(static_cast<const ast::ExitStmt&>(s).value.get()); break;
      case ast::StmtKind::Assign: checkRoot(static_cast<const ast::AssignStmt&>(s).value.get()); break;
      default: break;
    }
  }

  // cfg.y's case_check_type: a switch compares either as integers or as
  // strings (string and regex labels mix); a label of the other kind is refused.
  void checkCaseKinds(const ast::SwitchStmt& sw) {
    auto isInteger = [](const ast::SwitchCase& c) {
      return !c.isRegex && ast::staticType(*c.value) != ast::ValueType::Str;
    };
    auto kindOf = [&](const ast::SwitchCase& c) {
      return c.isRegex ? "a regex" : isInteger(c) ? "an integer" : "a string";
    };
    const ast::SwitchCase* first = nullptr;
    for (const ast::SwitchCase& c : sw.cases) {
      // Labels Kamailio already refuses (not constant, mistyped) have no kind.
      if (!c.value || !ast::isConstant(*c.value) || ast::checkTypes(*c.value)) continue;
      if (!first) {
        first = &c;
        // fix_switch takes the kind from the first label, and a default
        // written first counts as an integer one.
        if (!sw.cases.front().value && !isInteger(c)) {
          ctx_.report("kamc-type-mismatch", *c.value,
                      std::string("type mismatch in case: ") + kindOf(c) +
                          " label in a switch whose first label is 'default:', which makes Kamailio 5.6 compare "
                          "integers; write 'default:' after this case (kamailio -c accepts it; its start-up "
                          "fails: 'wrong case type (int expected)')");
          return;
        }
      } else if (isInteger(c) != isInteger(*first)) {
        ctx_.report("kamc-type-mismatch", *c.value,
                    std::string("type mismatch in case: ") + kindOf(c) + " label in a switch whose first label (line " +
                        std::to_string(first->value->loc.line) + ") is " + kindOf(*first) +
                        "; a switch compares either integers or strings and regexes (kamailio -c: 'bad switch(): "
                        "mixed integer and string/RE cases not allowed')");
        return;
      }
    }
  }

  void checkArguments(const ast::CallExpr& call) {
    CallResolution r = resolveCall(call, modules_, order_);
    bool moduleFunction = r.status == CallResolution::Status::Found && r.rows.front()->module != "core";
    if (!moduleFunction) return;
    for (const ast::ExprPtr& arg : call.args) checkRoot(arg.get());
  }

  void checkRoot(const ast::Expr* e) {
    if (!e) return;
    std::optional<ast::TypeMismatch> m = ast::checkTypes(*e);
    if (!m) return;
    ctx_.report("kamc-type-mismatch", *m->operand,
                std::string("bad expression: type mismatch: ") + ast::valueTypeName(m->found) + " instead of " +
                    ast::valueTypeName(m->expected) + ": " + describe(*m->operand) + " is " +
                    (m->found == ast::ValueType::Int ? "an int" : "a str") + " and " + m->reason +
                    " (kamailio -c refuses the config)");
  }

  const LintContext& ctx_;
  const ModuleSet& modules_;
  size_t order_ = 0;
};

}  // namespace

void checkExpressionTypes(const LintContext& ctx) {
  ModuleSet modules(ctx.config);
  TypeChecker checker(ctx, modules);
  for (size_t i = 0; i < ctx.config.items.size(); ++i)
    if (ctx.config.items[i]->kind == ast::TopKind::Route)
      checker.checkRoute(static_cast<const ast::RouteItem&>(*ctx.config.items[i]), i);
}

}  // namespace kamc::lint
