// Scanner for "*( SEMI generic-param )" shared by the Via and name-addr parsers.
#pragma once

#include "kamc/sip/parse_result.h"
#include "text.h"

namespace kamc::sip::detail {

struct ScannedParam {
  std::string_view name;
  std::string_view value;  // quoted strings keep their quotes
  bool has_value = false;
};

// gen-value = token / host / quoted-string; host adds ':' '[' ']' to the token set.
constexpr bool is_gen_value_char(char c) { return is_token_char(c) || is_one_of(c, ":[]"); }

// Reads parameters while the next non-LWS character is ';'. Calls
// `on_param(const ScannedParam&) -> ParseResult` for each; stops at the first failure.
// On success `params_text` covers the list without the first ';'.
template <typename OnParam>
ParseResult scan_header_params(Cursor& cursor, std::string_view& params_text, OnParam on_param) {
  std::size_t list_start = 0;
  bool first = true;
  while (true) {
    if (!cursor.consume_separator(';')) break;
    if (first) {
      list_start = cursor.position();
      first = false;
    }
    ScannedParam param;
    param.name = cursor.take_while(is_token_char);
    if (param.name.empty()) return ParseResult::invalid("empty or malformed header parameter");
    if (cursor.consume_separator('=')) {
      param.has_value = true;
      if (cursor.peek() == '"') {
        auto quoted = scan_quoted_string(cursor);
        if (!quoted) return ParseResult::invalid("unterminated quoted string in parameter");
        param.value = *quoted;
      } else {
        param.value = cursor.take_while(is_gen_value_char);
        if (param.value.empty()) return ParseResult::invalid("header parameter has an empty value");
      }
    }
    if (auto result = on_param(param); !result) return result;
    params_text = cursor.slice_from(list_start);
  }
  return ParseResult::valid();
}

}  // namespace kamc::sip::detail
