// One worker thread: an epoll loop over its own UDP and TCP listen sockets (bound with
// SO_REUSEPORT, so the kernel spreads load between workers without a shared lock) and
// over the TCP connections it accepted or opened.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kamc/runtime/message_context.h"
#include "kamc/sip/message.h"
#include "message_fiber.h"
#include "timer_queue.h"

namespace kamc::runtime {

class Server;
class TcpConnection;

class Worker final : public Transport {
 public:
  Worker(Server& server, int index);
  ~Worker() override;

  // The socket for listen socket `socket` (already bound by the server).
  void adopt_listen_socket(const ListenSocket& socket, int fd);
  bool prepare(std::string& error);  // epoll set and wakeup registration
  void run();                        // returns when the server's wakeup fd fires

  bool send(const SendTarget& target, std::string_view bytes) override;
  TimerQueue* timer_queue() override { return &timers_; }

 private:
  struct EventSource {
    enum class Kind { Udp, TcpListener, TcpConnection, Wakeup, FiberWakeup } kind;
    int fd = -1;
    const ListenSocket* socket = nullptr;
    TcpConnection* connection = nullptr;
  };

  void dispatch(EventSource& source);
  void read_datagrams(const EventSource& source);
  void accept_connections(const EventSource& source);
  void read_stream(TcpConnection& connection);
  // Frames complete messages out of the connection's input; false when the stream is broken.
  bool process_stream_input(const std::shared_ptr<TcpConnection>& connection);
  void handle_message(std::string_view bytes, ReceiveInfo received, sip::FramingMode mode);
  // Parsing and the routes of one message, wherever it runs (the worker's stack or a fiber).
  void process_message(MessageContext& context, sip::FramingMode mode);
  // Routes that may suspend: the message runs on a fiber that outlives this batch.
  void start_fiber(std::string_view bytes, ReceiveInfo received, sip::FramingMode mode);
  void resume_woken_fibers();
  void reap_finished_fibers();
  void reject_malformed(MessageContext& context);
  void run_request(MessageContext& context);
  void run_reply(MessageContext& context);

  bool send_datagram(const SendTarget& target, std::string_view bytes);
  bool send_stream(const SendTarget& target, std::string_view bytes);
  std::shared_ptr<TcpConnection> connect_to(const SocketAddress& peer, const ListenSocket& from);
  // Registers the connection and watches it; false (and the connection closed) when it
  // would pass a connection limit.
  bool own_connection(const std::shared_ptr<TcpConnection>& connection);
  void log_refused_connection(const TcpConnection& connection, bool over_source_limit);
  void close_connection(TcpConnection* connection);
  void close_idle_connections();

  Server& server_;
  int index_;
  int epoll_fd_ = -1;
  std::vector<int> udp_fd_by_socket_;  // indexed by ListenSocket::index; -1 when not UDP
  std::vector<std::unique_ptr<EventSource>> sources_;
  std::unordered_map<TcpConnection*, std::shared_ptr<TcpConnection>> connections_;
  std::unordered_map<TcpConnection*, std::unique_ptr<EventSource>> connection_sources_;
  // Connections closed during one batch of events are freed after it, since a later
  // event of the same batch may still name them.
  std::vector<std::shared_ptr<TcpConnection>> closed_in_batch_;
  std::vector<std::unique_ptr<EventSource>> closed_sources_;
  // A flood of refused connections logs one line a second per worker, with the count.
  std::chrono::steady_clock::time_point last_refusal_logged_{};
  int refused_since_logged_ = 0;
  // tm's timers scheduled by this worker; run by its event loop, so no lock (docs/tm.md).
  TimerQueue timers_;
  // Suspended messages (suspension.h), and where background threads report to wake them.
  std::shared_ptr<FiberWakeups> fiber_wakeups_;
  std::unordered_map<std::uint64_t, std::unique_ptr<MessageFiber>> fibers_;
  std::uint64_t next_fiber_id_ = 1;
};

}  // namespace kamc::runtime
