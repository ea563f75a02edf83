// The stateful (tm) route sets of the harness, written against abi.h the way codegen
// will emit them: request_route plus failure_route, branch_route and onreply_route
// registered through kamc_rt_register_route, route(NAME) through kamc_rt_call_route.
// Each set mirrors the kamailio.cfg in its comment (tests/runtime/tm_compare/ has those
// configs for the comparison runs against the real Kamailio).
#include "harness_tm_routes.h"

#include <cstring>
#include <string>

namespace kamc::harness {

namespace {

HarnessRouteOptions g_tm_options;

kamc_rt_arg str_arg(const char* text) { return {KAMC_RT_ARG_STR, 0, text, std::strlen(text)}; }

const kamc_rt_call* fixup(kamc_rt_runtime* rt, const char* name, std::initializer_list<kamc_rt_arg> args,
                          char* error, size_t error_size) {
  return kamc_rt_fixup_call(rt, name, args.begin(), static_cast<int>(args.size()), error, error_size);
}

int call(kamc_rt_msg* msg, const kamc_rt_call* function) { return kamc_rt_call_function(msg, function); }

const std::string& alternate_uri() { return g_tm_options.alternate_uri; }

// ---- shared by every stateful set ------------------------------------------------------
//
// route[WITHINDLG] {
//   if (!has_totag()) return;
//   if (loose_route()) { t_relay(); exit; }
//   if (is_method("ACK")) { if (t_check_trans()) t_relay(); exit; }
//   t_relay();  # in-dialog without a Route set (SIPp's built-in uac): by the R-URI
//   exit;
// }
// request_route {  # the common start
//   if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
//   if (is_method("OPTIONS") && uri == myself && $rU == $null) { sl_send_reply("200", "Keepalive"); exit; }
//   route(WITHINDLG);
//   if (is_method("CANCEL")) { if (t_check_trans()) t_relay(); exit; }
//   t_check_trans();
//   ... (per set)
// }

struct Common {
  const kamc_rt_call* maxfwd;
  const kamc_rt_call* reply_483;
  const kamc_rt_call* has_totag;
  const kamc_rt_call* loose_route;
  const kamc_rt_call* is_ack;
  const kamc_rt_call* is_cancel;
  const kamc_rt_call* is_invite;
  const kamc_rt_call* check_trans;
  const kamc_rt_call* relay;
  const kamc_rt_call* record_route;
  const kamc_rt_call* reply_error;
  const kamc_rt_call* is_options;
  const kamc_rt_call* reply_keepalive;
  const kamc_rt_pv* ru;
  const kamc_rt_pv* ru_user;
  int within_dialog;
} g_common;

// `is_method("OPTIONS") && uri == myself && $rU == $null`: the readiness probe.
bool is_keepalive(kamc_rt_msg* msg) {
  const Common& h = g_common;
  if (call(msg, h.is_options) < 0) return false;
  kamc_rt_value uri, user;
  return kamc_rt_get_pv(msg, h.ru, &uri) == 0 && (uri.flags & KAMC_RT_VAL_STR) &&
         kamc_rt_is_myself(msg, uri.text, uri.length) > 0 && kamc_rt_get_pv(msg, h.ru_user, &user) == 0 &&
         user.flags == KAMC_RT_VAL_NULL;
}

// `if (t_check_trans()) t_relay(); exit;`
int relay_if_transaction(kamc_rt_msg* msg) {
  int r = call(msg, g_common.check_trans);
  if (r > 0) call(msg, g_common.relay);
  return KAMC_RT_EXIT;
}

int within_dialog_route(kamc_rt_msg* msg) {
  const Common& h = g_common;
  if (call(msg, h.has_totag) < 0) return KAMC_RT_TRUE;
  if (call(msg, h.loose_route) > 0) {
    call(msg, h.relay);
    return KAMC_RT_EXIT;
  }
  if (call(msg, h.is_ack) > 0) return relay_if_transaction(msg);
  call(msg, h.relay);
  return KAMC_RT_EXIT;
}

// The common start of request_route: 0 when the script ended there.
int common_start(kamc_rt_msg* msg) {
  const Common& h = g_common;
  int r = call(msg, h.maxfwd);
  if (r == KAMC_RT_EXIT) return KAMC_RT_EXIT;
  if (r < 0) {
    call(msg, h.reply_483);
    return KAMC_RT_EXIT;
  }
  if (is_keepalive(msg)) {
    call(msg, h.reply_keepalive);
    return KAMC_RT_EXIT;
  }
  if (kamc_rt_call_route(msg, h.within_dialog) == KAMC_RT_EXIT) return KAMC_RT_EXIT;
  if (call(msg, h.is_cancel) > 0) return relay_if_transaction(msg);
  if (call(msg, h.check_trans) == KAMC_RT_EXIT) return KAMC_RT_EXIT;
  return KAMC_RT_TRUE;
}

// `if (!t_relay()) sl_reply_error(); exit;`
int relay_or_error(kamc_rt_msg* msg) {
  int r = call(msg, g_common.relay);
  if (r < 0) call(msg, g_common.reply_error);
  return KAMC_RT_EXIT;
}

bool load_common(kamc_rt_runtime* rt, char* error, size_t error_size) {
  Common& h = g_common;
  bool ok = (h.maxfwd = fixup(rt, "mf_process_maxfwd_header", {str_arg("10")}, error, error_size)) &&
            (h.reply_483 = fixup(rt, "sl_send_reply", {str_arg("483"), str_arg("Too Many Hops")}, error, error_size)) &&
            (h.has_totag = fixup(rt, "has_totag", {}, error, error_size)) &&
            (h.loose_route = fixup(rt, "loose_route", {}, error, error_size)) &&
            (h.is_ack = fixup(rt, "is_method", {str_arg("ACK")}, error, error_size)) &&
            (h.is_cancel = fixup(rt, "is_method", {str_arg("CANCEL")}, error, error_size)) &&
            (h.is_invite = fixup(rt, "is_method", {str_arg("INVITE")}, error, error_size)) &&
            (h.check_trans = fixup(rt, "t_check_trans", {}, error, error_size)) &&
            (h.relay = fixup(rt, "t_relay", {}, error, error_size)) &&
            (h.record_route = fixup(rt, "record_route", {}, error, error_size)) &&
            (h.reply_error = fixup(rt, "sl_reply_error", {}, error, error_size)) &&
            (h.is_options = fixup(rt, "is_method", {str_arg("OPTIONS")}, error, error_size)) &&
            (h.reply_keepalive = fixup(rt, "sl_send_reply", {str_arg("200"), str_arg("Keepalive")}, error, error_size)) &&
            (h.ru = kamc_rt_fixup_pv(rt, "$ru", error, error_size)) &&
            (h.ru_user = kamc_rt_fixup_pv(rt, "$rU", error, error_size));
  if (!ok) return false;
  h.within_dialog = kamc_rt_fixup_route(rt, "WITHINDLG");
  return kamc_rt_register_route(rt, KAMC_RT_ROUTE_NAMED, "WITHINDLG", within_dialog_route) == 0;
}

// ---- stateful-proxy ----------------------------------------------------------------------
//
// request_route {
//   <common start>
//   if (is_method("INVITE")) record_route();
//   t_on_reply("MARK_REPLY");
//   if (!t_relay()) sl_reply_error();
//   exit;
// }
// onreply_route[MARK_REPLY] { append_hf("X-Onreply: $T_branch_idx $T_reply_code\r\n"); }

struct StatefulProxy {
  const kamc_rt_call* on_reply;
  const kamc_rt_call* mark_reply;
} g_stateful;

int stateful_proxy_request_route(kamc_rt_msg* msg) {
  if (common_start(msg) == KAMC_RT_EXIT) return KAMC_RT_EXIT;
  if (call(msg, g_common.is_invite) > 0) call(msg, g_common.record_route);
  call(msg, g_stateful.on_reply);
  return relay_or_error(msg);
}

int mark_reply_route(kamc_rt_msg* msg) {
  call(msg, g_stateful.mark_reply);
  return KAMC_RT_TRUE;
}

int load_stateful_proxy(kamc_rt_runtime* rt, char* error, size_t error_size) {
  StatefulProxy& h = g_stateful;
  bool ok = load_common(rt, error, error_size) &&
            (h.on_reply = fixup(rt, "t_on_reply", {str_arg("MARK_REPLY")}, error, error_size)) &&
            (h.mark_reply = fixup(rt, "append_hf", {str_arg("X-Onreply: $T_branch_idx $T_reply_code\r\n")}, error,
                                  error_size));
  if (!ok) return -1;
  if (kamc_rt_register_route(rt, KAMC_RT_ROUTE_ONREPLY, "MARK_REPLY", mark_reply_route) != 0) return -1;
  return kamc_rt_register_route(rt, KAMC_RT_ROUTE_REQUEST, nullptr, stateful_proxy_request_route);
}

// ---- failure-reroute: serial forking -------------------------------------------------------
//
// request_route {
//   <common start>
//   if (is_method("INVITE")) { record_route(); t_on_failure("REROUTE"); }
//   if (!t_relay()) sl_reply_error();
//   exit;
// }
// failure_route[REROUTE] {
//   if (t_is_canceled()) exit;
//   xlog("L_INFO", "failure_route: $T_reply_code on branch $T_branch_idx of $T_req($ru)\n");
//   if (t_check_status("486|408")) {
//     $ru = "sip:alternate@127.0.0.1:5071";   # --alternate=URI
//     t_relay();
//   }
// }

struct FailureReroute {
  const kamc_rt_call* on_failure;
  const kamc_rt_call* is_canceled;
  const kamc_rt_call* log_failure;
  const kamc_rt_call* busy_or_timeout;
  const kamc_rt_pv* ru;
  std::string alternate;
} g_reroute;

int failure_reroute_request_route(kamc_rt_msg* msg) {
  if (common_start(msg) == KAMC_RT_EXIT) return KAMC_RT_EXIT;
  if (call(msg, g_common.is_invite) > 0) {
    call(msg, g_common.record_route);
    call(msg, g_reroute.on_failure);
  }
  return relay_or_error(msg);
}

int reroute_failure_route(kamc_rt_msg* msg) {
  const FailureReroute& h = g_reroute;
  if (call(msg, h.is_canceled) > 0) return KAMC_RT_EXIT;
  call(msg, h.log_failure);
  if (call(msg, h.busy_or_timeout) > 0) {
    kamc_rt_value value{KAMC_RT_VAL_STR, 0, h.alternate.data(), h.alternate.size()};
    kamc_rt_set_pv(msg, h.ru, &value);
    call(msg, g_common.relay);
  }
  return KAMC_RT_TRUE;
}

int load_failure_reroute(kamc_rt_runtime* rt, char* error, size_t error_size) {
  FailureReroute& h = g_reroute;
  h.alternate = alternate_uri();
  bool ok = load_common(rt, error, error_size) &&
            (h.on_failure = fixup(rt, "t_on_failure", {str_arg("REROUTE")}, error, error_size)) &&
            (h.is_canceled = fixup(rt, "t_is_canceled", {}, error, error_size)) &&
            (h.log_failure = fixup(rt, "xlog",
                                   {str_arg("L_INFO"),
                                    str_arg("failure_route: $T_reply_code on branch $T_branch_idx of $T_req($ru)\n")},
                                   error, error_size)) &&
            (h.busy_or_timeout = fixup(rt, "t_check_status", {str_arg("486|408")}, error, error_size)) &&
            (h.ru = kamc_rt_fixup_pv(rt, "$ru", error, error_size));
  if (!ok) return -1;
  if (kamc_rt_register_route(rt, KAMC_RT_ROUTE_FAILURE, "REROUTE", reroute_failure_route) != 0) return -1;
  return kamc_rt_register_route(rt, KAMC_RT_ROUTE_REQUEST, nullptr, failure_reroute_request_route);
}

// ---- fork-two: parallel forking with a branch_route ------------------------------------
//
// request_route {
//   <common start>
//   if (is_method("INVITE")) {
//     record_route();
//     append_branch("sip:alternate@127.0.0.1:5071");   # --alternate=URI
//     t_on_branch("TAG_BRANCH");
//   }
//   if (!t_relay()) sl_reply_error();
//   exit;
// }
// branch_route[TAG_BRANCH] {
//   if ($rU == "drop") drop;
//   append_hf("X-Branch: $T_branch_idx\r\n");
// }

struct ForkTwo {
  const kamc_rt_call* append_branch;
  const kamc_rt_call* on_branch;
  const kamc_rt_call* tag_branch;
  const kamc_rt_pv* ru_user;
} g_fork;

int fork_two_request_route(kamc_rt_msg* msg) {
  if (common_start(msg) == KAMC_RT_EXIT) return KAMC_RT_EXIT;
  if (call(msg, g_common.is_invite) > 0) {
    call(msg, g_common.record_route);
    call(msg, g_fork.append_branch);
    call(msg, g_fork.on_branch);
  }
  return relay_or_error(msg);
}

int tag_branch_route(kamc_rt_msg* msg) {
  kamc_rt_value user;
  if (kamc_rt_get_pv(msg, g_fork.ru_user, &user) == 0 && (user.flags & KAMC_RT_VAL_STR) &&
      std::string_view(user.text, user.length) == "drop") {
    return kamc_rt_drop(msg);
  }
  call(msg, g_fork.tag_branch);
  return KAMC_RT_TRUE;
}

int load_fork_two(kamc_rt_runtime* rt, char* error, size_t error_size) {
  ForkTwo& h = g_fork;
  std::string alternate = alternate_uri();
  bool ok = load_common(rt, error, error_size) &&
            (h.append_branch = fixup(rt, "append_branch", {str_arg(alternate.c_str())}, error, error_size)) &&
            (h.on_branch = fixup(rt, "t_on_branch", {str_arg("TAG_BRANCH")}, error, error_size)) &&
            (h.tag_branch = fixup(rt, "append_hf", {str_arg("X-Branch: $T_branch_idx\r\n")}, error, error_size)) &&
            (h.ru_user = kamc_rt_fixup_pv(rt, "$rU", error, error_size));
  if (!ok) return -1;
  if (kamc_rt_register_route(rt, KAMC_RT_ROUTE_BRANCH, "TAG_BRANCH", tag_branch_route) != 0) return -1;
  return kamc_rt_register_route(rt, KAMC_RT_ROUTE_REQUEST, nullptr, fork_two_request_route);
}

// ---- stateful-relay: ../shared/bench/cfg/kamailio-stateful.cfg --------------------------
//
// request_route {
//   if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
//   if (has_totag()) {
//     if (loose_route()) { t_relay(); exit; }
//     if (is_method("ACK")) { if (t_check_trans()) { t_relay(); } exit; }
//     sl_send_reply("404", "Not here");
//     exit;
//   }
//   if (is_method("CANCEL")) { if (t_check_trans()) { t_relay(); } exit; }
//   t_check_trans();
//   if (is_method("INVITE|SUBSCRIBE")) { record_route(); }
//   $du = "sip:127.0.0.1:5070";   # --relay-to=HOST:PORT
//   if (!t_relay()) { sl_reply_error(); }
//   exit;
// }

struct StatefulRelay {
  const kamc_rt_call* reply_404;
  const kamc_rt_call* is_invite_or_subscribe;
  const kamc_rt_pv* du;
  std::string destination;
} g_relay;

int stateful_relay_request_route(kamc_rt_msg* msg) {
  const Common& h = g_common;
  int r = call(msg, h.maxfwd);
  if (r == KAMC_RT_EXIT) return KAMC_RT_EXIT;
  if (r < 0) {
    call(msg, h.reply_483);
    return KAMC_RT_EXIT;
  }
  if (call(msg, h.has_totag) > 0) {
    if (call(msg, h.loose_route) > 0) {
      call(msg, h.relay);
      return KAMC_RT_EXIT;
    }
    if (call(msg, h.is_ack) > 0) return relay_if_transaction(msg);
    call(msg, g_relay.reply_404);
    return KAMC_RT_EXIT;
  }
  if (call(msg, h.is_cancel) > 0) return relay_if_transaction(msg);
  if (call(msg, h.check_trans) == KAMC_RT_EXIT) return KAMC_RT_EXIT;
  if (call(msg, g_relay.is_invite_or_subscribe) > 0) call(msg, h.record_route);
  kamc_rt_value value{KAMC_RT_VAL_STR, 0, g_relay.destination.data(), g_relay.destination.size()};
  kamc_rt_set_pv(msg, g_relay.du, &value);
  return relay_or_error(msg);
}

int load_stateful_relay(kamc_rt_runtime* rt, char* error, size_t error_size) {
  StatefulRelay& h = g_relay;
  h.destination = "sip:" + g_tm_options.relay_host + ":" + std::to_string(g_tm_options.relay_port);
  bool ok = load_common(rt, error, error_size) &&
            (h.reply_404 = fixup(rt, "sl_send_reply", {str_arg("404"), str_arg("Not here")}, error, error_size)) &&
            (h.is_invite_or_subscribe = fixup(rt, "is_method", {str_arg("INVITE|SUBSCRIBE")}, error, error_size)) &&
            (h.du = kamc_rt_fixup_pv(rt, "$du", error, error_size));
  if (!ok) return -1;
  return kamc_rt_register_route(rt, KAMC_RT_ROUTE_REQUEST, nullptr, stateful_relay_request_route);
}

}  // namespace

void set_tm_route_options(const HarnessRouteOptions& options) { g_tm_options = options; }

std::span<const NamedRouteSet> tm_route_sets() {
  static constexpr NamedRouteSet kSets[] = {
      {"stateful-proxy", load_stateful_proxy},
      {"stateful-relay", load_stateful_relay},
      {"failure-reroute", load_failure_reroute},
      {"fork-two", load_fork_two},
  };
  return kSets;
}

}  // namespace kamc::harness
