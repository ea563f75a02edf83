// A bound on the regular expressions kamc hands to regcomp, from config text
// (#!subst, =~ constants, module arguments) or from messages (=~ on a variable).
// glibc's regcomp copies a repeated sub-expression once per repetition ("x+" is
// built as "xx*", "x{3}" as "xxx"), so stacked or nested repetitions grow the tree
// exponentially: "a" followed by 32 '+' takes minutes and gigabytes (found by the
// fuzz_preprocess target). Kamailio calls regcomp unguarded; kamc estimates the
// tree first and refuses a pattern past the limit, with a message.
#pragma once

#include <regex.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace kamc::semantics {

// Nodes of the tree regcomp would build; no real pattern comes near
// ("^(\+|00)[1-9][0-9]{6,14}$" is about 60).
inline constexpr size_t kMaxRegexNodes = 50000;

// An upper estimate of those nodes for a POSIX pattern (extended or basic
// syntax), capped just above kMaxRegexNodes.
size_t estimatedRegexNodes(std::string_view pattern, bool extended);

// Why the pattern is refused, or nullopt when regcomp may have it.
std::optional<std::string> regexTooComplex(std::string_view pattern, bool extended);

// regcomp behind the bound: empty when `re` now holds the compiled pattern (the
// caller regfrees it), else why not (the bound's reason, or regerror's).
std::string compileBoundedRegex(regex_t& re, const std::string& pattern, int cflags);

}  // namespace kamc::semantics
