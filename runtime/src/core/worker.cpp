// The worker event loop and the per-message pipeline.
#include "worker.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>

#include "kamc/runtime/log.h"
#include "kamc/runtime/server.h"
#include "proxy.h"
#include "tcp_connection.h"

namespace kamc::runtime {

namespace {

constexpr std::size_t kMaxDatagram = 65535;
constexpr std::size_t kMaxUdpPayload = 65507;
// A stream that buffers this much without a complete message is broken or hostile.
constexpr std::size_t kMaxStreamMessage = 65536;
constexpr int kConnectTimeoutMs = 3000;
constexpr int kEpollTimeoutMs = 1000;  // also the idle-timeout scan period

std::string_view short_reason(const sip::ParseResult& result) { return result.reason.substr(0, 120); }

void drop_keepalive_crlfs(std::string& input) {
  std::size_t skip = 0;
  while (skip < input.size() && (input[skip] == '\r' || input[skip] == '\n')) ++skip;
  if (skip > 0) input.erase(0, skip);
}

int wait_for_connect(int fd) {
  pollfd pfd{fd, POLLOUT, 0};
  if (::poll(&pfd, 1, kConnectTimeoutMs) <= 0) return ETIMEDOUT;
  int error = 0;
  socklen_t length = sizeof error;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return errno;
  return error;
}

}  // namespace

Worker::Worker(Server& server, int index) : server_(server), index_(index) {}

Worker::~Worker() {
  // Suspended messages end as timed out, so their routes finish and free what they hold.
  for (auto& [id, fiber] : fibers_) fiber->abandon();
  fibers_.clear();
  for (auto& source : sources_) {
    if (source->kind != EventSource::Kind::Wakeup && source->kind != EventSource::Kind::FiberWakeup) ::close(source->fd);
  }
  for (auto& [raw, connection] : connections_) {
    server_.connections().remove(raw);
    connection->close();
  }
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

void Worker::adopt_listen_socket(const ListenSocket& socket, int fd) {
  auto kind = socket.protocol == Protocol::Udp ? EventSource::Kind::Udp : EventSource::Kind::TcpListener;
  sources_.push_back(std::make_unique<EventSource>(EventSource{kind, fd, &socket, nullptr}));
  if (udp_fd_by_socket_.size() <= static_cast<std::size_t>(socket.index)) {
    udp_fd_by_socket_.resize(static_cast<std::size_t>(socket.index) + 1, -1);
  }
  if (kind == EventSource::Kind::Udp) udp_fd_by_socket_[static_cast<std::size_t>(socket.index)] = fd;
}

bool Worker::prepare(std::string& error) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) {
    error = std::string("epoll_create1: ") + std::strerror(errno);
    return false;
  }
  sources_.push_back(
      std::make_unique<EventSource>(EventSource{EventSource::Kind::Wakeup, server_.wakeup_fd(), nullptr, nullptr}));
  if (server_.runtime().routes_may_suspend()) {
    fiber_wakeups_ = std::make_shared<FiberWakeups>();
    sources_.push_back(std::make_unique<EventSource>(
        EventSource{EventSource::Kind::FiberWakeup, fiber_wakeups_->fd(), nullptr, nullptr}));
  }
  for (auto& source : sources_) {
    epoll_event event{};
    event.events = EPOLLIN;
    // Every worker watches the same listening sockets: without EPOLLEXCLUSIVE a datagram
    // woke them all, and all but one found nothing to read (Kamailio's UDP processes
    // block in recvfrom, where the kernel wakes one).
    bool shared = source->kind == EventSource::Kind::Udp || source->kind == EventSource::Kind::TcpListener;
    if (shared) event.events |= EPOLLEXCLUSIVE;
    event.data.ptr = source.get();
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, source->fd, &event) != 0) {
      error = std::string("epoll_ctl: ") + std::strerror(errno);
      return false;
    }
  }
  return true;
}

void Worker::run() {
  server_.runtime().init_worker(index_);
  epoll_event events[64];
  auto last_idle_scan = std::chrono::steady_clock::now();
  bool stopping = false;
  while (!stopping) {
    int timeout_ms = timers_.milliseconds_until_next(std::chrono::steady_clock::now(), kEpollTimeoutMs);
    int count = ::epoll_wait(epoll_fd_, events, 64, timeout_ms);
    if (count < 0 && errno != EINTR) {
      log_format(L_CRIT, "worker %d: epoll_wait: %s", index_, std::strerror(errno));
      return;
    }
    for (int i = 0; i < count; ++i) {
      auto* source = static_cast<EventSource*>(events[i].data.ptr);
      if (source->kind == EventSource::Kind::Wakeup) {
        stopping = true;
        break;
      }
      dispatch(*source);
    }
    closed_in_batch_.clear();
    closed_sources_.clear();
    if (!stopping) timers_.run_due(std::chrono::steady_clock::now(), *this);
    reap_finished_fibers();
    if (std::chrono::steady_clock::now() - last_idle_scan >= std::chrono::seconds(1)) {
      close_idle_connections();
      last_idle_scan = std::chrono::steady_clock::now();
    }
  }
}

