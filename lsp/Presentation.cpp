// How the editor shows a document: semantic tokens, inlay hints, folding.
#include "AnalysisData.h"

namespace kamc::lsp {

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
    // A route whose body did not parse is kept as its header alone (no body).
    if (const ast::Block* body = static_cast<const ast::RouteItem&>(*item).body.get())
      for (const ast::StmtPtr& s : body->body) ast::walk(s.get(), v);
  }
  std::sort(out.begin(), out.end(), [](const FoldingRange& a, const FoldingRange& b) {
    return a.startLine != b.startLine ? a.startLine < b.startLine : a.endLine > b.endLine;
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace kamc::lsp
