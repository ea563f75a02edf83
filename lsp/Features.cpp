// The feature layer: every answer comes from the front end's Compilation, the
// sema indexes over its tree and the module catalog. This file: running an
// analysis, its diagnostics and quick fixes, and the workspace of roots.
#include "AnalysisData.h"

namespace kamc::lsp {

namespace fs = std::filesystem;

std::string normalizePath(const std::string& path) { return FileOverlay::normalize(path); }

// A location on a name that starts at `start` and has `length` bytes.
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

std::string defaultLine(std::string_view value) {
  return value.empty() ? std::string() : "Default: `" + std::string(value) + "`\n\n";
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

bool isNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

Analysis::Analysis(std::unique_ptr<AnalysisData> data) : d_(std::move(data)) {}
Analysis::~Analysis() = default;

namespace {

frontend::PipelineOptions pipelineOptions(const AnalysisOptions& options) {
  frontend::PipelineOptions pipeline;
  pipeline.preprocess.mode = PreprocessMode::Expand;
  pipeline.preprocess.commandLineDefines = options.defines;
  pipeline.keepGoing = true;
  return pipeline;
}

// Every node of a top-level item, mutable (to move it to a new text).
void forEachNode(ast::TopItem& item, const std::function<void(ast::Node&)>& fn) {
  ast::AstVisitor v;
  v.onStatement = [&](const ast::Statement& s) {
    fn(const_cast<ast::Statement&>(s));
    if (s.kind == ast::StmtKind::Switch)
      for (const ast::SwitchCase& c : static_cast<const ast::SwitchStmt&>(s).cases) fn(const_cast<ast::SwitchCase&>(c));
  };
  v.onExpr = [&](const ast::Expr& e) {
    fn(const_cast<ast::Expr&>(e));
    if (e.kind == ast::ExprKind::Call)
      if (const auto& next = static_cast<const ast::CallExpr&>(e).nextToken) fn(const_cast<ast::Node&>(*next));
  };
  fn(item);
  switch (item.kind) {
    case ast::TopKind::LoadModule: fn(static_cast<ast::LoadModuleItem&>(item).path); break;
    case ast::TopKind::LoadPath:
    case ast::TopKind::CfgEngine: fn(static_cast<ast::PathItem&>(item).value); break;
    case ast::TopKind::Modparam: {
      auto& m = static_cast<ast::ModparamItem&>(item);
      fn(m.modules);
      fn(m.param);
      ast::walk(m.value.get(), v);
      break;
    }
    case ast::TopKind::GlobalParam: {
      auto& g = static_cast<ast::GlobalParamItem&>(item);
      for (ast::ParamAtom& a : g.value) fn(a);
      if (g.description) fn(*g.description);
      break;
    }
    case ast::TopKind::Flags:
      for (ast::FlagSpec& f : static_cast<ast::FlagsItem&>(item).flags) {
        fn(f);
        fn(f.name);
      }
      break;
    case ast::TopKind::Route: {
      auto& r = static_cast<ast::RouteItem&>(item);
      if (r.name) fn(*r.name);
      ast::walk(r.body.get(), v);
      break;
    }
    case ast::TopKind::Empty: break;
  }
}

// The checked tree for `unit` (preprocessed, without errors) made from the
// previous analysis's tree, when the preprocessed text changed strictly inside
// one route block, modparam or loadmodule, or only in layout between items.
// Null when it cannot be.
std::unique_ptr<ast::Config> reuseTree(AnalysisData& old, frontend::Compilation& unit) {
  const std::string& a = old.unit.pp.text;
  const std::string& b = unit.pp.text;
  size_t prefix = 0, limit = std::min(a.size(), b.size());
  while (prefix < limit && a[prefix] == b[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < limit - prefix && a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) ++suffix;
  size_t oldEnd = a.size() - suffix;  // the old text [prefix, oldEnd) became b[prefix, b.size() - suffix)
  int64_t delta = int64_t(b.size()) - int64_t(a.size());
  std::vector<ast::TopItemPtr>& items = old.unit.config->items;
  // The item the change is inside, strictly within its first and last bytes.
  size_t changed = items.size();
  for (size_t i = 0; i < items.size(); ++i) {
    const ast::TextRange r = items[i]->range;
    if (r.end <= prefix) continue;
    // Only items a closing token ends ('}', ')', a quote): a core parameter's
    // value may take in the tokens after it, which its text alone cannot show.
    bool closed = items[i]->kind == ast::TopKind::Route || items[i]->kind == ast::TopKind::Modparam ||
                  items[i]->kind == ast::TopKind::LoadModule;
    if (r.begin < prefix && oldEnd < r.end && closed) changed = i;
    else if (r.begin < oldEnd) return nullptr;  // the change touches this item's edges, or spans items
    break;
  }
  ast::TopItemPtr replacement;
  if (changed < items.size()) {
    const ast::TextRange r = items[changed]->range;
    replacement = parseTopItem(unit.pp, unit.sm, r.begin, size_t(int64_t(r.end) + delta));
    if (!replacement) return nullptr;
  } else {
    // The whole new gap between the items around the change must be blanks
    // and comments: deleting the '#' of "# x" leaves a change of nothing,
    // but the gap now holds the word x.
    size_t gapBegin = 0, gapEnd = a.size();
    for (const ast::TopItemPtr& item : items) {
      if (item->range.end <= prefix) gapBegin = item->range.end;
      if (item->range.begin >= oldEnd) {
        gapEnd = item->range.begin;
        break;
      }
    }
    size_t newGapEnd = size_t(int64_t(gapEnd) + delta);
    if (!isLayoutOnly(std::string_view(b).substr(gapBegin, newGapEnd - gapBegin))) return nullptr;
  }
  auto config = std::make_unique<ast::Config>();
  for (size_t i = 0; i < items.size(); ++i) {
    if (i == changed) {
      config->items.push_back(std::move(replacement));
      continue;
    }
    ast::TopItemPtr item = std::move(items[i]);
    if (item->range.begin >= oldEnd)
      forEachNode(*item, [&](ast::Node& n) {
        n.range.begin = uint32_t(int64_t(n.range.begin) + delta);
        n.range.end = uint32_t(int64_t(n.range.end) + delta);
        MappedLocation m = unit.pp.map.lookup(n.range.begin, unit.sm);
        n.loc = m.loc;
        n.expansion = m.expansion;
      });
    config->items.push_back(std::move(item));
  }
  return config;
}

}  // namespace

std::shared_ptr<const Analysis> Analysis::update(std::shared_ptr<const Analysis>& previous, const std::string& rootPath,
                                                 const FileOverlay& overlay, const AnalysisOptions& options) {
  bool reusable = previous && previous.use_count() == 1 && previous->parsedCleanly() && previous->d_->unit.linted &&
                  previous->d_->root == normalizePath(rootPath) && previous->d_->options.defines == options.defines &&
                  previous->d_->options.encoding == options.encoding;
  if (!reusable) return run(rootPath, overlay, options);
  frontend::PipelineOptions pipeline = pipelineOptions(options);
  frontend::ConfigInput input = frontend::ConfigInput::file(normalizePath(rootPath));
  input.overlay = &overlay;
  frontend::Compilation unit = frontend::preprocess(input, pipeline.preprocess);
  std::unique_ptr<ast::Config> config;
  if (unit.readable() && !unit.pp.stoppedEarly && !unit.diags.hasErrors()) {
    // Sole owner: nobody else reads the previous analysis while its tree moves.
    config = reuseTree(const_cast<AnalysisData&>(*previous->d_), unit);
  }
  auto d = std::make_unique<AnalysisData>();
  d->root = normalizePath(rootPath);
  d->options = options;
  if (config) {
    previous.reset();  // its items were moved out
    unit.config = std::move(config);
    lint::LintContext lint{*unit.config, unit.pp.map, unit.diags, &unit.sm};
    lint::runAllChecks(lint);
    unit.linted = true;
    d->reusedTree = true;
  } else {  // the rest of the pipeline on the text preprocessed already
    frontend::parseStage(unit, pipeline);
    frontend::checkStage(unit, pipeline);
  }
  d->unit = std::move(unit);
  return finish(std::move(d));
}

bool Analysis::reusedTree() const { return d_->reusedTree; }
const frontend::Compilation& Analysis::compilation() const { return d_->unit; }

std::shared_ptr<const Analysis> Analysis::run(const std::string& rootPath, const FileOverlay& overlay,
                                              const AnalysisOptions& options) {
  auto d = std::make_unique<AnalysisData>();
  d->root = normalizePath(rootPath);
  d->options = options;
  frontend::ConfigInput input = frontend::ConfigInput::file(d->root);
  input.overlay = &overlay;
  d->unit = frontend::check(input, pipelineOptions(options));
  return finish(std::move(d));
}

std::shared_ptr<const Analysis> Analysis::finish(std::unique_ptr<AnalysisData> d) {
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

std::vector<std::pair<FileDiagnostic, QuickFix>> Analysis::quickFixes(const std::string& path, Range range) const {
  auto before = [](Position a, Position b) { return a.line < b.line || (a.line == b.line && a.character < b.character); };
  std::vector<std::pair<FileDiagnostic, QuickFix>> out;
  for (const FileDiagnostic& diag : diagnostics(path)) {
    if (before(diag.range.end, range.start) || before(range.end, diag.range.start)) continue;
    for (const QuickFix& f : diag.fixes) out.emplace_back(diag, f);
  }
  return out;
}

// The workspace

namespace {

std::string folderKey(const std::string& folder) {
  std::string f = normalizePath(folder);
  while (f.size() > 1 && f.back() == '/') f.pop_back();
  return f;
}

bool isUnder(const std::string& path, const std::string& folder) {
  if (folder == "/") return !path.empty() && path[0] == '/';
  return path.size() > folder.size() && path.compare(0, folder.size(), folder) == 0 && path[folder.size()] == '/';
}

}  // namespace

bool Workspace::inFolders(const std::string& path) const {
  return std::any_of(folders_.begin(), folders_.end(), [&](const std::string& f) { return isUnder(path, f); });
}

void Workspace::removeFolder(const std::string& folder, const std::set<std::string>& openConfigs) {
  folders_.erase(folderKey(folder));
  std::set<std::string> forgotten;
  for (const std::string& cfg : configs_)
    if (!inFolders(cfg)) forgotten.insert(cfg);
  for (const std::string& cfg : forgotten) configs_.erase(cfg);
  for (auto& [file, parents] : includedBy_)
    std::erase_if(parents, [&](const std::string& p) { return forgotten.count(p) && !openConfigs.count(p); });
  std::erase_if(includedBy_, [](const auto& e) { return e.second.empty(); });
}

size_t Workspace::scanFolder(const std::string& folder) {
  folders_.insert(folderKey(folder));
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
