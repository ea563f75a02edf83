// Parser for the name-addr / addr-spec values of From, To, Contact, Route and
// Record-Route (RFC 3261 section 20 and 25): display name, URI and header parameters.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "kamc/sip/parse_result.h"
#include "kamc/sip/uri.h"

namespace kamc::sip {

struct NameAddr {
  // As written: a quoted string keeps its quotes and escapes; a token list is kept
  // with its inner whitespace. Empty when there is none.
  std::string_view display_name;
  bool display_name_is_quoted = false;
  bool uri_in_brackets = false;  // name-addr form ("<...>") rather than addr-spec
  Uri uri;
  std::string_view params;  // raw header parameters after the first ';'
  std::optional<std::string_view> tag;
  std::string_view text;    // the whole value

  std::optional<std::string_view> param(std::string_view name) const;
};

// One value filling the whole header (From, To).
ParseResult parse_name_addr(std::string_view value, NameAddr& out);

// A comma-separated list (Contact, Route, Record-Route); appends to `out`. A Contact
// of "*" is not a name-addr: check is_star_contact first.
ParseResult parse_name_addr_list(std::string_view value, std::vector<NameAddr>& out);

bool is_star_contact(std::string_view value);

}  // namespace kamc::sip
