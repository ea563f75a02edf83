// Core script functions: forward(), drop and exit.
#include <array>

#include "../core/functions.h"
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


constexpr std::array<FunctionEntry, 3> kCore{{
    {"core", "forward", forward_body, nullptr},
    {"core", "drop", drop_body, nullptr},
    {"core", "exit", exit_body, nullptr},
}};

}  // namespace

std::span<const FunctionEntry> core_functions() { return kCore; }

}  // namespace kamc::runtime
