// rr's Record-Route lines and their send-time placeholders.
#include "record_route_text.h"

#include <algorithm>
#include <iterator>

#include "sip_edit.h"

namespace kamc::runtime {

namespace {

// \x01 cannot occur in a header that passed the parser's checks, so the placeholder cannot
// be confused with received text. Its form: \x01 kamc-rr MODE SUFFIX \x01.
constexpr char kMark = '\x01';
constexpr std::string_view kPlaceholderStart = "\x01kamc-rr";

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

std::string record_route_text(const ListenSocket& received_on, std::string_view suffix, DoubleRecordRoute mode) {
  if (mode == DoubleRecordRoute::Off) return "\r\n" + record_route_line(received_on, SocketRole::Receiving, false, suffix);
  std::string text = "\r\n";
  text += kPlaceholderStart;
  text += static_cast<char>('0' + static_cast<int>(mode));
  std::copy_if(suffix.begin(), suffix.end(), std::back_inserter(text), [](char c) { return c != kMark; });
  text += kMark;
  return text;
}

void fill_record_routes(std::string& request, const ListenSocket& received_on, Protocol received_protocol,
                        const ListenSocket& sent_from) {
  std::size_t headers_end = request.find("\r\n\r\n");
  if (headers_end == std::string::npos) headers_end = request.size();
  std::size_t start = 0;
  while ((start = request.find(kPlaceholderStart, start)) < headers_end) {
    std::size_t mode_at = start + kPlaceholderStart.size();
    std::size_t end = request.find(kMark, mode_at);
    if (end == std::string::npos || end == mode_at) break;
    auto mode = static_cast<DoubleRecordRoute>(request[mode_at] - '0');
    std::string_view suffix = std::string_view(request).substr(mode_at + 1, end - mode_at - 1);
    std::string lines;
    if (mode == DoubleRecordRoute::Always || !same_realm(received_on, received_protocol, sent_from)) {
      lines = record_route_line(sent_from, SocketRole::Sending, true, suffix) + "\r\n" +
              record_route_line(received_on, SocketRole::Receiving, true, suffix);
    } else {
      lines = record_route_line(received_on, SocketRole::Receiving, false, suffix);
    }
    std::size_t placeholder_size = end + 1 - start;
    headers_end = headers_end + lines.size() - placeholder_size;
    request.replace(start, placeholder_size, lines);
    start += lines.size();
  }
}

}  // namespace kamc::runtime
