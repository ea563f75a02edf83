// Connection writes and the shared connection table.
#include "tcp_connection.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace kamc::runtime {

namespace {

// How long a send waits for a peer that does not read, in total, before giving up.
constexpr int kSendTimeoutMs = 3000;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TcpConnection::TcpConnection(int fd, SocketAddress peer, const ListenSocket* local)
    : fd_(fd), peer_(peer), local_(local) {
  touch();
}

TcpConnection::~TcpConnection() { ::close(fd_); }

bool TcpConnection::send_all(std::string_view bytes) {
  std::lock_guard lock(write_mutex_);
  int waited_ms = 0;
  while (!bytes.empty()) {
    if (is_closed()) return false;
    ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(sent));
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && waited_ms < kSendTimeoutMs) {
      pollfd pfd{fd_, POLLOUT, 0};
      ::poll(&pfd, 1, 100);
      waited_ms += 100;
      continue;
    }
    close();
    return false;
  }
  touch();
  return true;
}

void TcpConnection::close() {
  if (!closed_.exchange(true, std::memory_order_acq_rel)) ::shutdown(fd_, SHUT_RDWR);
}

void TcpConnection::touch() { last_activity_ns_.store(now_ns(), std::memory_order_relaxed); }

std::chrono::steady_clock::duration TcpConnection::idle_for() const {
  return std::chrono::nanoseconds(now_ns() - last_activity_ns_.load(std::memory_order_relaxed));
}

std::shared_ptr<TcpConnection> ConnectionTable::find(const SocketAddress& peer) {
  std::lock_guard lock(mutex_);
  auto it = by_peer_.find(peer);
  if (it == by_peer_.end() || it->second->is_closed()) return nullptr;
  return it->second;
}

void ConnectionTable::add(const std::shared_ptr<TcpConnection>& connection) {
  std::lock_guard lock(mutex_);
  by_peer_[connection->peer()] = connection;
}

void ConnectionTable::remove(const TcpConnection* connection) {
  std::lock_guard lock(mutex_);
  auto it = by_peer_.find(connection->peer());
  if (it != by_peer_.end() && it->second.get() == connection) by_peer_.erase(it);
}

std::size_t ConnectionTable::size() {
  std::lock_guard lock(mutex_);
  return by_peer_.size();
}

}  // namespace kamc::runtime
