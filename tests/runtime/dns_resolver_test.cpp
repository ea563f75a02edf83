// RFC 3263 next-hop resolution: SRV answers parsed from hand-made wire-format packets, SRV
// ordering (Kamailio's and RFC 2782's), the resolution steps over a table, and the real
// libresolv path against a tiny DNS responder on a loopback port, up to forward().
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "dns_resolver.h"
#include "kamc/runtime/server.h"

using namespace kamc::runtime;

namespace {

constexpr std::uint16_t kTypeSrv = 33;
constexpr std::uint16_t kTypeCname = 5;
constexpr std::uint16_t kRcodeNxdomain = 3;

// ---- DNS messages by hand (RFC 1035 4.1) -------------------------------------------------

class DnsWriter {
 public:
  void u16(std::uint16_t value) {
    bytes.push_back(static_cast<unsigned char>(value >> 8));
    bytes.push_back(static_cast<unsigned char>(value & 0xFF));
  }
  void u32(std::uint32_t value) {
    u16(static_cast<std::uint16_t>(value >> 16));
    u16(static_cast<std::uint16_t>(value & 0xFFFF));
  }
  void name(std::string_view dotted) {
    while (!dotted.empty()) {
      std::size_t dot = dotted.find('.');
      std::string_view label = dotted.substr(0, dot);
      bytes.push_back(static_cast<unsigned char>(label.size()));
      bytes.insert(bytes.end(), label.begin(), label.end());
      dotted = dot == std::string_view::npos ? std::string_view() : dotted.substr(dot + 1);
    }
    bytes.push_back(0);
  }
  void pointer(std::uint16_t offset) { u16(static_cast<std::uint16_t>(0xC000 | offset)); }
  // A resource record whose owner is the question name (a pointer to offset 12).
  void record_header(std::uint16_t type, std::size_t rdata_length) {
    pointer(12);
    u16(type);
    u16(1);  // IN
    u32(300);
    u16(static_cast<std::uint16_t>(rdata_length));
  }
  void srv(const SrvRecord& record) {
    DnsWriter target;
    target.name(record.target);
    record_header(kTypeSrv, 6 + target.bytes.size());
    u16(record.priority);
    u16(record.weight);
    u16(record.port);
    bytes.insert(bytes.end(), target.bytes.begin(), target.bytes.end());
  }

  std::vector<unsigned char> bytes;
};

// A response to a question for `qname`: header, the question, then the answers.
DnsWriter response_header(std::uint16_t id, std::uint16_t rcode, std::string_view qname, std::uint16_t qtype,
                          std::size_t answers) {
  DnsWriter writer;
  writer.u16(id);
  writer.u16(static_cast<std::uint16_t>(0x8180 | rcode));  // QR, RD, RA
  writer.u16(1);
  writer.u16(static_cast<std::uint16_t>(answers));
  writer.u16(0);
  writer.u16(0);
  writer.name(qname);
  writer.u16(qtype);
  writer.u16(1);
  return writer;
}

std::vector<unsigned char> srv_response(std::string_view qname, const std::vector<SrvRecord>& records,
                                        std::uint16_t id = 7, std::uint16_t rcode = 0) {
  DnsWriter writer = response_header(id, rcode, qname, kTypeSrv, records.size());
  for (const auto& record : records) writer.srv(record);
  return writer.bytes;
}

// ---- parse_srv_response --------------------------------------------------------------------

TEST(DnsSrvParsing, ReadsPriorityWeightPortAndTargetOfEveryAnswer) {
  std::vector<SrvRecord> records{{10, 60, 5070, "a.sip.test"}, {20, 0, 5080, "b.sip.test"}};
  auto parsed = parse_srv_response(srv_response("_sip._udp.sip.test", records));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, records);
}

