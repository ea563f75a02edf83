// The feature layer: every answer comes from the front end's Compilation, the
// sema indexes over its tree and the module catalog. This file: running an
// analysis, its diagnostics and quick fixes, and the workspace of roots.
#include "AnalysisData.h"

#include <atomic>

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

std::string typeWithDefault(const std::string& type, std::string_view value) {
  return value.empty() ? type : type + ", default " + std::string(value);
}

std::string_view coreDefault(const catalog::CoreParamInfo& p) {
  if (p.aliasOf.empty()) return p.defaultValue;
  const catalog::CoreParamInfo* canonical = catalog::findCoreParam(p.aliasOf);
  return canonical ? canonical->defaultValue : std::string_view();
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

// One difference between two texts: old [oldBegin, oldEnd) became new [newBegin, newEnd).
struct Hunk {
  size_t oldBegin, oldEnd, newBegin, newEnd;
};

// The differences between two texts that are mostly equal (an edit, and the
// expansions of a define whose value it changed), in text order. Between
// hunks the texts are equal byte for byte; after a mismatch the closest
// common run of kAnchor bytes (or both ends) within kWindow bytes resumes the
// walk, so that two changes a few bytes apart stay two hunks.
// Nullopt when no such run is found or there are too many hunks: the caller
// analyses the whole text then. Any alignment found is a true one, if not
// always the smallest.
std::optional<std::vector<Hunk>> diffHunks(std::string_view a, std::string_view b) {
  constexpr size_t kAnchor = 4, kWindow = 256, kMaxHunks = 4096;
  size_t budget = 4'000'000;  // comparisons: a whole analysis is cheaper past this
  const size_t aEnd = a.size(), bEnd = b.size();
  std::vector<Hunk> hunks;
  size_t i = 0, j = 0;
  while (i < aEnd || j < bEnd) {
    while (i < aEnd && j < bEnd && a[i] == b[j]) ++i, ++j;
    if (i == aEnd && j == bEnd) break;
    // The closest (p, q) where the texts agree again.
    auto agreeAt = [&](size_t p, size_t q) {
      --budget;
      size_t x = i + p, y = j + q;
      if (x > aEnd || y > bEnd) return false;
      if (x == aEnd || y == bEnd) return x == aEnd && y == bEnd;
      size_t n = std::min({kAnchor, aEnd - x, bEnd - y});
      return a.substr(x, n) == b.substr(y, n) && (n == kAnchor || (x + n == aEnd && y + n == bEnd));
    };
    std::optional<std::pair<size_t, size_t>> resume;
    for (size_t d = 1; d <= 2 * kWindow && !resume; ++d)
      for (size_t p = d > kWindow ? d - kWindow : 0; p <= std::min(d, kWindow) && !resume && budget; ++p)
        if (agreeAt(p, d - p)) resume = std::make_pair(p, d - p);
    if (!resume || hunks.size() == kMaxHunks || !budget) return std::nullopt;
    hunks.push_back({i, i + resume->first, j, j + resume->second});
    i += resume->first;
    j += resume->second;
  }
  return hunks;
}

// The checked tree for `unit` (preprocessed, without errors) made from the
// previous analysis's tree, when every difference of the preprocessed text
// lies strictly inside a route block, modparam or loadmodule (those are
// parsed again, each alone) or in layout between items; the other items are
// moved over with their positions updated. Null when it cannot be.
std::unique_ptr<ast::Config> reuseTree(AnalysisData& old, frontend::Compilation& unit) {
  const std::string& a = old.unit.pp.text;
  const std::string& b = unit.pp.text;
  std::optional<std::vector<Hunk>> hunks = diffHunks(a, b);
  if (!hunks) return nullptr;
  std::vector<ast::TopItemPtr>& items = old.unit.config->items;
  auto layoutOnly = [&](size_t from, size_t to) { return isLayoutOnly(std::string_view(b).substr(from, to - from)); };
  std::vector<ast::TopItemPtr> replacements(items.size());
  std::vector<int64_t> shift(items.size(), 0);  // new begin - old begin
  std::vector<bool> moved(items.size(), false);  // after a difference: positions looked up again
  size_t h = 0, reparsed = 0, prevOldEnd = 0, prevNewEnd = 0;
  int64_t delta = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    const ast::TextRange r = items[i]->range;
    bool gapChanged = false;
    for (; h < hunks->size() && (*hunks)[h].oldEnd <= r.begin; ++h) {
      if ((*hunks)[h].oldBegin < prevOldEnd) return nullptr;  // touches the last byte of the item before
      delta = int64_t((*hunks)[h].newEnd) - int64_t((*hunks)[h].oldEnd);
      gapChanged = true;
    }
    size_t newBegin = size_t(int64_t(r.begin) + delta);
    if (gapChanged && !layoutOnly(prevNewEnd, newBegin)) return nullptr;
    moved[i] = h > 0;
    bool inside = false;
    for (; h < hunks->size() && (*hunks)[h].oldBegin < r.end; ++h) {
      // Strictly inside: the first and last bytes stay, so the item keeps its extent.
      if ((*hunks)[h].oldBegin <= r.begin || (*hunks)[h].oldEnd >= r.end) return nullptr;
      delta = int64_t((*hunks)[h].newEnd) - int64_t((*hunks)[h].oldEnd);
      inside = true;
    }
    size_t newEnd = size_t(int64_t(r.end) + delta);
    shift[i] = int64_t(newBegin) - int64_t(r.begin);
    if (inside) {
      // Only items a closing token ends ('}', ')', a quote): a core parameter's
      // value may take in the tokens after it, which its text alone cannot show.
      ast::TopKind kind = items[i]->kind;
      if (kind != ast::TopKind::Route && kind != ast::TopKind::Modparam && kind != ast::TopKind::LoadModule) return nullptr;
      reparsed += newEnd - newBegin;
      if (reparsed * 4 > b.size() * 3) return nullptr;  // a whole parse is as cheap, in one pass
      replacements[i] = parseTopItem(unit.pp, unit.sm, newBegin, newEnd);
      if (!replacements[i] || replacements[i]->kind != kind) return nullptr;
    }
    prevOldEnd = r.end;
    prevNewEnd = newEnd;
  }
  if (h < hunks->size()) {  // after the last item: layout only, as before it
    if ((*hunks)[h].oldBegin < prevOldEnd || !layoutOnly(prevNewEnd, b.size())) return nullptr;
  } else if (items.empty() && !layoutOnly(0, b.size())) {
    return nullptr;
  }
  auto config = std::make_unique<ast::Config>();
  for (size_t i = 0; i < items.size(); ++i) {
    if (replacements[i]) {
      config->items.push_back(std::move(replacements[i]));
      continue;
    }
    ast::TopItemPtr item = std::move(items[i]);
    if (moved[i])
      forEachNode(*item, [&](ast::Node& n) {
        n.range.begin = uint32_t(int64_t(n.range.begin) + shift[i]);
        n.range.end = uint32_t(int64_t(n.range.end) + shift[i]);
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
  // use_count() is a relaxed load: the fence orders it after the release by
  // which another thread (a workspace request) dropped its reference, so
  // that thread's reads of the tree happen before the tree is moved.
  std::atomic_thread_fence(std::memory_order_acquire);
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
