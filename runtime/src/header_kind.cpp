// The table of known header names: one row per header, compact form beside it.
#include "kamc/sip/header_kind.h"

#include <array>

#include "text.h"

namespace kamc::sip {

namespace {

struct HeaderNameRow {
  HeaderKind kind;
  std::string_view full_name;
  char compact_name;  // '\0' when the header has no compact form
};

constexpr std::array<HeaderNameRow, 31> kHeaderNames{{
    {HeaderKind::Via, "Via", 'v'},
    {HeaderKind::From, "From", 'f'},
    {HeaderKind::To, "To", 't'},
    {HeaderKind::CallId, "Call-ID", 'i'},
    {HeaderKind::CSeq, "CSeq", '\0'},
    {HeaderKind::Contact, "Contact", 'm'},
    {HeaderKind::ContentLength, "Content-Length", 'l'},
    {HeaderKind::ContentType, "Content-Type", 'c'},
    {HeaderKind::ContentEncoding, "Content-Encoding", 'e'},
    {HeaderKind::MaxForwards, "Max-Forwards", '\0'},
    {HeaderKind::Route, "Route", '\0'},
    {HeaderKind::RecordRoute, "Record-Route", '\0'},
    {HeaderKind::Subject, "Subject", 's'},
    {HeaderKind::Supported, "Supported", 'k'},
    {HeaderKind::Require, "Require", '\0'},
    {HeaderKind::ProxyRequire, "Proxy-Require", '\0'},
    {HeaderKind::Expires, "Expires", '\0'},
    {HeaderKind::Date, "Date", '\0'},
    {HeaderKind::Event, "Event", 'o'},
    {HeaderKind::AllowEvents, "Allow-Events", 'u'},
    {HeaderKind::ReferTo, "Refer-To", 'r'},
    {HeaderKind::ReferredBy, "Referred-By", 'b'},
    {HeaderKind::AcceptContact, "Accept-Contact", 'a'},
    {HeaderKind::RejectContact, "Reject-Contact", 'j'},
    {HeaderKind::RequestDisposition, "Request-Disposition", 'd'},
    {HeaderKind::SessionExpires, "Session-Expires", 'x'},
    {HeaderKind::Identity, "Identity", 'y'},
    {HeaderKind::IdentityInfo, "Identity-Info", 'n'},
    {HeaderKind::Authorization, "Authorization", '\0'},
    {HeaderKind::ProxyAuthorization, "Proxy-Authorization", '\0'},
    {HeaderKind::UserAgent, "User-Agent", '\0'},
}};

char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

HeaderKind header_kind_from_name(std::string_view name) {
  if (name.size() == 1) {
    char compact = to_lower(name.front());
    for (const auto& row : kHeaderNames) {
      if (row.compact_name == compact) return row.kind;
    }
    return HeaderKind::Other;
  }
  for (const auto& row : kHeaderNames) {
    if (detail::equals_ignore_case(row.full_name, name)) return row.kind;
  }
  return HeaderKind::Other;
}

std::string_view canonical_header_name(HeaderKind kind) {
  for (const auto& row : kHeaderNames) {
    if (row.kind == kind) return row.full_name;
  }
  return {};
}

}  // namespace kamc::sip
