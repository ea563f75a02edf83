// tm end to end over real loopback sockets: a Server with a stateful route, a caller
// socket and callee sockets. The state machines and timers of RFC 3261 17 are observed
// from outside: what is sent, resent, absorbed, and when. Timers are shortened through
// the tm parameters so that each test takes well under two seconds.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "kamc/runtime/runtime.h"
#include "kamc/runtime/server.h"
#include "tm_state.h"
#include "tm_transaction.h"

using namespace kamc::runtime;
using Clock = std::chrono::steady_clock;

namespace {

// ---- the route, as codegen would emit it ---------------------------------------------------
// request_route {
//   if (has_totag()) { if (is_method("ACK")) { if (t_check_trans()) t_relay(); exit; } t_relay(); exit; }
//   if (is_present_hf("X-Reply")) { t_newtran(); t_reply("404", "Not Here"); exit; }
//   if (is_present_hf("X-Replicate")) { t_replicate("$hdr(X-Replicate)"); sl_send_reply("202", "Copied"); exit; }
//   if (is_present_hf("X-Fork")) append_branch("$hdr(X-Fork)");
//   if (!t_relay()) sl_reply_error();
// }
struct Route {
  const kamc_rt_call* has_totag;
  const kamc_rt_call* is_ack;
  const kamc_rt_call* check_trans;
  const kamc_rt_call* relay;
  const kamc_rt_call* has_fork;
  const kamc_rt_call* append_branch;
  const kamc_rt_call* reply_error;
  const kamc_rt_call* wants_reply;
  const kamc_rt_call* new_transaction;
  const kamc_rt_call* reply_404;
  const kamc_rt_call* wants_copy;
  const kamc_rt_call* replicate;
  const kamc_rt_call* reply_202;
} g_route;

int call(kamc_rt_msg* msg, const kamc_rt_call* function) { return kamc_rt_call_function(msg, function); }

int request_route(kamc_rt_msg* msg) {
  const Route& h = g_route;
  if (call(msg, h.has_totag) > 0) {
    if (call(msg, h.is_ack) > 0) {
      if (call(msg, h.check_trans) > 0) call(msg, h.relay);
      return KAMC_RT_EXIT;
    }
    call(msg, h.relay);
    return KAMC_RT_EXIT;
  }
  if (call(msg, h.wants_reply) > 0) {
    if (call(msg, h.new_transaction) == KAMC_RT_EXIT) return KAMC_RT_EXIT;
    call(msg, h.reply_404);
    return KAMC_RT_EXIT;
  }
  if (call(msg, h.wants_copy) > 0) {
    call(msg, h.replicate);
    call(msg, h.reply_202);
    return KAMC_RT_EXIT;
  }
  if (call(msg, h.has_fork) > 0) call(msg, h.append_branch);
  if (call(msg, h.relay) < 0) call(msg, h.reply_error);
  return KAMC_RT_EXIT;
}

const kamc_rt_call* handle(Runtime& runtime, std::string_view name, std::vector<std::string> args = {}) {
  return reinterpret_cast<const kamc_rt_call*>(&runtime.fixup_or_throw(name, std::move(args)));
}

// ---- sockets -------------------------------------------------------------------------------

class UdpSocket {
 public:
  UdpSocket() : fd_(::socket(AF_INET, SOCK_DGRAM, 0)) {
    auto address = *SocketAddress::from_ip("127.0.0.1", 0);
    EXPECT_EQ(::bind(fd_, address.data(), address.size()), 0);
  }
  ~UdpSocket() { ::close(fd_); }
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  std::uint16_t port() const {
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&storage), &length);
    return SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&storage), length).port();
  }
  void send_to(const SocketAddress& to, const std::string& bytes) const {
    ASSERT_EQ(::sendto(fd_, bytes.data(), bytes.size(), 0, to.data(), to.size()), static_cast<ssize_t>(bytes.size()));
  }
  // The next datagram, or empty after timeout_ms of silence.
  std::string receive(int timeout_ms = 2000) const {
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, timeout_ms) != 1) return {};
    char buffer[65536];
    ssize_t size = ::recv(fd_, buffer, sizeof buffer, 0);
    return size > 0 ? std::string(buffer, static_cast<std::size_t>(size)) : std::string{};
  }
  // Every datagram that arrives within window_ms, with its arrival time.
  std::vector<std::pair<Clock::time_point, std::string>> collect(int window_ms) const {
    std::vector<std::pair<Clock::time_point, std::string>> found;
    auto end = Clock::now() + std::chrono::milliseconds(window_ms);
    while (Clock::now() < end) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
      std::string message = receive(static_cast<int>(std::max<long long>(left, 1)));
      if (!message.empty()) found.emplace_back(Clock::now(), std::move(message));
    }
    return found;
  }

 private:
  int fd_;
};

