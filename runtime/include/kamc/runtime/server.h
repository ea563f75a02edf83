// The SIP server: listen sockets, worker threads (`children` for UDP, `tcp_children` for
// TCP), the shared TCP connection table, and the per-message pipeline (parse, run the
// route, relay replies).
#pragma once

#include <memory>
#include <optional>
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
  int children = 8;  // kamailio's default; the workers that serve the UDP sockets
  // kamailio's tcp_children: the workers that accept and read TCP; nullopt = children.
  std::optional<int> tcp_children;
  AdvertisedAddress advertised;  // the global advertised_address / advertised_port
  int tcp_idle_timeout_seconds = 120;  // kamailio's tcp_connection_lifetime default
  int tcp_max_connections = 2048;      // kamailio's tcp_max_connections (and its default)
  // Accepted TCP connections from one IP address (kamc's own; Kamailio 5.8 calls it
  // tcp_accept_iplimit). nullopt: half of tcp_max_connections; 0: no limit.
  std::optional<int> tcp_max_connections_per_source;
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
  // Worker threads: max(children, tcp_children), counting only transports that have a
  // listen socket. Worker i reads the UDP sockets when i < children and accepts TCP when
  // i < tcp_children; a worker without its own UDP socket sends UDP through worker 0's.
  int worker_count() const { return static_cast<int>(workers_.size()); }
  int udp_worker_count() const { return udp_workers_; }
  int tcp_worker_count() const { return tcp_workers_; }
  // The socket any worker may send a datagram from for listen socket `index`; -1 if none.
  int udp_send_fd(int index) const;

  // Starts the worker threads; routes must be registered before.
  void start();
  // Wakes every worker, waits for them to finish, closes all sockets. Idempotent.
  void stop();

  Runtime& runtime() { return runtime_; }
  const ServerConfig& config() const { return config_; }
  ConnectionTable& connections() { return *connections_; }
  int wakeup_fd() const { return wakeup_fd_; }

 private:
  void size_worker_pools();
  bool bind_first_sockets(std::string& error);
  bool bind_worker_sockets(std::string& error);

  Runtime& runtime_;
  ServerConfig config_;
  std::unique_ptr<ConnectionTable> connections_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  int wakeup_fd_ = -1;
  int udp_workers_ = 0;
  int tcp_workers_ = 0;
  std::vector<int> udp_send_fds_;  // by listen socket index: worker 0's UDP socket, else -1
};

}  // namespace kamc::runtime
