// The feature layer: every answer comes from the front end's Compilation, the
// sema indexes over its tree and the module catalog.
#include "Features.h"

#include <algorithm>
#include <filesystem>

#include "kamc/ast/AstWalk.h"
#include "kamc/catalog/Catalog.h"
#include "kamc/driver/DiagnosticOutput.h"
#include "kamc/frontend/Pipeline.h"
#include "kamc/sema/Defines.h"
#include "kamc/sema/Modules.h"
#include "kamc/sema/NodeAt.h"
#include "kamc/sema/Routes.h"
#include "kamc/sema/Words.h"

namespace kamc::lsp {

namespace fs = std::filesystem;

std::string normalizePath(const std::string& path) { return FileOverlay::normalize(path); }

class AnalysisData {
 public:
  std::string root;
  AnalysisOptions options;
  frontend::Compilation unit;
  std::vector<Diagnostic> diagnostics;  // after suppression comments
  std::set<std::string> files;
  std::vector<std::string> pathOf;  // FileId -> normalized path
  std::unique_ptr<sema::ModuleSet> modules;
  std::unique_ptr<sema::RouteIndex> routes;
  std::unique_ptr<sema::DefineTable> defines;

  // ------------------------------------------------------------ positions
  std::vector<FileId> idsOf(const std::string& path) const {
    std::vector<FileId> ids;
    for (FileId id = 1; id < pathOf.size(); ++id)
      if (pathOf[id] == path) ids.push_back(id);
    return ids;
  }
  Position toPosition(SourceLocation loc) const {
    if (!loc.valid()) return {};
    std::string_view line = unit.sm.lineText(loc.file, loc.line);
    return {loc.line - 1, codeUnitsBefore(line, loc.column - 1, options.encoding)};
  }
  // A location in the file, or nullopt for a position outside it.
  std::optional<SourceLocation> toLocation(FileId id, Position pos) const {
    const SourceFile& f = unit.sm.file(id);
    if (pos.line >= f.lineStarts.size()) return std::nullopt;
    std::string_view line = unit.sm.lineText(id, pos.line + 1);
    return SourceLocation{id, pos.line + 1, byteColumnOf(line, pos.character, options.encoding) + 1};
  }
  static bool isWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }
  // The word (name characters) around a location: what a point diagnostic underlines.
  std::pair<SourceLocation, SourceLocation> wordAround(SourceLocation loc) const {
    std::string_view line = unit.sm.lineText(loc.file, loc.line);
    uint32_t b = std::min<uint32_t>(loc.column - 1, line.size()), e = b;
    if (b < line.size() && (line[b] == '$' || line[b] == '#')) ++e;
    while (e < line.size() && isWordChar(line[e])) ++e;
    if (e == b && e < line.size()) ++e;
    return {loc, {loc.file, loc.line, e + 1}};
  }
  Range rangeOf(SourceLocation start, SourceLocation end) const {
    if (!end.valid()) end = wordAround(start).second;
    return {toPosition(start), toPosition(end)};
  }
  Location locationOf(SourceLocation start, SourceLocation end) const {
    return {pathOf[start.file], rangeOf(start, end)};
  }
  // The range of a node written on one line, from its preprocessed extent.
  Location nodeLocation(const ast::Node& n) const {
    SourceLocation end;
    if (n.expansion < 0 && n.range.end > n.range.begin) {
      MappedLocation last = unit.pp.map.lookup(n.range.end - 1, unit.sm);
      if (last.loc.file == n.loc.file && last.expansion < 0 &&
          (last.loc.line > n.loc.line || last.loc.column >= n.loc.column))
        end = {last.loc.file, last.loc.line, last.loc.column + 1};
    }
    return locationOf(n.loc, end);
  }
  // A name that starts at a node (a callee, a route name inside quotes...).
  Location nameLocation(SourceLocation start, size_t length) const {
    return locationOf(start, {start.file, start.line, start.column + uint32_t(length)});
  }

