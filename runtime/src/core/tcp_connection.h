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

#include "kamc/runtime/local_addresses.h"
#include "kamc/runtime/socket_address.h"

namespace kamc::runtime {

class TcpConnection {
 public:
  TcpConnection(int fd, SocketAddress peer, const ListenSocket* local);
  ~TcpConnection();  // the fd is closed only here, so a sender holding a reference never writes to a reused fd
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  int fd() const { return fd_; }
  const SocketAddress& peer() const { return peer_; }
  const ListenSocket* local() const { return local_; }

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
  std::mutex write_mutex_;
  std::atomic<bool> closed_{false};
  std::atomic<std::int64_t> last_activity_ns_{0};
  std::string input_;
};

// Open connections by peer address, for connection reuse.
class ConnectionTable {
 public:
  std::shared_ptr<TcpConnection> find(const SocketAddress& peer);
  void add(const std::shared_ptr<TcpConnection>& connection);
  // Only removes the entry when it still maps to this connection.
  void remove(const TcpConnection* connection);
  std::size_t size();

 private:
  std::mutex mutex_;
  std::unordered_map<SocketAddress, std::shared_ptr<TcpConnection>, SocketAddressHash> by_peer_;
};

}  // namespace kamc::runtime
