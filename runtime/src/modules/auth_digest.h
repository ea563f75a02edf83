// The digest computations of RFC 2617 3.2.2 and RFC 7616 3.4.1: H(A1) from a password,
// the request-digest a UA must send, and the rspauth of Authentication-Info. Kamailio
// 5.6 hashes with one algorithm for the whole server (auth's `algorithm` modparam).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "digest_credentials.h"

namespace kamc::runtime::auth {

enum class HashAlgorithm { Md5, Sha256 };

// "" and "MD5" are MD5, "SHA-256" is SHA-256 (Kamailio's exact spellings); anything
// else is nullopt.
std::optional<HashAlgorithm> hash_algorithm_named(std::string_view name);
// Hex digits of one hash: 32 or 64.
std::size_t hash_hex_length(HashAlgorithm algorithm);

// H(username ":" realm ":" password), lowercase hex.
std::string calculate_ha1(HashAlgorithm algorithm, std::string_view username, std::string_view realm,
                          std::string_view password);

// What the response covers besides H(A1).
struct ResponseInput {
  std::string_view nonce;
  std::string_view nc;
  std::string_view cnonce;
  digest::Qop qop = digest::Qop::Unspecified;
  std::string_view qop_text;  // as the UA wrote it; it is part of the hash
  std::string_view method;    // empty for rspauth (RFC 2617 3.2.3)
  std::string_view uri;
  std::string_view body;      // qop=auth-int: H(entity-body) is part of A2
};

// The UA's values of a response; views into `credentials`, which must outlive it.
ResponseInput response_input(const digest::Credentials& credentials, std::string_view method, std::string_view body);

// request-digest: with qop, H(HA1:nonce:nc:cnonce:qop:H(A2)); without, H(HA1:nonce:H(A2)).
std::string calculate_response(HashAlgorithm algorithm, std::string_view ha1, const ResponseInput& input);

// Whether the UA's response is the one H(A1) gives, compared in constant time.
// Malformed: a response of the wrong length for the algorithm (Kamailio's
// BAD_CREDENTIALS).
enum class ResponseCheck { Matches, Differs, Malformed };
ResponseCheck check_response(HashAlgorithm algorithm, std::string_view ha1, const digest::Credentials& credentials,
                             std::string_view method, std::string_view body);

}  // namespace kamc::runtime::auth