TEST(DnsSrvParsing, FollowsACompressedTargetName) {
  // The target points at the "sip.test" labels inside the question name: 12 + 5 + 5.
  DnsWriter writer = response_header(7, 0, "_sip._udp.sip.test", kTypeSrv, 1);
  writer.record_header(kTypeSrv, 8);
  writer.u16(1);
  writer.u16(2);
  writer.u16(5090);
  writer.pointer(22);
  auto parsed = parse_srv_response(writer.bytes);
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ(parsed->front(), (SrvRecord{1, 2, 5090, "sip.test"}));
}

TEST(DnsSrvParsing, SkipsACnameInFrontOfTheRecords) {
  DnsWriter writer = response_header(7, 0, "_sip._udp.sip.test", kTypeSrv, 2);
  DnsWriter alias;
  alias.name("_sip._udp.real.test");
  writer.record_header(kTypeCname, alias.bytes.size());
  writer.bytes.insert(writer.bytes.end(), alias.bytes.begin(), alias.bytes.end());
  writer.srv({5, 1, 5060, "real.test"});
  auto parsed = parse_srv_response(writer.bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, (std::vector<SrvRecord>{{5, 1, 5060, "real.test"}}));
}

TEST(DnsSrvParsing, TheRootTargetIsEmpty) {
  auto parsed = parse_srv_response(srv_response("_sip._udp.sip.test", {{0, 0, 0, ""}}));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->front().target, "");
}

TEST(DnsSrvParsing, AnAnswerWithoutRecordsIsEmpty) {
  auto parsed = parse_srv_response(srv_response("_sip._udp.sip.test", {}));
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->empty());
}

TEST(DnsSrvParsing, ErrorsAndBrokenPacketsAreRefused) {
  EXPECT_FALSE(parse_srv_response(srv_response("_sip._udp.sip.test", {}, 7, kRcodeNxdomain)));
  auto packet = srv_response("_sip._udp.sip.test", {{10, 60, 5070, "a.sip.test"}});
  packet.resize(packet.size() - 4);  // cut inside the target name
  EXPECT_FALSE(parse_srv_response(packet));
  EXPECT_FALSE(parse_srv_response(std::vector<unsigned char>(5, 0)));
  // An SRV whose rdata is too short for priority, weight and port.
  DnsWriter writer = response_header(7, 0, "_sip._udp.sip.test", kTypeSrv, 1);
  writer.record_header(kTypeSrv, 4);
  writer.u32(0);
  EXPECT_FALSE(parse_srv_response(writer.bytes));
}

// ---- order_srv_records ---------------------------------------------------------------------

std::vector<std::string> targets(const std::vector<SrvRecord>& records) {
  std::vector<std::string> names;
  for (const auto& record : records) names.push_back(record.target);
  return names;
}

RandomUpTo never_called() {
  return [](std::uint32_t) -> std::uint32_t {
    ADD_FAILURE() << "random() called for a deterministic order";
    return 0;
  };
}

// Returns the scripted draws in turn and records the bounds it was asked for.
struct ScriptedRandom {
  std::deque<std::uint32_t> draws;
  std::vector<std::uint32_t> bounds;
  RandomUpTo function() {
    return [this](std::uint32_t bound) {
      bounds.push_back(bound);
      std::uint32_t draw = draws.empty() ? 0 : draws.front();
      if (!draws.empty()) draws.pop_front();
      return draw;
    };
  }
};

TEST(SrvOrder, KamailioDefaultIsLowestPriorityThenHighestWeightThenAnswerOrder) {
  std::vector<SrvRecord> records{{20, 90, 1, "late"}, {10, 10, 1, "light"}, {10, 50, 1, "heavy"},
                                 {10, 10, 1, "light-2"}};
  EXPECT_EQ(targets(order_srv_records(records, SrvSelection::HighestWeightFirst, never_called())),
            (std::vector<std::string>{"heavy", "light", "light-2", "late"}));
}

