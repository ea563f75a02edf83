// Leaves are printed with their exact spelling (strings keep their quotes and
// escapes, numbers their base) and parentheses where the source had them, so
// that parsing the output rebuilds the same tree.
#include "kamc/ast/AstPrinter.h"

namespace kamc::ast {
namespace {

class Printer {
 public:
  std::string config(const Config& c) {
    for (const TopItemPtr& item : c.items) {
      top(*item);
      out_ += '\n';
    }
    return std::move(out_);
  }

  std::string expression(const Expr& e) {
    expr(&e);
    return std::move(out_);
  }

  std::string statement(const Statement& s) {
    stmt(&s);
    return std::move(out_);
  }

 private:
  void top(const TopItem& t) {
    switch (t.kind) {
      case TopKind::LoadModule: {
        auto& m = static_cast<const LoadModuleItem&>(t);
        out_ += (m.extended ? "loadmodulex " : "loadmodule ") + m.path.text;
        break;
      }
      case TopKind::LoadPath:
      case TopKind::CfgEngine: {
        auto& p = static_cast<const PathItem&>(t);
        out_ += p.keyword + (p.hasEqual ? " = " : " ") + p.value.text;
        break;
      }
      case TopKind::Modparam: {
        auto& m = static_cast<const ModparamItem&>(t);
        out_ += (m.extended ? "modparamx(" : "modparam(") + m.modules.text + ", " + m.param.text + ", ";
        expr(m.value.get());
        out_ += ')';
        break;
      }
      case TopKind::GlobalParam: {
        auto& g = static_cast<const GlobalParamItem&>(t);
        out_ += g.name + " = " + g.valueText;
        if (g.description) out_ += " desc " + g.description->text;
        break;
      }
      case TopKind::Flags: flags(static_cast<const FlagsItem&>(t)); break;
      case TopKind::Route: route(static_cast<const RouteItem&>(t)); break;
      case TopKind::Empty: out_ += ';'; break;
    }
  }

  void flags(const FlagsItem& f) {
    out_ += f.keyword + ' ';
    for (size_t i = 0; i < f.flags.size(); ++i) {
      if (i) out_ += ", ";
      out_ += f.flags[i].name.text;
      if (f.flags[i].bit) out_ += ':' + std::to_string(*f.flags[i].bit);
    }
  }

  void route(const RouteItem& r) {
    out_ += r.keyword;
    if (r.name) out_ += '[' + r.name->text + ']';
    out_ += ' ';
    if (r.body) block(r.body->body);
    else out_ += "{\n}";
  }

  void newline() {
    out_ += '\n';
    out_.append(depth_, '\t');
  }

  void block(const std::vector<StmtPtr>& body) {
    out_ += '{';
    ++depth_;
    for (const StmtPtr& s : body) {
      newline();
      stmt(s.get());
    }
    --depth_;
    newline();
    out_ += '}';
  }

  // The branch of an if/else/while: a block follows on the same line, any
  // other statement on its own indented line.
  void branch(const Statement* s) {
    if (s && s->kind == StmtKind::Block) {
      out_ += ' ';
      stmt(s);
      return;
    }
    ++depth_;
    newline();
    stmt(s);
    --depth_;
  }

  void stmt(const Statement* s) {
    if (!s) {
      out_ += ';';
      return;
    }
    switch (s->kind) {
      case StmtKind::Block: block(static_cast<const Block*>(s)->body); break;
      case StmtKind::If: ifStmt(*static_cast<const IfStmt*>(s)); break;
      case StmtKind::Switch: switchStmt(*static_cast<const SwitchStmt*>(s)); break;
      case StmtKind::While: {
        auto* w = static_cast<const WhileStmt*>(s);
        out_ += "while ";
        expr(w->condition.get());
        branch(w->body.get());
        break;
      }
      case StmtKind::Return:
      case StmtKind::Exit:
      case StmtKind::Drop: exitStmt(*static_cast<const ExitStmt*>(s)); break;
      case StmtKind::Break: out_ += "break;"; break;
      case StmtKind::Assign: {
        auto* a = static_cast<const AssignStmt*>(s);
        expr(a->target.get());
        out_ += " = ";
        expr(a->value.get());
        out_ += ';';
        break;
      }
      case StmtKind::Call:
        expr(static_cast<const CallStmt*>(s)->call.get());
        out_ += ';';
        break;
      case StmtKind::Empty: out_ += ';'; break;
    }
  }