  // The tree under a position, trying each inclusion of the file.
  struct Spot {
    SourceLocation loc;
    sema::NodePath path;
    uint32_t offset = 0;  // in the preprocessed text
  };
  std::optional<Spot> spotAt(const std::string& path, Position pos) const {
    std::optional<Spot> first;
    for (FileId id : idsOf(path)) {
      std::optional<SourceLocation> loc = toLocation(id, pos);
      if (!loc) return std::nullopt;
      if (!first) first = Spot{*loc, {}, 0};
      if (!unit.config) continue;
      std::optional<uint32_t> off = sema::preprocessedOffset(unit.pp.map, id, unit.sm.offsetOf(*loc));
      if (!off) continue;
      return Spot{*loc, sema::nodeAt(*unit.config, *off), *off};
    }
    return first;
  }
  // #!ifdef NAME, #!ifndef NAME, #!undef NAME lines of a file.
  std::vector<Location> directiveUses(const std::string& path, const std::string& name) const {
    std::vector<Location> out;
    std::vector<FileId> ids = idsOf(path);
    if (ids.empty()) return out;
    const SourceFile& f = unit.sm.file(ids.front());
    for (uint32_t line = 1; line <= f.lineStarts.size(); ++line) {
      std::string_view text = unit.sm.lineText(ids.front(), line);
      size_t p = text.find_first_not_of(" \t");
      if (p == std::string_view::npos || text.compare(p, 2, "#!") != 0) continue;
      size_t word = p + 2, wordEnd = text.find_first_of(" \t", word);
      std::string_view directive = text.substr(word, wordEnd == std::string_view::npos ? std::string_view::npos : wordEnd - word);
      if (directive != "ifdef" && directive != "ifndef" && directive != "undef") continue;
      size_t n = wordEnd == std::string_view::npos ? wordEnd : text.find_first_not_of(" \t", wordEnd);
      if (n == std::string_view::npos || text.compare(n, name.size(), name) != 0) continue;
      if (n + name.size() < text.size() && isWordChar(text[n + name.size()])) continue;
      out.push_back(nameLocation({ids.front(), line, uint32_t(n + 1)}, name.size()));
    }
    return out;
  }
  // The pseudo-variables inside format-string arguments (kind spv: xlog's
  // message, sl_send_reply's reason...), where the literal is written as
  // decoded up to the variable, so that its column is known.
  struct FormatPv {
    ast::PseudoVariable pv;
    Location at;
  };
  std::vector<FormatPv> formatPvs() const {
    std::vector<FormatPv> out;
    if (!unit.config) return out;
    for (size_t i = 0; i < unit.config->items.size(); ++i) {
      if (unit.config->items[i]->kind != ast::TopKind::Route) continue;
      ast::forEachCall(static_cast<const ast::RouteItem&>(*unit.config->items[i]).body.get(), [&](const ast::CallExpr& call) {
        sema::CallResolution r = sema::resolveCall(call, *modules, i);
        if (r.status != sema::CallResolution::Status::Found) return;
        std::span<const catalog::ArgKind> kinds = r.rows.front()->kinds();
        for (size_t a = 0; a < call.args.size() && a < kinds.size(); ++a) {
          if (kinds[a] != catalog::ArgKind::Spv || call.args[a]->kind != ast::ExprKind::String) continue;
          auto& s = static_cast<const ast::StringExpr&>(*call.args[a]);
          if (s.expansion >= 0 || !s.loc.valid() || pathOf[s.loc.file].empty()) continue;
          for (const ast::FormatPart& part : ast::parseFormat(s.value).parts) {
            if (!part.isVariable) continue;
            size_t upTo = part.offset + part.pv->text.size();
            if (s.text.size() <= upTo + 1 || s.value.size() < upTo || s.text.compare(1, upTo, s.value, 0, upTo) != 0 ||
                s.value.find('\n') < upTo)
              continue;
            out.push_back({*part.pv, nameLocation({s.loc.file, s.loc.line, s.loc.column + 1 + uint32_t(part.offset)},
                                                  part.pv->text.size())});
          }
        }
      });
    }
    return out;
  }
  // The format variable under a position, if any.
  std::optional<FormatPv> formatPvAt(const std::string& path, Position pos) const {
    for (FormatPv& f : formatPvs())
      if (f.at.path == path && f.at.range.start.line == pos.line && pos.character >= f.at.range.start.character &&
          pos.character <= f.at.range.end.character)
        return f;
    return std::nullopt;
  }
  // The name tested by an #!ifdef/#!ifndef/#!undef line under a location.
  std::optional<std::pair<std::string, Location>> directiveNameAt(SourceLocation at) const {
    std::string_view text = unit.sm.lineText(at.file, at.line);
    size_t p = text.find_first_not_of(" \t");
    if (p == std::string_view::npos || text.compare(p, 2, "#!") != 0) return std::nullopt;
    size_t wordEnd = text.find_first_of(" \t", p + 2);
    if (wordEnd == std::string_view::npos) return std::nullopt;
    std::string_view directive = text.substr(p + 2, wordEnd - p - 2);
    if (directive != "ifdef" && directive != "ifndef" && directive != "undef") return std::nullopt;
    size_t n = text.find_first_not_of(" \t", wordEnd);
    if (n == std::string_view::npos) return std::nullopt;
    size_t e = n;
    while (e < text.size() && (std::isalnum(static_cast<unsigned char>(text[e])) || text[e] == '_')) ++e;
    if (e == n || at.column - 1 < n || at.column - 1 > e) return std::nullopt;
    return std::make_pair(std::string(text.substr(n, e - n)), nameLocation({at.file, at.line, uint32_t(n + 1)}, e - n));
  }
  size_t orderOfItem(const ast::TopItem* item) const {
    return item ? sema::orderOf(*unit.config, *item) : unit.config->items.size();
  }
};

namespace {

// The byte column of a location within its callee name, or npos.
bool onName(SourceLocation at, SourceLocation start, size_t length) {
  return at.file == start.file && at.line == start.line && at.column >= start.column &&
         at.column <= start.column + length;
}

std::string kindsText(const catalog::FunctionInfo& f) {
  std::string s = std::string(f.name) + "(";
  for (size_t i = 0; i < f.maxArgs; ++i) {
    if (i) s += ", ";
    if (i == f.minArgs && f.minArgs != f.maxArgs) s += "[";
    s += catalog::argKindName(f.argKinds[i]);
  }
  if (f.minArgs != f.maxArgs) s += "]";
  return s + ")";
}

std::string functionHover(const std::vector<const catalog::FunctionInfo*>& rows) {
  std::string md = "```kamailio\n";
  for (const catalog::FunctionInfo* f : rows) md += kindsText(*f) + "\n";
  md += "```\n";
  const catalog::FunctionInfo& f = *rows.front();
  if (!f.doc.empty()) md += std::string(f.doc) + "\n\n";
  md += "Module: `" + std::string(f.module) + "`";
  if (const catalog::ModuleInfo* m = catalog::findModule(f.module); m && !m->doc.empty())
    md += " — " + std::string(m->doc);
  md += "\n\nAllowed in: " + sema::allowedBlocks(f.routeMask);
  return md;
}

std::string paramTypeName(catalog::ParamType t) {
  switch (t) {
    case catalog::ParamType::Int: return "int";
    case catalog::ParamType::Str: return "str";
    case catalog::ParamType::IntOrStr: return "int or str";
  }
  return "";
}

std::string coreValueName(catalog::CoreValueType t) {
  using T = catalog::CoreValueType;
  switch (t) {
    case T::Int: return "int";
    case T::SignedInt: return "signed int";
    case T::Bool: return "bool";
    case T::String: return "string";
    case T::StringOrName: return "string or name";
    case T::Listen: return "listen address list";
    case T::HostList: return "host list";
    case T::Ip: return "ip or host";
    case T::Special: return "special syntax";
  }
  return "";
}

std::string pvHover(const ast::PseudoVariable& pv) {
  std::string md = "```kamailio\n" + pv.text + "\n```\n";
  const catalog::PseudoVariableInfo* info = catalog::findPseudoVariable(pv.className);
  if (!info) return md + "Unknown pseudo-variable `$" + pv.className + "`";
  if (!info->doc.empty()) md += std::string(info->doc) + "\n\n";
  md += "Module: `" + std::string(info->module) + "`; " + (info->writable() ? "writable" : "read-only");
  for (const ast::Transformation& t : pv.transformations) {
    const catalog::TransformationInfo* tr = catalog::findTransformation(t.className, t.name);
    md += "\n\n`{" + t.className + "." + t.name + "}`";
    if (tr && !tr->doc.empty()) md += ": " + std::string(tr->doc);
  }
  return md;
}

// The pseudo-variable names a navigation on $var(x) / $avp(x) matches.
bool samePv(const ast::PseudoVariable& a, const ast::PseudoVariable& b) {
  return a.className == b.className && a.inner == b.inner;
}

}  // namespace

