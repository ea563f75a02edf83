// The server end to end over real loopback sockets: forwarding with Via, received/rport
// and Record-Route, replies relayed back along the Vias, TCP connection reuse, IPv6.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "kamc/runtime/server.h"
#include "runtime_test_support.h"

using namespace kamc::runtime;
using kamc::runtime::testing::header_values;

namespace {

// ---- a route written the way codegen will emit it ---------------------------------------
// request_route { if (is_method("OPTIONS")) { sl_send_reply("200","OK"); exit; }
//                 mf_process_maxfwd_header("10"); record_route(); forward(); }
struct TestRoute {
  const kamc_rt_call* is_options;
  const kamc_rt_call* reply_ok;
  const kamc_rt_call* maxfwd;
  const kamc_rt_call* record_route;
  const kamc_rt_call* forward;
} g_route;

int test_request_route(kamc_rt_msg* msg) {
  if (kamc_rt_call_function(msg, g_route.is_options) > 0) {
    kamc_rt_call_function(msg, g_route.reply_ok);
    return KAMC_RT_EXIT;
  }
  kamc_rt_call_function(msg, g_route.maxfwd);
  kamc_rt_call_function(msg, g_route.record_route);
  kamc_rt_call_function(msg, g_route.forward);
  return KAMC_RT_EXIT;
}

void load_test_route(Runtime& runtime) {
  g_route.is_options = reinterpret_cast<const kamc_rt_call*>(&runtime.fixup_or_throw("is_method", {"OPTIONS"}));
  g_route.reply_ok = reinterpret_cast<const kamc_rt_call*>(&runtime.fixup_or_throw("sl_send_reply", {"200", "OK"}));
  g_route.maxfwd = reinterpret_cast<const kamc_rt_call*>(&runtime.fixup_or_throw("mf_process_maxfwd_header", {"10"}));
  g_route.record_route = reinterpret_cast<const kamc_rt_call*>(&runtime.fixup_or_throw("record_route"));
  g_route.forward = reinterpret_cast<const kamc_rt_call*>(&runtime.fixup_or_throw("forward"));
  ASSERT_EQ(kamc_rt_register_route(to_abi(&runtime), KAMC_RT_ROUTE_REQUEST, nullptr, test_request_route), 0);
}

// ---- sockets -----------------------------------------------------------------------------
class Socket {
 public:
  Socket(int family, int type) : fd_(::socket(family, type, 0)) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(Socket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  static Socket adopt(int fd) {
    Socket socket;
    socket.fd_ = fd;
    return socket;
  }
  int fd() const { return fd_; }

  static Socket bound(int type, const char* ip = "127.0.0.1") {
    auto address = *SocketAddress::from_ip(ip, 0);
    Socket socket(address.family(), type);
    EXPECT_EQ(::bind(socket.fd(), address.data(), address.size()), 0);
    if (type == SOCK_STREAM) ::listen(socket.fd(), 8);
    return socket;
  }
  SocketAddress address() const {
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&storage), &length);
    return SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&storage), length);
  }
  bool readable(int timeout_ms) const {
    pollfd pfd{fd_, POLLIN, 0};
    return ::poll(&pfd, 1, timeout_ms) == 1;
  }
  // One datagram, or one read of a stream; empty after two seconds of silence.
  std::string receive() const {
    if (!readable(2000)) return {};
    char buffer[65536];
    ssize_t size = ::recv(fd_, buffer, sizeof buffer, 0);
    return size > 0 ? std::string(buffer, static_cast<std::size_t>(size)) : std::string{};
  }
  void send_to(const SocketAddress& to, const std::string& bytes) const {
    ASSERT_EQ(::sendto(fd_, bytes.data(), bytes.size(), 0, to.data(), to.size()), static_cast<ssize_t>(bytes.size()));
  }
  void send(const std::string& bytes) const {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
  }

 private:
  Socket() = default;
  int fd_ = -1;
};

