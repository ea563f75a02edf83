// rr: Record-Route insertion and routing by the Route set (RFC 3261 16.6 step 4, 16.4, 16.12),
// as Kamailio 5.6's rr module does it: a second Record-Route when the request leaves from
// another socket (enable_double_rr), and compatibility with strict routers (RFC 2543).
#include <array>
#include <stdexcept>
#include <string>
#include <vector>

#include "../core/module.h"
#include "rr_api.h"
#include "kamc/runtime/runtime.h"
#include "../core/record_route_text.h"
#include "../core/sip_edit.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/message_context.h"
#include "kamc/runtime/runtime.h"
#include "kamc/sip/name_addr.h"

namespace kamc::runtime {

extern const ModuleExports kRrModule;

namespace {

// loose_route()'s results, Kamailio's RR_DRIVEN, RR_NOT_DRIVEN, RR_ERROR and RR_PRELOADED.
constexpr int kRrDriven = 1;
constexpr int kRrNotDriven = -1;
constexpr int kRrError = -1;
constexpr int kRrPreloaded = -3;

// What init takes from rr's parameters.
struct RrSettings {
  long long enable_double_rr = 1;
  bool append_fromtag = true;
  std::vector<RoutedParamsCallback> callbacks;  // register_rr_callback(), newest first
};

const RrSettings& rr_settings(const MessageContext& context);

bool init_rr(ModuleInstance& module, std::string&) {
  auto settings = std::make_shared<RrSettings>();
  settings->enable_double_rr = module.param_number("enable_double_rr");
  settings->append_fromtag = module.param_number("append_fromtag") != 0;
  module.state = std::move(settings);
  return true;
}

// modparam("rr", "enable_double_rr", N): 0 off, 2 always, anything else (1, the default)
// when the sending socket differs from the receiving one.
DoubleRecordRoute double_rr_mode(const MessageContext& context) {
  long long value = rr_settings(context).enable_double_rr;
  if (value == 0) return DoubleRecordRoute::Off;
  return value == 2 ? DoubleRecordRoute::Always : DoubleRecordRoute::WhenSocketDiffers;
}

// ";ftag=<From tag>" unless modparam("rr", "append_fromtag", 0): Kamailio's default
// is on, so that later requests show which side of the dialog sent them.
std::string from_tag_param(const MessageContext& context) {
  if (!rr_settings(context).append_fromtag) return "";
  sip::NameAddr from;
  if (!context.message.from(from).ok() || !from.tag || from.tag->empty()) return "";
  return ";ftag=" + std::string(*from.tag);
}

// record_route([params]): <sip:ADDR:PORT[;transport=T][;r2=on];lr;ftag=TAG[;params]> of
// the socket the request came in on, and with double Record-Route the sending socket's too.
int record_route_body(MessageContext& context, const FunctionCall& call) {
  const ListenSocket* local = context.received.local;
  if (!local || !context.message.is_request()) return KAMC_RT_FALSE;
  std::string suffix = ";lr" + from_tag_param(context);
  if (!call.args.empty()) {
    std::string params = arg_text(context, call, 0);
    if (!params.empty() && params.front() != ';') suffix += ';';
    suffix += params;
  }
  context.edits.insert_deferred(record_route_offset(context),
                                std::make_shared<RecordRouteLines>(suffix, double_rr_mode(context)));
  return KAMC_RT_TRUE;
}

// Kamailio writes the preset address, the from-tag, then ;lr.
std::string preset_line(const MessageContext& context, std::string address) {
  if (!address.starts_with("sip:") && !address.starts_with("sips:")) address.insert(0, "sip:");
  return "\r\nRecord-Route: <" + address + from_tag_param(context) + ";lr>";
}

// record_route_preset(addr[, addr2]): two headers for two addresses, which rr allows only
// with enable_double_rr.
int record_route_preset_body(MessageContext& context, const FunctionCall& call) {
  if (!context.message.is_request()) return KAMC_RT_FALSE;
  std::string second = call.args.size() > 1 ? arg_text(context, call, 1) : std::string();
  if (!second.empty() && double_rr_mode(context) == DoubleRecordRoute::Off) {
    log_message(L_ERR, "record_route_preset: two addresses need modparam(\"rr\", \"enable_double_rr\") on");
    return KAMC_RT_FALSE;
  }
  std::size_t offset = record_route_offset(context);
  context.edits.insert(offset, preset_line(context, arg_text(context, call, 0)));
  if (!second.empty()) context.edits.insert(offset, preset_line(context, second));
  return KAMC_RT_TRUE;
}

// ---- loose_route() -------------------------------------------------------------------------

struct RouteEntry {
  sip::NameAddr address;
  const sip::HeaderField* field;
};

// Every Route entry, in order, with the header line it is in. nullopt when one does not parse.
std::optional<std::vector<RouteEntry>> route_entries(const MessageContext& context) {
  std::vector<RouteEntry> entries;
  for (const auto& field : context.message.headers()) {
    if (field.kind != sip::HeaderKind::Route) continue;
    std::vector<sip::NameAddr> list;
    if (!sip::parse_name_addr_list(field.value, list).ok()) return std::nullopt;
    for (auto& address : list) entries.push_back({std::move(address), &field});
  }
  return entries;
}

// kamailio's check_self on a URI, but never for a GRUU (;gr), which names a user agent.
bool is_myself(const MessageContext& context, const sip::Uri& uri) {
  return uri.is_sip_or_sips() && !uri.host.empty() && !uri.param("gr") &&
         context.runtime.local_addresses().is_myself(uri.host, uri.port);
}

bool is_loose_router(const sip::Uri& uri) { return uri.param("lr").has_value(); }
bool has_double_rr_mark(const sip::Uri& uri) { return uri.param("r2").has_value(); }

// A Route URI as a next hop: its maddr with its port when it has one (RFC 3261 16.12.1.2).
std::string routing_uri(const sip::Uri& uri) {
  auto maddr = uri.param("maddr");
  if (!maddr || maddr->empty()) return std::string(uri.text);
  std::string text = "sip:" + std::string(*maddr);
  if (uri.port) text += ":" + std::to_string(*uri.port);
  return text;
}

class LooseRouting {
 public:
  LooseRouting(MessageContext& context, std::vector<RouteEntry> routes)
      : context_(context), routes_(std::move(routes)), removed_(routes_.size(), false) {}

