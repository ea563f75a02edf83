// Header names the runtime knows, with their compact forms (RFC 3261 7.3.3 and the
// IANA SIP header registry); names compare case-insensitively.
#pragma once

#include <cstdint>
#include <string_view>

namespace kamc::sip {

enum class HeaderKind : std::uint8_t {
  Other,
  Via,
  From,
  To,
  CallId,
  CSeq,
  Contact,
  ContentLength,
  ContentType,
  ContentEncoding,
  MaxForwards,
  Route,
  RecordRoute,
  Subject,
  Supported,
  Require,
  ProxyRequire,
  Expires,
  Date,
  Event,
  AllowEvents,
  ReferTo,
  ReferredBy,
  AcceptContact,
  RejectContact,
  RequestDisposition,
  SessionExpires,
  Identity,
  IdentityInfo,
  Authorization,
  ProxyAuthorization,
  UserAgent,
};

// Full or compact name (e.g. "v", "VIA") to its kind; HeaderKind::Other if unknown.
HeaderKind header_kind_from_name(std::string_view name);
// The canonical full name, e.g. "Call-ID"; empty for HeaderKind::Other.
std::string_view canonical_header_name(HeaderKind kind);

}  // namespace kamc::sip
