// sip/sips/tel URI parsing per RFC 3261 section 19.1 and 25 and RFC 3966.
#include "kamc/sip/uri.h"

#include "kamc/sip/host.h"
#include "text.h"

namespace kamc::sip {

using detail::is_alnum;
using detail::is_alpha;
using detail::is_digit;
using detail::is_one_of;
using detail::is_unreserved;

namespace {

bool is_user_char(char c) { return is_unreserved(c) || is_one_of(c, "&=+$,;?/"); }
bool is_password_char(char c) { return is_unreserved(c) || is_one_of(c, "&=+$,"); }
bool is_param_char(char c) { return is_unreserved(c) || is_one_of(c, "[]/:&+$"); }
bool is_header_char(char c) { return is_unreserved(c) || is_one_of(c, "[]/?:+$"); }
bool is_scheme_char(char c) { return is_alnum(c) || is_one_of(c, "+-."); }
// Everything an opaque absoluteURI may hold (uric plus '#' for fragments seen in the wild).
bool is_opaque_char(char c) { return is_unreserved(c) || is_one_of(c, ";/?:@&=+$,[]#"); }
bool is_tel_char(char c) { return is_alnum(c) || is_one_of(c, "+-.()*#"); }

// Validates "name[=value]" items separated by `separator`; no item may be empty.
bool is_valid_item_list(std::string_view list, char separator, bool (*allowed)(char),
                        bool value_may_be_empty) {
  while (true) {
    std::size_t end = list.find(separator);
    std::string_view item = list.substr(0, end);
    std::size_t eq = item.find('=');
    std::string_view name = item.substr(0, eq);
    if (name.empty() || !detail::all_chars_or_escapes(name, allowed)) return false;
    if (eq != std::string_view::npos) {
      std::string_view value = item.substr(eq + 1);
      if (value.empty() && !value_may_be_empty) return false;
      if (!detail::all_chars_or_escapes(value, allowed)) return false;
    }
    if (end == std::string_view::npos) return true;
    list.remove_prefix(end + 1);
  }
}

ParseResult parse_user_info(std::string_view userinfo, Uri& out) {
  std::size_t colon = userinfo.find(':');
  out.user = userinfo.substr(0, colon);
  if (out.user.empty()) return ParseResult::invalid("URI user part is empty");
  if (!detail::all_chars_or_escapes(out.user, is_user_char)) {
    return ParseResult::invalid("URI user part has an invalid character or escape");
  }
  if (colon != std::string_view::npos) {
    out.has_password = true;
    out.password = userinfo.substr(colon + 1);
    if (!detail::all_chars_or_escapes(out.password, is_password_char)) {
      return ParseResult::invalid("URI password has an invalid character or escape");
    }
  }
  return ParseResult::valid();
}

// hostport = host [ ":" port ]; `text` ends before ';' or '?'.
ParseResult parse_host_port(std::string_view text, Uri& out) {
  std::string_view port_text;
  bool has_port = false;
  if (!text.empty() && text.front() == '[') {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos) return ParseResult::invalid("URI IPv6 reference lacks ']'");
    out.host = text.substr(0, close + 1);
    out.host_is_ipv6_reference = true;
    std::string_view after = text.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return ParseResult::invalid("URI has garbage after IPv6 reference");
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    std::size_t colon = text.find(':');
    out.host = text.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = text.substr(colon + 1);
    }
  }
  if (!is_valid_host(out.host)) return ParseResult::invalid("URI host is not a valid host name or address");
  if (has_port) {
    auto port = detail::parse_decimal(port_text, 65535);
    if (!port || port_text.size() > 5) return ParseResult::invalid("URI port is not a number from 0 to 65535");
    out.port = static_cast<std::uint16_t>(*port);
  }
  return ParseResult::valid();
}

ParseResult parse_sip_uri(std::string_view rest, Uri& out) {
  // '@' cannot appear unescaped in host, params or headers, so its presence alone says
  // whether there is a userinfo part (whose user may itself hold ';' and '?').
  std::size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    if (auto r = parse_user_info(rest.substr(0, at), out); !r) return r;
    rest.remove_prefix(at + 1);
  }
  std::size_t question = rest.find('?');
  if (question != std::string_view::npos) {
    out.headers = rest.substr(question + 1);
    rest = rest.substr(0, question);
    if (!is_valid_item_list(out.headers, '&', is_header_char, true)) {
      return ParseResult::invalid("URI headers are malformed");
    }
  }
  // An IPv6 reference holds only hex digits, ':' and '.', so the first ';' ends hostport.
  std::size_t semicolon = rest.find(';');
  if (semicolon != std::string_view::npos) {
    out.params = rest.substr(semicolon + 1);
    if (!is_valid_item_list(out.params, ';', is_param_char, false)) {
      return ParseResult::invalid("URI parameters are malformed");
    }
  }
  return parse_host_port(rest.substr(0, semicolon), out);
}

ParseResult parse_tel_uri(std::string_view rest, Uri& out) {
  std::size_t semicolon = rest.find(';');
  out.user = rest.substr(0, semicolon);
  if (out.user.empty() || !detail::all_chars_or_escapes(out.user, is_tel_char)) {
    return ParseResult::invalid("tel URI number is empty or has an invalid character");
  }
  if (semicolon != std::string_view::npos) {
    out.params = rest.substr(semicolon + 1);
    if (!is_valid_item_list(out.params, ';', is_param_char, false)) {
      return ParseResult::invalid("tel URI parameters are malformed");
    }
  }
  return ParseResult::valid();
}

UriScheme classify_scheme(std::string_view name) {
  if (detail::equals_ignore_case(name, "sip")) return UriScheme::Sip;
  if (detail::equals_ignore_case(name, "sips")) return UriScheme::Sips;
  if (detail::equals_ignore_case(name, "tel")) return UriScheme::Tel;
  return UriScheme::Other;
}

}  // namespace

ParseResult parse_uri(std::string_view text, Uri& out) {
  out = Uri{};
  out.text = text;
  std::size_t colon = text.find(':');
  out.scheme_name = text.substr(0, colon);
  if (colon == std::string_view::npos || out.scheme_name.empty() || !is_alpha(out.scheme_name.front())) {
    return ParseResult::invalid("URI does not start with a scheme");
  }
  for (char c : out.scheme_name) {
    if (!is_scheme_char(c)) return ParseResult::invalid("URI scheme has an invalid character");
  }
  out.scheme = classify_scheme(out.scheme_name);
  std::string_view rest = text.substr(colon + 1);
  switch (out.scheme) {
    case UriScheme::Sip:
    case UriScheme::Sips:
      return parse_sip_uri(rest, out);
    case UriScheme::Tel:
      return parse_tel_uri(rest, out);
    case UriScheme::Other:
      out.opaque = rest;
      if (rest.empty() || !detail::all_chars_or_escapes(rest, is_opaque_char)) {
        return ParseResult::invalid("URI has an invalid character");
      }
      return ParseResult::valid();
  }
  return ParseResult::invalid("URI scheme is not supported");
}

std::optional<std::string_view> Uri::param(std::string_view name) const {
  std::string_view list = params;
  while (!list.empty()) {
    std::size_t end = list.find(';');
    std::string_view item = list.substr(0, end);
    std::size_t eq = item.find('=');
    if (detail::equals_ignore_case(item.substr(0, eq), name)) {
      return eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
    }
    if (end == std::string_view::npos) break;
    list.remove_prefix(end + 1);
  }
  return std::nullopt;
}

}  // namespace kamc::sip
