// The nonces of auth's challenges. Like Kamailio's, a nonce carries its own expiry and
// creation time and is signed with the `secret` modparam, so checking one needs no
// state: base64(expires | since | tag [| message tag] [| id | flags]), times as 32-bit
// big-endian seconds, tag = the first 16 bytes of SHA-256(times [| id | flags] |
// secret1). With auth_checks_* a second tag binds the nonce to parts of the request
// (R-URI, Call-ID, From tag, source IP): SHA-256(parts | secret2). With nonce_count or
// one_time_nonce a nonce also carries an id, and NonceTracker remembers what each
// in-flight id has been used for. The layout is Kamailio's (its tags are MD5s).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace kamc::runtime::auth {

// Kamailio keeps one byte per nonce id: a larger nc is refused (stale), the UA must
// take a new nonce.
constexpr std::uint32_t kMaxNonceCount = 255;

// Kamailio's pool flags byte: which replay check the id is valid for.
constexpr std::uint8_t kNonceCountId = 0x80;
constexpr std::uint8_t kOneTimeId = 0x40;

// Kamailio's auth_checks_register/_no_dlg/_in_dlg bits: what the message tag covers.
constexpr int kCheckRequestUri = 1;
constexpr int kCheckCallId = 2;
constexpr int kCheckFromTag = 4;
constexpr int kCheckSourceIp = 8;

struct NonceFields {
  std::int64_t expires = 0;
  std::int64_t since = 0;
  std::optional<std::uint32_t> id;
  std::uint8_t flags = 0;
};

enum class NonceCheck {
  Valid,
  Invalid,  // not one of ours: undecodable, truncated, or signed with another secret
  Stale,    // ours, but expired, older than this server's start, from the future, or
            // made for another request than the auth_checks_* parts say
};

class NonceSigner {
 public:
  // started_at: nonces made before it are stale (Kamailio's up_since); max_drift: how far
  // in the future a nonce's creation may be (another node's clock). secret2 signs the
  // message tag.
  NonceSigner(std::string secret1, std::string secret2, std::int64_t started_at, std::int64_t max_drift);
  // message_parts: the request's parts the auth_checks_* setting names, or nullopt for
  // a nonce without a message tag.
  std::string make(const NonceFields& fields, const std::optional<std::string>& message_parts) const;
  NonceCheck check(std::string_view nonce, std::int64_t now, const std::optional<std::string>& message_parts,
                   NonceFields& out) const;

 private:
  std::string tag(std::string_view signed_bytes, const std::string& secret) const;
  std::string secret1_;
  std::string secret2_;
  std::int64_t started_at_;
  std::int64_t max_drift_;
};

// The in-flight nonce ids, a ring of `size` slots (a power of two): an id older than
// `size` issues ago is forgotten and counts as replayed. Safe from every worker.
class NonceTracker {
 public:
  explicit NonceTracker(std::size_t size);
  std::uint32_t issue();
  // one_time_nonce: true the first time an issued id is used.
  bool use_once(std::uint32_t id);
  // nonce_count: true when nc is greater than every nc seen with this id and at most
  // kMaxNonceCount.
  bool advance_count(std::uint32_t id, std::uint32_t nc);

 private:
  std::atomic<std::uint64_t>& slot(std::uint32_t id) { return slots_[id & (size_ - 1)]; }
  std::size_t size_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> slots_;
  std::atomic<std::uint32_t> next_id_{1};
};

// The nc parameter: exactly 8 hex digits (RFC 2617), else nullopt.
std::optional<std::uint32_t> parse_nonce_count(std::string_view nc);

}  // namespace kamc::runtime::auth
