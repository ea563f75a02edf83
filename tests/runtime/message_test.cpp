// Unit tests for message framing: start lines, header lines, compact and repeated
// headers, folding, Content-Length and body, lazy typed access, and hostile input.
#include <gtest/gtest.h>

#include <string>

#include "kamc/sip/message.h"
#include "kamc/sip/well_formed.h"

using namespace kamc::sip;

namespace {

const std::string kInvite =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "v: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
    "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com;branch=z9hG4bK2\r\n"
    "Max-Forwards: 70\r\n"
    "t: Bob <sip:bob@biloxi.example.com>\r\n"
    "f: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "i: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "m: <sip:alice@pc33.atlanta.example.com>\r\n"
    "Subject: a folded\r\n"
    "  subject line\r\n"
    "X-Custom: one\r\n"
    "x-custom: two\r\n"
    "c: application/sdp\r\n"
    "l: 4\r\n"
    "\r\n"
    "v=0\r\n";

std::string with_headers(std::string_view headers, std::string_view body = "") {
  return std::string("OPTIONS sip:a@example.com SIP/2.0\r\n") + std::string(headers) + "\r\n" + std::string(body);
}

}  // namespace

TEST(Message, RequestLineAndCompactHeadersAreRecognised) {
  SipMessage message;
  ASSERT_TRUE(message.parse(kInvite).ok());
  EXPECT_TRUE(message.is_request());
  EXPECT_EQ(message.method(), "INVITE");
  EXPECT_EQ(message.request_uri_text(), "sip:bob@biloxi.example.com");
  EXPECT_EQ(message.call_id(), "a84b4c76e66710@pc33.atlanta.example.com");
  ASSERT_NE(message.first_header("CALL-ID"), nullptr);
  EXPECT_EQ(message.first_header("call-id")->name, "i");
  EXPECT_EQ(message.first_header("i"), message.first_header(HeaderKind::CallId));
  EXPECT_EQ(message.first_header(HeaderKind::ContentType)->value, "application/sdp");
  EXPECT_TRUE(check_well_formed(message).ok());
}

TEST(Message, HeaderValuesAreViewsIntoTheBufferAndKeepFolding) {
  SipMessage message;
  ASSERT_TRUE(message.parse(kInvite).ok());
  std::string_view subject = message.first_header(HeaderKind::Subject)->value;
  EXPECT_EQ(subject, "a folded\r\n  subject line");
  EXPECT_GE(subject.data(), kInvite.data());
  EXPECT_LE(subject.data() + subject.size(), kInvite.data() + kInvite.size());
}

TEST(Message, RepeatedAndMultiValueHeadersKeepTheirOrder) {
  SipMessage message;
  ASSERT_TRUE(message.parse(kInvite).ok());
  EXPECT_EQ(message.header_count(HeaderKind::Via), 2u);
  std::vector<Via> vias;
  ASSERT_TRUE(message.vias(vias).ok());
  ASSERT_EQ(vias.size(), 3u);
  EXPECT_EQ(vias[0].host, "pc33.atlanta.example.com");
  EXPECT_EQ(vias[1].branch, "z9hG4bK1");
  EXPECT_EQ(vias[2].transport, "TCP");
  EXPECT_EQ(message.first_header("X-CUSTOM")->value, "one");
}

TEST(Message, TypedAccessors) {
  SipMessage message;
  ASSERT_TRUE(message.parse(kInvite).ok());
  NameAddr from;
  ASSERT_TRUE(message.from(from).ok());
  EXPECT_EQ(from.tag, "1928301774");
  CSeq cseq;
  ASSERT_TRUE(message.cseq(cseq).ok());
  EXPECT_EQ(cseq.number, 314159u);
  EXPECT_EQ(cseq.method, "INVITE");
  std::uint32_t hops = 0;
  ASSERT_TRUE(message.max_forwards(hops).ok());
  EXPECT_EQ(hops, 70u);
  Uri ruri;
  ASSERT_TRUE(message.request_uri(ruri).ok());
  EXPECT_EQ(ruri.host, "biloxi.example.com");
}

TEST(Message, HeadersAreOnlyParsedWhenAskedFor) {
  // Framing succeeds although From is garbage; only asking for From reports it.
  std::string text = with_headers("From: <<<garbage\r\nl: 0\r\n");
  SipMessage message;
  ASSERT_TRUE(message.parse(text).ok());
  NameAddr from;
  EXPECT_FALSE(message.from(from).ok());
}

TEST(Message, ContentLengthSelectsTheBodyAndIgnoresTrailingOctets) {
  SipMessage message;
  ASSERT_TRUE(message.parse(kInvite + "trailing").ok());
  EXPECT_EQ(message.body(), "v=0\r");
  EXPECT_EQ(message.content_length(), 4u);
  EXPECT_EQ(message.message_size(), kInvite.size() - 1);
}

