// What rr offers other modules, as Kamailio's rr API (rr/api.h) does: a callback run when
// loose_route() has consumed a Route URI of ours that carries parameters. path's
// use_received reads its received= there.
#pragma once

#include <string_view>

namespace kamc::runtime {

class MessageContext;
class Runtime;

// `route_params` are the URI parameters of the consumed Route entry (after a strict
// router: of the Request-URI, which held our Record-Route URI), without the leading ';'.
using RoutedParamsCallback = void (*)(MessageContext& context, std::string_view route_params);

// Kamailio's register_rrcb, at load time from a module's init (rr's init has run: it
// comes first among the built-in modules). The newest registration runs first.
void register_rr_callback(Runtime& runtime, RoutedParamsCallback callback);

}  // namespace kamc::runtime
