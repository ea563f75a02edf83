// Stateless forwarding in both directions, and local replies.
#include "proxy.h"

#include "dns_resolver.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/runtime.h"
#include "kamc/sip/uri.h"
#include "record_route_text.h"
#include "sip_edit.h"

namespace kamc::runtime {

namespace {

std::string_view short_text(std::string_view text) { return text.substr(0, 200); }

bool send_bytes(MessageContext& context, const SendTarget& target, std::string_view bytes) {
  if (!context.transport) {
    log_message(L_ERR, "no transport to send on (message context without a worker)");
    return false;
  }
  return context.transport->send(target, bytes);
}

}  // namespace

std::optional<SendTarget> target_for(MessageContext& context, const NextHop& hop) {
  auto address = resolve_next_hop(hop);
  if (!address) {
    log_format(L_ERR, "cannot resolve next hop '%s'", hop.host.c_str());
    return std::nullopt;
  }
  SendTarget target;
  target.protocol = hop.protocol;
  target.address = *address;
  target.from = context.runtime.local_addresses().choose(hop.protocol, address->family(), context.received.local);
  if (!target.from) {
    std::string_view protocol = protocol_name(hop.protocol);
    log_format(L_ERR, "no %.*s listen socket of the address family of %s", static_cast<int>(protocol.size()),
               protocol.data(), address->to_string().c_str());
    return std::nullopt;
  }
  return target;
}

namespace {

std::string proxy_via_line(const ListenSocket& from, std::string_view branch) {
  std::string line = "Via: SIP/2.0/";
  line += via_transport_name(from.protocol);
  line += ' ';
  line += from.via_sent_by;
  line += ";branch=";
  line += branch;
  line += "\r\n";
  return line;
}

}  // namespace

std::string build_forwarded_request(MessageContext& context, const SendTarget& target, const sip::Via& top,
                                    std::string_view branch, std::string_view request_uri,
                                    std::string_view path) {
  MessageEdits edits = context.edits;
  // Kamailio's insert_path_as_route(): the stored Path becomes the first header.
  if (!path.empty()) edits.insert(first_header_offset(context), "Route: " + std::string(path) + "\r\n");
  std::string_view original = context.message.request_uri_text();
  if (request_uri != original) edits.replace(context.offset_of(original), original.size(), std::string(request_uri));
  add_top_via_fixes(context, top, edits);
  const auto* first_via = context.message.first_header(sip::HeaderKind::Via);
  std::size_t via_offset = first_via ? header_line_range(context, *first_via).begin : first_header_offset(context);
  edits.insert(via_offset, proxy_via_line(*target.from, branch));
  // A stream needs Content-Length to frame the message (RFC 3261 18.3).
  if (is_stream(target.protocol) && !context.message.content_length()) {
    edits.insert(end_of_headers_offset(context),
                 "Content-Length: " + std::to_string(context.message.body().size()) + "\r\n");
  }
  std::string_view whole = context.buffer.substr(0, context.message.message_size());
  if (!context.received.local) return edits.apply(whole);
  SendSockets sockets{*context.received.local, context.received.protocol, *target.from};
  return edits.apply(whole, &sockets);
}

namespace {

std::optional<Protocol> via_protocol(const sip::Via& via) {
  auto protocol = protocol_from_name(via.transport);
  if (!protocol) {
    log_format(L_ERR, "cannot relay a reply over transport '%.*s'", static_cast<int>(via.transport.size()),
               via.transport.data());
  }
  return protocol;
}

}  // namespace

std::optional<NextHop> next_hop_from_uri(std::string_view uri_text) {
  sip::Uri uri;
  if (!sip::parse_uri(uri_text, uri).ok() || !uri.is_sip_or_sips()) {
    log_format(L_ERR, "cannot forward to '%.*s': not a sip: URI", static_cast<int>(short_text(uri_text).size()),
               uri_text.data());
    return std::nullopt;
  }
  if (uri.scheme == sip::UriScheme::Sips) {
    log_message(L_ERR, "cannot forward to a sips: URI: TLS is not supported yet");
    return std::nullopt;
  }
  NextHop hop;
  hop.host = std::string(uri.host);
  hop.port = uri.port;
  if (auto transport = uri.param("transport"); transport && !transport->empty()) {
    auto protocol = protocol_from_name(*transport);
    if (!protocol) {
      log_format(L_ERR, "cannot forward over transport '%.*s'", static_cast<int>(transport->size()), transport->data());
      return std::nullopt;
    }
    hop.protocol = *protocol;
  }
  return hop;
}

std::optional<SocketAddress> resolve_next_hop(const NextHop& hop) {
  return resolve_sip_destination(SipDestination{hop.host, hop.port, hop.protocol, false});
}

int send_local_reply(MessageContext& context, int code, std::string_view reason, std::string_view extra_headers) {
  if (!context.message.is_request() || context.message.method() == "ACK") return KAMC_RT_TRUE;
  std::vector<sip::Via> vias;
  if (!context.message.vias(vias).ok() || vias.empty()) {
    log_message(L_ERR, "cannot reply: the request has no usable Via");
    return KAMC_RT_FALSE;
  }
  std::string reply = build_reply(context, code, reason, extra_headers);
  return send_bytes(context, reply_target(context, vias[0]), reply) ? KAMC_RT_TRUE : KAMC_RT_FALSE;
}

int forward_request(MessageContext& context, const std::optional<NextHop>& explicit_hop) {
  if (!context.message.is_request()) {
    log_message(L_ERR, "forward() of a reply is not supported; replies are relayed by the core");
    return KAMC_RT_FALSE;
  }
  std::optional<NextHop> hop = explicit_hop;
  if (!hop) hop = next_hop_from_uri(context.destination_uri ? std::string_view(*context.destination_uri)
                                                            : context.request_uri());
  if (!hop) return KAMC_RT_FALSE;
  auto target = target_for(context, *hop);
  if (!target) return KAMC_RT_FALSE;
  std::vector<sip::Via> vias;
  if (!context.message.vias(vias).ok() || vias.empty()) return KAMC_RT_FALSE;
  std::string bytes = build_forwarded_request(context, *target, vias[0],
                                             stateless_branch(context, context.request_uri()), context.request_uri(),
                                             context.path_vector);
  return send_bytes(context, *target, bytes) ? KAMC_RT_TRUE : KAMC_RT_FALSE;
}

bool forward_reply(MessageContext& context) {
  std::vector<sip::Via> vias;
  if (!context.message.vias(vias).ok() || vias.size() < 2) {
    log_message(L_DBG, "reply without a second Via dropped");
    return false;
  }
  const sip::Via& ours = vias[0];
  if (!context.runtime.local_addresses().is_myself(ours.host, ours.port)) {
    log_format(L_WARN, "reply whose top Via (%.*s) is not ours dropped", static_cast<int>(ours.host.size()),
               ours.host.data());
    return false;
  }
  const sip::Via& next = vias[1];
  auto protocol = via_protocol(next);
  if (!protocol) return false;
  NextHop hop{std::string(next.received.value_or(next.host)), next.rport_value ? next.rport_value : next.port,
              *protocol};
  auto target = target_for(context, hop);
  if (!target) return false;
  MessageEdits edits = context.edits;
  remove_first_value(context, *context.message.first_header(sip::HeaderKind::Via), ours.text, edits);
  std::string bytes = edits.apply(context.buffer.substr(0, context.message.message_size()));
  return send_bytes(context, *target, bytes);
}

}  // namespace kamc::runtime
