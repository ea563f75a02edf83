// Unit tests for the sip/sips/tel URI parser and the host validators.
#include <gtest/gtest.h>

#include "kamc/sip/host.h"
#include "kamc/sip/uri.h"

using namespace kamc::sip;

namespace {
Uri parsed(std::string_view text) {
  Uri uri;
  ParseResult result = parse_uri(text, uri);
  EXPECT_TRUE(result.ok()) << text << ": " << result.reason;
  return uri;
}
bool rejects(std::string_view text) {
  Uri uri;
  return !parse_uri(text, uri).ok();
}
}  // namespace

TEST(Uri, SplitsUserPasswordHostPortParamsAndHeaders) {
  Uri uri = parsed("sip:alice:secret@example.com:5070;transport=tcp;lr?subject=hi&priority=urgent");
  EXPECT_EQ(uri.scheme, UriScheme::Sip);
  EXPECT_EQ(uri.user, "alice");
  EXPECT_TRUE(uri.has_password);
  EXPECT_EQ(uri.password, "secret");
  EXPECT_EQ(uri.host, "example.com");
  EXPECT_EQ(uri.port, 5070);
  EXPECT_EQ(uri.params, "transport=tcp;lr");
  EXPECT_EQ(uri.headers, "subject=hi&priority=urgent");
  EXPECT_EQ(uri.param("TRANSPORT"), "tcp");
  EXPECT_EQ(uri.param("lr"), "");  // a flag parameter has an empty value
  EXPECT_FALSE(uri.param("maddr").has_value());
}

TEST(Uri, SchemeIsCaseInsensitiveAndHostMayStandAlone) {
  Uri uri = parsed("SIPS:Example.COM");
  EXPECT_EQ(uri.scheme, UriScheme::Sips);
  EXPECT_TRUE(uri.user.empty());
  EXPECT_EQ(uri.host, "Example.COM");
  EXPECT_FALSE(uri.port.has_value());
}

TEST(Uri, Ipv6ReferenceKeepsBracketsAndTakesPortAfterThem) {
  Uri uri = parsed("sip:[2001:db8::10]:5070");
  EXPECT_EQ(uri.host, "[2001:db8::10]");
  EXPECT_TRUE(uri.host_is_ipv6_reference);
  EXPECT_EQ(uri.port, 5070);
}

TEST(Uri, DigitsInsideTheBracketsAreNeverAPort) {
  Uri uri = parsed("sip:[2001:db8::10:5070]");
  EXPECT_EQ(uri.host, "[2001:db8::10:5070]");
  EXPECT_FALSE(uri.port.has_value());
}

TEST(Uri, Ipv4MappedIpv6IsAccepted) { EXPECT_EQ(parsed("sip:ted@[::ffff:192.0.2.2]").host, "[::ffff:192.0.2.2]"); }

TEST(Uri, UnbracketedIpv6IsRejected) { EXPECT_TRUE(rejects("sip:2001:db8::10")); }

TEST(Uri, ThreeColonIpv6FromTheRfc3261AbnfBugIsRejected) {
  EXPECT_TRUE(rejects("sip:user@[2001:db8:::192.0.2.1]"));
  EXPECT_FALSE(rejects("sip:user@[2001:db8::192.0.2.1]"));
}

TEST(Uri, PercentEscapesAreKeptAsWritten) {
  Uri uri = parsed("sip:%75se%72;par=u%40example.net@example.com;n%61me=v%61lue");
  EXPECT_EQ(uri.user, "%75se%72;par=u%40example.net");
  EXPECT_EQ(uri.param("n%61me"), "v%61lue");
  EXPECT_EQ(parsed("sip:%00@host").user, "%00");
}

TEST(Uri, MalformedPercentEscapesAreRejected) {
  EXPECT_TRUE(rejects("sip:us%zzer@example.com"));
  EXPECT_TRUE(rejects("sip:user%4@example.com"));
  EXPECT_TRUE(rejects("sip:user@example.com;a=%"));
}

TEST(Uri, UnusualButLegalUserAndPasswordCharacters) {
  Uri uri = parsed("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com");
  EXPECT_EQ(uri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  EXPECT_EQ(uri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  EXPECT_EQ(uri.host, "example.com");
}

TEST(Uri, TelUriCarriesNumberAndParams) {
  Uri uri = parsed("tel:+1-201-555-0123;phone-context=example.com");
  EXPECT_EQ(uri.scheme, UriScheme::Tel);
  EXPECT_EQ(uri.user, "+1-201-555-0123");
  EXPECT_EQ(uri.param("phone-context"), "example.com");
  EXPECT_TRUE(rejects("tel:"));
}

TEST(Uri, UnknownSchemesAreOpaque) {
  Uri uri = parsed("soap.beep://192.0.2.103:3002");
  EXPECT_EQ(uri.scheme, UriScheme::Other);
  EXPECT_EQ(uri.scheme_name, "soap.beep");
  EXPECT_EQ(uri.opaque, "//192.0.2.103:3002");
}

TEST(Uri, StructuralErrorsAreRejected) {
  EXPECT_TRUE(rejects(""));
  EXPECT_TRUE(rejects("<sip:user@example.com>"));
  EXPECT_TRUE(rejects("sip:user@"));
  EXPECT_TRUE(rejects("sip:@example.com"));
  EXPECT_TRUE(rejects("sip:user@example.com:70000"));
  EXPECT_TRUE(rejects("sip:user@example.com:"));
  EXPECT_TRUE(rejects("sip:user@example.com;;lr"));
  EXPECT_TRUE(rejects("sip:user@exa mple.com"));
  EXPECT_TRUE(rejects("sip:user@[2001:db8::1"));
  EXPECT_TRUE(rejects("sip:user@-bad-.com"));
  EXPECT_TRUE(rejects("sip:user@192.0.2.300"));
}

TEST(Host, Ipv6TextForms) {
  EXPECT_TRUE(is_ipv6_address("::"));
  EXPECT_TRUE(is_ipv6_address("::1"));
  EXPECT_TRUE(is_ipv6_address("1:2:3:4:5:6:7:8"));
  EXPECT_TRUE(is_ipv6_address("1:2:3:4:5:6:192.0.2.1"));
  EXPECT_TRUE(is_ipv6_address("2001:db8::9:255"));
  EXPECT_FALSE(is_ipv6_address("1:2:3:4:5:6:7"));
  EXPECT_FALSE(is_ipv6_address("1:2:3:4:5:6:7:8:9"));
  EXPECT_FALSE(is_ipv6_address("1::2::3"));
  EXPECT_FALSE(is_ipv6_address(":::"));
  EXPECT_FALSE(is_ipv6_address("1:"));
  EXPECT_FALSE(is_ipv6_address("12345::"));
  EXPECT_FALSE(is_ipv6_address("::g"));
}

TEST(Host, Ipv4AndHostnames) {
  EXPECT_TRUE(is_ipv4_address("255.255.255.255"));
  EXPECT_FALSE(is_ipv4_address("1.2.3"));
  EXPECT_FALSE(is_ipv4_address("1.2.3.4."));
  EXPECT_TRUE(is_hostname("chair-dnrc.example.com"));
  EXPECT_TRUE(is_hostname("example.com."));
  EXPECT_FALSE(is_hostname("a..b"));
  EXPECT_FALSE(is_hostname("123"));
}
