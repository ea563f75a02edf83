// path as Kamailio 5.6 has it at an edge proxy: add_path() and add_path_received() write a
// Path header (RFC 3327) whose address is the socket the REGISTER leaves from, and with
// use_received, loose_route() sends a request to the received= of our consumed Route.
// Requests are checked as they would be sent, through build_forwarded_request.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proxy.h"
#include "runtime_test_support.h"
#include "sip_edit.h"

using namespace kamc::runtime;
using namespace kamc::runtime::testing;

namespace {

std::string register_request(std::string_view extra_headers = "") {
  return "REGISTER sip:registrar.example.com SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 192.0.2.10:5099;branch=z9hG4bKreg1;rport\r\n"
         "Max-Forwards: 70\r\n"
         "To: <sip:alice@example.com>\r\n"
         "From: <sip:alice@example.com>;tag=a1\r\n"
         "Call-ID: reg-1@192.0.2.10\r\n"
         "CSeq: 1 REGISTER\r\n"
         "Contact: <sip:alice@192.0.2.10:5099>\r\n" +
         std::string(extra_headers) +
         "Content-Length: 0\r\n"
         "\r\n";
}

// An in-dialog INVITE (To has a tag), as a registrar's lookup() sends it towards us.
std::string in_dialog(std::string_view route) {
  return "INVITE sip:alice@192.0.2.10:5099 SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 192.0.2.40:5060;branch=z9hG4bKinv1\r\n"
         "Route: " + std::string(route) + "\r\n"
         "Max-Forwards: 69\r\n"
         "To: <sip:alice@example.com>;tag=t1\r\n"
         "From: <sip:bob@example.com>;tag=b1\r\n"
         "Call-ID: call-1@192.0.2.40\r\n"
         "CSeq: 1 INVITE\r\n"
         "Content-Length: 0\r\n"
         "\r\n";
}

class Path : public ::testing::Test {
 protected:
  // make_runtime(): [0] udp 127.0.0.1:5080, [1] tcp 127.0.0.1:5080, [2] udp [::1]:5080.
  const ListenSocket& socket(std::size_t index) const { return runtime->local_addresses().sockets()[index]; }

  // Before the first fixup, as a config's modparam lines come before its routes.
  void set_param(const std::string& module, const std::string& name, int value) {
    std::string error;
    kamc_rt_arg arg{KAMC_RT_ARG_INT, value, nullptr, 0};
    ASSERT_TRUE(runtime->set_modparam(module, name, arg, error)) << error;
  }
  void set_text_param(const std::string& name, const std::string& value) {
    std::string error;
    kamc_rt_arg arg{KAMC_RT_ARG_STR, 0, value.c_str(), value.size()};
    ASSERT_TRUE(runtime->set_modparam("path", name, arg, error)) << error;
  }

  std::string sent_from(ReceivedMessage& message, const ListenSocket& from) {
    SendTarget target;
    target.protocol = from.protocol;
    target.address = *SocketAddress::from_ip(from.address.family() == AF_INET ? "192.0.2.99" : "2001:db8::99", 5070);
    target.from = &from;
    std::vector<kamc::sip::Via> vias;
    EXPECT_TRUE(message->message.vias(vias).ok());
    return build_forwarded_request(*message, target, vias.at(0), "z9hG4bKpath", message->request_uri());
  }

  std::unique_ptr<Runtime> runtime = make_runtime();
};

// ---- add_path() and add_path_received() -----------------------------------------------------

TEST_F(Path, AddPathNamesTheSendingSocketAfterTheLastHeader) {
  ReceivedMessage message(*runtime, register_request());
  EXPECT_EQ(call(*runtime, message, "add_path"), 1);
  std::string sent = sent_from(message, socket(0));
  EXPECT_EQ(header_values(sent, "Path"), "<sip:127.0.0.1:5080;lr>");
  EXPECT_NE(sent.find("Content-Length: 0\r\nPath: <sip:127.0.0.1:5080;lr>\r\n\r\n"), std::string::npos) << sent;
}

TEST_F(Path, AddPathWithAUserOverTcpPutsTheTransportBeforeLr) {
  ReceivedMessage message(*runtime, register_request());
  EXPECT_EQ(call(*runtime, message, "add_path", {"edge"}), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(1)), "Path"), "<sip:edge@127.0.0.1:5080;transport=tcp;lr>");
}

