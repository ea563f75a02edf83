// textops: is_method, append_hf, remove_hf, is_present_hf.
#include <array>
#include "../text.h"

#include "../core/functions.h"
#include "../core/sip_edit.h"
#include "kamc/runtime/message_context.h"
#include "kamc/sip/header_kind.h"

namespace kamc::runtime {

namespace {

// "INVITE" or "INVITE,BYE" (Kamailio also accepts '|'): split once at load time.
bool fixup_method_list(FunctionCall& call, std::string& error) {
  std::string list;
  if (!constant_arg(call, 0, list, error)) return false;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find_first_of(",|", start);
    if (end == std::string::npos) end = list.size();
    if (end > start) call.prepared_texts.push_back(list.substr(start, end - start));
    start = end + 1;
  }
  if (call.prepared_texts.empty()) {
    error = "is_method(): empty method list";
    return false;
  }
  return true;
}

// Replies are matched by their CSeq method, as in Kamailio.
int is_method_body(MessageContext& context, const FunctionCall& call) {
  std::string_view method = context.message.method();
  sip::CSeq cseq;
  if (!context.message.is_request()) {
    if (!context.message.cseq(cseq).ok()) return KAMC_RT_FALSE;
    method = cseq.method;
  }
  for (const auto& wanted : call.prepared_texts) {
    if (sip::detail::equals_ignore_case(wanted, method)) return KAMC_RT_TRUE;
  }
  return KAMC_RT_FALSE;
}

bool fixup_header_name(FunctionCall& call, std::string& error) {
  std::string name;
  if (!constant_arg(call, 0, name, error)) return false;
  if (name.empty()) {
    error = std::string(call.entry->name) + "(): empty header name";
    return false;
  }
  call.prepared_texts.push_back(std::move(name));
  return true;
}

// A header name matches its compact form too ("v" is "Via").
bool header_matches(const sip::HeaderField& field, std::string_view name) {
  sip::HeaderKind kind = sip::header_kind_from_name(name);
  return kind != sip::HeaderKind::Other ? field.kind == kind : sip::detail::equals_ignore_case(field.name, name);
}

int is_present_hf_body(MessageContext& context, const FunctionCall& call) {
  for (const auto& field : context.message.headers()) {
    if (header_matches(field, call.prepared_texts[0])) return KAMC_RT_TRUE;
  }
  return KAMC_RT_FALSE;
}

// The number of headers removed, or -1 when there were none.
int remove_hf_body(MessageContext& context, const FunctionCall& call) {
  int removed = 0;
  for (const auto& field : context.message.headers()) {
    if (!header_matches(field, call.prepared_texts[0])) continue;
    ByteRange line = header_line_range(context, field);
    context.edits.remove(line.begin, line.end - line.begin);
    ++removed;
  }
  return removed > 0 ? removed : KAMC_RT_FALSE;
}

// append_hf(text[, after_header]). Kamailio expects the text to end in CRLF; a missing
// one is added rather than corrupting the message.
int append_hf_body(MessageContext& context, const FunctionCall& call) {
  std::string text = arg_text(context, call, 0);
  if (text.empty()) return KAMC_RT_FALSE;
  if (!text.ends_with("\r\n")) text += "\r\n";
  std::size_t offset = end_of_headers_offset(context);
  if (call.args.size() > 1) {
    std::string after = arg_text(context, call, 1);
    const sip::HeaderField* anchor = nullptr;
    for (const auto& field : context.message.headers()) {
      if (header_matches(field, after)) anchor = &field;
      if (anchor) break;
    }
    if (!anchor) return KAMC_RT_FALSE;
    offset = header_line_range(context, *anchor).end;
  }
  context.edits.insert(offset, std::move(text));
  return KAMC_RT_TRUE;
}

constexpr std::array<FunctionEntry, 4> kTextops{{
    {"textops", "is_method", 1, 1, kAnyRoute, is_method_body, fixup_method_list},
    {"textops", "append_hf", 1, 2, kAnyRoute, append_hf_body, nullptr},
    {"textops", "remove_hf", 1, 1, kAnyRoute, remove_hf_body, fixup_header_name},
    {"textops", "is_present_hf", 1, 1, kAnyRoute, is_present_hf_body, fixup_header_name},
}};

}  // namespace

std::span<const FunctionEntry> textops_functions() { return kTextops; }

}  // namespace kamc::runtime
