// The server's configuration from the cfg's core parameters (listen with its advertise and
// name options, port, children, tcp_children, alias, advertised_address/advertised_port,
// disable_tcp, tcp_connection_lifetime), read the way Kamailio 5.6 reads them, with the
// command line's overrides on top.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kamc/runtime/server.h"
#include "kamc/runtime/settings.h"

namespace kamc::runtime {

// What kamailio's command line sets instead of the config.
struct CommandLineOverrides {
  std::vector<std::string> listen;      // -l: replaces the config's listen values
  std::optional<int> children;          // -n
  std::optional<int> tcp_idle_timeout;  // --tcp-idle-timeout: overrides tcp_connection_lifetime
  std::vector<std::string> aliases;     // --alias
  std::optional<int> tcp_max_connections_per_source;  // kamc's own flag (no cfg parameter in 5.6)
};

// One listen value, as the cfg writes it: one or more addresses ("udp:10.0.0.1:5060",
// "10.0.0.1" = udp and tcp unless disable_tcp, no port = `port`), then the options
// `advertise HOST[:PORT]` and `name "NAME"`. Kamailio's -l form "ADDR/HOST[:PORT]"
// advertises too. Appends one ListenSpec per address and transport.
bool add_listen_value(std::string_view text, const RuntimeSettings& settings, ServerConfig& config,
                      std::string& error);

bool build_server_config(const RuntimeSettings& settings, const CommandLineOverrides& overrides,
                         ServerConfig& config, std::string& error);

}  // namespace kamc::runtime