TEST(Message, WithoutContentLengthADatagramBodyIsTheRest) {
  std::string text = with_headers("Via: SIP/2.0/UDP h\r\n", "hello");
  SipMessage message;
  ASSERT_TRUE(message.parse(text).ok());
  EXPECT_FALSE(message.content_length().has_value());
  EXPECT_EQ(message.body(), "hello");
}

TEST(Message, ContentLengthErrors) {
  SipMessage message;
  EXPECT_EQ(message.parse(with_headers("l: 10\r\n", "short")).reason, "Content-Length is larger than the datagram");
  EXPECT_EQ(message.parse(with_headers("Content-Length: -1\r\n")).reason, "Content-Length is negative");
  EXPECT_EQ(message.parse(with_headers("Content-Length: ten\r\n")).reason, "Content-Length is not a number");
  EXPECT_EQ(message.parse(with_headers("Content-Length:\r\n")).reason, "Content-Length is not a number");
  EXPECT_EQ(message.parse(with_headers("Content-Length: 99999999999999999999999\r\n")).reason,
            "Content-Length is not a number");
  EXPECT_EQ(message.parse(with_headers("l: 1\r\nContent-Length: 2\r\n", "ab")).reason,
            "Content-Length headers disagree");
  EXPECT_TRUE(message.parse(with_headers("l: 2\r\nContent-Length: 2\r\n", "ab")).ok());
}

TEST(Message, StreamFramingWaitsForMoreBytesAndNeedsContentLength) {
  SipMessage message;
  EXPECT_EQ(message.parse(with_headers("l: 10\r\n", "short"), FramingMode::Stream).status,
            ParseStatus::Incomplete);
  EXPECT_EQ(message.parse("OPTIONS sip:a@example.com SIP/2.0\r\nl: 0\r\n", FramingMode::Stream).status,
            ParseStatus::Incomplete);
  EXPECT_EQ(message.parse(with_headers("Via: SIP/2.0/TCP h\r\n"), FramingMode::Stream).status,
            ParseStatus::Invalid);
  std::string two = with_headers("l: 2\r\n", "ab") + with_headers("l: 0\r\n");
  ASSERT_TRUE(message.parse(two, FramingMode::Stream).ok());
  EXPECT_EQ(message.body(), "ab");
  EXPECT_EQ(message.message_size(), two.size() - with_headers("l: 0\r\n").size());
}

TEST(Message, StatusLine) {
  SipMessage message;
  ASSERT_TRUE(message.parse("SIP/2.0 180 Ringing\r\nl: 0\r\n\r\n").ok());
  EXPECT_FALSE(message.is_request());
  EXPECT_EQ(message.status_code(), 180);
  EXPECT_EQ(message.reason_phrase(), "Ringing");
  ASSERT_TRUE(message.parse("SIP/2.0 100 \r\n\r\n").ok());
  EXPECT_EQ(message.reason_phrase(), "");
  EXPECT_FALSE(message.parse("SIP/2.0 4294967301 big\r\n\r\n").ok());
  EXPECT_FALSE(message.parse("SIP/2.0 99 low\r\n\r\n").ok());
  EXPECT_FALSE(message.parse("SIP/2.0\r\n\r\n").ok());
}

TEST(Message, UnsupportedVersionAsksFor505) {
  SipMessage message;
  ParseResult result = message.parse("OPTIONS sip:a@example.com SIP/7.0\r\n\r\n");
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.reply_code, 505);
  EXPECT_EQ(message.parse("OPTIONS sip:a@example.com SIP/x\r\n\r\n").reply_code, 400);
}

TEST(Message, MalformedHeaderLinesAreRejected) {
  SipMessage message;
  EXPECT_EQ(message.parse(with_headers("NoColonHere\r\n")).reason, "header name is not followed by ':'");
  EXPECT_EQ(message.parse(with_headers(": empty name\r\n")).reason, "header name is empty or not a token");
  EXPECT_EQ(message.parse("OPTIONS sip:a@example.com SIP/2.0\r\n folded start\r\n\r\n").reason,
            "header line starts with whitespace");
  EXPECT_EQ(message.parse("OPTIONS sip:a@example.com SIP/2.0\r\nl: 0\r\n").reason,
            "message headers are not terminated by an empty line");
  EXPECT_FALSE(message.parse("").ok());
  EXPECT_FALSE(message.parse("\r\n\r\n").ok());
}

TEST(Message, HeaderNameMayBeFollowedByWhitespaceBeforeTheColon) {
  SipMessage message;
  ASSERT_TRUE(message.parse(with_headers("Content-Length   : 0\r\n")).ok());
  EXPECT_EQ(message.content_length(), 0u);
}

TEST(Message, BareLineFeedsAreTolerated) {
  SipMessage message;
  ASSERT_TRUE(message.parse("OPTIONS sip:a@example.com SIP/2.0\nCall-ID: x\nl: 0\n\n").ok());
  EXPECT_EQ(message.call_id(), "x");
}

