// tm and tmx: the script functions of the stateful proxy and the $T_* pseudo-variables.
// The transaction machinery behind them is in tm_relay.cpp, tm_reply.cpp and tm_timers.cpp.
#include <regex.h>

#include <array>

#include "../core/compiled_regex.h"
#include "../core/module.h"
#include "kamc/runtime/log.h"
#include "kamc/sip/via.h"
#include "tm_internal.h"
#include "tm_pretran.h"
#include "kamc/semantics/RegexLimits.h"

namespace kamc::runtime {

namespace {

using tm::Io;
using tm::NewTransaction;
using tm::RelayTarget;
using tm::Transaction;

int bool_code(bool value) { return value ? KAMC_RT_TRUE : KAMC_RT_FALSE; }

// ---- relaying ------------------------------------------------------------------------

// t_relay(host, port) and t_relay_to_*(host, port): that hop instead of $du / R-URI.
std::optional<RelayTarget> relay_target(MessageContext& context, const FunctionCall& call,
                                        std::optional<Protocol> protocol) {
  RelayTarget target;
  target.protocol = protocol;
  if (call.args.size() < 2) return target;
  auto port = arg_int(context, call, 1);
  if (!port || *port < 1 || *port > 65535) {
    log_format(L_ERR, "%.*s(): bad port", static_cast<int>(call.entry->name.size()), call.entry->name.data());
    return std::nullopt;
  }
  target.hop = NextHop{arg_text(context, call, 0), static_cast<std::uint16_t>(*port), protocol.value_or(Protocol::Udp)};
  return target;
}

// t_relay() and t_relay_to_*() take no argument or host and port, never one.
bool fixup_none_or_host_and_port(FunctionCall& call, std::string& error) {
  if (call.args.size() != 1) return true;
  error = std::string(call.entry->name) + "() takes no argument or a host and a port";
  return false;
}

int relay_with(MessageContext& context, const FunctionCall& call, std::optional<Protocol> protocol) {
  auto target = relay_target(context, call, protocol);
  return target ? tm::relay(context, *target, false) : KAMC_RT_FALSE;
}

int t_relay_body(MessageContext& context, const FunctionCall& call) { return relay_with(context, call, std::nullopt); }
int t_relay_to_udp_body(MessageContext& context, const FunctionCall& call) {
  return relay_with(context, call, Protocol::Udp);
}
int t_relay_to_tcp_body(MessageContext& context, const FunctionCall& call) {
  return relay_with(context, call, Protocol::Tcp);
}

// t_replicate([uri]) / t_replicate(host, port): a stateful copy whose replies stop here;
// without arguments to $du or the R-URI.
int t_replicate_body(MessageContext& context, const FunctionCall& call) {
  RelayTarget target;
  if (call.args.empty()) {
    // the request's own next hop
  } else if (call.args.size() >= 2) {
    auto relayed = relay_target(context, call, std::nullopt);
    if (!relayed) return KAMC_RT_FALSE;
    target = *relayed;
  } else {
    target.hop = next_hop_from_uri(arg_text(context, call, 0));
    if (!target.hop) return KAMC_RT_FALSE;
  }
  return tm::relay(context, target, true);
}

int t_newtran_body(MessageContext& context, const FunctionCall&) {
  auto io = tm::io_of(context);
  if (!io) return KAMC_RT_FALSE;
  switch (tm::new_transaction(context, *io)) {
    case NewTransaction::Created:
    case NewTransaction::AckWithoutTransaction: return KAMC_RT_TRUE;
    case NewTransaction::Retransmission:
    case NewTransaction::AckAbsorbed: return KAMC_RT_EXIT;  // absorbed: the script ends
    case NewTransaction::Error: break;
  }
  return KAMC_RT_FALSE;
}

// t_reply(code, reason): a reply from the transaction (its retransmissions are tm's).
int t_reply_body(MessageContext& context, const FunctionCall& call) {
  auto code = arg_int(context, call, 0);
  if (!code || *code < 100 || *code > 699) return KAMC_RT_FALSE;
  return tm::reply_in_transaction(context, static_cast<int>(*code), arg_text(context, call, 1));
}

bool fixup_reply_code(FunctionCall& call, std::string& error) {
  const FixedArg& code = call.args[0];
  if (code.is_int && (code.number < 100 || code.number > 699)) {
    error = "t_reply(): reply code " + std::to_string(code.number) + " is not in 100..699";
    return false;
  }
  return true;
}

// ---- finding transactions ----------------------------------------------------------

std::shared_ptr<Transaction> transaction_of_reply(MessageContext& reply) {
  const sip::HeaderField* via = reply.message.first_header(sip::HeaderKind::Via);
  std::vector<sip::Via> vias;
  if (!via || !sip::parse_via_header(via->value, vias).ok() || vias.empty() || !vias.front().branch) return nullptr;
  auto id = tm::parse_branch_id(*vias.front().branch);
  return id ? tm::layer_of(reply.runtime).table.find_by_branch(*id) : nullptr;
}

std::shared_ptr<Transaction> lookup(MessageContext& context, tm::MatchAs mode) {
  tm::RequestKey key;
  if (!tm::extract_request_key(context.message, key)) return nullptr;
  return tm::layer_of(context.runtime).table.find(key, mode);
}

// t_check_trans(): 1 for a reply or CANCEL of a known transaction and for an ACK of a
// relayed 2xx; 0 (the script ends) for an absorbed retransmission or ACK; -1 otherwise.
int t_check_trans_body(MessageContext& context, const FunctionCall&) {
  if (context.route_type & (KAMC_RT_FAILURE_ROUTE | KAMC_RT_BRANCH_ROUTE | KAMC_RT_TM_ONREPLY_ROUTE)) {
    return KAMC_RT_TRUE;
  }
  if (!context.message.is_request()) return bool_code(transaction_of_reply(context) != nullptr);
  if (context.message.method() == "CANCEL") return bool_code(lookup(context, tm::MatchAs::CanceledInvite) != nullptr);
  auto io = tm::io_of(context);
  if (!io) return KAMC_RT_FALSE;
  if (context.message.method() == "ACK") {
    tm::RequestKey key;
    if (!tm::extract_request_key(context.message, key)) return KAMC_RT_FALSE;
    if (tm::new_transaction(context, *io) == NewTransaction::AckAbsorbed) return KAMC_RT_EXIT;
    return bool_code(tm::layer_of(context.runtime).table.find_2xx_invite(key, false) != nullptr);
  }
  std::shared_ptr<Transaction> transaction = lookup(context, tm::MatchAs::SameMethod);
  if (!transaction) return KAMC_RT_FALSE;
  std::lock_guard lock(transaction->mutex);
  tm::resend_last_reply_locked(*transaction, *io);
  return KAMC_RT_EXIT;
}

int t_lookup_request_body(MessageContext& context, const FunctionCall&) {
  return bool_code(tm_state(context).transaction || lookup(context, tm::MatchAs::SameMethod));
}

int t_lookup_cancel_body(MessageContext& context, const FunctionCall&) {
  return bool_code(context.message.method() == "CANCEL" && lookup(context, tm::MatchAs::CanceledInvite));
}

int t_release_body(MessageContext& context, const FunctionCall&) {
  std::shared_ptr<Transaction> transaction = tm_state(context).transaction;
  auto io = tm::io_of(context);
  if (!transaction || !io) return KAMC_RT_FALSE;
  std::lock_guard lock(transaction->mutex);
  tm::put_on_wait_locked(*transaction, *io);
  return KAMC_RT_TRUE;
}

// ---- t_on_*: the routes a transaction runs later -----------------------------------

template <int Kind>
bool fixup_route_name(FunctionCall& call, std::string& error) {
  std::string name;
  if (!constant_arg(call, 0, name, error)) return false;
  if (name.empty() || !call.runtime) {
    error = std::string(call.entry->name) + "(): a route name is needed";
    return false;
  }
  call.prepared_number = call.runtime->tm_route_handle(Kind, name);
  return true;
}

// Before the transaction exists the choice is kept with the message; after, it is the
// transaction's (for the branches created from then on).
template <int TmMessageState::*ForMessage, int Transaction::*ForTransaction>
int set_route_body(MessageContext& context, const FunctionCall& call) {
  int handle = static_cast<int>(call.prepared_number);
  if (std::shared_ptr<Transaction> transaction = tm_state(context).transaction) {
    std::lock_guard lock(transaction->mutex);
    (*transaction).*ForTransaction = handle;
  } else {
    tm_state(context).*ForMessage = handle;
  }
  return KAMC_RT_TRUE;
}

// ---- questions about the transaction ----------------------------------------------

template <typename Predicate>
int ask_transaction(MessageContext& context, Predicate predicate) {
  std::shared_ptr<Transaction> transaction = tm_state(context).transaction;
  if (!transaction) return KAMC_RT_FALSE;
  std::lock_guard lock(transaction->mutex);
  return bool_code(predicate(*transaction));
}

const tm::Branch* current_branch(const MessageContext& context, const Transaction& transaction) {
  auto index = static_cast<std::size_t>(tm_state(context).branch_index);
  return tm_state(context).branch_index >= 0 && index < transaction.branches.size() ? &transaction.branches[index] : nullptr;
}

int t_is_canceled_body(MessageContext& context, const FunctionCall&) {
  return ask_transaction(context, [](const Transaction& t) { return t.canceled; });
}
int t_branch_timeout_body(MessageContext& context, const FunctionCall&) {
  return ask_transaction(context, [&](const Transaction& t) {
    const tm::Branch* branch = current_branch(context, t);
    return branch && branch->timed_out;
  });
}
int t_branch_replied_body(MessageContext& context, const FunctionCall&) {
  return ask_transaction(context, [&](const Transaction& t) {
    const tm::Branch* branch = current_branch(context, t);
    return branch && branch->replied;
  });
}
int t_any_timeout_body(MessageContext& context, const FunctionCall&) {
  return ask_transaction(context, [](const Transaction& t) {
    for (const auto& branch : t.branches) if (branch.timed_out) return true;
    return false;
  });
}
int t_any_replied_body(MessageContext& context, const FunctionCall&) {
  return ask_transaction(context, [](const Transaction& t) {
    for (const auto& branch : t.branches) if (branch.replied) return true;
    return false;
  });
}

// The status t_check_status() and $T_reply_code look at: the reply itself in reply
// routes, the winning reply in failure_route, the last reply sent otherwise.
int status_in_context(MessageContext& context) {
  if (!context.message.is_request()) return context.message.status_code();
  std::shared_ptr<Transaction> transaction = tm_state(context).transaction;
  if (!transaction) return 0;
  std::lock_guard lock(transaction->mutex);
  if (context.route_type == KAMC_RT_FAILURE_ROUTE) {
    const tm::Branch* branch = current_branch(context, *transaction);
    return branch ? branch->last_received : 0;
  }
  return transaction->uas_status;
}

// Kamailio's flags for t_check_status (fixup_t_check_status).
bool compile_status_regex(const std::string& pattern, regex_t& compiled) {
  return semantics::compileBoundedRegex(compiled, pattern, REG_EXTENDED | REG_ICASE | REG_NEWLINE).empty();
}

// Kamailio's fixup_t_check_status: a text that starts (after blanks) with a readable
// pseudo-variable takes the regex from that variable per message and ignores whatever
// follows it; any other text is a regex compiled once here. `$` elsewhere is regex syntax.
bool fixup_status_regex(FunctionCall& call, std::string& error) {
  std::string text;
  if (!constant_arg(call, 0, text, error)) return false;
  if (fixup_leading_pv(call, 0)) return true;
  auto regex = std::make_shared<CompiledRegex>();
  if (!compile_status_regex(text, regex->regex)) {
    error = "t_check_status(): bad regular expression '" + text + "'";
    return false;
  }
  regex->compiled = true;
  call.prepared_regex = std::move(regex);
  return true;
}

// t_check_status(re): the regular expression searched in the status code, as Kamailio does.
int t_check_status_body(MessageContext& context, const FunctionCall& call) {
  int status = status_in_context(context);
  if (status == 0) return KAMC_RT_FALSE;
  std::string code = std::to_string(status);
  if (call.prepared_regex) return bool_code(regexec(&call.prepared_regex->regex, code.c_str(), 0, nullptr, 0) == 0);
  regex_t compiled;
  if (!compile_status_regex(arg_text(context, call, 0), compiled)) return KAMC_RT_FALSE;
  bool matched = regexec(&compiled, code.c_str(), 0, nullptr, 0) == 0;
  regfree(&compiled);
  return bool_code(matched);
}

// t_is_set("branch_route" | "failure_route" | "onreply_route"): whether that route is
// armed for the transaction (or, before it exists, for the message).
bool fixup_route_kind(FunctionCall& call, std::string& error) {
  std::string target;
  if (!constant_arg(call, 0, target, error)) return false;
  if (target == "branch_route") call.prepared_number = KAMC_RT_ROUTE_BRANCH;
  else if (target == "failure_route") call.prepared_number = KAMC_RT_ROUTE_FAILURE;
  else if (target == "onreply_route") call.prepared_number = KAMC_RT_ROUTE_ONREPLY;
  else {
    error = "t_is_set(): unknown target '" + target + "' (branch_route, failure_route or onreply_route)";
    return false;
  }
  return true;
}

int t_is_set_body(MessageContext& context, const FunctionCall& call) {
  auto armed = [&call](int on_branch, int on_failure, int on_reply) {
    switch (call.prepared_number) {
      case KAMC_RT_ROUTE_BRANCH: return on_branch >= 0;
      case KAMC_RT_ROUTE_FAILURE: return on_failure >= 0;
      default: return on_reply >= 0;
    }
  };
  if (std::shared_ptr<Transaction> transaction = tm_state(context).transaction) {
    std::lock_guard lock(transaction->mutex);
    return bool_code(armed(transaction->on_branch, transaction->on_failure, transaction->on_reply));
  }
  return bool_code(armed(tm_state(context).on_branch, tm_state(context).on_failure, tm_state(context).on_reply));
}

// tmx t_is_request_route() and friends: the route type the message runs in.
template <int RouteType>
int route_type_is_body(MessageContext& context, const FunctionCall&) {
  return bool_code((context.route_type & RouteType) != 0);
}

// ---- timers -------------------------------------------------------------------------

void set_fr_values(MessageContext& context, int fr_inv_ms, int fr_ms) {
  if (std::shared_ptr<Transaction> transaction = tm_state(context).transaction) {
    const tm::TmParams& params = tm::params_of(*transaction);
    std::lock_guard lock(transaction->mutex);
    transaction->fr_inv_timeout_ms = fr_inv_ms > 0 ? fr_inv_ms : params.fr_inv_timer_ms;
    transaction->fr_timeout_ms = fr_ms > 0 ? fr_ms : params.fr_timer_ms;
    return;
  }
  tm_state(context).fr_inv_timeout_ms = fr_inv_ms;
  tm_state(context).fr_timeout_ms = fr_ms;
}

// t_set_fr(fr_inv_ms[, fr_ms]): for the transaction's timers started from now on; 0 is the default.
int t_set_fr_body(MessageContext& context, const FunctionCall& call) {
  auto fr_inv = arg_int(context, call, 0);
  auto fr = call.args.size() > 1 ? arg_int(context, call, 1) : std::optional<long long>(0);
  if (!fr_inv || !fr || *fr_inv < 0 || *fr < 0 || *fr_inv > INT32_MAX || *fr > INT32_MAX) return KAMC_RT_FALSE;
  set_fr_values(context, static_cast<int>(*fr_inv), static_cast<int>(*fr));
  return KAMC_RT_TRUE;
}

int t_reset_fr_body(MessageContext& context, const FunctionCall&) {
  set_fr_values(context, 0, 0);
  return KAMC_RT_TRUE;
}

// ---- corex append_branch(): the destination set t_relay() forks to -----------------

int append_branch_body(MessageContext& context, const FunctionCall& call) {
  if (!context.message.is_request()) return KAMC_RT_FALSE;
  DestinationBranch branch;
  if (call.args.empty()) {
    branch.uri = std::string(context.request_uri());
    branch.destination = context.destination_uri;
  } else {
    branch.uri = arg_text(context, call, 0);
    sip::Uri parsed;
    if (!sip::parse_uri(branch.uri, parsed).ok()) {
      log_format(L_ERR, "append_branch(): '%s' is not a URI", branch.uri.c_str());
      return KAMC_RT_FALSE;
    }
  }
  context.destination_set.push_back(std::move(branch));
  return KAMC_RT_TRUE;
}


constexpr std::array<FunctionExport, 22> kTmFunctions{{
    {"t_relay", t_relay_body, fixup_none_or_host_and_port},
    {"t_relay_to_udp", t_relay_to_udp_body, fixup_none_or_host_and_port},
    {"t_relay_to_tcp", t_relay_to_tcp_body, fixup_none_or_host_and_port},
    {"t_replicate", t_replicate_body},
    {"t_newtran", t_newtran_body},
    {"t_reply", t_reply_body, fixup_reply_code},
    {"t_check_trans", t_check_trans_body},
    {"t_lookup_request", t_lookup_request_body},
    {"t_lookup_cancel", t_lookup_cancel_body},
    {"t_release", t_release_body},
    {"t_on_failure", set_route_body<&TmMessageState::on_failure, &Transaction::on_failure>,
     fixup_route_name<KAMC_RT_ROUTE_FAILURE>},
    {"t_on_reply", set_route_body<&TmMessageState::on_reply, &Transaction::on_reply>,
     fixup_route_name<KAMC_RT_ROUTE_ONREPLY>},
    {"t_on_branch", set_route_body<&TmMessageState::on_branch, &Transaction::on_branch>,
     fixup_route_name<KAMC_RT_ROUTE_BRANCH>},
    {"t_is_canceled", t_is_canceled_body},
    {"t_branch_timeout", t_branch_timeout_body},
    {"t_branch_replied", t_branch_replied_body},
    {"t_any_timeout", t_any_timeout_body},
    {"t_any_replied", t_any_replied_body},
    {"t_check_status", t_check_status_body, fixup_status_regex},
    {"t_set_fr", t_set_fr_body},
    {"t_reset_fr", t_reset_fr_body},
    {"t_is_set", t_is_set_body, fixup_route_kind},
}};

// Kamailio's defaults (tm's config.c), in milliseconds.
constexpr std::array<ParamExport, 11> kTmParams{{
    {"fr_timer", 30000},
    {"fr_inv_timer", 120000},
    {"wt_timer", 5000},
    {"retr_timer1", 500},
    {"retr_timer2", 4000},
    {"max_inv_lifetime", 180000},
    {"max_noninv_lifetime", 32000},
    {"unix_tx_timeout", 500},
    {"restart_fr_on_each_reply", 1},
    {"auto_inv_100", 1},
    {"auto_inv_100_reason", 0, "trying -- your call is important to us"},
}};

constexpr std::array<FunctionExport, 5> kTmxFunctions{{
    {"t_precheck_trans", tm::t_precheck_trans_body},
    {"t_is_request_route", route_type_is_body<KAMC_RT_REQUEST_ROUTE>},
    {"t_is_failure_route", route_type_is_body<KAMC_RT_FAILURE_ROUTE>},
    {"t_is_branch_route", route_type_is_body<KAMC_RT_BRANCH_ROUTE>},
    {"t_is_reply_route", route_type_is_body<KAMC_RT_TM_ONREPLY_ROUTE>},
}};

// Kamailio's default: the pre-transaction table is made.
constexpr std::array<ParamExport, 1> kTmxParams{{
    {"precheck_trans", 1},
}};

// corex's append_branch() fills the destination set that only tm reads here.
constexpr std::array<FunctionExport, 1> kCorexFunctions{{
    {"append_branch", append_branch_body},
}};

// mod_init: the transaction table, with the parameters as the config set them.
bool init_tm(ModuleInstance& module, std::string& error) {
  auto layer = std::make_shared<tm::TransactionLayer>();
  if (!tm::tm_params_from(module, layer->params, error)) return false;
  module.state = std::move(layer);
  return true;
}

}  // namespace

extern const ModuleExports kTmModule;

namespace tm {
TransactionLayer& layer_of(const Runtime& runtime) {
  static const std::size_t index = module_index(kTmModule);
  return runtime.module(index).state_as<TransactionLayer>();
}
}  // namespace tm

TmMessageState& tm_state(MessageContext& context) {
  static const std::size_t index = module_index(kTmModule);
  return context.module_state<TmMessageState>(index);
}

const TmMessageState& tm_state(const MessageContext& context) {
  static const std::size_t index = module_index(kTmModule);
  static const TmMessageState kNone;
  const TmMessageState* state = context.existing_module_state<TmMessageState>(index);
  return state ? *state : kNone;
}

std::shared_ptr<tm::Transaction> transaction_of(const MessageContext& context) {
  static const std::size_t index = module_index(kTmModule);
  const TmMessageState* state = context.existing_module_state<TmMessageState>(index);
  return state ? state->transaction : nullptr;
}

std::size_t transaction_count(const Runtime& runtime) { return tm::layer_of(runtime).table.size(); }

// ---- tmx pseudo-variables ------------------------------------------------------------

namespace tm {

namespace {

PvValue integer(MessageContext& context, long long number) {
  return PvValue::integer(number, context.keep(std::to_string(number)));
}

// Copies a value read from a temporary context into the message's own storage.
PvValue kept(MessageContext& context, const PvValue& value) {
  PvValue copy = value;
  if (value.flags & PvValue::kString) copy.text = context.keep(std::string(value.text));
  return copy;
}

}  // namespace

PvValue branch_index_pv(MessageContext& context, const PvSpec&) {
  if (!context.message.is_request()) {
    if (tm_state(context).branch_index >= 0) return integer(context, tm_state(context).branch_index);
    const sip::HeaderField* via = context.message.first_header(sip::HeaderKind::Via);
    std::vector<sip::Via> vias;
    if (via && sip::parse_via_header(via->value, vias).ok() && !vias.empty() && vias.front().branch) {
      if (auto id = parse_branch_id(*vias.front().branch)) return integer(context, id->branch);
    }
    return PvValue::null();
  }
  auto pending = static_cast<long long>(context.destination_set.size());
  switch (context.route_type) {
    case KAMC_RT_BRANCH_ROUTE: return integer(context, tm_state(context).branch_index);
    case KAMC_RT_FAILURE_ROUTE: {
      std::shared_ptr<Transaction> transaction = tm_state(context).transaction;
      if (!transaction) return PvValue::null();
      std::lock_guard lock(transaction->mutex);
      return integer(context, static_cast<long long>(transaction->branches.size()) + pending);
    }
    default: return integer(context, pending);
  }
}

PvValue reply_code_pv(MessageContext& context, const PvSpec&) { return integer(context, status_in_context(context)); }

// ---- replies from the script (t_reply, and sl's send_reply when there is a transaction) --

int reply_in_transaction(MessageContext& context, int code, std::string_view reason) {
  std::shared_ptr<Transaction> transaction = tm_state(context).transaction;
  auto io = io_of(context);
  if (!transaction || !io) {
    log_message(L_ERR, "t_reply(): no transaction for this message (t_newtran() first)");
    return KAMC_RT_FALSE;
  }
  std::lock_guard lock(transaction->mutex);
  std::unique_ptr<MessageContext> stored;
  MessageContext* request = &context;
  if (!context.message.is_request()) {  // onreply_route: the reply is built from the request
    stored = stored_request_context(*transaction, context.transport);
    request = stored.get();
  }
  return send_local_reply_locked(*transaction, *request, *io, code, reason) ? KAMC_RT_TRUE : KAMC_RT_FALSE;
}

PvValue transaction_message_pv(MessageContext& context, const PvSpec& inner, bool from_reply) {
  if (from_reply && !context.message.is_request()) return get_pv(context, inner);  // onreply_route: this reply
  std::shared_ptr<Transaction> transaction = tm_state(context).transaction;
  if (!transaction) return PvValue::null();
  std::lock_guard lock(transaction->mutex);
  if (!from_reply) {
    auto request = stored_request_context(*transaction, context.transport);
    return kept(context, get_pv(*request, inner));
  }
  const Branch* branch = current_branch(context, *transaction);
  if (context.route_type != KAMC_RT_FAILURE_ROUTE || !branch || branch->final_reply.empty()) return PvValue::null();
  MessageContext reply(context.runtime, branch->final_reply, transaction->received, context.transport);
  if (!reply.parse(sip::FramingMode::Datagram).ok()) return PvValue::null();
  return kept(context, get_pv(reply, inner));
}

PvValue request_pv(MessageContext& context, const PvSpec& spec) {
  return transaction_message_pv(context, *spec.inner, false);
}
PvValue reply_pv(MessageContext& context, const PvSpec& spec) { return transaction_message_pv(context, *spec.inner, true); }

}  // namespace tm

namespace {
// $T_req(pv) / $T_rpl(pv): the inner name is a pseudo-variable of its own.
bool fixup_inner_pv(PvSpec& spec, VarSlots& vars, std::string& error) {
  auto inner = parse_pv(spec.argument, vars, error);
  if (!inner) return false;
  spec.inner = std::make_shared<const PvSpec>(std::move(*inner));
  return true;
}

constexpr std::array<PvExport, 4> kTmxPseudoVariables{{
    {"T_branch_idx", tm::branch_index_pv},
    {"T_reply_code", tm::reply_code_pv},
    {"T_req", tm::request_pv, nullptr, fixup_inner_pv},
    {"T_rpl", tm::reply_pv, nullptr, fixup_inner_pv},
}};
}  // namespace

extern const ModuleExports kTmModule{
    .name = "tm",
    .functions = kTmFunctions,
    .params = kTmParams,
    .init = init_tm,
    .reply_received = tm::reply_received,
    .request_route_done = tm::request_route_done,
};

extern const ModuleExports kTmxModule{
    .name = "tmx",
    .functions = kTmxFunctions,
    .params = kTmxParams,
    .pseudo_variables = kTmxPseudoVariables,
    .init = tm::init_tmx,
    .request_route_done = tm::tmx_request_route_done,
};

extern const ModuleExports kCorexModule{
    .name = "corex",
    .functions = kCorexFunctions,
};

}  // namespace kamc::runtime
