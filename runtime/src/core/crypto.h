// Digests and base64 (RFC 4648) from OpenSSL's libcrypto, behind plain C++ types: no
// OpenSSL header or type reaches the rest of the runtime through here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kamc::runtime {

enum class Digest : std::uint8_t { Md5, Sha256, Sha384, Sha512 };

// Lowercase hex of the digest of data. Throws std::runtime_error when libcrypto refuses
// the algorithm (MD5 under a FIPS-only OpenSSL configuration): the worker logs that and
// drops the message rather than hand a route a wrong hash.
std::string digest_hex(Digest digest, std::string_view data);
// Compares secrets (digest responses, nonce signatures) in a time that does not depend
// on where they first differ (CRYPTO_memcmp); texts of different lengths differ.
bool equal_in_constant_time(std::string_view a, std::string_view b);

// RFC 4648 section 4 ("+/") or section 5, the URL- and filename-safe one ("-_").
enum class Base64Alphabet : std::uint8_t { Standard, Url };

bool is_base64_digit(char c, Base64Alphabet alphabet);

// Padded with '=' to whole groups of 4 characters.
std::string base64_encode(std::string_view data, Base64Alphabet alphabet);

// Strict: whole groups of 4 digits of the alphabet, '=' only as the last one or two
// characters; anything else (whitespace included) is nullopt. The empty text is empty.
std::optional<std::string> base64_decode(std::string_view text, Base64Alphabet alphabet);

}  // namespace kamc::runtime
