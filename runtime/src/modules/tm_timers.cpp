// tm's timers (RFC 3261 17, figures 5-8), run by the worker that scheduled them:
//   A / E  retransmit a branch's request over UDP (T1 doubling; E capped at T2)
//   B / F  no final reply on a branch: fr_timer, fr_inv_timer after a provisional reply
//   G / H  retransmit a negative final reply to the caller over UDP until its ACK (64*T1)
//   the CANCEL of a branch is retransmitted like E until answered (at most fr_timer)
//   D, I, J, K  Kamailio's wt_timer: a completed transaction absorbs late messages, then is freed
// A timer entry is never cancelled: each handler checks that its timer is still armed
// and due, and reschedules itself when its deadline moved later.
#include <algorithm>

#include "kamc/runtime/log.h"
#include "tm_internal.h"

namespace kamc::runtime::tm {

namespace {

constexpr int kKindBits = 4;

int make_tag(TimerKind kind, int branch) { return static_cast<int>(kind) | (branch << kKindBits); }

Clock::duration doubled(Clock::duration interval, std::optional<Clock::duration> cap) {
  Clock::duration next = interval * 2;
  return cap ? std::min(next, *cap) : next;
}

void retransmit_branch_locked(Transaction& transaction, Branch& branch, Io io, Clock::time_point now) {
  if (!branch.retransmitting) return;
  if (now < branch.retransmit_due) {
    schedule_timer(transaction, io, branch.retransmit_due, TimerKind::BranchRetransmit, branch.index);
    return;
  }
  io.transport.send(branch.target, branch.request);
  const TmParams& params = params_of(transaction);
  // Timer A doubles without bound (RFC 3261 17.1.1.2); timer E stops at T2 (17.1.2.2).
  std::optional<Clock::duration> cap;
  if (!transaction.is_invite) cap = ms(params.retr_timer2_ms);
  branch.retransmit_interval = branch.state == ClientState::Proceeding ? ms(params.retr_timer2_ms)
                                                                       : doubled(branch.retransmit_interval, cap);
  branch.retransmit_due = now + branch.retransmit_interval;
  schedule_timer(transaction, io, branch.retransmit_due, TimerKind::BranchRetransmit, branch.index);
}

void final_response_timeout_locked(Transaction& transaction, Branch& branch, Io io, Clock::time_point now) {
  if (!branch.fr_armed) return;
  if (now < branch.fr_due) {  // moved later by a provisional reply
    schedule_timer(transaction, io, branch.fr_due, TimerKind::BranchFinalResponse, branch.index);
    return;
  }
  branch.fr_armed = false;
  log_format(L_DBG, "tm: branch %d timed out (fr timer)", branch.index);
  fake_reply_locked(transaction, branch.index, 408, io);
}

void retransmit_cancel_locked(Transaction& transaction, Branch& branch, Io io, Clock::time_point now) {
  if (!branch.cancel_retransmitting) return;
  if (now >= branch.cancel_give_up) {
    branch.cancel_retransmitting = false;
    return;
  }
  io.transport.send(branch.target, branch.cancel_request);
  branch.cancel_interval = doubled(branch.cancel_interval, ms(params_of(transaction).retr_timer2_ms));
  branch.cancel_due = now + branch.cancel_interval;
  schedule_timer(transaction, io, branch.cancel_due, TimerKind::CancelRetransmit, branch.index);
}

void retransmit_final_reply_locked(Transaction& transaction, Io io, Clock::time_point now) {
  if (!transaction.reply_retransmitting) return;
  if (now >= transaction.ack_deadline) {  // timer H: the ACK never came
    transaction.reply_retransmitting = false;
    put_on_wait_locked(transaction, io);
    return;
  }
  if (now >= transaction.reply_retransmit_due) {
    io.transport.send(transaction.reply_target, transaction.last_reply);
    transaction.reply_interval = doubled(transaction.reply_interval, ms(params_of(transaction).retr_timer2_ms));
    transaction.reply_retransmit_due = now + transaction.reply_interval;
  }
  schedule_timer(transaction, io, std::min(transaction.reply_retransmit_due, transaction.ack_deadline),
                 TimerKind::ReplyRetransmit);
}

void wait_over_locked(Transaction& transaction, Io io, Clock::time_point now) {
  if (!transaction.waiting) return;
  if (now < transaction.wait_due) {
    schedule_timer(transaction, io, transaction.wait_due, TimerKind::Wait);
    return;
  }
  layer_of(transaction.runtime).table.remove(transaction);
}

void on_timer(const std::shared_ptr<void>& owner, int tag, Transport& transport) {
  TimerQueue* timers = transport.timer_queue();
  if (!timers) return;
  auto transaction = std::static_pointer_cast<Transaction>(owner);
  Io io{transport, *timers};
  auto kind = static_cast<TimerKind>(tag & ((1 << kKindBits) - 1));
  auto branch_index = static_cast<std::size_t>(tag >> kKindBits);
  auto now = Clock::now();
  try {
    std::lock_guard lock(transaction->mutex);
    Branch* branch = branch_index < transaction->branches.size() ? &transaction->branches[branch_index] : nullptr;
    switch (kind) {
      case TimerKind::BranchRetransmit:
        if (branch) retransmit_branch_locked(*transaction, *branch, io, now);
        break;
      case TimerKind::BranchFinalResponse:
        if (branch) final_response_timeout_locked(*transaction, *branch, io, now);
        break;
      case TimerKind::CancelRetransmit:
        if (branch) retransmit_cancel_locked(*transaction, *branch, io, now);
        break;
      case TimerKind::ReplyRetransmit: retransmit_final_reply_locked(*transaction, io, now); break;
      case TimerKind::Wait: wait_over_locked(*transaction, io, now); break;
    }
  } catch (const std::exception& error) {
    // A failure_route run from a timer must not take the worker down either.
    log_format(L_ERR, "tm timer: %s", error.what());
  }
}

}  // namespace

void schedule_timer(Transaction& transaction, Io io, Clock::time_point due, TimerKind kind, int branch) {
  io.timers.schedule(due, transaction.weak_from_this(), on_timer, make_tag(kind, branch));
}

void start_branch_timers_locked(Transaction& transaction, Branch& branch, Io io) {
  const TmParams& params = params_of(transaction);
  auto now = Clock::now();
  if (branch.target.protocol == Protocol::Udp) {
    branch.retransmitting = true;
    branch.retransmit_interval = ms(params.retr_timer1_ms);
    branch.retransmit_due = now + branch.retransmit_interval;
    schedule_timer(transaction, io, branch.retransmit_due, TimerKind::BranchRetransmit, branch.index);
  }
  branch.fr_armed = true;
  branch.fr_due = std::min(now + ms(transaction.fr_timeout_ms), transaction.end_of_life());
  schedule_timer(transaction, io, branch.fr_due, TimerKind::BranchFinalResponse, branch.index);
}

void restart_fr_inv_locked(Transaction& transaction, Branch& branch, Io io) {
  if (!branch.fr_armed) return;
  auto due = std::min(Clock::now() + ms(transaction.fr_inv_timeout_ms), transaction.end_of_life());
  // The entry already scheduled moves itself later when it fires; an earlier deadline
  // needs an entry of its own.
  if (due < branch.fr_due) schedule_timer(transaction, io, due, TimerKind::BranchFinalResponse, branch.index);
  branch.fr_due = due;
}

void start_reply_retransmission_locked(Transaction& transaction, Io io) {
  if (transaction.reply_target.protocol != Protocol::Udp) {
    put_on_wait_locked(transaction, io);  // reliable transport: no G; the wait timer absorbs the ACK
    return;
  }
  const TmParams& params = params_of(transaction);
  auto now = Clock::now();
  transaction.reply_retransmitting = true;
  transaction.reply_interval = ms(params.retr_timer1_ms);
  transaction.reply_retransmit_due = now + transaction.reply_interval;
  transaction.ack_deadline = now + 64 * ms(params.retr_timer1_ms);
  schedule_timer(transaction, io, transaction.reply_retransmit_due, TimerKind::ReplyRetransmit);
}

void put_on_wait_locked(Transaction& transaction, Io io) {
  if (transaction.waiting) return;
  transaction.waiting = true;
  transaction.reply_retransmitting = false;
  for (Branch& branch : transaction.branches) {
    branch.retransmitting = false;
    branch.fr_armed = false;
  }
  transaction.wait_due = Clock::now() + ms(params_of(transaction).wt_timer_ms);
  schedule_timer(transaction, io, transaction.wait_due, TimerKind::Wait);
}

}  // namespace kamc::runtime::tm