std::string request(const std::string& method, const std::string& ruri, const std::string& via, int cseq = 1) {
  return method + " " + ruri + " SIP/2.0\r\n"
         "Via: " + via + "\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:alice@client.invalid>;tag=f1\r\n"
         "To: <sip:bob@example.com>\r\n"
         "Call-ID: call-1@client\r\n"
         "CSeq: " + std::to_string(cseq) + " " + method + "\r\n"
         "Content-Length: 0\r\n\r\n";
}

// The reply a UAS sends: the request's Vias, in order.
std::string reply_to(const std::string& forwarded, int code) {
  std::string reply = "SIP/2.0 " + std::to_string(code) + " Whatever\r\n";
  for (std::size_t pos = 0; (pos = forwarded.find("\r\nVia: ", pos)) != std::string::npos; pos += 2) {
    reply += forwarded.substr(pos + 2, forwarded.find("\r\n", pos + 2) - pos - 2) + "\r\n";
  }
  return reply + "From: <sip:alice@client.invalid>;tag=f1\r\nTo: <sip:bob@example.com>;tag=t9\r\n"
                 "Call-ID: call-1@client\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
}

class ServerTest : public ::testing::Test {
 protected:
  void start(std::vector<std::string> listen) {
    ServerConfig config;
    config.children = 2;
    start_with(std::move(config), listen);
  }
  void start_with(ServerConfig config, const std::vector<std::string>& listen) {
    std::string error;
    for (const auto& text : listen) config.listen.push_back(*parse_listen_spec(text, error));
    server = std::make_unique<Server>(runtime, config);
    ASSERT_TRUE(server->open(error)) << error;
    load_test_route(runtime);
    server->start();
  }
  const ListenSocket& listen_socket(Protocol protocol) {
    for (const auto& socket : runtime.local_addresses().sockets()) {
      if (socket.protocol == protocol) return socket;
    }
    throw std::runtime_error("no such listen socket");
  }
  void TearDown() override {
    if (server) server->stop();
  }

  Runtime runtime;
  std::unique_ptr<Server> server;
};

}  // namespace

TEST_F(ServerTest, ForwardedRequestHasOurViaTheClientsReceivedAndRportAndRecordRoute) {
  start({"udp:127.0.0.1:0"});
  Socket client = Socket::bound(SOCK_DGRAM);
  Socket next_hop = Socket::bound(SOCK_DGRAM);
  const ListenSocket& proxy = listen_socket(Protocol::Udp);
  std::string ruri = "sip:bob@127.0.0.1:" + std::to_string(next_hop.address().port());
  client.send_to(proxy.address, request("INVITE", ruri, "SIP/2.0/UDP client.invalid:5999;branch=z9hG4bKc1;rport"));
  std::string forwarded = next_hop.receive();
  ASSERT_FALSE(forwarded.empty());
  std::string our_via = "SIP/2.0/UDP 127.0.0.1:" + proxy.port_text + ";branch=z9hG4bKsl";
  EXPECT_EQ(header_values(forwarded, "Via").rfind(our_via, 0), 0u) << forwarded;
  EXPECT_NE(forwarded.find("branch=z9hG4bKc1;rport=" + std::to_string(client.address().port()) + ";received=127.0.0.1"),
            std::string::npos)
      << forwarded;
  EXPECT_EQ(header_values(forwarded, "Max-Forwards"), "69");
  EXPECT_EQ(header_values(forwarded, "Record-Route"), "<sip:127.0.0.1:" + proxy.port_text + ";lr;ftag=f1>");
  EXPECT_EQ(forwarded.rfind("INVITE " + ruri + " SIP/2.0\r\n", 0), 0u);
}

TEST_F(ServerTest, RetransmissionsAreForwardedWithTheSameBranch) {
  start({"udp:127.0.0.1:0"});
  Socket client = Socket::bound(SOCK_DGRAM);
  Socket next_hop = Socket::bound(SOCK_DGRAM);
  std::string invite = request("INVITE", "sip:bob@127.0.0.1:" + std::to_string(next_hop.address().port()),
                               "SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKsame");
  client.send_to(listen_socket(Protocol::Udp).address, invite);
  std::string first = next_hop.receive();
  client.send_to(listen_socket(Protocol::Udp).address, invite);
  std::string second = next_hop.receive();
  ASSERT_FALSE(second.empty());
  EXPECT_EQ(header_values(first, "Via"), header_values(second, "Via"));
}

