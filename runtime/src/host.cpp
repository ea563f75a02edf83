// Host validators for URIs and Via headers; pure functions over string_views.
#include "kamc/sip/host.h"

#include "text.h"

namespace kamc::sip {

using detail::is_alnum;
using detail::is_alpha;
using detail::is_digit;
using detail::is_hex;

bool is_ipv4_address(std::string_view text) {
  int octets = 0;
  while (true) {
    std::size_t dot = text.find('.');
    std::string_view octet = text.substr(0, dot);
    if (octet.size() > 3 || !detail::parse_decimal(octet, 255)) return false;
    ++octets;
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  return octets == 4;
}

bool is_ipv6_address(std::string_view text) {
  if (text.empty()) return false;
  int groups = 0;
  bool seen_double_colon = false;
  std::size_t pos = 0;
  if (text.substr(0, 2) == "::") {
    seen_double_colon = true;
    pos = 2;
    if (pos == text.size()) return true;
  } else if (text[0] == ':') {
    return false;
  }
  while (pos < text.size()) {
    std::size_t end = pos;
    while (end < text.size() && text[end] != ':') ++end;
    std::string_view group = text.substr(pos, end - pos);
    bool is_last = end == text.size();
    if (is_last && group.find('.') != std::string_view::npos) {
      // A trailing dotted IPv4 address stands for the last two groups.
      if (!is_ipv4_address(group)) return false;
      groups += 2;
      break;
    }
    if (group.empty() || group.size() > 4) return false;
    for (char c : group) {
      if (!is_hex(c)) return false;
    }
    ++groups;
    if (is_last) break;
    pos = end + 1;
    if (pos < text.size() && text[pos] == ':') {
      if (seen_double_colon) return false;
      seen_double_colon = true;
      ++pos;
      if (pos == text.size()) break;
      // A third colon would make an empty group: the RFC 3261 ABNF bug form.
      if (text[pos] == ':') return false;
    } else if (pos == text.size()) {
      return false;  // a single trailing colon
    }
  }
  return seen_double_colon ? groups <= 7 : groups == 8;
}

bool is_ipv6_reference(std::string_view text) {
  return text.size() >= 2 && text.front() == '[' && text.back() == ']' &&
         is_ipv6_address(text.substr(1, text.size() - 2));
}

bool is_hostname(std::string_view text) {
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);  // FQDN form "host."
  if (text.empty()) return false;
  std::string_view last_label;
  while (!text.empty()) {
    std::size_t dot = text.find('.');
    std::string_view label = text.substr(0, dot);
    if (label.empty() || !is_alnum(label.front()) || !is_alnum(label.back())) return false;
    for (char c : label) {
      if (!is_alnum(c) && c != '-') return false;
    }
    last_label = label;
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  // toplabel starts with ALPHA, so an all-numeric name must be an IPv4 address.
  return is_alpha(last_label.front());
}

bool is_valid_host(std::string_view text) {
  if (!text.empty() && text.front() == '[') return is_ipv6_reference(text);
  return is_ipv4_address(text) || is_hostname(text);
}

}  // namespace kamc::sip
