// Script functions through the ABI: fixup errors at load time, and each function's
// return code and effect on the message that would be sent.
#include <gtest/gtest.h>

#include "runtime_test_support.h"

using namespace kamc::runtime;
using namespace kamc::runtime::testing;

namespace {

class Functions : public ::testing::Test {
 protected:
  std::unique_ptr<Runtime> runtime = make_runtime();

  std::string fixup_error(const char* name, const std::vector<std::string>& args) {
    return kamc::runtime::testing::fixup_error(*runtime, name, args);
  }
};

}  // namespace

TEST_F(Functions, UnknownFunctionsAndWrongArityAreLoadErrors) {
  EXPECT_NE(fixup_error("no_such_function", {}).find("unknown function 'no_such_function'"), std::string::npos);
  EXPECT_NE(fixup_error("sl_send_reply", {"200"}).find("takes 2 arguments, not 1"), std::string::npos);
  EXPECT_NE(fixup_error("record_route_preset", {}).find("takes 1 or 2 arguments, not 0"), std::string::npos);
}

TEST_F(Functions, ConstantArgumentsAreCheckedOnceAtFixup) {
  EXPECT_NE(fixup_error("sl_send_reply", {"700", "Nope"}).find("not in 100..699"), std::string::npos);
  EXPECT_NE(fixup_error("sl_send_reply", {"abc", "Nope"}).find("not a number"), std::string::npos);
  EXPECT_NE(fixup_error("xlog", {"L_LOUD", "x"}).find("unknown log level"), std::string::npos);
  // A string argument is taken as written, as Kamailio's fixups take it: "$rm" is no method.
  EXPECT_NE(fixup_error("is_method", {"$rm"}).find("invalid method '$rm'"), std::string::npos);
  EXPECT_NE(fixup_error("is_present_hf", {"$var(h)"}).find("invalid header name"), std::string::npos);
}

TEST_F(Functions, MaxForwardsIsDecrementedOnce) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "mf_process_maxfwd_header", {"10"}), 1);
  EXPECT_EQ(call(*runtime, message, "mf_process_maxfwd_header", {"10"}), 1);
  EXPECT_NE(message.edited().find("Max-Forwards: 69\r\n"), std::string::npos);
}

TEST(MaxfwdModule, TheMaxLimitModparamTakesEffect) {
  auto runtime = make_runtime();
  std::string error;
  kamc_rt_arg limit{KAMC_RT_ARG_INT, 16, nullptr, 0};
  ASSERT_TRUE(runtime->set_modparam("maxfwd", "max_limit", limit, error)) << error;
  ReceivedMessage message(*runtime, invite());  // Max-Forwards: 70
  EXPECT_EQ(call(*runtime, message, "mf_process_maxfwd_header", {"10"}), 1);
  EXPECT_NE(message.edited().find("Max-Forwards: 16\r\n"), std::string::npos) << message.edited();
}

TEST(MaxfwdModule, IsMaxfwdLtGivesKamailiosCodes) {
  auto runtime = make_runtime();
  std::string text = invite();
  ReceivedMessage message(*runtime, text);  // Max-Forwards: 70
  EXPECT_EQ(call(*runtime, message, "is_maxfwd_lt", {"71"}), 1);
  EXPECT_EQ(call(*runtime, message, "is_maxfwd_lt", {"70"}), -1);
  EXPECT_EQ(call(*runtime, message, "is_maxfwd_lt", {"300"}), -1);  // the limit is outside 0..255
  text.erase(text.find("Max-Forwards: 70\r\n"), 18);
  ReceivedMessage without(*runtime, text);
  EXPECT_EQ(call(*runtime, without, "is_maxfwd_lt", {"10"}), -2);
}

TEST(MaxfwdModule, AModparamNotInTheCatalogIsAnError) {
  auto runtime = make_runtime();
  std::string error;
  kamc_rt_arg value{KAMC_RT_ARG_INT, 1, nullptr, 0};
  EXPECT_FALSE(runtime->set_modparam("maxfwd", "max_limt", value, error));
  EXPECT_NE(error.find("has no parameter 'max_limt'"), std::string::npos) << error;
}

TEST_F(Functions, MaxForwardsAboveTheLimitIsLowered) {
  std::string text = invite();
  text.replace(text.find("Max-Forwards: 70"), 16, "Max-Forwards: 200");
  ReceivedMessage message(*runtime, text);
  EXPECT_EQ(call(*runtime, message, "mf_process_maxfwd_header", {"10"}), 1);
  EXPECT_NE(message.edited().find("Max-Forwards: 70\r\n"), std::string::npos);
}

TEST_F(Functions, MaxForwardsZeroIsFalseAndMissingIsAdded) {
  std::string zero = invite();
  zero.replace(zero.find("Max-Forwards: 70"), 16, "Max-Forwards: 0");
  ReceivedMessage exhausted(*runtime, zero);
  EXPECT_EQ(call(*runtime, exhausted, "mf_process_maxfwd_header", {"10"}), -1);
  std::string none = invite();
  none.erase(none.find("Max-Forwards: 70\r\n"), 18);
  ReceivedMessage missing(*runtime, none);
  EXPECT_EQ(call(*runtime, missing, "mf_process_maxfwd_header", {"10"}), 2);
  EXPECT_NE(missing.edited().find("Max-Forwards: 10\r\n"), std::string::npos);
}

TEST_F(Functions, IsMaxfwdLessThan) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "is_maxfwd_lt", {"71"}), 1);
  EXPECT_LT(call(*runtime, message, "is_maxfwd_lt", {"70"}), 0);
}

// record_route, record_route_preset and loose_route: rr_test.cpp.

