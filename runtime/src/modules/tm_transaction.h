// The transaction layer's state (RFC 3261 section 17, with Kamailio's tm as the behaviour
// reference): a proxy transaction pairs one server transaction (towards the caller) with
// one client transaction per branch, lives in a hash table shared by every worker, and
// is found again by the branch of a Via (RFC 3261 17.1.3 and 17.2.3, with the RFC 2543
// fallback). What the transactions do lives in src/modules/tm*.cpp.
//
// Locking (docs/tm.md): a bucket's mutex guards only its list and is never held while
// another lock is taken; a transaction's own recursive mutex guards all its mutable
// fields, and is held while its failure/branch/onreply routes run, so that t_relay()
// inside a failure_route re-enters it on the same thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kamc/runtime/message_context.h"
#include "tm_state.h"
#include "kamc/sip/message.h"

namespace kamc::runtime {
class ModuleInstance;
}

namespace kamc::runtime::tm {

using Clock = std::chrono::steady_clock;

// tm module parameters (modparam("tm", ...)), in milliseconds like Kamailio's.
struct TmParams {
  int fr_timer_ms = 30000;       // timers B and F: no final reply
  int fr_inv_timer_ms = 120000;  // timer B after a provisional reply
  int wt_timer_ms = 5000;        // wait: a completed transaction absorbs late messages (D, I, J, K)
  int retr_timer1_ms = 500;      // T1
  int retr_timer2_ms = 4000;     // T2
  int t4_ms = 5000;              // T4 (not a Kamailio parameter)
  int max_inv_lifetime_ms = 180000;
  int max_noninv_lifetime_ms = 32000;
  bool restart_fr_on_each_reply = true;
  bool auto_inv_100 = true;
  std::string auto_inv_100_reason = "trying -- your call is important to us";
  int unix_tx_timeout_ms = 500;  // accepted for compatibility; there is no unix socket transport
  std::size_t max_transactions = 1u << 20;  // kamc's bound on the table (Kamailio's is its shm size)
};

// The tm parameters from the module's modparams (Kamailio's mod_init checks); false
// and a message for a value out of range.
bool tm_params_from(const ModuleInstance& module, TmParams& params, std::string& error);

// RFC 3261 17.2: the server transaction (towards the caller).
enum class ServerState : std::uint8_t { Trying, Proceeding, Completed, Confirmed, Terminated };
// RFC 3261 17.1: one client transaction per branch.
enum class ClientState : std::uint8_t { Calling, Trying, Proceeding, Completed, Terminated };

// What identifies the server transaction of a request: the top Via's branch and sent-by
// with the method (RFC 3261 17.2.3), or for an RFC 2543 client (no magic cookie) the
// Request-URI, tags, Call-ID, CSeq and top Via. Views into the request.
struct RequestKey {
  std::string_view method;
  std::string_view call_id;
  std::uint32_t cseq_number = 0;
  std::string_view branch;  // empty without the z9hG4bK cookie
  std::string_view sent_by_host;
  std::uint16_t sent_by_port = 0;  // 0 when the Via has none
  std::string_view from_tag;
  std::string_view to_tag;
  std::string_view request_uri;
  std::string_view top_via;  // the whole first via-parm

  bool is_rfc3261() const { return !branch.empty(); }
};

// false when the request lacks what matching needs (a Via, Call-ID, CSeq, From).
bool extract_request_key(const sip::SipMessage& request, RequestKey& key);

// Which transaction a request is looked up as.
enum class MatchAs {
  SameMethod,     // a retransmission of the request itself (ACK: of the INVITE it acknowledges)
  CanceledInvite  // a CANCEL: the INVITE transaction it cancels (RFC 3261 9.2)
};

struct Branch {
  int index = 0;
  std::string uri;                         // Request-URI sent on this branch
  std::optional<std::string> destination;  // $du used for it
  std::string via_branch;                  // our Via branch parameter
  std::string request;                     // as sent: resent by timers A/E, the model of CANCEL and ACK
  SendTarget target;
  ClientState state = ClientState::Calling;
  int last_received = 0;       // last status received (or faked) on this branch
  std::string final_reply;     // a negative final reply kept for best-response selection
  bool final_reply_faked = false;
  bool replied = false;        // a reply was received (t_branch_replied)
  bool timed_out = false;      // the final-response timer fired (t_branch_timeout)
  int on_reply = -1;           // onreply_route handle for this branch
  int on_failure = -1;         // failure_route handle for this branch

  bool retransmitting = false;  // timers A and E
  Clock::duration retransmit_interval{};
  Clock::time_point retransmit_due{};
  bool fr_armed = false;        // timers B and F
  Clock::time_point fr_due{};

  // CANCEL of this branch (RFC 3261 9.1): asked for, then sent once a provisional reply
  // shows the branch is alive, retransmitted over UDP until it is answered.
  bool cancel_requested = false;
  std::string cancel_reason_header;  // "Reason: ...\r\n" or empty
  std::string cancel_request;
  bool cancel_retransmitting = false;
  Clock::duration cancel_interval{};
  Clock::time_point cancel_due{};
  Clock::time_point cancel_give_up{};
};

class Transaction : public std::enable_shared_from_this<Transaction> {
 public:
  Transaction(const Runtime& runtime, std::uint32_t bucket, std::uint64_t id);

