// gcc-compatible text rendering, so editors and CI log parsers understand it.
#include <algorithm>
#include <string>

#include "kamc/basic/Diagnostics.h"
#include "kamc/basic/Limits.h"

namespace kamc {
namespace {

const char* colorOf(Severity s) {
  switch (s) {
    case Severity::Error: return "\033[1;31m";
    case Severity::Warning: return "\033[1;35m";
    case Severity::Note: return "\033[1;36m";
  }
  return "";
}

std::string position(const SourceLocation& loc, const SourceManager& sm) {
  if (!loc.valid()) return "kamc";
  return sm.file(loc.file).path + ":" + std::to_string(loc.line) + ":" +
         std::to_string(loc.column);
}

void appendIncludeChain(std::string& out, const SourceLocation& loc,
                        const SourceManager& sm) {
  if (!loc.valid()) return;
  bool first = true;
  for (SourceLocation at = sm.file(loc.file).includedAt; at.valid();
       at = sm.file(at.file).includedAt) {
    out += first ? "In file included from " : "                 from ";
    out += position(at, sm);
    out += ":\n";
    first = false;
  }
}

void appendCaret(std::string& out, const SourceLocation& loc,
                 const SourceManager& sm) {
  if (!loc.valid()) return;
  std::string_view line = sm.lineText(loc.file, loc.line);
  // A huge line (a generated config, minified text) is echoed only around
  // the caret, so that many diagnostics on it cannot multiply its size.
  size_t caret = loc.column > 0 ? loc.column - 1 : 0;
  std::string_view before, after;
  if (line.size() > limits::kMaxEchoColumns) {
    size_t half = limits::kMaxEchoColumns / 2;
    size_t begin = caret > half ? std::min(caret - half, line.size() - limits::kMaxEchoColumns) : 0;
    if (begin > 0) before = "...";
    if (begin + limits::kMaxEchoColumns < line.size()) after = "...";
    caret = caret >= begin ? caret - begin : 0;
    line = line.substr(begin, limits::kMaxEchoColumns);
  }
  out += "  ";
  out += before;
  out += line;
  out += after;
  out += "\n  ";
  out += std::string(before.size(), ' ');
  // Keep tabs so the caret lines up under the same terminal columns.
  for (size_t i = 0; i < caret && i < line.size(); ++i)
    out += line[i] == '\t' ? '\t' : ' ';
  out += "^\n";
}

void appendHeadline(std::string& out, const SourceLocation& loc, Severity sev,
                    const std::string& message, const std::string& rule,
                    const SourceManager& sm, const RenderOptions& opts) {
  const char* bold = opts.color ? "\033[1m" : "";
  const char* reset = opts.color ? "\033[0m" : "";
  out += bold + position(loc, sm) + ":" + reset + " ";
  out += opts.color ? colorOf(sev) : "";
  out += std::string(severityName(sev)) + ":" + reset + " ";
  // A message quoting a huge token (a 100,000-character name) is cut too.
  if (message.size() > limits::kMaxEchoMessage)
    out += message.substr(0, limits::kMaxEchoMessage) + "... (" + std::to_string(message.size()) + " bytes)";
  else
    out += message;
  if (!rule.empty()) out += " [" + rule + "]";
  out += "\n";
}

}  // namespace

std::string renderText(const Diagnostic& d, const SourceManager& sm,
                       const RenderOptions& opts) {
  std::string out;
  appendIncludeChain(out, d.loc, sm);
  appendHeadline(out, d.loc, d.severity, d.message, d.rule, sm, opts);
  if (opts.showSourceLine) appendCaret(out, d.loc, sm);
  for (const DiagnosticNote& n : d.notes) {
    appendHeadline(out, n.loc, Severity::Note, n.message, "", sm, opts);
    if (opts.showSourceLine) appendCaret(out, n.loc, sm);
  }
  return out;
}

}  // namespace kamc
