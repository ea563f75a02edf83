// Inside the feature layer: one analysed config (AnalysisData, behind
// Analysis's pointer) with its position conversions and lookups, and the
// wording helpers the feature files share. Not part of the layer's interface.
#pragma once

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
#include "kamc/lint/Lint.h"
#include "kamc/syntax/SyntaxCheck.h"

#include "Features.h"

namespace kamc::lsp {

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
  bool reusedTree = false;  // built by Analysis::update from the previous tree

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

// "sl_send_reply(int, spv)", "[...]" around optional arguments.
std::string kindsText(const catalog::FunctionInfo& f);
// The hover of a resolved call: its signatures, doc, module and route blocks.
std::string functionHover(const std::vector<const catalog::FunctionInfo*>& rows);
std::string paramTypeName(catalog::ParamType t);
// "Default: `30000`" and a blank line, from the catalog; "" when it has none.
std::string defaultLine(std::string_view value);
// "int, default 30000" (a completion's detail); the type alone without a default.
std::string typeWithDefault(const std::string& type, std::string_view value);
// A core parameter's default, an alias's from its canonical name.
std::string_view coreDefault(const catalog::CoreParamInfo& p);
std::string coreValueName(catalog::CoreValueType t);
std::string pvHover(const ast::PseudoVariable& pv);
// A location on a name that starts at `start` and has `length` bytes.
bool onName(SourceLocation at, SourceLocation start, size_t length);
// The same variable for navigation: class and name ($var(x)), index ignored.
bool samePv(const ast::PseudoVariable& a, const ast::PseudoVariable& b);
bool isNameChar(char c);
bool startsWith(std::string_view s, std::string_view prefix);

}  // namespace kamc::lsp