int status_of(const std::string& reply) {
  if (!reply.starts_with("SIP/2.0 ") || reply.size() < 11) return 0;
  return std::stoi(reply.substr(8, 3));
}

std::string header(const std::string& message, std::string_view name) {
  std::string prefix = "\r\n" + std::string(name) + ": ";
  auto start = message.find(prefix);
  if (start == std::string::npos) return {};
  start += prefix.size();
  return message.substr(start, message.find("\r\n", start) - start);
}

std::string top_branch(const std::string& message) {
  std::string via = header(message, "Via");
  auto at = via.find("branch=");
  return at == std::string::npos ? std::string{} : via.substr(at + 7, via.find(';', at) - at - 7);
}

std::string start_line(const std::string& message) { return message.substr(0, message.find("\r\n")); }

// What a callee answers: the request's Vias, From, To (with its tag), Call-ID and CSeq.
std::string reply_to(const std::string& request, int code, std::string_view reason, std::string_view to_tag = "callee") {
  std::string reply = "SIP/2.0 " + std::to_string(code) + " " + std::string(reason) + "\r\n";
  std::size_t pos = request.find("\r\n") + 2;
  while (pos < request.size()) {
    std::size_t end = request.find("\r\n", pos);
    if (end == std::string::npos || end == pos) break;
    std::string line = request.substr(pos, end - pos);
    for (std::string_view name : {"Via:", "From:", "Call-ID:", "CSeq:"}) {
      if (line.starts_with(name)) reply += line + "\r\n";
    }
    if (line.starts_with("To:")) {
      reply += line + (code > 100 && line.find(";tag=") == std::string::npos ? ";tag=" + std::string(to_tag) : "") +
               "\r\n";
    }
    pos = end + 2;
  }
  return reply + "Content-Length: 0\r\n\r\n";
}

class TmServerTest : public ::testing::Test {
 protected:
  void start(const std::function<void(tm::TmParams&)>& tune = {}) {
    runtime_ = std::make_unique<Runtime>();
    std::string error;
    ASSERT_TRUE(runtime_->init_modules(error)) << error;
    tm::TmParams& params = tm::layer_of(*runtime_).params;
    params.retr_timer1_ms = 5000;  // no retransmissions unless a test asks for them
    params.wt_timer_ms = 2000;
    if (tune) tune(params);
    Runtime& runtime = *runtime_;
    g_route = {handle(runtime, "has_totag"),   handle(runtime, "is_method", {"ACK"}),
               handle(runtime, "t_check_trans"), handle(runtime, "t_relay"),
               handle(runtime, "is_present_hf", {"X-Fork"}), handle(runtime, "append_branch", {"$hdr(X-Fork)"}),
               handle(runtime, "sl_reply_error"),
               handle(runtime, "is_present_hf", {"X-Reply"}), handle(runtime, "t_newtran"),
               handle(runtime, "t_reply", {"404", "Not Here"}), handle(runtime, "is_present_hf", {"X-Replicate"}),
               handle(runtime, "t_replicate", {"$hdr(X-Replicate)"}), handle(runtime, "sl_send_reply", {"202", "Copied"})};
    ASSERT_EQ(kamc_rt_register_route(to_abi(&runtime), KAMC_RT_ROUTE_REQUEST, nullptr, request_route), 0);
    ServerConfig config;
    config.listen.push_back(*parse_listen_spec("udp:127.0.0.1:0", error));
    config.children = 2;
    server_ = std::make_unique<Server>(runtime, config);
    ASSERT_TRUE(server_->open(error)) << error;
    server_->start();
    proxy_ = runtime.local_addresses().sockets()[0].address;
  }
  void TearDown() override {
    if (server_) server_->stop();
  }

