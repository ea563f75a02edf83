// The words of lint messages: load hints and did-you-mean spellings.
#include "LintSupport.h"

#include <algorithm>
#include <set>

#include "kamc/basic/Limits.h"

namespace kamc::lint {

using catalog::FunctionInfo;

std::string loadHint(std::string_view module) {
  return "add loadmodule \"" + std::string(module) + ".so\"";
}

std::optional<std::regex> moduleRegex(const std::string& pattern) {
  try {
    return std::regex("^(" + pattern + ")$", std::regex::extended | std::regex::icase | std::regex::nosubs);
  } catch (const std::regex_error&) {
    return std::nullopt;
  }
}

kamc::FixIt loadmoduleFix(const ModuleSet& modules, std::string_view module) {
  SourceLocation at = modules.newLoadmoduleAt();
  std::string line = "loadmodule \"" + std::string(module) + ".so\"";
  return {"Add " + line, at, at, line + "\n"};
}

namespace {

// Edits between two names, a swap of neighbours counting as one (xlgo -> xlog).
size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string closestName(std::string_view name, const std::vector<std::string_view>& candidates) {
  // A typo is one or two edits; more than that suggests nonsense.
  size_t limit = name.size() < 6 ? 1 : 2;
  // Past a length no name in the catalog reaches, there is nothing to suggest
  // (and the distance costs the product of both lengths).
  if (name.size() > limits::kMaxSuggestLength) return {};
  std::string_view best;
  size_t bestDistance = limit + 1;
  for (std::string_view c : candidates) {
    if (c == name) continue;
    // Lengths further apart than the limit cannot be within it.
    if ((c.size() > name.size() ? c.size() - name.size() : name.size() - c.size()) > limit) continue;
    size_t d = editDistance(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return std::string(best);
}

}  // namespace kamc::lint
