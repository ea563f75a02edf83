// Built-in route sets of the test harness, hand-written against abi.h the way codegen
// will emit them: fixups in a load function, per-message code using only handles.
#pragma once

#include <string>
#include <string_view>

#include "kamc/runtime/abi.h"

namespace kamc::harness {

struct HarnessRouteOptions {
  std::string relay_host = "127.0.0.1";  // stateless-relay's forward(host, port), stateful-relay's $du
  int relay_port = 5070;
  // failure-reroute's second destination and fork-two's second branch.
  std::string alternate_uri = "sip:alternate@127.0.0.1:5071";
};

// nullptr when no route set has that name.
kamc_rt_load_fn find_harness_routes(std::string_view name);
void set_harness_route_options(const HarnessRouteOptions& options);
std::string_view harness_route_names();  // for --help

}  // namespace kamc::harness
