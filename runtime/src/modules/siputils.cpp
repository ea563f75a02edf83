// siputils: has_totag.
#include <array>

#include "../core/functions.h"
#include "kamc/runtime/message_context.h"
#include "kamc/sip/name_addr.h"

namespace kamc::runtime {

namespace {

int has_totag_body(MessageContext& context, const FunctionCall&) {
  sip::NameAddr to;
  return context.message.to(to).ok() && to.tag ? KAMC_RT_TRUE : KAMC_RT_FALSE;
}

constexpr std::array<FunctionEntry, 1> kSiputils{{
    {"siputils", "has_totag", 0, 0, kAnyRoute, has_totag_body, nullptr},
}};

}  // namespace

std::span<const FunctionEntry> siputils_functions() { return kSiputils; }

}  // namespace kamc::runtime
