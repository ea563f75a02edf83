// tm, the request side: t_newtran (find or make the transaction of a request), t_relay
// (one branch per destination, branch_route before each is sent), and CANCEL: matched
// to its INVITE, answered 200 and sent down every branch (RFC 3261 9.2 and 16.10).
#include <array>

#include "../core/sip_edit.h"
#include "kamc/runtime/log.h"
#include "kamc/sip/via.h"
#include "tm_internal.h"

namespace kamc::runtime::tm {

namespace {

constexpr std::size_t kMaxBranches = 12;  // Kamailio's max_branches default
constexpr std::string_view kCancelDone = "canceling";

// Where one branch goes: its Request-URI and $du.
struct BranchPlan {
  std::string uri;
  std::optional<std::string> destination;
  std::string path;  // sent as the branch's Route set
};

std::optional<NextHop> next_hop_for(std::string_view uri, const std::optional<std::string>& destination,
                                    const RelayTarget& target) {
  std::optional<NextHop> hop = target.hop;
  if (!hop) hop = next_hop_from_uri(destination ? std::string_view(*destination) : uri);
  if (hop && target.protocol) hop->protocol = *target.protocol;
  return hop;
}

std::optional<sip::Via> top_via(const MessageContext& context) {
  const sip::HeaderField* field = context.message.first_header(sip::HeaderKind::Via);
  std::vector<sip::Via> vias;
  if (!field || !sip::parse_via_header(field->value, vias).ok() || vias.empty()) return std::nullopt;
  return vias.front();
}

RequestKey rebased_key(const Transaction& transaction, const RequestKey& key, std::string_view original) {
  RequestKey copy = key;
  for (std::string_view* part : {&copy.method, &copy.call_id, &copy.branch, &copy.sent_by_host, &copy.from_tag,
                                 &copy.to_tag, &copy.request_uri, &copy.top_via}) {
    *part = transaction.rebase(*part, original);
  }
  return copy;
}

std::shared_ptr<Transaction> make_transaction(MessageContext& context, const RequestKey& key, TransactionLayer& layer) {
  // Not make_shared: the timers' weak references must not keep the memory alive.
  std::shared_ptr<Transaction> transaction(
      new Transaction(context.runtime, layer.table.bucket_of(key), layer.table.next_id()));
  std::string_view original = context.buffer.substr(0, context.message.message_size());
  transaction->request.assign(original);
  transaction->received = context.received;
  transaction->key = rebased_key(*transaction, key, original);
  transaction->is_invite = key.method == "INVITE";
  transaction->is_cancel = key.method == "CANCEL";
  transaction->server_state = transaction->is_invite ? ServerState::Proceeding : ServerState::Trying;
  const TmMessageState& chosen = tm_state(context);
  transaction->on_failure = chosen.on_failure;
  transaction->on_reply = chosen.on_reply;
  transaction->on_branch = chosen.on_branch;
  transaction->fr_timeout_ms = chosen.fr_timeout_ms > 0 ? chosen.fr_timeout_ms : layer.params.fr_timer_ms;
  transaction->fr_inv_timeout_ms = chosen.fr_inv_timeout_ms > 0 ? chosen.fr_inv_timeout_ms : layer.params.fr_inv_timer_ms;
  if (auto via = top_via(context)) transaction->reply_target = reply_target(context, *via);
  return transaction;
}

// An ACK for a negative final reply (same branch as the INVITE), or for a 2xx this
// proxy generated itself, ends at this proxy; any other ACK goes end to end.
NewTransaction handle_ack(MessageContext& context, const RequestKey& key, Io io) {
  TransactionTable& table = layer_of(context.runtime).table;
  std::shared_ptr<Transaction> invite = table.find(key, MatchAs::SameMethod);
  if (!invite) invite = table.find_2xx_invite(key, true);
  if (!invite) return NewTransaction::AckWithoutTransaction;
  std::lock_guard lock(invite->mutex);
  bool for_us = invite->uas_status >= 300 || (invite->final_reply_local && invite->uas_status >= 200);
  if (!for_us) return NewTransaction::AckWithoutTransaction;
  ack_received_locked(*invite, io);
  return NewTransaction::AckAbsorbed;
}

void save_request_route_work_locked(Transaction& transaction, const MessageContext& context) {
  transaction.edits = context.edits;
  transaction.new_request_uri = context.new_request_uri;
  transaction.destination_uri = context.destination_uri;
  transaction.avps = context.avps;
  transaction.xavps = context.xavps;
  transaction.reply_headers = context.reply_headers;
}

// A context of its own for one branch, so that branch_route's changes ($ru, $du, header
// edits, drop) apply to that branch only.
std::unique_ptr<MessageContext> branch_context(const MessageContext& parent, const BranchPlan& plan, int index) {
  auto context = std::make_unique<MessageContext>(parent.runtime, parent.buffer, parent.received, parent.transport);
  context->parse(sip::FramingMode::Datagram);
  context->edits = parent.edits;
  if (plan.uri != context->message.request_uri_text()) context->new_request_uri = plan.uri;
  context->destination_uri = plan.destination;
  context->path_vector = plan.path;
  context->avps = parent.avps;
  context->xavps = parent.xavps;
  tm_state(*context).transaction = tm_state(parent).transaction;
  tm_state(*context).branch_index = index;
  context->route_type = KAMC_RT_BRANCH_ROUTE;
  return context;
}

void run_route_guarded(kamc_rt_route_fn route, MessageContext& context) {
  try {
    route(to_abi(&context));
  } catch (const std::exception& error) {
    log_format(L_ERR, "route failed with an exception: %s", error.what());
  }
}

// Builds, sends and records one branch. false (and the reply code an error deserves)
// when it was dropped in branch_route or could not be sent.
bool send_new_branch_locked(MessageContext& context, Transaction& transaction, Io io, const RelayTarget& target,
                            const BranchPlan& plan, int& error_code) {
  if (transaction.branches.size() >= kMaxBranches) {
    log_format(L_ERR, "t_relay: more than %zu branches", kMaxBranches);
    error_code = 500;
    return false;
  }
  int index = static_cast<int>(transaction.branches.size());
  std::unique_ptr<MessageContext> own_context;
  MessageContext* source = &context;
  std::string uri = plan.uri;
  std::optional<std::string> destination = plan.destination;
  std::string path = plan.path;
  if (kamc_rt_route_fn route = transaction.runtime.tm_route(KAMC_RT_ROUTE_BRANCH, transaction.on_branch)) {
    own_context = branch_context(context, plan, index);
    run_route_guarded(route, *own_context);
    if (own_context->dropped) {
      log_format(L_DBG, "branch %d dropped in branch_route", index);
      error_code = 500;
      return false;
    }
    source = own_context.get();
    uri = std::string(source->request_uri());
    destination = source->destination_uri;
    path = source->path_vector;
  }
  auto hop = next_hop_for(uri, destination, target);
  std::optional<SendTarget> send_target = hop ? target_for(*source, *hop) : std::nullopt;
  auto via = top_via(*source);
  if (!send_target || !via) {
    error_code = 478;  // Kamailio's E_BAD_ADDRESS: "Unresolvable destination"
    return false;
  }
  Branch& branch = transaction.branches.emplace_back();
  branch.index = index;
  branch.uri = uri;
  branch.destination = destination;
  branch.via_branch = make_branch_id(transaction.bucket, transaction.id, index);
  branch.request = build_forwarded_request(*source, *send_target, *via, branch.via_branch, uri, path);
  branch.target = *send_target;
  branch.state = transaction.is_invite ? ClientState::Calling : ClientState::Trying;
  branch.on_reply = transaction.on_reply;
  branch.on_failure = transaction.on_failure;
  if (!io.transport.send(branch.target, branch.request)) {
    // A branch that could not be sent is final at once, as a faked 477 would make it.
    branch.state = ClientState::Terminated;
    branch.last_received = 477;
    branch.final_reply_faked = true;
    error_code = 477;  // "Unfortunately error on sending to next hop occurred"
    return false;
  }
  start_branch_timers_locked(transaction, branch, io);
  return true;
}

// One branch per destination: the R-URI (or $du / the explicit target), then the
// destination set. Returns how many were sent.
int forward_branches_locked(MessageContext& context, Transaction& transaction, Io io, const RelayTarget& target,
                            int& error_code) {
  if (context.route_type == KAMC_RT_REQUEST_ROUTE) save_request_route_work_locked(transaction, context);
  std::vector<BranchPlan> plans;
  plans.push_back({std::string(context.request_uri()), context.destination_uri, context.path_vector});
  for (auto& extra : context.destination_set) plans.push_back({extra.uri, extra.destination, extra.path});
  context.destination_set.clear();
  int sent = 0;
  for (const auto& plan : plans) {
    if (send_new_branch_locked(context, transaction, io, target, plan, error_code)) ++sent;
  }
  return sent;
}

std::string_view reason_for(int code) {
  switch (code) {
    case 477: return "Unfortunately error on sending to next hop occurred";
    case 478: return "Unresolvable destination";
    default: return "Server Internal Error";
  }
}

// Copies the line "Name: value\r\n" of the first header of that kind, if any.
void copy_header_line(const sip::SipMessage& message, sip::HeaderKind kind, std::string& out) {
  if (const sip::HeaderField* field = message.first_header(kind)) {
    out += sip::canonical_header_name(kind);
    out += ": ";
    out += field->value;
    out += "\r\n";
  }
}

// The CANCEL of a branch (RFC 3261 9.1): the branch's Request-URI, our Via with the
// same branch, its From/To/Call-ID, its CSeq number, and its Route set.
std::string build_cancel(const Branch& branch, std::string_view reason_header) {
  sip::SipMessage sent;
  sent.parse(branch.request);
  std::string cancel = "CANCEL " + std::string(sent.request_uri_text()) + " SIP/2.0\r\n";
  copy_header_line(sent, sip::HeaderKind::Via, cancel);
  copy_header_line(sent, sip::HeaderKind::From, cancel);
  copy_header_line(sent, sip::HeaderKind::To, cancel);
  copy_header_line(sent, sip::HeaderKind::CallId, cancel);
  sip::CSeq cseq;
  sent.cseq(cseq);
  cancel += "CSeq: " + std::to_string(cseq.number) + " CANCEL\r\n";
  for (const auto& field : sent.headers()) {
    if (field.kind == sip::HeaderKind::Route) cancel += "Route: " + std::string(field.value) + "\r\n";
  }
  cancel += "Max-Forwards: 70\r\n";
  cancel += reason_header;
  cancel += "Content-Length: 0\r\n\r\n";
  return cancel;
}

int relay_cancel(MessageContext& context, Io io, const RelayTarget& target) {
  RequestKey key;
  if (!extract_request_key(context.message, key)) return KAMC_RT_FALSE;
  std::shared_ptr<Transaction> invite = layer_of(context.runtime).table.find(key, MatchAs::CanceledInvite);
  NewTransaction outcome = new_transaction(context, io);  // the CANCEL's own transaction
  if (outcome == NewTransaction::Retransmission) return KAMC_RT_TRUE;
  if (outcome != NewTransaction::Created) return KAMC_RT_FALSE;
  std::shared_ptr<Transaction> cancel = tm_state(context).transaction;
  if (!invite) {
    // No INVITE to cancel here: the CANCEL is forwarded statefully like any request
    // (Kamailio's unmatched_cancel=0).
    std::lock_guard lock(cancel->mutex);
    int error_code = 500;
    if (forward_branches_locked(context, *cancel, io, target, error_code) > 0) return KAMC_RT_TRUE;
    send_local_reply_locked(*cancel, context, io, error_code, reason_for(error_code));
    return KAMC_RT_FALSE;
  }
  std::string reason_header;  // RFC 3326 Reason of the CANCEL, passed on to each branch
  if (const sip::HeaderField* reason = context.message.first_header(std::string_view("Reason"))) {
    reason_header = "Reason: " + std::string(reason->value) + "\r\n";
  }
  {
    std::lock_guard lock(invite->mutex);
    invite->canceled = true;
    cancel_pending_branches_locked(*invite, io, reason_header);
    if (invite->branches.empty() && invite->uas_status < 200) {
      auto request = stored_request_context(*invite, &io.transport);
      send_local_reply_locked(*invite, *request, io, 487, "Request Terminated");
    }
  }
  std::lock_guard lock(cancel->mutex);
  send_local_reply_locked(*cancel, context, io, 200, kCancelDone);
  return KAMC_RT_TRUE;
}

}  // namespace

std::optional<Io> io_of(MessageContext& context) {
  TimerQueue* timers = context.transport ? context.transport->timer_queue() : nullptr;
  if (!timers) {
    log_message(L_ERR, "tm: this message has no worker behind it (no timers), no transaction possible");
    return std::nullopt;
  }
  return Io{*context.transport, *timers};
}

NewTransaction new_transaction(MessageContext& context, Io io) {
  if (tm_state(context).transaction) return NewTransaction::Created;
  if (!context.message.is_request()) return NewTransaction::Error;
  RequestKey key;
  if (!extract_request_key(context.message, key)) {
    log_message(L_ERR, "tm: the request lacks the headers a transaction needs (Via, From, Call-ID, CSeq)");
    return NewTransaction::Error;
  }
  if (key.method == "ACK") return handle_ack(context, key, io);
  TransactionLayer& layer = layer_of(context.runtime);
  std::shared_ptr<Transaction> existing = layer.table.find(key, MatchAs::SameMethod);
  if (!existing) {
    std::shared_ptr<Transaction> fresh = make_transaction(context, key, layer);
    existing = layer.table.insert_or_find(fresh, layer.params.max_transactions);
    if (!existing) {
      log_format(L_ERR, "tm: %zu transactions alive, no room for another", layer.table.size());
      return NewTransaction::Error;
    }
    if (existing == fresh) {
      tm_state(context).transaction = std::move(fresh);
      return NewTransaction::Created;
    }
  }
  std::lock_guard lock(existing->mutex);
  resend_last_reply_locked(*existing, io);
  return NewTransaction::Retransmission;
}

int relay(MessageContext& context, const RelayTarget& target, bool replicate) {
  auto io = io_of(context);
  if (!io || !context.message.is_request()) return KAMC_RT_FALSE;
  bool request_route = context.route_type == KAMC_RT_REQUEST_ROUTE;
  if (request_route && context.message.method() == "CANCEL" && !replicate) return relay_cancel(context, *io, target);
  if (request_route && !tm_state(context).transaction) {
    switch (new_transaction(context, *io)) {
      case NewTransaction::Created: break;
      case NewTransaction::Retransmission:
      case NewTransaction::AckAbsorbed: return KAMC_RT_TRUE;
      case NewTransaction::AckWithoutTransaction:
        return forward_request(context, next_hop_for(context.request_uri(), context.destination_uri, target));
      case NewTransaction::Error: return KAMC_RT_FALSE;
    }
  }
  std::shared_ptr<Transaction> transaction = tm_state(context).transaction;
  if (!transaction) return KAMC_RT_FALSE;
  std::lock_guard lock(transaction->mutex);
  if (replicate) transaction->replicated = true;
  if (transaction->canceled) {
    log_message(L_DBG, "t_relay: the transaction is canceled");
    return KAMC_RT_FALSE;
  }
  const TmParams& params = params_of(*transaction);
  if (request_route && transaction->is_invite && !transaction->replicated && params.auto_inv_100 &&
      transaction->uas_status < 100) {
    send_local_reply_locked(*transaction, context, *io, 100, params.auto_inv_100_reason);
  }
  int error_code = 500;
  if (forward_branches_locked(context, *transaction, *io, target, error_code) > 0) return KAMC_RT_TRUE;
  if (request_route && !transaction->replicated && transaction->uas_status < 200) {
    send_local_reply_locked(*transaction, context, *io, error_code, reason_for(error_code));
  }
  return KAMC_RT_FALSE;
}

void cancel_branch_locked(Transaction& transaction, Branch& branch, Io io, std::string_view reason_header) {
  if (!transaction.is_invite || branch.last_received >= 200) return;
  branch.cancel_requested = true;
  branch.cancel_reason_header = reason_header;
  // No reply yet: the INVITE keeps being retransmitted and the CANCEL goes out with the
  // first provisional reply (Kamailio's cancel_b_method 1), since a CANCEL must not
  // overtake the INVITE it cancels (RFC 3261 9.1).
  if (branch.last_received < 100 || !branch.cancel_request.empty()) return;
  branch.retransmitting = false;
  branch.cancel_request = build_cancel(branch, reason_header);
  io.transport.send(branch.target, branch.cancel_request);
  if (branch.target.protocol != Protocol::Udp) return;
  const TmParams& params = params_of(transaction);
  auto now = Clock::now();
  branch.cancel_retransmitting = true;
  branch.cancel_interval = ms(params.retr_timer1_ms);
  branch.cancel_due = now + branch.cancel_interval;
  branch.cancel_give_up = now + ms(params.fr_timer_ms);
  schedule_timer(transaction, io, branch.cancel_due, TimerKind::CancelRetransmit, branch.index);
}

void cancel_pending_branches_locked(Transaction& transaction, Io io, std::string_view reason_header) {
  for (Branch& branch : transaction.branches) {
    if (branch.last_received < 200 && !branch.cancel_requested) cancel_branch_locked(transaction, branch, io, reason_header);
  }
}

std::unique_ptr<MessageContext> stored_request_context(Transaction& transaction, Transport* transport) {
  auto context = std::make_unique<MessageContext>(transaction.runtime, transaction.request, transaction.received,
                                                  transport);
  context->parse(sip::FramingMode::Datagram);
  context->edits = transaction.edits;
  context->new_request_uri = transaction.new_request_uri;
  context->destination_uri = transaction.destination_uri;
  context->avps = transaction.avps;
  context->xavps = transaction.xavps;
  context->reply_headers = transaction.reply_headers;
  tm_state(*context).transaction = transaction.shared_from_this();
  return context;
}

}  // namespace kamc::runtime::tm
