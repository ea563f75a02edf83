// Socket set-up and the worker threads' life cycle.
#include "kamc/runtime/server.h"

#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kamc/runtime/log.h"
#include "tcp_connection.h"
#include "worker.h"

namespace kamc::runtime {

namespace {

constexpr int kListenBacklog = 1024;

std::string describe(Protocol protocol, const SocketAddress& address) {
  return std::string(protocol_name(protocol)) + ":" + address.to_string();
}

// A non-blocking socket bound with SO_REUSEPORT, so each worker can bind its own.
int open_bound_socket(Protocol protocol, const SocketAddress& address, std::string& error) {
  int type = (protocol == Protocol::Udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC;
  int fd = ::socket(address.family(), type, 0);
  if (fd < 0) {
    error = "socket for " + describe(protocol, address) + ": " + std::strerror(errno);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (address.family() == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(fd, address.data(), address.size()) != 0 ||
      (protocol == Protocol::Tcp && ::listen(fd, kListenBacklog) != 0)) {
    error = "cannot listen on " + describe(protocol, address) + ": " + std::strerror(errno);
    ::close(fd);
    return -1;
  }
  return fd;
}

SocketAddress bound_address(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length);
  return SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&storage), length);
}

}  // namespace

Server::Server(Runtime& runtime, ServerConfig config)
    : runtime_(runtime), config_(std::move(config)), connections_(std::make_unique<ConnectionTable>()) {}

Server::~Server() { stop(); }

bool Server::open(std::string& error) {
  if (config_.listen.empty()) {
    error = "no listen address";
    return false;
  }
  if (config_.children < 1) config_.children = 1;
  wakeup_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakeup_fd_ < 0) {
    error = std::string("eventfd: ") + std::strerror(errno);
    return false;
  }
  for (int i = 0; i < config_.children; ++i) workers_.push_back(std::make_unique<Worker>(*this, i));
  // The first bind decides the port (port 0 = any free one); the other workers reuse it.
  std::vector<std::pair<int, int>> first_fds;  // (listen index, fd) for worker 0
  for (const auto& spec : config_.listen) {
    int fd = open_bound_socket(spec.protocol, spec.address, error);
    if (fd < 0) return false;
    runtime_.local_addresses().add_listen(spec.protocol, bound_address(fd));
    first_fds.emplace_back(static_cast<int>(runtime_.local_addresses().sockets().size() - 1), fd);
  }
  for (const auto& [alias, port] : config_.aliases) runtime_.local_addresses().add_alias(alias, port);
  const auto& sockets = runtime_.local_addresses().sockets();
  for (const auto& [index, fd] : first_fds) workers_[0]->adopt_listen_socket(sockets[static_cast<std::size_t>(index)], fd);
  for (std::size_t w = 1; w < workers_.size(); ++w) {
    for (const auto& socket : sockets) {
      int fd = open_bound_socket(socket.protocol, socket.address, error);
      if (fd < 0) return false;
      workers_[w]->adopt_listen_socket(socket, fd);
    }
  }
  for (auto& worker : workers_) {
    if (!worker->prepare(error)) return false;
  }
  for (const auto& socket : sockets) {
    log_format(L_INFO, "listening on %s", describe(socket.protocol, socket.address).c_str());
  }
  return true;
}

void Server::start() {
  for (auto& worker : workers_) threads_.emplace_back([w = worker.get()] { w->run(); });
}

void Server::stop() {
  if (wakeup_fd_ < 0) return;
  std::uint64_t one = 1;
  ssize_t ignored = ::write(wakeup_fd_, &one, sizeof one);
  (void)ignored;
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  workers_.clear();
  ::close(wakeup_fd_);
  wakeup_fd_ = -1;
}

}  // namespace kamc::runtime
