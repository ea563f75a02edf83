// A regex_t that frees itself; owned by the Runtime, shared read-only by workers
// (regexec on one compiled pattern from several threads is safe in glibc).
#pragma once

#include <regex.h>

namespace kamc::runtime {

struct CompiledRegex {
  regex_t regex{};
  bool compiled = false;
  CompiledRegex() = default;
  CompiledRegex(const CompiledRegex&) = delete;
  CompiledRegex& operator=(const CompiledRegex&) = delete;
  ~CompiledRegex() {
    if (compiled) regfree(&regex);
  }
};

}  // namespace kamc::runtime
