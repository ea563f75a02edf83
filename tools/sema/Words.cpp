// Catalog facts in words, shared by lint's messages and the server's hovers.
#include "kamc/sema/Words.h"

#include <set>

namespace kamc::sema {

using catalog::FunctionInfo;

std::string joinWords(const std::vector<std::string>& words, std::string_view lastJoin) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " " + std::string(lastJoin) + " " : ", ";
    out += words[i];
  }
  return out;
}

std::string allowedBlocks(catalog::RouteMask mask) {
  using namespace catalog;
  constexpr RouteMask kEveryBlock = (OnEventRoute << 1) - 1;  // every bit Kamailio defines
  if (mask == AnyRoute) return "any route block";
  if ((mask & kEveryBlock) == (kEveryBlock & ~OnSendRoute)) return "every block but onsend_route";
  if (mask == 0) return "no route block (it is an API for other modules)";
  struct Word {
    RouteMask bits;
    const char* words;
  };
  // Combined bits first, so ONREPLY_ROUTE reads as one word.
  static constexpr Word kWords[] = {
      {RequestRoute, "request_route"},
      {FailureRoute, "failure_route"},
      {OnReplyRoute, "onreply_route"},
      {TmOnReplyRoute, "onreply_route[name]"},
      {CoreOnReplyRoute, "reply_route"},
      {BranchRoute, "branch_route"},
      {OnSendRoute, "onsend_route"},
      {OnEventRoute, "event_route"},
      {ErrorRoute, "event_route[core:error]"},
      {LocalRoute, "event_route[tm:local-request]"},
      {BranchFailureRoute, "event_route[tm:branch-failure]"},
  };
  std::vector<std::string> words;
  RouteMask left = mask;
  for (const Word& w : kWords) {
    if ((left & w.bits) != w.bits) continue;
    words.push_back(w.words);
    left &= ~w.bits;
  }
  return joinWords(words, "and");
}

std::string argCountWords(const std::vector<const FunctionInfo*>& rows) {
  std::set<size_t> counts;
  for (const FunctionInfo* f : rows)
    for (size_t n = f->minArgs; n <= f->maxArgs; ++n) counts.insert(n);
  std::vector<std::string> words;
  for (size_t n : counts) words.push_back(std::to_string(n));
  bool one = counts.size() == 1 && *counts.begin() == 1;
  return joinWords(words, "or") + (one ? " argument" : " arguments");
}

}  // namespace kamc::sema
