// rr as Kamailio 5.6 has it: record_route() (and a double Record-Route when the request
// leaves from another socket), record_route_preset(), and loose_route() with its strict-router
// compatibility (RFC 3261 16.4, 16.6 step 6, 16.12). Requests are checked as they would be
// sent, through build_forwarded_request.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proxy.h"
#include "runtime_test_support.h"
#include "sip_edit.h"

using namespace kamc::runtime;
using namespace kamc::runtime::testing;

namespace {

std::string request_line(const std::string& message) { return message.substr(0, message.find("\r\n")); }

// An in-dialog request (To has a tag) with `ruri` and extra header lines.
std::string in_dialog(std::string_view extra_headers, std::string_view ruri = "sip:bob@192.0.2.99:5070") {
  std::string text = invite(extra_headers, ruri);
  std::string_view to = "To: Bob <sip:bob@biloxi.example.com>";
  text.insert(text.find(to) + to.size(), ";tag=b0b");
  return text;
}

class Rr : public ::testing::Test {
 protected:
  // make_runtime(): [0] udp 127.0.0.1:5080, [1] tcp 127.0.0.1:5080, [2] udp [::1]:5080.
  const ListenSocket& socket(std::size_t index) const { return runtime->local_addresses().sockets()[index]; }

  // Before the first fixup, as a config's modparam lines come before its routes.
  void set_rr_param(const std::string& name, int value) {
    std::string error;
    kamc_rt_arg arg{KAMC_RT_ARG_INT, value, nullptr, 0};
    ASSERT_TRUE(runtime->set_modparam("rr", name, arg, error)) << error;
  }

  // The request as it leaves from `from`: the route's edits, our Via on top.
  std::string sent_from(ReceivedMessage& message, const ListenSocket& from) {
    SendTarget target;
    target.protocol = from.protocol;
    target.address = *SocketAddress::from_ip(from.address.family() == AF_INET ? "192.0.2.99" : "2001:db8::99", 5070);
    target.from = &from;
    std::vector<kamc::sip::Via> vias;
    EXPECT_TRUE(message->message.vias(vias).ok());
    return build_forwarded_request(*message, target, vias.at(0), "z9hG4bKrr", message->request_uri());
  }

  std::unique_ptr<Runtime> runtime = make_runtime();
};

// ---- record_route() ------------------------------------------------------------------------

TEST_F(Rr, RecordRouteIsTheFirstHeaderWithTheReceivingAddressWhenTheSocketStaysTheSame) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "record_route"), 1);
  std::string sent = sent_from(message, socket(0));
  EXPECT_EQ(sent.substr(sent.find("\r\n") + 2, sent.find("\r\nVia:") - sent.find("\r\n") - 2),
            "Record-Route: <sip:127.0.0.1:5080;lr;ftag=1928301774>");
  EXPECT_EQ(header_values(sent, "Record-Route"), "<sip:127.0.0.1:5080;lr;ftag=1928301774>");
}

TEST_F(Rr, RecordRouteLeavesTheFromTagOutWhenAppendFromtagIsOff) {
  set_rr_param("append_fromtag", 0);
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "record_route"), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Record-Route"), "<sip:127.0.0.1:5080;lr>");
}

TEST_F(Rr, RecordRouteOverTcpPutsTheTransportBeforeLrAndTheParametersLast) {
  ReceivedMessage message(*runtime, invite(), Protocol::Tcp);
  EXPECT_EQ(call(*runtime, message, "record_route", {"user=$fU"}), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(1)), "Record-Route"),
            "<sip:127.0.0.1:5080;transport=tcp;lr;ftag=1928301774;user=alice>");
}

TEST_F(Rr, RecordRouteLeavesPort5060Out) {
  Runtime on_5060;  // no socket is opened: only the address list is used
  on_5060.local_addresses().add_listen(Protocol::Udp, *SocketAddress::from_ip("127.0.0.1", 5060));
  ReceivedMessage message(on_5060, invite());
  EXPECT_EQ(call(on_5060, message, "record_route"), 1);
  EXPECT_EQ(header_values(sent_from(message, on_5060.local_addresses().sockets()[0]), "Record-Route"),
            "<sip:127.0.0.1;lr;ftag=1928301774>");
}

