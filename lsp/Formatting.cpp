// Formatting by the tree: indentation from each line's depth, and the text of
// the statements and block headers that stand alone on their line as the AST
// printer writes it. Everything else (comments, blank lines, #! lines,
// continuation lines, text from #!define values) stays as written.
#include "kamc/ast/AstPrinter.h"

#include "AnalysisData.h"

namespace kamc::lsp {

namespace {

// New text for the bytes [begin, end) of one line (0-based columns).
struct LineRewrite {
  uint32_t begin = 0;
  uint32_t end = 0;
  std::string text;
};

std::string withoutBlanks(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c != ' ' && c != '\t') out += c;
  return out;
}

// What may follow a rewritten statement or header on its line: nothing but a
// comment (a `#!` directive is not one).
bool onlyCommentAfter(std::string_view line, size_t from) {
  size_t next = line.find_first_not_of(" \t\r", from);
  if (next == std::string_view::npos) return true;
  std::string_view rest = line.substr(next);
  return (rest.starts_with('#') && !rest.starts_with("#!")) || rest.starts_with("//") || rest.starts_with("/*");
}

// The indentation depth the tree gives each line that starts a statement, a
// case label, a top-level item or a closing brace (1-based line numbers), and
// the rewrites of the lines that hold one simple statement or one block header.
class FormatPlan {
 public:
  FormatPlan(const AnalysisData& d, FileId file) : d_(d), file_(file) {}

  void item(const ast::TopItem& item) {
    at(item.loc, 0);
    if (item.kind != ast::TopKind::Route) return continued(item);
    const ast::Block* body = static_cast<const ast::RouteItem&>(item).body.get();
    if (!body) return;  // a body that did not parse (formatting refuses such a document anyway)
    statements(body->body, 1);
    closing(*body, 0);
  }
  const std::map<uint32_t, uint32_t>& depths() const { return depths_; }
  const std::map<uint32_t, LineRewrite>& rewrites() const { return rewrites_; }
  // A line inside a statement, condition or item begun on an earlier line: a
  // '#' there may be inside a string, so the line is not a comment to indent.
  bool continues(uint32_t line) const { return continuedLines_.count(line) != 0; }

