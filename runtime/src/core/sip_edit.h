// Building outgoing SIP from a received message: header line ranges, the Via fixes of
// RFC 3581, the Via a stateless proxy inserts, local replies and where they go.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "kamc/runtime/message_context.h"
#include "kamc/sip/via.h"

namespace kamc::runtime {

struct ByteRange {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// A whole header line, from its name to after its CRLF (folded lines included).
ByteRange header_line_range(const MessageContext& context, const sip::HeaderField& field);
// Where header lines inserted in front of all others go (Kamailio anchors Record-Route
// there), and where lines appended after the last header go.
std::size_t first_header_offset(const MessageContext& context);
std::size_t end_of_headers_offset(const MessageContext& context);

// Deletes the first value of a list header (a via-parm, a Route entry): the whole line
// when it is the only value, else the value and the comma after it.
void remove_first_value(const MessageContext& context, const sip::HeaderField& field,
                        std::string_view value_text, MessageEdits& edits);

// received= and rport= for the top Via of a request (RFC 3581): received when the
// source IP differs from the sent-by host; rport filled in when the client asked for
// it, and always on stream transports so replies find the connection again.
void add_top_via_fixes(const MessageContext& context, const sip::Via& top, MessageEdits& edits);

// The branch of a stateless proxy (RFC 3261 16.11): the same for retransmissions and
// for the CANCEL and ACK of an INVITE, different for different transactions.
std::string stateless_branch(const MessageContext& context, std::string_view outgoing_uri);

// A complete reply to the request in `context`: its Vias (top one fixed), From, To
// (with a to-tag for non-100 replies), Call-ID, CSeq, the append_to_reply() headers of
// `context`, and an empty body.
// extra_headers: whole lines ("Unsupported: x\r\n") placed before Server.
std::string build_reply(const MessageContext& context, int code, std::string_view reason,
                        std::string_view extra_headers = {});
// RFC 3261 18.2.2 with RFC 3581: the connection it came on, else source IP and rport or
// Via port.
SendTarget reply_target(const MessageContext& context, const sip::Via& top);

std::string to_hex(std::uint64_t value);
std::uint64_t fnv1a(std::string_view text, std::uint64_t seed = 1469598103934665603ULL);

}  // namespace kamc::runtime
