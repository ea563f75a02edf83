// kex: branch flags (setbflag, resetbflag, isbflagset). The core's message flags are in
// core.cpp.
#include <array>

#include "../core/module.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/message_context.h"

namespace kamc::runtime {

namespace {

// setbflag(flag[, branch]): only branch 0, the request's own branch, exists before tm
// forks, so a branch index other than 0 is refused.
std::uint32_t* branch_flags(MessageContext& context, const FunctionCall& call) {
  if (call.args.size() > 1) {
    auto branch = arg_int(context, call, 1);
    if (!branch || *branch != 0) return nullptr;
  }
  return &context.branch_flags;
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

constexpr std::array<FunctionExport, 3> kKexFunctions{{
    {"setbflag", setbflag_body, fixup_flag},
    {"resetbflag", resetbflag_body, fixup_flag},
    {"isbflagset", isbflagset_body, fixup_flag},
}};

}  // namespace

extern const ModuleExports kKexModule{
    .name = "kex",
    .functions = kKexFunctions,
};

}  // namespace kamc::runtime
