// maxfwd: Max-Forwards processing (mf_process_maxfwd_header, is_maxfwd_lt).
#include <array>

#include "../core/functions.h"
#include "../core/sip_edit.h"
#include "kamc/runtime/message_context.h"
#include "kamc/sip/scalar_headers.h"

namespace kamc::runtime {

namespace {

// The module's max_limit parameter (default 70): a forwarded value never exceeds it.
constexpr long long kMaxLimit = 70;

// Kamailio's return codes: 2 header added, 1 decremented, -1 it was 0, -2 error.
int process_maxfwd_body(MessageContext& context, const FunctionCall& call) {
  auto initial = arg_int(context, call, 0);
  if (!initial || *initial < 0 || *initial > 255) return -2;
  const sip::HeaderField* field = context.message.first_header(sip::HeaderKind::MaxForwards);
  if (!field) {
    if (!context.max_forwards_processed) {
      context.edits.insert(first_header_offset(context), "Max-Forwards: " + std::to_string(*initial) + "\r\n");
    }
    context.max_forwards_processed = true;
    return 2;
  }
  std::uint32_t value = 0;
  if (!sip::parse_max_forwards(field->value, value).ok()) return -2;
  if (value == 0) return -1;
  if (context.max_forwards_processed) return 1;  // a second call must not decrement twice
  context.max_forwards_processed = true;
  long long next = std::min<long long>(static_cast<long long>(value) - 1, kMaxLimit);
  context.edits.replace(context.offset_of(field->value), field->value.size(), std::to_string(next));
  return 1;
}

// 1 when Max-Forwards is below the limit, -1 when there is none, -2 otherwise.
int is_maxfwd_lt_body(MessageContext& context, const FunctionCall& call) {
  auto limit = arg_int(context, call, 0);
  const sip::HeaderField* field = context.message.first_header(sip::HeaderKind::MaxForwards);
  if (!field) return -1;
  std::uint32_t value = 0;
  if (!limit || !sip::parse_max_forwards(field->value, value).ok()) return -2;
  return static_cast<long long>(value) < *limit ? 1 : -2;
}

constexpr std::array<FunctionEntry, 2> kMaxfwd{{
    {"maxfwd", "mf_process_maxfwd_header", process_maxfwd_body, nullptr},
    {"maxfwd", "is_maxfwd_lt", is_maxfwd_lt_body, nullptr},
}};

}  // namespace

std::span<const FunctionEntry> maxfwd_functions() { return kMaxfwd; }

}  // namespace kamc::runtime
