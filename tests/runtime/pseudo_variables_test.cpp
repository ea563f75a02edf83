// Every pseudo-variable the runtime offers, read and (where Kamailio allows) assigned,
// through the ABI the compiled routes use; and format strings as xlog renders them.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <thread>

#include "runtime_test_support.h"

using namespace kamc::runtime;
using namespace kamc::runtime::testing;

namespace {

class PseudoVariables : public ::testing::Test {
 protected:
  std::unique_ptr<Runtime> runtime = make_runtime();

  const kamc_rt_pv* pv(const char* name) { return fixup_pv_ok(*runtime, name); }
  std::string get(ReceivedMessage& message, const char* name) { return pv_text(message, pv(name)); }
  long long get_int(ReceivedMessage& message, const char* name) {
    kamc_rt_value value{};
    EXPECT_EQ(kamc_rt_get_pv(message.abi(), pv(name), &value), 0);
    EXPECT_TRUE(value.flags & KAMC_RT_VAL_INT) << name << " is not an integer";
    return value.number;
  }
  int set(ReceivedMessage& message, const char* name, const std::string& text) {
    return set_pv_text(message, pv(name), text);
  }
  std::string render(ReceivedMessage& message, const std::string& format) {
    char error[256] = {};
    const kamc_rt_fmt* fmt = kamc_rt_fixup_fmt(to_abi(runtime.get()), format.data(), format.size(), error, sizeof error);
    EXPECT_NE(fmt, nullptr) << error;
    kamc_rt_value value{};
    EXPECT_EQ(kamc_rt_print_fmt(message.abi(), fmt, &value), 0);
    return std::string(value.text, value.length);
  }
};

const std::string kReply =
    "SIP/2.0 180 Ringing\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKx\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
    "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Content-Length: 0\r\n\r\n";

}  // namespace

TEST_F(PseudoVariables, RequestUriParts) {
  ReceivedMessage message(*runtime, invite("", "sip:bob:secret@[2001:db8::9]:5070;transport=udp"));
  EXPECT_EQ(get(message, "$ru"), "sip:bob:secret@[2001:db8::9]:5070;transport=udp");
  EXPECT_EQ(get(message, "$rU"), "bob");
  EXPECT_EQ(get(message, "$rd"), "[2001:db8::9]");
  EXPECT_EQ(get_int(message, "$rp"), 5070);
}

TEST_F(PseudoVariables, RequestPortDefaultsTo5060) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(get_int(message, "$rp"), 5060);
  EXPECT_EQ(get(message, "$rp"), "5060");
}

TEST_F(PseudoVariables, FromAndToParts) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(get(message, "$fu"), "sip:alice@atlanta.example.com");
  EXPECT_EQ(get(message, "$fU"), "alice");
  EXPECT_EQ(get(message, "$fd"), "atlanta.example.com");
  EXPECT_EQ(get(message, "$tu"), "sip:bob@biloxi.example.com");
  EXPECT_EQ(get(message, "$tU"), "bob");
  EXPECT_EQ(get(message, "$td"), "biloxi.example.com");
}

TEST_F(PseudoVariables, MessageFields) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(get(message, "$ci"), "a84b4c76e66710@pc33.atlanta.example.com");
  EXPECT_EQ(get_int(message, "$cs"), 314159);
  EXPECT_EQ(get(message, "$rm"), "INVITE");
  EXPECT_EQ(get(message, "$ct"), "<sip:alice@pc33.atlanta.example.com>");
  EXPECT_EQ(get(message, "$ua"), "kamc-test/1");
  EXPECT_EQ(get(message, "$rb"), "v=0\n");
  EXPECT_EQ(get_int(message, "$ml"), static_cast<long long>(message.text.size()));
  EXPECT_EQ(get(message, "$mb"), message.text);
  EXPECT_EQ(get(message, "$rs"), "<null>");  // requests have no status
  EXPECT_EQ(get(message, "$rr"), "<null>");
}

