// Digest credentials of an Authorization or Proxy-Authorization header (RFC 2617 3.2.2,
// RFC 7616 3.4), Kamailio's core parser/digest: read by the auth modules and by the
// pv module's $au, $ar, $adu, ... Parsing is pure, so the unit tests call it directly.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kamc/sip/message.h"

namespace kamc::runtime {
class MessageContext;
}

namespace kamc::runtime::digest {

enum class Qop { Unspecified, Auth, AuthInt, Other };

// The parameters a UA sent; an absent one is nullopt (Kamailio's NULL str), which
// differs from a present empty one. Quoted values are unescaped.
struct Credentials {
  std::optional<std::string> username;  // as sent: "alice", "alice@example.com", "sip:a@b"
  std::optional<std::string> realm;
  std::optional<std::string> nonce;
  std::optional<std::string> uri;
  std::optional<std::string> response;
  std::optional<std::string> cnonce;
  std::optional<std::string> opaque;
  std::optional<std::string> qop_text;
  std::optional<std::string> nc;
  std::optional<std::string> algorithm;
  Qop qop = Qop::Unspecified;

  // Kamailio's username.user and username.domain: "sip:alice@example.com" is user
  // "alice", domain "example.com".
  std::string_view user() const;
  std::string_view domain() const;
  // Kamailio's check_dig_cred: username, realm, nonce, uri and response present, and
  // cnonce and nc with qop auth/auth-int.
  bool complete() const;
};

// A parameter's text, empty when absent; a view into the credentials.
inline std::string_view text_of(const std::optional<std::string>& parameter) {
  return parameter ? std::string_view(*parameter) : std::string_view{};
}

enum class ParseStatus {
  Ok,
  NotDigest,  // another scheme (Basic, ...): skipped when searching, as Kamailio does
  Malformed,  // a clean error; `error` says what
};

// Longer header values are refused (Kamailio's AUTH_HDR_MAX_SIZE).
constexpr std::size_t kMaxCredentialsSize = 8 * 1024;

// A duplicated parameter is Malformed: two values for one name make the header
// ambiguous (Kamailio keeps the last).
ParseStatus parse_credentials(std::string_view header_value, Credentials& out, std::string& error);

// The header the last authorization of this message used, whatever its outcome, or
// null (Kamailio's "authorized credentials", which its core keeps on the message). The
// auth module marks it (auth.cpp implements this); consume_credentials removes it,
// siputils' is_user and the pv module's $Au/$AU read it.
const sip::HeaderField* used_credentials_header(const MessageContext& context);

enum class FindStatus { Found, NotFound, Error };

struct FoundCredentials {
  FindStatus status = FindStatus::NotFound;
  const sip::HeaderField* header = nullptr;
  Credentials credentials;
  std::string error;
};

// Kamailio's find_credentials: the first header of `kind` (Authorization or
// Proxy-Authorization) whose digest realm equals `realm` ignoring case. Headers of
// other schemes are skipped; a malformed one is an Error.
FoundCredentials find_credentials(const sip::SipMessage& message, sip::HeaderKind kind, std::string_view realm);

}  // namespace kamc::runtime::digest
