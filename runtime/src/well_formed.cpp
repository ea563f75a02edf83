// Whole-message syntax and consistency checks that decide between processing a message
// and answering 400 (or dropping a response).
#include "kamc/sip/well_formed.h"

#include <array>

namespace kamc::sip {

namespace {

ParseResult check_request_uri(const SipMessage& message) {
  Uri uri;
  if (auto r = message.request_uri(uri); !r) return r;
  if (uri.is_sip_or_sips() && !uri.headers.empty()) {
    return ParseResult::invalid("Request-URI must not contain headers");
  }
  return ParseResult::valid();
}

ParseResult check_header_counts(const SipMessage& message) {
  struct Rule {
    HeaderKind kind;
    bool required;
    std::string_view missing;
    std::string_view repeated;
  };
  static constexpr std::array<Rule, 7> kRules{{
      {HeaderKind::Via, true, "Via header is missing", {}},
      {HeaderKind::From, true, "From header is missing", "From header appears more than once"},
      {HeaderKind::To, true, "To header is missing", "To header appears more than once"},
      {HeaderKind::CallId, true, "Call-ID header is missing", "Call-ID header appears more than once"},
      {HeaderKind::CSeq, true, "CSeq header is missing", "CSeq header appears more than once"},
      {HeaderKind::MaxForwards, false, {}, "Max-Forwards header appears more than once"},
      {HeaderKind::ContentType, false, {}, "Content-Type header appears more than once"},
  }};
  for (const auto& rule : kRules) {
    std::size_t count = message.header_count(rule.kind);
    if (rule.required && count == 0) return ParseResult::invalid(rule.missing);
    if (!rule.repeated.empty() && count > 1) return ParseResult::invalid(rule.repeated);
  }
  return ParseResult::valid();
}

ParseResult check_address_headers(const SipMessage& message) {
  NameAddr address;
  if (auto r = message.from(address); !r) return r;
  if (auto r = message.to(address); !r) return r;
  std::vector<NameAddr> list;
  if (auto r = message.contacts(list); !r) return r;
  if (auto r = message.address_list(HeaderKind::Route, list); !r) return r;
  return message.address_list(HeaderKind::RecordRoute, list);
}

ParseResult check_scalar_headers(const SipMessage& message) {
  if (auto r = validate_call_id(message.call_id()); !r) return r;
  CSeq cseq;
  if (auto r = message.cseq(cseq); !r) return r;
  if (message.is_request() && cseq.method != message.method()) {
    return ParseResult::invalid("CSeq method does not match the request method");
  }
  std::uint32_t hops = 0;
  if (message.first_header(HeaderKind::MaxForwards)) {
    if (auto r = message.max_forwards(hops); !r) return r;
  }
  if (const HeaderField* date = message.first_header(HeaderKind::Date)) {
    if (auto r = validate_sip_date(date->value); !r) return r;
  }
  return ParseResult::valid();
}

}  // namespace

ParseResult check_well_formed(const SipMessage& message) {
  if (message.is_request()) {
    if (auto r = check_request_uri(message); !r) return r;
  }
  if (auto r = check_header_counts(message); !r) return r;
  std::vector<Via> vias;
  if (auto r = message.vias(vias); !r) return r;
  if (auto r = check_address_headers(message); !r) return r;
  return check_scalar_headers(message);
}

ParseResult parse_and_check(std::string_view buffer, SipMessage& message, FramingMode mode) {
  if (auto r = message.parse(buffer, mode); !r) return r;
  return check_well_formed(message);
}

}  // namespace kamc::sip
