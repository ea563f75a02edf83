// Validation of the host forms SIP allows: hostname, IPv4 address, IPv6 address and
// bracketed IPv6 reference (RFC 3261 section 25, with the RFC 5954 IPv6 correction).
#pragma once

#include <string_view>

namespace kamc::sip {

bool is_ipv4_address(std::string_view text);
// RFC 4291 text form: at most one "::", hex groups of 1-4 digits, optional trailing
// dotted IPv4. "2001:db8:::192.0.2.1" is rejected (RFC 5954 fixed RFC 3261's ABNF).
bool is_ipv6_address(std::string_view text);
// "[" IPv6address "]"
bool is_ipv6_reference(std::string_view text);
bool is_hostname(std::string_view text);
// Any of the above; what a SIP URI or Via sent-by may carry.
bool is_valid_host(std::string_view text);

}  // namespace kamc::sip