TEST(Message, EveryPrefixAndByteMutationIsHandledWithoutCrashing) {
  // Under the sanitized build this is the out-of-bounds check for the whole parser.
  const char replacements[] = {'\0', '\r', '\n', ' ', ':', ';', ',', '<', '>', '"', '[', ']', '%', '@', '\\'};
  SipMessage message;
  for (std::size_t length = 0; length <= kInvite.size(); ++length) {
    std::string prefix = kInvite.substr(0, length);
    (void)parse_and_check(prefix, message);
    (void)parse_and_check(prefix, message, FramingMode::Stream);
  }
  for (std::size_t i = 0; i < kInvite.size(); ++i) {
    for (char replacement : replacements) {
      std::string mutated = kInvite;
      mutated[i] = replacement;
      (void)parse_and_check(mutated, message);
    }
  }
  SUCCEED();
}

TEST(ScalarHeaders, CSeqMaxForwardsCallIdAndDate) {
  CSeq cseq;
  ASSERT_TRUE(parse_cseq("0009\r\n  INVITE", cseq).ok());
  EXPECT_EQ(cseq.number, 9u);
  EXPECT_EQ(cseq.method, "INVITE");
  EXPECT_TRUE(parse_cseq("4294967295 ACK", cseq).ok());
  EXPECT_FALSE(parse_cseq("4294967296 ACK", cseq).ok());
  EXPECT_FALSE(parse_cseq("1INVITE", cseq).ok());
  EXPECT_FALSE(parse_cseq("1 INVITE extra", cseq).ok());
  std::uint32_t hops = 0;
  EXPECT_TRUE(parse_max_forwards("0068", hops).ok());
  EXPECT_EQ(hops, 68u);
  EXPECT_FALSE(parse_max_forwards("300", hops).ok());
  EXPECT_TRUE(validate_call_id("a84b4c76e66710@pc33.atlanta.example.com").ok());
  EXPECT_FALSE(validate_call_id("a@b@c").ok());
  EXPECT_FALSE(validate_call_id("has space").ok());
  EXPECT_FALSE(validate_call_id("").ok());
  EXPECT_TRUE(validate_sip_date("Sat, 13 Nov 2010 23:29:00 GMT").ok());
  EXPECT_FALSE(validate_sip_date("Fri, 01 Jan 2010 16:00:00 EST").ok());
  EXPECT_FALSE(validate_sip_date("Fri, 01 Foo 2010 16:00:00 GMT").ok());
}

TEST(WellFormed, StarContactMustStandAlone) {
  const std::string base =
      "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@example.com>;tag=1\r\n"
      "To: <sip:a@example.com>\r\nCall-ID: c1\r\nCSeq: 1 REGISTER\r\nExpires: 0\r\n";
  SipMessage message;
  std::string star = base + "Contact: *\r\nl: 0\r\n\r\n";
  EXPECT_TRUE(parse_and_check(star, message).ok());
  EXPECT_TRUE(message.has_star_contact());
  std::string mixed = base + "Contact: *\r\nContact: <sip:a@h>\r\nl: 0\r\n\r\n";
  EXPECT_EQ(parse_and_check(mixed, message).reason, "Contact '*' must be the only Contact");
}

// The limits of docs/runtime.md: a message at each limit parses, one more field or Via
// entry is refused with the reason.
TEST(Message, AtMostAThousandHeaderFields) {
  std::string at_limit;
  for (std::size_t i = 0; i < kMaxHeaderFields; ++i) at_limit += "X-H: " + std::to_string(i) + "\r\n";
  SipMessage ok;
  std::string text = with_headers(at_limit);
  EXPECT_TRUE(ok.parse(text, FramingMode::Datagram).ok());
  EXPECT_EQ(ok.headers().size(), kMaxHeaderFields);
  SipMessage refused;
  std::string over = with_headers(at_limit + "X-H: one too many\r\n");
  ParseResult result = refused.parse(over, FramingMode::Datagram);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.reason, "more than 1000 header fields");
}

TEST(Message, AtMostTwoHundredFiftySixViaEntries) {
  auto vias = [](std::size_t count) {
    std::string headers;
    for (std::size_t i = 0; i < count; ++i) {
      headers += "Via: SIP/2.0/UDP h" + std::to_string(i) + ".example.com;branch=z9hG4bK" + std::to_string(i) + "\r\n";
    }
    return headers;
  };
  std::string at_limit = with_headers(vias(kMaxViaEntries));
  SipMessage ok;
  ASSERT_TRUE(ok.parse(at_limit, FramingMode::Datagram).ok());
  std::vector<Via> parsed;
  EXPECT_TRUE(ok.vias(parsed).ok());
  EXPECT_EQ(parsed.size(), kMaxViaEntries);
  // The same count plus one, as one comma-separated header.
  std::string over = with_headers(vias(kMaxViaEntries - 1) + "Via: SIP/2.0/UDP a.example.com, SIP/2.0/UDP b.example.com\r\n");
  SipMessage refused;
  ASSERT_TRUE(refused.parse(over, FramingMode::Datagram).ok());
  parsed.clear();
  ParseResult result = refused.vias(parsed);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.reason, "more than 256 Via entries");
}
