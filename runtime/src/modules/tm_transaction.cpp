// Transaction keys, matching, branch ids, reply priorities and the shared hash table.
#include "tm_transaction.h"

#include <charconv>
#include <cstdio>

#include "kamc/runtime/log.h"
#include "kamc/runtime/runtime.h"
#include "kamc/sip/via.h"
#include "../core/module.h"
#include "../core/sip_edit.h"
#include "../text.h"

namespace kamc::runtime::tm {

namespace {

constexpr std::string_view kMagicCookie = "z9hG4bK";
constexpr std::string_view kOurBranchPrefix = "z9hG4bKkt";

// The method of the transaction a request belongs to: an ACK belongs to its INVITE.
bool method_matches(const Transaction& transaction, std::string_view incoming_method) {
  if (incoming_method == "ACK") return transaction.is_invite;
  return incoming_method == transaction.key.method;
}

bool same_sent_by(const RequestKey& a, const RequestKey& b) {
  return a.sent_by_port == b.sent_by_port && sip::detail::equals_ignore_case(a.sent_by_host, b.sent_by_host);
}

// RFC 2543 clients have no unique branch: everything that identified a transaction then.
bool same_rfc2543_request(const RequestKey& stored, const RequestKey& incoming) {
  return stored.cseq_number == incoming.cseq_number && stored.call_id == incoming.call_id &&
         stored.from_tag == incoming.from_tag && stored.request_uri == incoming.request_uri &&
         stored.top_via == incoming.top_via;
}

}  // namespace

bool tm_params_from(const ModuleInstance& module, TmParams& params, std::string& error) {
  struct Milliseconds {
    std::string_view name;
    int TmParams::*field;
    long long min;
  };
  static constexpr Milliseconds kTimers[] = {
      {"fr_timer", &TmParams::fr_timer_ms, 1},          {"fr_inv_timer", &TmParams::fr_inv_timer_ms, 1},
      {"wt_timer", &TmParams::wt_timer_ms, 1},          {"retr_timer1", &TmParams::retr_timer1_ms, 1},
      {"retr_timer2", &TmParams::retr_timer2_ms, 1},    {"max_inv_lifetime", &TmParams::max_inv_lifetime_ms, 1},
      {"max_noninv_lifetime", &TmParams::max_noninv_lifetime_ms, 1},
      {"unix_tx_timeout", &TmParams::unix_tx_timeout_ms, 0},
  };
  for (const auto& timer : kTimers) {
    long long value = module.param_number(timer.name);
    if (value < timer.min || value > 24LL * 3600 * 1000) {
      error = "modparam(\"tm\", \"" + std::string(timer.name) + "\"): " + std::to_string(value) +
              " is not a number of milliseconds";
      return false;
    }
    params.*timer.field = static_cast<int>(value);
  }
  params.restart_fr_on_each_reply = module.param_number("restart_fr_on_each_reply") != 0;
  params.auto_inv_100 = module.param_number("auto_inv_100") != 0;
  params.auto_inv_100_reason = module.param_text("auto_inv_100_reason");
  return true;
}

bool extract_request_key(const sip::SipMessage& request, RequestKey& key) {
  const sip::HeaderField* via_field = request.first_header(sip::HeaderKind::Via);
  if (!via_field) return false;
  std::vector<sip::Via> vias;
  if (!sip::parse_via_header(via_field->value, vias).ok() || vias.empty()) return false;
  const sip::Via& top = vias.front();
  sip::CSeq cseq;
  sip::NameAddr from;
  if (!request.cseq(cseq).ok() || !request.from(from).ok() || request.call_id().empty()) return false;
  key.method = request.method();
  key.call_id = request.call_id();
  key.cseq_number = cseq.number;
  key.branch = top.branch && top.branch->starts_with(kMagicCookie) && top.branch->size() > kMagicCookie.size()
                   ? *top.branch
                   : std::string_view{};
  key.sent_by_host = top.host;
  key.sent_by_port = top.port.value_or(0);
  key.from_tag = from.tag.value_or(std::string_view{});
  sip::NameAddr to;
  key.to_tag = request.to(to).ok() ? to.tag.value_or(std::string_view{}) : std::string_view{};
  key.request_uri = request.request_uri_text();
  key.top_via = top.text;
  return true;
}

Transaction::Transaction(const Runtime& runtime_in, std::uint32_t bucket_in, std::uint64_t id_in)
    : runtime(runtime_in), bucket(bucket_in), id(id_in), created(Clock::now()) {}

Clock::time_point Transaction::end_of_life() const {
  const TmParams& params = layer_of(runtime).params;
  return created + std::chrono::milliseconds(is_invite ? params.max_inv_lifetime_ms : params.max_noninv_lifetime_ms);
}

std::string_view Transaction::rebase(std::string_view part, std::string_view original) const {
  if (part.empty()) return {};
  auto offset = static_cast<std::size_t>(part.data() - original.data());
  return std::string_view(request).substr(offset, part.size());
}

bool Transaction::matches(const RequestKey& incoming, MatchAs mode) const {
  if (mode == MatchAs::CanceledInvite) {
    if (!is_invite) return false;
    if (incoming.is_rfc3261()) return incoming.branch == key.branch && same_sent_by(incoming, key);
    return !key.is_rfc3261() && same_rfc2543_request(key, incoming) && incoming.to_tag == key.to_tag;
  }
  if (!method_matches(*this, incoming.method)) return false;
  if (incoming.is_rfc3261()) return incoming.branch == key.branch && same_sent_by(incoming, key);
  if (key.is_rfc3261() || !same_rfc2543_request(key, incoming)) return false;
  // An ACK carries the To tag of our final reply, which the INVITE did not have; it is
  // recognised by the Request-URI, which the ACK for a 2xx does not share (RFC 3261 12.2.1.1).
  return incoming.method == "ACK" || incoming.to_tag == key.to_tag;
}

std::string make_branch_id(std::uint32_t bucket, std::uint64_t id, int branch) {
  char text[64];  // at most 8 + 1 + 16 + 1 + 11 characters
  int length = std::snprintf(text, sizeof text, "%x.%llx.%d", static_cast<unsigned>(bucket),
                             static_cast<unsigned long long>(id), branch);
  std::string result(kOurBranchPrefix);
  result.append(text, static_cast<std::size_t>(length));
  return result;
}

std::optional<BranchId> parse_branch_id(std::string_view branch) {
  if (!branch.starts_with(kOurBranchPrefix)) return std::nullopt;
  std::string_view rest = branch.substr(kOurBranchPrefix.size());
  BranchId id;
  const char* end = rest.data() + rest.size();
  auto first = std::from_chars(rest.data(), end, id.bucket, 16);
  if (first.ec != std::errc{} || first.ptr == end || *first.ptr != '.') return std::nullopt;
  auto second = std::from_chars(first.ptr + 1, end, id.id, 16);
  if (second.ec != std::errc{} || second.ptr == end || *second.ptr != '.') return std::nullopt;
  auto third = std::from_chars(second.ptr + 1, end, id.branch, 10);
  if (third.ec != std::errc{} || third.ptr != end || id.branch < 0) return std::nullopt;
  return id;
}

int reply_priority(int code) {
  int reply_class = code / 100;
  int detail = code % 100;
  switch (reply_class) {
    case 2: return detail;
    case 6: return 1000 + detail;
    case 3: return 3000 + detail;
    case 4: {
      bool preferred = detail == 1 || detail == 7 || detail == 15 || detail == 20 || detail == 84;
      return 4000 + (preferred ? detail : 100 + detail);
    }
    case 5: return 5000 + detail;
    case 1: return 11000 + code;
    default: return code < 100 ? 32000 + code : 10000 + code;
  }
}

TransactionTable::TransactionTable(std::size_t bucket_count) : buckets_(bucket_count) {}

std::uint32_t TransactionTable::hash(std::string_view call_id, std::uint32_t cseq_number) {
  std::uint64_t value = fnv1a(call_id);
  value ^= cseq_number;
  value *= 1099511628211ULL;
  return static_cast<std::uint32_t>(value ^ (value >> 32));
}

std::uint32_t TransactionTable::bucket_of(const RequestKey& key) const {
  return hash(key.call_id, key.cseq_number) % static_cast<std::uint32_t>(buckets_.size());
}

std::shared_ptr<Transaction> TransactionTable::find(const RequestKey& key, MatchAs mode) {
  Bucket& bucket = buckets_[bucket_of(key)];
  std::lock_guard lock(bucket.mutex);
  for (const auto& transaction : bucket.transactions) {
    if (transaction->matches(key, mode)) return transaction;
  }
  return nullptr;
}

std::shared_ptr<Transaction> TransactionTable::find_2xx_invite(const RequestKey& ack, bool local_only) {
  std::vector<std::shared_ptr<Transaction>> candidates;
  {
    Bucket& bucket = buckets_[bucket_of(ack)];
    std::lock_guard lock(bucket.mutex);
    for (const auto& transaction : bucket.transactions) {
      const RequestKey& key = transaction->key;
      if (transaction->is_invite && key.cseq_number == ack.cseq_number && key.call_id == ack.call_id &&
          key.from_tag == ack.from_tag) {
        candidates.push_back(transaction);
      }
    }
  }
  // The reply state is read under each transaction's own lock, outside the bucket lock.
  for (const auto& transaction : candidates) {
    std::lock_guard lock(transaction->mutex);
    bool answered_2xx = transaction->uas_status >= 200 && transaction->uas_status < 300;
    if (answered_2xx && (!local_only || transaction->final_reply_local) && transaction->final_to_tag == ack.to_tag) {
      return transaction;
    }
  }
  return nullptr;
}

std::shared_ptr<Transaction> TransactionTable::find_by_branch(const BranchId& branch) {
  if (branch.bucket >= buckets_.size()) return nullptr;
  Bucket& bucket = buckets_[branch.bucket];
  std::lock_guard lock(bucket.mutex);
  for (const auto& transaction : bucket.transactions) {
    if (transaction->id == branch.id) return transaction;
  }
  return nullptr;
}

std::shared_ptr<Transaction> TransactionTable::insert_or_find(std::shared_ptr<Transaction> fresh, std::size_t limit) {
  Bucket& bucket = buckets_[fresh->bucket];
  std::lock_guard lock(bucket.mutex);
  for (const auto& transaction : bucket.transactions) {
    if (transaction->matches(fresh->key, MatchAs::SameMethod)) return transaction;
  }
  if (count_.load(std::memory_order_relaxed) >= limit) return nullptr;
  bucket.transactions.push_back(fresh);
  count_.fetch_add(1, std::memory_order_relaxed);
  return fresh;
}

void TransactionTable::remove(const Transaction& transaction) {
  Bucket& bucket = buckets_[transaction.bucket];
  std::shared_ptr<Transaction> last_reference;  // freed after the bucket lock is released
  std::lock_guard lock(bucket.mutex);
  auto& list = bucket.transactions;
  for (auto it = list.begin(); it != list.end(); ++it) {
    if (it->get() != &transaction) continue;
    last_reference = std::move(*it);
    *it = std::move(list.back());
    list.pop_back();
    count_.fetch_sub(1, std::memory_order_relaxed);
    return;
  }
}

}  // namespace kamc::runtime::tm
