// tm, the reply side: a reply is matched to its branch by our Via branch, its client
// transaction moves on (ACK for a negative INVITE reply, hop by hop), onreply_route runs,
// and the proxy decides what the caller gets (RFC 3261 16.7): provisional replies and
// 2xx at once, negative replies once every branch is final, the best of them, after
// failure_route had its chance to fork again.
#include "kamc/runtime/log.h"
#include "kamc/sip/via.h"
#include "../core/sip_edit.h"
#include "tm_internal.h"

namespace kamc::runtime::tm {

namespace {

constexpr int kBranchesPending = -2;
constexpr std::string_view kCompletedElsewhere = "Reason: SIP;cause=200;text=\"Call completed elsewhere\"\r\n";

std::string_view reason_phrase(int code) {
  switch (code) {
    case 408: return "Request Timeout";
    case 477: return "Unfortunately error on sending to next hop occurred";
    case 478: return "Unresolvable destination";
    case 487: return "Request Terminated";
    case 500: return "Server Internal Error";
    default: return code < 300 ? "OK" : "Error";
  }
}

std::string to_tag_of(std::string_view message_bytes) {
  sip::SipMessage message;
  sip::NameAddr to;
  if (!message.parse(message_bytes).ok() || !message.to(to).ok() || !to.tag) return {};
  return std::string(*to.tag);
}

// The reply as the caller gets it: our Via removed, the onreply_route's edits applied.
std::string relayable_reply(const MessageContext& reply) {
  MessageEdits edits = reply.edits;
  const sip::HeaderField* via = reply.message.first_header(sip::HeaderKind::Via);
  std::vector<sip::Via> vias;
  if (via && sip::parse_via_header(via->value, vias).ok() && !vias.empty()) {
    remove_first_value(reply, *via, vias.front().text, edits);
  }
  return edits.apply(reply.buffer.substr(0, reply.message.message_size()));
}

void record_reply_sent_locked(Transaction& transaction, int code, std::string bytes, bool local, Io io) {
  transaction.uas_status = code;
  transaction.last_reply = std::move(bytes);
  if (code < 200) {
    transaction.server_state = ServerState::Proceeding;
    return;
  }
  transaction.final_reply_local = local;
  transaction.final_to_tag = to_tag_of(transaction.last_reply);
  bool awaits_ack = transaction.is_invite && (code >= 300 || local);
  if (awaits_ack) {
    transaction.server_state = ServerState::Completed;
    start_reply_retransmission_locked(transaction, io);  // timers G and H
    return;
  }
  transaction.server_state = transaction.is_invite ? ServerState::Terminated : ServerState::Completed;
  put_on_wait_locked(transaction, io);
}

void relay_reply_locked(Transaction& transaction, std::string bytes, int code, Io io) {
  if (!io.transport.send(transaction.reply_target, bytes)) log_format(L_ERR, "tm: relaying a %d reply failed", code);
  record_reply_sent_locked(transaction, code, std::move(bytes), false, io);
}

// RFC 3261 17.1.1.3: the ACK for a negative INVITE reply, sent on the branch it came from.
void send_ack_locked(const Branch& branch, const MessageContext& reply, Io io) {
  sip::SipMessage sent;
  if (!sent.parse(branch.request).ok()) return;
  std::string ack = "ACK " + std::string(sent.request_uri_text()) + " SIP/2.0\r\n";
  auto copy = [&ack](const sip::SipMessage& from, sip::HeaderKind kind) {
    if (const sip::HeaderField* field = from.first_header(kind)) {
      ack += sip::canonical_header_name(kind);
      ack += ": ";
      ack += field->value;
      ack += "\r\n";
    }
  };
  copy(sent, sip::HeaderKind::Via);
  copy(sent, sip::HeaderKind::From);
  copy(reply.message, sip::HeaderKind::To);  // with the UAS's tag
  copy(sent, sip::HeaderKind::CallId);
  sip::CSeq cseq;
  sent.cseq(cseq);
  ack += "CSeq: " + std::to_string(cseq.number) + " ACK\r\n";
  for (const auto& field : sent.headers()) {
    if (field.kind == sip::HeaderKind::Route) ack += "Route: " + std::string(field.value) + "\r\n";
  }
  ack += "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
  io.transport.send(branch.target, ack);
}

// The branch whose final reply the caller gets, or kBranchesPending while a branch has
// none yet, or -1 without branches.
int pick_branch_locked(const Transaction& transaction) {
  int best = -1;
  int best_priority = 0;
  for (const Branch& branch : transaction.branches) {
    if (branch.last_received < 200) return kBranchesPending;
    int priority = reply_priority(branch.last_received);
    if (best < 0 || priority < best_priority) {
      best = branch.index;
      best_priority = priority;
    }
  }
  return best;
}

void run_failure_route_locked(Transaction& transaction, int picked, kamc_rt_route_fn route, Io io) {
  // One-shot, as in Kamailio: a failure_route re-arms itself with t_on_failure() for
  // the branches it adds; the branches it has seen never run it again.
  transaction.on_failure = -1;
  for (Branch& branch : transaction.branches) branch.on_failure = -1;
  auto context = stored_request_context(transaction, &io.transport);
  context->route_type = KAMC_RT_FAILURE_ROUTE;
  tm_state(*context).branch_index = picked;
  try {
    route(to_abi(context.get()));
  } catch (const std::exception& error) {
    log_format(L_ERR, "failure_route failed with an exception: %s", error.what());
  }
  transaction.avps = std::move(context->avps);
  transaction.xavps = std::move(context->xavps);
}

// Sends the chosen final reply: the stored one, or one generated here for a branch that
// timed out or failed (487 once the transaction was canceled; a 503 becomes 500, RFC 3261 16.7 step 6).
void relay_final_locked(Transaction& transaction, int picked, Io io) {
  if (transaction.replicated || picked < 0) {
    put_on_wait_locked(transaction, io);
    return;
  }
  Branch& branch = transaction.branches[static_cast<std::size_t>(picked)];
  int code = branch.last_received;
  if (!branch.final_reply_faked && code != 503) {
    relay_reply_locked(transaction, branch.final_reply, code, io);
    return;
  }
  if (transaction.canceled) code = 487;
  if (code == 503) code = 500;
  auto request = stored_request_context(transaction, &io.transport);
  send_local_reply_locked(transaction, *request, io, code, reason_phrase(code));
}

// Every branch may now be final: pick the best reply, give failure_route a chance to add
// branches, and answer the caller unless new branches are pending.
void select_and_finish_locked(Transaction& transaction, int code, Io io) {
  int picked = pick_branch_locked(transaction);
  if (picked == kBranchesPending) {
    if (code >= 600 && !transaction.six_xx_seen) {  // RFC 3261 16.7 step 5
      transaction.six_xx_seen = true;
      cancel_pending_branches_locked(transaction, io, {});
    }
    return;
  }
  if (picked < 0) return;
  std::size_t branch_count = transaction.branches.size();
  int on_failure = transaction.branches[static_cast<std::size_t>(picked)].on_failure;
  kamc_rt_route_fn failure_route = transaction.runtime.tm_route(KAMC_RT_ROUTE_FAILURE, on_failure);
  if (failure_route && !transaction.replicated) {
    transaction.six_xx_seen = false;  // new branches may be tried after a 6xx
    run_failure_route_locked(transaction, picked, failure_route, io);
    if (transaction.uas_status >= 200) return;  // failure_route replied itself
    if (transaction.branches.size() > branch_count) {
      int again = pick_branch_locked(transaction);
      if (again == kBranchesPending) return;
      picked = again;
    }
  }
  relay_final_locked(transaction, picked, io);
}

// The client transaction's side of a reply: retransmissions stop, the fr timer moves,
// ACK for a negative INVITE reply, a postponed CANCEL goes out.
void advance_branch_locked(Transaction& transaction, Branch& branch, const MessageContext& reply, int code, Io io) {
  const TmParams& params = params_of(transaction);
  if (code >= 200) {
    branch.retransmitting = false;
    branch.fr_armed = false;
    if (transaction.is_invite && code >= 300) send_ack_locked(branch, reply, io);
    branch.state = transaction.is_invite && code < 300 ? ClientState::Terminated : ClientState::Completed;
    return;
  }
  if (transaction.is_invite) {
    branch.retransmitting = false;  // timer A stops in Proceeding
  } else {
    branch.retransmit_interval = ms(params.retr_timer2_ms);  // timer E at T2 in Proceeding
  }
  branch.state = ClientState::Proceeding;
  if (transaction.is_invite && branch.last_received < 200) {
    bool first = branch.last_received == 0;
    if (params.restart_fr_on_each_reply || first || (code > branch.last_received && code >= 180)) {
      restart_fr_inv_locked(transaction, branch, io);
    }
  }
}

void process_reply_locked(Transaction& transaction, Branch& branch, MessageContext& reply, Io io) {
  int code = reply.message.status_code();
  bool was_unanswered = branch.last_received < 100;
  advance_branch_locked(transaction, branch, reply, code, io);
  branch.replied = true;
  if (code < 200 && branch.last_received < 200) {
    // The first provisional reply of a branch that was asked to be cancelled.
    if (branch.cancel_requested && was_unanswered) {
      branch.last_received = code;
      cancel_branch_locked(transaction, branch, io, branch.cancel_reason_header);
    } else if (branch.cancel_requested && !branch.cancel_request.empty()) {
      io.transport.send(branch.target, branch.cancel_request);
    }
  }
  if (kamc_rt_route_fn route = transaction.runtime.tm_route(KAMC_RT_ROUTE_ONREPLY, branch.on_reply)) {
    reply.route_type = KAMC_RT_TM_ONREPLY_ROUTE;
    tm_state(reply).transaction = transaction.shared_from_this();
    tm_state(reply).branch_index = branch.index;
    reply.avps = transaction.avps;
    reply.xavps = transaction.xavps;
    route(to_abi(&reply));
    transaction.avps = std::move(reply.avps);
    transaction.xavps = std::move(reply.xavps);
    if (reply.dropped && code < 200) return;  // as in Kamailio, only provisional replies can be dropped
  }
  bool invite_2xx = transaction.is_invite && code >= 200 && code < 300;
  if (transaction.uas_status >= 200) {
    // Only 2xx for an INVITE pass after the final reply: retransmissions, other branches.
    if (invite_2xx) {
      branch.last_received = code;
      relay_reply_locked(transaction, relayable_reply(reply), code, io);
    }
    return;
  }
  bool branch_final = branch.last_received >= 200;
  if (branch_final && !(invite_2xx && branch.last_received < 300)) return;  // a late or repeated final reply
  branch.last_received = code;
  if (code >= 300) {
    if (!transaction.replicated) branch.final_reply = relayable_reply(reply);
    branch.final_reply_faked = false;
    select_and_finish_locked(transaction, code, io);
    return;
  }
  if (transaction.replicated) {
    if (code >= 200) put_on_wait_locked(transaction, io);
    return;
  }
  if (code == 100) return;  // hop by hop: the caller had our own 100 (Kamailio's relay_100=0)
  relay_reply_locked(transaction, relayable_reply(reply), code, io);
  if (code >= 200) cancel_pending_branches_locked(transaction, io, kCompletedElsewhere);
}

// A reply to a CANCEL we sent down a branch: it only stops the CANCEL's retransmissions.
void process_cancel_reply_locked(Branch& branch) { branch.cancel_retransmitting = false; }

}  // namespace

bool reply_received(MessageContext& reply) {
  const sip::HeaderField* via = reply.message.first_header(sip::HeaderKind::Via);
  std::vector<sip::Via> vias;
  if (!via || !sip::parse_via_header(via->value, vias).ok() || vias.empty() || !vias.front().branch) return false;
  std::optional<BranchId> id = parse_branch_id(*vias.front().branch);
  if (!id) return false;
  std::shared_ptr<Transaction> transaction = layer_of(reply.runtime).table.find_by_branch(*id);
  if (!transaction) return false;  // gone after its wait timer: relayed statelessly
  auto io = io_of(reply);
  sip::CSeq cseq;
  if (!io || !reply.message.cseq(cseq).ok()) return true;
  std::lock_guard lock(transaction->mutex);
  if (static_cast<std::size_t>(id->branch) >= transaction->branches.size()) return true;
  Branch& branch = transaction->branches[static_cast<std::size_t>(id->branch)];
  if (cseq.method == "CANCEL" && transaction->is_invite) {
    process_cancel_reply_locked(branch);
    return true;
  }
  if (cseq.method != transaction->key.method) return true;
  process_reply_locked(*transaction, branch, reply, *io);
  return true;
}

void request_route_done(MessageContext& context) {
  std::shared_ptr<Transaction> transaction = transaction_of(context);
  if (!transaction) return;
  std::lock_guard lock(transaction->mutex);
  // A transaction the script made but neither relayed nor answered finally (Kamailio
  // warns "script writer didn't release transaction") is released.
  if (!transaction->branches.empty() || transaction->uas_status >= 200 || transaction->waiting) return;
  if (auto io = io_of(context)) put_on_wait_locked(*transaction, *io);
}

bool send_local_reply_locked(Transaction& transaction, MessageContext& request, Io io, int code,
                             std::string_view reason) {
  if (transaction.uas_status >= 200) {
    log_format(L_DBG, "tm: not sending %d, a final reply was already sent", code);
    return false;
  }
  std::string bytes = build_reply(request, code, reason);
  bool sent = io.transport.send(transaction.reply_target, bytes);
  record_reply_sent_locked(transaction, code, std::move(bytes), true, io);
  // A final reply from here ends the branches: those that answered get a CANCEL.
  if (code >= 200) cancel_pending_branches_locked(transaction, io, {});
  return sent;
}

void fake_reply_locked(Transaction& transaction, int branch_index, int code, Io io) {
  Branch& branch = transaction.branches[static_cast<std::size_t>(branch_index)];
  branch.retransmitting = false;
  branch.fr_armed = false;
  if (code == 408) branch.timed_out = true;
  // A ringing branch that timed out is cancelled, so that the callee stops ringing.
  if (transaction.is_invite && branch.last_received >= 100 && branch.last_received < 200) {
    cancel_branch_locked(transaction, branch, io, {});
  }
  if (branch.last_received >= 200 || transaction.uas_status >= 200) return;
  branch.last_received = code;
  branch.final_reply.clear();
  branch.final_reply_faked = true;
  branch.state = ClientState::Terminated;
  select_and_finish_locked(transaction, code, io);
}

void ack_received_locked(Transaction& transaction, Io io) {
  transaction.reply_retransmitting = false;  // timer G stops
  if (transaction.server_state == ServerState::Completed) {
    transaction.server_state = ServerState::Confirmed;  // timer I: the wait timer absorbs ACK retransmissions
    put_on_wait_locked(transaction, io);
  }
}

void resend_last_reply_locked(Transaction& transaction, Io io) {
  if (!transaction.last_reply.empty()) io.transport.send(transaction.reply_target, transaction.last_reply);
}

}  // namespace kamc::runtime::tm
