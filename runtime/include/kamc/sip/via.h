// Via header parser (RFC 3261 section 20.42) with the received/rport parameters of
// RFC 3581 and the IPv6 forms of RFC 5118.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "kamc/sip/parse_result.h"

namespace kamc::sip {

struct Via {
  std::string_view protocol_name;     // "SIP"
  std::string_view protocol_version;  // "2.0"
  std::string_view transport;         // "UDP", "TCP", "TLS", "SCTP", "WS", or any token
  std::string_view host;              // sent-by host; an IPv6 reference keeps its brackets
  std::optional<std::uint16_t> port;  // sent-by port
  std::string_view params;            // raw list after the first ';' (see find_header_param)
  std::optional<std::string_view> branch;
  // As written: "192.0.2.1", "2001:db8::9" or "[2001:db8::9]" (RFC 5118 4.5 allows both).
  std::optional<std::string_view> received;
  bool has_rport = false;                    // "rport" present, with or without a value
  std::optional<std::uint16_t> rport_value;  // set when "rport=N"
  std::string_view text;                     // the whole via-parm

  std::optional<std::string_view> param(std::string_view name) const;
};

// Parses one Via header value, which may hold several comma-separated via-parms;
// appends them to `out` in order.
ParseResult parse_via_header(std::string_view value, std::vector<Via>& out);

}  // namespace kamc::sip
