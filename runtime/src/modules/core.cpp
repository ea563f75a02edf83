// The core's script functions: forward(), drop, exit, the message flags and the small
// per-message switches force_rport() and set_reply_no_connect(); and the pv module,
// whose pseudo-variables and transformations the core implements.
#include <array>

#include "../core/module.h"
#include "../core/proxy.h"
#include "kamc/runtime/message_context.h"

namespace kamc::runtime {

namespace {

// forward() / forward(host) / forward(host, port): UDP, as in Kamailio's forward().
int forward_body(MessageContext& context, const FunctionCall& call) {
  if (call.args.empty()) return forward_request(context, std::nullopt);
  NextHop hop;
  hop.host = arg_text(context, call, 0);
  if (call.args.size() > 1) {
    auto port = arg_int(context, call, 1);
    if (!port || *port < 1 || *port > 65535) return KAMC_RT_FALSE;
    hop.port = static_cast<std::uint16_t>(*port);
  }
  return forward_request(context, hop);
}

int drop_body(MessageContext& context, const FunctionCall&) {
  context.dropped = true;
  return KAMC_RT_EXIT;
}

int exit_body(MessageContext&, const FunctionCall&) { return KAMC_RT_EXIT; }

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


constexpr std::array<FunctionExport, 9> kCoreFunctions{{
    {"forward", forward_body},
    {"drop", drop_body},
    {"exit", exit_body},
    {"setflag", setflag_body, fixup_flag},
    {"resetflag", resetflag_body, fixup_flag},
    {"isflagset", isflagset_body, fixup_flag},
    {"force_rport", force_rport_body},
    {"add_rport", force_rport_body},
    {"set_reply_no_connect", set_reply_no_connect_body},
}};

}  // namespace

extern const ModuleExports kCoreModule{
    .name = "core",
    .functions = kCoreFunctions,
    .pseudo_variables = kCorePseudoVariables,
};

// pv: its pseudo-variables (src/core/pseudo_variables.cpp); no functions yet.
extern const ModuleExports kPvModule{
    .name = "pv",
    .pseudo_variables = kPvModulePseudoVariables,
    .transformations = kPvModuleTransformations,
};

}  // namespace kamc::runtime