TEST(SrvOrder, WeightedRandomDrawsInsideAPriorityInProportionToWeight) {
  std::vector<SrvRecord> records{{10, 60, 1, "a"}, {10, 30, 1, "b"}, {10, 10, 1, "c"}, {5, 1, 1, "first"}};
  ScriptedRandom random{{0, 75, 65, 42}, {}};
  // priority 5 alone (sum 1, draw 0); then running sums a=60, b=90, c=100: 75 picks b; then
  // a=60, c=70: 65 picks c; then a.
  EXPECT_EQ(targets(order_srv_records(records, SrvSelection::WeightedRandom, random.function())),
            (std::vector<std::string>{"first", "b", "c", "a"}));
  EXPECT_EQ(random.bounds, (std::vector<std::uint32_t>{1, 100, 70, 60}));
}

TEST(SrvOrder, ZeroWeightsComeFirstAndWinOnlyADrawOfZero) {
  std::vector<SrvRecord> records{{10, 10, 1, "weighted"}, {10, 0, 1, "zero"}};
  ScriptedRandom zero_draw{{0}};
  EXPECT_EQ(targets(order_srv_records(records, SrvSelection::WeightedRandom, zero_draw.function())),
            (std::vector<std::string>{"zero", "weighted"}));
  ScriptedRandom one_draw{{1}};
  EXPECT_EQ(targets(order_srv_records(records, SrvSelection::WeightedRandom, one_draw.function())),
            (std::vector<std::string>{"weighted", "zero"}));
}

