// Nonce signing, decoding and replay tracking.
#include "auth_nonce.h"

#include "crypto.h"

namespace kamc::runtime::auth {

namespace {

constexpr std::size_t kTagSize = 16;
constexpr std::size_t kTimesSize = 8;
constexpr std::size_t kIdSize = 5;  // id (4) and flags (1)

void put_u32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xff);
}

std::uint32_t get_u32(std::string_view bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

NonceSigner::NonceSigner(std::string secret1, std::string secret2, std::int64_t started_at, std::int64_t max_drift)
    : secret1_(std::move(secret1)), secret2_(std::move(secret2)), started_at_(started_at), max_drift_(max_drift) {}

std::string NonceSigner::tag(std::string_view signed_bytes, const std::string& secret) const {
  std::string hex = digest_hex(Digest::Sha256, std::string(signed_bytes) + secret);
  std::string bytes;
  for (std::size_t i = 0; i < kTagSize; ++i) {
    bytes += static_cast<char>(hex_value(hex[2 * i]) * 16 + hex_value(hex[2 * i + 1]));
  }
  return bytes;
}

std::string NonceSigner::make(const NonceFields& fields, const std::optional<std::string>& message_parts) const {
  std::string times;
  put_u32(times, static_cast<std::uint32_t>(fields.expires));
  put_u32(times, static_cast<std::uint32_t>(fields.since));
  std::string id;
  if (fields.id) {
    put_u32(id, *fields.id);
    id += static_cast<char>(fields.flags);
  }
  std::string message_tag = message_parts ? tag(*message_parts, secret2_) : std::string();
  return base64_encode(times + tag(times + id, secret1_) + message_tag + id, Base64Alphabet::Standard);
}

NonceCheck NonceSigner::check(std::string_view nonce, std::int64_t now, const std::optional<std::string>& message_parts,
                              NonceFields& out) const {
  std::optional<std::string> bytes = base64_decode(nonce, Base64Alphabet::Standard);
  std::size_t tags = kTagSize * (message_parts ? 2 : 1);
  if (!bytes || (bytes->size() != kTimesSize + tags && bytes->size() != kTimesSize + tags + kIdSize)) {
    return NonceCheck::Invalid;
  }
  std::string_view view = *bytes;
  std::string_view times = view.substr(0, kTimesSize);
  std::string_view id = view.substr(kTimesSize + tags);
  out.expires = get_u32(view, 0);
  out.since = get_u32(view, 4);
  if (!id.empty()) {
    out.id = get_u32(id, 0);
    out.flags = static_cast<std::uint8_t>(id[4]);
  }
  // Kamailio's order: a creation time from before the start or from the future is stale
  // before the signature is looked at (so a UA re-asked with a new nonce), a message
  // tag for another request or an expiry only after it.
  if (out.since < started_at_ && out.since < now) return NonceCheck::Stale;
  if (out.since > now + max_drift_) return NonceCheck::Stale;
  if (!equal_in_constant_time(view.substr(kTimesSize, kTagSize), tag(std::string(times) + std::string(id), secret1_))) {
    return NonceCheck::Invalid;
  }
  if (message_parts &&
      !equal_in_constant_time(view.substr(kTimesSize + kTagSize, kTagSize), tag(*message_parts, secret2_))) {
    return NonceCheck::Stale;
  }
  if (out.expires < now) return NonceCheck::Stale;
  return NonceCheck::Valid;
}

NonceTracker::NonceTracker(std::size_t size) : size_(size), slots_(new std::atomic<std::uint64_t>[size]) {
  for (std::size_t i = 0; i < size_; ++i) slots_[i].store(0, std::memory_order_relaxed);
}

// A slot holds the id last issued into it (high half) and the highest nc seen with it
// (low half; 0: unused).
std::uint32_t NonceTracker::issue() {
  std::uint32_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
  slot(id).store(static_cast<std::uint64_t>(id) << 32, std::memory_order_release);
  return id;
}

bool NonceTracker::use_once(std::uint32_t id) {
  std::uint64_t fresh = static_cast<std::uint64_t>(id) << 32;
  return slot(id).compare_exchange_strong(fresh, fresh | 1, std::memory_order_acq_rel);
}

bool NonceTracker::advance_count(std::uint32_t id, std::uint32_t nc) {
  if (nc > kMaxNonceCount) return false;
  std::atomic<std::uint64_t>& entry = slot(id);
  std::uint64_t seen = entry.load(std::memory_order_acquire);
  while (true) {
    if ((seen >> 32) != id || (seen & 0xffffffffu) >= nc) return false;
    if (entry.compare_exchange_weak(seen, (static_cast<std::uint64_t>(id) << 32) | nc, std::memory_order_acq_rel)) {
      return true;
    }
  }
}

std::optional<std::uint32_t> parse_nonce_count(std::string_view nc) {
  if (nc.size() != 8) return std::nullopt;
  std::uint32_t value = 0;
  for (char c : nc) {
    int digit = hex_value(c);
    if (digit < 0) return std::nullopt;
    value = value * 16 + static_cast<std::uint32_t>(digit);
  }
  return value;
}

}  // namespace kamc::runtime::auth