TEST_F(Path, AddPathParametersFollowLrAndTheUserIsAFormat) {
  ReceivedMessage message(*runtime, register_request());
  EXPECT_EQ(call(*runtime, message, "add_path", {"$fU", "ob"}), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Path"), "<sip:alice@127.0.0.1:5080;lr;ob>");
}

TEST_F(Path, AnEmptyUserWritesNoAt) {
  ReceivedMessage message(*runtime, register_request());
  EXPECT_EQ(call(*runtime, message, "add_path", {"", ""}), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Path"), "<sip:127.0.0.1:5080;lr>");
}

TEST_F(Path, OursGoesInFrontOfThePathTheRequestAlreadyHas) {
  ReceivedMessage message(*runtime, register_request("Path: <sip:192.0.2.20;lr>\r\n"));
  EXPECT_EQ(call(*runtime, message, "add_path"), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Path"), "<sip:127.0.0.1:5080;lr>|<sip:192.0.2.20;lr>");
}

TEST_F(Path, AddPathReceivedAddsTheSourceAsASipUri) {
  ReceivedMessage message(*runtime, register_request());
  EXPECT_EQ(call(*runtime, message, "add_path_received", {"Outbound"}), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Path"),
            "<sip:Outbound@127.0.0.1:5080;lr;received=sip:192.0.2.10:5099>");
}

TEST_F(Path, OverTcpTheReceivedTransportIsEscaped) {
  ReceivedMessage message(*runtime, register_request(), Protocol::Tcp);
  EXPECT_EQ(call(*runtime, message, "add_path_received", {"Outbound", "ob"}), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Path"),
            "<sip:Outbound@127.0.0.1:5080;lr;received=sip:192.0.2.10:5099%3Btransport%3Dtcp;ob>");
}

TEST_F(Path, AnIpv6SourceIsBracketedInReceived) {
  ReceivedMessage message(*runtime, register_request());
  message->received.source = *SocketAddress::from_ip("2001:db8::10", 5099);
  EXPECT_EQ(call(*runtime, message, "add_path_received"), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(2)), "Path"), "<sip:[::1]:5080;lr;received=sip:[2001:db8::10]:5099>");
}

TEST_F(Path, ReceivedFormatOneIsIpTildePortTildeProtocolNumber) {
  set_param("path", "received_format", 1);
  ReceivedMessage message(*runtime, register_request(), Protocol::Tcp);
  EXPECT_EQ(call(*runtime, message, "add_path_received"), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Path"), "<sip:127.0.0.1:5080;lr;received=192.0.2.10~5099~2>");
}

TEST_F(Path, ReceivedNameRenamesTheParameter) {
  set_text_param("received_name", "rcv");
  ReceivedMessage message(*runtime, register_request());
  EXPECT_EQ(call(*runtime, message, "add_path_received"), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Path"), "<sip:127.0.0.1:5080;lr;rcv=sip:192.0.2.10:5099>");
}

TEST_F(Path, Port5060IsLeftOut) {
  Runtime on_5060;
  on_5060.local_addresses().add_listen(Protocol::Udp, *SocketAddress::from_ip("127.0.0.1", 5060));
  ReceivedMessage message(on_5060, register_request());
  EXPECT_EQ(call(on_5060, message, "add_path"), 1);
  EXPECT_EQ(header_values(sent_from(message, on_5060.local_addresses().sockets()[0]), "Path"), "<sip:127.0.0.1;lr>");
}

TEST_F(Path, TheAdvertisedAddressIsWritten) {
  Runtime natted;
  natted.local_addresses().add_listen(Protocol::Udp, *SocketAddress::from_ip("127.0.0.1", 5080),
                                      AdvertisedAddress{"203.0.113.5", 5999}, "public");
  ReceivedMessage message(natted, register_request());
  EXPECT_EQ(call(natted, message, "add_path"), 1);
  EXPECT_EQ(header_values(sent_from(message, natted.local_addresses().sockets()[0]), "Path"),
            "<sip:203.0.113.5:5999;lr>");
}

TEST_F(Path, SocknameModeAddsTheSocketName) {
  Runtime named;
  named.local_addresses().add_listen(Protocol::Udp, *SocketAddress::from_ip("127.0.0.1", 5080), {}, "edge0");
  std::string error;
  kamc_rt_arg on{KAMC_RT_ARG_INT, 1, nullptr, 0};
  ASSERT_TRUE(named.set_modparam("path", "sockname_mode", on, error)) << error;
  ReceivedMessage message(named, register_request());
  EXPECT_EQ(call(named, message, "add_path"), 1);
  EXPECT_EQ(header_values(sent_from(message, named.local_addresses().sockets()[0]), "Path"),
            "<sip:127.0.0.1:5080;sn=edge0;lr>");
}

TEST_F(Path, EachBranchNamesItsOwnSendingSocket) {
  ReceivedMessage message(*runtime, register_request());
  EXPECT_EQ(call(*runtime, message, "add_path"), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(2)), "Path"), "<sip:[::1]:5080;lr>");
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Path"), "<sip:127.0.0.1:5080;lr>");
}

TEST_F(Path, EnableR2AddsTheReceivingSocketSecondBothMarked) {
  set_param("path", "enable_r2", 1);
  ReceivedMessage message(*runtime, register_request());
  EXPECT_EQ(call(*runtime, message, "add_path"), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(1)), "Path"),
            "<sip:127.0.0.1:5080;transport=tcp;lr;r2=on>|<sip:127.0.0.1:5080;lr;r2=on>");
}

