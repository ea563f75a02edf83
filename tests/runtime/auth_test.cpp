// auth's pure parts: the digest computations against the RFCs' own examples, the
// credentials parser on good and hostile headers, and the nonces' life cycle.
#include <gtest/gtest.h>

#include <string>

#include "auth_digest.h"
#include "auth_nonce.h"
#include "crypto.h"
#include "digest_credentials.h"
#include "kamc/sip/message.h"

namespace {

using kamc::runtime::auth::calculate_ha1;
using kamc::runtime::auth::calculate_response;
using kamc::runtime::auth::check_response;
using kamc::runtime::auth::HashAlgorithm;
using kamc::runtime::auth::NonceCheck;
using kamc::runtime::auth::NonceFields;
using kamc::runtime::auth::NonceSigner;
using kamc::runtime::auth::NonceTracker;
using kamc::runtime::auth::ResponseCheck;
using kamc::runtime::auth::ResponseInput;
using kamc::runtime::digest::Credentials;
using kamc::runtime::digest::FindStatus;
using kamc::runtime::digest::ParseStatus;
using kamc::runtime::digest::Qop;

Credentials parsed(std::string_view header) {
  Credentials credentials;
  std::string error;
  EXPECT_EQ(kamc::runtime::digest::parse_credentials(header, credentials, error), ParseStatus::Ok) << error;
  return credentials;
}

ParseStatus status_of(std::string_view header, std::string* error_out = nullptr) {
  Credentials credentials;
  std::string error;
  ParseStatus status = kamc::runtime::digest::parse_credentials(header, credentials, error);
  if (error_out) *error_out = error;
  return status;
}

// ---- digests --------------------------------------------------------------------------

TEST(AuthDigest, Rfc2617Section3_5ExampleResponse) {
  std::string ha1 = calculate_ha1(HashAlgorithm::Md5, "Mufasa", "testrealm@host.com", "Circle Of Life");
  ResponseInput input{"dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b", Qop::Auth, "auth", "GET",
                      "/dir/index.html", ""};
  EXPECT_EQ(calculate_response(HashAlgorithm::Md5, ha1, input), "6629fae49393a05397450978507c4ef1");
}

TEST(AuthDigest, Rfc7616Section3_9_1ExampleWithMd5AndSha256) {
  ResponseInput input{"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "00000001",
                      "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", Qop::Auth, "auth", "GET", "/dir/index.html", ""};
  std::string md5 = calculate_ha1(HashAlgorithm::Md5, "Mufasa", "http-auth@example.org", "Circle of Life");
  EXPECT_EQ(calculate_response(HashAlgorithm::Md5, md5, input), "8ca523f5e9506fed4657c9700eebdbec");
  std::string sha = calculate_ha1(HashAlgorithm::Sha256, "Mufasa", "http-auth@example.org", "Circle of Life");
  EXPECT_EQ(calculate_response(HashAlgorithm::Sha256, sha, input),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

TEST(AuthDigest, WithoutQopTheResponseIsOverNonceAndA2Only) {
  // RFC 2069 form: H(HA1:nonce:H(method:uri)).
  std::string ha1 = calculate_ha1(HashAlgorithm::Md5, "alice", "example.com", "secret");
  ResponseInput input{"abc", "", "", Qop::Unspecified, "", "REGISTER", "sip:example.com", ""};
  std::string expected = kamc::runtime::digest_hex(kamc::runtime::Digest::Md5,
      ha1 + ":abc:" + kamc::runtime::digest_hex(kamc::runtime::Digest::Md5, "REGISTER:sip:example.com"));
  EXPECT_EQ(calculate_response(HashAlgorithm::Md5, ha1, input), expected);
}

TEST(AuthDigest, CheckResponseMatchesDiffersOrRefusesTheWrongLength) {
  std::string ha1 = calculate_ha1(HashAlgorithm::Md5, "Mufasa", "testrealm@host.com", "Circle Of Life");
  Credentials credentials = parsed(
      "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
      "uri=\"/dir/index.html\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", "
      "response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
  EXPECT_EQ(check_response(HashAlgorithm::Md5, ha1, credentials, "GET", ""), ResponseCheck::Matches);
  std::string wrong = calculate_ha1(HashAlgorithm::Md5, "Mufasa", "testrealm@host.com", "circle of life");
  EXPECT_EQ(check_response(HashAlgorithm::Md5, wrong, credentials, "GET", ""), ResponseCheck::Differs);
  EXPECT_EQ(check_response(HashAlgorithm::Md5, ha1, credentials, "POST", ""), ResponseCheck::Differs);
  // An MD5-length response where SHA-256 is configured: Kamailio's BAD_CREDENTIALS.
  EXPECT_EQ(check_response(HashAlgorithm::Sha256, ha1, credentials, "GET", ""), ResponseCheck::Malformed);
  credentials.response = "6629FAE49393A05397450978507C4EF1";  // RFC 2617's LHEX: uppercase differs
  EXPECT_EQ(check_response(HashAlgorithm::Md5, ha1, credentials, "GET", ""), ResponseCheck::Differs);
}

TEST(AuthDigest, AlgorithmNamesAreKamailiosExactSpellings) {
  EXPECT_EQ(kamc::runtime::auth::hash_algorithm_named(""), HashAlgorithm::Md5);
  EXPECT_EQ(kamc::runtime::auth::hash_algorithm_named("MD5"), HashAlgorithm::Md5);
  EXPECT_EQ(kamc::runtime::auth::hash_algorithm_named("SHA-256"), HashAlgorithm::Sha256);
  EXPECT_EQ(kamc::runtime::auth::hash_algorithm_named("sha-256"), std::nullopt);
  EXPECT_EQ(kamc::runtime::auth::hash_algorithm_named("SHA-512-256"), std::nullopt);
}

// ---- credentials ------------------------------------------------------------------------

TEST(DigestCredentials, EveryParameterIsReadQuotedOrAsAToken) {
  Credentials c = parsed(
      "Digest username=\"alice\",realm=\"example.com\" , nonce=\"n1\", uri=\"sip:example.com\", "
      "response=\"0123\", cnonce=\"c1\", opaque=\"o1\", qop=auth, nc=00000002, algorithm=MD5, extra=\"ignored\"");
  EXPECT_EQ(c.username, "alice");
  EXPECT_EQ(c.realm, "example.com");
  EXPECT_EQ(c.nonce, "n1");
  EXPECT_EQ(c.uri, "sip:example.com");
  EXPECT_EQ(c.response, "0123");
  EXPECT_EQ(c.cnonce, "c1");
  EXPECT_EQ(c.opaque, "o1");
  EXPECT_EQ(c.nc, "00000002");
  EXPECT_EQ(c.algorithm, "MD5");
  EXPECT_EQ(c.qop, Qop::Auth);
  EXPECT_TRUE(c.complete());
}

TEST(DigestCredentials, SchemeAndParameterNamesIgnoreCase) {
  Credentials c = parsed("dIgEsT USERNAME=\"bob\", Realm=r, NONCE=n, Uri=\"u\", RESPONSE=x, QOP=\"AUTH-INT\"");
  EXPECT_EQ(c.username, "bob");
  EXPECT_EQ(c.realm, "r");
  EXPECT_EQ(c.qop, Qop::AuthInt);
}

TEST(DigestCredentials, QuotedPairsAreUnescaped) {
  Credentials c = parsed(R"(Digest username="al\"ice\\", realm="a, b", nonce="n", uri="u", response="r")");
  EXPECT_EQ(c.username, "al\"ice\\");
  EXPECT_EQ(c.realm, "a, b");
}

TEST(DigestCredentials, UsernameSplitsIntoUserAndDomainAsKamailioDoes) {
  Credentials c = parsed("Digest username=\"sip:alice@example.com\", realm=r");
  EXPECT_EQ(c.user(), "alice");
  EXPECT_EQ(c.domain(), "example.com");
  Credentials plain = parsed("Digest username=\"alice\", realm=r");
  EXPECT_EQ(plain.user(), "alice");
  EXPECT_EQ(plain.domain(), "");
}

TEST(DigestCredentials, MissingFieldsMakeThemIncomplete) {
  EXPECT_FALSE(parsed("Digest username=\"a\", realm=r, nonce=n, uri=u").complete());          // no response
  EXPECT_FALSE(parsed("Digest realm=r, nonce=n, uri=u, response=x").complete());             // no username
  EXPECT_FALSE(parsed("Digest username=a, realm=r, nonce=n, uri=u, response=x, qop=auth").complete());  // no nc
  EXPECT_TRUE(parsed("Digest username=a, realm=r, nonce=n, uri=u, response=x").complete());
  // Present but empty is present (Kamailio's check looks at the pointer).
  EXPECT_TRUE(parsed("Digest username=\"\", realm=\"\", nonce=\"\", uri=\"\", response=\"\"").complete());
}

TEST(DigestCredentials, OtherSchemesAreNotDigest) {
  EXPECT_EQ(status_of("Basic YWxpY2U6c2VjcmV0"), ParseStatus::NotDigest);
  EXPECT_EQ(status_of("Digestive username=a"), ParseStatus::NotDigest);
  EXPECT_EQ(status_of(""), ParseStatus::NotDigest);
  EXPECT_EQ(status_of("Digest"), ParseStatus::NotDigest);
}

TEST(DigestCredentials, BrokenSyntaxIsACleanError) {
  std::string error;
  EXPECT_EQ(status_of("Digest username=\"alice", &error), ParseStatus::Malformed);
  EXPECT_NE(error.find("unterminated"), std::string::npos) << error;
  EXPECT_EQ(status_of("Digest username=", &error), ParseStatus::Malformed);
  EXPECT_EQ(status_of("Digest username", &error), ParseStatus::Malformed);
  EXPECT_EQ(status_of("Digest =x", &error), ParseStatus::Malformed);
  EXPECT_EQ(status_of("Digest username=\"a\" realm=\"b\"", &error), ParseStatus::Malformed);
  EXPECT_EQ(status_of("Digest username=\"a\\", &error), ParseStatus::Malformed);
}

TEST(DigestCredentials, ADuplicatedParameterIsRefused) {
  std::string error;
  EXPECT_EQ(status_of("Digest username=a, realm=r, USERNAME=b", &error), ParseStatus::Malformed);
  EXPECT_NE(error.find("twice"), std::string::npos) << error;
  // Unknown parameters may repeat: nothing reads them.
  EXPECT_EQ(status_of("Digest x=1, x=2, username=a"), ParseStatus::Ok);
}

TEST(DigestCredentials, HugeValuesAreRefusedWithoutWork) {
  std::string huge = "Digest username=\"" + std::string(1 << 20, 'a') + "\"";
  std::string error;
  EXPECT_EQ(status_of(huge, &error), ParseStatus::Malformed);
  EXPECT_NE(error.find("limit"), std::string::npos) << error;
  std::string many = "Digest ";
  for (int i = 0; i < 2000; ++i) many += "p" + std::to_string(i) + "=v,";
  EXPECT_EQ(status_of(many.substr(0, 8000)), ParseStatus::Ok);
}

TEST(DigestCredentials, FindCredentialsPicksTheHeaderOfTheRealmIgnoringCase) {
  std::string text =
      "INVITE sip:bob@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-1\r\n"
      "From: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n"
      "Proxy-Authorization: Basic YWxpY2U6c2VjcmV0\r\n"
      "Proxy-Authorization: Digest username=\"alice\", realm=\"other.org\", nonce=n, uri=u, response=r\r\n"
      "Proxy-Authorization: Digest username=\"alice2\", realm=\"EXAMPLE.com\", nonce=n, uri=u, response=r\r\n"
      "Content-Length: 0\r\n\r\n";
  kamc::sip::SipMessage message;
  ASSERT_TRUE(message.parse(text).ok());
  using kamc::sip::HeaderKind;
  auto found = kamc::runtime::digest::find_credentials(message, HeaderKind::ProxyAuthorization, "example.com");
  ASSERT_EQ(found.status, FindStatus::Found);
  EXPECT_EQ(found.credentials.username, "alice2");
  auto none = kamc::runtime::digest::find_credentials(message, kamc::sip::HeaderKind::Authorization, "example.com");
  EXPECT_EQ(none.status, FindStatus::NotFound);
  auto missing = kamc::runtime::digest::find_credentials(message, kamc::sip::HeaderKind::ProxyAuthorization, "x.org");
  EXPECT_EQ(missing.status, FindStatus::NotFound);
}

TEST(DigestCredentials, AMalformedHeaderStopsTheSearchWithAnError) {
  std::string text =
      "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-1\r\n"
      "From: <sip:a@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n"
      "Authorization: Digest username=\"a, realm=\"example.com\r\nContent-Length: 0\r\n\r\n";
  kamc::sip::SipMessage message;
  ASSERT_TRUE(message.parse(text).ok());
  auto found = kamc::runtime::digest::find_credentials(message, kamc::sip::HeaderKind::Authorization, "example.com");
  EXPECT_EQ(found.status, FindStatus::Error);
  EXPECT_FALSE(found.error.empty());
}

// ---- nonces -----------------------------------------------------------------------------

constexpr std::int64_t kStart = 1'700'000'000;

NonceFields fields(std::int64_t since, std::int64_t lifetime) { return NonceFields{since + lifetime, since, {}, 0}; }

// A nonce without the auth_checks_* message tag, and its check.
std::string plain_nonce(const NonceSigner& signer, const NonceFields& fields) {
  return signer.make(fields, std::nullopt);
}
NonceCheck check_plain(const NonceSigner& signer, std::string_view nonce, std::int64_t now) {
  NonceFields out;
  return signer.check(nonce, now, std::nullopt, out);
}

TEST(AuthNonce, AFreshNonceIsValidAndCarriesItsTimes) {
  NonceSigner signer("s3cret", "", kStart, 3);
  std::string nonce = signer.make(fields(kStart + 10, 300), std::nullopt);
  EXPECT_EQ(nonce.size(), 32u);  // base64 of 24 bytes, as Kamailio's without extra checks
  NonceFields out;
  EXPECT_EQ(signer.check(nonce, kStart + 20, std::nullopt, out), NonceCheck::Valid);
  EXPECT_EQ(out.since, kStart + 10);
  EXPECT_EQ(out.expires, kStart + 310);
}

TEST(AuthNonce, AnExpiredNonceIsStale) {
  NonceSigner signer("s3cret", "", kStart, 3);
  std::string nonce = signer.make(fields(kStart + 10, 300), std::nullopt);
  NonceFields out;
  EXPECT_EQ(signer.check(nonce, kStart + 310, std::nullopt, out), NonceCheck::Valid);
  EXPECT_EQ(signer.check(nonce, kStart + 311, std::nullopt, out), NonceCheck::Stale);
}

TEST(AuthNonce, ATamperedNonceIsInvalid) {
  NonceSigner signer("s3cret", "", kStart, 3);
  std::string nonce = signer.make(fields(kStart + 10, 300), std::nullopt);
  NonceFields out;
  for (std::size_t i = 0; i < nonce.size(); ++i) {
    std::string tampered = nonce;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    // Characters 0-10 carry the times: changed, they may first look stale (as in
    // Kamailio, which checks the creation time before the signature); never valid.
    NonceCheck check = signer.check(tampered, kStart + 20, std::nullopt, out);
    if (i >= 11) {
      EXPECT_EQ(check, NonceCheck::Invalid) << "character " << i;
    }
    EXPECT_NE(check, NonceCheck::Valid) << "character " << i;
  }
  // Extending the lifetime needs the secret: the same times re-signed by anyone else fail.
  NonceSigner other("another secret", "", kStart, 3);
  EXPECT_EQ(check_plain(signer, plain_nonce(other, fields(kStart + 10, 3000)), kStart + 20), NonceCheck::Invalid);
  EXPECT_EQ(other.check(nonce, kStart + 20, std::nullopt, out), NonceCheck::Invalid);
}

TEST(AuthNonce, GarbageAndTruncatedNoncesAreInvalid) {
  NonceSigner signer("s3cret", "", kStart, 3);
  std::string nonce = signer.make(fields(kStart + 10, 300), std::nullopt);
  NonceFields out;
  EXPECT_EQ(signer.check("", kStart, std::nullopt, out), NonceCheck::Invalid);
  EXPECT_EQ(signer.check("not base64 at all!", kStart, std::nullopt, out), NonceCheck::Invalid);
  EXPECT_EQ(signer.check(nonce.substr(0, 28), kStart, std::nullopt, out), NonceCheck::Invalid);
  EXPECT_EQ(signer.check(nonce + "AAAA", kStart, std::nullopt, out), NonceCheck::Invalid);
  EXPECT_EQ(signer.check(std::string(100000, 'A'), kStart, std::nullopt, out), NonceCheck::Invalid);
}

TEST(AuthNonce, NoncesFromBeforeTheStartOrFromTheFutureAreStale) {
  NonceSigner signer("s3cret", "", kStart, 3);
  NonceFields out;
  // Made by an earlier run with the same secret: stale, so the UA retries without a prompt.
  EXPECT_EQ(check_plain(signer, plain_nonce(signer, fields(kStart - 5, 300)), kStart + 1), NonceCheck::Stale);
  EXPECT_EQ(check_plain(signer, plain_nonce(signer, fields(kStart + 103, 300)), kStart + 100), NonceCheck::Valid);
  EXPECT_EQ(check_plain(signer, plain_nonce(signer, fields(kStart + 104, 300)), kStart + 100), NonceCheck::Stale);
}

TEST(AuthNonce, AnIdAndItsFlagsAreSignedToo) {
  NonceSigner signer("s3cret", "", kStart, 3);
  NonceFields with_id{kStart + 300, kStart, 77u, kamc::runtime::auth::kOneTimeId};
  std::string nonce = signer.make(with_id, std::nullopt);
  EXPECT_EQ(nonce.size(), 40u);
  NonceFields out;
  ASSERT_EQ(signer.check(nonce, kStart + 1, std::nullopt, out), NonceCheck::Valid);
  EXPECT_EQ(out.id, 77u);
  EXPECT_EQ(out.flags, kamc::runtime::auth::kOneTimeId);
}

TEST(AuthNonce, AMessageTagBindsTheNonceToTheRequestParts) {
  NonceSigner signer("first half", "second half", kStart, 3);
  std::string nonce = signer.make(fields(kStart, 300), std::string("sip:example.comcall-1"));
  EXPECT_EQ(nonce.size(), 56u);  // 40 bytes, as Kamailio's with auth_checks_*
  NonceFields out;
  EXPECT_EQ(signer.check(nonce, kStart + 1, std::string("sip:example.comcall-1"), out), NonceCheck::Valid);
  // Another Call-ID: Kamailio's "auth_extra_checks failed", a stale nonce.
  EXPECT_EQ(signer.check(nonce, kStart + 1, std::string("sip:example.comcall-2"), out), NonceCheck::Stale);
  // Checks switched on or off since the challenge: the length no longer fits.
  EXPECT_EQ(signer.check(nonce, kStart + 1, std::nullopt, out), NonceCheck::Invalid);
  std::string plain = signer.make(fields(kStart, 300), std::nullopt);
  EXPECT_EQ(signer.check(plain, kStart + 1, std::string("x"), out), NonceCheck::Invalid);
  // The message tag is signed with the second secret only.
  NonceSigner other_second("first half", "another", kStart, 3);
  EXPECT_EQ(other_second.check(nonce, kStart + 1, std::string("sip:example.comcall-1"), out), NonceCheck::Stale);
}

TEST(AuthNonce, AOneTimeIdIsAcceptedOnce) {
  NonceTracker tracker(4);
  std::uint32_t id = tracker.issue();
  EXPECT_TRUE(tracker.use_once(id));
  EXPECT_FALSE(tracker.use_once(id));
  EXPECT_FALSE(tracker.use_once(id + 1));  // never issued
}

TEST(AuthNonce, AnIdForgottenAfterTheRingWrapsCountsAsUsed) {
  NonceTracker tracker(4);
  std::uint32_t first = tracker.issue();
  for (int i = 0; i < 4; ++i) tracker.issue();
  EXPECT_FALSE(tracker.use_once(first));
}

TEST(AuthNonce, NonceCountsMustGrow) {
  NonceTracker tracker(8);
  std::uint32_t id = tracker.issue();
  EXPECT_TRUE(tracker.advance_count(id, 1));
  EXPECT_FALSE(tracker.advance_count(id, 1));  // replayed
  EXPECT_TRUE(tracker.advance_count(id, 3));
  EXPECT_FALSE(tracker.advance_count(id, 2));
  EXPECT_TRUE(tracker.advance_count(id, 255));
  std::uint32_t other = tracker.issue();
  EXPECT_FALSE(tracker.advance_count(other, 256));  // Kamailio's one byte per id
  EXPECT_EQ(kamc::runtime::auth::parse_nonce_count("0000000a"), 10u);
  EXPECT_EQ(kamc::runtime::auth::parse_nonce_count("1"), std::nullopt);
  EXPECT_EQ(kamc::runtime::auth::parse_nonce_count("0000000g"), std::nullopt);
}

}  // namespace
