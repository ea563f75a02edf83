// The libcrypto calls behind crypto.h. libcrypto's block codec speaks the standard
// alphabet only, so the URL alphabet is translated on the way in and out.
#include "crypto.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

namespace kamc::runtime {

namespace {

// The algorithms fetched from the default provider once. EVP_md5() and friends are
// legacy handles that OpenSSL 3 fetches again, under a lock, on every digest: five
// times per authenticated request.
const EVP_MD* digest_algorithm(Digest digest) {
  static EVP_MD* const md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  static EVP_MD* const sha384 = EVP_MD_fetch(nullptr, "SHA384", nullptr);
  static EVP_MD* const sha512 = EVP_MD_fetch(nullptr, "SHA512", nullptr);
  switch (digest) {
    case Digest::Md5: return md5;
    case Digest::Sha256: return sha256;
    case Digest::Sha384: return sha384;
    case Digest::Sha512: return sha512;
  }
  return nullptr;
}

// One digest context per thread, reset for each digest instead of allocated.
EVP_MD_CTX* thread_digest_context() {
  struct Context {
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(context); }
  };
  thread_local Context holder;
  return holder.context;
}

// EVP_EncodeBlock and EVP_DecodeBlock count in int; a long text goes through in
// pieces of whole groups (3 bytes in, 4 characters out).
constexpr std::size_t kGroupsPerPiece = 1 << 16;

void translate(std::string& text, std::string_view from, std::string_view to) {
  for (char& c : text) {
    if (c == from[0]) c = to[0];
    else if (c == from[1]) c = to[1];
  }
}

}  // namespace

bool equal_in_constant_time(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string digest_hex(Digest digest, std::string_view data) {
  unsigned char bytes[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_MD_CTX* context = thread_digest_context();
  const EVP_MD* algorithm = digest_algorithm(digest);
  if (!context || !algorithm || EVP_DigestInit_ex2(context, algorithm, nullptr) != 1 ||
      EVP_DigestUpdate(context, data.data(), data.size()) != 1 || EVP_DigestFinal_ex(context, bytes, &size) != 1) {
    char reason[256];
    ERR_error_string_n(ERR_get_error(), reason, sizeof reason);
    throw std::runtime_error(std::string("libcrypto refused the digest: ") + reason);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[bytes[i] >> 4];
    hex += kHex[bytes[i] & 0xf];
  }
  return hex;
}

bool is_base64_digit(char c, Base64Alphabet alphabet) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return alphabet == Base64Alphabet::Standard ? c == '+' || c == '/' : c == '-' || c == '_';
}

std::string base64_encode(std::string_view data, Base64Alphabet alphabet) {
  std::string out((data.size() + 2) / 3 * 4, '\0');
  auto* to = reinterpret_cast<unsigned char*>(out.data());
  const auto* from = reinterpret_cast<const unsigned char*>(data.data());
  for (std::size_t done = 0; done < data.size();) {
    std::size_t piece = std::min(data.size() - done, 3 * kGroupsPerPiece);
    to += EVP_EncodeBlock(to, from + done, static_cast<int>(piece));
    done += piece;
  }
  if (alphabet == Base64Alphabet::Url) translate(out, "+/", "-_");
  return out;
}

std::optional<std::string> base64_decode(std::string_view text, Base64Alphabet alphabet) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  std::string digits(text);
  for (std::size_t i = 0; i < digits.size() - padding; ++i) {
    if (!is_base64_digit(digits[i], alphabet)) return std::nullopt;
  }
  if (alphabet == Base64Alphabet::Url) translate(digits, "-_", "+/");
  // EVP_DecodeBlock decodes '=' as zero bits and counts them: the padding's bytes are cut below.
  std::string out(digits.size() / 4 * 3, '\0');
  auto* to = reinterpret_cast<unsigned char*>(out.data());
  const auto* from = reinterpret_cast<const unsigned char*>(digits.data());
  for (std::size_t done = 0; done < digits.size();) {
    std::size_t piece = std::min(digits.size() - done, 4 * kGroupsPerPiece);
    int written = EVP_DecodeBlock(to, from + done, static_cast<int>(piece));
    if (written < 0) return std::nullopt;
    to += written;
    done += piece;
  }
  out.resize(out.size() - padding);
  return out;
}

}  // namespace kamc::runtime