TEST_F(PseudoVariables, ReplyFields) {
  ReceivedMessage message(*runtime, kReply);
  EXPECT_EQ(get_int(message, "$rs"), 180);
  EXPECT_EQ(get(message, "$rr"), "Ringing");
  EXPECT_EQ(get(message, "$rm"), "INVITE");  // from CSeq
  EXPECT_EQ(get(message, "$ru"), "<null>");
}

TEST_F(PseudoVariables, TransportFields) {
  ReceivedMessage udp(*runtime, invite());
  EXPECT_EQ(get(udp, "$si"), "192.0.2.10");
  EXPECT_EQ(get_int(udp, "$sp"), 5099);
  EXPECT_EQ(get(udp, "$Ri"), "127.0.0.1");
  EXPECT_EQ(get_int(udp, "$Rp"), 5080);
  EXPECT_EQ(get(udp, "$pr"), "udp");
  EXPECT_EQ(get_int(udp, "$proto"), 1);
  ReceivedMessage tcp(*runtime, invite(), Protocol::Tcp);
  EXPECT_EQ(get(tcp, "$proto"), "tcp");
}

TEST_F(PseudoVariables, HeaderByFullOrCompactNameAndUnknownHeaders) {
  ReceivedMessage message(*runtime, invite("X-Custom: one\r\nX-Custom: two\r\n"));
  EXPECT_EQ(get(message, "$hdr(Call-ID)"), "a84b4c76e66710@pc33.atlanta.example.com");
  EXPECT_EQ(get(message, "$hdr(i)"), "a84b4c76e66710@pc33.atlanta.example.com");
  EXPECT_EQ(get(message, "$hdr(x-custom)"), "one");
  EXPECT_EQ(get(message, "$hdr(X-Missing)"), "<null>");
}

TEST_F(PseudoVariables, AssigningTheRequestUriAndItsParts) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(set(message, "$rU", "carol"), 0);
  EXPECT_EQ(get(message, "$ru"), "sip:carol@biloxi.example.com");
  EXPECT_EQ(set(message, "$rd", "192.0.2.4:5062"), 0);
  EXPECT_EQ(get(message, "$ru"), "sip:carol@192.0.2.4:5062");
  EXPECT_EQ(set(message, "$ru", "sip:dave@example.org"), 0);
  EXPECT_EQ(get(message, "$rU"), "dave");
  EXPECT_EQ(set(message, "$ru", "not a uri"), -1);
  EXPECT_EQ(get(message, "$ru"), "sip:dave@example.org");
  // The received buffer is never changed; the new R-URI is what goes out.
  EXPECT_NE(message.text.find("INVITE sip:bob@biloxi.example.com"), std::string::npos);
}

TEST_F(PseudoVariables, AssigningAUserToAUriWithoutOne) {
  ReceivedMessage message(*runtime, invite("", "sip:biloxi.example.com;lr"));
  EXPECT_EQ(set(message, "$rU", "bob"), 0);
  EXPECT_EQ(get(message, "$ru"), "sip:bob@biloxi.example.com;lr");
  kamc_rt_value null_value{KAMC_RT_VAL_NULL, 0, nullptr, 0};
  EXPECT_EQ(kamc_rt_set_pv(message.abi(), pv("$rU"), &null_value), 0);
  EXPECT_EQ(get(message, "$ru"), "sip:biloxi.example.com;lr");
}

TEST_F(PseudoVariables, DestinationUriIsNullUntilSetAndCanBeReset) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(get(message, "$du"), "<null>");
  EXPECT_EQ(set(message, "$du", "sip:192.0.2.7:5070;transport=tcp"), 0);
  EXPECT_EQ(get(message, "$du"), "sip:192.0.2.7:5070;transport=tcp");
  kamc_rt_value null_value{KAMC_RT_VAL_NULL, 0, nullptr, 0};
  EXPECT_EQ(kamc_rt_set_pv(message.abi(), pv("$du"), &null_value), 0);
  EXPECT_EQ(get(message, "$du"), "<null>");
}

