// Digest hashes through crypto.h (OpenSSL's libcrypto).
#include "auth_digest.h"

#include "crypto.h"

namespace kamc::runtime::auth {

namespace {

std::string hash(HashAlgorithm algorithm, std::string_view data) {
  return digest_hex(algorithm == HashAlgorithm::Sha256 ? Digest::Sha256 : Digest::Md5, data);
}

}  // namespace

std::optional<HashAlgorithm> hash_algorithm_named(std::string_view name) {
  if (name.empty() || name == "MD5") return HashAlgorithm::Md5;
  if (name == "SHA-256") return HashAlgorithm::Sha256;
  return std::nullopt;
}

std::size_t hash_hex_length(HashAlgorithm algorithm) { return algorithm == HashAlgorithm::Sha256 ? 64 : 32; }

std::string calculate_ha1(HashAlgorithm algorithm, std::string_view username, std::string_view realm,
                          std::string_view password) {
  std::string a1;
  a1.reserve(username.size() + realm.size() + password.size() + 2);
  a1.append(username).append(":").append(realm).append(":").append(password);
  return hash(algorithm, a1);
}

ResponseInput response_input(const digest::Credentials& credentials, std::string_view method, std::string_view body) {
  using digest::text_of;
  return ResponseInput{text_of(credentials.nonce), text_of(credentials.nc), text_of(credentials.cnonce),
                       credentials.qop, text_of(credentials.qop_text), method, text_of(credentials.uri), body};
}

std::string calculate_response(HashAlgorithm algorithm, std::string_view ha1, const ResponseInput& input) {
  std::string a2;
  a2.append(input.method).append(":").append(input.uri);
  if (input.qop == digest::Qop::AuthInt) a2.append(":").append(hash(algorithm, input.body));
  std::string ha2 = hash(algorithm, a2);
  std::string kd;
  kd.append(ha1).append(":").append(input.nonce).append(":");
  if (input.qop == digest::Qop::Auth || input.qop == digest::Qop::AuthInt) {
    kd.append(input.nc).append(":").append(input.cnonce).append(":").append(input.qop_text).append(":");
  }
  kd.append(ha2);
  return hash(algorithm, kd);
}

ResponseCheck check_response(HashAlgorithm algorithm, std::string_view ha1, const digest::Credentials& credentials,
                             std::string_view method, std::string_view body) {
  if (!credentials.response || credentials.response->size() != hash_hex_length(algorithm)) {
    return ResponseCheck::Malformed;
  }
  ResponseInput input = response_input(credentials, method, body);
  // As Kamailio: H(A1) enters the hash as stored, and the response must be lowercase
  // hex (RFC 2617's LHEX), so an uppercase one differs.
  std::string expected = calculate_response(algorithm, ha1, input);
  return equal_in_constant_time(expected, *credentials.response) ? ResponseCheck::Matches : ResponseCheck::Differs;
}

}  // namespace kamc::runtime::auth
