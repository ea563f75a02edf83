// textops and siputils through the ABI, with Kamailio 5.6's rules: regular expressions
// are extended and case-insensitive and see the message as received; replace/subst never
// touch the first line; append_to_reply headers go into the replies generated here.
#include <gtest/gtest.h>

#include "runtime_test_support.h"

using namespace kamc::runtime;
using namespace kamc::runtime::testing;

namespace {

class TextFunctions : public ::testing::Test {
 protected:
  std::unique_ptr<Runtime> runtime = make_runtime();

  std::string fixup_error(const char* name, const std::vector<std::string>& args) {
    return kamc::runtime::testing::fixup_error(*runtime, name, args);
  }
};

std::size_t count_of(const std::string& text, std::string_view part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

std::string without_body(std::string text) {
  text.replace(text.find("Content-Length: 4"), 17, "Content-Length: 0");
  return text.substr(0, text.size() - 4);  // "v=0\n"
}

const std::string kRequestLine = "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n";

}  // namespace

// ---- textops: search ---------------------------------------------------------------------

TEST_F(TextFunctions, SearchIsCaseInsensitiveAndAnchorsAtLineStarts) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "search", {"^CSeq: 314159 INVITE"}), 1);
  EXPECT_EQ(call(*runtime, message, "search", {"user-agent: KAMC-TEST"}), 1);
  EXPECT_EQ(call(*runtime, message, "search", {"^INVITE sip:bob@"}), 1);  // the first line too
  EXPECT_EQ(call(*runtime, message, "search", {"^CSeq: 1 INVITE"}), -1);
  EXPECT_EQ(call(*runtime, message, "search", {"^Max-Forwards: 70.*CSeq"}), -1);  // '.' stops at a newline
}

TEST_F(TextFunctions, SearchSeesTheMessageAsReceivedNotItsEdits) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "remove_hf", {"User-Agent"}), 1);
  EXPECT_EQ(call(*runtime, message, "search", {"^User-Agent:"}), 1);
  EXPECT_EQ(message.edited().find("User-Agent"), std::string::npos);
}

TEST_F(TextFunctions, SearchBodyLooksOnlyAtTheBody) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "search_body", {"^v=0"}), 1);
  EXPECT_EQ(call(*runtime, message, "search_body", {"INVITE"}), -1);
  ReceivedMessage empty(*runtime, without_body(invite()));
  EXPECT_EQ(call(*runtime, empty, "search_body", {".*"}), -1);
}

TEST_F(TextFunctions, RegularExpressionsAreCheckedAtLoadTime) {
  EXPECT_NE(fixup_error("search", {"a(b"}).find("search(): bad regular expression"), std::string::npos);
  EXPECT_NE(fixup_error("remove_hf_re", {"[x"}).find("bad regular expression"), std::string::npos);
}

// ---- textops: replace, search_append, subst ---------------------------------------------

TEST_F(TextFunctions, SearchAppendInsertsAfterTheFirstMatch) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "search_append", {"Call-ID: [^@]*", "-x"}), 1);
  EXPECT_NE(message.edited().find("Call-ID: a84b4c76e66710-x@pc33.atlanta.example.com\r\n"), std::string::npos);
  EXPECT_EQ(call(*runtime, message, "search_append", {"^X-Absent:", "-y"}), -1);
}

TEST_F(TextFunctions, ReplaceChangesTheFirstMatchAfterTheRequestLine) {
  ReceivedMessage message(*runtime, invite());
  // "bob" first matches the To display name "Bob": the R-URI on the first line is skipped.
  EXPECT_EQ(call(*runtime, message, "replace", {"bob", "carol"}), 1);
  std::string out = message.edited();
  EXPECT_EQ(out.rfind(kRequestLine, 0), 0u);
  EXPECT_NE(out.find("To: carol <sip:bob@biloxi.example.com>\r\n"), std::string::npos);
  EXPECT_EQ(call(*runtime, message, "replace", {"no-such-text", "x"}), -1);
}

TEST_F(TextFunctions, ReplaceTextIsTakenAsWritten) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "replace", {"kamc-test/1", "$fU"}), 1);  // a static string in Kamailio
  EXPECT_NE(message.edited().find("User-Agent: $fU\r\n"), std::string::npos);
}

TEST_F(TextFunctions, ReplaceAllChangesEveryMatchButTheRequestLine) {
  ReceivedMessage message(*runtime, invite("", "sip:bob@atlanta.example.com"));
  EXPECT_EQ(call(*runtime, message, "replace_all", {"atlanta", "boston"}), 1);
  std::string out = message.edited();
  EXPECT_EQ(out.rfind("INVITE sip:bob@atlanta.example.com SIP/2.0\r\n", 0), 0u);
  EXPECT_EQ(count_of(out, "atlanta"), 1u);
  EXPECT_EQ(count_of(out, "boston"), 4u);  // Via, From, Call-ID, Contact
  EXPECT_EQ(call(*runtime, message, "replace_all", {"no-such-text", "x"}), -1);
}

