// The stateful route sets (tm) of the harness; harness_routes.cpp lists them with the others.
#pragma once

#include <span>
#include <string_view>

#include "harness_routes.h"

namespace kamc::harness {

struct NamedRouteSet {
  std::string_view name;
  kamc_rt_load_fn load;
};

std::span<const NamedRouteSet> tm_route_sets();
void set_tm_route_options(const HarnessRouteOptions& options);

}  // namespace kamc::harness