TEST_F(ServerTest, RepliesGoBackToTheClientWithoutOurVia) {
  start({"udp:127.0.0.1:0"});
  Socket client = Socket::bound(SOCK_DGRAM);
  Socket next_hop = Socket::bound(SOCK_DGRAM);
  std::string client_via = "SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKc2;rport";  // port 1: only rport can work
  client.send_to(listen_socket(Protocol::Udp).address,
                 request("INVITE", "sip:bob@127.0.0.1:" + std::to_string(next_hop.address().port()), client_via));
  std::string forwarded = next_hop.receive();
  ASSERT_FALSE(forwarded.empty());
  next_hop.send_to(listen_socket(Protocol::Udp).address, reply_to(forwarded, 180));
  std::string reply = client.receive();
  ASSERT_FALSE(reply.empty()) << "no reply relayed to the rport";
  EXPECT_EQ(reply.rfind("SIP/2.0 180 Whatever\r\n", 0), 0u);
  EXPECT_EQ(header_values(reply, "Via"), "SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKc2;rport=" +
                                             std::to_string(client.address().port()));
}

TEST_F(ServerTest, RepliesWhoseTopViaIsNotOursAreDropped) {
  start({"udp:127.0.0.1:0"});
  Socket client = Socket::bound(SOCK_DGRAM);
  std::string forged = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.99;branch=z9hG4bKx\r\n"
                       "Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(client.address().port()) + ";branch=z9hG4bKy\r\n"
                       "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n"
                       "Content-Length: 0\r\n\r\n";
  client.send_to(listen_socket(Protocol::Udp).address, forged);
  EXPECT_FALSE(client.readable(300));
}

TEST_F(ServerTest, TcpRepliesAndRequestsReuseTheOpenConnections) {
  start({"tcp:127.0.0.1:0"});
  Socket next_hop = Socket::bound(SOCK_STREAM);
  Socket client(AF_INET, SOCK_STREAM);
  const ListenSocket& proxy = listen_socket(Protocol::Tcp);
  ASSERT_EQ(::connect(client.fd(), proxy.address.data(), proxy.address.size()), 0);
  std::string ruri = "sip:bob@127.0.0.1:" + std::to_string(next_hop.address().port()) + ";transport=tcp";
  client.send(request("INVITE", ruri, "SIP/2.0/TCP client.invalid;branch=z9hG4bKt1"));
  ASSERT_TRUE(next_hop.readable(2000));
  Socket upstream = Socket::adopt(::accept(next_hop.fd(), nullptr, nullptr));
  std::string forwarded = upstream.receive();
  ASSERT_FALSE(forwarded.empty());
  EXPECT_EQ(header_values(forwarded, "Via").rfind("SIP/2.0/TCP 127.0.0.1:" + proxy.port_text + ";branch=", 0), 0u);
  EXPECT_EQ(header_values(forwarded, "Record-Route"), "<sip:127.0.0.1:" + proxy.port_text + ";transport=tcp;lr;ftag=f1>");
  upstream.send(reply_to(forwarded, 200));
  std::string reply = client.receive();
  EXPECT_EQ(reply.rfind("SIP/2.0 200 Whatever\r\n", 0), 0u) << "the reply did not come back on the client's connection";
  client.send(request("BYE", ruri, "SIP/2.0/TCP client.invalid;branch=z9hG4bKt2", 2));
  std::string bye = upstream.receive();
  EXPECT_EQ(bye.rfind("BYE " + ruri, 0), 0u) << "the second request did not reuse the upstream connection";
  EXPECT_FALSE(next_hop.readable(200)) << "a second upstream connection was opened";
}