  std::string invite(int call, std::uint16_t callee_port, std::string_view extra = "", std::string_view method = "INVITE") {
    std::string id = std::to_string(call);
    return std::string(method) + " sip:callee@127.0.0.1:" + std::to_string(callee_port) + " SIP/2.0\r\n" +
           "Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(caller_.port()) + ";branch=z9hG4bK-call" + id + "\r\n" +
           "From: <sip:caller@127.0.0.1>;tag=from" + id + "\r\nTo: <sip:callee@127.0.0.1>\r\nCall-ID: tm-test-" +
           id + "\r\nCSeq: 1 " + std::string(method) + "\r\nMax-Forwards: 70\r\n" + std::string(extra) +
           "Content-Length: 0\r\n\r\n";
  }
  // CANCEL or ACK of that INVITE (same branch, RFC 3261 9.1 and 17.1.1.3).
  std::string same_branch_request(const std::string& invite_text, std::string_view method, std::string_view to = "") {
    std::string text = invite_text;
    text.replace(0, text.find(' '), method);
    auto cseq = text.find("CSeq: 1 INVITE");
    text.replace(cseq, 14, "CSeq: 1 " + std::string(method));
    if (!to.empty()) {
      auto line = text.find("\r\nTo: ") + 2;
      text.replace(line, text.find("\r\n", line) - line, "To: " + std::string(to));
    }
    return text;
  }

  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<Server> server_;
  SocketAddress proxy_;
  UdpSocket caller_;
  UdpSocket callee_;
  UdpSocket second_callee_;
};

TEST_F(TmServerTest, RetransmittedInviteIsAbsorbedAndGetsTheLastReplyAgain) {
  start();
  std::string request = invite(1, callee_.port());
  caller_.send_to(proxy_, request);
  EXPECT_EQ(status_of(caller_.receive()), 100);  // auto_inv_100
  std::string forwarded = callee_.receive();
  ASSERT_TRUE(forwarded.starts_with("INVITE ")) << forwarded;
  EXPECT_TRUE(top_branch(forwarded).starts_with("z9hG4bKkt")) << forwarded;
  callee_.send_to(proxy_, reply_to(forwarded, 180, "Ringing"));
  EXPECT_EQ(status_of(caller_.receive()), 180);
  caller_.send_to(proxy_, request);  // a UAC that missed the 180
  EXPECT_EQ(status_of(caller_.receive()), 180);
  EXPECT_EQ(callee_.receive(300), "") << "the retransmission reached the callee";
}

