// Lookup in the generic-param lists that follow Via, From/To/Contact and other header
// values (";name = value" with optional linear white space, RFC 3261 section 25).
#pragma once

#include <optional>
#include <string_view>

namespace kamc::sip {

// `params` is a list already validated by a header parser (e.g. Via::params). Returns
// the raw value (quoted strings keep their quotes), an empty view for a flag parameter,
// or nullopt when absent. Names compare case-insensitively.
std::optional<std::string_view> find_header_param(std::string_view params, std::string_view name);

// The whole "name" or "name=value" text of a parameter, as a view into `params`, for
// callers that rewrite it in place (e.g. filling in a bare "rport").
std::optional<std::string_view> find_header_param_text(std::string_view params, std::string_view name);

}  // namespace kamc::sip
