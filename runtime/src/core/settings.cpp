// The configuration half of the ABI: core parameters, loadmodule and modparam as a
// compiled config's init code sets them, kept in Runtime::settings() for the program.
#include "kamc/runtime/settings.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include "abi_error.h"
#include "dns_resolver.h"
#include "kamc/catalog/Catalog.h"
#include "module.h"
#include "kamc/runtime/abi.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/runtime.h"

namespace kamc::runtime {

bool RuntimeSettings::module_loaded(std::string_view name) const {
  return std::find(loaded_modules.begin(), loaded_modules.end(), name) != loaded_modules.end();
}

const ModparamValue* RuntimeSettings::modparam(std::string_view module, std::string_view param) const {
  auto m = modparams.find(module);
  if (m == modparams.end()) return nullptr;
  auto p = m->second.find(std::string(param));
  return p == m->second.end() ? nullptr : &p->second;
}

std::optional<long long> parse_param_number(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, int>, 6> kBooleans{
      {{"yes", 1}, {"no", 0}, {"on", 1}, {"off", 0}, {"true", 1}, {"false", 0}}};
  for (auto [word, value] : kBooleans) {
    if (text.size() == word.size() &&
        std::equal(text.begin(), text.end(), word.begin(), [](char a, char b) { return (a | 0x20) == b; })) {
      return value;
    }
  }
  long long value = 0;
  const char* begin = text.data();
  if (!text.empty() && text.front() == '+') ++begin;
  auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

void apply_process_settings(const RuntimeSettings& settings) {
  set_srv_selection(settings.dns_srv_lb.value_or(false) ? SrvSelection::WeightedRandom
                                                        : SrvSelection::HighestWeightFirst);
}

bool runtime_provides_module(std::string_view name) { return find_module(name) != nullptr; }

namespace {

// Kamailio's value syntax for the few numeric core parameters the runtime reads.
bool set_number(std::optional<int>& slot, std::string_view name, std::string_view value, std::string& error,
                long long max = 1000000) {
  auto number = parse_param_number(value);
  if (!number || *number < 0 || *number > max) {
    error = std::string(name) + ": '" + std::string(value) + "' is not a valid number";
    return false;
  }
  slot = static_cast<int>(*number);
  return true;
}

bool set_flag(bool& slot, std::string_view name, std::string_view value, std::string& error) {
  auto flag = parse_param_number(value);
  if (!flag) {
    error = std::string(name) + ": '" + std::string(value) + "' is not yes/no";
    return false;
  }
  slot = *flag != 0;
  return true;
}

bool set_log_level(RuntimeSettings& settings, std::string_view value, std::string& error) {
  int level = 0;
  if (!log_level_from_name(value, level)) {
    error = "debug: '" + std::string(value) + "' is not a log level";
    return false;
  }
  settings.debug = level;
  return true;
}

bool set_log_facility(RuntimeSettings& settings, std::string_view value, std::string& error) {
  int facility = 0;
  if (!log_facility_from_name(value, facility)) {
    error = "log_facility: '" + std::string(value) +
            "' is not a syslog facility (LOG_DAEMON, LOG_LOCAL0 ... LOG_LOCAL7, LOG_USER, ...; see syslog(3))";
    return false;
  }
  settings.log_facility = facility;
  return true;
}

bool set_advertised_address(RuntimeSettings& settings, std::string_view value, std::string& error) {
  if (value.empty() || value.find_first_of(" \t\"") != std::string_view::npos) {
    error = "advertised_address: '" + std::string(value) + "' is not an IP address or host name";
    return false;
  }
  settings.advertised_address = value;
  return true;
}

bool set_advertised_port(RuntimeSettings& settings, std::string_view value, std::string& error) {
  if (!set_number(settings.advertised_port, "advertised_port", value, error, 65535)) return false;
  if (*settings.advertised_port != 0) return true;
  error = "advertised_port: 0 is not a port";
  return false;
}

// The core parameters the runtime acts on, by their canonical catalog name. Which
// spellings exist (dns_srv_loadbalancing is dns_srv_lb) is the catalog's to say.
struct CoreParamSetter {
  std::string_view name;
  bool (*set)(RuntimeSettings& settings, std::string_view name, std::string_view value, std::string& error);
};

template <std::optional<int> RuntimeSettings::*Field>
bool number_setter(RuntimeSettings& settings, std::string_view name, std::string_view value, std::string& error) {
  return set_number(settings.*Field, name, value, error);
}

template <std::optional<bool> RuntimeSettings::*Field>
bool optional_flag_setter(RuntimeSettings& settings, std::string_view name, std::string_view value,
                          std::string& error) {
  return set_flag((settings.*Field).emplace(), name, value, error);
}

constexpr std::array<CoreParamSetter, 15> kCoreParamSetters{{
    {"listen", [](RuntimeSettings& s, std::string_view, std::string_view v, std::string&) {
       s.listen.emplace_back(v);
       return true;
     }},
    {"alias", [](RuntimeSettings& s, std::string_view, std::string_view v, std::string&) {
       s.aliases.emplace_back(v);
       return true;
     }},
    {"port", number_setter<&RuntimeSettings::port>},
    {"children", number_setter<&RuntimeSettings::children>},
    {"tcp_children", number_setter<&RuntimeSettings::tcp_children>},
    {"tcp_connection_lifetime", number_setter<&RuntimeSettings::tcp_connection_lifetime>},
    {"tcp_max_connections", number_setter<&RuntimeSettings::tcp_max_connections>},
    {"advertised_address",
     [](RuntimeSettings& s, std::string_view, std::string_view v, std::string& e) { return set_advertised_address(s, v, e); }},
    {"advertised_port",
     [](RuntimeSettings& s, std::string_view, std::string_view v, std::string& e) { return set_advertised_port(s, v, e); }},
    {"debug", [](RuntimeSettings& s, std::string_view, std::string_view v, std::string& e) { return set_log_level(s, v, e); }},
    {"log_facility",
     [](RuntimeSettings& s, std::string_view, std::string_view v, std::string& e) { return set_log_facility(s, v, e); }},
    {"log_stderror", optional_flag_setter<&RuntimeSettings::log_stderror>},
    {"dns_srv_lb", optional_flag_setter<&RuntimeSettings::dns_srv_lb>},
    {"disable_tcp", [](RuntimeSettings& s, std::string_view n, std::string_view v, std::string& e) {
       return set_flag(s.disable_tcp, n, v, e);
     }},
    {"log_prefix", [](RuntimeSettings& s, std::string_view, std::string_view v, std::string&) {
       s.log_prefix = v;
       return true;
     }},
}};

bool set_core_param(RuntimeSettings& settings, std::string_view name, std::string_view value, std::string& error) {
  const catalog::CoreParamInfo* info = catalog::findCoreParam(name);
  if (!info) {
    log_format(L_WARN, "core parameter %.*s is not a Kamailio 5.6 parameter; ignored", static_cast<int>(name.size()),
               name.data());
    return true;
  }
  std::string_view canonical = info->aliasOf.empty() ? info->name : info->aliasOf;
  for (const CoreParamSetter& setter : kCoreParamSetters) {
    if (setter.name == canonical) return setter.set(settings, name, value, error);
  }
  log_format(L_INFO, "core parameter %.*s has no effect in the kamc runtime", static_cast<int>(name.size()),
             name.data());
  return true;
}

}  // namespace
}  // namespace kamc::runtime

using kamc::runtime::from_abi;

extern "C" {

int kamc_rt_set_core_param(kamc_rt_runtime* rt, const char* name, const char* value, size_t length, char* error,
                           size_t error_size) {
  std::string message;
  std::string_view text(value ? value : "", value ? length : 0);
  if (kamc::runtime::set_core_param(from_abi(rt)->settings(), name ? name : "", text, message)) return 0;
  kamc::runtime::write_abi_error(error, error_size, message);
  return -1;
}

int kamc_rt_load_module(kamc_rt_runtime* rt, const char* name) {
  std::string_view module(name ? name : "");
  auto& settings = from_abi(rt)->settings();
  if (!settings.module_loaded(module)) settings.loaded_modules.emplace_back(module);
  if (from_abi(rt)->load_module(module)) return 1;
  kamc::runtime::log_format(kamc::runtime::L_INFO, "module %s is not provided by the kamc runtime", name);
  return 0;
}

int kamc_rt_set_modparam(kamc_rt_runtime* rt, const char* module, const char* param, const kamc_rt_arg* value,
                         char* error, size_t error_size) {
  if (!module || !param || !value) {
    kamc::runtime::write_abi_error(error, error_size, "modparam needs a module, a parameter and a value");
    return -1;
  }
  kamc::runtime::ModparamValue stored;
  stored.is_int = value->kind == KAMC_RT_ARG_INT;
  stored.number = value->number;
  if (!stored.is_int) stored.text.assign(value->text ? value->text : "", value->text ? value->length : 0);
  // modparam("a|b", ...) sets the parameter of every listed module, as in Kamailio.
  std::string_view list(module);
  while (!list.empty()) {
    std::size_t bar = list.find('|');
    std::string one(list.substr(0, bar));
    std::string message;
    if (!from_abi(rt)->set_modparam(one, param, *value, message)) {
      kamc::runtime::write_abi_error(error, error_size, message);
      return -1;
    }
    from_abi(rt)->settings().modparams[one][param] = stored;
    list = bar == std::string_view::npos ? std::string_view{} : list.substr(bar + 1);
  }
  return 0;
}

int kamc_rt_init_modules(kamc_rt_runtime* rt, char* error, size_t error_size) {
  std::string message;
  if (from_abi(rt)->init_modules(message)) return 0;
  kamc::runtime::write_abi_error(error, error_size, message);
  return -1;
}

}  // extern "C"
