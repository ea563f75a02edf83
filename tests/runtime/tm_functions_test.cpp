// tm's script functions through the ABI on a message with a transaction in a given
// state: what failure_route and onreply_route ask (t_branch_timeout, t_check_status,
// $T_reply_code, ...), and the fixup errors codegen gets at load time.
#include <gtest/gtest.h>

#include "runtime_test_support.h"
#include "timer_queue.h"
#include "tm_state.h"
#include "tm_transaction.h"

using namespace kamc::runtime;
using namespace kamc::runtime::testing;

namespace {

int dummy_route(kamc_rt_msg*) { return KAMC_RT_TRUE; }

class TmFunctions : public ::testing::Test {
 protected:
  // A failure_route run for an INVITE whose branch 0 timed out after ringing and whose
  // branch 1 was answered 486 (the winning reply).
  void SetUp() override {
    message = std::make_unique<ReceivedMessage>(*runtime, invite());
    transaction = std::make_shared<tm::Transaction>(*runtime, 0, 1);
    transaction->is_invite = true;
    tm::Branch& timed_out = transaction->branches.emplace_back();
    timed_out.index = 0;
    timed_out.replied = true;
    timed_out.timed_out = true;
    timed_out.last_received = 408;
    tm::Branch& busy = transaction->branches.emplace_back();
    busy.index = 1;
    busy.replied = true;
    busy.last_received = 486;
    busy.final_reply = "SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP 192.0.2.10:5099;branch=z9hG4bKx\r\n"
                       "From: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n"
                       "X-Why: on the phone\r\nContent-Length: 0\r\n\r\n";
    tm_state(**message).transaction = transaction;
    (*message)->route_type = KAMC_RT_FAILURE_ROUTE;
  }

  PvValue pv(const char* name) {
    std::string error;
    const PvSpec* spec = runtime->fixup_pv(name, error);
    EXPECT_NE(spec, nullptr) << error;
    return spec ? get_pv(**message, *spec) : PvValue::null();
  }

