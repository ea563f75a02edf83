// tmx's t_precheck_trans(): true while another message with the same request identity
// (Call-ID, From tag, CSeq, top Via branch) is still in its request_route, before
// t_newtran made a transaction that t_check_trans() would find. Each test message is
// one worker's message in flight; the table is the real one every worker shares.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "runtime_test_support.h"

using namespace kamc::runtime;
using namespace kamc::runtime::testing;

namespace {

std::string request(std::string_view method = "INVITE", std::string_view branch = "z9hG4bK776asdhds",
                    std::string_view cseq = "314159 INVITE", std::string_view from_tag = "1928301774") {
  return std::string(method) + " sip:bob@biloxi.example.com SIP/2.0\r\n"
         "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=" + std::string(branch) + "\r\n"
         "Max-Forwards: 70\r\n"
         "To: Bob <sip:bob@biloxi.example.com>\r\n"
         "From: Alice <sip:alice@atlanta.example.com>;tag=" + std::string(from_tag) + "\r\n"
         "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
         "CSeq: " + std::string(cseq) + "\r\n"
         "Content-Length: 0\r\n"
         "\r\n";
}

class TmxPrecheck : public ::testing::Test {
 protected:
  int precheck(ReceivedMessage& message) { return call(*runtime, message, "t_precheck_trans"); }

  std::unique_ptr<Runtime> runtime = make_runtime();
};

TEST_F(TmxPrecheck, TheFirstCopyIsNotHandledElsewhere) {
  ReceivedMessage first(*runtime, request());
  EXPECT_EQ(precheck(first), -1);
}

TEST_F(TmxPrecheck, ARetransmissionWhileTheFirstIsInItsRequestRouteIsTrue) {
  ReceivedMessage first(*runtime, request());
  ReceivedMessage retransmission(*runtime, request());
  EXPECT_EQ(precheck(first), -1);
  EXPECT_EQ(precheck(retransmission), 1);
}

TEST_F(TmxPrecheck, WhenTheFirstLeavesItsRequestRouteTheIdentityIsGone) {
  ReceivedMessage first(*runtime, request());
  EXPECT_EQ(precheck(first), -1);
  runtime->request_route_done(*first);
  ReceivedMessage retransmission(*runtime, request());
  EXPECT_EQ(precheck(retransmission), -1);
}

TEST_F(TmxPrecheck, AMessageThatGoesTakesItsIdentityWithIt) {
  {
    ReceivedMessage first(*runtime, request());
    EXPECT_EQ(precheck(first), -1);
  }
  ReceivedMessage later(*runtime, request());
  EXPECT_EQ(precheck(later), -1);
}

TEST_F(TmxPrecheck, CallingItAgainInTheSameMessageDoesNotFindItself) {
  ReceivedMessage first(*runtime, request());
  EXPECT_EQ(precheck(first), -1);
  EXPECT_EQ(precheck(first), -1);
}

TEST_F(TmxPrecheck, AnotherBranchCSeqOrFromTagIsAnotherTransaction) {
  ReceivedMessage first(*runtime, request());
  EXPECT_EQ(precheck(first), -1);
  ReceivedMessage forked(*runtime, request("INVITE", "z9hG4bK776asdhdt"));
  ReceivedMessage next_cseq(*runtime, request("INVITE", "z9hG4bK776asdhds", "314160 INVITE"));
  ReceivedMessage other_from(*runtime, request("INVITE", "z9hG4bK776asdhds", "314159 INVITE", "other"));
  EXPECT_EQ(precheck(forked), -1);
  EXPECT_EQ(precheck(next_cseq), -1);
  EXPECT_EQ(precheck(other_from), -1);
}

TEST_F(TmxPrecheck, AckAndCancelAreErrorsAsInKamailio) {
  ReceivedMessage ack(*runtime, request("ACK", "z9hG4bK776asdhds", "314159 ACK"));
  ReceivedMessage cancel(*runtime, request("CANCEL", "z9hG4bK776asdhds", "314159 CANCEL"));
  EXPECT_EQ(precheck(ack), -2);
  EXPECT_EQ(precheck(cancel), -2);
}

TEST_F(TmxPrecheck, WithoutAFromTagItIsAnError) {
  std::string text = request();
  text.replace(text.find(";tag=1928301774"), 15, "");
  ReceivedMessage message(*runtime, text);
  EXPECT_EQ(precheck(message), -2);
}

TEST_F(TmxPrecheck, PrecheckTransZeroLeavesTheTableOutAndTheCallFails) {
  std::string error;
  kamc_rt_arg off{KAMC_RT_ARG_INT, 0, nullptr, 0};
  ASSERT_TRUE(runtime->set_modparam("tmx", "precheck_trans", off, error)) << error;
  ReceivedMessage first(*runtime, request());
  EXPECT_EQ(precheck(first), -2);
}

}  // namespace