TEST_F(Rr, UdpInTcpOutGivesTwoRecordRoutesTheOutgoingFirstBothWithR2) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "record_route"), 1);
  std::string sent = sent_from(message, socket(1));
  EXPECT_EQ(header_values(sent, "Record-Route"),
            "<sip:127.0.0.1:5080;transport=tcp;r2=on;lr;ftag=1928301774>|<sip:127.0.0.1:5080;r2=on;lr;ftag=1928301774>");
  EXPECT_EQ(sent.find('\x01'), std::string::npos);
}

TEST_F(Rr, AnotherAddressOfTheSameTransportAlsoGivesTwoRecordRoutes) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "record_route", {";ob"}), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(2)), "Record-Route"),
            "<sip:[::1]:5080;r2=on;lr;ftag=1928301774;ob>|<sip:127.0.0.1:5080;r2=on;lr;ftag=1928301774;ob>");
}

TEST_F(Rr, EnableDoubleRrZeroKeepsOneRecordRouteOnATransportChange) {
  set_rr_param("enable_double_rr", 0);
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "record_route"), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(1)), "Record-Route"), "<sip:127.0.0.1:5080;lr;ftag=1928301774>");
}

TEST_F(Rr, EnableDoubleRrTwoDoublesEvenOnTheSameSocket) {
  set_rr_param("enable_double_rr", 2);
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "record_route"), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Record-Route"),
            "<sip:127.0.0.1:5080;r2=on;lr;ftag=1928301774>|<sip:127.0.0.1:5080;r2=on;lr;ftag=1928301774>");
}

TEST_F(Rr, EachBranchDecidesForItsOwnSocket) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "record_route"), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(1)), "Record-Route").find('|') != std::string::npos, true);
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Record-Route"), "<sip:127.0.0.1:5080;lr;ftag=1928301774>");
}

TEST_F(Rr, ALocalReplyAfterRecordRouteCarriesNoRecordRoute) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "record_route"), 1);
  std::string reply = build_reply(*message, 404, "Not Found");
  EXPECT_EQ(reply.find("Record-Route"), std::string::npos) << reply;
  EXPECT_EQ(reply.find('\x01'), std::string::npos);
}

// ---- record_route_preset() -------------------------------------------------------------------

TEST_F(Rr, RecordRoutePresetWritesTheAddressTheFromTagThenLr) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "record_route_preset", {"192.0.2.1:5060", "sip:10.0.0.1:5060"}), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Record-Route"),
            "<sip:192.0.2.1:5060;ftag=1928301774;lr>|<sip:10.0.0.1:5060;ftag=1928301774;lr>");
}

TEST_F(Rr, RecordRoutePresetWithTwoAddressesNeedsEnableDoubleRr) {
  set_rr_param("enable_double_rr", 0);
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "record_route_preset", {"192.0.2.1", "10.0.0.1"}), -1);
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Record-Route"), "");
  EXPECT_EQ(call(*runtime, message, "record_route_preset", {"192.0.2.1"}), 1);
}

// ---- loose_route(): the previous hop was a loose router -------------------------------------

