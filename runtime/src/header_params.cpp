// Re-scans an already validated generic-param list to find one parameter on demand,
// which keeps header structs small instead of storing every parameter.
#include "kamc/sip/header_params.h"

#include "header_params_scan.h"

namespace kamc::sip {

namespace {

struct FoundParam {
  std::string_view text;   // "name" or "name=value" as written
  std::string_view value;  // empty for a flag parameter
};

std::optional<FoundParam> scan_for_param(std::string_view params, std::string_view name) {
  // The stored list starts after its first ';', so the first name has no separator.
  detail::Cursor cursor(params);
  bool first = true;
  while (!cursor.at_end()) {
    if (!first && !cursor.consume_separator(';')) break;
    first = false;
    cursor.skip_lws();
    std::size_t start = cursor.position();
    std::string_view param_name = cursor.take_while(detail::is_token_char);
    if (param_name.empty()) break;
    std::string_view value;
    if (cursor.consume_separator('=')) {
      if (cursor.peek() == '"') {
        value = detail::scan_quoted_string(cursor).value_or(std::string_view{});
      } else {
        value = cursor.take_while(detail::is_gen_value_char);
      }
    }
    if (detail::equals_ignore_case(param_name, name)) return FoundParam{cursor.slice_from(start), value};
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> find_header_param(std::string_view params, std::string_view name) {
  auto found = scan_for_param(params, name);
  if (!found) return std::nullopt;
  return found->value;
}

std::optional<std::string_view> find_header_param_text(std::string_view params, std::string_view name) {
  auto found = scan_for_param(params, name);
  if (!found) return std::nullopt;
  return found->text;
}

}  // namespace kamc::sip