void Worker::dispatch(EventSource& source) {
  switch (source.kind) {
    case EventSource::Kind::Udp: read_datagrams(source); break;
    case EventSource::Kind::TcpListener: accept_connections(source); break;
    case EventSource::Kind::TcpConnection: read_stream(*source.connection); break;
    case EventSource::Kind::Wakeup: break;
    case EventSource::Kind::FiberWakeup: resume_woken_fibers(); break;
  }
}

void Worker::read_datagrams(const EventSource& source) {
  char buffer[kMaxDatagram + 1];
  // Bounded, so that a flood on one socket does not starve the others.
  for (int round = 0; round < 64; ++round) {
    sockaddr_storage from{};
    socklen_t from_length = sizeof from;
    ssize_t size = ::recvfrom(source.fd, buffer, kMaxDatagram, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from),
                              &from_length);
    if (size < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        log_format(L_ERR, "recvfrom: %s", std::strerror(errno));
      }
      return;
    }
    ReceiveInfo received;
    received.protocol = Protocol::Udp;
    received.source = SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&from), from_length);
    received.local = source.socket;
    handle_message(std::string_view(buffer, static_cast<std::size_t>(size)), std::move(received),
                   sip::FramingMode::Datagram);
  }
}

void Worker::accept_connections(const EventSource& source) {
  for (int round = 0; round < 64; ++round) {
    sockaddr_storage from{};
    socklen_t from_length = sizeof from;
    int fd = ::accept4(source.fd, reinterpret_cast<sockaddr*>(&from), &from_length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) log_format(L_ERR, "accept: %s", std::strerror(errno));
      return;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto peer = SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&from), from_length);
    auto connection = std::make_shared<TcpConnection>(fd, peer, source.socket, TcpConnection::Origin::Accepted);
    if (!own_connection(connection)) continue;
    log_format(L_DBG, "worker %d: accepted tcp connection from %s", index_, peer.to_string().c_str());
  }
}

