// One function per node family; each writes the fields docs/ast-json.md lists.
#include "kamc/ast/AstJson.h"

#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace kamc::ast {
namespace {

using json = nlohmann::ordered_json;

class JsonWriter {
 public:
  JsonWriter(const SourceManager& sm, const std::vector<DefineExpansion>* expansions,
             const JsonOptions& opts)
      : sm_(sm), expansions_(expansions), opts_(opts) {}

  json config(const Config& c) {
    json items = json::array();
    for (const TopItemPtr& item : c.items) items.push_back(top(*item));
    return json{{"kind", "Config"}, {"items", std::move(items)}};
  }

 private:
  // ordered_json keeps an object's fields in a vector of pair<const string,
  // json>, whose move may throw, so growing it copies every field's subtree:
  // quadratic on a 1,000-term `+` chain. Room for every field up front avoids it.
  static constexpr size_t kMostFieldsOfANode = 12;

  json node(const char* kind, const Node& n) {
    json j = json::object();
    j.get_ref<json::object_t&>().reserve(kMostFieldsOfANode);
    j["kind"] = kind;
    if (!opts_.withLocations || !n.loc.valid()) return j;
    j["loc"] = json{{"file", sm_.file(n.loc.file).path}, {"line", n.loc.line}, {"col", n.loc.column}};
    if (expansions_ && n.expansion >= 0 && size_t(n.expansion) < expansions_->size())
      j["loc"]["expandedFrom"] = (*expansions_)[n.expansion].name;
    return j;
  }

  json word(const Word& w) { return json{{"value", w.value}, {"text", w.text}}; }

  json top(const TopItem& t) {
    json j = node(topKindName(t.kind), t);
    switch (t.kind) {
      case TopKind::LoadModule: {
        auto& m = static_cast<const LoadModuleItem&>(t);
        j["path"] = word(m.path);
        j["extended"] = m.extended;
        break;
      }
      case TopKind::LoadPath:
      case TopKind::CfgEngine: {
        auto& p = static_cast<const PathItem&>(t);
        j["keyword"] = p.keyword;
        j["value"] = word(p.value);
        break;
      }
      case TopKind::Modparam: {
        auto& m = static_cast<const ModparamItem&>(t);
        j["modules"] = word(m.modules);
        j["param"] = word(m.param);
        j["value"] = expr(m.value.get());
        j["extended"] = m.extended;
        break;
      }
      case TopKind::GlobalParam: globalParam(static_cast<const GlobalParamItem&>(t), j); break;
      case TopKind::Flags: flags(static_cast<const FlagsItem&>(t), j); break;
      case TopKind::Route: route(static_cast<const RouteItem&>(t), j); break;
      case TopKind::Empty: break;
    }
    return j;
  }

  void globalParam(const GlobalParamItem& g, json& j) {
    static const char* kAtomKinds[] = {"string", "number", "bool", "identifier", "punctuation", "other"};
    j["name"] = g.name;
    j["value"] = g.valueText;
    json atoms = json::array();
    for (const ParamAtom& a : g.value) atoms.push_back(json{{"kind", kAtomKinds[a.kind]}, {"value", a.value}});
    j["atoms"] = std::move(atoms);
    if (g.description) j["description"] = word(*g.description);
  }

  void flags(const FlagsItem& f, json& j) {
    j["keyword"] = f.keyword;
    json list = json::array();
    for (const FlagSpec& s : f.flags) {
      json flag{{"name", s.name.value}};
      if (s.bit) flag["bit"] = *s.bit;
      list.push_back(std::move(flag));
    }
    j["flags"] = std::move(list);
  }

  void route(const RouteItem& r, json& j) {
    j["routeKind"] = routeKindName(r.routeKind);
    j["keyword"] = r.keyword;
    if (r.name) j["name"] = word(*r.name);
    j["body"] = stmt(r.body.get());
  }

  json stmts(const std::vector<StmtPtr>& list) {
    json out = json::array();
    for (const StmtPtr& s : list) out.push_back(stmt(s.get()));
    return out;
  }

  json stmt(const Statement* s) {
    if (!s) return nullptr;
    json j = node(stmtKindName(s->kind), *s);
    switch (s->kind) {
      case StmtKind::Block: j["body"] = stmts(static_cast<const Block*>(s)->body); break;
      case StmtKind::If: {
        auto* i = static_cast<const IfStmt*>(s);
        j["condition"] = expr(i->condition.get());
        j["then"] = stmt(i->thenBranch.get());
        if (i->elseBranch) j["else"] = stmt(i->elseBranch.get());
        break;
      }
      case StmtKind::Switch: switchStmt(*static_cast<const SwitchStmt*>(s), j); break;
      case StmtKind::While: {
        auto* w = static_cast<const WhileStmt*>(s);
        j["condition"] = expr(w->condition.get());
        j["body"] = stmt(w->body.get());
        break;
      }
      case StmtKind::Return:
      case StmtKind::Exit:
      case StmtKind::Drop: {
        auto* e = static_cast<const ExitStmt*>(s);
        if (e->value) j["value"] = expr(e->value.get());
        if (e->emptyParens) j["emptyParens"] = true;
        break;
      }
      case StmtKind::Assign: {
        auto* a = static_cast<const AssignStmt*>(s);
        j["target"] = expr(a->target.get());
        j["value"] = expr(a->value.get());
        break;
      }
      case StmtKind::Call: j["call"] = expr(static_cast<const CallStmt*>(s)->call.get()); break;
      case StmtKind::Break:
      case StmtKind::Empty: break;
    }
    return j;
  }

