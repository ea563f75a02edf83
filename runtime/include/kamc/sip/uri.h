// URI parser for sip:, sips: and tel: (RFC 3261 19.1, RFC 3966); other schemes are kept
// as opaque absolute URIs. All fields are views into the caller's buffer.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "kamc/sip/parse_result.h"

namespace kamc::sip {

enum class UriScheme { Sip, Sips, Tel, Other };

struct Uri {
  UriScheme scheme = UriScheme::Other;
  std::string_view text;         // the whole URI
  std::string_view scheme_name;  // as written, e.g. "SIP"
  std::string_view user;         // tel: the telephone-subscriber number
  std::string_view password;
  bool has_password = false;
  // As written; an IPv6 reference keeps its brackets, as Kamailio's $rd does.
  std::string_view host;
  bool host_is_ipv6_reference = false;
  std::optional<std::uint16_t> port;
  std::string_view params;   // after the first ';', without it
  std::string_view headers;  // after '?', without it
  std::string_view opaque;   // UriScheme::Other: everything after "scheme:"

  bool is_sip_or_sips() const { return scheme == UriScheme::Sip || scheme == UriScheme::Sips; }
  // Value of a uri-parameter (case-insensitive name); empty view for "lr"-style flags.
  // Percent escapes are returned as written.
  std::optional<std::string_view> param(std::string_view name) const;
};

// Parses and validates `text` (which must not carry surrounding whitespace or <>).
ParseResult parse_uri(std::string_view text, Uri& out);

}  // namespace kamc::sip