void Worker::read_stream(TcpConnection& connection) {
  auto owned = connections_.find(&connection);
  if (owned == connections_.end()) return;  // closed earlier in this batch
  std::shared_ptr<TcpConnection> keep = owned->second;
  char chunk[16384];
  while (true) {
    ssize_t size = ::recv(connection.fd(), chunk, sizeof chunk, MSG_DONTWAIT);
    if (size > 0) {
      connection.input().append(chunk, static_cast<std::size_t>(size));
      connection.touch();
      if (!process_stream_input(keep)) {
        close_connection(&connection);
        return;
      }
      continue;
    }
    if (size < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (size < 0 && errno == EINTR) continue;
    close_connection(&connection);  // 0: the peer closed; <0: an error
    return;
  }
}

bool Worker::process_stream_input(const std::shared_ptr<TcpConnection>& connection) {
  std::string& input = connection->input();
  while (true) {
    drop_keepalive_crlfs(input);
    if (input.empty()) return true;
    sip::SipMessage framing;
    sip::ParseResult framed = framing.parse(input, sip::FramingMode::Stream);
    if (framed.status == sip::ParseStatus::Incomplete) return input.size() <= kMaxStreamMessage;
    if (!framed.ok()) {
      // Without a frame there is no knowing where the next message starts.
      log_format(L_WARN, "closing tcp connection from %s: %.*s", connection->peer().to_string().c_str(),
                 static_cast<int>(short_reason(framed).size()), framed.reason.data());
      return false;
    }
    std::size_t size = framing.message_size();
    ReceiveInfo received;
    received.protocol = Protocol::Tcp;
    received.source = connection->peer();
    received.local = connection->local();
    received.connection = connection;
    handle_message(std::string_view(input).substr(0, size), std::move(received), sip::FramingMode::Stream);
    input.erase(0, size);
    if (connection->is_closed()) return false;
  }
}

void Worker::handle_message(std::string_view bytes, ReceiveInfo received, sip::FramingMode mode) {
  if (fiber_wakeups_) {
    start_fiber(bytes, std::move(received), mode);
    return;
  }
  MessageContext context(server_.runtime(), bytes, std::move(received), this);
  process_message(context, mode);
}

void Worker::start_fiber(std::string_view bytes, ReceiveInfo received, sip::FramingMode mode) {
  std::uint64_t id = next_fiber_id_++;
  auto fiber = std::make_unique<MessageFiber>(id, std::string(bytes), std::move(received), *this, server_.runtime(),
                                              fiber_wakeups_,
                                              [this, mode](MessageContext& context) {
                                                // Nothing may unwind out of a fiber's entry.
                                                try {
                                                  process_message(context, mode);
                                                } catch (...) {
                                                  log_message(L_ERR, "a suspended message failed");
                                                }
                                              });
  fiber->resume();
  if (!fiber->finished()) fibers_.emplace(id, std::move(fiber));
}

void Worker::resume_woken_fibers() {
  for (auto [id, sequence] : fiber_wakeups_->take()) {
    auto it = fibers_.find(id);
    if (it != fibers_.end()) it->second->work_done(sequence);
  }
  reap_finished_fibers();
}

void Worker::reap_finished_fibers() {
  std::erase_if(fibers_, [](const auto& entry) { return entry.second->finished(); });
}

namespace {

std::string render_log_prefix(void* message) {
  auto& context = *static_cast<MessageContext*>(message);
  return context.runtime.log_prefix_format()->render(context);
}

}  // namespace

void Worker::process_message(MessageContext& context, sip::FramingMode mode) {
  MessageLogPrefixScope log_prefix(server_.runtime().log_prefix_format()
                                       ? MessageLogPrefix{&render_log_prefix, &context}
                                       : MessageLogPrefix{});
  if (!context.parse(mode).ok()) {
    reject_malformed(context);
    return;
  }
  try {
    if (context.message.is_request()) {
      run_request(context);
    } else {
      run_reply(context);
    }
  } catch (const std::exception& error) {
    // A route must never take the worker down; the message is lost, the server goes on.
    log_format(L_ERR, "route failed with an exception: %s", error.what());
  }
}

// Malformed requests get the parser's reply code (400, 505) when a reply can be built;
// malformed replies and requests without a usable Via are dropped.
void Worker::reject_malformed(MessageContext& context) {
  const sip::ParseResult& result = context.parse_result;
  log_format(L_WARN, "malformed message from %s: %.*s", context.received.source.to_string().c_str(),
             static_cast<int>(short_reason(result).size()), result.reason.data());
  std::vector<sip::Via> vias;
  bool can_reply = context.message.is_request() && !context.message.method().empty() &&
                   context.message.vias(vias).ok() && !vias.empty();
  if (!can_reply) return;  // dropped: there is nowhere trustworthy to send a reply
  std::string_view reason = result.reply_code == 505 ? "Version Not Supported" : "Bad Request";
  send_local_reply(context, result.reply_code != 0 ? result.reply_code : 400, reason);
}

void Worker::run_request(MessageContext& context) {
  kamc_rt_route_fn route = server_.runtime().request_route();
  if (!route) return;
  context.route_type = KAMC_RT_REQUEST_ROUTE;
  // Also when the route throws: a transaction it made and left unanswered is released.
  struct ReleaseUnanswered {
    MessageContext& context;
    ~ReleaseUnanswered() {
      context.runtime.request_route_done(context);
    }
  } release{context};
  route(to_abi(&context));
}

void Worker::run_reply(MessageContext& context) {
  if (kamc_rt_route_fn route = server_.runtime().reply_route()) {
    context.route_type = KAMC_RT_CORE_ONREPLY_ROUTE;
    route(to_abi(&context));
    if (context.dropped) return;
  }
  if (server_.runtime().offer_reply_to_modules(context)) return;  // tm: it belongs to a transaction
  forward_reply(context);
}

bool Worker::send(const SendTarget& target, std::string_view bytes) {
  if (!target.from) return false;
  return target.protocol == Protocol::Udp ? send_datagram(target, bytes) : send_stream(target, bytes);
}

bool Worker::send_datagram(const SendTarget& target, std::string_view bytes) {
  std::size_t index = static_cast<std::size_t>(target.from->index);
  int fd = index < udp_fd_by_socket_.size() ? udp_fd_by_socket_[index] : -1;
  // A worker that only serves TCP (tcp_children > children) has no UDP socket of its own.
  if (fd < 0) fd = server_.udp_send_fd(target.from->index);
  if (fd < 0) return false;
  if (bytes.size() > kMaxUdpPayload) {
    log_format(L_ERR, "message of %zu bytes is too large for UDP", bytes.size());
    return false;
  }
  ssize_t sent = ::sendto(fd, bytes.data(), bytes.size(), MSG_DONTWAIT, target.address.data(), target.address.size());
  if (sent < 0) {
    log_format(L_ERR, "sendto %s: %s", target.address.to_string().c_str(), std::strerror(errno));
    return false;
  }
  return true;
}

// The given connection if still open, else the one to that peer, else a new one.
bool Worker::send_stream(const SendTarget& target, std::string_view bytes) {
  std::shared_ptr<TcpConnection> connection = target.connection;
  if (!connection || connection->is_closed()) connection = server_.connections().find(target.address);
  if (!connection) connection = connect_to(target.address, *target.from);
  if (!connection) return false;
  if (connection->send_all(bytes)) return true;
  log_format(L_ERR, "tcp send to %s failed", target.address.to_string().c_str());
  return false;
}

std::shared_ptr<TcpConnection> Worker::connect_to(const SocketAddress& peer, const ListenSocket& from) {
  int fd = ::socket(peer.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return nullptr;
  // Leave from the listen address (any port), so the peer sees the address we advertise.
  SocketAddress local = from.address;
  local.set_port(0);
  ::bind(fd, local.data(), local.size());
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int error = 0;
  if (::connect(fd, peer.data(), peer.size()) != 0) error = errno == EINPROGRESS ? wait_for_connect(fd) : errno;
  if (error != 0) {
    log_format(L_ERR, "tcp connect to %s: %s", peer.to_string().c_str(), std::strerror(error));
    ::close(fd);
    return nullptr;
  }
  auto connection = std::make_shared<TcpConnection>(fd, peer, &from, TcpConnection::Origin::Opened);
  return own_connection(connection) ? connection : nullptr;
}

bool Worker::own_connection(const std::shared_ptr<TcpConnection>& connection) {
  auto admission = server_.connections().add(connection);
  if (admission != ConnectionTable::Admission::Admitted) {
    // Closed at once, before reading anything: the connections already open go on as before.
    connection->close();
    log_refused_connection(*connection, admission == ConnectionTable::Admission::OverSourceLimit);
    return false;
  }
  auto source = std::make_unique<EventSource>(
      EventSource{EventSource::Kind::TcpConnection, connection->fd(), connection->local(), connection.get()});
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP;
  event.data.ptr = source.get();
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, connection->fd(), &event) != 0) {
    log_format(L_ERR, "epoll_ctl for a tcp connection: %s", std::strerror(errno));
    server_.connections().remove(connection.get());
    connection->close();
    return false;
  }
  connections_[connection.get()] = connection;
  connection_sources_[connection.get()] = std::move(source);
  return true;
}

