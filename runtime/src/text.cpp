// Shared text helpers for the SIP parsers (case folding, trimming, bounded integers).
#include "text.h"

namespace kamc::sip::detail {

namespace {
char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  }
  return true;
}

std::string_view trim_lws(std::string_view text) {
  while (!text.empty() && is_lws_char(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_lws_char(text.back())) text.remove_suffix(1);
  return text;
}

std::optional<std::uint64_t> parse_decimal(std::string_view digits, std::uint64_t limit) {
  if (digits.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : digits) {
    if (!is_digit(c)) return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
    // Checked per digit so that arbitrarily long inputs cannot overflow.
    if (value > limit) return std::nullopt;
  }
  return value;
}

std::vector<NameValue> split_name_values(std::string_view text, char separator) {
  std::vector<NameValue> out;
  text = trim_lws(text);
  if (!text.empty() && text.front() == separator) text.remove_prefix(1);
  if (trim_lws(text).empty()) return out;
  while (true) {
    std::size_t end = text.find(separator);
    std::string_view piece = text.substr(0, end);
    std::size_t equals = piece.find('=');
    NameValue pair{trim_lws(piece.substr(0, equals)), {}};
    if (equals != std::string_view::npos) pair.value = trim_lws(piece.substr(equals + 1));
    out.push_back(pair);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

std::optional<std::uint16_t> parse_port(std::string_view digits) {
  if (digits.size() > 5) return std::nullopt;
  auto value = parse_decimal(digits, 65535);
  if (!value) return std::nullopt;
  return static_cast<std::uint16_t>(*value);
}

std::optional<std::string_view> scan_quoted_string(Cursor& cursor) {
  std::size_t start = cursor.position();
  if (!cursor.consume('"')) return std::nullopt;
  while (!cursor.at_end()) {
    char c = cursor.peek();
    cursor.advance();
    if (c == '"') return cursor.slice_from(start);
    if (c == '\\') {
      if (cursor.at_end()) return std::nullopt;
      cursor.advance();
    }
  }
  return std::nullopt;
}

}  // namespace kamc::sip::detail
