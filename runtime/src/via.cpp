// Via parsing: sent-protocol, sent-by and the parameters a proxy needs (branch,
// received, rport), tolerating the LWS that RFC 3261 allows around every separator.
#include "kamc/sip/via.h"

#include "header_params_scan.h"
#include "kamc/sip/header_params.h"
#include "kamc/sip/host.h"

namespace kamc::sip {

using detail::Cursor;
using detail::ScannedParam;

namespace {

bool is_host_char(char c) { return detail::is_alnum(c) || c == '-' || c == '.'; }

ParseResult parse_sent_protocol(Cursor& cursor, Via& via) {
  via.protocol_name = cursor.take_while(detail::is_token_char);
  if (via.protocol_name.empty() || !cursor.consume_separator('/')) {
    return ParseResult::invalid("Via has a malformed sent-protocol");
  }
  via.protocol_version = cursor.take_while(detail::is_token_char);
  if (via.protocol_version.empty() || !cursor.consume_separator('/')) {
    return ParseResult::invalid("Via has a malformed sent-protocol");
  }
  via.transport = cursor.take_while(detail::is_token_char);
  if (via.transport.empty()) return ParseResult::invalid("Via has no transport");
  return ParseResult::valid();
}

ParseResult parse_sent_by(Cursor& cursor, Via& via) {
  std::size_t start = cursor.position();
  if (cursor.peek() == '[') {
    cursor.take_while([](char c) { return c != ']' && !detail::is_lws_char(c); });
    if (!cursor.consume(']')) return ParseResult::invalid("Via IPv6 reference lacks ']'");
  } else {
    cursor.take_while(is_host_char);
  }
  via.host = cursor.slice_from(start);
  if (!is_valid_host(via.host)) return ParseResult::invalid("Via sent-by host is not a valid host");
  if (cursor.consume_separator(':')) {
    via.port = detail::parse_port(cursor.take_while(detail::is_digit));
    if (!via.port) return ParseResult::invalid("Via sent-by port is not a number from 0 to 65535");
  }
  return ParseResult::valid();
}

bool is_received_address(std::string_view value) {
  return is_ipv4_address(value) || is_ipv6_address(value) || is_ipv6_reference(value);
}

ParseResult apply_via_param(const ScannedParam& param, Via& via) {
  if (detail::equals_ignore_case(param.name, "branch")) {
    if (!param.has_value || param.value.front() == '"') return ParseResult::invalid("Via branch must be a token");
    via.branch = param.value;
  } else if (detail::equals_ignore_case(param.name, "received")) {
    if (!param.has_value || !is_received_address(param.value)) {
      return ParseResult::invalid("Via received is not an IP address");
    }
    via.received = param.value;
  } else if (detail::equals_ignore_case(param.name, "rport")) {
    via.has_rport = true;
    if (param.has_value) {
      via.rport_value = detail::parse_port(param.value);
      if (!via.rport_value) return ParseResult::invalid("Via rport is not a port number");
    }
  } else if (detail::equals_ignore_case(param.name, "ttl")) {
    if (!param.has_value || !detail::parse_decimal(param.value, 255)) {
      return ParseResult::invalid("Via ttl is not a number from 0 to 255");
    }
  } else if (detail::equals_ignore_case(param.name, "maddr")) {
    if (!param.has_value || !is_valid_host(param.value)) return ParseResult::invalid("Via maddr is not a host");
  }
  return ParseResult::valid();
}

ParseResult parse_via_parm(Cursor& cursor, Via& via) {
  std::size_t start = cursor.position();
  if (auto r = parse_sent_protocol(cursor, via); !r) return r;
  if (!cursor.skip_lws()) return ParseResult::invalid("Via needs whitespace before sent-by");
  if (auto r = parse_sent_by(cursor, via); !r) return r;
  auto r = detail::scan_header_params(cursor, via.params,
                                      [&via](const ScannedParam& p) { return apply_via_param(p, via); });
  via.text = cursor.slice_from(start);
  return r;
}

}  // namespace

ParseResult parse_via_header(std::string_view value, std::vector<Via>& out) {
  return detail::parse_comma_list(value, out, parse_via_parm,
                                  "Via has an unexpected character after a value");
}

std::optional<std::string_view> Via::param(std::string_view name) const {
  return find_header_param(params, name);
}

}  // namespace kamc::sip
