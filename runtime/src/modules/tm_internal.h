// What the tm files share: the transaction machinery behind the script functions.
//   tm_relay.cpp   t_newtran, t_relay, branches and branch_route, CANCEL
//   tm_reply.cpp   replies: matching, onreply_route, best response, failure_route, relaying
//   tm_timers.cpp  retransmissions and timeouts (timers A..K), the wait timer
//   tm.cpp         the script functions and their table
// Functions named *_locked expect the caller to hold the transaction's mutex.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "../core/proxy.h"
#include "../core/timer_queue.h"
#include "tm_transaction.h"
#include "kamc/runtime/message_context.h"
#include "kamc/runtime/runtime.h"

namespace kamc::runtime::tm {

// The calling worker's way out: where messages are sent and timers scheduled.
struct Io {
  Transport& transport;
  TimerQueue& timers;
};
// nullopt (and a log line) when the message has no worker behind it.
std::optional<Io> io_of(MessageContext& context);

inline const TmParams& params_of(const Transaction& transaction) { return layer_of(transaction.runtime).params; }

// ---- tm_relay.cpp --------------------------------------------------------------------

enum class NewTransaction {
  Created,                // a new transaction (or the one this message already had)
  Retransmission,         // absorbed: the last reply was sent again
  AckAbsorbed,            // an ACK for our negative (or local 2xx) reply
  AckWithoutTransaction,  // an ACK to forward statelessly (an end-to-end ACK for a 2xx)
  Error                   // not usable for a transaction, or the table is full
};
// t_newtran(): finds the request's transaction or makes one; sets tm_state(context).transaction.
NewTransaction new_transaction(MessageContext& context, Io io);

struct RelayTarget {
  std::optional<NextHop> hop;           // t_relay(host, port): this instead of $du / R-URI
  std::optional<Protocol> protocol;     // t_relay_to_udp/tcp(): forced transport
};
// t_relay() and friends; returns the script code.
int relay(MessageContext& context, const RelayTarget& target, bool replicate);

// Sends CANCEL on the branch now (it had a provisional reply), or marks it to be
// cancelled when one arrives. Reason: a whole "Reason: ...\r\n" line or empty.
void cancel_branch_locked(Transaction& transaction, Branch& branch, Io io, std::string_view reason_header);
// Cancels every branch without a final reply (a CANCEL came, a 2xx or 6xx was received).
void cancel_pending_branches_locked(Transaction& transaction, Io io, std::string_view reason_header);

// A request context over the transaction's stored request, with the request route's
// work restored: failure routes and locally generated replies run on it.
std::unique_ptr<MessageContext> stored_request_context(Transaction& transaction, Transport* transport);

// ---- tm_reply.cpp --------------------------------------------------------------------

// Sends a reply generated here to the caller (t_reply, 100 Trying, 408, 487) and moves
// the server transaction on. request: a context of the transaction's request.
bool send_local_reply_locked(Transaction& transaction, MessageContext& request, Io io, int code,
                             std::string_view reason);
// A reply that did not come off the wire: 408 when a branch timed out, 487 for a
// cancelled branch that never answered. Runs the same selection as a real reply.
void fake_reply_locked(Transaction& transaction, int branch, int code, Io io);
// An ACK for our negative (or local 2xx) final reply: timer G stops, then the wait timer.
void ack_received_locked(Transaction& transaction, Io io);
// Retransmits the last reply to a retransmitted request.
void resend_last_reply_locked(Transaction& transaction, Io io);

// ---- tm_timers.cpp -------------------------------------------------------------------

enum class TimerKind : int { BranchRetransmit, BranchFinalResponse, CancelRetransmit, ReplyRetransmit, Wait };
void schedule_timer(Transaction& transaction, Io io, Clock::time_point due, TimerKind kind, int branch = 0);

// After a branch's request was sent: timer A/E over UDP, timer B/F (fr_timer).
void start_branch_timers_locked(Transaction& transaction, Branch& branch, Io io);
// A provisional reply on an INVITE branch: timer B becomes fr_inv_timer.
void restart_fr_inv_locked(Transaction& transaction, Branch& branch, Io io);
// A negative final reply sent to the caller of an INVITE: timer G over UDP and timer H.
void start_reply_retransmission_locked(Transaction& transaction, Io io);
// The transaction is done: it absorbs late messages for wt_timer, then it is freed.
void put_on_wait_locked(Transaction& transaction, Io io);

// Milliseconds as a clock duration.
inline Clock::duration ms(long long milliseconds) { return std::chrono::milliseconds(milliseconds); }

}  // namespace kamc::runtime::tm