  // The previous hop was a loose router (or the route set is preloaded): our own entry on
  // top (and its double-Record-Route twin) is removed; the next entry is the next hop.
  int after_loose(bool preloaded) {
    std::size_t next = 0;
    if (is_myself(context_, uri(0))) {
      routed_params_ = std::string(uri(0).params);
      remove(next++);
      if (double_rr_enabled() && has_double_rr_mark(uri(0)) && next < routes_.size()) remove(next++);
      if (next == routes_.size()) return finish(preloaded ? kRrPreloaded : kRrDriven);
    }
    if (is_loose_router(uri(next))) {
      context_.destination_uri = routing_uri(uri(next));
    } else {
      // A strict router next (RFC 3261 16.6 step 6): it wants its URI as the Request-URI,
      // and the Request-URI goes to the end of the route set.
      context_.edits.insert(end_of_headers_offset(context_),
                            "Route: <" + std::string(context_.message.request_uri_text()) + ">\r\n");
      context_.new_request_uri = routing_uri(uri(next));
      remove(next);
    }
    return finish(kRrDriven);
  }

  // The Request-URI is ours: a strict router in front put our Record-Route URI there
  // (RFC 3261 16.4). The other of our double Record-Route entries is dropped; then either
  // the next entry is a strict router too (it becomes the Request-URI), or it is a loose one
  // and the last entry, the remote target the strict router displaced, is put back as the
  // Request-URI.
  int after_strict(std::string_view request_uri_params) {
    std::size_t next = 0;
    if (double_rr_enabled() && has_double_rr_mark(uri(0)) && is_myself(context_, uri(0))) {
      remove(next++);
      if (next == routes_.size()) return finish(kRrNotDriven);
    }
    routed_params_ = std::string(request_uri_params);
    if (!is_loose_router(uri(next))) {
      context_.new_request_uri = routing_uri(uri(next));
      remove(next);
    } else {
      context_.destination_uri = routing_uri(uri(next));
      std::size_t last = routes_.size() - 1;
      context_.new_request_uri = routing_uri(uri(last));
      remove(last);
    }
    return finish(kRrDriven);
  }

 private:
  const sip::Uri& uri(std::size_t index) const { return routes_[index].address.uri; }
  void remove(std::size_t index) { removed_[index] = true; }
  bool double_rr_enabled() const { return double_rr_mode(context_) != DoubleRecordRoute::Off; }