TEST_F(ServerTest, StreamFramingHandlesSplitAndBatchedMessages) {
  start({"tcp:127.0.0.1:0"});
  Socket client(AF_INET, SOCK_STREAM);
  const ListenSocket& proxy = listen_socket(Protocol::Tcp);
  ASSERT_EQ(::connect(client.fd(), proxy.address.data(), proxy.address.size()), 0);
  std::string options = request("OPTIONS", "sip:127.0.0.1", "SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKo1");
  std::string batch = "\r\n\r\n" + options + options;  // keep-alive CRLFs, then two messages at once
  client.send(batch.substr(0, 10));
  ::usleep(50000);
  client.send(batch.substr(10));
  std::string replies;
  while (replies.find("SIP/2.0 200", replies.find("SIP/2.0 200") + 1) == std::string::npos) {
    std::string more = client.receive();
    ASSERT_FALSE(more.empty()) << "got only: " << replies;
    replies += more;
  }
}

TEST_F(ServerTest, Ipv6RequestsAreAnsweredAndForwarded) {
  Socket probe(AF_INET6, SOCK_DGRAM);
  auto loopback6 = *SocketAddress::from_ip("::1", 0);
  if (::bind(probe.fd(), loopback6.data(), loopback6.size()) != 0) GTEST_SKIP() << "no IPv6 loopback here";
  start({"udp:[::1]:0"});
  const ListenSocket& proxy = listen_socket(Protocol::Udp);
  Socket client = Socket::bound(SOCK_DGRAM, "::1");
  Socket next_hop = Socket::bound(SOCK_DGRAM, "::1");
  std::string client_via = "SIP/2.0/UDP [::1]:" + std::to_string(client.address().port()) + ";branch=z9hG4bK6";
  client.send_to(proxy.address, request("OPTIONS", "sip:[::1]", client_via));
  EXPECT_EQ(client.receive().rfind("SIP/2.0 200 OK\r\n", 0), 0u);
  std::string ruri = "sip:bob@[::1]:" + std::to_string(next_hop.address().port());
  client.send_to(proxy.address, request("MESSAGE", ruri, client_via));
  std::string forwarded = next_hop.receive();
  EXPECT_EQ(header_values(forwarded, "Via").rfind("SIP/2.0/UDP [::1]:" + proxy.port_text + ";branch=", 0), 0u)
      << forwarded;
  EXPECT_EQ(header_values(forwarded, "Record-Route"), "<sip:[::1]:" + proxy.port_text + ";lr;ftag=f1>");
}

TEST_F(ServerTest, StopEndsEveryWorkerPromptly) {
  start({"udp:127.0.0.1:0", "tcp:127.0.0.1:0"});
  auto started = std::chrono::steady_clock::now();
  server->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
}

// ---- advertise, advertised_address ----------------------------------------------------------

TEST_F(ServerTest, TheAdvertisedAddressIsInViaAndRecordRouteAndRepliesToItComeBack) {
  ServerConfig config;
  config.children = 2;
  std::string error;
  ListenSpec spec = *parse_listen_spec("udp:127.0.0.1:0", error);
  spec.advertised = {"203.0.113.5", 5999};
  config.listen.push_back(spec);
  start_with(std::move(config), {});
  Socket client = Socket::bound(SOCK_DGRAM);
  Socket next_hop = Socket::bound(SOCK_DGRAM);
  std::string ruri = "sip:bob@127.0.0.1:" + std::to_string(next_hop.address().port());
  client.send_to(listen_socket(Protocol::Udp).address, request("INVITE", ruri, "SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKa1;rport"));
  std::string forwarded = next_hop.receive();
  ASSERT_FALSE(forwarded.empty());
  EXPECT_EQ(header_values(forwarded, "Via").rfind("SIP/2.0/UDP 203.0.113.5:5999;branch=", 0), 0u) << forwarded;
  EXPECT_EQ(header_values(forwarded, "Record-Route"), "<sip:203.0.113.5:5999;lr;ftag=f1>");
  next_hop.send_to(listen_socket(Protocol::Udp).address, reply_to(forwarded, 180));
  std::string reply = client.receive();
  EXPECT_EQ(reply.rfind("SIP/2.0 180 Whatever\r\n", 0), 0u) << "a reply to the advertised Via is ours to relay";
}

