// Stateless proxy core: local replies, forwarding a request to its next hop, and relaying
// a reply back along the Via path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kamc/runtime/message_context.h"
#include "kamc/sip/via.h"

namespace kamc::runtime {

struct NextHop {
  std::string host;  // IP address or name, IPv6 with or without brackets
  std::optional<std::uint16_t> port;  // nullopt: none was given, so a name is looked up by SRV
  Protocol protocol = Protocol::Udp;
};

// sip:/sips: URI to its next hop: host, port and ;transport=. nullopt and a log line for
// URIs the runtime cannot reach (tel:, sips: until TLS exists, unknown transports).
std::optional<NextHop> next_hop_from_uri(std::string_view uri_text);

// The address of a next hop, RFC 3263 as Kamailio resolves it (dns_resolver.h): an IP
// literal as is; a name with a port by A/AAAA; a name without a port by the SRV records of
// _sip._udp / _sip._tcp, falling back to A/AAAA on 5060.
std::optional<SocketAddress> resolve_next_hop(const NextHop& hop);

// Where a message to `hop` goes: its address (resolved) and the socket it leaves from.
// nullopt and a log line when it cannot be resolved or no socket fits.
std::optional<SendTarget> target_for(MessageContext& context, const NextHop& hop);

// The request of `context` as it is forwarded to `target`: our Via (with `branch`) on
// top, received/rport in the client's Via, the route's edits, `request_uri` as the
// Request-URI, `path` (a Path vector) as a Route header, and Content-Length added for
// streams.
std::string build_forwarded_request(MessageContext& context, const SendTarget& target, const sip::Via& top,
                                    std::string_view branch, std::string_view request_uri,
                                    std::string_view path = {});

// sl_send_reply and friends. No reply is ever sent to an ACK. 1 when sent, -1 otherwise.
// extra_headers: whole header lines added to the reply.
int send_local_reply(MessageContext& context, int code, std::string_view reason,
                     std::string_view extra_headers = {});

// forward(): to `hop` when given, else to $du, else to the (new) R-URI. Adds this
// proxy's Via with a stateless branch. 1 when sent, -1 otherwise.
int forward_request(MessageContext& context, const std::optional<NextHop>& hop);

// The core's handling of a reply: our Via must be on top; it is removed and the reply
// goes to the next Via (received/rport honoured). false when it was dropped.
bool forward_reply(MessageContext& context);

}  // namespace kamc::runtime
