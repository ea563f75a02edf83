// maxfwd: Max-Forwards processing (mf_process_maxfwd_header, is_maxfwd_lt). The
// worked example of docs/runtime.md, "Adding a module".
#include <array>

#include "../core/module.h"
#include "kamc/runtime/runtime.h"
#include "../core/sip_edit.h"
#include "kamc/runtime/message_context.h"
#include "kamc/sip/scalar_headers.h"

namespace kamc::runtime {

extern const ModuleExports kMaxfwdModule;

namespace {

// What init takes from the parameters, shared read-only by every worker.
struct MaxfwdSettings {
  long long max_limit = 70;  // a forwarded value never exceeds it
};

// Per message: a second mf_process_maxfwd_header() must not decrement again.
struct MaxfwdMessageState : ModuleMessageState {
  bool processed = false;
};

ModuleInstance& maxfwd_module(const MessageContext& context) {
  static const std::size_t index = module_index(kMaxfwdModule);
  return context.runtime.module(index);
}

// Kamailio 5.6 takes any max_limit at load time (its cfg framework checks 0..255 only
// for run-time changes), so init only copies it.
bool init_maxfwd(ModuleInstance& module, std::string&) {
  module.state = std::make_shared<MaxfwdSettings>(MaxfwdSettings{module.param_number("max_limit")});
  return true;
}

// Kamailio's return codes: 2 header added, 1 decremented, -1 it was 0, -2 error.
int process_maxfwd_body(MessageContext& context, const FunctionCall& call) {
  auto initial = arg_int(context, call, 0);
  if (!initial || *initial < 0 || *initial > 255) return -2;
  static const std::size_t index = module_index(kMaxfwdModule);
  bool& processed = context.module_state<MaxfwdMessageState>(index).processed;
  const sip::HeaderField* field = context.message.first_header(sip::HeaderKind::MaxForwards);
  if (!field) {
    if (!processed) {
      context.edits.insert(first_header_offset(context), "Max-Forwards: " + std::to_string(*initial) + "\r\n");
    }
    processed = true;
    return 2;
  }
  std::uint32_t value = 0;
  if (!sip::parse_max_forwards(field->value, value).ok()) return -2;
  if (value == 0) return -1;
  if (processed) return 1;
  processed = true;
  long long limit = maxfwd_module(context).state_as<MaxfwdSettings>().max_limit;
  long long next = std::min<long long>(static_cast<long long>(value) - 1, limit);
  context.edits.replace(context.offset_of(field->value), field->value.size(), std::to_string(next));
  return 1;
}

// Kamailio's codes: 1 when Max-Forwards is below the limit, -1 when it is not (or the
// limit is outside 0..255), -2 when there is no header, -3 when it is malformed.
int is_maxfwd_lt_body(MessageContext& context, const FunctionCall& call) {
  auto limit = arg_int(context, call, 0);
  if (!limit || *limit < 0 || *limit > 255) return -1;
  const sip::HeaderField* field = context.message.first_header(sip::HeaderKind::MaxForwards);
  if (!field) return -2;
  std::uint32_t value = 0;
  if (!sip::parse_max_forwards(field->value, value).ok()) return -3;
  return static_cast<long long>(value) < *limit ? 1 : -1;
}

constexpr std::array<FunctionExport, 2> kFunctions{{
    {"mf_process_maxfwd_header", process_maxfwd_body},
    {"is_maxfwd_lt", is_maxfwd_lt_body},
}};

constexpr std::array<ParamExport, 1> kParams{{
    {"max_limit", 70},
}};

}  // namespace

extern const ModuleExports kMaxfwdModule{
    .name = "maxfwd",
    .functions = kFunctions,
    .params = kParams,
    .init = init_maxfwd,
};

}  // namespace kamc::runtime
