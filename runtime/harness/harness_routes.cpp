// The route sets behind --route=NAME. Each mirrors a kamailio.cfg request_route given in
// its comment; the C++ is what codegen is expected to produce for it.
#include "harness_routes.h"
#include "harness_tm_routes.h"

#include <array>
#include <cstdio>
#include <cstring>
#include <string>

namespace kamc::harness {

namespace {

HarnessRouteOptions g_options;

// ---- load-time helpers -----------------------------------------------------------

kamc_rt_arg str_arg(const char* text) { return {KAMC_RT_ARG_STR, 0, text, std::strlen(text)}; }
kamc_rt_arg int_arg(long long number) { return {KAMC_RT_ARG_INT, number, nullptr, 0}; }

// Fixes up one call; on failure leaves the message in error and returns nullptr.
const kamc_rt_call* fixup(kamc_rt_runtime* rt, const char* name, std::initializer_list<kamc_rt_arg> args,
                          char* error, size_t error_size) {
  return kamc_rt_fixup_call(rt, name, args.begin(), static_cast<int>(args.size()), error, error_size);
}

// ---- per-message helpers (what codegen inlines) ------------------------------------

bool ruri_is_myself(kamc_rt_msg* msg, const kamc_rt_pv* ru) {
  kamc_rt_value value;
  return kamc_rt_get_pv(msg, ru, &value) == 0 && (value.flags & KAMC_RT_VAL_STR) &&
         kamc_rt_is_myself(msg, value.text, value.length) > 0;
}

bool is_null(kamc_rt_msg* msg, const kamc_rt_pv* pv) {
  kamc_rt_value value;
  return kamc_rt_get_pv(msg, pv, &value) == 0 && value.flags == KAMC_RT_VAL_NULL;
}

// ---- stateless-proxy ----------------------------------------------------------------
//
// request_route {
//   if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
//   if (is_method("OPTIONS") && uri == myself && $rU == $null) { sl_send_reply("200", "Keepalive"); exit; }
//   if (has_totag()) {
//     if (!loose_route() && uri == myself) { sl_send_reply("404", "Not Here"); exit; }
//     forward(); exit;
//   }
//   if (uri == myself) { sl_send_reply("404", "Not Found"); exit; }
//   record_route();
//   forward();
// }

struct StatelessProxy {
  const kamc_rt_call* maxfwd;
  const kamc_rt_call* reply_483;
  const kamc_rt_call* is_options;
  const kamc_rt_call* reply_200;
  const kamc_rt_call* has_totag;
  const kamc_rt_call* loose_route;
  const kamc_rt_call* reply_404_in_dialog;
  const kamc_rt_call* reply_404;
  const kamc_rt_call* record_route;
  const kamc_rt_call* forward;
  const kamc_rt_pv* ru;
  const kamc_rt_pv* ru_user;
} g_proxy;

int stateless_proxy_request_route(kamc_rt_msg* msg) {
  const StatelessProxy& h = g_proxy;
  int r = kamc_rt_call_function(msg, h.maxfwd);
  if (r == KAMC_RT_EXIT) return KAMC_RT_EXIT;
  if (r < 0) {
    kamc_rt_call_function(msg, h.reply_483);
    return KAMC_RT_EXIT;
  }
  if (kamc_rt_call_function(msg, h.is_options) > 0 && ruri_is_myself(msg, h.ru) && is_null(msg, h.ru_user)) {
    kamc_rt_call_function(msg, h.reply_200);
    return KAMC_RT_EXIT;
  }
  if (kamc_rt_call_function(msg, h.has_totag) > 0) {
    if (kamc_rt_call_function(msg, h.loose_route) < 0 && ruri_is_myself(msg, h.ru)) {
      kamc_rt_call_function(msg, h.reply_404_in_dialog);
      return KAMC_RT_EXIT;
    }
    kamc_rt_call_function(msg, h.forward);
    return KAMC_RT_EXIT;
  }
  if (ruri_is_myself(msg, h.ru)) {
    kamc_rt_call_function(msg, h.reply_404);
    return KAMC_RT_EXIT;
  }
  kamc_rt_call_function(msg, h.record_route);
  kamc_rt_call_function(msg, h.forward);
  return KAMC_RT_EXIT;
}

int load_stateless_proxy(kamc_rt_runtime* rt, char* error, size_t error_size) {
  StatelessProxy& h = g_proxy;
  bool ok = (h.maxfwd = fixup(rt, "mf_process_maxfwd_header", {str_arg("10")}, error, error_size)) &&
            (h.reply_483 = fixup(rt, "sl_send_reply", {str_arg("483"), str_arg("Too Many Hops")}, error, error_size)) &&
            (h.is_options = fixup(rt, "is_method", {str_arg("OPTIONS")}, error, error_size)) &&
            (h.reply_200 = fixup(rt, "sl_send_reply", {int_arg(200), str_arg("Keepalive")}, error, error_size)) &&
            (h.has_totag = fixup(rt, "has_totag", {}, error, error_size)) &&
            (h.loose_route = fixup(rt, "loose_route", {}, error, error_size)) &&
            (h.reply_404_in_dialog = fixup(rt, "sl_send_reply", {int_arg(404), str_arg("Not Here")}, error, error_size)) &&
            (h.reply_404 = fixup(rt, "sl_send_reply", {int_arg(404), str_arg("Not Found")}, error, error_size)) &&
            (h.record_route = fixup(rt, "record_route", {}, error, error_size)) &&
            (h.forward = fixup(rt, "forward", {}, error, error_size)) &&
            (h.ru = kamc_rt_fixup_pv(rt, "$ru", error, error_size)) &&
            (h.ru_user = kamc_rt_fixup_pv(rt, "$rU", error, error_size));
  if (!ok) return -1;
  return kamc_rt_register_route(rt, KAMC_RT_ROUTE_REQUEST, nullptr, stateless_proxy_request_route);
}

// ---- stateless-relay: ../shared/bench/cfg/kamailio-stateless.cfg ----------------------
//
// request_route {
//   if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
//   if (has_totag()) { loose_route(); }
//   forward("127.0.0.1", 5070);
//   exit;
// }

struct StatelessRelay {
  const kamc_rt_call* maxfwd;
  const kamc_rt_call* reply_483;
  const kamc_rt_call* has_totag;
  const kamc_rt_call* loose_route;
  const kamc_rt_call* forward;
} g_relay;

int stateless_relay_request_route(kamc_rt_msg* msg) {
  const StatelessRelay& h = g_relay;
  int r = kamc_rt_call_function(msg, h.maxfwd);
  if (r == KAMC_RT_EXIT) return KAMC_RT_EXIT;
  if (r < 0) {
    kamc_rt_call_function(msg, h.reply_483);
    return KAMC_RT_EXIT;
  }
  if (kamc_rt_call_function(msg, h.has_totag) > 0) kamc_rt_call_function(msg, h.loose_route);
  kamc_rt_call_function(msg, h.forward);
  return KAMC_RT_EXIT;
}

int load_stateless_relay(kamc_rt_runtime* rt, char* error, size_t error_size) {
  StatelessRelay& h = g_relay;
  bool ok = (h.maxfwd = fixup(rt, "mf_process_maxfwd_header", {str_arg("10")}, error, error_size)) &&
            (h.reply_483 = fixup(rt, "sl_send_reply", {str_arg("483"), str_arg("Too Many Hops")}, error, error_size)) &&
            (h.has_totag = fixup(rt, "has_totag", {}, error, error_size)) &&
            (h.loose_route = fixup(rt, "loose_route", {}, error, error_size)) &&
            (h.forward = fixup(rt, "forward", {str_arg(g_options.relay_host.c_str()), int_arg(g_options.relay_port)},
                               error, error_size));
  if (!ok) return -1;
  return kamc_rt_register_route(rt, KAMC_RT_ROUTE_REQUEST, nullptr, stateless_relay_request_route);
}

// ---- reply-only: answers every request itself; never sends anything elsewhere ---------
//
// request_route {
//   xlog("L_INFO", "$rm from $si:$sp ($pr) to $ru\n");
//   sl_send_reply("200", "OK");
// }

struct ReplyOnly {
  const kamc_rt_call* log_request;
  const kamc_rt_call* reply_200;
} g_reply_only;

int reply_only_request_route(kamc_rt_msg* msg) {
  kamc_rt_call_function(msg, g_reply_only.log_request);
  kamc_rt_call_function(msg, g_reply_only.reply_200);
  return KAMC_RT_EXIT;
}

int load_reply_only(kamc_rt_runtime* rt, char* error, size_t error_size) {
  ReplyOnly& h = g_reply_only;
  bool ok = (h.log_request = fixup(rt, "xlog", {str_arg("L_INFO"), str_arg("$rm from $si:$sp ($pr) to $ru\n")},
                                   error, error_size)) &&
            (h.reply_200 = fixup(rt, "sl_send_reply", {str_arg("200"), str_arg("OK")}, error, error_size));
  if (!ok) return -1;
  return kamc_rt_register_route(rt, KAMC_RT_ROUTE_REQUEST, nullptr, reply_only_request_route);
}

constexpr std::array<NamedRouteSet, 3> kRouteSets{{
    {"stateless-proxy", load_stateless_proxy},
    {"stateless-relay", load_stateless_relay},
    {"reply-only", load_reply_only},
}};

}  // namespace

kamc_rt_load_fn find_harness_routes(std::string_view name) {
  for (const auto& set : kRouteSets) {
    if (set.name == name) return set.load;
  }
  for (const auto& set : tm_route_sets()) {
    if (set.name == name) return set.load;
  }
  return nullptr;
}

void set_harness_route_options(const HarnessRouteOptions& options) {
  g_options = options;
  set_tm_route_options(options);
}

std::string_view harness_route_names() {
  return "stateless-proxy, stateless-relay, reply-only, stateful-proxy, stateful-relay, failure-reroute, fork-two";
}

}  // namespace kamc::harness