Analysis::Analysis(std::unique_ptr<AnalysisData> data) : d_(std::move(data)) {}
Analysis::~Analysis() = default;

std::shared_ptr<const Analysis> Analysis::run(const std::string& rootPath, const FileOverlay& overlay,
                                              const AnalysisOptions& options) {
  auto d = std::make_unique<AnalysisData>();
  d->root = normalizePath(rootPath);
  d->options = options;
  frontend::PipelineOptions pipeline;
  pipeline.preprocess.mode = PreprocessMode::Expand;
  pipeline.preprocess.commandLineDefines = options.defines;
  pipeline.keepGoing = true;
  frontend::ConfigInput input = frontend::ConfigInput::file(d->root);
  input.overlay = &overlay;
  d->unit = frontend::check(input, pipeline);
  d->diagnostics = applyFilter(d->unit.diags.diagnostics(), d->unit.sm, {});
  d->pathOf.resize(d->unit.sm.fileCount() + 1);
  for (FileId id = 1; id <= d->unit.sm.fileCount(); ++id) {
    const SourceFile& f = d->unit.sm.file(id);
    if (f.path.empty() || f.path[0] == '<') continue;  // <command line> and other virtual buffers
    d->pathOf[id] = normalizePath(f.path);
    d->files.insert(d->pathOf[id]);
  }
  if (d->unit.config) {
    d->modules = std::make_unique<sema::ModuleSet>(*d->unit.config);
    d->routes = std::make_unique<sema::RouteIndex>(*d->unit.config);
  }
  d->defines = std::make_unique<sema::DefineTable>(d->unit.pp);
  return std::shared_ptr<const Analysis>(new Analysis(std::move(d)));
}

const std::string& Analysis::root() const { return d_->root; }
const std::set<std::string>& Analysis::files() const { return d_->files; }
bool Analysis::reads(const std::string& path) const { return d_->files.count(path) > 0; }
bool Analysis::hasTree() const { return d_->unit.config != nullptr; }
bool Analysis::parsedCleanly() const { return d_->unit.config && d_->unit.syntaxErrors == 0 && !d_->unit.pp.stoppedEarly; }
const std::vector<Diagnostic>& Analysis::rawDiagnostics() const { return d_->diagnostics; }
const SourceManager& Analysis::sourceManager() const { return d_->unit.sm; }