TEST(SrvOrder, AllZeroWeightsKeepTheAnswerOrder) {
  std::vector<SrvRecord> records{{10, 0, 1, "x"}, {10, 0, 1, "y"}};
  ScriptedRandom random;
  EXPECT_EQ(targets(order_srv_records(records, SrvSelection::WeightedRandom, random.function())),
            (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(random.bounds, (std::vector<std::uint32_t>{0, 0}));
}

TEST(SrvOrder, WeightedRandomFollowsTheWeightsOverManyDraws) {
  std::mt19937 generator(12345);
  RandomUpTo random = [&](std::uint32_t bound) { return std::uniform_int_distribution<std::uint32_t>(0, bound)(generator); };
  std::vector<SrvRecord> records{{10, 3, 1, "three"}, {10, 1, 1, "one"}};
  int three_first = 0;
  for (int i = 0; i < 4000; ++i) {
    three_first += order_srv_records(records, SrvSelection::WeightedRandom, random).front().target == "three";
  }
  // P(three first) = P(draw in 0..3 of 0..4) = 4/5 with RFC 2782's inclusive draw.
  EXPECT_NEAR(three_first / 4000.0, 0.8, 0.03);
}

TEST(SrvOrder, NoRecordsGiveNoRecords) {
  EXPECT_TRUE(order_srv_records({}, SrvSelection::HighestWeightFirst, never_called()).empty());
  EXPECT_TRUE(order_srv_records({}, SrvSelection::WeightedRandom, never_called()).empty());
}

TEST(SrvQueryName, FollowsTheTransportAndScheme) {
  EXPECT_EQ(srv_query_name("example.com", Protocol::Udp, false), "_sip._udp.example.com");
  EXPECT_EQ(srv_query_name("example.com", Protocol::Tcp, false), "_sip._tcp.example.com");
  EXPECT_EQ(srv_query_name("example.com", Protocol::Tcp, true), "_sips._tcp.example.com");
}

// ---- resolve_sip_destination over a table ------------------------------------------------------

class TableLookup final : public NameLookup {
 public:
  std::vector<SrvRecord> srv_records(const std::string& name) override {
    srv_queries.push_back(name);
    auto found = srv.find(name);
    return found == srv.end() ? std::vector<SrvRecord>{} : found->second;
  }
  std::optional<SocketAddress> address(const std::string& name) override {
    address_queries.push_back(name);
    auto found = addresses.find(name);
    if (found == addresses.end()) return std::nullopt;
    return SocketAddress::from_ip(found->second, 0);
  }

  std::map<std::string, std::vector<SrvRecord>> srv;
  std::map<std::string, std::string> addresses;
  std::vector<std::string> srv_queries;
  std::vector<std::string> address_queries;
};

std::string resolved(TableLookup& lookup, std::string_view host, std::optional<std::uint16_t> port,
                     Protocol protocol = Protocol::Udp, bool secure = false) {
  auto address = resolve_sip_destination({host, port, protocol, secure}, lookup, SrvSelection::HighestWeightFirst,
                                         never_called());
  return address ? address->to_string() : "unresolved";
}

TEST(SipDestination, AnIpAddressIsUsedWithoutAnyLookup) {
  TableLookup lookup;
  EXPECT_EQ(resolved(lookup, "192.0.2.5", std::nullopt), "192.0.2.5:5060");
  EXPECT_EQ(resolved(lookup, "192.0.2.5", 5070), "192.0.2.5:5070");
  EXPECT_EQ(resolved(lookup, "[2001:db8::5]", std::nullopt), "[2001:db8::5]:5060");
  EXPECT_EQ(resolved(lookup, "192.0.2.5", std::nullopt, Protocol::Tcp, true), "192.0.2.5:5061");
  EXPECT_TRUE(lookup.srv_queries.empty());
  EXPECT_TRUE(lookup.address_queries.empty());
}

TEST(SipDestination, AnExplicitPortSkipsSrv) {
  TableLookup lookup;
  lookup.srv["_sip._udp.sip.test"] = {{10, 1, 5999, "srv.sip.test"}};
  lookup.addresses = {{"sip.test", "192.0.2.10"}, {"srv.sip.test", "192.0.2.20"}};
  EXPECT_EQ(resolved(lookup, "sip.test", 5070), "192.0.2.10:5070");
  EXPECT_TRUE(lookup.srv_queries.empty());
}

TEST(SipDestination, WithoutAPortTheFirstSrvTargetWithAnAddressWinsWithItsPort) {
  TableLookup lookup;
  lookup.srv["_sip._udp.sip.test"] = {{20, 1, 5092, "backup.sip.test"}, {10, 1, 5091, "gone.sip.test"},
                                      {10, 0, 5093, ""}, {10, 5, 5094, "main.sip.test"}};
  lookup.addresses = {{"sip.test", "192.0.2.10"}, {"backup.sip.test", "192.0.2.30"}, {"main.sip.test", "192.0.2.40"}};
  EXPECT_EQ(resolved(lookup, "sip.test", std::nullopt), "192.0.2.40:5094");
  lookup.addresses.erase("main.sip.test");
  EXPECT_EQ(resolved(lookup, "sip.test", std::nullopt), "192.0.2.30:5092");  // gone.sip.test has no address
  EXPECT_EQ(lookup.srv_queries, (std::vector<std::string>{"_sip._udp.sip.test", "_sip._udp.sip.test"}));
}

TEST(SipDestination, TcpAndSipsAskForTheirOwnSrvNames) {
  TableLookup lookup;
  lookup.srv["_sip._tcp.sip.test"] = {{10, 1, 5071, "tcp.sip.test"}};
  lookup.addresses = {{"tcp.sip.test", "192.0.2.50"}};
  EXPECT_EQ(resolved(lookup, "sip.test", std::nullopt, Protocol::Tcp), "192.0.2.50:5071");
  EXPECT_EQ(resolved(lookup, "sip.test", std::nullopt, Protocol::Tcp, true), "unresolved");
  EXPECT_EQ(lookup.srv_queries, (std::vector<std::string>{"_sip._tcp.sip.test", "_sips._tcp.sip.test"}));
}

TEST(SipDestination, WithoutSrvRecordsTheNamesAddressOn5060) {
  TableLookup lookup;
  lookup.addresses = {{"sip.test", "192.0.2.10"}};
  EXPECT_EQ(resolved(lookup, "sip.test", std::nullopt), "192.0.2.10:5060");
  EXPECT_EQ(resolved(lookup, "sip.test", std::nullopt, Protocol::Tcp, true), "192.0.2.10:5061");
}

TEST(SipDestination, SrvTargetsWithoutAddressesFallBackToTheNameAsKamailioDoes) {
  TableLookup lookup;
  lookup.srv["_sip._udp.sip.test"] = {{10, 1, 5091, "gone.sip.test"}};
  lookup.addresses = {{"sip.test", "192.0.2.10"}};
  EXPECT_EQ(resolved(lookup, "sip.test", std::nullopt), "192.0.2.10:5060");
  EXPECT_EQ(resolved(lookup, "nothing.test", std::nullopt), "unresolved");
}

// ---- libresolv against a loopback responder ---------------------------------------------------

// Answers SRV questions from a table; NXDOMAIN for other names, no answers for other types.
class FakeNameserver {
 public:
  explicit FakeNameserver(std::map<std::string, std::vector<SrvRecord>> zone) : zone_(std::move(zone)) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    auto any = *SocketAddress::from_ip("127.0.0.1", 0);
    EXPECT_EQ(::bind(fd_, any.data(), any.size()), 0);
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&storage), &length);
    address_ = SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&storage), length);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeNameserver() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  const SocketAddress& address() const { return address_; }
  std::vector<std::string> questions() {
    std::lock_guard lock(mutex_);
    return questions_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd pfd{fd_, POLLIN, 0};
      if (::poll(&pfd, 1, 50) != 1) continue;
      unsigned char query[512];
      sockaddr_storage from{};
      socklen_t from_length = sizeof from;
      ssize_t size = ::recvfrom(fd_, query, sizeof query, 0, reinterpret_cast<sockaddr*>(&from), &from_length);
      if (size < 17) continue;
      std::string name;
      std::size_t at = 12;
      while (at < static_cast<std::size_t>(size) && query[at] != 0) {
        std::size_t length = query[at];
        if (!name.empty()) name += '.';
        name.append(reinterpret_cast<const char*>(query + at + 1), std::min(length, static_cast<std::size_t>(size) - at - 1));
        at += length + 1;
      }
      if (at + 4 >= static_cast<std::size_t>(size)) continue;
      std::uint16_t id = static_cast<std::uint16_t>((query[0] << 8) | query[1]);
      std::uint16_t type = static_cast<std::uint16_t>((query[at + 1] << 8) | query[at + 2]);
      {
        std::lock_guard lock(mutex_);
        questions_.push_back(name);
      }
      auto found = zone_.find(name);
      std::vector<unsigned char> answer;
      if (found == zone_.end()) {
        answer = srv_response(name, {}, id, kRcodeNxdomain);
      } else {
        answer = response_header(id, 0, name, type, 0).bytes;
        if (type == kTypeSrv) answer = srv_response(name, found->second, id);
      }
      ::sendto(fd_, answer.data(), answer.size(), 0, reinterpret_cast<sockaddr*>(&from), from_length);
    }
  }

  std::map<std::string, std::vector<SrvRecord>> zone_;
  int fd_ = -1;
  SocketAddress address_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::string> questions_;
  std::thread thread_;
};

