// Message and branch flags (core setflag/resetflag/isflagset, kex setbflag/...), and
// the core's small per-message switches force_rport() and set_reply_no_connect().
#include <array>

#include "../core/functions.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/message_context.h"

namespace kamc::runtime {

namespace {

constexpr long long kMaxFlag = 31;  // Kamailio's flags are the bits of a 32-bit word

// A constant flag number is checked once at load time, as Kamailio's fixup does.
bool fixup_flag(FunctionCall& call, std::string& error) {
  for (const FixedArg& arg : call.args) {
    if (arg.is_int && (arg.number < 0 || arg.number > kMaxFlag)) {
      error = std::string(call.entry->name) + "(): flag " + std::to_string(arg.number) + " is not in 0..31";
      return false;
    }
  }
  return true;
}

std::optional<unsigned> flag_bit(MessageContext& context, const FunctionCall& call) {
  auto flag = arg_int(context, call, 0);
  if (!flag || *flag < 0 || *flag > kMaxFlag) {
    log_format(L_ERR, "%.*s(): invalid flag", static_cast<int>(call.entry->name.size()), call.entry->name.data());
    return std::nullopt;
  }
  return 1u << *flag;
}

// setbflag(flag[, branch]): only branch 0, the request's own branch, exists before tm
// forks, so a branch index other than 0 is refused.
std::uint32_t* branch_flags(MessageContext& context, const FunctionCall& call) {
  if (call.args.size() > 1) {
    auto branch = arg_int(context, call, 1);
    if (!branch || *branch != 0) return nullptr;
  }
  return &context.branch_flags;
}

int setflag_body(MessageContext& context, const FunctionCall& call) {
  auto bit = flag_bit(context, call);
  if (!bit) return KAMC_RT_FALSE;
  context.flags |= *bit;
  return KAMC_RT_TRUE;
}

int resetflag_body(MessageContext& context, const FunctionCall& call) {
  auto bit = flag_bit(context, call);
  if (!bit) return KAMC_RT_FALSE;
  context.flags &= ~*bit;
  return KAMC_RT_TRUE;
}

int isflagset_body(MessageContext& context, const FunctionCall& call) {
  auto bit = flag_bit(context, call);
  return bit && (context.flags & *bit) ? KAMC_RT_TRUE : KAMC_RT_FALSE;
}

int setbflag_body(MessageContext& context, const FunctionCall& call) {
  auto bit = flag_bit(context, call);
  std::uint32_t* flags = branch_flags(context, call);
  if (!bit || !flags) return KAMC_RT_FALSE;
  *flags |= *bit;
  return KAMC_RT_TRUE;
}

int resetbflag_body(MessageContext& context, const FunctionCall& call) {
  auto bit = flag_bit(context, call);
  std::uint32_t* flags = branch_flags(context, call);
  if (!bit || !flags) return KAMC_RT_FALSE;
  *flags &= ~*bit;
  return KAMC_RT_TRUE;
}

int isbflagset_body(MessageContext& context, const FunctionCall& call) {
  auto bit = flag_bit(context, call);
  std::uint32_t* flags = branch_flags(context, call);
  return bit && flags && (*flags & *bit) ? KAMC_RT_TRUE : KAMC_RT_FALSE;
}

// The reply goes to the source port, and the Via gets rport=, as if the client asked.
int force_rport_body(MessageContext& context, const FunctionCall&) {
  context.force_rport = true;
  return KAMC_RT_TRUE;
}

// Replies already go back over the connection the request came on; without it the
// runtime does not connect either, so this only records the wish.
int set_reply_no_connect_body(MessageContext& context, const FunctionCall&) {
  context.reply_no_connect = true;
  return KAMC_RT_TRUE;
}

constexpr std::array<FunctionEntry, 9> kFlags{{
    {"core", "setflag", setflag_body, fixup_flag},
    {"core", "resetflag", resetflag_body, fixup_flag},
    {"core", "isflagset", isflagset_body, fixup_flag},
    {"core", "force_rport", force_rport_body, nullptr},
    {"core", "add_rport", force_rport_body, nullptr},
    {"core", "set_reply_no_connect", set_reply_no_connect_body, nullptr},
    {"kex", "setbflag", setbflag_body, fixup_flag},
    {"kex", "resetbflag", resetbflag_body, fixup_flag},
    {"kex", "isbflagset", isbflagset_body, fixup_flag},
}};

}  // namespace

std::span<const FunctionEntry> flag_functions() { return kFlags; }

}  // namespace kamc::runtime
