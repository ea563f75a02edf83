// JSON mirrors the Diagnostic struct; SARIF follows the 2.1.0 schema with
// one run, the rule catalog as tool.driver.rules, include chains and the
// notes (such as "expanded from #!define X") as relatedLocations, and a
// fingerprint that survives unrelated edits (rule, file and the text of the
// flagged line, not its number).
#include "kamc/driver/DiagnosticOutput.h"

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

namespace kamc {
namespace {

using json = nlohmann::ordered_json;

// True when a line holds "cfgcheck: disable=" with rule in its list.
bool lineSuppresses(std::string_view text, const std::string& rule) {
  size_t at = text.find("cfgcheck: disable=");
  if (at == std::string_view::npos) return false;
  std::string_view list = text.substr(at + 18);
  size_t pos = list.find(rule);
  if (pos == std::string_view::npos) return false;
  size_t end = pos + rule.size();
  return end == list.size() || list[end] == ',' || list[end] == ' ';
}

// A suppression comment counts on the finding's own line or the line above.
bool suppressedOnLine(const SourceManager& sm, SourceLocation loc, const std::string& rule) {
  if (lineSuppresses(sm.lineText(loc.file, loc.line), rule)) return true;
  return loc.line > 1 && lineSuppresses(sm.lineText(loc.file, loc.line - 1), rule);
}

json locationJson(const SourceManager& sm, SourceLocation loc) {
  if (!loc.valid()) return nullptr;
  return json{{"file", sm.file(loc.file).path}, {"line", loc.line}, {"col", loc.column}};
}

namespace fs = std::filesystem;

// The path as SARIF's uri: relative to base (already canonical) when inside
// it, else absolute.
std::string uriOf(const std::string& path, const fs::path& base) {
  std::error_code ec;
  fs::path abs = fs::weakly_canonical(fs::absolute(path, ec), ec);
  fs::path rel = abs.lexically_relative(base);
  if (rel.empty() || *rel.begin() == "..") return abs.string();
  return rel.generic_string();
}

json sarifLocation(const std::string& uri, SourceLocation loc) {
  return json{{"physicalLocation",
               {{"artifactLocation", {{"uri", uri}}},
                {"region", {{"startLine", loc.line}, {"startColumn", std::max<uint32_t>(loc.column, 1)}}}}}};
}

// A place in a buffer that is no file ("<command line>", for -A values) has
// no URI: the related location keeps its message and names the buffer there.
void addRelated(json& related, const SourceManager& sm, SourceLocation loc, const std::string& text,
                const fs::path& base) {
  const std::string& path = sm.file(loc.file).path;
  bool virtualBuffer = !path.empty() && path.front() == '<';
  json r = virtualBuffer ? json::object() : sarifLocation(uriOf(path, base), loc);
  r["id"] = related.size();
  r["message"] = {{"text", virtualBuffer ? text + " (" + path + ")" : text}};
  related.push_back(std::move(r));
}

std::string fingerprint(const Diagnostic& d, const SourceManager& sm, const std::string& uri) {
  std::string key = d.rule + "|" + uri + "|" + std::string(sm.lineText(d.loc.file, d.loc.line));
  std::ostringstream hex;
  hex << std::hex << std::hash<std::string>{}(key);
  return hex.str();
}

json sarifResult(const Diagnostic& d, const SourceManager& sm, const fs::path& base) {
  json result{{"ruleId", d.rule},
              {"level", d.severity == Severity::Error ? "error" : d.severity == Severity::Warning ? "warning" : "note"},
              {"message", {{"text", d.message}}}};
  if (!d.loc.valid()) return result;
  std::string uri = uriOf(sm.file(d.loc.file).path, base);
  result["locations"] = json::array({sarifLocation(uri, d.loc)});
  json related = json::array();
  for (SourceLocation at = sm.file(d.loc.file).includedAt; at.valid(); at = sm.file(at.file).includedAt)
    addRelated(related, sm, at, "included from here", base);
  for (const DiagnosticNote& n : d.notes)
    if (n.loc.valid()) addRelated(related, sm, n.loc, n.message, base);
  if (!related.empty()) result["relatedLocations"] = std::move(related);
  result["partialFingerprints"] = {{"kamcLineHash/v1", fingerprint(d, sm, uri)}};
  return result;
}

json sarifRules() {
  json rules = json::array();
  for (const RuleInfo& r : allRules())
    rules.push_back(json{{"id", std::string(r.id)},
                         {"shortDescription", {{"text", std::string(r.doc)}}},
                         {"defaultConfiguration",
                          {{"level", r.defaultSeverity == Severity::Error ? "error" : "warning"}}}});
  return rules;
}

}  // namespace

std::vector<Diagnostic> applyFilter(const std::vector<Diagnostic>& diags, const SourceManager& sm,
                                    const DiagnosticFilter& filter) {
  std::vector<Diagnostic> kept;
  for (const Diagnostic& d : diags) {
    if (filter.disabledRules.count(d.rule)) continue;
    if (d.loc.valid() && suppressedOnLine(sm, d.loc, d.rule)) continue;
    Diagnostic copy = d;
    if (filter.warningsAsErrors && copy.severity == Severity::Warning) copy.severity = Severity::Error;
    kept.push_back(std::move(copy));
  }
  return kept;
}

std::string renderJson(const std::vector<CheckedFile>& files) {
  json out = json::array();
  for (const CheckedFile& f : files) {
    for (const Diagnostic& d : f.diagnostics) {
      json notes = json::array();
      for (const DiagnosticNote& n : d.notes)
        notes.push_back(json{{"location", locationJson(f.sm, n.loc)}, {"message", n.message}});
      out.push_back(json{{"file", f.path},
                         {"rule", d.rule},
                         {"severity", std::string(severityName(d.severity))},
                         {"location", locationJson(f.sm, d.loc)},
                         {"message", d.message},
                         {"notes", std::move(notes)}});
    }
  }
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string renderSarif(const std::vector<CheckedFile>& files, const std::string& baseDir,
                        const std::string& toolVersion) {
  std::error_code ec;
  const fs::path base = fs::weakly_canonical(fs::absolute(baseDir, ec), ec);  // once, not per location
  json results = json::array();
  for (const CheckedFile& f : files)
    for (const Diagnostic& d : f.diagnostics) results.push_back(sarifResult(d, f.sm, base));
  json run{{"tool",
            {{"driver",
              {{"name", "cfgcheck"},
               {"version", toolVersion},
               {"rules", sarifRules()}}}}},
           {"results", std::move(results)}};
  json log{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
           {"version", "2.1.0"},
           {"runs", json::array({std::move(run)})}};
  return log.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace kamc
