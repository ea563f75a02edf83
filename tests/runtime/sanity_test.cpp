// sanity_check() through the ABI: Kamailio's check bits, the reply each failure sends and
// the return codes (autodrop: a failure returns 0 and stops the script).
#include <gtest/gtest.h>

#include "runtime_test_support.h"

using namespace kamc::runtime;
using namespace kamc::runtime::testing;

namespace {

class Sanity : public ::testing::Test {
 protected:
  std::unique_ptr<Runtime> runtime = make_runtime();
  CapturingTransport transport;

  int check(ReceivedMessage& message, std::vector<std::string> args = {}) {
    message->transport = &transport;
    return call(*runtime, message, "sanity_check", std::move(args));
  }
  std::string first_line() const {
    if (transport.sent.empty()) return "<nothing sent>";
    return transport.sent.back().substr(0, transport.sent.back().find("\r\n"));
  }
};

std::string request(std::string_view method, std::string_view ruri, std::string_view cseq, std::string_view extra = "",
                    std::string_view body = "") {
  return std::string(method) + " " + std::string(ruri) + " SIP/2.0\r\n" +
         "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
         "Max-Forwards: 70\r\n"
         "To: <sip:bob@biloxi.example.com>\r\n"
         "From: <sip:alice@atlanta.example.com>;tag=1\r\n"
         "Call-ID: c1@pc33\r\n"
         "CSeq: " + std::string(cseq) + "\r\n" + std::string(extra) +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

}  // namespace

TEST_F(Sanity, AGoodRequestPassesTheDefaultChecks) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(check(message), 1);
  EXPECT_EQ(check(message, {"4095", "15"}), 1);
  EXPECT_TRUE(transport.sent.empty());
}

TEST_F(Sanity, ProxyRequireIsAnswered420WithUnsupported) {
  ReceivedMessage message(*runtime, invite("Proxy-Require: foo, bar\r\n"));
  EXPECT_EQ(check(message), 0);
  EXPECT_EQ(first_line(), "SIP/2.0 420 Bad Proxy Require Extension");
  EXPECT_NE(transport.sent.back().find("\r\nUnsupported: foo, bar\r\n"), std::string::npos);
  transport.sent.clear();
  EXPECT_EQ(check(message, {"1"}), 1);  // only the R-URI version: passes
}

// A CSeq method that differs from the request's, or a bad CSeq number, is already refused
// by the parser's well-formedness check before any route runs (sl_reply_error answers it).
TEST_F(Sanity, CSeqChecksPassOnAWellFormedRequest) {
  ReceivedMessage message(*runtime, request("OPTIONS", "sip:bob@biloxi.example.com", "4294967295 OPTIONS"));
  EXPECT_EQ(check(message, {"96"}), 1);
}

// RFC 4475 3.1.1.1 (wsinv): a leading-zero CSeq number with the method folded onto a
// continuation line is valid, and both CSeq checks pass (Kamailio 5.6 drops it).
TEST_F(Sanity, AFoldedCSeqWithLeadingZerosPasses) {
  ReceivedMessage message(*runtime, request("INVITE", "sip:bob@biloxi.example.com", "0009\r\n  INVITE"));
  EXPECT_EQ(check(message, {"96"}), 1);
  EXPECT_EQ(check(message), 1);
  EXPECT_TRUE(transport.sent.empty()) << first_line();
}

TEST_F(Sanity, ExpiresMustBeANumber) {
  ReceivedMessage message(*runtime, request("REGISTER", "sip:biloxi.example.com", "1 REGISTER", "Expires: -5\r\n"));
  EXPECT_EQ(check(message), 0);
  EXPECT_EQ(first_line(), "SIP/2.0 400 Expires value is illegal");
  ReceivedMessage good(*runtime, request("REGISTER", "sip:biloxi.example.com", "1 REGISTER", "Expires: 3600\r\n"));
  EXPECT_EQ(check(good, {"256"}), 1);
}

TEST_F(Sanity, UnsupportedRequestUriSchemeIs416) {
  ReceivedMessage message(*runtime, request("OPTIONS", "mailto:bob@biloxi.example.com", "1 OPTIONS"));
  EXPECT_EQ(check(message, {"2"}), 0);
  EXPECT_EQ(first_line(), "SIP/2.0 416 Unsupported URI Scheme in Request URI");
}

TEST_F(Sanity, DigestCredentialsAreChecked) {
  ReceivedMessage empty_user(*runtime,
                             request("INVITE", "sip:bob@biloxi.example.com", "1 INVITE",
                                     "Proxy-Authorization: Digest username=\"\", realm=\"b\", nonce=\"n\", "
                                     "uri=\"sip:bob@biloxi.example.com\", response=\"0123\"\r\n"));
  EXPECT_EQ(check(empty_user), 0);
  EXPECT_EQ(first_line(), "SIP/2.0 400 Auth Empty User");
  ReceivedMessage missing(*runtime, request("INVITE", "sip:bob@biloxi.example.com", "1 INVITE",
                                            "Authorization: Digest username=\"a\", realm=\"b\"\r\n"));
  EXPECT_EQ(check(missing, {"2048"}), 0);
  EXPECT_EQ(first_line(), "SIP/2.0 400 Bad Auth Credentials");
  ReceivedMessage basic(*runtime, request("INVITE", "sip:bob@biloxi.example.com", "1 INVITE",
                                          "Authorization: Basic QWxhZGRpbjpvcGVu\r\n"));
  EXPECT_EQ(check(basic, {"2048"}), 1);
}

TEST_F(Sanity, ContactUrisOnlyWithTheContactUriCheck) {
  ReceivedMessage message(*runtime, request("INVITE", "sip:bob@biloxi.example.com", "1 INVITE",
                                            "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"));
  EXPECT_EQ(check(message, {"1024", "15"}), 1);
}

TEST_F(Sanity, NoReplyToAnAck) {
  ReceivedMessage message(*runtime, request("ACK", "sip:bob@biloxi.example.com", "1 ACK", "Proxy-Require: foo\r\n"));
  EXPECT_EQ(check(message, {"512"}), 0);
  EXPECT_TRUE(transport.sent.empty());
}

TEST_F(Sanity, ArgumentsOutOfRangeAreLoadErrors) {
  std::vector<kamc_rt_arg> args{{KAMC_RT_ARG_INT, 0, nullptr, 0}};
  char error[256] = {};
  EXPECT_EQ(kamc_rt_fixup_call(to_abi(runtime.get()), "sanity_check", args.data(), 1, error, sizeof error), nullptr);
  EXPECT_NE(std::string(error).find("outside 1..32767"), std::string::npos) << error;
  std::vector<kamc_rt_arg> two{{KAMC_RT_ARG_INT, 1, nullptr, 0}, {KAMC_RT_ARG_INT, 16, nullptr, 0}};
  EXPECT_EQ(kamc_rt_fixup_call(to_abi(runtime.get()), "sanity_check", two.data(), 2, error, sizeof error), nullptr);
  EXPECT_NE(std::string(error).find("outside 1..15"), std::string::npos) << error;
}