TEST_F(TmServerTest, SilentCalleeGetsTimerARetransmissionsAndCallerA408ResentByTimerGUntilAck) {
  start([](tm::TmParams& p) {
    p.retr_timer1_ms = 40;
    p.fr_timer_ms = 500;
  });
  std::string request = invite(2, callee_.port());
  caller_.send_to(proxy_, request);
  EXPECT_EQ(status_of(caller_.receive()), 100);
  auto copies = callee_.collect(700);
  // Timer A: T1, 2*T1, 4*T1 ... until timer B (fr_timer) at 500 ms: sent at 0, 40, 120, 280.
  ASSERT_GE(copies.size(), 3u);
  EXPECT_LE(copies.size(), 6u);
  for (const auto& [when, message] : copies) EXPECT_TRUE(message.starts_with("INVITE ")) << "no CANCEL without a reply";
  auto first_gap = copies[1].first - copies[0].first;
  auto last_gap = copies.back().first - copies[copies.size() - 2].first;
  EXPECT_GT(last_gap, first_gap) << "timer A must back off";
  std::string timeout = caller_.receive();
  EXPECT_EQ(status_of(timeout), 408);
  EXPECT_EQ(status_of(caller_.receive(500)), 408) << "timer G resends the final reply until the ACK";
  caller_.send_to(proxy_, same_branch_request(request, "ACK", header(timeout, "To")));
  caller_.receive(150);  // a resend already on its way
  EXPECT_EQ(caller_.receive(400), "") << "the ACK did not stop timer G";
}

TEST_F(TmServerTest, NonInviteRetransmissionsStopGrowingAtT2) {
  start([](tm::TmParams& p) {
    p.retr_timer1_ms = 20;
    p.retr_timer2_ms = 60;
    p.fr_timer_ms = 1000;
  });
  caller_.send_to(proxy_, invite(3, callee_.port(), "", "MESSAGE"));
  auto copies = callee_.collect(1100);
  // E doubles up to T2: sent at 0, 20, 60, 120, 180, ... 960. Without the cap it would be
  // 0, 20, 60, 140, 300, 620: six copies and a 320 ms gap.
  ASSERT_GE(copies.size(), 9u);
  auto longest = std::chrono::milliseconds(0);
  for (std::size_t i = 1; i < copies.size(); ++i) {
    longest = std::max(longest, std::chrono::duration_cast<std::chrono::milliseconds>(copies[i].first - copies[i - 1].first));
  }
  EXPECT_LT(longest.count(), 200) << "timer E went past T2";
  EXPECT_EQ(status_of(caller_.receive()), 408);
}

TEST_F(TmServerTest, ProvisionalReplyMovesToFrInvTimerWhichCancelsTheRingingBranch) {
  start([](tm::TmParams& p) {
    p.fr_timer_ms = 300;
    p.fr_inv_timer_ms = 900;
  });
  caller_.send_to(proxy_, invite(4, callee_.port()));
  EXPECT_EQ(status_of(caller_.receive()), 100);
  std::string forwarded = callee_.receive();
  callee_.send_to(proxy_, reply_to(forwarded, 180, "Ringing"));
  EXPECT_EQ(status_of(caller_.receive()), 180);
  EXPECT_EQ(caller_.receive(450), "") << "fr_timer still ran after the provisional reply";
  EXPECT_EQ(status_of(caller_.receive(1500)), 408);
  std::string cancel = callee_.receive();
  ASSERT_TRUE(cancel.starts_with("CANCEL ")) << cancel;
  EXPECT_EQ(top_branch(cancel), top_branch(forwarded));
  callee_.send_to(proxy_, reply_to(cancel, 200, "OK"));
  callee_.send_to(proxy_, reply_to(forwarded, 487, "Request Terminated"));
  std::string ack = callee_.receive();
  EXPECT_TRUE(ack.starts_with("ACK ")) << ack;
  EXPECT_EQ(top_branch(ack), top_branch(forwarded));
  EXPECT_EQ(caller_.receive(300), "") << "the late 487 went to the caller after the 408";
}

