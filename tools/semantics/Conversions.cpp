// Kamailio's conversions (see Conversions.h for the rule each follows).
#include "kamc/semantics/Conversions.h"

#include <charconv>
#include <limits>

namespace kamc::semantics {

namespace {

bool isOctal(char c) { return c >= '0' && c <= '7'; }
bool isHex(char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
int hexValue(char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

// Digits in base 2..16 accumulated modulo 2^32, as C's unchecked loops do.
std::optional<std::uint32_t> wrappedDigits(std::string_view digits, int base) {
  if (digits.empty()) return std::nullopt;
  std::uint32_t value = 0;
  for (char c : digits) {
    int digit = isHex(c) ? hexValue(c) : base;
    if (digit >= base) return std::nullopt;
    value = value * static_cast<std::uint32_t>(base) + static_cast<std::uint32_t>(digit);
  }
  return value;
}

}  // namespace

std::optional<std::int32_t> decimalToInt(std::string_view text) {
  bool negative = !text.empty() && text.front() == '-';
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
  if (text.empty()) return negative ? std::optional<std::int32_t>(0) : std::nullopt;
  std::int64_t magnitude = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), magnitude);
  if (ec != std::errc{} || end != text.data() + text.size() || text.front() == '-' || text.front() == '+') {
    return std::nullopt;
  }
  std::int64_t value = negative ? -magnitude : magnitude;
  if (value < std::numeric_limits<std::int32_t>::min() || value > std::numeric_limits<std::int32_t>::max()) {
    return std::nullopt;
  }
  return static_cast<std::int32_t>(value);
}

std::int32_t stringToInt(std::string_view text) {
  if (text.empty()) return 0;
  if (auto decimal = decimalToInt(text)) return *decimal;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    if (auto hex = wrappedDigits(text.substr(2), 16)) return static_cast<std::int32_t>(*hex);
  }
  return 0;
}

std::int32_t cfgWordValue(std::string_view word) {
  if (word == "yes" || word == "true" || word == "on" || word == "enable") return 1;
  if (word == "inet" || word == "INET" || word == "ipv4" || word == "IPv4" || word == "IPV4") return 2;
  if (word == "inet6" || word == "INET6" || word == "ipv6" || word == "IPv6" || word == "IPV6") return 10;
  return 0;
}

std::optional<std::int32_t> numberLiteral(std::string_view text) {
  std::optional<std::uint32_t> value;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    value = wrappedDigits(text.substr(2), 16);
  } else if (text.size() > 1 && text.back() == 'b') {
    value = wrappedDigits(text.substr(0, text.size() - 1), 2);
  } else if (text.size() > 1 && text[0] == '0' && text.find_first_not_of("01234567") == std::string_view::npos) {
    value = wrappedDigits(text.substr(1), 8);
  } else {
    value = wrappedDigits(text, 10);
  }
  if (!value) return std::nullopt;
  return static_cast<std::int32_t>(*value);
}

std::string decodeDoubleQuoted(std::string_view body) {
  std::string out;
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\' || i + 1 >= body.size()) {
      out.push_back(c);
      continue;
    }
    char escaped = body[i + 1];
    std::size_t digits = 0;
    switch (escaped) {
      case 'n': out.push_back('\n'); ++i; continue;
      case 'r': out.push_back('\r'); ++i; continue;
      case 'a': out.push_back('\a'); ++i; continue;
      case 't': out.push_back('\t'); ++i; continue;
      case '"': out.push_back('"'); ++i; continue;
      case '\\': out.push_back('\\'); ++i; continue;
      case '\n': ++i; continue;
      case 'x':
        while (digits < 2 && i + 2 + digits < body.size() && isHex(body[i + 2 + digits])) ++digits;
        if (digits == 0) break;
        out.push_back(static_cast<char>(*wrappedDigits(body.substr(i + 2, digits), 16)));
        i += 1 + digits;
        continue;
      default:
        while (digits < 3 && i + 1 + digits < body.size() && isOctal(body[i + 1 + digits])) ++digits;
        if (digits < 2) break;
        out.push_back(static_cast<char>(*wrappedDigits(body.substr(i + 1, digits), 8)));
        i += digits;
        continue;
    }
    out.push_back(c);
  }
  // The lexer's C string ends at the first NUL.
  if (std::size_t nul = out.find('\0'); nul != std::string::npos) out.resize(nul);
  return out;
}

}  // namespace kamc::semantics