TEST_F(Path, ALocalReplyCarriesNoPath) {
  ReceivedMessage message(*runtime, register_request());
  EXPECT_EQ(call(*runtime, message, "add_path_received"), 1);
  EXPECT_EQ(build_reply(*message, 200, "OK").find("Path"), std::string::npos);
}

// ---- use_received: loose_route() then the received= of our Route -----------------------------

TEST_F(Path, UseReceivedSendsToTheUnescapedReceivedOfOurConsumedRoute) {
  set_param("path", "use_received", 1);
  ReceivedMessage message(*runtime,
                          in_dialog("<sip:Outbound@127.0.0.1:5080;lr;received=sip:192.0.2.10:5099%3Btransport%3Dtcp>"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  ASSERT_TRUE(message->destination_uri);
  EXPECT_EQ(*message->destination_uri, "sip:192.0.2.10:5099;transport=tcp");
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Route"), "");
}

TEST_F(Path, UseReceivedOverridesTheNextRouteAsDestination) {
  set_param("path", "use_received", 1);
  ReceivedMessage message(*runtime,
                          in_dialog("<sip:127.0.0.1:5080;received=sip:192.0.2.10:5099;lr>, <sip:192.0.2.50;lr>"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  EXPECT_EQ(*message->destination_uri, "sip:192.0.2.10:5099");
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Route"), "<sip:192.0.2.50;lr>");
}

TEST_F(Path, UseReceivedReadsTheTildeFormWithReceivedFormatOne) {
  set_param("path", "use_received", 1);
  set_param("path", "received_format", 1);
  ReceivedMessage message(*runtime, in_dialog("<sip:127.0.0.1:5080;lr;received=192.0.2.10~5099~2>"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  EXPECT_EQ(*message->destination_uri, "sip:192.0.2.10:5099;transport=tcp");
}

TEST_F(Path, UseReceivedTakesAnIpv6Address) {
  set_param("path", "use_received", 1);
  ReceivedMessage message(*runtime, in_dialog("<sip:[::1]:5080;lr;received=sip:[2001:db8::10]:5099>"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  EXPECT_EQ(*message->destination_uri, "sip:[2001:db8::10]:5099");
}

TEST_F(Path, TheReceivedParameterIsFoundInAnyCase) {
  set_param("path", "use_received", 1);
  ReceivedMessage message(*runtime, in_dialog("<sip:127.0.0.1:5080;lr;RECEIVED=sip:192.0.2.10:5099>"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  EXPECT_EQ(*message->destination_uri, "sip:192.0.2.10:5099");
}

TEST_F(Path, AnotherReceivedNameIsFoundOnlyAsWritten) {
  set_param("path", "use_received", 1);
  set_text_param("received_name", "rcv");
  ReceivedMessage other_case(*runtime, in_dialog("<sip:127.0.0.1:5080;lr;RCV=sip:192.0.2.10:5099>"));
  EXPECT_EQ(call(*runtime, other_case, "loose_route"), 1);
  EXPECT_FALSE(other_case->destination_uri);
  ReceivedMessage as_written(*runtime, in_dialog("<sip:127.0.0.1:5080;lr;rcv=sip:192.0.2.10:5099>"));
  EXPECT_EQ(call(*runtime, as_written, "loose_route"), 1);
  EXPECT_EQ(*as_written->destination_uri, "sip:192.0.2.10:5099");
}

TEST_F(Path, WithoutUseReceivedTheReceivedParameterIsIgnored) {
  ReceivedMessage message(*runtime, in_dialog("<sip:127.0.0.1:5080;lr;received=sip:192.0.2.10:5099>"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  EXPECT_FALSE(message->destination_uri);
}

TEST_F(Path, AReceivedOnSomeoneElsesRouteIsNotOurs) {
  set_param("path", "use_received", 1);
  ReceivedMessage message(*runtime, in_dialog("<sip:192.0.2.50;lr;received=sip:192.0.2.10:5099>"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  EXPECT_EQ(*message->destination_uri, "sip:192.0.2.50;lr;received=sip:192.0.2.10:5099");
}

TEST_F(Path, ABadEscapeInReceivedLeavesTheDestinationAlone) {
  set_param("path", "use_received", 1);
  ReceivedMessage message(*runtime, in_dialog("<sip:127.0.0.1:5080;lr;received=sip:192.0.2.10:5099%01>"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  EXPECT_FALSE(message->destination_uri);
}

}  // namespace