  // Writes the removals into the edits, runs the rr callbacks when a URI of ours with
  // parameters was consumed (as Kamailio does, also when no Route is left), and returns
  // `result`. A header line none of whose entries is kept goes as a whole; otherwise each
  // run of removed entries goes with the comma that joins it to the kept neighbour.
  int finish(int result) {
    std::size_t begin = 0;
    while (begin < routes_.size()) {
      std::size_t end = begin;
      while (end < routes_.size() && routes_[end].field == routes_[begin].field) ++end;
      remove_from_line(begin, end);
      begin = end;
    }
    if (!routed_params_.empty()) {
      for (RoutedParamsCallback callback : rr_settings(context_).callbacks) callback(context_, routed_params_);
    }
    return result;
  }

  void remove_from_line(std::size_t begin, std::size_t end) {
    std::size_t removed_count = 0;
    for (std::size_t i = begin; i < end; ++i) removed_count += removed_[i] ? 1 : 0;
    if (removed_count == 0) return;
    if (removed_count == end - begin) {
      ByteRange line = header_line_range(context_, *routes_[begin].field);
      context_.edits.remove(line.begin, line.end - line.begin);
      return;
    }
    for (std::size_t i = begin; i < end;) {
      if (!removed_[i]) {
        ++i;
        continue;
      }
      std::size_t run_end = i;
      while (run_end < end && removed_[run_end]) ++run_end;
      std::size_t from = 0;
      std::size_t to = 0;
      if (run_end < end) {  // "a, b, KEPT": up to the kept entry
        from = offset(i);
        to = offset(run_end);
      } else {  // "KEPT, a, b": from the end of the kept entry
        from = offset(i - 1) + text(i - 1).size();
        to = offset(run_end - 1) + text(run_end - 1).size();
      }
      context_.edits.remove(from, to - from);
      i = run_end;
    }
  }

  std::string_view text(std::size_t index) const { return routes_[index].address.text; }
  std::size_t offset(std::size_t index) const { return context_.offset_of(text(index)); }

  MessageContext& context_;
  std::vector<RouteEntry> routes_;
  std::vector<bool> removed_;
  std::string routed_params_;  // of the Route URI of ours that was consumed
};

// loose_route(): 1 when the Route set decided the next hop, -1 without Route (or when only
// our own double Record-Route entry was left after a strict router), -3 when a preloaded
// route set held only our own entries (Kamailio's RR_PRELOADED).
int loose_route_body(MessageContext& context, const FunctionCall&) {
  auto routes = route_entries(context);
  if (!routes) {
    log_message(L_ERR, "loose_route: a Route header does not parse");
    return kRrError;
  }
  if (routes->empty()) return KAMC_RT_FALSE;
  sip::NameAddr to;
  sip::Uri request_uri;
  if (!context.message.to(to).ok() || !sip::parse_uri(context.request_uri(), request_uri).ok()) {
    log_message(L_ERR, "loose_route: cannot parse the To header or the Request-URI");
    return kRrError;
  }
  bool preloaded = !to.tag || to.tag->empty();
  LooseRouting routing(context, std::move(*routes));
  if (!preloaded && is_myself(context, request_uri)) return routing.after_strict(std::string(request_uri.params));
  return routing.after_loose(preloaded);
}

// Kamailio's defaults: double Record-Route when the socket changes, ;ftag= on.
constexpr std::array<ParamExport, 2> kRrParams{{
    {"enable_double_rr", 1},
    {"append_fromtag", 1},
}};

constexpr std::array<FunctionExport, 3> kRr{{
    {"record_route", record_route_body},
    {"record_route_preset", record_route_preset_body},
    {"loose_route", loose_route_body},
}};

}  // namespace

extern const ModuleExports kRrModule{
    .name = "rr",
    .functions = kRr,
    .params = kRrParams,
    .init = init_rr,
};

namespace {
const RrSettings& rr_settings(const MessageContext& context) {
  static const std::size_t index = module_index(kRrModule);
  return context.runtime.module(index).state_as<RrSettings>();
}
}  // namespace

void register_rr_callback(Runtime& runtime, RoutedParamsCallback callback) {
  ModuleInstance& rr = runtime.module(module_index(kRrModule));
  if (!rr.state) throw std::logic_error("register_rr_callback before rr's init");
  auto& callbacks = rr.state_as<RrSettings>().callbacks;
  callbacks.insert(callbacks.begin(), callback);
}

}  // namespace kamc::runtime