  void ifStmt(const IfStmt& i) {
    out_ += "if ";
    expr(i.condition.get());
    branch(i.thenBranch.get());
    if (!i.elseBranch) return;
    newline();
    out_ += "else";
    if (i.elseBranch->kind == StmtKind::If) {  // else if: keep the chain flat
      out_ += ' ';
      stmt(i.elseBranch.get());
    } else {
      branch(i.elseBranch.get());
    }
  }

  void switchStmt(const SwitchStmt& s) {
    out_ += "switch ";
    expr(s.subject.get());
    out_ += " {";
    for (const SwitchCase& c : s.cases) {
      newline();
      if (c.value) {
        out_ += c.isRegex ? "case /" : "case ";
        expr(c.value.get());
        out_ += ':';
      } else {
        out_ += "default:";
      }
      ++depth_;
      for (const StmtPtr& st : c.body) {
        newline();
        stmt(st.get());
      }
      --depth_;
    }
    newline();
    out_ += '}';
  }

  void exitStmt(const ExitStmt& e) {
    out_ += e.kind == StmtKind::Return ? "return" : e.kind == StmtKind::Drop ? "drop" : "exit";
    if (e.emptyParens) out_ += "()";
    if (e.value) {
      out_ += ' ';
      expr(e.value.get());
    }
    out_ += ';';
  }

  void exprList(const std::vector<ExprPtr>& list) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (i) out_ += ", ";
      expr(list[i].get());
    }
  }

  void expr(const Expr* e) {
    if (!e) return;
    if (e->parenthesized) out_ += '(';
    exprBody(*e);
    if (e->parenthesized) out_ += ')';
  }

  void exprBody(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Call: {
        auto& c = static_cast<const CallExpr&>(e);
        out_ += c.callee;
        if (!c.hasParens) break;
        out_ += '(';
        exprList(c.args);
        out_ += ')';
        break;
      }
      case ExprKind::Unary: {
        auto& u = static_cast<const UnaryExpr&>(e);
        out_ += u.text;
        // "not" is a word, and "- -1" must not become "--1".
        if (u.text == "not" || (u.operand && u.operand->text.starts_with('-'))) out_ += ' ';
        expr(u.operand.get());
        break;
      }
      case ExprKind::Cast:
        out_ += e.text;
        expr(static_cast<const CastExpr&>(e).operand.get());
        break;
      case ExprKind::Defined:
        out_ += "defined ";
        expr(static_cast<const DefinedExpr&>(e).operand.get());
        break;
      case ExprKind::Binary: {
        auto& b = static_cast<const BinaryExpr&>(e);
        expr(b.lhs.get());
        out_ += ' ' + b.text + ' ';
        expr(b.rhs.get());
        break;
      }
      case ExprKind::StrLen:
      case ExprKind::StrEmpty:
      case ExprKind::SelVal:
        out_ += e.text + '(';
        exprList(static_cast<const BuiltinCallExpr&>(e).args);
        out_ += ')';
        break;
      case ExprKind::Assign: {
        auto& a = static_cast<const AssignExpr&>(e);
        out_ += '(';
        expr(a.target.get());
        out_ += " = ";
        expr(a.value.get());
        out_ += ')';
        break;
      }
      case ExprKind::BlockValue:
        block(static_cast<const BlockValueExpr&>(e).body);
        break;
      default: out_ += e.text;  // leaves: their exact spelling
    }
  }

  std::string out_;
  size_t depth_ = 0;
};

}  // namespace

std::string printConfig(const Config& config) { return Printer().config(config); }
std::string printExpr(const Expr& expr) { return Printer().expression(expr); }

// The formatter prints the statements it may rewrite one at a time, so that
// the comments and #! lines around them stay where they are.
std::optional<std::string> printSimpleStatement(const Statement& s) {
  switch (s.kind) {
    case StmtKind::Block:
    case StmtKind::If:
    case StmtKind::Switch:
    case StmtKind::While: return std::nullopt;  // several lines
    default: return Printer().statement(s);
  }
}

}  // namespace kamc::ast
