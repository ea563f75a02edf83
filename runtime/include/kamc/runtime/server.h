// The SIP server: listen sockets, `children` worker threads, the shared TCP connection
// table, and the per-message pipeline (parse, run the route, relay replies).
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "kamc/runtime/runtime.h"
#include "kamc/runtime/socket_address.h"

namespace kamc::runtime {

class Worker;
class ConnectionTable;

struct ServerConfig {
  std::vector<ListenSpec> listen;
  int children = 8;  // kamailio's default
  int tcp_idle_timeout_seconds = 120;  // kamailio's tcp_connection_lifetime default
  // kamailio's `alias`: extra names that count as myself.
  std::vector<std::pair<std::string, std::optional<std::uint16_t>>> aliases;
};

class Server {
 public:
  Server(Runtime& runtime, ServerConfig config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every listen address once per worker (SO_REUSEPORT) and records the bound
  // addresses, with the real port when the spec said 0, in runtime.local_addresses().
  bool open(std::string& error);
  // Starts the worker threads; routes must be registered before.
  void start();
  // Wakes every worker, waits for them to finish, closes all sockets. Idempotent.
  void stop();

  Runtime& runtime() { return runtime_; }
  const ServerConfig& config() const { return config_; }
  ConnectionTable& connections() { return *connections_; }
  int wakeup_fd() const { return wakeup_fd_; }

 private:
  Runtime& runtime_;
  ServerConfig config_;
  std::unique_ptr<ConnectionTable> connections_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  int wakeup_fd_ = -1;
};

}  // namespace kamc::runtime
