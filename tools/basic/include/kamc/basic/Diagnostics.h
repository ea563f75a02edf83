// The one diagnostic engine: every tool (kamc, cfgcheck, the language server)
// reports through it, with stable rule ids from Rules.def.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kamc/basic/SourceManager.h"

namespace kamc {

enum class Severity { Note, Warning, Error };
std::string_view severityName(Severity s);

struct RuleInfo {
  std::string_view id;
  Severity defaultSeverity;
  std::string_view doc;
};
// Every rule, in the order of Rules.def.
const std::vector<RuleInfo>& allRules();
const RuleInfo* findRule(std::string_view id);

struct DiagnosticNote {
  SourceLocation loc;
  std::string message;
};

// A mechanical fix (clang's fix-it hint): the text from begin to end (an
// insertion when they are equal) of begin's file becomes `replacement`.
// Editors offer it as a quick fix.
struct FixIt {
  std::string title;  // "Add loadmodule \"xlog.so\"", in the words of a menu entry
  SourceLocation begin, end;
  std::string replacement;
};

struct Diagnostic {
  std::string rule;  // e.g. "kamc-include-not-found"
  Severity severity = Severity::Error;
  SourceLocation loc;
  std::string message;
  std::vector<DiagnosticNote> notes;
  // Where the offending text ends (exclusive), in loc's file; invalid when
  // only the point is known. Editors underline loc..end.
  SourceLocation end = {};
  std::vector<FixIt> fixes = {};
};

class DiagnosticEngine {
 public:
  // Reports with the rule's default severity.
  Diagnostic& report(std::string_view rule, SourceLocation loc, std::string message);
  void add(Diagnostic d);

  const std::vector<Diagnostic>& diagnostics() const { return diags_; }
  size_t errorCount() const;
  bool hasErrors() const { return errorCount() > 0; }

 private:
  std::vector<Diagnostic> diags_;
};

struct RenderOptions {
  bool color = false;
  bool showSourceLine = true;
};
// gcc style: "In file included from" lines, "file:line:col: error: msg [rule]",
// the source line with a caret, then the notes.
std::string renderText(const Diagnostic& d, const SourceManager& sm,
                       const RenderOptions& opts = {});

}  // namespace kamc