TEST_F(TextFunctions, ReplaceAllRefusesAnEmptyMatch) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "replace_all", {"q*", "x"}), -1);
  EXPECT_EQ(message.edited(), message.text);
}

TEST_F(TextFunctions, SubstWithGroupsFlagsAndPseudoVariables) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "subst", {"/^(From: )Alice/\\1Carol/"}), 1);
  EXPECT_EQ(call(*runtime, message, "subst", {"/^contact: /x/"}), -1);  // case-sensitive without i
  EXPECT_EQ(call(*runtime, message, "subst", {"/^contact: <sip:alice/Contact: <sip:$fU-\\u/i"}), 1);
  std::string out = message.edited();
  EXPECT_NE(out.find("From: Carol <sip:alice@atlanta.example.com>;tag=1928301774\r\n"), std::string::npos);
  EXPECT_NE(out.find("Contact: <sip:alice-sip:bob@biloxi.example.com@pc33.atlanta.example.com>\r\n"),
            std::string::npos);
}

TEST_F(TextFunctions, SubstReplacesOnceWithoutGAndEverywhereWithG) {
  ReceivedMessage once(*runtime, invite());
  EXPECT_EQ(call(*runtime, once, "subst", {"/atlanta/boston/"}), 1);
  EXPECT_EQ(count_of(once.edited(), "boston"), 1u);
  ReceivedMessage all(*runtime, invite());
  EXPECT_EQ(call(*runtime, all, "subst", {"/atlanta/boston/g"}), 1);
  EXPECT_EQ(count_of(all.edited(), "atlanta"), 0u);
  EXPECT_EQ(count_of(all.edited(), "boston"), 4u);
}

TEST_F(TextFunctions, SubstExpressionsAreCheckedAtLoadTime) {
  EXPECT_NE(fixup_error("subst", {"/a/b/x"}).find("unknown flag 'x'"), std::string::npos);
  EXPECT_NE(fixup_error("subst", {"/a/b"}).find("no separator"), std::string::npos);
  EXPECT_NE(fixup_error("subst_uri", {"/a(/b/"}).find("bad regular expression"), std::string::npos);
}

TEST_F(TextFunctions, SubstUriRewritesTheRequestUri) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "subst_uri", {"/^sip:bob@biloxi/sip:carol@chicago/"}), 1);
  ASSERT_TRUE(message->new_request_uri);
  EXPECT_EQ(*message->new_request_uri, "sip:carol@chicago.example.com");
  // It works on the new R-URI; no match leaves it.
  EXPECT_EQ(call(*runtime, message, "subst_uri", {"/^sip:bob@/sip:dave@/"}), -1);
  EXPECT_EQ(*message->new_request_uri, "sip:carol@chicago.example.com");
}

TEST_F(TextFunctions, SubstUserRewritesOrRemovesTheUser) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "subst_user", {"/^b(o)b$/car\\1l/"}), 1);
  EXPECT_EQ(*message->new_request_uri, "sip:carol@biloxi.example.com");
  EXPECT_EQ(call(*runtime, message, "subst_user", {"/^alice$/x/"}), -1);
  EXPECT_EQ(call(*runtime, message, "subst_user", {"/^carol$//"}), 1);
  EXPECT_EQ(*message->new_request_uri, "sip:biloxi.example.com");
}

// ---- textops: headers ------------------------------------------------------------------------

TEST_F(TextFunctions, HeaderNamesByRegularExpression) {
  ReceivedMessage message(*runtime, invite("X-Secret: 1\r\nx-secret-2: 2\r\n"));
  EXPECT_EQ(call(*runtime, message, "is_present_hf_re", {"^x-sec"}), 1);
  EXPECT_EQ(call(*runtime, message, "is_present_hf_re", {"^x-none"}), -1);
  EXPECT_EQ(call(*runtime, message, "remove_hf_re", {"^X-Secret"}), 1);  // 1, not the count
  EXPECT_EQ(call(*runtime, message, "remove_hf_re", {"^X-None"}), -1);
  std::string out = message.edited();
  EXPECT_EQ(out.find("ecret"), std::string::npos);
  EXPECT_NE(out.find("User-Agent: kamc-test/1\r\nContent-Type"), std::string::npos);
}