  std::unique_ptr<Runtime> runtime = make_runtime();
  std::unique_ptr<ReceivedMessage> message;
  std::shared_ptr<tm::Transaction> transaction;
};

TEST_F(TmFunctions, FailureRouteQuestionsAreAboutTheBranchAtHand) {
  tm_state(**message).branch_index = 0;
  EXPECT_EQ(call(*runtime, *message, "t_branch_timeout"), KAMC_RT_TRUE);
  EXPECT_EQ(call(*runtime, *message, "t_branch_replied"), KAMC_RT_TRUE);
  EXPECT_EQ(call(*runtime, *message, "t_check_status", {"408"}), KAMC_RT_TRUE);
  tm_state(**message).branch_index = 1;
  EXPECT_EQ(call(*runtime, *message, "t_branch_timeout"), KAMC_RT_FALSE);
  EXPECT_EQ(call(*runtime, *message, "t_check_status", {"486|408"}), KAMC_RT_TRUE);
  EXPECT_EQ(call(*runtime, *message, "t_check_status", {"^5"}), KAMC_RT_FALSE);
  EXPECT_EQ(call(*runtime, *message, "t_any_timeout"), KAMC_RT_TRUE);
  EXPECT_EQ(call(*runtime, *message, "t_any_replied"), KAMC_RT_TRUE);
  EXPECT_EQ(call(*runtime, *message, "t_is_canceled"), KAMC_RT_FALSE);
  transaction->canceled = true;
  EXPECT_EQ(call(*runtime, *message, "t_is_canceled"), KAMC_RT_TRUE);
}

TEST_F(TmFunctions, CheckStatusTakesALeadingPseudoVariableAsTheWholeRegexAsKamailioDoes) {
  tm_state(**message).branch_index = 1;  // the 486
  std::string error;
  const PvSpec* var = runtime->fixup_pv("$var(code)", error);
  ASSERT_NE(var, nullptr) << error;
  ASSERT_TRUE(set_pv(**message, *var, PvValue::string("486")));
  EXPECT_EQ(call(*runtime, *message, "t_check_status", {"$var(code)"}), KAMC_RT_TRUE);
  EXPECT_EQ(call(*runtime, *message, "t_check_status", {" $var(code)zzz"}), KAMC_RT_TRUE);  // the rest is ignored
  ASSERT_TRUE(set_pv(**message, *var, PvValue::string("999")));
  EXPECT_EQ(call(*runtime, *message, "t_check_status", {"$var(code)|^486"}), KAMC_RT_FALSE);
  // Not at the start, `$` is regex syntax: the end anchor, or literal text that never matches.
  EXPECT_EQ(call(*runtime, *message, "t_check_status", {"^486$"}), KAMC_RT_TRUE);
  EXPECT_EQ(call(*runtime, *message, "t_check_status", {"^$var(code)"}), KAMC_RT_FALSE);
}

TEST_F(TmFunctions, TmxPseudoVariablesReadTheWinningReplyAndTheNextBranchIndex) {
  tm_state(**message).branch_index = 1;
  EXPECT_EQ(pv("$T_reply_code").number, 486);
  EXPECT_EQ(pv("$T_branch_idx").number, 2);  // in failure_route: the index the next branch gets
  PvValue why = pv("$T_rpl($hdr(X-Why))");
  EXPECT_EQ(why.text, "on the phone");
  tm_state(**message).branch_index = 0;  // a faked 408 has no reply to read
  EXPECT_TRUE(pv("$T_rpl($hdr(X-Why))").is_null());
}

TEST_F(TmFunctions, RequestRouteSeesTheDestinationSetSizeAndNoTransactionAnswer) {
  ReceivedMessage fresh(*runtime, invite());
  EXPECT_EQ(call(*runtime, fresh, "append_branch", {"sip:second@192.0.2.20"}), KAMC_RT_TRUE);
  std::string error;
  const PvSpec* index = runtime->fixup_pv("$T_branch_idx", error);
  EXPECT_EQ(get_pv(*fresh, *index).number, 1);
  EXPECT_EQ(call(*runtime, fresh, "append_branch", {"not a uri"}), KAMC_RT_FALSE);
  EXPECT_EQ(call(*runtime, fresh, "t_reply", {"404", "Not Here"}), KAMC_RT_FALSE);  // no t_newtran()
  EXPECT_EQ(call(*runtime, fresh, "t_is_canceled"), KAMC_RT_FALSE);
  EXPECT_EQ(call(*runtime, fresh, "t_is_request_route"), KAMC_RT_TRUE);
  EXPECT_EQ(call(*runtime, fresh, "t_is_failure_route"), KAMC_RT_FALSE);
}

TEST_F(TmFunctions, TOnRoutesArmTheMessageBeforeTheTransactionExists) {
  ReceivedMessage fresh(*runtime, invite());
  EXPECT_EQ(call(*runtime, fresh, "t_is_set", {"failure_route"}), KAMC_RT_FALSE);
  EXPECT_EQ(call(*runtime, fresh, "t_on_failure", {"MISSED"}), KAMC_RT_TRUE);
  EXPECT_EQ(call(*runtime, fresh, "t_is_set", {"failure_route"}), KAMC_RT_TRUE);
  EXPECT_EQ(call(*runtime, fresh, "t_is_set", {"branch_route"}), KAMC_RT_FALSE);
  // The route named by t_on_failure must exist by the end of loading.
  char error[256] = {};
  EXPECT_EQ(kamc_rt_check_routes(to_abi(runtime.get()), error, sizeof error), -1);
  EXPECT_NE(std::string(error).find("failure_route[MISSED]"), std::string::npos) << error;
  EXPECT_EQ(kamc_rt_register_route(to_abi(runtime.get()), KAMC_RT_ROUTE_FAILURE, "MISSED", dummy_route), 0);
  EXPECT_EQ(kamc_rt_check_routes(to_abi(runtime.get()), error, sizeof error), 0) << error;
}

TEST_F(TmFunctions, FixupRefusesWhatKamailioRefuses) {
  char error[256] = {};
  auto fixup = [&](const char* name, std::vector<std::string> args) {
    std::vector<kamc_rt_arg> abi_args;
    for (const auto& arg : args) abi_args.push_back({KAMC_RT_ARG_STR, 0, arg.c_str(), arg.size()});
    return kamc_rt_fixup_call(to_abi(runtime.get()), name, abi_args.data(), static_cast<int>(abi_args.size()), error,
                              sizeof error);
  };
  EXPECT_EQ(fixup("t_relay", {"127.0.0.1"}), nullptr);  // host without port
  EXPECT_NE(fixup("t_relay", {"127.0.0.1", "5070"}), nullptr) << error;
  EXPECT_EQ(fixup("t_check_status", {"4[0-9"}), nullptr);
  EXPECT_EQ(fixup("t_on_failure", {"$var(route)"}), nullptr);  // a route name is constant
  EXPECT_EQ(fixup("t_is_set", {"event_route"}), nullptr);
  std::vector<kamc_rt_arg> bad_code{{KAMC_RT_ARG_INT, 700, nullptr, 0}, {KAMC_RT_ARG_STR, 0, "x", 1}};
  EXPECT_EQ(kamc_rt_fixup_call(to_abi(runtime.get()), "t_reply", bad_code.data(), 2, error, sizeof error), nullptr);
}

TEST_F(TmFunctions, RouteMasksFollowTheCatalog) {
  ReceivedMessage fresh(*runtime, invite());
  fresh->route_type = KAMC_RT_BRANCH_ROUTE;
  EXPECT_EQ(call(*runtime, fresh, "t_relay"), KAMC_RT_FALSE);  // not in branch_route
  fresh->route_type = KAMC_RT_REQUEST_ROUTE;
  EXPECT_EQ(call(*runtime, fresh, "t_branch_timeout"), KAMC_RT_FALSE);  // no transaction
}

// A worker's transport: what was sent, and the timers tm schedules.
struct CapturingWorker : Transport {
  TimerQueue timers;
  std::vector<std::string> sent;
  bool send(const SendTarget&, std::string_view bytes) override {
    sent.emplace_back(bytes);
    return true;
  }
  TimerQueue* timer_queue() override { return &timers; }
};

TEST_F(TmFunctions, SendReplyAnswersThroughTheTransactionWhenThereIsOne) {
  CapturingWorker worker;
  ReceivedMessage fresh(*runtime, invite());
  fresh->transport = &worker;
  ASSERT_EQ(call(*runtime, fresh, "t_newtran"), KAMC_RT_TRUE);
  EXPECT_EQ(call(*runtime, fresh, "append_to_reply", {"X-Why: busy"}), KAMC_RT_TRUE);
  EXPECT_EQ(call(*runtime, fresh, "send_reply", {"486", "Busy Here"}), KAMC_RT_TRUE);
  ASSERT_EQ(worker.sent.size(), 1u);
  EXPECT_EQ(worker.sent[0].rfind("SIP/2.0 486 Busy Here\r\n", 0), 0u);
  EXPECT_NE(worker.sent[0].find("\r\nX-Why: busy\r\n"), std::string::npos);
  EXPECT_EQ(tm_state(*fresh).transaction->uas_status, 486);
  // The transaction has answered: a second final reply is refused (sl would send it).
  EXPECT_EQ(call(*runtime, fresh, "send_reply", {"500", "Again"}), KAMC_RT_FALSE);
  EXPECT_EQ(worker.sent.size(), 1u);
  // sl_send_reply() stays stateless even with a transaction.
  EXPECT_EQ(call(*runtime, fresh, "sl_send_reply", {"500", "Stateless"}), KAMC_RT_TRUE);
  EXPECT_EQ(worker.sent.size(), 2u);
}

TEST_F(TmFunctions, SendReplyWithoutATransactionIsStateless) {
  CapturingWorker worker;
  ReceivedMessage fresh(*runtime, invite());
  fresh->transport = &worker;
  EXPECT_EQ(call(*runtime, fresh, "send_reply", {"404", "Not Here"}), KAMC_RT_TRUE);
  EXPECT_EQ(call(*runtime, fresh, "send_reply", {"404", "Not Here"}), KAMC_RT_TRUE);  // nothing absorbs it
  EXPECT_EQ(worker.sent.size(), 2u);
  EXPECT_EQ(transaction_count(*runtime), 0u);
  fresh->route_type = KAMC_RT_BRANCH_ROUTE;
  EXPECT_EQ(call(*runtime, fresh, "send_reply", {"404", "Not Here"}), KAMC_RT_FALSE);  // not in branch_route
}

}  // namespace
