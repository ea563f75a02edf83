// The full syntax check a server runs before acting on a message: after framing, every
// header the core relies on is parsed and the RFC 3261 consistency rules are applied.
// A failure is answered with ParseResult::reply_code for requests and dropped for responses.
#pragma once

#include <string_view>

#include "kamc/sip/message.h"
#include "kamc/sip/parse_result.h"

namespace kamc::sip {

// Checks, beyond SipMessage::parse:
//  - Request-URI syntax, and no headers in a sip/sips Request-URI (RFC 3261 19.1.1);
//  - Via, From, To, Call-ID and CSeq present; From, To, Call-ID, CSeq, Max-Forwards and
//    Content-Type not repeated (RFC 4475 3.3.8);
//  - the syntax of Via, From, To, Contact, Route, Record-Route, Call-ID, CSeq,
//    Max-Forwards and Date;
//  - CSeq method equal to the request method (RFC 4475 3.1.2.17/18).
// Application-level reactions (416, 420, 483, ...) are not this function's business.
ParseResult check_well_formed(const SipMessage& message);

// SipMessage::parse followed by check_well_formed.
ParseResult parse_and_check(std::string_view buffer, SipMessage& message,
                            FramingMode mode = FramingMode::Datagram);

}  // namespace kamc::sip
