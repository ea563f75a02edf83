// Unit tests for the Via parser: sent-protocol, sent-by, branch/received/rport, lists.
#include <gtest/gtest.h>

#include "kamc/sip/via.h"

using namespace kamc::sip;

namespace {
std::vector<Via> parsed(std::string_view value) {
  std::vector<Via> vias;
  ParseResult result = parse_via_header(value, vias);
  EXPECT_TRUE(result.ok()) << value << ": " << result.reason;
  return vias;
}
bool rejects(std::string_view value) {
  std::vector<Via> vias;
  return !parse_via_header(value, vias).ok();
}
}  // namespace

TEST(Via, ReadsProtocolSentByAndProxyParameters) {
  auto vias = parsed("SIP/2.0/UDP host.example.com:5060;branch=z9hG4bK776;received=192.0.2.1;rport=5061");
  ASSERT_EQ(vias.size(), 1u);
  const Via& via = vias[0];
  EXPECT_EQ(via.protocol_name, "SIP");
  EXPECT_EQ(via.protocol_version, "2.0");
  EXPECT_EQ(via.transport, "UDP");
  EXPECT_EQ(via.host, "host.example.com");
  EXPECT_EQ(via.port, 5060);
  EXPECT_EQ(via.branch, "z9hG4bK776");
  EXPECT_EQ(via.received, "192.0.2.1");
  EXPECT_TRUE(via.has_rport);
  EXPECT_EQ(via.rport_value, 5061);
}

TEST(Via, RportWithoutValueIsAFlag) {
  auto vias = parsed("SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-d8754z;rport");
  ASSERT_EQ(vias.size(), 1u);
  EXPECT_TRUE(vias[0].has_rport);
  EXPECT_FALSE(vias[0].rport_value.has_value());
  EXPECT_EQ(vias[0].param("rport"), "");
}

TEST(Via, NoBranchIsAcceptedForRfc2543Peers) {
  auto vias = parsed("SIP/2.0/UDP iftgw.example.com");
  ASSERT_EQ(vias.size(), 1u);
  EXPECT_FALSE(vias[0].branch.has_value());
  EXPECT_FALSE(vias[0].port.has_value());
}

TEST(Via, ReceivedMayBeIpv6WithOrWithoutBrackets) {
  EXPECT_EQ(parsed("SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bKas3")[0].received,
            "2001:db8::9:255");
  auto vias = parsed("SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255];branch=z9hG4bKas3-111");
  EXPECT_EQ(vias[0].host, "[2001:db8::9:1]");
  EXPECT_EQ(vias[0].received, "[2001:db8::9:255]");
}

TEST(Via, Ipv6SentByWithPort) {
  auto vias = parsed("SIP/2.0/UDP [::ffff:192.0.2.10]:19823;branch=z9hG4bKbh19");
  EXPECT_EQ(vias[0].host, "[::ffff:192.0.2.10]");
  EXPECT_EQ(vias[0].port, 19823);
}

TEST(Via, LinearWhiteSpaceAndFoldingAroundSeparators) {
  auto vias = parsed("SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw");
  ASSERT_EQ(vias.size(), 1u);
  EXPECT_EQ(vias[0].transport, "UDP");
  EXPECT_EQ(vias[0].host, "192.0.2.2");
  EXPECT_EQ(vias[0].branch, "390skdjuw");
}

TEST(Via, CommaSeparatedValuesBecomeSeparateVias) {
  auto vias = parsed(
      "SIP  / 2.0  / TCP     spindle.example.com   ;\r\n  branch  =   z9hG4bK9ikj8  ,\r\n"
      " SIP  /    2.0   / UDP  192.168.255.111   ; branch=\r\n z9hG4bK30239");
  ASSERT_EQ(vias.size(), 2u);
  EXPECT_EQ(vias[0].transport, "TCP");
  EXPECT_EQ(vias[0].host, "spindle.example.com");
  EXPECT_EQ(vias[0].branch, "z9hG4bK9ikj8");
  EXPECT_EQ(vias[1].transport, "UDP");
  EXPECT_EQ(vias[1].host, "192.168.255.111");
  EXPECT_EQ(vias[1].branch, "z9hG4bK30239");
}

TEST(Via, UnknownTransportTokensAreKept) {
  EXPECT_EQ(parsed("SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en")[0].transport, "UNKNOWN");
}

TEST(Via, MalformedValuesAreRejected) {
  EXPECT_TRUE(rejects(""));
  EXPECT_TRUE(rejects("SIP/2.0/UDP 192.0.2.15;;,;,,"));
  EXPECT_TRUE(rejects("SIP/2.0 host.example.com"));
  EXPECT_TRUE(rejects("SIP/2.0/UDP"));
  EXPECT_TRUE(rejects("SIP/2.0/UDPhost.example.com"));
  EXPECT_TRUE(rejects("SIP/2.0/UDP host:99999"));
  EXPECT_TRUE(rejects("SIP/2.0/UDP host;rport=abc"));
  EXPECT_TRUE(rejects("SIP/2.0/UDP host;received=example.com"));
  EXPECT_TRUE(rejects("SIP/2.0/UDP host;branch="));
  EXPECT_TRUE(rejects("SIP/2.0/UDP host,"));
  EXPECT_TRUE(rejects("SIP/2.0/UDP [2001:db8::1;branch=x"));
}
