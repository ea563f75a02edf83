// listen's `advertise` and `name`, and the global advertised_address / advertised_port, as
// Kamailio 5.6 applies them: the cfg's listen value read into listen specs, the Via and
// Record-Route the proxy writes about itself, and `myself`.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kamc/runtime/server_config.h"
#include "proxy.h"
#include "runtime_test_support.h"

using namespace kamc::runtime;
using namespace kamc::runtime::testing;

namespace {

std::vector<ListenSpec> listen_specs(const std::string& value, std::string* error_out = nullptr,
                                     RuntimeSettings settings = {}) {
  ServerConfig config;
  std::string error;
  bool ok = add_listen_value(value, settings, config, error);
  if (error_out) *error_out = error;
  EXPECT_EQ(ok, error.empty()) << error;
  return config.listen;
}

std::string listen_error(const std::string& value) {
  std::string error;
  EXPECT_TRUE(listen_specs(value, &error).empty());
  return error;
}

}  // namespace

// ---- the listen value -----------------------------------------------------------------------

TEST(ListenValue, AdvertiseAndNameAreKeptWithTheAddress) {
  auto specs = listen_specs("udp:127.0.0.1:5080 advertise 203.0.113.5:5999 name \"public\"");
  ASSERT_EQ(specs.size(), 1u);
  EXPECT_EQ(specs[0].protocol, Protocol::Udp);
  EXPECT_EQ(specs[0].address.to_string(), "127.0.0.1:5080");
  EXPECT_EQ(specs[0].advertised.host, "203.0.113.5");
  EXPECT_EQ(specs[0].advertised.port, 5999);
  EXPECT_EQ(specs[0].name, "public");
}

TEST(ListenValue, AnAddressWithoutProtocolAdvertisesOnUdpAndTcp) {
  auto specs = listen_specs("127.0.0.1 advertise sip.example.com");
  ASSERT_EQ(specs.size(), 2u);
  for (const auto& spec : specs) {
    EXPECT_EQ(spec.address.port(), 5060);
    EXPECT_EQ(spec.advertised.host, "sip.example.com");
    EXPECT_EQ(spec.advertised.port, 0) << "no port: the socket's own is advertised";
  }
}

TEST(ListenValue, SeveralAddressesShareTheOptions) {
  auto specs = listen_specs("udp:127.0.0.1:5080 tcp:127.0.0.1:5081 advertise [2001:db8::5]:5999");
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[1].protocol, Protocol::Tcp);
  EXPECT_EQ(specs[1].advertised.host, "[2001:db8::5]");
  EXPECT_EQ(specs[1].advertised.port, 5999);
}

TEST(ListenValue, KamailioCommandLineSlashFormAdvertises) {
  auto specs = listen_specs("udp:127.0.0.1:5080/203.0.113.5:5999");
  ASSERT_EQ(specs.size(), 1u);
  EXPECT_EQ(specs[0].address.to_string(), "127.0.0.1:5080");
  EXPECT_EQ(specs[0].advertised.host, "203.0.113.5");
  EXPECT_EQ(specs[0].advertised.port, 5999);
}

TEST(ListenValue, BadOptionsAreStartUpErrorsThatNameTheValue) {
  EXPECT_EQ(listen_error("udp:127.0.0.1:5080 advertise"),
            "listen 'udp:127.0.0.1:5080 advertise': 'advertise' without a value");
  EXPECT_EQ(listen_error("udp:127.0.0.1:5080 advertise 203.0.113.5:70000"),
            "listen 'udp:127.0.0.1:5080 advertise 203.0.113.5:70000': advertise '203.0.113.5:70000': "
            "'70000' is not a port");
  EXPECT_EQ(listen_error("udp:127.0.0.1:5080 advertise bad_host!"),
            "listen 'udp:127.0.0.1:5080 advertise bad_host!': advertise 'bad_host!': "
            "'bad_host!' is not an IP address or host name");
  EXPECT_EQ(listen_error("udp:127.0.0.1:5080 frobnicate 1"),
            "listen 'udp:127.0.0.1:5080 frobnicate 1': listen address 'frobnicate' is not an IPv4 or IPv6 address "
            "(host names are not supported yet)");
  EXPECT_EQ(listen_error("udp:127.0.0.1:5080 name \"a\" port 1"),
            "listen 'udp:127.0.0.1:5080 name \"a\" port 1': unexpected 'port' (expected advertise or name)");
  EXPECT_EQ(listen_error("udp:127.0.0.1:5080 virtual"),
            "listen 'udp:127.0.0.1:5080 virtual': 'virtual' listen sockets are not supported");
  EXPECT_EQ(listen_error("advertise 203.0.113.5"), "listen 'advertise 203.0.113.5': no address");
}

// ---- what the proxy writes about itself -----------------------------------------------------

class Advertise : public ::testing::Test {
 protected:
  // [0] udp 127.0.0.1:5080 advertise 203.0.113.5:5999, [1] tcp 127.0.0.1:5080, [2] udp 127.0.0.1:5060.
  Advertise() {
    auto& local = runtime.local_addresses();
    local.add_listen(Protocol::Udp, *SocketAddress::from_ip("127.0.0.1", 5080), {"203.0.113.5", 5999}, "public");
    local.add_listen(Protocol::Tcp, *SocketAddress::from_ip("127.0.0.1", 5080));
    local.add_listen(Protocol::Udp, *SocketAddress::from_ip("127.0.0.1", 5060));
  }
  const ListenSocket& socket(std::size_t index) const { return runtime.local_addresses().sockets()[index]; }