TEST_F(TmServerTest, CancelIsAnsweredForwardedToTheBranchAndThe487FlowsBack) {
  start();
  std::string request = invite(5, callee_.port());
  caller_.send_to(proxy_, request);
  EXPECT_EQ(status_of(caller_.receive()), 100);
  std::string forwarded = callee_.receive();
  callee_.send_to(proxy_, reply_to(forwarded, 180, "Ringing"));
  EXPECT_EQ(status_of(caller_.receive()), 180);
  caller_.send_to(proxy_, same_branch_request(request, "CANCEL"));
  std::string cancel_reply = caller_.receive();
  EXPECT_EQ(status_of(cancel_reply), 200);
  EXPECT_EQ(header(cancel_reply, "CSeq"), "1 CANCEL");
  std::string cancel = callee_.receive();
  ASSERT_TRUE(cancel.starts_with("CANCEL sip:callee@")) << cancel;
  EXPECT_EQ(top_branch(cancel), top_branch(forwarded));
  callee_.send_to(proxy_, reply_to(cancel, 200, "OK"));
  callee_.send_to(proxy_, reply_to(forwarded, 487, "Request Terminated"));
  std::string terminated = caller_.receive();
  EXPECT_EQ(status_of(terminated), 487);
  EXPECT_EQ(header(terminated, "CSeq"), "1 INVITE");
  EXPECT_TRUE(callee_.receive().starts_with("ACK ")) << "no hop-by-hop ACK for the 487";
}

TEST_F(TmServerTest, ParallelForkRelaysOnlyTheBestNegativeReplyOnceAllBranchesAreFinal) {
  start();
  std::string fork = "X-Fork: sip:second@127.0.0.1:" + std::to_string(second_callee_.port()) + "\r\n";
  caller_.send_to(proxy_, invite(6, callee_.port(), fork));
  EXPECT_EQ(status_of(caller_.receive()), 100);
  std::string first = callee_.receive();
  std::string second = second_callee_.receive();
  ASSERT_TRUE(first.starts_with("INVITE sip:callee@")) << first;
  ASSERT_TRUE(second.starts_with("INVITE sip:second@")) << second;
  EXPECT_NE(top_branch(first), top_branch(second));
  callee_.send_to(proxy_, reply_to(first, 500, "Server Error"));
  EXPECT_TRUE(callee_.receive().starts_with("ACK "));
  EXPECT_EQ(caller_.receive(200), "") << "a negative reply went out while a branch was pending";
  second_callee_.send_to(proxy_, reply_to(second, 486, "Busy Here"));
  EXPECT_TRUE(second_callee_.receive().starts_with("ACK "));
  EXPECT_EQ(status_of(caller_.receive()), 486);  // 4xx beats 5xx
}

TEST_F(TmServerTest, SixXxCancelsThePendingBranchesAndWins) {
  start();
  std::string fork = "X-Fork: sip:second@127.0.0.1:" + std::to_string(second_callee_.port()) + "\r\n";
  caller_.send_to(proxy_, invite(7, callee_.port(), fork));
  EXPECT_EQ(status_of(caller_.receive()), 100);
  std::string first = callee_.receive();
  std::string second = second_callee_.receive();
  callee_.send_to(proxy_, reply_to(first, 180, "Ringing"));
  EXPECT_EQ(status_of(caller_.receive()), 180);
  second_callee_.send_to(proxy_, reply_to(second, 603, "Decline"));
  std::string cancel = callee_.receive();
  ASSERT_TRUE(cancel.starts_with("CANCEL ")) << cancel;
  callee_.send_to(proxy_, reply_to(first, 487, "Request Terminated"));
  EXPECT_EQ(status_of(caller_.receive()), 603);
}

TEST_F(TmServerTest, EveryTwoHundredForAnInvitePassesIncludingRetransmissions) {
  start();
  std::string fork = "X-Fork: sip:second@127.0.0.1:" + std::to_string(second_callee_.port()) + "\r\n";
  caller_.send_to(proxy_, invite(8, callee_.port(), fork));
  EXPECT_EQ(status_of(caller_.receive()), 100);
  std::string first = callee_.receive();
  std::string second = second_callee_.receive();
  std::string ok = reply_to(first, 200, "OK", "first");
  callee_.send_to(proxy_, ok);
  EXPECT_EQ(status_of(caller_.receive()), 200);
  second_callee_.send_to(proxy_, reply_to(second, 200, "OK", "second"));
  std::string other = caller_.receive();
  EXPECT_EQ(status_of(other), 200);
  EXPECT_NE(header(other, "To").find("tag=second"), std::string::npos);
  callee_.send_to(proxy_, ok);  // the UAS retransmits its 2xx until it gets the end-to-end ACK
  EXPECT_EQ(status_of(caller_.receive()), 200);
}

