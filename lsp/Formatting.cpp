// Formatting by the tree: indentation from each line's depth.
#include "AnalysisData.h"

namespace kamc::lsp {

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

}  // namespace kamc::lsp
