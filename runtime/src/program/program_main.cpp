// run_program: kamailio's daemon flags and start-up order around a compiled config.
#include "kamc/runtime/program.h"

#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "kamc/runtime/daemon.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/runtime.h"
#include "kamc/runtime/server.h"
#include "kamc/runtime/server_config.h"

namespace kamc::runtime {

namespace {

constexpr int kExitUsage = 2;

struct ProgramOptions {
  std::vector<std::string> listen;  // -l: replaces the config's listen addresses
  std::optional<int> children;      // -n
  bool foreground = false;          // -D, -DD
  bool log_to_stderr = false;       // -E
  int debug_raise = 0;              // -d, repeatable
  std::optional<int> debug;         // --debug=N
  std::string pid_file;             // -P
  std::string user, group;          // -u, -g
  bool check_only = false;          // -c
  std::vector<std::string> aliases; // --alias
  std::optional<int> tcp_idle_timeout;  // --tcp-idle-timeout: overrides tcp_connection_lifetime
  std::optional<int> tcp_max_connections_per_source;  // --tcp-max-connections-per-source
};

void print_usage(const std::string& name) {
  std::printf(
      "usage: %s [options]\n"
      "The config is compiled in; the flags are kamailio's:\n"
      "  -l ADDR      listen on [proto:]addr[:port][/advertised[:port]] instead of the config's listen\n"
      "               (repeatable)\n"
      "  -n N         number of worker threads (the config's children)\n"
      "  -D           stay in the foreground (-DD is the same)\n"
      "  -E           log to stderr          -e  accepted (colors are not used)\n"
      "  -d           raise the log level (repeatable); --debug=N sets it\n"
      "  -P FILE      write the pid file     -u USER, -g GROUP  drop privileges after binding\n"
      "  -m MB, -M MB accepted for kamailio compatibility; memory is not capped\n"
      "  -c           load and check the config, then exit\n"
      "  --alias=HOST[:PORT]  another name that is `myself`\n"
      "  --tcp-idle-timeout=S close TCP connections idle this long (default: tcp_connection_lifetime, 120)\n"
      "  --tcp-max-connections-per-source=N  accept at most N TCP connections from one IP address\n"
      "               (default: half of tcp_max_connections; 0: no limit)\n"
      "  --version, -V, -h\n",
      name.c_str());
}

// Returns -1 to go on, or the exit code.
int parse_options(const ProgramInfo& info, int argc, char** argv, ProgramOptions& options) {
  enum { kAlias = 256, kIdle, kPerSource, kDebug, kVersion, kHelp };
  static const option kLong[] = {{"alias", required_argument, nullptr, kAlias},
                                 {"tcp-idle-timeout", required_argument, nullptr, kIdle},
                                 {"tcp-max-connections-per-source", required_argument, nullptr, kPerSource},
                                 {"debug", required_argument, nullptr, kDebug},
                                 {"version", no_argument, nullptr, kVersion},
                                 {"help", no_argument, nullptr, kHelp},
                                 {nullptr, 0, nullptr, 0}};
  optind = 1;
  int c;
  while ((c = getopt_long(argc, argv, "l:n:DEedP:m:M:u:g:cVhf:A:", kLong, nullptr)) != -1) {
    switch (c) {
      case 'l': options.listen.emplace_back(optarg); break;
      case 'n': options.children = std::atoi(optarg); break;
      case 'D': options.foreground = true; break;
      case 'E': options.log_to_stderr = true; break;
      case 'e': break;
      case 'd': ++options.debug_raise; break;
      case 'P': options.pid_file = optarg; break;
      case 'm':
      case 'M': break;
      case 'u': options.user = optarg; break;
      case 'g': options.group = optarg; break;
      case 'c': options.check_only = true; break;
      case kAlias: options.aliases.emplace_back(optarg); break;
      case kIdle: options.tcp_idle_timeout = std::atoi(optarg); break;
      case kPerSource:
        if (*optarg == '\0' || std::string(optarg).find_first_not_of("0123456789") != std::string::npos) {
          std::fprintf(stderr, "%s: --tcp-max-connections-per-source wants a number (0: no limit)\n",
                       info.name.c_str());
          return kExitUsage;
        }
        options.tcp_max_connections_per_source = std::atoi(optarg);
        break;
      case kDebug: options.debug = std::atoi(optarg); break;
      case 'V':
      case kVersion: std::printf("%s %s\n", info.name.c_str(), info.version_text.c_str()); return 0;
      case 'h':
      case kHelp: print_usage(info.name); return 0;
      case 'f':
      case 'A':
        std::fprintf(stderr, "%s: -%c: the config is compiled into this program; rebuild it with kamc\n",
                     info.name.c_str(), c);
        return kExitUsage;
      default: print_usage(info.name); return kExitUsage;
    }
  }
  if (optind < argc) {
    std::fprintf(stderr, "%s: unexpected argument '%s'\n", info.name.c_str(), argv[optind]);
    return kExitUsage;
  }
  if (options.children && (*options.children < 1 || *options.children > 1024)) {
    std::fprintf(stderr, "%s: -n wants 1..1024 workers\n", info.name.c_str());
    return kExitUsage;
  }
  return -1;
}

CommandLineOverrides command_line_overrides(const ProgramOptions& options) {
  return {options.listen, options.children, options.tcp_idle_timeout, options.aliases,
          options.tcp_max_connections_per_source};
}

LogSettings log_settings(const ProgramOptions& options, const RuntimeSettings* settings) {
  LogSettings log;
  int base = settings && settings->debug ? *settings->debug : L_WARN;
  log.debug = options.debug.value_or(base + options.debug_raise);
  log.to_stderr = options.log_to_stderr || (settings && settings->log_stderror.value_or(false));
  if (settings) log.facility = settings->log_facility;
  return log;
}

bool load_config(const ProgramInfo& info, Runtime& runtime) {
  char error[1024] = {};
  if (!info.load || info.load(to_abi(&runtime), error, sizeof error) != 0 ||
      kamc_rt_check_routes(to_abi(&runtime), error, sizeof error) != 0) {
    log_format(L_CRIT, "loading the config failed: %s", error);
    return false;
  }
  return true;
}

bool drop_privileges(const ProgramOptions& options, std::string& error) {
  if (!options.group.empty()) {
    const group* entry = getgrnam(options.group.c_str());
    if (!entry || setgid(entry->gr_gid) != 0) {
      error = "cannot switch to group '" + options.group + "'";
      return false;
    }
  }
  if (!options.user.empty()) {
    const passwd* entry = getpwnam(options.user.c_str());
    if (!entry || (options.group.empty() && setgid(entry->pw_gid) != 0) || setuid(entry->pw_uid) != 0) {
      error = "cannot switch to user '" + options.user + "'";
      return false;
    }
  }
  return true;
}

int serve(const ProgramOptions& options, Runtime& runtime, ServerConfig config) {
  Server server(runtime, std::move(config));
  std::string error;
  if (!server.open(error) || !drop_privileges(options, error) ||
      (!options.pid_file.empty() && !write_pid_file(options.pid_file, error))) {
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

int run_program(const ProgramInfo& info, int argc, char** argv) {
  ProgramOptions options;
  if (int code = parse_options(info, argc, argv, options); code >= 0) return code;
  // Until the config's own log settings apply, errors go to the terminal, as kamailio's do.
  LogSettings startup = log_settings(options, nullptr);
  startup.to_stderr = true;
  configure_logging(startup);
  Runtime runtime;
  runtime.set_config_check(options.check_only);
  if (!load_config(info, runtime)) return 1;
  configure_logging(log_settings(options, &runtime.settings()));
  apply_process_settings(runtime.settings());
  ServerConfig config;
  std::string error;
  if (!build_server_config(runtime.settings(), command_line_overrides(options), config, error)) {
    log_format(L_CRIT, "%s", error.c_str());
    return 1;
  }
  if (options.check_only) {
    std::fprintf(stderr, "config file ok, exiting...\n");
    return 0;
  }
  if (!options.foreground && !daemonize(error)) {
    log_format(L_CRIT, "%s", error.c_str());
    return 1;
  }
  block_shutdown_signals();
  int code = serve(options, runtime, std::move(config));
  if (code != 0) report_daemon_ready(false);
  return code;
}

}  // namespace kamc::runtime
