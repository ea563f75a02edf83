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

SocketAddress source_of(const SocketAddress& peer) {
  SocketAddress source = peer;
  source.set_port(0);
  return source;
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TcpConnection::TcpConnection(int fd, SocketAddress peer, const ListenSocket* local, Origin origin)
    : fd_(fd), peer_(peer), local_(local), origin_(origin) {
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

ConnectionTable::Admission ConnectionTable::add(const std::shared_ptr<TcpConnection>& connection) {
  std::lock_guard lock(mutex_);
  if (counted_.size() >= static_cast<std::size_t>(limits_.total)) return Admission::OverTotalLimit;
  bool accepted = connection->origin() == TcpConnection::Origin::Accepted;
  if (accepted) {
    int& from_source = accepted_by_source_[source_of(connection->peer())];
    if (limits_.per_source > 0 && from_source >= limits_.per_source) return Admission::OverSourceLimit;
    ++from_source;
  }
  counted_.insert(connection.get());
  by_peer_[connection->peer()] = connection;
  return Admission::Admitted;
}

void ConnectionTable::remove(const TcpConnection* connection) {
  std::lock_guard lock(mutex_);
  auto it = by_peer_.find(connection->peer());
  if (it != by_peer_.end() && it->second.get() == connection) by_peer_.erase(it);
  if (counted_.erase(connection) == 0 || connection->origin() != TcpConnection::Origin::Accepted) return;
  auto source = accepted_by_source_.find(source_of(connection->peer()));
  if (source != accepted_by_source_.end() && --source->second == 0) accepted_by_source_.erase(source);
}

std::size_t ConnectionTable::size() {
  std::lock_guard lock(mutex_);
  return by_peer_.size();
}

}  // namespace kamc::runtime
