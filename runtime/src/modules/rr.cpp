// rr: Record-Route insertion and loose routing (RFC 3261 16.6 step 4 and 16.4).
#include <array>

#include "../core/functions.h"
#include "../core/sip_edit.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/message_context.h"
#include "kamc/runtime/runtime.h"
#include "kamc/sip/name_addr.h"

namespace kamc::runtime {

namespace {

void insert_record_route(MessageContext& context, std::string_view uri) {
  context.edits.insert(first_header_offset(context), "Record-Route: <" + std::string(uri) + ">\r\n");
}

// ";ftag=<From tag>" unless modparam("rr", "append_fromtag", 0): Kamailio's default
// is on, so that later requests show which side of the dialog sent them.
std::string from_tag_param(const MessageContext& context) {
  const ModparamValue* setting = context.runtime.settings().modparam("rr", "append_fromtag");
  if (setting && (setting->is_int ? setting->number : parse_param_number(setting->text).value_or(1)) == 0) return "";
  sip::NameAddr from;
  if (!context.message.from(from).ok() || !from.tag || from.tag->empty()) return "";
  return ";ftag=" + std::string(*from.tag);
}

// record_route([params]): <sip:ADDR:PORT;lr> of the socket the request came in on.
int record_route_body(MessageContext& context, const FunctionCall& call) {
  const ListenSocket* local = context.received.local;
  if (!local || !context.message.is_request()) return KAMC_RT_FALSE;
  std::string uri = "sip:" + local->host + ":" + local->port_text + ";lr" + from_tag_param(context);
  if (local->protocol != Protocol::Udp) uri += ";transport=" + std::string(protocol_name(local->protocol));
  if (!call.args.empty()) {
    std::string params = arg_text(context, call, 0);
    if (!params.empty() && params.front() != ';') uri += ';';
    uri += params;
  }
  insert_record_route(context, uri);
  return KAMC_RT_TRUE;
}

std::string preset_uri(const MessageContext& context, std::string address) {
  if (!address.starts_with("sip:") && !address.starts_with("sips:")) address.insert(0, "sip:");
  return address + ";lr" + from_tag_param(context);
}

// record_route_preset(addr[, addr2]): two headers when two addresses are given.
int record_route_preset_body(MessageContext& context, const FunctionCall& call) {
  if (!context.message.is_request()) return KAMC_RT_FALSE;
  insert_record_route(context, preset_uri(context, arg_text(context, call, 0)));
  if (call.args.size() > 1) insert_record_route(context, preset_uri(context, arg_text(context, call, 1)));
  return KAMC_RT_TRUE;
}

bool is_own_route(const MessageContext& context, const sip::NameAddr& route) {
  return route.uri.is_sip_or_sips() && context.runtime.local_addresses().is_myself(route.uri.host, route.uri.port);
}

// loose_route(): 1 when the request carried a Route set (processed), -1 when it had none.
// Our own Route entry is removed; the next entry, if any, becomes $du.
int loose_route_body(MessageContext& context, const FunctionCall&) {
  std::vector<sip::NameAddr> routes;
  if (!context.message.address_list(sip::HeaderKind::Route, routes).ok() || routes.empty()) return KAMC_RT_FALSE;
  std::size_t next = 0;
  if (is_own_route(context, routes[0])) {
    remove_first_value(context, *context.message.first_header(sip::HeaderKind::Route), routes[0].text, context.edits);
    next = 1;
  }
  if (next < routes.size()) {
    if (!routes[next].uri.param("lr")) {
      log_message(L_WARN, "loose_route: next hop is a strict router; strict-router compatibility is not built yet");
    }
    context.destination_uri = std::string(routes[next].uri.text);
  }
  return KAMC_RT_TRUE;
}

constexpr std::array<FunctionEntry, 3> kRr{{
    {"rr", "record_route", 0, 1, KAMC_RT_REQUEST_ROUTE | KAMC_RT_BRANCH_ROUTE | KAMC_RT_FAILURE_ROUTE,
     record_route_body, nullptr},
    {"rr", "record_route_preset", 1, 2, KAMC_RT_REQUEST_ROUTE | KAMC_RT_BRANCH_ROUTE | KAMC_RT_FAILURE_ROUTE,
     record_route_preset_body, nullptr},
    {"rr", "loose_route", 0, 0, KAMC_RT_REQUEST_ROUTE, loose_route_body, nullptr},
}};

}  // namespace

std::span<const FunctionEntry> rr_functions() { return kRr; }

}  // namespace kamc::runtime
