// The Record-Route lines of rr, whose final form depends on the socket a request leaves
// from. With enable_double_rr (1 by default) Kamailio adds a second Record-Route for the
// sending socket when it is not the receiving one (other transport, address or port) and
// marks both with ;r2=on, so that in-dialog requests are routed back out of the right
// socket. The sending socket is known only when the request is sent, after the route has
// finished (Kamailio resolves conditional lumps then). Here record_route() inserts a
// deferred text (message_edits.h) that renders for the sending socket.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "kamc/runtime/local_addresses.h"
#include "kamc/runtime/message_context.h"

namespace kamc::runtime {

// rr's enable_double_rr values.
enum class DoubleRecordRoute { Off = 0, WhenSocketDiffers = 1, Always = 2 };

// Which end of the proxy a Record-Route names: the socket the request came in on, or the
// one it leaves from (the second line of a double Record-Route). Advertised addresses
// apply differently to the two (ListenSocket::record_route_*).
enum class SocketRole { Receiving, Sending };

// The part of a Record-Route URI Kamailio writes for a socket: "127.0.0.1:5080;transport=tcp"
// (no port when it is 5060, no transport parameter for UDP), advertised addresses applied.
std::string record_route_address(const ListenSocket& socket, SocketRole role);

// Where rr inserts its lines: at the end of the request line, so they come before every
// header (Kamailio anchors them at the first header) and are not part of any header line
// that a local reply copies. The inserted text starts with CRLF.
std::size_t record_route_offset(const MessageContext& context);

// What record_route() inserts at record_route_offset(), starting with CRLF. `suffix`
// follows the address (and ;r2=on): ";lr;ftag=...;params". Rendered for the sockets:
// two lines, the sending socket's first and both with ;r2=on, when the socket or
// transport differs (or the mode is Always); else the receiving socket's line alone.
class RecordRouteLines : public DeferredText {
 public:
  RecordRouteLines(std::string suffix, DoubleRecordRoute mode) : suffix_(std::move(suffix)), mode_(mode) {}
  std::string render(const SendSockets& sockets) const override;

 private:
  std::string suffix_;
  DoubleRecordRoute mode_;
};

}  // namespace kamc::runtime
