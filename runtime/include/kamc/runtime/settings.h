// What a compiled config's init code set through kamc_rt_set_core_param, kamc_rt_load_module
// and kamc_rt_set_modparam: the core parameters the runtime honours, the modules the
// config loads and their parameters. The program's command line overrides some of them
// (-l, -n, -E, -d), as kamailio's command line overrides its config.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kamc::runtime {

struct ModparamValue {
  bool is_int = false;
  long long number = 0;
  std::string text;
};

struct RuntimeSettings {
  std::vector<std::string> listen;  // listen=..., as written
  std::optional<int> port;          // port=N: the port of listen addresses without one
  std::optional<int> children;
  std::optional<int> tcp_children;  // nullopt (or 0): as many as children, as in Kamailio
  std::optional<int> debug;
  std::optional<bool> log_stderror;
  std::string log_prefix;
  std::optional<int> log_facility;  // the syslog facility (LOG_LOCAL0 ...); nullopt: LOG_DAEMON
  std::vector<std::string> aliases;  // alias=host[:port]
  std::string advertised_address;    // advertised_address=HOST; "" when not set
  std::optional<int> advertised_port;
  bool disable_tcp = false;
  std::optional<int> tcp_connection_lifetime;
  std::optional<int> tcp_max_connections;
  std::optional<bool> dns_srv_lb;  // RFC 2782 weighted SRV selection
  std::vector<std::string> loaded_modules;
  std::map<std::string, std::map<std::string, ModparamValue>, std::less<>> modparams;

  bool module_loaded(std::string_view name) const;
  // The parameter's value when the config set it, else nullptr.
  const ModparamValue* modparam(std::string_view module, std::string_view param) const;
};

// "yes"/"no"/"on"/"off"/"true"/"false"/digits -> value; nullopt when not a number or boolean.
std::optional<long long> parse_param_number(std::string_view text);

// Applies the settings that are process-wide rather than per server: the SRV selection
// (dns_srv_lb). run_program calls it once the config is loaded.
void apply_process_settings(const RuntimeSettings& settings);

// The modules whose functions the runtime implements.
bool runtime_provides_module(std::string_view name);

}  // namespace kamc::runtime
