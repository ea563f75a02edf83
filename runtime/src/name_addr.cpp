// name-addr / addr-spec parsing. The strictness here is what rejects RFC 4475's
// quotbal, badaspec, baddn and regbadct messages.
#include "kamc/sip/name_addr.h"

#include "header_params_scan.h"
#include "kamc/sip/header_params.h"

namespace kamc::sip {

using detail::Cursor;
using detail::ScannedParam;

namespace {

// display-name = *(token LWS) / quoted-string; the caller has seen it is not an addr-spec.
ParseResult parse_display_name(Cursor& cursor, NameAddr& out) {
  std::size_t start = cursor.position();
  if (cursor.peek() == '"') {
    auto quoted = detail::scan_quoted_string(cursor);
    if (!quoted) return ParseResult::invalid("unterminated quoted string in display name");
    out.display_name = *quoted;
    out.display_name_is_quoted = true;
    return ParseResult::valid();
  }
  std::size_t end = start;
  while (!cursor.take_while(detail::is_token_char).empty()) {
    end = cursor.position();
    cursor.skip_lws();
  }
  cursor.reset(end);
  out.display_name = cursor.slice_from(start);
  return ParseResult::valid();
}

ParseResult parse_bracketed_uri(Cursor& cursor, NameAddr& out) {
  cursor.skip_lws();
  if (!cursor.consume('<')) {
    return ParseResult::invalid("display name must be a token list or quoted string followed by <URI>");
  }
  std::string_view uri_text = cursor.take_while([](char c) { return c != '>'; });
  if (!cursor.consume('>')) return ParseResult::invalid("'<' without matching '>'");
  for (char c : uri_text) {
    if (detail::is_lws_char(c)) return ParseResult::invalid("whitespace inside <URI>");
  }
  out.uri_in_brackets = true;
  return parse_uri(uri_text, out.uri);
}

// addr-spec without brackets ends at whitespace, ';' or ','. A URI with ';', ',' or '?'
// must be bracketed (RFC 3261 20), so those characters belong to the header here.
ParseResult parse_bare_uri(Cursor& cursor, NameAddr& out) {
  std::string_view uri_text = cursor.take_while(
      [](char c) { return !detail::is_lws_char(c) && c != ';' && c != ','; });
  if (uri_text.find('?') != std::string_view::npos) {
    return ParseResult::invalid("a URI with headers must be enclosed in <>");
  }
  return parse_uri(uri_text, out.uri);
}

// An addr-spec starts with "scheme:"; a display name never contains ':'.
bool starts_with_addr_spec(const Cursor& cursor) {
  std::string_view rest = cursor.rest();
  std::size_t i = 0;
  while (i < rest.size() && detail::is_token_char(rest[i])) ++i;
  return i > 0 && i < rest.size() && rest[i] == ':';
}

ParseResult parse_one(Cursor& cursor, NameAddr& out) {
  std::size_t start = cursor.position();
  ParseResult uri_result;
  if (starts_with_addr_spec(cursor)) {
    uri_result = parse_bare_uri(cursor, out);
  } else {
    if (auto r = parse_display_name(cursor, out); !r) return r;
    uri_result = parse_bracketed_uri(cursor, out);
  }
  if (!uri_result) return uri_result;
  auto r = detail::scan_header_params(cursor, out.params, [&out](const ScannedParam& p) {
    if (detail::equals_ignore_case(p.name, "tag")) {
      if (!p.has_value || p.value.front() == '"') return ParseResult::invalid("tag must be a token");
      out.tag = p.value;
    }
    return ParseResult::valid();
  });
  out.text = cursor.slice_from(start);
  return r;
}

}  // namespace

ParseResult parse_name_addr(std::string_view value, NameAddr& out) {
  out = NameAddr{};
  Cursor cursor(value);
  cursor.skip_lws();
  if (auto r = parse_one(cursor, out); !r) return r;
  cursor.skip_lws();
  if (!cursor.at_end()) return ParseResult::invalid("unexpected text after address");
  return ParseResult::valid();
}

ParseResult parse_name_addr_list(std::string_view value, std::vector<NameAddr>& out) {
  return detail::parse_comma_list(value, out, parse_one, "unexpected text after address");
}

bool is_star_contact(std::string_view value) { return detail::trim_lws(value) == "*"; }

std::optional<std::string_view> NameAddr::param(std::string_view name) const {
  return find_header_param(params, name);
}

}  // namespace kamc::sip
