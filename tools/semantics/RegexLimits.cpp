// The size estimate walks the pattern once, keeping for each open group the size
// so far and the size of its last item, which a repetition operator multiplies.
#include "kamc/semantics/RegexLimits.h"

#include <algorithm>
#include <vector>

namespace kamc::semantics {

namespace {

constexpr size_t kCap = kMaxRegexNodes + 1;

size_t capped(size_t value) { return std::min(value, kCap); }
size_t times(size_t a, size_t b) { return (a != 0 && b > kCap / a) ? kCap : capped(a * b); }

struct Group {
  size_t total = 0;  // every item and alternative so far
  size_t last = 0;   // the last item, which a repetition applies to
  void add(size_t item) {
    total = capped(total + item);
    last = item;
  }
  void repeat(size_t copies) {
    size_t repeated = capped(times(last, copies) + 1);
    total = capped(total - last + repeated);
    last = repeated;
  }
};

// After '[': the index just past the closing ']' (a ']' first is literal, and
// "[:alpha:]"-style classes may hold ']').
size_t skipBracket(std::string_view p, size_t i) {
  if (i < p.size() && p[i] == '^') ++i;
  if (i < p.size() && p[i] == ']') ++i;
  while (i < p.size() && p[i] != ']') {
    if (p[i] == '[' && i + 1 < p.size() && (p[i + 1] == ':' || p[i + 1] == '.' || p[i + 1] == '=')) {
      size_t close = p.find(std::string{p[i + 1], ']'}, i + 2);
      i = close == std::string_view::npos ? p.size() : close + 2;
    } else {
      ++i;
    }
  }
  return std::min(i + 1, p.size());
}

// After '{' (or "\{"): how many copies the bound makes, and the index past it.
size_t boundCopies(std::string_view p, size_t& i) {
  size_t low = 0, high = 0;
  bool comma = false, highSeen = false;
  for (; i < p.size() && p[i] != '}'; ++i) {
    char c = p[i];
    if (c == ',') comma = true;
    else if (c >= '0' && c <= '9') {
      size_t& n = comma ? high : low;
      n = std::min<size_t>(n * 10 + static_cast<size_t>(c - '0'), kCap);
      highSeen |= comma;
    }
  }
  if (i < p.size()) ++i;
  if (!comma) return std::max<size_t>(low, 1);
  return std::max<size_t>(highSeen ? high : low + 1, 1);  // "{m,}" is built as m copies and a star
}

// '*' in both syntaxes; '+' and '?' in extended syntax, and GNU's "\+" and "\?" in basic.
bool isRepetition(char c, bool escaped, char e, bool extended) {
  if (!escaped) return c == '*' || (extended && (c == '+' || c == '?'));
  return !extended && (e == '+' || e == '?');
}

}  // namespace

size_t estimatedRegexNodes(std::string_view p, bool extended) {
  std::vector<Group> groups(1);
  size_t i = 0;
  while (i < p.size() && groups.front().total < kCap) {
    char c = p[i++];
    bool escaped = c == '\\' && i < p.size();
    char e = escaped ? p[i++] : '\0';
    bool open = extended ? (!escaped && c == '(') : (escaped && e == '(');
    bool close = extended ? (!escaped && c == ')') : (escaped && e == ')');
    bool bound = extended ? (!escaped && c == '{') : (escaped && e == '{');
    if (open) {
      groups.emplace_back();
    } else if (close && groups.size() > 1) {
      size_t inner = groups.back().total + 1;
      groups.pop_back();
      groups.back().add(inner);
    } else if (bound) {
      groups.back().repeat(boundCopies(p, i));  // a basic "\{m,n\}" ends at its '}' too
    } else if (isRepetition(c, escaped, e, extended)) {
      groups.back().repeat((escaped ? e : c) == '+' ? 2 : 1);
    } else {  // an atom, a bracket expression or '|': one node each
      if (!escaped && c == '[') i = skipBracket(p, i);
      groups.back().add(1);
    }
  }
  size_t total = 0;
  for (const Group& g : groups) total = capped(total + g.total);
  return total;
}

std::optional<std::string> regexTooComplex(std::string_view pattern, bool extended) {
  if (estimatedRegexNodes(pattern, extended) <= kMaxRegexNodes) return std::nullopt;
  return "the regular expression repeats too much (its compiled form would pass " + std::to_string(kMaxRegexNodes) +
         " nodes; stacked or nested repetitions such as 'a++++' or '(x{100}){100}' grow it exponentially)";
}

std::string compileBoundedRegex(regex_t& re, const std::string& pattern, int cflags) {
  if (std::optional<std::string> refusal = regexTooComplex(pattern, (cflags & REG_EXTENDED) != 0)) return *refusal;
  int rc = regcomp(&re, pattern.c_str(), cflags);
  if (rc == 0) return "";
  char reason[256];
  regerror(rc, &re, reason, sizeof reason);
  return reason;
}

}  // namespace kamc::semantics