  // The request as it leaves from `from` after the route's edits, with our Via on top.
  std::string sent_from(ReceivedMessage& message, const ListenSocket& from) {
    SendTarget target;
    target.protocol = from.protocol;
    target.address = *SocketAddress::from_ip("192.0.2.99", 5070);
    target.from = &from;
    std::vector<kamc::sip::Via> vias;
    EXPECT_TRUE(message->message.vias(vias).ok());
    return build_forwarded_request(*message, target, vias.at(0), "z9hG4bKadv", message->request_uri());
  }

  Runtime runtime;
};

TEST_F(Advertise, TheSocketKeepsItsName) { EXPECT_EQ(socket(0).name, "public"); }

TEST_F(Advertise, ViaAndRecordRouteCarryTheAdvertisedAddress) {
  ReceivedMessage message(runtime, invite());
  EXPECT_EQ(call(runtime, message, "record_route"), 1);
  std::string sent = sent_from(message, socket(0));
  EXPECT_EQ(header_values(sent, "Via").rfind("SIP/2.0/UDP 203.0.113.5:5999;branch=z9hG4bKadv|", 0), 0u) << sent;
  EXPECT_EQ(header_values(sent, "Record-Route"), "<sip:203.0.113.5:5999;lr;ftag=1928301774>");
}

TEST_F(Advertise, DoubleRecordRouteAdvertisesEachSocketByItself) {
  ReceivedMessage message(runtime, invite());
  EXPECT_EQ(call(runtime, message, "record_route"), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(1)), "Record-Route"),
            "<sip:127.0.0.1:5080;transport=tcp;r2=on;lr;ftag=1928301774>|"
            "<sip:203.0.113.5:5999;r2=on;lr;ftag=1928301774>");
}

TEST_F(Advertise, TheGlobalAdvertisedAddressWinsInTheViaButNotOverTheSocketsAdvertise) {
  runtime.local_addresses().set_global_advertised({"198.51.100.7", 5070});
  // Kamailio: the Via takes advertised_address/port first; rr's sending socket its own advertise first.
  EXPECT_EQ(socket(0).via_sent_by, "198.51.100.7:5070");
  EXPECT_EQ(socket(0).record_route_sending, "203.0.113.5:5999");
  EXPECT_EQ(socket(1).via_sent_by, "198.51.100.7:5070");
  EXPECT_EQ(socket(1).record_route_sending, "198.51.100.7:5070");
  // As the receiving socket only the listen's advertise counts.
  EXPECT_EQ(socket(1).record_route_receiving, "127.0.0.1:5080");
}

TEST_F(Advertise, AnAdvertisedPortIsWrittenEvenWhen5060OnlyForTheSendingSocket) {
  runtime.local_addresses().set_global_advertised({"", 5060});
  EXPECT_EQ(socket(2).via_sent_by, "127.0.0.1:5060");
  EXPECT_EQ(socket(2).record_route_sending, "127.0.0.1:5060");
  EXPECT_EQ(socket(2).record_route_receiving, "127.0.0.1");
}

TEST_F(Advertise, AnIpv6AdvertisedAddressIsBracketed) {
  const ListenSocket& v6 =
      runtime.local_addresses().add_listen(Protocol::Udp, *SocketAddress::from_ip("::1", 5080), {"2001:db8::5", 0});
  EXPECT_EQ(v6.via_sent_by, "[2001:db8::5]:5080");
  EXPECT_EQ(v6.record_route_receiving, "[2001:db8::5]:5080");
}

TEST_F(Advertise, TheAdvertisedAddressAndPortAreMyself) {
  const LocalAddresses& local = runtime.local_addresses();
  EXPECT_TRUE(local.is_myself("203.0.113.5", 5999));
  EXPECT_TRUE(local.is_myself_host_port("203.0.113.5:5999"));
  // As in Kamailio's grep_sock_info, address and port each match the real or the advertised one.
  EXPECT_TRUE(local.is_myself("127.0.0.1", 5999));
  EXPECT_TRUE(local.is_myself("203.0.113.5", 5080));
  EXPECT_FALSE(local.is_myself("203.0.113.5", 5998));
  EXPECT_FALSE(local.is_myself("203.0.113.6", 5999));
}

TEST_F(Advertise, AnAdvertisedNameIsMyselfCaseInsensitively) {
  runtime.local_addresses().add_listen(Protocol::Udp, *SocketAddress::from_ip("127.0.0.2", 5090),
                                       {"Sip.Example.COM", 5999});
  EXPECT_TRUE(runtime.local_addresses().is_myself("sip.example.com", 5999));
  EXPECT_FALSE(runtime.local_addresses().is_myself("other.example.com", 5999));
}

TEST_F(Advertise, MyselfInTheScriptSeesTheAdvertisedAddress) {
  ReceivedMessage message(runtime, invite("", "sip:bob@203.0.113.5:5999"));
  std::string uri = "sip:bob@203.0.113.5:5999";
  EXPECT_EQ(kamc_rt_is_myself(message.abi(), uri.c_str(), uri.size()), KAMC_RT_TRUE);
}

TEST_F(Advertise, LooseRouteTakesARouteToTheAdvertisedAddressAsOurs) {
  ReceivedMessage message(runtime, invite("Route: <sip:203.0.113.5:5999;lr>, <sip:192.0.2.50:5070;lr>\r\n"));
  EXPECT_EQ(call(runtime, message, "loose_route"), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Route"), "<sip:192.0.2.50:5070;lr>");
}