TEST_F(TextFunctions, InsertHfGoesBeforeTheFirstOrTheNamedHeader) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "insert_hf", {"X-First: $fU"}), 1);
  EXPECT_EQ(call(*runtime, message, "insert_hf", {"X-Before-CSeq: 1\r\n", "CSeq"}), 1);
  std::string out = message.edited();
  EXPECT_EQ(out.rfind(kRequestLine + "X-First: alice\r\nVia:", 0), 0u);
  EXPECT_NE(out.find("\r\nX-Before-CSeq: 1\r\nCSeq: 314159 INVITE\r\n"), std::string::npos);
  EXPECT_EQ(call(*runtime, message, "insert_hf", {""}), -1);
}

TEST_F(TextFunctions, MissingAnchorHeaderFallsBackToTheEnds) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "insert_hf", {"X-Top: 1", "X-Missing"}), 1);
  EXPECT_EQ(call(*runtime, message, "append_hf", {"X-Bottom: 1", "X-Missing"}), 1);
  std::string out = message.edited();
  EXPECT_EQ(out.rfind(kRequestLine + "X-Top: 1\r\n", 0), 0u);
  EXPECT_NE(out.find("Content-Length: 4\r\nX-Bottom: 1\r\n\r\n"), std::string::npos);
}

// ---- textops: has_body, append_to_reply --------------------------------------------------

TEST_F(TextFunctions, HasBodyChecksContentLengthAndType) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "has_body"), 1);
  EXPECT_EQ(call(*runtime, message, "has_body", {"application/sdp"}), 1);
  EXPECT_EQ(call(*runtime, message, "has_body", {"Application/SDP"}), 1);
  EXPECT_EQ(call(*runtime, message, "has_body", {"text/plain"}), -1);
  ReceivedMessage empty(*runtime, without_body(invite()));
  EXPECT_EQ(call(*runtime, empty, "has_body"), -1);
  EXPECT_EQ(call(*runtime, empty, "has_body", {"application/sdp"}), -1);
  EXPECT_NE(fixup_error("has_body", {"sdp"}).find("not one MIME type"), std::string::npos);
}

TEST_F(TextFunctions, HasBodyWithoutContentTypeMeansSdp) {
  std::string text = invite();
  text.erase(text.find("Content-Type: application/sdp\r\n"), 31);
  ReceivedMessage message(*runtime, text);
  EXPECT_EQ(call(*runtime, message, "has_body", {"application/sdp"}), 1);
  EXPECT_EQ(call(*runtime, message, "has_body", {"text/html"}), -1);
}

TEST_F(TextFunctions, AppendToReplyGoesIntoLocalRepliesOnly) {
  CapturingTransport transport;
  ReceivedMessage message(*runtime, invite());
  message->transport = &transport;
  EXPECT_EQ(call(*runtime, message, "append_to_reply", {"X-Reason: $fU"}), 1);
  EXPECT_EQ(call(*runtime, message, "append_to_reply", {"Retry-After: 30\r\n"}), 1);
  EXPECT_EQ(call(*runtime, message, "sl_send_reply", {"403", "Forbidden"}), 1);
  ASSERT_EQ(transport.sent.size(), 1u);
  EXPECT_NE(transport.sent[0].find("\r\nX-Reason: alice\r\nRetry-After: 30\r\nServer: "), std::string::npos);
  EXPECT_EQ(message.edited().find("X-Reason"), std::string::npos);  // not in the request
}

TEST_F(TextFunctions, RepliesWithoutAppendToReplyHaveNoExtraHeaders) {
  CapturingTransport transport;
  ReceivedMessage message(*runtime, invite());
  message->transport = &transport;
  message->route_type = KAMC_RT_TM_ONREPLY_ROUTE;
  EXPECT_EQ(call(*runtime, message, "append_to_reply", {"X-Reason: x"}), -1);  // not in onreply_route
  message->route_type = KAMC_RT_REQUEST_ROUTE;
  EXPECT_EQ(call(*runtime, message, "send_reply", {"404", "Not Here"}), 1);  // stateless: no transaction
  ASSERT_EQ(transport.sent.size(), 1u);
  EXPECT_EQ(transport.sent[0].rfind("SIP/2.0 404 Not Here\r\n", 0), 0u);
  EXPECT_EQ(transport.sent[0].find("X-Reason"), std::string::npos);
}

TEST_F(TextFunctions, SendReplyCannotAnswerAReplyWithoutATransaction) {
  CapturingTransport transport;
  ReceivedMessage reply(*runtime,
                        "SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKx\r\n"
                        "From: <sip:a@x>;tag=1\r\nTo: <sip:b@y>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n"
                        "Content-Length: 0\r\n\r\n");
  reply->transport = &transport;
  reply->route_type = KAMC_RT_CORE_ONREPLY_ROUTE;
  EXPECT_EQ(call(*runtime, reply, "send_reply", {"500", "No"}), -1);
  EXPECT_TRUE(transport.sent.empty());
}