 private:
  // Only the first thing on a line sets the line's depth.
  void at(SourceLocation loc, uint32_t depth) {
    if (!loc.valid() || loc.file != file_) return;
    std::string_view line = d_.unit.sm.lineText(file_, loc.line);
    size_t first = line.find_first_not_of(" \t");
    if (first == loc.column - 1 && !depths_.count(loc.line)) depths_[loc.line] = depth;
  }
  void continued(const ast::Node& n) {
    if (n.expansion >= 0 || n.loc.file != file_ || n.range.end <= n.range.begin) return;
    MappedLocation last = d_.unit.pp.map.lookup(n.range.end - 1, d_.unit.sm);
    if (last.expansion >= 0 || last.loc.file != file_) return;
    for (uint32_t line = n.loc.line + 1; line <= last.loc.line; ++line) continuedLines_.insert(line);
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
      if (s->expansion < 0) header(s->loc, "{", s->loc.column - 1);  // `} else {`
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
        conditionHeader(s.loc, "if ", *i.condition);
        branch(i.thenBranch.get(), depth);
        branch(i.elseBranch.get(), depth);
        break;
      }
      case ast::StmtKind::While: {
        auto& w = static_cast<const ast::WhileStmt&>(s);
        conditionHeader(s.loc, "while ", *w.condition);
        branch(w.body.get(), depth);
        break;
      }
      case ast::StmtKind::Switch: {
        auto& sw = static_cast<const ast::SwitchStmt&>(s);
        conditionHeader(s.loc, "switch ", *sw.subject);
        for (const ast::SwitchCase& c : sw.cases) {
          at(c.loc, depth + 1);
          statements(c.body, depth + 2);
        }
        closing(s, depth);
        break;
      }
      default:
        continued(s);
        simpleStatement(s);
        break;
    }
  }

  // Where preprocessed text [begin, end) is a copy of bytes of one line of
  // this file: no #!define value, no text the preprocessor generated.
  struct LineSpan {
    uint32_t line = 0;
    uint32_t begin = 0, end = 0;  // 0-based byte columns, end exclusive
  };
  std::optional<LineSpan> copiedFromOneLine(ast::TextRange range) const {
    if (range.end <= range.begin) return std::nullopt;
    const MapSegment* seg = d_.unit.pp.map.segmentAt(range.begin);
    // Copied unchanged: one segment of this file, outside any define.
    if (!seg || seg->file != file_ || seg->expansion >= 0 || range.end > seg->outStart + seg->length) return std::nullopt;
    MappedLocation first = d_.unit.pp.map.lookup(range.begin, d_.unit.sm);
    MappedLocation last = d_.unit.pp.map.lookup(range.end - 1, d_.unit.sm);
    if (first.loc.line != last.loc.line) return std::nullopt;
    return LineSpan{first.loc.line, first.loc.column - 1, last.loc.column};
  }

  // Records `canonical` for the line's text from its first byte to `end`
  // when the two differ in white space only: then nothing (no comment, no
  // parenthesis) is lost, and the tree the line gives is the printer's.
  void rewrite(uint32_t line, uint32_t end, const std::string& canonical) {
    std::string_view text = d_.unit.sm.lineText(file_, line);
    size_t first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos || first >= end || !onlyCommentAfter(text, end)) return;
    if (canonical.find('\n') != std::string::npos) return;  // a { } value inside: not one line
    std::string_view written = text.substr(first, end - first);
    if (written == canonical || withoutBlanks(written) != withoutBlanks(canonical)) return;
    rewrites_.emplace(line, LineRewrite{uint32_t(first), end, canonical});
  }

  // An assignment, a call, return, exit, drop or break alone on its line.
  void simpleStatement(const ast::Statement& s) {
    std::optional<std::string> printed = ast::printSimpleStatement(s);
    std::optional<LineSpan> span = copiedFromOneLine(s.range);
    if (!printed || !span) return;
    std::string_view text = d_.unit.sm.lineText(file_, span->line);
    if (text.find_first_not_of(" \t") != span->begin) return;  // after other code
    rewrite(span->line, span->end, *printed);
  }

  // `if (c) {`, `while (c) {`, `switch (c) {`, and `} else if (c) {`.
  void conditionHeader(SourceLocation keyword, const std::string& spelling, const ast::Expr& condition) {
    continued(condition);
    std::optional<LineSpan> span = copiedFromOneLine(condition.range);
    if (!span || keyword.file != file_ || keyword.line != span->line) return;
    std::string_view text = d_.unit.sm.lineText(file_, span->line);
    size_t brace = text.find_first_not_of(" \t", span->end);
    if (brace == std::string_view::npos || text[brace] != '{') return;
    header(keyword, spelling + ast::printExpr(condition) + " {", brace);
  }

  // A line opening a block, from `keyword` to its '{' at byte column `brace`,
  // written as `fromKeyword`, after `} else ` or `else ` when the line starts so.
  void header(SourceLocation keyword, const std::string& fromKeyword, size_t brace) {
    if (keyword.file != file_) return;
    std::string_view text = d_.unit.sm.lineText(file_, keyword.line);
    size_t first = text.find_first_not_of(" \t");
    std::string before = withoutBlanks(text.substr(first, keyword.column - 1 - first));
    std::string prefix = before == "}else" ? "} else " : before == "else" ? "else " : "";
    if (withoutBlanks(prefix) != before) return;
    rewrite(keyword.line, uint32_t(brace + 1), prefix + fromKeyword);
  }

  const AnalysisData& d_;
  FileId file_;
  std::map<uint32_t, uint32_t> depths_;
  std::map<uint32_t, LineRewrite> rewrites_;
  std::set<uint32_t> continuedLines_;
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
  FormatPlan plan(d, file);
  for (const ast::TopItemPtr& item : d.unit.config->items)
    if (item->expansion < 0) plan.item(*item);
  const std::map<uint32_t, uint32_t>& depths = plan.depths();
  const std::map<uint32_t, LineRewrite>& rewrites = plan.rewrites();
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
    } else if (text[first] == '#' && !plan.continues(line)) {
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
    bool reindent = text.substr(0, first) != want;
    auto rewrite = rewrites.find(line);
    if (rewrite == rewrites.end()) {
      if (reindent) out.push_back({{{line - 1, 0}, {line - 1, uint32_t(first)}}, want});
      continue;
    }
    // A rewrite starts at the line's first byte: one edit with the indentation.
    // Its end may follow characters outside ASCII: in the client's code units.
    const LineRewrite& r = rewrite->second;
    uint32_t from = reindent ? 0 : r.begin;
    uint32_t to = codeUnitsBefore(text, r.end, d.options.encoding);
    out.push_back({{{line - 1, from}, {line - 1, to}}, (reindent ? want : "") + r.text});
  }
  return out;
}

}  // namespace kamc::lsp
