// Socket set-up and the worker threads' life cycle.
#include "kamc/runtime/server.h"

#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
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

// One address may hold at most half of all connections, so a single client (a
// misbehaving phone, an attacker without spoofing) cannot lock everyone else out, while a
// load balancer or SBC in front of the proxy, one address for many users, is still served.
// Kamailio 5.8's tcp_accept_iplimit defaults to 1024 of 2048 for the same reason.
ConnectionLimits connection_limits(const ServerConfig& config) {
  int total = std::max(config.tcp_max_connections, 1);
  return {total, config.tcp_max_connections_per_source.value_or(std::max(total / 2, 1))};
}

}  // namespace

Server::Server(Runtime& runtime, ServerConfig config)
    : runtime_(runtime),
      config_(std::move(config)),
      connections_(std::make_unique<ConnectionTable>(connection_limits(config_))) {}

Server::~Server() { stop(); }

bool Server::open(std::string& error) {
  if (config_.listen.empty()) {
    error = "no listen address";
    return false;
  }
  wakeup_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakeup_fd_ < 0) {
    error = std::string("eventfd: ") + std::strerror(errno);
    return false;
  }
  size_worker_pools();
  for (int i = 0; i < std::max(udp_workers_, tcp_workers_); ++i) workers_.push_back(std::make_unique<Worker>(*this, i));
  if (!bind_first_sockets(error) || !bind_worker_sockets(error)) return false;
  for (auto& worker : workers_) {
    if (!worker->prepare(error)) return false;
  }
  for (const auto& socket : runtime_.local_addresses().sockets()) {
    log_format(L_INFO, "listening on %s", describe(socket.protocol, socket.address).c_str());
  }
  log_format(L_INFO, "%d worker threads: %d read udp, %d accept tcp", worker_count(), udp_workers_, tcp_workers_);
  return true;
}

// Kamailio's children and tcp_children (which defaults to children); a transport without
// a listen socket needs no workers.
void Server::size_worker_pools() {
  bool has_udp = false, has_tcp = false;
  for (const auto& spec : config_.listen) (spec.protocol == Protocol::Udp ? has_udp : has_tcp) = true;
  int children = std::max(config_.children, 1);
  int tcp_children = config_.tcp_children.value_or(0);
  if (tcp_children < 1) tcp_children = children;
  udp_workers_ = has_udp ? children : 0;
  tcp_workers_ = has_tcp ? tcp_children : 0;
}

// The first bind decides the port (port 0 = any free one); worker 0, which serves every
// transport, keeps these sockets and the other workers bind the same addresses again.
bool Server::bind_first_sockets(std::string& error) {
  LocalAddresses& local = runtime_.local_addresses();
  local.set_global_advertised(config_.advertised);
  std::vector<std::pair<std::size_t, int>> bound;  // (listen socket index, fd)
  for (const auto& spec : config_.listen) {
    int fd = open_bound_socket(spec.protocol, spec.address, error);
    if (fd < 0) {
      for (auto [index, open_fd] : bound) ::close(open_fd);
      return false;
    }
    const ListenSocket& added = local.add_listen(spec.protocol, bound_address(fd), spec.advertised, spec.name);
    bound.emplace_back(static_cast<std::size_t>(added.index), fd);
  }
  for (const auto& [alias, port] : config_.aliases) local.add_alias(alias, port);
  udp_send_fds_.assign(local.sockets().size(), -1);
  for (auto [index, fd] : bound) {
    const ListenSocket& socket = local.sockets()[index];
    workers_[0]->adopt_listen_socket(socket, fd);
    if (socket.protocol == Protocol::Udp) udp_send_fds_[index] = fd;
  }
  return true;
}

bool Server::bind_worker_sockets(std::string& error) {
  for (std::size_t w = 1; w < workers_.size(); ++w) {
    int index = static_cast<int>(w);
    for (const auto& socket : runtime_.local_addresses().sockets()) {
      int pool = socket.protocol == Protocol::Udp ? udp_workers_ : tcp_workers_;
      if (index >= pool) continue;
      int fd = open_bound_socket(socket.protocol, socket.address, error);
      if (fd < 0) return false;
      workers_[w]->adopt_listen_socket(socket, fd);
    }
  }
  return true;
}

int Server::udp_send_fd(int index) const {
  auto i = static_cast<std::size_t>(index);
  return index >= 0 && i < udp_send_fds_.size() ? udp_send_fds_[i] : -1;
}

void Server::start() {
  // Route code loaded through the ABI has initialised the modules already; C++ route
  // sets in tests may not have, and tm's reply hook needs its table.
  std::string error;
  if (!runtime_.init_modules(error)) log_format(L_CRIT, "%s", error.c_str());
  for (auto& worker : workers_) threads_.emplace_back([w = worker.get()] { w->run(); });
}

void Server::stop() {
  if (wakeup_fd_ < 0) return;
  std::uint64_t one = 1;
  ssize_t ignored = ::write(wakeup_fd_, &one, sizeof one);
  (void)ignored;
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  udp_send_fds_.clear();
  workers_.clear();
  ::close(wakeup_fd_);
  wakeup_fd_ = -1;
}

}  // namespace kamc::runtime
