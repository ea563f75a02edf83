// Hover, definitions, references, symbols, document links, call hierarchy
// and rename: what a position names, and where else that name is.
#include "AnalysisData.h"

namespace kamc::lsp {

std::optional<HoverResult> Analysis::hover(const std::string& path, Position pos) const {
  const AnalysisData& d = *d_;
  std::optional<AnalysisData::Spot> spot = d.spotAt(path, pos);
  if (!spot) return std::nullopt;
  // A define: its use or its #!define line.
  const DefineExpansion* use = d.defines->useAt(spot->loc);
  const DefineInfo* def = use ? d.defines->find(use->name) : d.defines->definitionAt(spot->loc);
  if (!use && !def)
    if (auto tested = d.directiveNameAt(spot->loc)) {
      const DefineInfo* known = d.defines->find(tested->first);
      std::string md = known ? "```kamailio\n#!define " + tested->first + (known->hasValue ? " " + known->value : "") +
                                   "\n```\nDefined"
                             : "`" + tested->first + "` is not defined at the end of the config";
      return HoverResult{md, tested->second.range};
    }
  if (use || def) {
    std::string name = use ? use->name : def->name;
    std::string md = "```kamailio\n#!define " + name;
    if (def && def->hasValue) md += " " + def->value;
    md += "\n```\n";
    if (def && def->hasValue) md += "Expands to: `" + def->value + "`";
    else if (def) md += "Defined without a value";
    SourceLocation at = use ? use->useSite : def->definedAt;
    return HoverResult{md, d.nameLocation(at, name.size()).range};
  }
  if (!d.unit.config) return std::nullopt;
  const sema::NodePath& np = spot->path;
  if (const ast::Expr* e = np.innermostExpr()) {
    if (e->kind == ast::ExprKind::String)
      if (std::optional<AnalysisData::FormatPv> f = d.formatPvAt(path, pos)) return HoverResult{pvHover(f->pv), f->at.range};
    if (e->kind == ast::ExprKind::PseudoVar)
      return HoverResult{pvHover(static_cast<const ast::PseudoVarExpr&>(*e).pv), d.nodeLocation(*e).range};
    if (const ast::CallExpr* call = np.enclosingCall(); call && onName(spot->loc, call->loc, call->callee.size())) {
      sema::CallResolution r = sema::resolveCall(*call, *d.modules, d.orderOfItem(np.item));
      if (r.status == sema::CallResolution::Status::Keyword) {
        const catalog::CoreKeywordInfo* k = catalog::findCoreKeyword(call->callee);
        return HoverResult{"```kamailio\n" + call->callee + "\n```\nCore keyword" +
                               (k && !k->doc.empty() ? ": " + std::string(k->doc) : std::string()),
                           d.nameLocation(call->loc, call->callee.size()).range};
      }
      if (!r.rows.empty()) {
        std::string md = functionHover(r.rows);
        if (r.status == sema::CallResolution::Status::NotLoaded)
          md += "\n\n**Module not loaded**: add `loadmodule \"" + std::string(r.rows.front()->module) + ".so\"`";
        return HoverResult{md, d.nameLocation(call->loc, call->callee.size()).range};
      }
    }
  }
  if (np.item && np.item->kind == ast::TopKind::Modparam && np.word) {
    auto& m = static_cast<const ast::ModparamItem&>(*np.item);
    if (np.word == &m.param) {
      const catalog::ParamInfo* p = catalog::findParam(m.modules.value, m.param.value);
      if (!p) return std::nullopt;
      std::string md = "```kamailio\nmodparam(\"" + std::string(p->module) + "\", \"" + std::string(p->name) + "\", " +
                       paramTypeName(p->type) + ")\n```\n" + defaultLine(p->defaultValue) + std::string(p->doc);
      return HoverResult{md, d.nodeLocation(m.param).range};
    }
    if (const catalog::ModuleInfo* mod = catalog::findModule(m.modules.value))
      return HoverResult{"Module `" + std::string(mod->name) + "`: " + std::string(mod->doc), d.nodeLocation(m.modules).range};
  }
  if (np.item && np.item->kind == ast::TopKind::LoadModule) {
    auto& lm = static_cast<const ast::LoadModuleItem&>(*np.item);
    if (const catalog::ModuleInfo* mod = catalog::findModule(lm.moduleName()))
      return HoverResult{"Module `" + std::string(mod->name) + "`: " + std::string(mod->doc) + "\n\n" +
                             std::to_string(mod->functions.size()) + " functions, " + std::to_string(mod->params.size()) +
                             " parameters",
                         d.nodeLocation(lm.path).range};
  }
  if (np.item && np.item->kind == ast::TopKind::GlobalParam) {
    auto& g = static_cast<const ast::GlobalParamItem&>(*np.item);
    if (onName(spot->loc, g.loc, g.name.size()))
      if (const catalog::CoreParamInfo* p = catalog::findCoreParam(g.name))
        return HoverResult{"```kamailio\n" + g.name + " = <" + coreValueName(p->type) + ">\n```\n" +
                               defaultLine(coreDefault(*p)) + std::string(p->doc),
                           d.nameLocation(g.loc, g.name.size()).range};
  }
  if (np.item && np.item->kind == ast::TopKind::Route && np.word) {
    auto& r = static_cast<const ast::RouteItem&>(*np.item);
    size_t uses = d.routes->usesOf(sema::keyOf(r)).size();
    return HoverResult{"`" + sema::routeLabel(r) + "`: referenced " + std::to_string(uses) +
                           (uses == 1 ? " time" : " times"),
                       d.nodeLocation(*np.word).range};
  }
  return std::nullopt;
}

namespace {

// What a position names, for navigation.
struct Target {
  enum Kind { None, Route, Define, Variable } kind = None;
  sema::RouteKey route;
  std::string define;
  std::optional<ast::PseudoVariable> pv;
};

}  // namespace

static Target targetAt(const AnalysisData& d, const AnalysisData::Spot& spot, const std::string& path, Position pos) {
  Target t;
  if (const DefineExpansion* use = d.defines->useAt(spot.loc)) {
    t.kind = Target::Define;
    t.define = use->name;
    return t;
  }
  if (const DefineInfo* def = d.defines->definitionAt(spot.loc)) {
    t.kind = Target::Define;
    t.define = def->name;
    return t;
  }
  if (auto tested = d.directiveNameAt(spot.loc)) {
    t.kind = Target::Define;
    t.define = tested->first;
    return t;
  }
  if (!d.unit.config) return t;
  const sema::NodePath& np = spot.path;
  if (const ast::Expr* e = np.innermostExpr(); e && e->kind == ast::ExprKind::String)
    if (std::optional<AnalysisData::FormatPv> f = d.formatPvAt(path, pos)) {
      t.kind = Target::Variable;
      t.pv = f->pv;
      return t;
    }
  if (const ast::Expr* e = np.innermostExpr(); e && e->kind == ast::ExprKind::PseudoVar) {
    t.kind = Target::Variable;
    t.pv = static_cast<const ast::PseudoVarExpr&>(*e).pv;
    return t;
  }
  // route(R): the bare word R is itself a call node, inside the reference.
  for (auto it = np.exprs.rbegin(); it != np.exprs.rend(); ++it) {
    if ((*it)->kind != ast::ExprKind::Call) continue;
    std::optional<sema::RouteReference> ref = sema::referenceOf(static_cast<const ast::CallExpr&>(**it));
    if (!ref) continue;
    if (ref->dynamic) return t;
    t.kind = Target::Route;
    t.route = ref->target;
    return t;
  }
  if (np.item && np.item->kind == ast::TopKind::Route && np.word) {
    t.kind = Target::Route;
    t.route = sema::keyOf(static_cast<const ast::RouteItem&>(*np.item));
  }
  return t;
}

namespace {

// Every pseudo-variable node of the config, in text order.
std::vector<const ast::PseudoVarExpr*> allPseudoVars(const ast::Config& config) {
  std::vector<const ast::PseudoVarExpr*> out;
  ast::AstVisitor v;
  v.onExpr = [&](const ast::Expr& e) {
    if (e.kind == ast::ExprKind::PseudoVar) out.push_back(static_cast<const ast::PseudoVarExpr*>(&e));
  };
  for (const ast::TopItemPtr& item : config.items)
    if (item->kind == ast::TopKind::Route) ast::walk(static_cast<const ast::RouteItem&>(*item).body.get(), v);
  return out;
}

// The first assignment to a variable: its "definition".
const ast::Expr* firstAssignment(const ast::Config& config, const ast::PseudoVariable& pv) {
  const ast::Expr* found = nullptr;
  ast::AstVisitor v;
  auto target = [&](const ast::Expr* t) {
    if (!found && t && t->kind == ast::ExprKind::PseudoVar && samePv(static_cast<const ast::PseudoVarExpr&>(*t).pv, pv))
      found = t;
  };
  v.onStatement = [&](const ast::Statement& s) {
    if (s.kind == ast::StmtKind::Assign) target(static_cast<const ast::AssignStmt&>(s).target.get());
  };
  v.onExpr = [&](const ast::Expr& e) {
    if (e.kind == ast::ExprKind::Assign) target(static_cast<const ast::AssignExpr&>(e).target.get());
  };
  for (const ast::TopItemPtr& item : config.items)
    if (item->kind == ast::TopKind::Route) ast::walk(static_cast<const ast::RouteItem&>(*item).body.get(), v);
  return found;
}

}  // namespace

// The location of a route reference's name: inside the argument (quotes excluded).
static Location referenceLocation(const AnalysisData& d, const sema::RouteReference& ref) {
  const ast::Expr& arg = *ref.call->args[0];
  if (arg.kind == ast::ExprKind::String) {
    SourceLocation start{arg.loc.file, arg.loc.line, arg.loc.column + 1};
    return d.nameLocation(start, static_cast<const ast::StringExpr&>(arg).value.size());
  }
  return d.nodeLocation(arg);
}

std::vector<Location> Analysis::definition(const std::string& path, Position pos) const {
  const AnalysisData& d = *d_;
  std::optional<AnalysisData::Spot> spot = d.spotAt(path, pos);
  if (!spot) return {};
  // On the file name of an include_file line: the file it read.
  for (const DocumentLink& link : documentLinks(path))
    if (link.range.start.line == pos.line && pos.character >= link.range.start.character &&
        pos.character <= link.range.end.character)
      return {{link.target, {}}};
  Target t = targetAt(d, *spot, path, pos);
  switch (t.kind) {
    case Target::Define: {
      std::vector<Location> out;
      if (const DefineInfo* def = d.defines->find(t.define); def && def->definedAt.valid())
        out.push_back(d.nameLocation(def->definedAt, t.define.size()));
      return out;
    }
    case Target::Route: {
      std::vector<Location> out;
      auto it = d.routes->definitions.find(t.route);
      if (it != d.routes->definitions.end())
        for (const ast::RouteItem* r : it->second) out.push_back(r->name ? d.nodeLocation(*r->name) : d.nodeLocation(*r));
      return out;
    }
    case Target::Variable: {
      if (const ast::Expr* first = firstAssignment(*d.unit.config, *t.pv)) return {d.nodeLocation(*first)};
      return {};
    }
    case Target::None: return {};
  }
  return {};
}

std::vector<Location> Analysis::references(const std::string& path, Position pos, bool includeDeclaration) const {
  const AnalysisData& d = *d_;
  std::optional<AnalysisData::Spot> spot = d.spotAt(path, pos);
  if (!spot) return {};
  Target t = targetAt(d, *spot, path, pos);
  std::vector<Location> out;
  switch (t.kind) {
    case Target::Define: {
      const DefineInfo* def = d.defines->find(t.define);
      if (includeDeclaration && def && def->definedAt.valid()) out.push_back(d.nameLocation(def->definedAt, t.define.size()));
      // Uses in the text and inside other defines' bodies (each body once),
      // and the directives that test or undefine the name.
      for (const DefineExpansion* x : d.defines->usesOf(t.define)) {
        Location l = d.nameLocation(x->useSite, t.define.size());
        if (std::find(out.begin(), out.end(), l) == out.end()) out.push_back(l);
      }
      for (const std::string& file : d.files)
        for (Location l : d.directiveUses(file, t.define))
          if (std::find(out.begin(), out.end(), l) == out.end()) out.push_back(l);
      break;
    }
    case Target::Route: {
      if (includeDeclaration)
        if (const ast::RouteItem* r = d.routes->definition(t.route))
          out.push_back(r->name ? d.nodeLocation(*r->name) : d.nodeLocation(*r));
      for (const sema::RouteIndex::Use* u : d.routes->usesOf(t.route)) out.push_back(referenceLocation(d, u->ref));
      break;
    }
    case Target::Variable: {
      for (const ast::PseudoVarExpr* e : allPseudoVars(*d.unit.config))
        if (samePv(e->pv, *t.pv)) out.push_back(d.nodeLocation(*e));
      for (const AnalysisData::FormatPv& f : d.formatPvs())
        if (samePv(f.pv, *t.pv)) out.push_back(f.at);
      std::stable_sort(out.begin(), out.end(), [](const Location& a, const Location& b) {
        if (a.path != b.path) return a.path < b.path;
        return a.range.start.line != b.range.start.line ? a.range.start.line < b.range.start.line
                                                        : a.range.start.character < b.range.start.character;
      });
      break;
    }
    case Target::None: break;
  }
  return out;
}

std::vector<Symbol> Analysis::documentSymbols(const std::string& path) const {
  const AnalysisData& d = *d_;
  std::vector<Symbol> out;
  for (const DefineInfo& def : d.defines->definitions()) {
    if (!def.definedAt.valid() || d.pathOf[def.definedAt.file] != path) continue;
    Location at = d.nameLocation(def.definedAt, def.name.size());
    out.push_back({def.name, def.hasValue ? def.value : "", SymbolKind::Define, at.range, at.range, {}});
  }
  if (!d.unit.config) return out;
  std::map<std::string, size_t> moduleSymbol;  // module name -> index in out
  for (const ast::TopItemPtr& item : d.unit.config->items) {
    if (!item->loc.valid() || d.pathOf[item->loc.file] != path) continue;
    Location whole = d.nodeLocation(*item);
    switch (item->kind) {
      case ast::TopKind::Route: {
        auto& r = static_cast<const ast::RouteItem&>(*item);
        Range sel = r.name ? d.nodeLocation(*r.name).range : d.nameLocation(r.loc, r.keyword.size()).range;
        out.push_back({sema::routeLabel(r), r.keyword, SymbolKind::Route, whole.range, sel, {}});
        break;
      }
      case ast::TopKind::LoadModule: {
        auto& lm = static_cast<const ast::LoadModuleItem&>(*item);
        moduleSymbol[lm.moduleName()] = out.size();
        out.push_back({lm.moduleName(), lm.path.value, SymbolKind::Module, whole.range, d.nodeLocation(lm.path).range, {}});
        break;
      }
      case ast::TopKind::Modparam: {
        auto& m = static_cast<const ast::ModparamItem&>(*item);
        Symbol s{m.param.value, m.value ? m.value->text : "", SymbolKind::Modparam, whole.range,
                 d.nodeLocation(m.param).range, {}};
        auto it = moduleSymbol.find(m.modules.value);
        if (it != moduleSymbol.end()) {
          out[it->second].children.push_back(std::move(s));
        } else {  // a modparam above its loadmodule, or of several modules: its own group
          moduleSymbol[m.modules.value] = out.size();
          out.push_back({m.modules.value, "modparams", SymbolKind::Module, whole.range, d.nodeLocation(m.modules).range, {}});
          out.back().children.push_back(std::move(s));
        }
        break;
      }
      case ast::TopKind::GlobalParam: {
        auto& g = static_cast<const ast::GlobalParamItem&>(*item);
        out.push_back({g.name, g.valueText, SymbolKind::CoreParam, whole.range,
                       d.nameLocation(g.loc, g.name.size()).range, {}});
        break;
      }
      default: break;
    }
  }
  return out;
}

std::vector<DocumentLink> Analysis::documentLinks(const std::string& path) const {
  const AnalysisData& d = *d_;
  std::vector<DocumentLink> out;
  std::vector<FileId> ids = d.idsOf(path);
  for (FileId id = 1; id < d.pathOf.size(); ++id) {
    const SourceFile& f = d.unit.sm.file(id);
    if (!f.includedAt.valid() || std::find(ids.begin(), ids.end(), f.includedAt.file) == ids.end()) continue;
    if (f.includedAt.file != ids.front()) continue;  // the same lines, read again
    // The directive's line: the file name is the quoted text after the keyword.
    std::string_view line = d.unit.sm.lineText(f.includedAt.file, f.includedAt.line);
    size_t q1 = line.find_first_of("\"'", f.includedAt.column - 1);
    size_t q2 = q1 == std::string_view::npos ? q1 : line.find(line[q1], q1 + 1);
    if (q2 == std::string_view::npos) continue;
    SourceLocation b{f.includedAt.file, f.includedAt.line, uint32_t(q1 + 2)};
    SourceLocation e{f.includedAt.file, f.includedAt.line, uint32_t(q2 + 1)};
    out.push_back({d.rangeOf(b, e), d.pathOf[id]});
  }
  return out;
}

static RouteCallItem callItemOf(const AnalysisData& d, const ast::RouteItem& r) {
  Location whole = d.nodeLocation(r);
  Range sel = r.name ? d.nodeLocation(*r.name).range : d.nameLocation(r.loc, r.keyword.size()).range;
  sema::RouteKey key = sema::keyOf(r);
  return {sema::routeLabel(r), r.keyword, whole, sel, static_cast<int>(key.first), key.second};
}

std::vector<RouteCallItem> Analysis::prepareCallHierarchy(const std::string& path, Position pos) const {
  const AnalysisData& d = *d_;
  std::optional<AnalysisData::Spot> spot = d.spotAt(path, pos);
  if (!spot || !d.unit.config) return {};
  Target t = targetAt(d, *spot, path, pos);
  if (t.kind != Target::Route) {
    // Anywhere else inside a block: that block.
    if (spot->path.item && spot->path.item->kind == ast::TopKind::Route)
      return {callItemOf(d, static_cast<const ast::RouteItem&>(*spot->path.item))};
    return {};
  }
  const ast::RouteItem* r = d.routes->definition(t.route);
  if (!r) return {};
  return {callItemOf(d, *r)};
}

std::vector<RouteCall> Analysis::incomingCalls(const RouteCallItem& item) const {
  const AnalysisData& d = *d_;
  std::vector<RouteCall> out;
  if (!d.routes) return out;
  for (const sema::RouteIndex::Use* u : d.routes->usesOf({static_cast<ast::RouteKind>(item.kind), item.key})) {
    Range at = referenceLocation(d, u->ref).range;
    RouteCallItem caller = callItemOf(d, *u->in);
    auto it = std::find_if(out.begin(), out.end(), [&](const RouteCall& c) { return c.item == caller; });
    if (it == out.end()) out.push_back({caller, {at}});
    else it->fromRanges.push_back(at);
  }
  return out;
}

std::vector<RouteCall> Analysis::outgoingCalls(const RouteCallItem& item) const {
  const AnalysisData& d = *d_;
  std::vector<RouteCall> out;
  if (!d.routes) return out;
  const ast::RouteItem* from = d.routes->definition({static_cast<ast::RouteKind>(item.kind), item.key});
  if (!from) return out;
  for (const sema::RouteIndex::Use& u : d.routes->uses) {
    if (u.in != from || u.ref.dynamic) continue;
    const ast::RouteItem* to = d.routes->definition(u.ref.target);
    if (!to) continue;
    Range at = referenceLocation(d, u.ref).range;
    RouteCallItem callee = callItemOf(d, *to);
    auto it = std::find_if(out.begin(), out.end(), [&](const RouteCall& c) { return c.item == callee; });
    if (it == out.end()) out.push_back({callee, {at}});
    else it->fromRanges.push_back(at);
  }
  return out;
}

std::vector<std::pair<Symbol, std::string>> Analysis::workspaceSymbols(const std::string& query) const {
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  std::string q = lower(query);
  std::vector<std::pair<Symbol, std::string>> out;
  for (const std::string& file : d_->files)
    for (Symbol& s : documentSymbols(file))
      if ((s.kind == SymbolKind::Route || s.kind == SymbolKind::Define) && lower(s.name).find(q) != std::string::npos)
        out.emplace_back(std::move(s), file);
  return out;
}

std::optional<Location> Analysis::renameTarget(const std::string& path, Position pos) const {
  const AnalysisData& d = *d_;
  std::optional<AnalysisData::Spot> spot = d.spotAt(path, pos);
  if (!spot) return std::nullopt;
  Target t = targetAt(d, *spot, path, pos);
  if (t.kind != Target::Route && t.kind != Target::Define) return std::nullopt;
  if (t.kind == Target::Route && (t.route.second.empty() || t.route.first == ast::RouteKind::Event)) return std::nullopt;
  // The name under the cursor among the references.
  for (const Location& l : references(path, pos, true))
    if (l.path == path && !(pos.line < l.range.start.line || pos.line > l.range.end.line) &&
        pos.character >= l.range.start.character && pos.character <= l.range.end.character)
      return l;
  return std::nullopt;
}

std::vector<FileEdit> Analysis::rename(const std::string& path, Position pos, const std::string& newName,
                                       std::string* error) const {
  if (!renameTarget(path, pos)) {
    *error = "nothing to rename here: put the cursor on a route name or a #!define name";
    return {};
  }
  bool valid = !newName.empty() && !std::isdigit(static_cast<unsigned char>(newName[0]));
  for (char c : newName) valid &= isNameChar(c);
  if (!valid) {
    *error = "'" + newName + "' is not a name: use letters, digits and '_', not starting with a digit";
    return {};
  }
  std::vector<FileEdit> out;
  for (const Location& l : references(path, pos, true)) out.push_back({l, newName});
  return out;
}

}  // namespace kamc::lsp