TEST_F(Functions, HasTotag) {
  ReceivedMessage initial(*runtime, invite());
  EXPECT_EQ(call(*runtime, initial, "has_totag"), -1);
  std::string text = invite();
  text.replace(text.find("To: Bob <sip:bob@biloxi.example.com>"), 36, "To: Bob <sip:bob@biloxi.example.com>;tag=x1");
  ReceivedMessage in_dialog(*runtime, text);
  EXPECT_EQ(call(*runtime, in_dialog, "has_totag"), 1);
}

TEST_F(Functions, IsMethodTakesAListAndIgnoresCase) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "is_method", {"INVITE"}), 1);
  EXPECT_EQ(call(*runtime, message, "is_method", {"REGISTER,invite"}), 1);
  EXPECT_EQ(call(*runtime, message, "is_method", {"BYE|ACK"}), -1);
}

TEST_F(Functions, HeaderPresenceRemovalAndAppend) {
  ReceivedMessage message(*runtime, invite("X-Secret: 1\r\nx-secret: 2\r\n"));
  EXPECT_EQ(call(*runtime, message, "is_present_hf", {"X-Secret"}), 1);
  EXPECT_EQ(call(*runtime, message, "is_present_hf", {"i"}), 1);  // compact Call-ID
  EXPECT_EQ(call(*runtime, message, "remove_hf", {"X-Secret"}), 2);
  EXPECT_EQ(call(*runtime, message, "remove_hf", {"X-Absent"}), -1);
  EXPECT_EQ(call(*runtime, message, "append_hf", {"X-Caller: $fU\r\n"}), 1);
  EXPECT_EQ(call(*runtime, message, "append_hf", {"X-After-CallID: 1", "Call-ID"}), 1);
  std::string out = message.edited();
  EXPECT_EQ(out.find("Secret"), std::string::npos);
  EXPECT_NE(out.find("Content-Length: 4\r\nX-Caller: alice\r\n\r\nv=0\n"), std::string::npos);
  EXPECT_NE(out.find("Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\nX-After-CallID: 1\r\n"), std::string::npos);
}

TEST_F(Functions, DropAndExitStopTheScript) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "exit"), KAMC_RT_EXIT);
  EXPECT_FALSE(message->dropped);
  EXPECT_EQ(call(*runtime, message, "drop"), KAMC_RT_EXIT);
  EXPECT_TRUE(message->dropped);
}

TEST_F(Functions, FunctionsOutsideTheirRouteTypeReturnFalse) {
  ReceivedMessage message(*runtime, invite());
  message->route_type = KAMC_RT_CORE_ONREPLY_ROUTE;
  EXPECT_EQ(call(*runtime, message, "mf_process_maxfwd_header", {"10"}), KAMC_RT_FALSE);
  EXPECT_EQ(call(*runtime, message, "is_method", {"INVITE"}), 1);  // allowed anywhere
}

TEST_F(Functions, XlogRendersOnlyWhenTheLevelIsEnabled) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "xlog", {"L_DBG", "not shown: $ru"}), 1);
  EXPECT_EQ(call(*runtime, message, "xerr", {"shown on stderr or syslog: $rm"}), 1);
}

TEST_F(Functions, MyselfChecksUrisAndHostPorts) {
  ReceivedMessage message(*runtime, invite());
  auto is_myself = [&](std::string text) { return kamc_rt_is_myself(message.abi(), text.data(), text.size()); };
  EXPECT_EQ(is_myself("sip:127.0.0.1:5080;lr"), 1);
  EXPECT_EQ(is_myself("sip:bob@[::1]:5080"), 1);
  EXPECT_EQ(is_myself("127.0.0.1:5080"), 1);
  EXPECT_EQ(is_myself("sip:127.0.0.1"), -1);  // port 5060 is not ours
  EXPECT_EQ(is_myself("sip:bob@biloxi.example.com"), -1);
}

namespace {

int g_named_route_runs = 0;
int named_route(kamc_rt_msg*) {
  ++g_named_route_runs;
  return 7;
}

}  // namespace

TEST_F(Functions, NamedRoutesResolveBeforeTheyAreDefinedAndReturnTheirCode) {
  kamc_rt_runtime* rt = to_abi(runtime.get());
  int handle = kamc_rt_fixup_route(rt, "AUTH");
  ASSERT_GE(handle, 0);
  char error[256] = {};
  EXPECT_EQ(kamc_rt_check_routes(rt, error, sizeof error), -1);
  EXPECT_NE(std::string(error).find("route[AUTH] is called but never defined"), std::string::npos);
  EXPECT_EQ(kamc_rt_register_route(rt, KAMC_RT_ROUTE_NAMED, "AUTH", named_route), 0);
  EXPECT_EQ(kamc_rt_register_route(rt, KAMC_RT_ROUTE_NAMED, "AUTH", named_route), -1);
  EXPECT_EQ(kamc_rt_check_routes(rt, error, sizeof error), 0);
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(kamc_rt_call_route(message.abi(), handle), 7);
  EXPECT_EQ(g_named_route_runs, 1);
}

TEST_F(Functions, TmRouteKindsAreAcceptedWithANameAndOnsendIsRefused) {
  EXPECT_EQ(kamc_rt_register_route(to_abi(runtime.get()), KAMC_RT_ROUTE_FAILURE, "MISSED", named_route), 0);
  EXPECT_EQ(kamc_rt_register_route(to_abi(runtime.get()), KAMC_RT_ROUTE_FAILURE, "MISSED", named_route), -1);
  EXPECT_EQ(kamc_rt_register_route(to_abi(runtime.get()), KAMC_RT_ROUTE_BRANCH, nullptr, named_route), -1);
  EXPECT_EQ(kamc_rt_register_route(to_abi(runtime.get()), KAMC_RT_ROUTE_ONSEND, nullptr, named_route), -1);
}
