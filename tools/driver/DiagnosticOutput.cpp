// JSON mirrors the Diagnostic struct; SARIF follows the 2.1.0 schema with
// one run, the rule catalog as tool.driver.rules, include chains as
// relatedLocations and a fingerprint that survives unrelated edits (rule,
// file and the text of the flagged line, not its number).
#include "kamc/driver/DiagnosticOutput.h"

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

namespace kamc {
namespace {

using json = nlohmann::ordered_json;

bool suppressedOnLine(const SourceManager& sm, SourceLocation loc, const std::string& rule) {
  for (uint32_t line = loc.line; line + 1 >= loc.line && line >= 1; --line) {
    std::string_view text = sm.lineText(loc.file, line);
    size_t at = text.find("cfgcheck: disable=");
    if (at != std::string_view::npos) {
      std::string_view list = text.substr(at + 18);
      size_t pos = list.find(rule);
      if (pos != std::string_view::npos &&
          (pos + rule.size() == list.size() || list[pos + rule.size()] == ',' ||
           list[pos + rule.size()] == ' '))
        return true;
    }
    if (line == 1) break;
  }
  return false;
}

json locationJson(const SourceManager& sm, SourceLocation loc) {
  if (!loc.valid()) return nullptr;
  return json{{"file", sm.file(loc.file).path}, {"line", loc.line}, {"col", loc.column}};
}

std::string relativePath(const std::string& path, const std::string& baseDir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path abs = fs::weakly_canonical(fs::absolute(path, ec), ec);
  fs::path base = fs::weakly_canonical(fs::absolute(baseDir, ec), ec);
  fs::path rel = abs.lexically_relative(base);
  if (rel.empty() || *rel.begin() == "..") return abs.string();
  return rel.generic_string();
}

json sarifLocation(const SourceManager& sm, SourceLocation loc, const std::string& baseDir) {
  return json{{"physicalLocation",
               {{"artifactLocation", {{"uri", relativePath(sm.file(loc.file).path, baseDir)}}},
                {"region", {{"startLine", loc.line}, {"startColumn", std::max<uint32_t>(loc.column, 1)}}}}}};
}

std::string fingerprint(const Diagnostic& d, const SourceManager& sm, const std::string& uri) {
  std::string key = d.rule + "|" + uri + "|" + std::string(sm.lineText(d.loc.file, d.loc.line));
  std::ostringstream hex;
  hex << std::hex << std::hash<std::string>{}(key);
  return hex.str();
}

json sarifResult(const Diagnostic& d, const SourceManager& sm, const std::string& baseDir) {
  json result{{"ruleId", d.rule},
              {"level", d.severity == Severity::Error ? "error" : d.severity == Severity::Warning ? "warning" : "note"},
              {"message", {{"text", d.message}}}};
  if (!d.loc.valid()) return result;
  result["locations"] = json::array({sarifLocation(sm, d.loc, baseDir)});
  json related = json::array();
  int id = 0;
  for (SourceLocation at = sm.file(d.loc.file).includedAt; at.valid(); at = sm.file(at.file).includedAt) {
    json r = sarifLocation(sm, at, baseDir);
    r["id"] = id++;
    r["message"] = {{"text", "included from here"}};
    related.push_back(std::move(r));
  }
  for (const DiagnosticNote& n : d.notes) {
    if (!n.loc.valid()) continue;
    json r = sarifLocation(sm, n.loc, baseDir);
    r["id"] = id++;
    r["message"] = {{"text", n.message}};
    related.push_back(std::move(r));
  }
  if (!related.empty()) result["relatedLocations"] = std::move(related);
  std::string uri = relativePath(sm.file(d.loc.file).path, baseDir);
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
  json results = json::array();
  for (const CheckedFile& f : files)
    for (const Diagnostic& d : f.diagnostics) results.push_back(sarifResult(d, f.sm, baseDir));
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
