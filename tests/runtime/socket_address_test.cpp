// Listen address forms, address text, and `myself` matching.
#include <gtest/gtest.h>

#include "kamc/runtime/local_addresses.h"
#include "kamc/runtime/socket_address.h"

using namespace kamc::runtime;

TEST(ListenSpec, ProtocolHostAndPortAreRead) {
  std::string error;
  auto spec = parse_listen_spec("tcp:127.0.0.1:5070", error);
  ASSERT_TRUE(spec) << error;
  EXPECT_EQ(spec->protocol, Protocol::Tcp);
  EXPECT_EQ(spec->address.to_string(), "127.0.0.1:5070");
}

TEST(ListenSpec, DefaultsAreUdpAndPort5060) {
  std::string error;
  auto spec = parse_listen_spec("127.0.0.1", error);
  ASSERT_TRUE(spec) << error;
  EXPECT_EQ(spec->protocol, Protocol::Udp);
  EXPECT_EQ(spec->address.port(), 5060);
}

TEST(ListenSpec, Ipv6ReferenceWithAndWithoutPort) {
  std::string error;
  auto with_port = parse_listen_spec("udp:[::1]:5090", error);
  ASSERT_TRUE(with_port) << error;
  EXPECT_EQ(with_port->address.family(), AF_INET6);
  EXPECT_EQ(with_port->address.to_string(), "[::1]:5090");
  EXPECT_EQ(with_port->address.ip_text(), "::1");
  auto bare = parse_listen_spec("::1", error);
  ASSERT_TRUE(bare) << error;
  EXPECT_EQ(bare->address.port(), 5060);
}

TEST(ListenSpec, UnsupportedTransportsAndBadAddressesAreRefusedWithAReason) {
  std::string error;
  EXPECT_FALSE(parse_listen_spec("tls:127.0.0.1:5061", error));
  EXPECT_NE(error.find("not supported"), std::string::npos);
  EXPECT_FALSE(parse_listen_spec("udp:127.0.0.1:99999", error));
  EXPECT_NE(error.find("bad port"), std::string::npos);
  EXPECT_FALSE(parse_listen_spec("udp:proxy.example.com:5060", error));
  EXPECT_FALSE(parse_listen_spec("udp:[::1:5060", error));
}

TEST(SocketAddress, EqualityComparesAddressAndPort) {
  auto a = *SocketAddress::from_ip("[2001:db8::1]", 5060);
  auto b = *SocketAddress::from_ip("2001:db8::1", 5060);
  auto c = *SocketAddress::from_ip("2001:db8::1", 5061);
  EXPECT_EQ(a, b);
  EXPECT_FALSE(a == c);
  EXPECT_EQ(a.hash(), b.hash());
}

TEST(Myself, MatchesListenAddressesWithTheDefaultPortRule) {
  LocalAddresses local;
  local.add_listen(Protocol::Udp, *SocketAddress::from_ip("127.0.0.1", 5060));
  local.add_listen(Protocol::Udp, *SocketAddress::from_ip("::1", 5070));
  EXPECT_TRUE(local.is_myself("127.0.0.1", std::nullopt));  // no port means 5060
  EXPECT_TRUE(local.is_myself("[::1]", 5070));
  EXPECT_TRUE(local.is_myself("::1", 5070));
  EXPECT_FALSE(local.is_myself("[::1]", std::nullopt));
  EXPECT_FALSE(local.is_myself("127.0.0.2", 5060));
  EXPECT_TRUE(local.is_myself_host_port("[::1]:5070"));
  EXPECT_TRUE(local.is_myself_host_port("127.0.0.1"));
  EXPECT_FALSE(local.is_myself_host_port("127.0.0.1:abc"));
}

TEST(Myself, AliasesMatchByNameAndOptionalPort) {
  LocalAddresses local;
  local.add_alias("proxy.example.com", std::nullopt);
  local.add_alias("sip.example.com", 5080);
  EXPECT_TRUE(local.is_myself("PROXY.example.com", 5999));
  EXPECT_TRUE(local.is_myself("sip.example.com", 5080));
  EXPECT_FALSE(local.is_myself("sip.example.com", std::nullopt));
}

TEST(ChooseSocket, PrefersTheReceivingSocketThenTheFirstOfTheRightKind) {
  LocalAddresses local;
  local.add_listen(Protocol::Udp, *SocketAddress::from_ip("127.0.0.1", 5060));
  local.add_listen(Protocol::Tcp, *SocketAddress::from_ip("127.0.0.1", 5060));
  local.add_listen(Protocol::Udp, *SocketAddress::from_ip("127.0.0.2", 5060));
  const auto& sockets = local.sockets();
  EXPECT_EQ(local.choose(Protocol::Udp, AF_INET, &sockets[2]), &sockets[2]);
  EXPECT_EQ(local.choose(Protocol::Tcp, AF_INET, &sockets[2]), &sockets[1]);
  EXPECT_EQ(local.choose(Protocol::Udp, AF_INET6, nullptr), nullptr);
}