class SystemLookup : public ::testing::Test {
 protected:
  void TearDown() override { set_dns_nameserver(std::nullopt); }
};

TEST_F(SystemLookup, SrvRecordsComeFromTheConfiguredNameserver) {
  FakeNameserver nameserver({{"_sip._udp.sip.test", {{10, 5, 5071, "localhost"}, {20, 1, 5072, "backup.test"}}}});
  ASSERT_TRUE(set_dns_nameserver(nameserver.address()));
  EXPECT_EQ(system_name_lookup().srv_records("_sip._udp.sip.test"),
            (std::vector<SrvRecord>{{10, 5, 5071, "localhost"}, {20, 1, 5072, "backup.test"}}));
  EXPECT_TRUE(system_name_lookup().srv_records("_sip._udp.unknown.test").empty());
  auto questions = nameserver.questions();
  ASSERT_FALSE(questions.empty());
  EXPECT_EQ(questions.front(), "_sip._udp.sip.test");
}

TEST_F(SystemLookup, ANameWithoutPortResolvesThroughSrvToTheTargetsAddress) {
  FakeNameserver nameserver({{"_sip._tcp.sip.test", {{10, 5, 5071, "localhost"}}}});
  ASSERT_TRUE(set_dns_nameserver(nameserver.address()));
  auto address = resolve_sip_destination({"sip.test", std::nullopt, Protocol::Tcp, false});
  ASSERT_TRUE(address);
  EXPECT_EQ(address->to_string(), "127.0.0.1:5071");  // A before AAAA
}