TEST_F(ServerTest, TheGlobalAdvertisedAddressIsInTheViaButNotInTheReceivingRecordRoute) {
  ServerConfig config;
  config.children = 1;
  config.advertised = {"198.51.100.7", 0};
  start_with(std::move(config), {"udp:127.0.0.1:0"});
  Socket client = Socket::bound(SOCK_DGRAM);
  Socket next_hop = Socket::bound(SOCK_DGRAM);
  const ListenSocket& proxy = listen_socket(Protocol::Udp);
  std::string ruri = "sip:bob@127.0.0.1:" + std::to_string(next_hop.address().port());
  client.send_to(proxy.address, request("INVITE", ruri, "SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKa2;rport"));
  std::string forwarded = next_hop.receive();
  ASSERT_FALSE(forwarded.empty());
  EXPECT_EQ(header_values(forwarded, "Via").rfind("SIP/2.0/UDP 198.51.100.7:" + proxy.port_text + ";branch=", 0), 0u)
      << forwarded;
  // Kamailio's rr writes the receiving socket's own address (or its listen advertise) here.
  EXPECT_EQ(header_values(forwarded, "Record-Route"), "<sip:127.0.0.1:" + proxy.port_text + ";lr;ftag=f1>");
}

// ---- children and tcp_children --------------------------------------------------------------

TEST_F(ServerTest, TcpChildrenSizesTheTcpWorkersApartFromTheUdpOnes) {
  ServerConfig config;
  config.children = 1;
  config.tcp_children = 3;
  start_with(std::move(config), {"udp:127.0.0.1:0", "tcp:127.0.0.1:0"});
  EXPECT_EQ(server->worker_count(), 3);
  EXPECT_EQ(server->udp_worker_count(), 1);
  EXPECT_EQ(server->tcp_worker_count(), 3);
}

TEST_F(ServerTest, WithoutTcpChildrenEveryWorkerServesBothTransports) {
  ServerConfig config;
  config.children = 3;
  start_with(std::move(config), {"udp:127.0.0.1:0", "tcp:127.0.0.1:0"});
  EXPECT_EQ(server->worker_count(), 3);
  EXPECT_EQ(server->udp_worker_count(), 3);
  EXPECT_EQ(server->tcp_worker_count(), 3);
}

TEST_F(ServerTest, TcpChildrenCountsForNothingWithoutATcpListener) {
  ServerConfig config;
  config.children = 2;
  config.tcp_children = 5;
  start_with(std::move(config), {"udp:127.0.0.1:0"});
  EXPECT_EQ(server->worker_count(), 2);
  EXPECT_EQ(server->tcp_worker_count(), 0);
}

TEST_F(ServerTest, TcpOnlyWorkersForwardOverUdp) {
  ServerConfig config;
  config.children = 1;
  config.tcp_children = 4;
  start_with(std::move(config), {"udp:127.0.0.1:0", "tcp:127.0.0.1:0"});
  Socket next_hop = Socket::bound(SOCK_DGRAM);
  std::string ruri = "sip:bob@127.0.0.1:" + std::to_string(next_hop.address().port());
  const ListenSocket& proxy = listen_socket(Protocol::Tcp);
  // Several connections, so that the kernel hands some to the workers without a UDP socket.
  constexpr int kConnections = 8;
  std::vector<Socket> clients;
  for (int i = 0; i < kConnections; ++i) {
    clients.emplace_back(AF_INET, SOCK_STREAM);
    ASSERT_EQ(::connect(clients.back().fd(), proxy.address.data(), proxy.address.size()), 0);
    clients.back().send(request("MESSAGE", ruri, "SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKtcp" + std::to_string(i)));
  }
  int arrived = 0;
  for (int i = 0; i < kConnections && !next_hop.receive().empty(); ++i) ++arrived;
  EXPECT_EQ(arrived, kConnections);
}