  // ---- immutable after creation ----
  const Runtime& runtime;
  const std::uint32_t bucket;
  const std::uint64_t id;
  Clock::time_point created;
  std::string request;  // a copy of the request as received
  ReceiveInfo received;
  RequestKey key;       // views into `request`
  bool is_invite = false;
  bool is_cancel = false;

  // ---- guarded by mutex ----
  mutable std::recursive_mutex mutex;
  // The request route's work at t_relay(): what failure routes start from.
  MessageEdits edits;
  std::optional<std::string> new_request_uri;
  std::optional<std::string> destination_uri;
  std::vector<AvpEntry> avps;
  std::vector<XavpItem> xavps;
  std::string reply_headers;  // append_to_reply() before t_relay: part of every local reply

  int on_failure = -1;
  int on_reply = -1;
  int on_branch = -1;
  int fr_timeout_ms = 0;
  int fr_inv_timeout_ms = 0;

  bool canceled = false;     // a CANCEL arrived (t_is_canceled)
  bool replicated = false;   // t_replicate(): replies stop here
  bool six_xx_seen = false;  // branches were cancelled after a 6xx

  std::deque<Branch> branches;  // a deque: failure routes add branches while one is referenced

  // Server transaction.
  ServerState server_state = ServerState::Trying;
  int uas_status = 0;       // last reply sent to the caller
  std::string last_reply;   // resent to request retransmissions (and by timer G)
  SendTarget reply_target;
  std::string final_to_tag;  // To tag of the final reply sent (ACK matching)
  bool final_reply_local = false;
  bool reply_retransmitting = false;  // timer G
  Clock::duration reply_interval{};
  Clock::time_point reply_retransmit_due{};
  Clock::time_point ack_deadline{};   // timer H
  bool waiting = false;               // on the wait timer: freed when it fires
  Clock::time_point wait_due{};

  Clock::time_point end_of_life() const;
  // The offset of `part` (a view into another copy of the same bytes) mapped into `request`.
  std::string_view rebase(std::string_view part, std::string_view original) const;
  bool matches(const RequestKey& incoming, MatchAs mode) const;
};

// Our branch parameter names the transaction directly: "z9hG4bKkt<bucket>.<id>.<branch>"
// (hex, hex, decimal), so a reply finds its transaction and branch without a search.
std::string make_branch_id(std::uint32_t bucket, std::uint64_t id, int branch);
struct BranchId {
  std::uint32_t bucket = 0;
  std::uint64_t id = 0;
  int branch = 0;
};
std::optional<BranchId> parse_branch_id(std::string_view branch);

// Best-response selection (RFC 3261 16.7 step 6, in Kamailio's order): lower is better.
// 2xx, then 6xx, 3xx, 4xx (401, 407, 415, 420 and 484 first), 5xx.
int reply_priority(int code);

class TransactionTable {
 public:
  explicit TransactionTable(std::size_t bucket_count = 8192);

  static std::uint32_t hash(std::string_view call_id, std::uint32_t cseq_number);
  std::uint32_t bucket_of(const RequestKey& key) const;

  std::shared_ptr<Transaction> find(const RequestKey& key, MatchAs mode);
  // The INVITE transaction whose 2xx an ACK acknowledges: that ACK has a branch of its
  // own, so it is matched by Call-ID, CSeq, From tag and the To tag of the 2xx sent.
  // local_only: only a 2xx generated here (whose ACK ends here).
  std::shared_ptr<Transaction> find_2xx_invite(const RequestKey& ack, bool local_only);
  std::shared_ptr<Transaction> find_by_branch(const BranchId& branch);

  std::uint64_t next_id() { return next_id_.fetch_add(1, std::memory_order_relaxed); }
  // Inserts `fresh` unless a transaction for the same request is already there (a
  // retransmission handled by another worker raced us): returns the one in the table.
  // Null when the table holds `limit` transactions.
  std::shared_ptr<Transaction> insert_or_find(std::shared_ptr<Transaction> fresh, std::size_t limit);
  void remove(const Transaction& transaction);
  std::size_t size() const { return count_.load(std::memory_order_relaxed); }

 private:
  struct Bucket {
    std::mutex mutex;
    std::vector<std::shared_ptr<Transaction>> transactions;
  };
  std::vector<Bucket> buckets_;
  std::atomic<std::uint64_t> next_id_{1};
  std::atomic<std::size_t> count_{0};
};

// All of tm's shared state: one per Runtime, set up before the workers start.
struct TransactionLayer {
  TmParams params;
  TransactionTable table;
};
// The transaction table and parameters tm's init made for this runtime.
TransactionLayer& layer_of(const Runtime& runtime);

// ---- tm's export hooks (tm.cpp) ----
// After the core reply route: true when the reply belongs to a transaction (relayed or
// absorbed by tm), false when the core relays it statelessly.
bool reply_received(MessageContext& reply);
// After the request route: releases a transaction the script made but left unanswered.
void request_route_done(MessageContext& context);
// t_reply() on the message's transaction (also what sl's send_reply() does when there is
// one); in an onreply route the reply is built from the transaction's request. The
// script's return code.
int reply_in_transaction(MessageContext& context, int code, std::string_view reason);

}  // namespace kamc::runtime::tm
