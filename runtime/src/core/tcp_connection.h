// A TCP connection shared by all workers: the worker that accepted or opened it reads
// from it; any worker may send on it (replies and requests to that peer reuse it).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "kamc/runtime/local_addresses.h"
#include "kamc/runtime/socket_address.h"

namespace kamc::runtime {

class TcpConnection {
 public:
  // Whether the peer connected to us or we to it: only accepted ones count against the
  // per-source limit.
  enum class Origin { Accepted, Opened };

  TcpConnection(int fd, SocketAddress peer, const ListenSocket* local, Origin origin);
  ~TcpConnection();  // the fd is closed only here, so a sender holding a reference never writes to a reused fd
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  int fd() const { return fd_; }
  const SocketAddress& peer() const { return peer_; }
  const ListenSocket* local() const { return local_; }
  Origin origin() const { return origin_; }

  // Writes everything or fails (and marks the connection closed); waits a bounded time
  // when the peer is slow to read.
  bool send_all(std::string_view bytes);
  // Stops both directions now; the owner removes the connection on its next pass.
  void close();
  bool is_closed() const { return closed_.load(std::memory_order_acquire); }

  void touch();
  std::chrono::steady_clock::duration idle_for() const;

  // Bytes read but not yet framed into a message; used by the owning worker only.
  std::string& input() { return input_; }

 private:
  int fd_;
  SocketAddress peer_;
  const ListenSocket* local_;
  Origin origin_;
  std::mutex write_mutex_;
  std::atomic<bool> closed_{false};
  std::atomic<std::int64_t> last_activity_ns_{0};
  std::string input_;
};

// How many TCP connections may be open (docs/runtime.md, "Limits on hostile input").
struct ConnectionLimits {
  int total = 2048;       // kamailio's tcp_max_connections: accepted and opened together
  int per_source = 1024;  // accepted from one IP address; 0 = no limit
};

// Open connections by peer address, for connection reuse, and their count, for the limits.
class ConnectionTable {
 public:
  enum class Admission { Admitted, OverTotalLimit, OverSourceLimit };

  explicit ConnectionTable(ConnectionLimits limits) : limits_(limits) {}

  std::shared_ptr<TcpConnection> find(const SocketAddress& peer);
  // Registers and counts the connection, unless it would pass a limit: then nothing changes.
  Admission add(const std::shared_ptr<TcpConnection>& connection);
  // Uncounts the connection (once, however often it is called); drops its entry when the
  // entry still maps to this connection.
  void remove(const TcpConnection* connection);
  std::size_t size();
  const ConnectionLimits& limits() const { return limits_; }

 private:
  const ConnectionLimits limits_;
  std::mutex mutex_;
  std::unordered_map<SocketAddress, std::shared_ptr<TcpConnection>, SocketAddressHash> by_peer_;
  // Every counted connection, and the accepted ones by source IP (the address with port 0).
  std::unordered_set<const TcpConnection*> counted_;
  std::unordered_map<SocketAddress, int, SocketAddressHash> accepted_by_source_;
};

}  // namespace kamc::runtime
