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
