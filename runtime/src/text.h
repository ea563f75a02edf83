// Character classes of RFC 3261 section 25 and a bounds-checked cursor; shared by all
// SIP parsers so that no parser indexes a buffer directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "kamc/sip/parse_result.h"

namespace kamc::sip::detail {

constexpr bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
constexpr bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr bool is_one_of(char c, std::string_view set) { return set.find(c) != set.npos; }

constexpr bool is_token_char(char c) { return is_alnum(c) || is_one_of(c, "-.!%*_+`'~"); }
constexpr bool is_unreserved(char c) { return is_alnum(c) || is_one_of(c, "-_.!~*'()"); }
// Call-ID "word" characters.
constexpr bool is_word_char(char c) {
  return is_token_char(c) || is_one_of(c, "()<>:\\\"/[]?{}");
}
// Header values keep folded lines in place (zero copy). The message framer guarantees
// every CR LF inside a value is followed by SP/HTAB, so CR and LF count as whitespace.
constexpr bool is_lws_char(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool equals_ignore_case(std::string_view a, std::string_view b);
std::string_view trim_lws(std::string_view text);

// Parses 1*DIGIT (the whole view) into a value no larger than `limit`.
std::optional<std::uint64_t> parse_decimal(std::string_view digits, std::uint64_t limit);
// "a=1;b;c=3" split at `separator` into (name, value) pairs, blanks around each part
// trimmed, a leading separator skipped; values are raw (quotes kept), a flag's is empty.
// Empty pieces ("a;;b") give an empty name. Nothing for a blank text.
struct NameValue {
  std::string_view name;
  std::string_view value;
};
std::vector<NameValue> split_name_values(std::string_view text, char separator);

// A port: 1 to 5 digits, at most 65535 (0 is a number here; callers refuse it where needed).
std::optional<std::uint16_t> parse_port(std::string_view digits);

// True when every char is allowed by `allowed` or is part of a valid %HH escape.
template <typename CharPredicate>
bool all_chars_or_escapes(std::string_view text, CharPredicate allowed) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 >= text.size()) return false;
      if (!is_hex(text[i + 1]) || !is_hex(text[i + 2])) return false;
      i += 2;
    } else if (!allowed(text[i])) {
      return false;
    }
  }
  return true;
}

class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ >= text_.size(); }
  // Returns NUL at the end; callers treat NUL as "no match", which is safe because no
  // grammar rule that a caller tests for matches NUL.
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  std::size_t position() const { return pos_; }
  void reset(std::size_t pos) { pos_ = pos < text_.size() ? pos : text_.size(); }
  void advance(std::size_t n = 1) { reset(pos_ + n); }
  std::string_view rest() const { return text_.substr(pos_); }
  std::string_view slice_from(std::size_t start) const {
    return start <= pos_ ? text_.substr(start, pos_ - start) : std::string_view{};
  }

  bool consume(char c) {
    if (at_end() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  // Skips SWS; returns whether anything was skipped (LWS is "at least one").
  bool skip_lws() {
    std::size_t start = pos_;
    while (!at_end() && is_lws_char(text_[pos_])) ++pos_;
    return pos_ != start;
  }
  template <typename CharPredicate>
  std::string_view take_while(CharPredicate pred) {
    std::size_t start = pos_;
    while (!at_end() && pred(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  // "SWS c SWS" as used by SEMI, EQUAL, COMMA, SLASH and COLON in RFC 3261.
  bool consume_separator(char c) {
    std::size_t start = pos_;
    skip_lws();
    if (consume(c)) {
      skip_lws();
      return true;
    }
    pos_ = start;
    return false;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// Scans a quoted-string at the cursor (which must be on '"'); returns it with its quotes,
// or nullopt when it is not terminated.
std::optional<std::string_view> scan_quoted_string(Cursor& cursor);

// "element *(COMMA element)" of the list headers (Via, Contact, Route, ...):
// parse_element(cursor, item) reads one element; each is appended to out.
template <typename Item, typename ParseElement>
ParseResult parse_comma_list(std::string_view value, std::vector<Item>& out,
                             ParseElement parse_element, std::string_view junk_after_element) {
  Cursor cursor(value);
  cursor.skip_lws();
  while (true) {
    Item item;
    if (auto r = parse_element(cursor, item); !r) return r;
    out.push_back(item);
    cursor.skip_lws();
    if (cursor.at_end()) return ParseResult::valid();
    if (!cursor.consume(',')) return ParseResult::invalid(junk_after_element);
    cursor.skip_lws();
  }
}

}  // namespace kamc::sip::detail