TEST_F(TmServerTest, ALocalNegativeReplyIsResentToRetransmissionsAndItsAckEndsHere) {
  start([](tm::TmParams& p) { p.retr_timer1_ms = 1000; });
  std::string request = invite(9, callee_.port(), "X-Reply: yes\r\n");
  caller_.send_to(proxy_, request);
  std::string not_here = caller_.receive();
  EXPECT_EQ(status_of(not_here), 404);  // no 100 Trying: t_relay() was not called
  caller_.send_to(proxy_, request);
  EXPECT_EQ(caller_.receive(), not_here) << "the retransmission must get the same reply (same To tag)";
  caller_.send_to(proxy_, same_branch_request(request, "ACK", header(not_here, "To")));
  EXPECT_EQ(caller_.receive(1500), "") << "timer G kept resending after the ACK";
  EXPECT_EQ(callee_.receive(100), "") << "the ACK for our own reply went on";
}

TEST_F(TmServerTest, ReplicatedRequestsRepliesStopAtTheProxy) {
  start();
  std::string copy_to = "X-Replicate: sip:copy@127.0.0.1:" + std::to_string(second_callee_.port()) + "\r\n";
  caller_.send_to(proxy_, invite(10, callee_.port(), copy_to, "MESSAGE"));
  EXPECT_EQ(status_of(caller_.receive()), 202);
  std::string copy = second_callee_.receive();  // sent there, the Request-URI unchanged (as in Kamailio)
  ASSERT_TRUE(copy.starts_with("MESSAGE sip:callee@")) << copy;
  EXPECT_EQ(callee_.receive(100), "") << "t_replicate() must only send to its own destination";
  second_callee_.send_to(proxy_, reply_to(copy, 200, "OK"));
  EXPECT_EQ(caller_.receive(300), "") << "the replica's reply reached the caller";
}

TEST_F(TmServerTest, TransactionsAreFreedAfterTheWaitTimer) {
  start([](tm::TmParams& p) { p.wt_timer_ms = 150; });
  constexpr int kCalls = 30;
  for (int i = 0; i < kCalls; ++i) {
    caller_.send_to(proxy_, invite(100 + i, callee_.port()));
    std::string forwarded = callee_.receive();
    ASSERT_FALSE(forwarded.empty());
    callee_.send_to(proxy_, reply_to(forwarded, 200, "OK"));
  }
  EXPECT_GT(transaction_count(*runtime_), 0u) << "completed transactions must wait before they are freed";
  int answered = 0;
  for (auto& [when, reply] : caller_.collect(300)) answered += status_of(reply) == 200;
  EXPECT_EQ(answered, kCalls);
  auto deadline = Clock::now() + std::chrono::seconds(3);
  while (transaction_count(*runtime_) > 0 && Clock::now() < deadline) ::usleep(20000);
  EXPECT_EQ(transaction_count(*runtime_), 0u);
}

TEST_F(TmServerTest, AFullTableRefusesNewTransactionsWith500) {
  start([](tm::TmParams& p) { p.max_transactions = 3; });
  for (int i = 0; i < 5; ++i) caller_.send_to(proxy_, invite(200 + i, callee_.port()));
  int trying = 0, refused = 0;
  for (auto& [when, reply] : caller_.collect(500)) {
    trying += status_of(reply) == 100;
    refused += status_of(reply) == 500;
  }
  EXPECT_EQ(trying, 3);
  EXPECT_EQ(refused, 2);
  EXPECT_EQ(transaction_count(*runtime_), 3u);
  EXPECT_EQ(callee_.collect(200).size(), 3u);
}

}  // namespace
