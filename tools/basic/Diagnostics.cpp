// Rule catalog lookups and the diagnostic collector.
#include "kamc/basic/Diagnostics.h"

#include <algorithm>
#include <stdexcept>

namespace kamc {

std::string_view severityName(Severity s) {
  switch (s) {
    case Severity::Note: return "note";
    case Severity::Warning: return "warning";
    case Severity::Error: return "error";
  }
  return "error";
}

const std::vector<RuleInfo>& allRules() {
  static const std::vector<RuleInfo> rules = {
#define KAMC_RULE(id, sev, doc) {id, Severity::sev, doc},
#include "kamc/basic/Rules.def"
  };
  return rules;
}

const RuleInfo* findRule(std::string_view id) {
  const auto& rules = allRules();
  auto it = std::find_if(rules.begin(), rules.end(),
                         [&](const RuleInfo& r) { return r.id == id; });
  return it == rules.end() ? nullptr : &*it;
}

Diagnostic& DiagnosticEngine::report(std::string_view rule, SourceLocation loc,
                                     std::string message) {
  const RuleInfo* info = findRule(rule);
  // An unknown id is a programming error: ids are a published contract.
  if (!info) throw std::logic_error("unknown diagnostic rule " + std::string(rule));
  diags_.push_back({std::string(rule), info->defaultSeverity, loc, std::move(message), {}});
  return diags_.back();
}

void DiagnosticEngine::add(Diagnostic d) { diags_.push_back(std::move(d)); }

size_t DiagnosticEngine::errorCount() const {
  return std::count_if(diags_.begin(), diags_.end(), [](const Diagnostic& d) {
    return d.severity == Severity::Error;
  });
}

}  // namespace kamc
