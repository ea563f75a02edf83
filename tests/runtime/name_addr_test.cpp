// Unit tests for name-addr / addr-spec parsing (From, To, Contact, Route).
#include <gtest/gtest.h>

#include "kamc/sip/name_addr.h"

using namespace kamc::sip;

namespace {
NameAddr parsed(std::string_view value) {
  NameAddr address;
  ParseResult result = parse_name_addr(value, address);
  EXPECT_TRUE(result.ok()) << value << ": " << result.reason;
  return address;
}
std::string_view rejection(std::string_view value) {
  NameAddr address;
  ParseResult result = parse_name_addr(value, address);
  return result.ok() ? "accepted" : result.reason;
}
}  // namespace

TEST(NameAddr, QuotedDisplayNameWithEscapesAndTag) {
  NameAddr from = parsed("\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n  ;\r\n  tag = 98asjd8");
  EXPECT_EQ(from.display_name, "\"J Rosenberg \\\\\\\"\"");
  EXPECT_TRUE(from.display_name_is_quoted);
  EXPECT_TRUE(from.uri_in_brackets);
  EXPECT_EQ(from.uri.user, "jdrosen");
  EXPECT_EQ(from.tag, "98asjd8");
}

TEST(NameAddr, TokenDisplayNameNeedsNoSpaceBeforeBracket) {
  NameAddr from = parsed("caller<sip:caller@example.com>;tag=323");
  EXPECT_EQ(from.display_name, "caller");
  EXPECT_EQ(from.uri.host, "example.com");
  EXPECT_EQ(from.tag, "323");
}

TEST(NameAddr, MultiTokenDisplayName) {
  EXPECT_EQ(parsed("A. Bell <sip:a.g.bell@example.com>;tag=qweoiqpe").display_name, "A. Bell");
}

TEST(NameAddr, ParametersAfterAnAddrSpecBelongToTheHeader) {
  NameAddr contact = parsed("sip:+19725552222@gw1.example.net;unknownparam");
  EXPECT_FALSE(contact.uri_in_brackets);
  EXPECT_TRUE(contact.uri.params.empty());
  EXPECT_EQ(contact.param("unknownparam"), "");
}

TEST(NameAddr, ParametersInsideBracketsBelongToTheUri) {
  NameAddr contact = parsed("<sip:+19725552222@gw1.example.net;unknownparam>");
  EXPECT_EQ(contact.uri.param("unknownparam"), "");
  EXPECT_FALSE(contact.param("unknownparam").has_value());
}

TEST(NameAddr, AddrSpecEndsAtWhitespace) {
  NameAddr to = parsed("sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n");
  EXPECT_EQ(to.uri.host, "chair-dnrc.example.com");
  EXPECT_EQ(to.tag, "1918181833n");
}

TEST(NameAddr, QuotedParameterValuesKeepTheirQuotes) {
  NameAddr from = parsed("<sip:a@example.com>;p=\"x;y\";tag=1");
  EXPECT_EQ(from.param("p"), "\"x;y\"");
  EXPECT_EQ(from.tag, "1");
}

TEST(NameAddr, UnknownSchemesAreAccepted) {
  EXPECT_EQ(parsed("isbn:2983792873").uri.scheme, UriScheme::Other);
  EXPECT_EQ(parsed("<http://www.example.com>;tag=3234233").uri.scheme_name, "http");
}

TEST(NameAddr, MalformedValuesAreRejectedWithAReason) {
  EXPECT_EQ(rejection("\"Mr. J. User <sip:j.user@example.com>"), "unterminated quoted string in display name");
  EXPECT_EQ(rejection("\"Watson, Thomas\" < sip:t.watson@example.org >"), "whitespace inside <URI>");
  EXPECT_EQ(rejection("Bell, Alexander <sip:a.g.bell@example.com>;tag=43"),
            "display name must be a token list or quoted string followed by <URI>");
  EXPECT_EQ(rejection("sip:user@example.com?Route=%3Csip:sip.example.com%3E"),
            "a URI with headers must be enclosed in <>");
  EXPECT_EQ(rejection("\"Joe\" <sip:joe@example.org>;;;;"), "empty or malformed header parameter");
  EXPECT_EQ(rejection("<sip:a@example.com"), "'<' without matching '>'");
  EXPECT_EQ(rejection(""), "display name must be a token list or quoted string followed by <URI>");
  EXPECT_EQ(rejection("<sip:a@example.com> junk"), "unexpected text after address");
}

TEST(NameAddrList, CommaSeparatedContactsAndStar) {
  std::vector<NameAddr> contacts;
  ASSERT_TRUE(parse_name_addr_list("<sip:a@h1.example.com>;q=0.5 , \"B\" <sip:b@h2.example.com>", contacts).ok());
  ASSERT_EQ(contacts.size(), 2u);
  EXPECT_EQ(contacts[0].param("q"), "0.5");
  EXPECT_EQ(contacts[1].uri.host, "h2.example.com");
  EXPECT_TRUE(is_star_contact(" * "));
  EXPECT_FALSE(is_star_contact("<sip:*@h>"));
  std::vector<NameAddr> bad;
  EXPECT_FALSE(parse_name_addr_list("<sip:a@h1.example.com>,", bad).ok());
}