  void switchStmt(const SwitchStmt& s, json& j) {
    j["subject"] = expr(s.subject.get());
    json cases = json::array();
    for (const SwitchCase& c : s.cases) {
      json cj = node(c.value ? "Case" : "Default", c);
      if (c.isRegex) cj["regex"] = true;
      if (c.value) cj["value"] = expr(c.value.get());
      cj["body"] = stmts(c.body);
      cases.push_back(std::move(cj));
    }
    j["cases"] = std::move(cases);
  }

  json pseudoVariable(const PseudoVariable& pv) {
    json j{{"class", pv.className}};
    if (pv.inner) j["inner"] = *pv.inner;
    if (pv.index) j["index"] = *pv.index;
    if (!pv.transformations.empty()) {
      json trs = json::array();
      for (const Transformation& t : pv.transformations)
        trs.push_back(json{{"class", t.className}, {"name", t.name}, {"params", t.params}});
      j["transformations"] = std::move(trs);
    }
    return j;
  }

  json exprList(const std::vector<ExprPtr>& list) {
    json out = json::array();
    for (const ExprPtr& e : list) out.push_back(expr(e.get()));
    return out;
  }

  json expr(const Expr* e) {
    if (!e) return nullptr;
    json j = node(exprKindName(e->kind), *e);
    if (e->parenthesized) j["parenthesized"] = true;
    exprFields(*e, j);
    return j;
  }

  void exprFields(const Expr& e, json& j) {
    switch (e.kind) {
      case ExprKind::Number:
        j["value"] = static_cast<const NumberExpr&>(e).value;
        j["text"] = e.text;
        break;
      case ExprKind::String:
        j["value"] = static_cast<const StringExpr&>(e).value;
        j["text"] = e.text;
        break;
      case ExprKind::PseudoVar:
        j["text"] = e.text;
        j["pv"] = pseudoVariable(static_cast<const PseudoVarExpr&>(e).pv);
        break;
      case ExprKind::Address: {
        static const char* kKinds[] = {"ip", "host", "socket", "proto"};
        j["addressKind"] = kKinds[int(static_cast<const AddressExpr&>(e).addressKind)];
        j["text"] = e.text;
        break;
      }
      case ExprKind::Select:
      case ExprKind::Keyword: j["text"] = e.text; break;
      case ExprKind::Call: {
        auto& c = static_cast<const CallExpr&>(e);
        j["callee"] = c.callee;
        j["parens"] = c.hasParens;
        j["args"] = exprList(c.args);
        break;
      }
      default: compoundFields(e, j);
    }
  }

  void compoundFields(const Expr& e, json& j) {
    switch (e.kind) {
      case ExprKind::Unary:
        j["op"] = unaryOpSpelling(static_cast<const UnaryExpr&>(e).op);
        j["operand"] = expr(static_cast<const UnaryExpr&>(e).operand.get());
        break;
      case ExprKind::Cast:
        j["cast"] = static_cast<const CastExpr&>(e).cast == CastKind::Int ? "int" : "str";
        j["operand"] = expr(static_cast<const CastExpr&>(e).operand.get());
        break;
      case ExprKind::Defined: j["operand"] = expr(static_cast<const DefinedExpr&>(e).operand.get()); break;
      case ExprKind::Binary: {
        auto& b = static_cast<const BinaryExpr&>(e);
        j["op"] = binaryOpSpelling(b.op);
        if (b.text != binaryOpSpelling(b.op)) j["spelling"] = b.text;
        j["lhs"] = expr(b.lhs.get());
        j["rhs"] = expr(b.rhs.get());
        break;
      }
      case ExprKind::StrLen:
      case ExprKind::StrEmpty:
      case ExprKind::SelVal: j["args"] = exprList(static_cast<const BuiltinCallExpr&>(e).args); break;
      case ExprKind::Assign:
        j["target"] = expr(static_cast<const AssignExpr&>(e).target.get());
        j["value"] = expr(static_cast<const AssignExpr&>(e).value.get());
        break;
      case ExprKind::BlockValue: j["body"] = stmts(static_cast<const BlockValueExpr&>(e).body); break;
      default: break;
    }
  }

  const SourceManager& sm_;
  const std::vector<DefineExpansion>* expansions_;
  const JsonOptions& opts_;
};

}  // namespace

std::string dumpJson(const Config& config, const SourceManager& sm,
                     const std::vector<DefineExpansion>* expansions, const JsonOptions& opts) {
  JsonWriter writer(sm, expansions, opts);
  json j = writer.config(config);
  // Indentation grows with the depth: at the nesting limit (1000 levels) it
  // would make the text quadratic (170 MB for nested switches). A tree deeper
  // than 256 levels is printed one value a line without indentation.
  int indent = opts.indent;
  if (indent > 0) {
    std::vector<std::pair<const json*, size_t>> pending{{&j, 1}};
    while (!pending.empty() && indent > 0) {
      auto [node, depth] = pending.back();
      pending.pop_back();
      if (!node->is_structured()) continue;
      if (depth > 256) indent = 0;
      for (const json& child : *node) pending.emplace_back(&child, depth + 1);
    }
  }
  // Replace invalid UTF-8 (Latin-1 comments, binary junk) instead of throwing.
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace kamc::ast