std::vector<FileDiagnostic> Analysis::diagnostics(const std::string& path) const {
  const AnalysisData& d = *d_;
  std::vector<FileDiagnostic> out;
  for (const Diagnostic& diag : d.diagnostics) {
    bool here = diag.loc.valid() ? d.pathOf[diag.loc.file] == path : path == d.root;
    if (!here) continue;
    FileDiagnostic fd;
    fd.range = diag.loc.valid() ? d.rangeOf(diag.loc, diag.end) : Range{};
    fd.severity = diag.severity;
    fd.rule = diag.rule;
    fd.message = diag.message;
    for (const DiagnosticNote& n : diag.notes)
      if (n.loc.valid() && !d.pathOf[n.loc.file].empty()) fd.related.push_back({d.locationOf(n.loc, {}), n.message});
    for (const FixIt& f : diag.fixes)
      if (f.begin.valid() && !d.pathOf[f.begin.file].empty())
        fd.fixes.push_back({f.title, {{d.pathOf[f.begin.file], {d.toPosition(f.begin), d.toPosition(f.end.valid() ? f.end : f.begin)}},
                                      f.replacement}});
    // The include chain: where each enclosing file was included.
    for (SourceLocation at = diag.loc.valid() ? d.unit.sm.file(diag.loc.file).includedAt : SourceLocation{};
         at.valid(); at = d.unit.sm.file(at.file).includedAt)
      fd.related.push_back({d.locationOf(at, {}), "included from here"});
    out.push_back(std::move(fd));
  }
  return out;
}

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
                       paramTypeName(p->type) + ")\n```\n" + std::string(p->doc);
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
        return HoverResult{"```kamailio\n" + g.name + " = <" + coreValueName(p->type) + ">\n```\n" + std::string(p->doc),
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

// ------------------------------------------------------------------ completion

namespace {

bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string snippetFor(const catalog::FunctionInfo& f) {
  std::string s = std::string(f.name) + "(";
  for (size_t i = 0; i < f.minArgs; ++i) {
    if (i) s += ", ";
    bool quoted = f.argKinds[i] != catalog::ArgKind::Int && f.argKinds[i] != catalog::ArgKind::Pvar;
    std::string ph = "${" + std::to_string(i + 1) + ":" + std::string(catalog::argKindName(f.argKinds[i])) + "}";
    s += quoted ? "\"" + ph + "\"" : ph;
  }
  return s + ")";
}

// The identifier-ish text just before the cursor.
std::string_view wordBefore(std::string_view line, size_t col) {
  size_t b = col;
  while (b > 0 && (std::isalnum(static_cast<unsigned char>(line[b - 1])) || line[b - 1] == '_' || line[b - 1] == '.'))
    --b;
  return line.substr(b, col - b);
}

}  // namespace

std::vector<Completion> Analysis::completion(const std::string& path, const std::string& text, Position pos) const {
  const AnalysisData& d = *d_;
  // The line as the editor has it now: the tree may lag behind the typing.
  size_t lineStart = 0;
  for (uint32_t l = 0; l < pos.line; ++l) {
    lineStart = text.find('\n', lineStart);
    if (lineStart == std::string::npos) return {};
    ++lineStart;
  }
  size_t lineEnd = text.find('\n', lineStart);
  std::string_view line = std::string_view(text).substr(lineStart, lineEnd == std::string::npos ? std::string::npos
                                                                                                 : lineEnd - lineStart);
  size_t col = byteColumnOf(line, pos.character, d.options.encoding);
  std::string_view before = line.substr(0, col);
  std::string_view word = wordBefore(line, col);
  std::string_view head = before.substr(0, before.size() - word.size());
  std::string_view trimmed = head;
  while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t')) trimmed.remove_suffix(1);
  std::vector<Completion> out;
  auto add = [&](Completion c) {
    if (startsWith(c.label, word)) out.push_back(std::move(c));
  };

  // #!ifdef NAME / #!ifndef NAME: define names.
  std::string_view lead = before.substr(std::min(before.find_first_not_of(" \t"), before.size()));
  if (startsWith(lead, "#!ifdef") || startsWith(lead, "#!ifndef") || startsWith(lead, "#!undef")) {
    std::set<std::string> seen;
    for (const DefineInfo& def : d.defines->definitions())
      if (seen.insert(def.name).second)
        add({def.name, CompletionKind::Define, def.hasValue ? def.value : "", "", def.name, false, {}});
    return out;
  }
  // $name: pseudo-variables (after '$' or '$(').
  if (!head.empty() && (head.back() == '$' || (head.size() >= 2 && head.substr(head.size() - 2) == "$("))) {
    std::set<std::string> seen;
    for (const catalog::PseudoVariableInfo& pv : catalog::allPseudoVariables()) {
      if (pv.module != "core" && (!d.modules || !d.modules->loadedAnywhere(pv.module))) continue;
      if (!seen.insert(std::string(pv.name)).second) continue;
      std::string label(pv.name);
      std::string insert = pv.takesName ? label + "(${1:name})" : label;
      add({label, CompletionKind::PseudoVariable, std::string(pv.module), std::string(pv.doc), insert, pv.takesName, {}});
    }
    return out;
  }
  // {s.len}: transformations after '{' inside $( ).
  if (!head.empty() && head.back() == '{' && head.find("$(") != std::string_view::npos) {
    for (const catalog::TransformationInfo& t : catalog::allTransformations()) {
      std::string label = std::string(t.className) + "." + std::string(t.name);
      add({label, CompletionKind::Transformation, std::string(t.module), std::string(t.doc), label, false, {}});
    }
    return out;
  }
  // route(NAME), t_on_failure("NAME")...: route names of the kind.
  struct Namer {
    std::string_view call;
    ast::RouteKind kind;
    std::string_view prefix;  // t_on_branch_failure("X") names event_route[tm:branch-failure:X]
  };
  static const Namer kNamers[] = {
      {"route(", ast::RouteKind::Named, ""},        {"t_on_failure(", ast::RouteKind::Failure, ""},
      {"t_on_branch(", ast::RouteKind::Branch, ""}, {"t_on_reply(", ast::RouteKind::OnReply, ""},
      {"t_on_branch_failure(", ast::RouteKind::Event, "tm:branch-failure:"},
  };
  std::string_view call = trimmed;
  if (!call.empty() && (call.back() == '"' || call.back() == '\'')) call.remove_suffix(1);
  for (const Namer& n : kNamers) {
    if (call.size() < n.call.size() || call.substr(call.size() - n.call.size()) != n.call) continue;
    // The whole name: "route(" is not the end of some "xroute(".
    char before = call.size() > n.call.size() ? call[call.size() - n.call.size() - 1] : ' ';
    if (std::isalnum(static_cast<unsigned char>(before)) || before == '_') continue;
    if (d.routes)
      for (const auto& [key, blocks] : d.routes->definitions)
        if (key.first == n.kind && key.second.size() > n.prefix.size() && startsWith(key.second, n.prefix)) {
          std::string name = key.second.substr(n.prefix.size());
          add({name, CompletionKind::Route, sema::routeLabel(*blocks.front()), "", name, false, {}});
        }
    return out;
  }
  // loadmodule "x: modules not loaded yet.
  if (startsWith(lead, "loadmodule")) {
    for (const catalog::ModuleInfo& m : catalog::allModules())
      if (!m.isCore() && (!d.modules || !d.modules->loadedAnywhere(m.name)))
        add({std::string(m.name), CompletionKind::Module, std::string(m.doc), "", std::string(m.name) + ".so", false, {}});
    return out;
  }
  // modparam("mod", "name": parameters of the module; modparam(" : loaded modules.
  if (startsWith(lead, "modparam")) {
    size_t q1 = lead.find('"');
    size_t q2 = q1 == std::string_view::npos ? q1 : lead.find('"', q1 + 1);
    if (q2 == std::string_view::npos) {
      if (d.modules)
        for (const sema::LoadedModule& m : d.modules->modules())
          if (m.info && !m.info->params.empty())
            add({m.name, CompletionKind::Module, std::string(m.info->doc), "", m.name, false, {}});
      return out;
    }
    std::string module(lead.substr(q1 + 1, q2 - q1 - 1));
    if (const catalog::ModuleInfo* m = catalog::findModule(module))
      for (const catalog::ParamInfo& p : m->params)
        add({std::string(p.name), CompletionKind::Modparam, paramTypeName(p.type), std::string(p.doc),
             std::string(p.name), false, {}});
    return out;
  }
  // Inside a route block: functions; elsewhere: core parameters and top-level keywords.
  bool inRoute = false;
  if (std::optional<AnalysisData::Spot> spot = d.spotAt(path, pos); spot && spot->path.item)
    inRoute = spot->path.item->kind == ast::TopKind::Route;
  else if (!lead.empty() && (line.front() == ' ' || line.front() == '\t'))
    inRoute = true;  // indented text the tree does not cover yet (being typed)
  if (!inRoute) {
    for (const catalog::CoreParamInfo& p : catalog::allCoreParams())
      add({std::string(p.name), CompletionKind::CoreParam, coreValueName(p.type), std::string(p.doc),
           std::string(p.name) + "=", false, {}});
    for (std::string_view kw : {"loadmodule", "modparam", "route", "request_route", "failure_route", "branch_route",
                                "onreply_route", "reply_route", "event_route", "onsend_route"})
      add({std::string(kw), CompletionKind::Keyword, "", "", std::string(kw), false, {}});
    return out;
  }
  // Where a new loadmodule line goes: after the last one of this file, or at the top.
  Range insertAt{};
  if (d.modules && d.modules->newLoadmoduleAt().valid() && d.pathOf[d.modules->newLoadmoduleAt().file] == path) {
    Position p{d.modules->newLoadmoduleAt().line - 1, 0};
    insertAt = {p, p};
  }
  std::set<std::string> seen;
  for (const catalog::FunctionInfo& f : catalog::allFunctions()) {
    if (f.routeMask == 0 || !startsWith(f.name, word)) continue;
    bool loaded = f.module == "core" || (d.modules && d.modules->loadedAnywhere(f.module));
    // Functions of modules not loaded yet only once a name is being typed.
    if (!loaded && word.size() < 2) continue;
    if (!seen.insert(std::string(f.module) + "." + std::string(f.name)).second) continue;
    Completion c{std::string(f.name), CompletionKind::Function, kindsText(f) + " — " + std::string(f.module),
                 std::string(f.doc), snippetFor(f), true, {}};
    if (!loaded) {
      c.detail += " (adds loadmodule \"" + std::string(f.module) + ".so\")";
      c.additionalEdits.push_back({insertAt, "loadmodule \"" + std::string(f.module) + ".so\"\n"});
    }
    out.push_back(std::move(c));
  }
  return out;
}

// ------------------------------------------------------------------ more features

namespace {

// The text of a line of a document, or "" past its end.
std::string_view lineOf(const std::string& text, uint32_t line) {
  size_t start = 0;
  for (uint32_t l = 0; l < line; ++l) {
    start = text.find('\n', start);
    if (start == std::string::npos) return {};
    ++start;
  }
  size_t end = text.find('\n', start);
  return std::string_view(text).substr(start, end == std::string::npos ? std::string::npos : end - start);
}

bool isNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

std::optional<SignatureHelpResult> Analysis::signatureHelp(const std::string& text, Position pos) const {
  const AnalysisData& d = *d_;
  std::string_view line = lineOf(text, pos.line);
  size_t col = byteColumnOf(line, pos.character, d.options.encoding);
  // Forward to the cursor, keeping the open parentheses and the commas at
  // each depth; quotes hide what they contain and '#' starts a comment.
  std::vector<std::pair<size_t, uint32_t>> open;  // '(' position, commas seen after it
  char quote = 0;
  for (size_t i = 0; i < col && i < line.size(); ++i) {
    char c = line[i];
    if (quote) {
      if (c == '\\') ++i;
      else if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') quote = c;
    else if (c == '#') break;
    else if (c == '(') open.emplace_back(i, 0);
    else if (c == ')' && !open.empty()) open.pop_back();
    else if (c == ',' && !open.empty()) ++open.back().second;
  }
  if (open.empty()) return std::nullopt;
  uint32_t commas = open.back().second;
  size_t nameEnd = open.back().first;
  while (nameEnd > 0 && line[nameEnd - 1] == ' ') --nameEnd;
  size_t nameStart = nameEnd;
  while (nameStart > 0 && isNameChar(line[nameStart - 1])) --nameStart;
  std::string name(line.substr(nameStart, nameEnd - nameStart));
  if (name.empty()) return std::nullopt;
  SignatureHelpResult out;
  for (const catalog::FunctionInfo& f : catalog::functionsNamed(name)) {
    if (f.routeMask == 0) continue;
    bool loaded = f.module == "core" || (d.modules && d.modules->loadedAnywhere(f.module));
    if (!loaded) continue;
    Signature s{kindsText(f), {}, std::string(f.doc)};
    for (size_t i = 0; i < f.maxArgs; ++i) s.params.push_back(std::string(catalog::argKindName(f.argKinds[i])));
    if (out.signatures.empty() || (f.maxArgs > commas && out.signatures[out.activeSignature].params.size() <= commas))
      out.activeSignature = static_cast<uint32_t>(out.signatures.size());
    out.signatures.push_back(std::move(s));
  }
  if (out.signatures.empty()) return std::nullopt;
  out.activeParameter = commas;
  return out;
}

std::vector<std::pair<FileDiagnostic, QuickFix>> Analysis::quickFixes(const std::string& path, Range range) const {
  auto before = [](Position a, Position b) { return a.line < b.line || (a.line == b.line && a.character < b.character); };
  std::vector<std::pair<FileDiagnostic, QuickFix>> out;
  for (const FileDiagnostic& diag : diagnostics(path)) {
    if (before(diag.range.end, range.start) || before(range.end, diag.range.start)) continue;
    for (const QuickFix& f : diag.fixes) out.emplace_back(diag, f);
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

std::vector<SemanticToken> Analysis::semanticTokens(const std::string& path) const {
  const AnalysisData& d = *d_;
  std::vector<SemanticToken> out;
  std::vector<FileId> ids = d.idsOf(path);
  if (ids.empty()) return out;
  FileId file = ids.front();  // one inclusion's view of the file
  // A token from start to end on one line (longer nodes are cut at the line end).
  auto add = [&](SourceLocation start, SourceLocation end, TokenKind kind) {
    if (!start.valid() || start.file != file || !end.valid() || end.line < start.line) return;
    if (end.line > start.line) end = {start.file, start.line, uint32_t(d.unit.sm.lineText(file, start.line).size() + 1)};
    Position a = d.toPosition(start), b = d.toPosition(end);
    if (b.character > a.character) out.push_back({a, b.character - a.character, kind});
  };
  auto nodeEnd = [&](const ast::Node& n) -> SourceLocation {
    if (n.expansion >= 0 || n.range.end <= n.range.begin) return {};
    MappedLocation last = d.unit.pp.map.lookup(n.range.end - 1, d.unit.sm);
    return last.expansion >= 0 ? SourceLocation{} : SourceLocation{last.loc.file, last.loc.line, last.loc.column + 1};
  };
  auto name = [&](SourceLocation at, size_t length, TokenKind kind) {
    add(at, {at.file, at.line, at.column + uint32_t(length)}, kind);
  };
  for (const InactiveRange& r : d.unit.pp.inactive) {
    if (r.file != file || r.end <= r.begin) continue;
    SourceLocation b = d.unit.sm.location(file, r.begin), e = d.unit.sm.location(file, r.end);
    for (uint32_t line = b.line; line <= e.line; ++line) {
      uint32_t from = line == b.line ? b.column : 1;
      uint32_t to = line == e.line ? e.column : uint32_t(d.unit.sm.lineText(file, line).size() + 1);
      add({file, line, from}, {file, line, to}, TokenKind::Inactive);
    }
  }
  for (const DefineExpansion& x : d.unit.pp.map.expansions())
    if (x.parent < 0) name(x.useSite, x.name.size(), TokenKind::Macro);
  if (d.unit.config) {
    ast::AstVisitor v;
    v.onExpr = [&](const ast::Expr& e) {
      if (e.expansion >= 0) return;
      switch (e.kind) {
        case ast::ExprKind::Call: {
          auto& call = static_cast<const ast::CallExpr&>(e);
          if (call.hasParens) name(call.loc, call.callee.size(), TokenKind::Function);
          else if (catalog::findCoreKeyword(call.callee)) name(call.loc, call.callee.size(), TokenKind::Keyword);
          break;
        }
        case ast::ExprKind::PseudoVar: add(e.loc, nodeEnd(e), TokenKind::Variable); break;
        case ast::ExprKind::String: add(e.loc, nodeEnd(e), TokenKind::String); break;
        case ast::ExprKind::Number: add(e.loc, nodeEnd(e), TokenKind::Number); break;
        default: break;
      }
    };
    for (const ast::TopItemPtr& item : d.unit.config->items) {
      if (item->loc.file != file || item->expansion >= 0) continue;
      if (item->kind == ast::TopKind::Route) {
        auto& r = static_cast<const ast::RouteItem&>(*item);
        name(r.loc, r.keyword.size(), TokenKind::Keyword);
        if (r.name) add(r.name->loc, nodeEnd(*r.name), TokenKind::Route);
        ast::walk(r.body.get(), v);
      } else if (item->kind == ast::TopKind::LoadModule || item->kind == ast::TopKind::Modparam) {
        bool extended = item->kind == ast::TopKind::LoadModule ? static_cast<const ast::LoadModuleItem&>(*item).extended
                                                               : static_cast<const ast::ModparamItem&>(*item).extended;
        name(item->loc, (item->kind == ast::TopKind::LoadModule ? 10 : 8) + (extended ? 1 : 0), TokenKind::Keyword);
        if (item->kind == ast::TopKind::Modparam) ast::walk(static_cast<const ast::ModparamItem&>(*item).value.get(), v);
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const SemanticToken& a, const SemanticToken& b) {
    return a.start.line != b.start.line ? a.start.line < b.start.line : a.start.character < b.start.character;
  });
  // Overlaps (a name inside a string argument's define...) keep the first token.
  std::vector<SemanticToken> kept;
  for (const SemanticToken& t : out)
    if (kept.empty() || kept.back().start.line != t.start.line ||
        kept.back().start.character + kept.back().length <= t.start.character)
      kept.push_back(t);
  return kept;
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

std::vector<InlayHint> Analysis::inlayHints(const std::string& path, uint32_t firstLine, uint32_t lastLine) const {
  const AnalysisData& d = *d_;
  std::vector<InlayHint> out;
  auto inRange = [&](SourceLocation l) {
    return l.valid() && d.pathOf[l.file] == path && l.line - 1 >= firstLine && l.line - 1 <= lastLine;
  };
  for (const DefineExpansion& x : d.unit.pp.map.expansions()) {
    if (x.parent >= 0 || !inRange(x.useSite)) continue;
    const DefineInfo* def = d.defines->find(x.name);
    if (!def || !def->hasValue || def->value.find('\n') != std::string::npos) continue;
    out.push_back({d.toPosition({x.useSite.file, x.useSite.line, x.useSite.column + uint32_t(x.name.size())}),
                   "= " + def->value, false});
  }
  if (d.unit.config)
    for (const ast::TopItemPtr& item : d.unit.config->items) {
      if (item->kind != ast::TopKind::Route) continue;
      size_t order = sema::orderOf(*d.unit.config, *item);
      ast::forEachCall(static_cast<const ast::RouteItem&>(*item).body.get(), [&](const ast::CallExpr& call) {
        if (!call.hasParens || call.args.empty() || !inRange(call.loc)) return;
        sema::CallResolution r = sema::resolveCall(call, *d.modules, order);
        if (r.status != sema::CallResolution::Status::Found || r.rows.front()->module == "core") return;
        std::span<const catalog::ArgKind> kinds = r.rows.front()->kinds();
        for (size_t i = 0; i < call.args.size() && i < kinds.size(); ++i) {
          // An argument written as a define starts where the define is used.
          SourceLocation at = call.args[i]->loc;
          const auto& expansions = d.unit.pp.map.expansions();
          for (int x = call.args[i]->expansion; x >= 0; x = expansions[x].parent) at = expansions[x].useSite;
          if (inRange(at)) out.push_back({d.toPosition(at), std::string(catalog::argKindName(kinds[i])) + ":", true});
        }
      });
    }
  std::sort(out.begin(), out.end(), [](const InlayHint& a, const InlayHint& b) {
    return a.position.line != b.position.line ? a.position.line < b.position.line : a.position.character < b.position.character;
  });
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

namespace {

// The indentation depth the tree gives each line that starts a statement, a
// case label, a top-level item or a closing brace (1-based line numbers).
class IndentPlan {
 public:
  IndentPlan(const AnalysisData& d, FileId file) : d_(d), file_(file) {}

  void item(const ast::TopItem& item) {
    at(item.loc, 0);
    if (item.kind != ast::TopKind::Route) return;
    const ast::Block& body = *static_cast<const ast::RouteItem&>(item).body;
    statements(body.body, 1);
    closing(body, 0);
  }
  const std::map<uint32_t, uint32_t>& depths() const { return depths_; }

 private:
  // Only the first thing on a line sets the line's depth.
  void at(SourceLocation loc, uint32_t depth) {
    if (!loc.valid() || loc.file != file_) return;
    std::string_view line = d_.unit.sm.lineText(file_, loc.line);
    size_t first = line.find_first_not_of(" \t");
    if (first == loc.column - 1 && !depths_.count(loc.line)) depths_[loc.line] = depth;
  }
  void closing(const ast::Node& block, uint32_t depth) {
    if (block.expansion >= 0 || block.range.end <= block.range.begin) return;
    MappedLocation last = d_.unit.pp.map.lookup(block.range.end - 1, d_.unit.sm);
    if (last.expansion < 0) at(last.loc, depth);
  }
  void statements(const std::vector<ast::StmtPtr>& list, uint32_t depth) {
    for (const ast::StmtPtr& s : list) statement(*s, depth);
  }
  // A branch: a block's statements one level in and its '}' at `depth`; a
  // single statement on its own line one level in.
  void branch(const ast::Statement* s, uint32_t depth) {
    if (!s) return;
    if (s->kind == ast::StmtKind::Block) {
      statements(static_cast<const ast::Block&>(*s).body, depth + 1);
      closing(*s, depth);
    } else if (s->kind == ast::StmtKind::If) {
      statement(*s, depth);  // else if: the same depth
    } else {
      statement(*s, depth + 1);
    }
  }
  void statement(const ast::Statement& s, uint32_t depth) {
    if (s.expansion >= 0) return;
    at(s.loc, depth);
    switch (s.kind) {
      case ast::StmtKind::Block:
        statements(static_cast<const ast::Block&>(s).body, depth + 1);
        closing(s, depth);
        break;
      case ast::StmtKind::If: {
        auto& i = static_cast<const ast::IfStmt&>(s);
        branch(i.thenBranch.get(), depth);
        branch(i.elseBranch.get(), depth);
        break;
      }
      case ast::StmtKind::While: branch(static_cast<const ast::WhileStmt&>(s).body.get(), depth); break;
      case ast::StmtKind::Switch: {
        auto& sw = static_cast<const ast::SwitchStmt&>(s);
        for (const ast::SwitchCase& c : sw.cases) {
          at(c.loc, depth + 1);
          statements(c.body, depth + 2);
        }
        closing(s, depth);
        break;
      }
      default: break;
    }
  }

  const AnalysisData& d_;
  FileId file_;
  std::map<uint32_t, uint32_t> depths_;
};

}  // namespace

std::optional<std::vector<TextEdit>> Analysis::format(const std::string& path, uint32_t firstLine, uint32_t lastLine,
                                                      bool insertSpaces, uint32_t tabSize, std::string* error) const {
  const AnalysisData& d = *d_;
  std::vector<FileId> ids = d.idsOf(path);
  if (ids.empty()) {
    *error = "the document is not part of the analysed config";
    return std::nullopt;
  }
  if (!parsedCleanly()) {
    *error = "cannot format a config that does not parse: fix its syntax errors first";
    return std::nullopt;
  }
  FileId file = ids.front();
  IndentPlan plan(d, file);
  for (const ast::TopItemPtr& item : d.unit.config->items)
    if (item->expansion < 0) plan.item(*item);
  const std::map<uint32_t, uint32_t>& depths = plan.depths();
  const SourceFile& f = d.unit.sm.file(file);
  uint32_t lines = static_cast<uint32_t>(f.lineStarts.size());
  auto indentOf = [&](uint32_t depth) {
    return insertSpaces ? std::string(size_t(depth) * tabSize, ' ') : std::string(depth, '\t');
  };
  std::vector<TextEdit> out;
  for (uint32_t line = 1; line <= lines; ++line) {
    if (line - 1 < firstLine || line - 1 > lastLine) continue;
    std::string_view text = d.unit.sm.lineText(file, line);
    size_t first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {  // whitespace only: emptied
      if (!text.empty()) out.push_back({{{line - 1, 0}, {line - 1, uint32_t(text.size())}}, ""});
      continue;
    }
    if (text.compare(first, 2, "#!") == 0 || text.compare(first, 2, "!!") == 0) continue;  // never moved
    std::optional<uint32_t> depth;
    if (auto it = depths.find(line); it != depths.end()) {
      depth = it->second;
    } else if (text[first] == '#') {
      // A comment takes the depth of what it precedes; before a '}', the block's inside.
      for (uint32_t next = line + 1; next <= lines && !depth; ++next) {
        auto n = depths.find(next);
        if (n == depths.end()) continue;
        std::string_view nt = d.unit.sm.lineText(file, next);
        depth = n->second + (nt[nt.find_first_not_of(" \t")] == '}' ? 1 : 0);
      }
      if (!depth) depth = 0;
    }
    if (!depth) continue;  // a continuation line: as written
    std::string want = indentOf(*depth);
    if (text.substr(0, first) != want) out.push_back({{{line - 1, 0}, {line - 1, uint32_t(first)}}, want});
  }
  return out;
}

std::vector<FoldingRange> Analysis::foldingRanges(const std::string& path) const {
  const AnalysisData& d = *d_;
  std::vector<FoldingRange> out;
  if (!d.unit.config) return out;
  auto add = [&](const ast::Node& n) {
    Location l = d.nodeLocation(n);
    if (l.path == path && l.range.end.line > l.range.start.line) out.push_back({l.range.start.line, l.range.end.line});
  };
  for (const ast::TopItemPtr& item : d.unit.config->items) {
    if (item->kind != ast::TopKind::Route || !item->loc.valid() || d.pathOf[item->loc.file] != path) continue;
    add(*item);
    ast::AstVisitor v;
    v.onStatement = [&](const ast::Statement& s) {
      if (s.kind == ast::StmtKind::Block || s.kind == ast::StmtKind::Switch || s.kind == ast::StmtKind::While) add(s);
    };
    for (const ast::StmtPtr& s : static_cast<const ast::RouteItem&>(*item).body->body) ast::walk(s.get(), v);
  }
  std::sort(out.begin(), out.end(), [](const FoldingRange& a, const FoldingRange& b) {
    return a.startLine != b.startLine ? a.startLine < b.startLine : a.endLine > b.endLine;
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
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

// ------------------------------------------------------------------ workspace

size_t Workspace::scanFolder(const std::string& folder) {
  std::vector<std::string> found;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(folder, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (found.size() >= 5000) break;  // a home directory opened by mistake
    if (it->is_regular_file(ec) && it->path().extension() == ".cfg") found.push_back(normalizePath(it->path().string()));
  }
  std::sort(found.begin(), found.end());
  for (const std::string& cfg : found) {
    configs_.insert(cfg);
    // Preprocessing alone tells which files a config includes.
    frontend::ConfigInput input = frontend::ConfigInput::file(cfg);
    input.overlay = &overlay_;
    PreprocessOptions pp;
    pp.commandLineDefines = options_.defines;
    frontend::Compilation unit = frontend::preprocess(input, pp);
    for (FileId id = 2; id <= unit.sm.fileCount(); ++id) {
      const SourceFile& f = unit.sm.file(id);
      if (f.includedAt.valid()) includedBy_[normalizePath(f.path)].insert(cfg);
    }
  }
  return found.size();
}

std::vector<std::string> Workspace::roots() const {
  std::vector<std::string> out;
  for (const std::string& cfg : configs_)
    if (!includedBy_.count(cfg)) out.push_back(cfg);
  return out;
}

std::string Workspace::rootFor(const std::string& path) const {
  std::string p = normalizePath(path);
  // Follow the include graph up to a config nothing includes (first in path order).
  std::set<std::string> seen{p};
  for (;;) {
    auto it = includedBy_.find(p);
    if (it == includedBy_.end()) return p;
    std::string next;
    for (const std::string& parent : it->second)
      if (!seen.count(parent)) {
        next = parent;
        break;
      }
    if (next.empty()) return p;  // an include cycle
    seen.insert(next);
    p = next;
  }
}

void Workspace::learnIncludes(const Analysis& analysis) {
  const SourceManager& sm = analysis.sourceManager();
  for (auto& [file, parents] : includedBy_) parents.erase(analysis.root());
  for (FileId id = 2; id <= sm.fileCount(); ++id) {
    const SourceFile& f = sm.file(id);
    if (f.includedAt.valid()) includedBy_[normalizePath(f.path)].insert(analysis.root());
  }
  std::erase_if(includedBy_, [](const auto& e) { return e.second.empty(); });
}

}  // namespace kamc::lsp
