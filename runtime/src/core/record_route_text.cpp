// rr's Record-Route lines, rendered for the sending socket.
#include "record_route_text.h"

#include "sip_edit.h"

namespace kamc::runtime {

namespace {

std::string record_route_line(const ListenSocket& socket, SocketRole role, bool r2, std::string_view suffix) {
  std::string line = "Record-Route: <sip:" + record_route_address(socket, role);
  if (r2) line += ";r2=on";
  line += suffix;
  line += '>';
  return line;
}

bool same_realm(const ListenSocket& received_on, Protocol received_protocol, const ListenSocket& sent_from) {
  return received_on.protocol == sent_from.protocol && received_protocol == sent_from.protocol &&
         received_on.address == sent_from.address;
}

}  // namespace

std::string record_route_address(const ListenSocket& socket, SocketRole role) {
  std::string address = role == SocketRole::Sending ? socket.record_route_sending : socket.record_route_receiving;
  if (socket.protocol != Protocol::Udp) address += ";transport=" + std::string(protocol_name(socket.protocol));
  return address;
}

std::size_t record_route_offset(const MessageContext& context) {
  std::size_t offset = first_header_offset(context);
  if (offset >= 2 && context.buffer.substr(offset - 2, 2) == "\r\n") return offset - 2;
  if (offset >= 1 && context.buffer[offset - 1] == '\n') return offset - 1;
  return offset;
}

std::string RecordRouteLines::render(const SendSockets& sockets) const {
  bool doubled = mode_ == DoubleRecordRoute::Always ||
                 (mode_ == DoubleRecordRoute::WhenSocketDiffers &&
                  !same_realm(sockets.received_on, sockets.received_protocol, sockets.sent_from));
  if (!doubled) return "\r\n" + record_route_line(sockets.received_on, SocketRole::Receiving, false, suffix_);
  return "\r\n" + record_route_line(sockets.sent_from, SocketRole::Sending, true, suffix_) + "\r\n" +
         record_route_line(sockets.received_on, SocketRole::Receiving, true, suffix_);
}

}  // namespace kamc::runtime