void Worker::log_refused_connection(const TcpConnection& connection, bool over_source_limit) {
  ++refused_since_logged_;
  auto now = std::chrono::steady_clock::now();
  if (now - last_refusal_logged_ < std::chrono::seconds(1)) return;
  const ConnectionLimits& limits = server_.connections().limits();
  bool accepted = connection.origin() == TcpConnection::Origin::Accepted;
  std::string peer = connection.peer().to_string();
  if (over_source_limit) {
    log_format(L_ERR,
               "refused a tcp connection from %s: %d connections from that address are open, the most one "
               "source may hold (%d refused since the last such line)",
               peer.c_str(), limits.per_source, refused_since_logged_);
  } else {
    log_format(L_ERR, "refused a tcp connection %s %s: tcp_max_connections (%d) are open (%d refused since the last "
               "such line)", accepted ? "from" : "to", peer.c_str(), limits.total, refused_since_logged_);
  }
  last_refusal_logged_ = now;
  refused_since_logged_ = 0;
}

void Worker::close_connection(TcpConnection* connection) {
  auto owned = connections_.find(connection);
  if (owned == connections_.end()) return;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, connection->fd(), nullptr);
  server_.connections().remove(connection);
  connection->close();
  closed_in_batch_.push_back(std::move(owned->second));
  connections_.erase(owned);
  auto source = connection_sources_.find(connection);
  if (source != connection_sources_.end()) {
    closed_sources_.push_back(std::move(source->second));
    connection_sources_.erase(source);
  }
}

void Worker::close_idle_connections() {
  auto timeout = std::chrono::seconds(server_.config().tcp_idle_timeout_seconds);
  std::vector<TcpConnection*> expired;
  for (auto& [raw, connection] : connections_) {
    if (connection->is_closed() || connection->idle_for() >= timeout) expired.push_back(raw);
  }
  for (TcpConnection* connection : expired) {
    log_format(L_DBG, "worker %d: closing idle tcp connection to %s", index_, connection->peer().to_string().c_str());
    close_connection(connection);
  }
  closed_in_batch_.clear();
  closed_sources_.clear();
}

}  // namespace kamc::runtime