TEST_F(Rr, LooseRouteRemovesOurRouteAndTargetsTheNextOne) {
  ReceivedMessage message(*runtime, invite("Route: <sip:127.0.0.1:5080;lr>, <sip:192.0.2.50:5070;lr>\r\n"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Route"), "<sip:192.0.2.50:5070;lr>");
  ASSERT_TRUE(message->destination_uri);
  EXPECT_EQ(*message->destination_uri, "sip:192.0.2.50:5070;lr");
}

TEST_F(Rr, LooseRouteInDialogWithOnlyOurRouteLeavesTheRequestUriAsTarget) {
  ReceivedMessage message(*runtime, in_dialog("Route: <sip:127.0.0.1:5080;lr;ftag=1928301774>\r\n"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Route"), "");
  EXPECT_FALSE(message->destination_uri);
}

TEST_F(Rr, LooseRouteOnAPreloadedRouteOfOnlyOurselvesIsPreloaded) {
  ReceivedMessage message(*runtime, invite("Route: <sip:127.0.0.1:5080;lr>\r\n"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), -3);
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Route"), "");
  EXPECT_FALSE(message->destination_uri);
}

TEST_F(Rr, LooseRouteToAForeignRouteTargetsItAndKeepsIt) {
  ReceivedMessage message(*runtime, invite("Route: <sip:192.0.2.50;lr>\r\n"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Route"), "<sip:192.0.2.50;lr>");
  EXPECT_EQ(*message->destination_uri, "sip:192.0.2.50;lr");
}

TEST_F(Rr, LooseRouteUsesTheMaddrOfTheNextRoute) {
  ReceivedMessage message(*runtime, invite("Route: <sip:proxy.example.com:5070;maddr=192.0.2.90;lr>\r\n"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  EXPECT_EQ(*message->destination_uri, "sip:192.0.2.90:5070");
}

TEST_F(Rr, AGruuWithOurAddressIsNotOurRoute) {
  ReceivedMessage message(*runtime, in_dialog("Route: <sip:127.0.0.1:5080;gr=urn:uuid:1;lr>\r\n"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  EXPECT_EQ(*message->destination_uri, "sip:127.0.0.1:5080;gr=urn:uuid:1;lr");
}

TEST_F(Rr, LooseRouteWithoutRouteIsFalse) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "loose_route"), -1);
}

TEST_F(Rr, LooseRouteRemovesBothOfOurDoubleRecordRouteEntries) {
  ReceivedMessage message(*runtime, in_dialog("Route: <sip:127.0.0.1:5080;r2=on;lr;ftag=1>, "
                                              "<sip:127.0.0.1:5080;transport=tcp;r2=on;lr;ftag=1>\r\n",
                                              "sip:bob@192.0.2.99:5070;transport=tcp"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(1)), "Route"), "");
  EXPECT_FALSE(message->destination_uri);
}

TEST_F(Rr, DoubleRecordRouteEntriesOnSeparateLinesGoAndTheNextHopStays) {
  ReceivedMessage message(*runtime, in_dialog("Route: <sip:127.0.0.1:5080;transport=tcp;r2=on;lr>\r\n"
                                              "Route: <sip:127.0.0.1:5080;r2=on;lr>, <sip:192.0.2.50;lr>\r\n"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Route"), "<sip:192.0.2.50;lr>");
  EXPECT_EQ(*message->destination_uri, "sip:192.0.2.50;lr");
}

TEST_F(Rr, WithoutR2OnlyOurFirstEntryIsRemoved) {
  ReceivedMessage message(*runtime, in_dialog("Route: <sip:127.0.0.1:5080;lr>, <sip:127.0.0.1:5080;transport=tcp;lr>\r\n"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Route"), "<sip:127.0.0.1:5080;transport=tcp;lr>");
  EXPECT_EQ(*message->destination_uri, "sip:127.0.0.1:5080;transport=tcp;lr");
}

TEST_F(Rr, WithEnableDoubleRrOffTheR2TwinIsNotRemoved) {
  set_rr_param("enable_double_rr", 0);
  ReceivedMessage message(*runtime, in_dialog("Route: <sip:127.0.0.1:5080;r2=on;lr>, <sip:192.0.2.50;r2=on;lr>\r\n"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  EXPECT_EQ(*message->destination_uri, "sip:192.0.2.50;r2=on;lr");
}

TEST_F(Rr, ANextHopWithoutLrIsAStrictRouterAndGetsTheRequestUri) {
  ReceivedMessage message(*runtime, in_dialog("Route: <sip:127.0.0.1:5080;lr>, <sip:192.0.2.60>, <sip:192.0.2.70;lr>\r\n",
                                              "sip:bob@192.0.2.99"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  std::string sent = sent_from(message, socket(0));
  EXPECT_EQ(request_line(sent), "INVITE sip:192.0.2.60 SIP/2.0");
  EXPECT_EQ(header_values(sent, "Route"), "<sip:192.0.2.70;lr>|<sip:bob@192.0.2.99>");  // the old R-URI goes last
  EXPECT_FALSE(message->destination_uri);
}

TEST_F(Rr, AStrictRouterOnTopThatIsNotUsIsTheNextHop) {
  ReceivedMessage message(*runtime, in_dialog("Route: <sip:192.0.2.60>\r\n", "sip:bob@192.0.2.99"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  std::string sent = sent_from(message, socket(0));
  EXPECT_EQ(request_line(sent), "INVITE sip:192.0.2.60 SIP/2.0");
  EXPECT_EQ(header_values(sent, "Route"), "<sip:bob@192.0.2.99>");
}

// ---- loose_route(): the previous hop was a strict router (the Request-URI is ours) ----------

TEST_F(Rr, AfterAStrictRouterTheLastRouteBecomesTheRequestUriAgain) {
  ReceivedMessage message(*runtime, in_dialog("Route: <sip:192.0.2.70;lr>, <sip:carol@192.0.2.80>\r\n",
                                              "sip:127.0.0.1:5080;lr"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  std::string sent = sent_from(message, socket(0));
  EXPECT_EQ(request_line(sent), "INVITE sip:carol@192.0.2.80 SIP/2.0");
  EXPECT_EQ(header_values(sent, "Route"), "<sip:192.0.2.70;lr>");
  EXPECT_EQ(*message->destination_uri, "sip:192.0.2.70;lr");
}

TEST_F(Rr, AfterAStrictRouterAStrictNextHopGetsTheRequestUri) {
  ReceivedMessage message(*runtime, in_dialog("Route: <sip:192.0.2.70>\r\nRoute: <sip:carol@192.0.2.80>\r\n",
                                              "sip:127.0.0.1:5080"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  std::string sent = sent_from(message, socket(0));
  EXPECT_EQ(request_line(sent), "INVITE sip:192.0.2.70 SIP/2.0");
  EXPECT_EQ(header_values(sent, "Route"), "<sip:carol@192.0.2.80>");
  EXPECT_FALSE(message->destination_uri);
}

TEST_F(Rr, AfterAStrictRouterOurDoubleRecordRouteTwinIsDroppedFirst) {
  ReceivedMessage message(*runtime, in_dialog("Route: <sip:127.0.0.1:5080;r2=on;lr>, <sip:carol@192.0.2.80>\r\n",
                                              "sip:127.0.0.1:5080;transport=tcp;r2=on;lr"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  std::string sent = sent_from(message, socket(0));
  EXPECT_EQ(request_line(sent), "INVITE sip:carol@192.0.2.80 SIP/2.0");
  EXPECT_EQ(header_values(sent, "Route"), "");
}

TEST_F(Rr, AfterAStrictRouterOnlyOurTwinLeftIsNotDriven) {
  ReceivedMessage message(*runtime, in_dialog("Route: <sip:127.0.0.1:5080;r2=on;lr>\r\n", "sip:127.0.0.1:5080;r2=on;lr"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), -1);
  EXPECT_EQ(header_values(sent_from(message, socket(0)), "Route"), "");
}

TEST_F(Rr, AnInitialRequestToUsIsNotTreatedAsStrictlyRouted) {
  ReceivedMessage message(*runtime, invite("Route: <sip:192.0.2.70;lr>, <sip:carol@192.0.2.80>\r\n", "sip:127.0.0.1:5080"));
  EXPECT_EQ(call(*runtime, message, "loose_route"), 1);
  EXPECT_EQ(request_line(sent_from(message, socket(0))), "INVITE sip:127.0.0.1:5080 SIP/2.0");
  EXPECT_EQ(*message->destination_uri, "sip:192.0.2.70;lr");
}

}  // namespace
