// kamc-runtime-harness: the SIP runtime with a built-in route set, for integration tests
// and benchmarks until compiled configs exist. Option parsing and wiring only.
#include <getopt.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "harness_routes.h"
#include "kamc/runtime/daemon.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/runtime.h"
#include "kamc/runtime/server.h"

namespace {

using namespace kamc::runtime;

struct Options {
  ServerConfig server;
  bool foreground = false;
  bool log_to_stderr = false;
  int debug = L_WARN;
  std::string pid_file;
  std::string route = "stateless-proxy";
  kamc::harness::HarnessRouteOptions route_options;
  struct Modparam {
    std::string module, name, value;
  };
  std::vector<Modparam> modparams;
};

constexpr int kExitUsage = 2;

void print_usage() {
  std::printf(
      "usage: kamc-runtime-harness -l proto:addr:port [-l ...] [options]\n"
      "  -l ADDR        listen address: udp:127.0.0.1:5060, tcp:[::1]:5070 (repeatable; port 0 = any)\n"
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

bool add_alias(const std::string& text, Options& options) {
  std::string host;
  int port = 0;
  if (parse_host_port(text, host, port)) {
    options.server.aliases.emplace_back(host, static_cast<std::uint16_t>(port));
  } else {
    options.server.aliases.emplace_back(text, std::nullopt);
  }
  return true;
}

// "tm.fr_inv_timer=2000": a modparam as the config would set it (a number or a string).
bool add_modparam(const std::string& text, Options& options) {
  std::size_t dot = text.find('.');
  std::size_t equals = text.find('=');
  if (dot == std::string::npos || equals == std::string::npos || dot == 0 || equals < dot + 2) return false;
  options.modparams.push_back({text.substr(0, dot), text.substr(dot + 1, equals - dot - 1), text.substr(equals + 1)});
  return true;
}

// Returns -1 to go on, or the exit code.
int parse_options(int argc, char** argv, Options& options) {
  enum { kRoute = 256, kRelayTo, kAlias, kIdle, kDebug, kVersion, kHelp, kAlternate, kModparam };
  static const option kLong[] = {{"route", required_argument, nullptr, kRoute},
                                 {"relay-to", required_argument, nullptr, kRelayTo},
                                 {"alternate", required_argument, nullptr, kAlternate},
                                 {"modparam", required_argument, nullptr, kModparam},
                                 {"alias", required_argument, nullptr, kAlias},
                                 {"tcp-idle-timeout", required_argument, nullptr, kIdle},
                                 {"debug", required_argument, nullptr, kDebug},
                                 {"version", no_argument, nullptr, kVersion},
                                 {"help", no_argument, nullptr, kHelp},
                                 {nullptr, 0, nullptr, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "l:n:DEdP:m:M:h", kLong, nullptr)) != -1) {
    std::string error;
    switch (c) {
      case 'l': {
        auto spec = parse_listen_spec(optarg, error);
        if (!spec) {
          std::fprintf(stderr, "kamc-runtime-harness: -l %s: %s\n", optarg, error.c_str());
          return kExitUsage;
        }
        options.server.listen.push_back(*spec);
        break;
      }
      case 'n': options.server.children = std::atoi(optarg); break;
      case 'D': options.foreground = true; break;
      case 'E': options.log_to_stderr = true; break;
      case 'd': ++options.debug; break;
      case 'P': options.pid_file = optarg; break;
      case 'm':
      case 'M': break;
      case kRoute: options.route = optarg; break;
      case kRelayTo:
        if (!parse_host_port(optarg, options.route_options.relay_host, options.route_options.relay_port)) {
          std::fprintf(stderr, "kamc-runtime-harness: --relay-to wants HOST:PORT, not '%s'\n", optarg);
          return kExitUsage;
        }
        break;
      case kAlternate:
        if (std::string_view(optarg).substr(0, 4) != "sip:") {
          std::fprintf(stderr, "kamc-runtime-harness: --alternate wants a sip: URI, not '%s'\n", optarg);
          return kExitUsage;
        }
        options.route_options.alternate_uri = optarg;
        break;
      case kModparam:
        if (!add_modparam(optarg, options)) {
          std::fprintf(stderr, "kamc-runtime-harness: --modparam wants MODULE.NAME=VALUE, not '%s'\n", optarg);
          return kExitUsage;
        }
        break;
      case kAlias: add_alias(optarg, options); break;
      case kIdle: options.server.tcp_idle_timeout_seconds = std::atoi(optarg); break;
      case kDebug: options.debug = std::atoi(optarg); break;
      case kVersion: std::printf("kamc-runtime-harness 0.1.0 (kamc runtime ABI %d)\n", KAMC_RT_ABI_VERSION); return 0;
      case 'h':
      case kHelp: print_usage(); return 0;
      default: print_usage(); return kExitUsage;
    }
  }
  if (options.server.listen.empty()) {
    std::fprintf(stderr, "kamc-runtime-harness: at least one -l listen address is required\n");
    return kExitUsage;
  }
  return -1;
}

bool load_routes(Runtime& runtime, const Options& options) {
  kamc_rt_load_fn load = kamc::harness::find_harness_routes(options.route);
  if (!load) {
    log_format(L_CRIT, "unknown --route=%s (known: %.*s)", options.route.c_str(),
               static_cast<int>(kamc::harness::harness_route_names().size()),
               kamc::harness::harness_route_names().data());
    return false;
  }
  kamc::harness::set_harness_route_options(options.route_options);
  for (const auto& modparam : options.modparams) {
    bool numeric = !modparam.value.empty() && modparam.value.find_first_not_of("0123456789") == std::string::npos;
    kamc_rt_arg value{numeric ? KAMC_RT_ARG_INT : KAMC_RT_ARG_STR, numeric ? std::stoll(modparam.value) : 0,
                      modparam.value.c_str(), modparam.value.size()};
    std::string error;
    if (!runtime.set_modparam(modparam.module, modparam.name, value, error)) {
      log_format(L_CRIT, "--modparam %s.%s: %s", modparam.module.c_str(), modparam.name.c_str(), error.c_str());
      return false;
    }
  }
  char error[512] = {};
  if (load(to_abi(&runtime), error, sizeof error) != 0 || kamc_rt_check_routes(to_abi(&runtime), error, sizeof error) != 0) {
    log_format(L_CRIT, "loading route set %s failed: %s", options.route.c_str(), error);
    return false;
  }
  return true;
}

int run(const Options& options) {
  Runtime runtime;
  Server server(runtime, options.server);
  std::string error;
  if (!server.open(error)) {
    log_format(L_CRIT, "%s", error.c_str());
    return 1;
  }
  if (!load_routes(runtime, options)) return 1;
  if (!options.pid_file.empty() && !write_pid_file(options.pid_file, error)) {
    log_format(L_CRIT, "%s", error.c_str());
    return 1;
  }
  server.start();
  report_daemon_ready(true);
  int signal_number = wait_for_shutdown_signal();
  log_format(L_NOTICE, "signal %d received, shutting down", signal_number);
  server.stop();
  remove_pid_file(options.pid_file);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (int code = parse_options(argc, argv, options); code >= 0) return code;
  configure_logging({options.debug, options.log_to_stderr, {}});
  std::string error;
  if (!options.foreground && !daemonize(error)) {
    log_format(L_CRIT, "%s", error.c_str());
    return 1;
  }
  block_shutdown_signals();
  int code = run(options);
  if (code != 0) report_daemon_ready(false);
  return code;
}
