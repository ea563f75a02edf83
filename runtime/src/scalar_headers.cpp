// Single-value header parsers; each checks the value against its RFC 3261 grammar.
#include "kamc/sip/scalar_headers.h"

#include <array>

#include "text.h"

namespace kamc::sip {

using detail::Cursor;

namespace {

constexpr std::uint64_t kMaxUint32 = 0xFFFFFFFFu;

template <std::size_t N>
bool is_one_of_names(std::string_view text, const std::array<std::string_view, N>& names) {
  for (std::string_view name : names) {
    if (name == text) return true;
  }
  return false;
}

bool is_two_digits(std::string_view text, std::uint64_t max) {
  return text.size() == 2 && detail::parse_decimal(text, max).has_value();
}

}  // namespace

ParseResult parse_cseq(std::string_view value, CSeq& out) {
  Cursor cursor(detail::trim_lws(value));
  std::string_view digits = cursor.take_while(detail::is_digit);
  auto number = detail::parse_decimal(digits, kMaxUint32);
  if (!number) return ParseResult::invalid("CSeq number is missing or larger than 2**32-1");
  if (!cursor.skip_lws()) return ParseResult::invalid("CSeq needs whitespace between number and method");
  out.method = cursor.take_while(detail::is_token_char);
  if (out.method.empty() || !cursor.at_end()) return ParseResult::invalid("CSeq method is not a token");
  out.number = static_cast<std::uint32_t>(*number);
  return ParseResult::valid();
}

ParseResult parse_max_forwards(std::string_view value, std::uint32_t& out) {
  auto hops = detail::parse_decimal(detail::trim_lws(value), 255);
  if (!hops) return ParseResult::invalid("Max-Forwards is not a number from 0 to 255");
  out = static_cast<std::uint32_t>(*hops);
  return ParseResult::valid();
}

ParseResult validate_call_id(std::string_view value) {
  std::size_t at = value.find('@');
  std::string_view local = value.substr(0, at);
  std::string_view host = at == std::string_view::npos ? std::string_view{} : value.substr(at + 1);
  auto is_word = [](std::string_view word) {
    if (word.empty()) return false;
    for (char c : word) {
      if (!detail::is_word_char(c)) return false;
    }
    return true;
  };
  if (!is_word(local) || (at != std::string_view::npos && !is_word(host))) {
    return ParseResult::invalid("Call-ID is not word[@word]");
  }
  return ParseResult::valid();
}

ParseResult parse_content_length(std::string_view value, std::uint32_t& out) {
  value = detail::trim_lws(value);
  if (!value.empty() && value.front() == '-') return ParseResult::invalid("Content-Length is negative");
  // 2**31-1 is far beyond any SIP message and keeps later size arithmetic safe.
  auto length = detail::parse_decimal(value, 0x7FFFFFFF);
  if (!length) return ParseResult::invalid("Content-Length is not a number");
  out = static_cast<std::uint32_t>(*length);
  return ParseResult::valid();
}

ParseResult validate_sip_date(std::string_view value) {
  static constexpr std::array<std::string_view, 7> kWeekdays{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // Fixed layout: "Www, DD Mmm YYYY HH:MM:SS GMT" is exactly 29 characters.
  std::string_view date = detail::trim_lws(value);
  auto invalid = ParseResult::invalid("Date is not an RFC 1123 date in GMT");
  if (date.size() != 29) return invalid;
  bool layout_ok = date.substr(3, 2) == ", " && date[7] == ' ' && date[11] == ' ' && date[16] == ' ' &&
                   date[19] == ':' && date[22] == ':' && date.substr(25) == " GMT";
  if (!layout_ok) return invalid;
  if (!is_one_of_names(date.substr(0, 3), kWeekdays) || !is_one_of_names(date.substr(8, 3), kMonths)) {
    return invalid;
  }
  bool numbers_ok = is_two_digits(date.substr(5, 2), 31) && detail::parse_decimal(date.substr(12, 4), 9999) &&
                    is_two_digits(date.substr(17, 2), 23) && is_two_digits(date.substr(20, 2), 59) &&
                    is_two_digits(date.substr(23, 2), 60);
  return numbers_ok ? ParseResult::valid() : invalid;
}

}  // namespace kamc::sip