TEST_F(SystemLookup, WithoutSrvRecordsTheHostsFileAddressIsUsed) {
  FakeNameserver nameserver({});
  ASSERT_TRUE(set_dns_nameserver(nameserver.address()));
  auto address = resolve_sip_destination({"localhost", std::nullopt, Protocol::Udp, false});
  ASSERT_TRUE(address);
  EXPECT_EQ(address->to_string(), "127.0.0.1:5060");
  EXPECT_EQ(nameserver.questions().front(), "_sip._udp.localhost");
}

TEST_F(SystemLookup, OnlyIpv4NameserversCanBeSet) {
  EXPECT_FALSE(set_dns_nameserver(SocketAddress::from_ip("::1", 53)));
}

// forward() to a sip: URI without port reaches the SRV target: the server's worker threads
// use the same resolver.
const kamc_rt_call* g_forward = nullptr;
int forward_route(kamc_rt_msg* msg) {
  kamc_rt_call_function(msg, g_forward);
  return KAMC_RT_EXIT;
}

TEST_F(SystemLookup, ForwardToANameFollowsItsSrvRecord) {
  int next_hop = ::socket(AF_INET, SOCK_DGRAM, 0);
  auto loopback = *SocketAddress::from_ip("127.0.0.1", 0);
  ASSERT_EQ(::bind(next_hop, loopback.data(), loopback.size()), 0);
  sockaddr_in bound{};
  socklen_t bound_length = sizeof bound;
  ::getsockname(next_hop, reinterpret_cast<sockaddr*>(&bound), &bound_length);
  std::uint16_t next_hop_port = ntohs(bound.sin_port);
  FakeNameserver nameserver({{"_sip._udp.sip.test", {{10, 5, next_hop_port, "localhost"}}}});
  ASSERT_TRUE(set_dns_nameserver(nameserver.address()));

  Runtime runtime;
  ServerConfig config;
  config.children = 1;
  std::string error;
  config.listen.push_back(*parse_listen_spec("udp:127.0.0.1:0", error));
  Server server(runtime, config);
  ASSERT_TRUE(server.open(error)) << error;
  g_forward = reinterpret_cast<const kamc_rt_call*>(&runtime.fixup_or_throw("forward"));
  ASSERT_EQ(kamc_rt_register_route(to_abi(&runtime), KAMC_RT_ROUTE_REQUEST, nullptr, forward_route), 0);
  server.start();

  int client = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_EQ(::bind(client, loopback.data(), loopback.size()), 0);
  std::string invite =
      "INVITE sip:bob@sip.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKdns1\r\nMax-Forwards: 70\r\n"
      "From: <sip:alice@client.test>;tag=f1\r\nTo: <sip:bob@sip.test>\r\nCall-ID: dns-1\r\nCSeq: 1 INVITE\r\n"
      "Content-Length: 0\r\n\r\n";
  const SocketAddress& proxy = runtime.local_addresses().sockets().front().address;
  ASSERT_EQ(::sendto(client, invite.data(), invite.size(), 0, proxy.data(), proxy.size()),
            static_cast<ssize_t>(invite.size()));
  pollfd pfd{next_hop, POLLIN, 0};
  std::string received;
  if (::poll(&pfd, 1, 3000) == 1) {
    char buffer[4096];
    ssize_t size = ::recv(next_hop, buffer, sizeof buffer, 0);
    if (size > 0) received.assign(buffer, static_cast<std::size_t>(size));
  }
  server.stop();
  ::close(client);
  ::close(next_hop);
  EXPECT_EQ(received.rfind("INVITE sip:bob@sip.test SIP/2.0\r\n", 0), 0u) << "nothing arrived at the SRV target";
}

}  // namespace