TEST_F(PseudoVariables, ScriptVariablesStartAtZeroAndKeepValuesAcrossMessages) {
  ReceivedMessage first(*runtime, invite());
  EXPECT_EQ(get(first, "$var(unset_variable)"), "0");
  EXPECT_EQ(set(first, "$var(caller)", "alice"), 0);
  kamc_rt_value number{KAMC_RT_VAL_INT, 42, nullptr, 0};
  EXPECT_EQ(kamc_rt_set_pv(first.abi(), pv("$var(count)"), &number), 0);
  ReceivedMessage second(*runtime, invite());
  EXPECT_EQ(get(second, "$var(caller)"), "alice");
  EXPECT_EQ(get_int(second, "$var(count)"), 42);
}

TEST_F(PseudoVariables, ReadOnlyVariablesRefuseAssignment) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(set(message, "$ci", "x"), -1);
  EXPECT_EQ(set(message, "$si", "1.2.3.4"), -1);
}

TEST_F(PseudoVariables, UnknownOrMalformedNamesFailAtFixupWithAMessage) {
  char error[256] = {};
  EXPECT_EQ(kamc_rt_fixup_pv(to_abi(runtime.get()), "$nosuch", error, sizeof error), nullptr);
  EXPECT_NE(std::string(error).find("unknown pseudo-variable"), std::string::npos);
  EXPECT_EQ(kamc_rt_fixup_pv(to_abi(runtime.get()), "$hdr", error, sizeof error), nullptr);
  EXPECT_NE(std::string(error).find("needs a name"), std::string::npos);
  EXPECT_EQ(kamc_rt_fixup_pv(to_abi(runtime.get()), "ru", error, sizeof error), nullptr);
  EXPECT_NE(kamc_rt_fixup_pv(to_abi(runtime.get()), "$(ru)", error, sizeof error), nullptr);
}

TEST_F(PseudoVariables, FormatsRenderVariablesLiteralsAndNulls) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(render(message, "$rm from $fU@$si:$sp to $ru [$hdr(X-None)] $(ci) $ 5$"),
            "INVITE from alice@192.0.2.10:5099 to sip:bob@biloxi.example.com [<null>] "
            "a84b4c76e66710@pc33.atlanta.example.com $ 5$");
}

TEST_F(PseudoVariables, FormatsWithUnknownVariablesFailAtFixup) {
  char error[256] = {};
  std::string text = "hello $rX";
  EXPECT_EQ(kamc_rt_fixup_fmt(to_abi(runtime.get()), text.data(), text.size(), error, sizeof error), nullptr);
  EXPECT_NE(std::string(error).find("$rX"), std::string::npos);
}

// Kamailio reads the clock once per message for $Ts, $TV(s), $TV(u), and at every read for
// $TV(sn); a loop that waits for time to pass must read $TV(sn).
TEST_F(PseudoVariables, TsIsTheMessageTimeAndTvSnIsNow) {
  ReceivedMessage message(*runtime, invite());
  long long ts = get_int(message, "$Ts");
  long long usec = get_int(message, "$TV(u)");
  EXPECT_EQ(get_int(message, "$TV(s)"), ts);
  std::this_thread::sleep_for(std::chrono::milliseconds(1050));
  EXPECT_EQ(get_int(message, "$Ts"), ts);
  EXPECT_EQ(get_int(message, "$TV(u)"), usec);
  long long now = get_int(message, "$TV(sn)");
  EXPECT_GT(now, ts);
  EXPECT_GE(get_int(message, "$TV(un)"), 0);
  EXPECT_LT(get_int(message, "$TV(un)"), 1000000);
  EXPECT_TRUE(std::regex_match(get(message, "$TV(Sn)"), std::regex(R"(\d{10}\.\d{6})"))) << get(message, "$TV(Sn)");
  EXPECT_TRUE(std::regex_match(get(message, "$TV(Fn)"), std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})")));
  ReceivedMessage next(*runtime, invite());
  EXPECT_GT(get_int(next, "$Ts"), ts) << "a new message reads the clock again";
}

TEST_F(PseudoVariables, AnUnknownTimevalNameIsRefusedAtLoad) {
  char error[256] = {};
  EXPECT_EQ(kamc_rt_fixup_pv(to_abi(runtime.get()), "$TV(x)", error, sizeof error), nullptr);
  EXPECT_NE(std::string(error).find("timeval name x"), std::string::npos) << error;
}
