// kamc-runtime-harness: the SIP runtime with a built-in route set, for integration tests
// and benchmarks. It takes its own options (--route, --relay-to, --alternate,
// --modparam) and hands everything else to run_program, the same process driver a
// compiled config runs under, with the route set's load function as "the config".
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness_routes.h"
#include "kamc/runtime/program.h"

namespace {

constexpr int kExitUsage = 2;

struct Modparam {
  std::string module, name, value;
};

// What the load function needs; set once in main before run_program calls it.
struct HarnessConfig {
  kamc_rt_load_fn route_set = nullptr;
  std::vector<Modparam> modparams;
} g_harness;

void print_usage() {
  std::printf(
      "usage: kamc-runtime-harness -l proto:addr:port [-l ...] [options]\n"
      "  -l ADDR        listen address: udp:127.0.0.1:5060, tcp:[::1]:5070 (repeatable; port 0 = any);\n"
      "                 ADDR/HOST[:PORT] advertises HOST:PORT in Via and Record-Route\n"
      "  -n N           worker threads (children), default 8\n"
      "  -D             stay in the foreground (default: fork into the background)\n"
      "  -E             log to stderr (default: syslog)\n"
      "  -d             raise the log level by one (repeatable); --debug=N sets it\n"
      "  -P FILE        write the pid file\n"
      "  -m MB, -M MB   accepted for kamailio compatibility; memory is not capped\n"
      "  --route=NAME   built-in route set: %.*s (default stateless-proxy)\n"
      "  --relay-to=HOST:PORT  next hop of stateless-relay and stateful-relay (default 127.0.0.1:5070)\n"
      "  --alternate=URI       second destination of failure-reroute and fork-two (default sip:alternate@127.0.0.1:5071)\n"
      "  --modparam=MODULE.NAME=VALUE  a module parameter, e.g. tm.fr_inv_timer=2000 (repeatable)\n"
      "  --alias=HOST[:PORT]   another name that is `myself`\n"
      "  --tcp-idle-timeout=S  close TCP connections idle this long (default 120)\n"
      "  --version\n",
      static_cast<int>(kamc::harness::harness_route_names().size()), kamc::harness::harness_route_names().data());
}

bool parse_host_port(const std::string& text, std::string& host, int& port) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  port = std::atoi(text.c_str() + colon + 1);
  return port > 0 && port < 65536;
}

// "tm.fr_inv_timer=2000": a modparam as the config would set it (a number or a string).
std::optional<Modparam> parse_modparam(const std::string& text) {
  std::size_t dot = text.find('.');
  std::size_t equals = text.find('=');
  if (dot == std::string::npos || equals == std::string::npos || dot == 0 || equals < dot + 2) return std::nullopt;
  return Modparam{text.substr(0, dot), text.substr(dot + 1, equals - dot - 1), text.substr(equals + 1)};
}

// The route set's load function, after the --modparam values, as a config's init
// code sets modparams before its fixups.
int load_harness(kamc_rt_runtime* rt, char* error, size_t error_size) {
  for (const Modparam& modparam : g_harness.modparams) {
    bool numeric = !modparam.value.empty() && modparam.value.find_first_not_of("0123456789") == std::string::npos;
    kamc_rt_arg value{numeric ? KAMC_RT_ARG_INT : KAMC_RT_ARG_STR, numeric ? std::stoll(modparam.value) : 0,
                      modparam.value.c_str(), modparam.value.size()};
    if (kamc_rt_set_modparam(rt, modparam.module.c_str(), modparam.name.c_str(), &value, error, error_size) != 0) {
      kamc_rt_error_prefix(error, error_size, ("--modparam " + modparam.module + "." + modparam.name + ": ").c_str());
      return -1;
    }
  }
  if (kamc_rt_init_modules(rt, error, error_size) != 0) return -1;
  return g_harness.route_set(rt, error, error_size);
}

// The value of option `name` at args[i] ("--name=V" or "--name V"), advancing i.
std::optional<std::string> option_value(std::string_view name, const std::vector<std::string>& args, std::size_t& i) {
  const std::string& arg = args[i];
  if (arg.size() > name.size() && arg.compare(0, name.size(), name) == 0 && arg[name.size()] == '=') {
    return arg.substr(name.size() + 1);
  }
  if (arg == name && i + 1 < args.size()) return args[++i];
  return std::nullopt;
}

// Takes the harness's own options out of args; returns -1 to go on, or the exit code.
int take_harness_options(std::vector<std::string>& args, std::string& route,
                         kamc::harness::HarnessRouteOptions& route_options) {
  std::vector<std::string> rest{args[0]};
  bool listen_given = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (auto value = option_value("--route", args, i)) {
      route = *value;
    } else if (auto relay = option_value("--relay-to", args, i)) {
      if (!parse_host_port(*relay, route_options.relay_host, route_options.relay_port)) {
        std::fprintf(stderr, "kamc-runtime-harness: --relay-to wants HOST:PORT, not '%s'\n", relay->c_str());
        return kExitUsage;
      }
    } else if (auto alternate = option_value("--alternate", args, i)) {
      if (alternate->substr(0, 4) != "sip:") {
        std::fprintf(stderr, "kamc-runtime-harness: --alternate wants a sip: URI, not '%s'\n", alternate->c_str());
        return kExitUsage;
      }
      route_options.alternate_uri = *alternate;
    } else if (auto text = option_value("--modparam", args, i)) {
      auto modparam = parse_modparam(*text);
      if (!modparam) {
        std::fprintf(stderr, "kamc-runtime-harness: --modparam wants MODULE.NAME=VALUE, not '%s'\n", text->c_str());
        return kExitUsage;
      }
      g_harness.modparams.push_back(*modparam);
    } else if (args[i] == "-h" || args[i] == "--help") {
      print_usage();
      return 0;
    } else {
      listen_given = listen_given || args[i].rfind("-l", 0) == 0;
      rest.push_back(args[i]);
    }
  }
  // Unlike kamailio, the harness has no listen default: tests always say where.
  bool asks_only_version = rest.size() == 2 && (rest[1] == "--version" || rest[1] == "-V");
  if (!listen_given && !asks_only_version) {
    std::fprintf(stderr, "kamc-runtime-harness: at least one -l listen address is required\n");
    return kExitUsage;
  }
  args = std::move(rest);
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  std::string route = "stateless-proxy";
  kamc::harness::HarnessRouteOptions route_options;
  if (int code = take_harness_options(args, route, route_options); code >= 0) return code;
  g_harness.route_set = kamc::harness::find_harness_routes(route);
  if (!g_harness.route_set) {
    std::fprintf(stderr, "kamc-runtime-harness: unknown --route=%s (known: %.*s)\n", route.c_str(),
                 static_cast<int>(kamc::harness::harness_route_names().size()),
                 kamc::harness::harness_route_names().data());
    return 1;
  }
  kamc::harness::set_harness_route_options(route_options);
  kamc::runtime::ProgramInfo info;
  info.name = "kamc-runtime-harness";
  info.version_text = "0.1.0 (kamc runtime ABI " + std::to_string(KAMC_RT_ABI_VERSION) + ")";
  info.load = load_harness;
  std::vector<char*> runtime_argv;
  for (std::string& arg : args) runtime_argv.push_back(arg.data());
  runtime_argv.push_back(nullptr);
  return kamc::runtime::run_program(info, static_cast<int>(args.size()), runtime_argv.data());
}