// ---- siputils --------------------------------------------------------------------------------

TEST_F(TextFunctions, UriParamComparesNameAndValueCaseSensitively) {
  ReceivedMessage message(*runtime, invite("", "sip:bob@biloxi.example.com;transport=udp;lr"));
  EXPECT_EQ(call(*runtime, message, "uri_param", {"lr"}), 1);
  EXPECT_EQ(call(*runtime, message, "uri_param", {"transport"}), -1);  // it has a value
  EXPECT_EQ(call(*runtime, message, "uri_param", {"transport", "udp"}), 1);
  EXPECT_EQ(call(*runtime, message, "uri_param", {"transport", "UDP"}), -1);
  EXPECT_EQ(call(*runtime, message, "uri_param", {"LR"}), -1);
  EXPECT_EQ(call(*runtime, message, "uri_param_any", {"LR"}), 1);
  EXPECT_EQ(call(*runtime, message, "uri_param_any", {"maddr"}), -1);
}

TEST_F(TextFunctions, UriParamReadsTheNewRequestUri) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "uri_param", {"foo", "bar"}), -1);
  EXPECT_EQ(call(*runtime, message, "add_uri_param", {"foo=bar"}), 1);
  EXPECT_EQ(*message->new_request_uri, "sip:bob@biloxi.example.com;foo=bar");
  EXPECT_EQ(call(*runtime, message, "uri_param", {"foo", "bar"}), 1);
}

TEST_F(TextFunctions, AddUriParamGoesBeforeUriHeadersAndOnlyInRequestRoute) {
  ReceivedMessage message(*runtime, invite());
  char error[256] = {};
  const kamc_rt_pv* ru = kamc_rt_fixup_pv(to_abi(runtime.get()), "$ru", error, sizeof error);
  std::string uri = "sip:bob@biloxi.example.com;lr?subject=hi";  // a received R-URI cannot have headers
  kamc_rt_value value{KAMC_RT_VAL_STR, 0, uri.data(), uri.size()};
  ASSERT_EQ(kamc_rt_set_pv(message.abi(), ru, &value), 0);
  EXPECT_EQ(call(*runtime, message, "add_uri_param", {"n=$fU"}), 1);  // static: no pseudo-variables
  EXPECT_EQ(*message->new_request_uri, "sip:bob@biloxi.example.com;lr;n=$fU?subject=hi");
  message->route_type = KAMC_RT_FAILURE_ROUTE;
  EXPECT_EQ(call(*runtime, message, "add_uri_param", {"x=1"}), -1);
}

TEST_F(TextFunctions, IsUserIsFalseWithoutAuthorizedCredentials) {
  ReceivedMessage message(*runtime, invite("Authorization: Digest username=\"alice\", realm=\"a\", nonce=\"n\", "
                                           "uri=\"sip:b\", response=\"r\"\r\n"));
  // Only credentials accepted by www_authorize/proxy_authorize count; the runtime has no auth module.
  EXPECT_EQ(call(*runtime, message, "is_user", {"alice"}), -1);
}

TEST_F(TextFunctions, RequestOrReplyAndUriChecks) {
  ReceivedMessage request(*runtime, invite());
  EXPECT_EQ(call(*runtime, request, "is_request"), 1);
  EXPECT_EQ(call(*runtime, request, "is_reply"), -1);
  EXPECT_EQ(call(*runtime, request, "is_uri", {"$fu"}), 1);
  EXPECT_EQ(call(*runtime, request, "is_uri", {"not a uri"}), -1);
}

TEST_F(TextFunctions, ValueChecksUseKamailiosReturnCodes) {
  ReceivedMessage message(*runtime, invite());
  EXPECT_EQ(call(*runtime, message, "is_numeric", {"12345"}), 1);
  EXPECT_EQ(call(*runtime, message, "is_numeric", {"12a"}), -2);
  EXPECT_EQ(call(*runtime, message, "is_numeric", {""}), -2);
  EXPECT_EQ(call(*runtime, message, "is_tel_number", {"+4912345"}), 1);
  EXPECT_EQ(call(*runtime, message, "is_tel_number", {"+0123"}), -2);
  EXPECT_EQ(call(*runtime, message, "is_alphanum", {"abc123"}), 1);
  EXPECT_EQ(call(*runtime, message, "is_alphanum", {"ab-c"}), -3);
  EXPECT_EQ(call(*runtime, message, "is_alphanumex", {"ab-c", "-"}), 1);
  EXPECT_EQ(call(*runtime, message, "is_alphanumex", {"ab_c", "-"}), -3);
}
