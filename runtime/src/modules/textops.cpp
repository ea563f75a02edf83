// textops: header tests and edits (is_method, append_hf, insert_hf, remove_hf, ...),
// regular-expression search and replace over the message (search, replace, subst, ...),
// has_body and append_to_reply. As in Kamailio, every search runs over the message as
// received: edits are recorded (MessageEdits, Kamailio's lumps) and applied when it is sent.
#include <algorithm>
#include <array>
#include <cctype>
#include "../text.h"

#include "../core/compiled_regex.h"
#include "../core/module.h"
#include "../core/sip_edit.h"
#include "../core/subst_expression.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/message_context.h"
#include "kamc/sip/header_kind.h"
#include "kamc/sip/uri.h"

namespace kamc::runtime {

namespace {

// "INVITE" or "INVITE,BYE" (Kamailio also accepts '|'): split once at load time.
// RFC 3261 token characters: what a method or header name may consist of.
bool is_token(std::string_view text) {
  constexpr std::string_view kMarks = "-.!%*_+`'~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kMarks.find(c) != std::string_view::npos;
  });
}

// Kamailio's fixup_method: the argument is taken as written, so "$rm" is not a method.
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
  for (const std::string& method : call.prepared_texts) {
    if (is_token(method)) continue;
    error = "is_method(): invalid method '" + method + "'";
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
  if (!is_token(name)) {
    error = std::string(call.entry->name) + "(): invalid header name '" + name + "'";
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

// Kamailio expects header text to end in CRLF; a missing one is added rather than
// corrupting the message.
std::string header_text(MessageContext& context, const FunctionCall& call) {
  std::string text = arg_text(context, call, 0);
  if (!text.empty() && !text.ends_with("\r\n")) text += "\r\n";
  return text;
}

// append_hf(text[, after]): after the last header named `after`, else (no such header,
// or no second argument) after the last header, as Kamailio does.
int append_hf_body(MessageContext& context, const FunctionCall& call) {
  std::string text = header_text(context, call);
  if (text.empty()) return KAMC_RT_FALSE;
  std::size_t offset = end_of_headers_offset(context);
  if (call.args.size() > 1) {
    std::string after = arg_text(context, call, 1);
    for (const auto& field : context.message.headers()) {
      if (header_matches(field, after)) offset = header_line_range(context, field).end;
    }
  }
  context.edits.insert(offset, std::move(text));
  return KAMC_RT_TRUE;
}

// insert_hf(text[, before]): before the first header named `before`, else (no such
// header, or no second argument) before the first header.
int insert_hf_body(MessageContext& context, const FunctionCall& call) {
  std::string text = header_text(context, call);
  if (text.empty()) return KAMC_RT_FALSE;
  std::size_t offset = first_header_offset(context);
  if (call.args.size() > 1) {
    std::string before = arg_text(context, call, 1);
    for (const auto& field : context.message.headers()) {
      if (!header_matches(field, before)) continue;
      offset = context.offset_of(field.name);
      break;
    }
  }
  context.edits.insert(offset, std::move(text));
  return KAMC_RT_TRUE;
}

// ---- regular expressions over the message --------------------------------------------

// The message as received, the part after its first line (where Kamailio's replace and
// subst start, so that the R-URI is never touched), and the body.
std::string_view whole_message(const MessageContext& context) {
  return context.buffer.substr(0, context.message.message_size());
}
std::size_t headers_start(const MessageContext& context) {
  std::size_t newline = context.buffer.find('\n');
  return newline == std::string_view::npos ? context.buffer.size() : newline + 1;
}

// regexec on `text` up to its first NUL (Kamailio's strings are NUL-terminated); the
// match offsets are relative to `text`.
bool find_match(const CompiledRegex& regex, std::string_view text, regmatch_t& match, int eflags = 0) {
  thread_local std::string subject;
  subject.assign(text.substr(0, text.find('\0')));
  return regexec(&regex.regex, subject.c_str(), 1, &match, eflags) == 0 && match.rm_so >= 0;
}

int search_message(MessageContext& context, const FunctionCall& call) {
  regmatch_t match;
  return find_match(*call.prepared_regex, whole_message(context), match) ? KAMC_RT_TRUE : KAMC_RT_FALSE;
}

int search_in_body(MessageContext& context, const FunctionCall& call) {
  std::string_view body = context.message.body();
  if (body.empty()) return KAMC_RT_FALSE;
  regmatch_t match;
  return find_match(*call.prepared_regex, body, match) ? KAMC_RT_TRUE : KAMC_RT_FALSE;
}

// search_append(re, text): `text` right after the first match.
int search_append_message(MessageContext& context, const FunctionCall& call) {
  std::size_t start = headers_start(context);
  regmatch_t match;
  if (!find_match(*call.prepared_regex, whole_message(context).substr(start), match)) return KAMC_RT_FALSE;
  context.edits.insert(start + static_cast<std::size_t>(match.rm_eo), arg_text(context, call, 1));
  return KAMC_RT_TRUE;
}

// replace(re, text): the first match becomes `text`.
int replace_message(MessageContext& context, const FunctionCall& call) {
  std::size_t start = headers_start(context);
  regmatch_t match;
  if (!find_match(*call.prepared_regex, whole_message(context).substr(start), match)) return KAMC_RT_FALSE;
  context.edits.replace(start + static_cast<std::size_t>(match.rm_so),
                        static_cast<std::size_t>(match.rm_eo - match.rm_so), arg_text(context, call, 1));
  return KAMC_RT_TRUE;
}

// replace_all(re, text): every match, without overlaps; '^' matches again only after a
// line break. An empty match stops it with an error, as in Kamailio (earlier
// replacements stay).
int replace_all_message(MessageContext& context, const FunctionCall& call) {
  std::string_view message = whole_message(context);
  std::size_t start = headers_start(context);
  std::string text = arg_text(context, call, 1);
  int result = KAMC_RT_FALSE;
  int eflags = 0;
  regmatch_t match;
  while (start < message.size() && find_match(*call.prepared_regex, message.substr(start), match, eflags)) {
    if (match.rm_so == match.rm_eo) {
      log_message(L_ERR, "replace_all(): the expression matched an empty string");
      return KAMC_RT_FALSE;
    }
    context.edits.replace(start + static_cast<std::size_t>(match.rm_so),
                          static_cast<std::size_t>(match.rm_eo - match.rm_so), text);
    start += static_cast<std::size_t>(match.rm_eo);
    char previous = message[start - 1];
    eflags = previous == '\n' || previous == '\r' ? 0 : REG_NOTBOL;
    result = KAMC_RT_TRUE;
  }
  return result;
}

// subst('/re/repl/flags') over the headers and body.
int subst_message(MessageContext& context, const FunctionCall& call) {
  std::size_t start = headers_start(context);
  auto replacements = run_subst(context, *call.prepared_subst, whole_message(context).substr(start));
  if (!replacements) {
    log_message(L_ERR, "subst(): the expression matched an empty string");
    return KAMC_RT_FALSE;
  }
  if (replacements->empty()) return KAMC_RT_FALSE;
  for (auto& replacement : *replacements) {
    context.edits.replace(start + replacement.offset, replacement.length, std::move(replacement.text));
  }
  return KAMC_RT_TRUE;
}

// subst_uri('/re/repl/flags'): on the (new) R-URI; the result must still be a URI.
int subst_uri_body(MessageContext& context, const FunctionCall& call) {
  if (!context.message.is_request()) return KAMC_RT_FALSE;
  auto result = subst_string(context, *call.prepared_subst, context.request_uri());
  if (!result) return KAMC_RT_FALSE;
  return set_request_uri(context, *result) ? KAMC_RT_TRUE : KAMC_RT_FALSE;
}

// subst_user('/re/repl/flags'): on the R-URI's user (empty when it has none); an empty
// result removes the user, as assigning $rU does.
int subst_user_body(MessageContext& context, const FunctionCall& call) {
  if (!context.message.is_request()) return KAMC_RT_FALSE;
  sip::Uri uri;
  if (!sip::parse_uri(context.request_uri(), uri).ok()) return KAMC_RT_FALSE;
  auto result = subst_string(context, *call.prepared_subst, uri.user);
  if (!result) return KAMC_RT_FALSE;
  return set_request_user(context, *result) ? KAMC_RT_TRUE : KAMC_RT_FALSE;
}

bool header_name_regex_matches(const CompiledRegex& regex, const sip::HeaderField& field) {
  regmatch_t match;
  return find_match(regex, field.name, match);
}

int is_present_hf_re_body(MessageContext& context, const FunctionCall& call) {
  for (const auto& field : context.message.headers()) {
    if (header_name_regex_matches(*call.prepared_regex, field)) return KAMC_RT_TRUE;
  }
  return KAMC_RT_FALSE;
}

// remove_hf_re(re): every header whose name matches; 1 (not the count, unlike
// remove_hf) or -1 when none did.
int remove_hf_re_body(MessageContext& context, const FunctionCall& call) {
  bool removed = false;
  for (const auto& field : context.message.headers()) {
    if (!header_name_regex_matches(*call.prepared_regex, field)) continue;
    ByteRange line = header_line_range(context, field);
    context.edits.remove(line.begin, line.end - line.begin);
    removed = true;
  }
  return removed ? KAMC_RT_TRUE : KAMC_RT_FALSE;
}

// ---- body and replies ------------------------------------------------------------------

// "type/subtype" in lower case without parameters; empty when it is not of that form.
std::string mime_type(std::string_view text) {
  text = text.substr(0, text.find(';'));
  std::string out;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  std::size_t slash = out.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == out.size() || out.find('/', slash + 1) != std::string::npos) {
    return {};
  }
  return out;
}

// has_body("type/subtype"): checked once; "" is has_body() without a type.
bool fixup_body_type(FunctionCall& call, std::string& error) {
  std::string type;
  if (call.args.empty()) return true;
  if (!constant_arg(call, 0, type, error)) return false;
  if (type.empty()) return true;
  call.prepared_texts.push_back(mime_type(type));
  if (call.prepared_texts.back().empty() || type.find(',') != std::string::npos) {
    error = "has_body(): '" + type + "' is not one MIME type (type/subtype)";
    return false;
  }
  return true;
}

// has_body([type]): a Content-Length above 0 (Kamailio reads the header, so a UDP
// message without one has no body); with a type, the Content-Type must be it. A
// missing Content-Type is application/sdp (RFC 3261).
int has_body_body(MessageContext& context, const FunctionCall& call) {
  auto length = context.message.content_length();
  if (!length || *length == 0) return KAMC_RT_FALSE;
  if (call.prepared_texts.empty()) return KAMC_RT_TRUE;
  const sip::HeaderField* content_type = context.message.first_header(sip::HeaderKind::ContentType);
  std::string type = content_type ? mime_type(content_type->value) : "application/sdp";
  return type == call.prepared_texts[0] ? KAMC_RT_TRUE : KAMC_RT_FALSE;
}

// append_to_reply(text): a header for the reply this proxy generates for the request.
int append_to_reply_body(MessageContext& context, const FunctionCall& call) {
  context.reply_headers += header_text(context, call);
  return KAMC_RT_TRUE;
}


constexpr std::array<FunctionExport, 17> kTextops{{
    {"is_method", is_method_body, fixup_method_list},
    {"append_hf", append_hf_body},
    {"insert_hf", insert_hf_body},
    {"remove_hf", remove_hf_body, fixup_header_name},
    {"is_present_hf", is_present_hf_body, fixup_header_name},
    {"search", search_message, fixup_regex_arg},
    {"search_body", search_in_body, fixup_regex_arg},
    {"search_append", search_append_message, fixup_regex_arg},
    {"replace", replace_message, fixup_regex_arg},
    {"replace_all", replace_all_message, fixup_regex_arg},
    {"subst", subst_message, fixup_subst_arg},
    {"subst_uri", subst_uri_body, fixup_subst_arg},
    {"subst_user", subst_user_body, fixup_subst_arg},
    {"is_present_hf_re", is_present_hf_re_body, fixup_regex_arg},
    {"remove_hf_re", remove_hf_re_body, fixup_regex_arg},
    {"has_body", has_body_body, fixup_body_type},
    {"append_to_reply", append_to_reply_body},
}};

}  // namespace

extern const ModuleExports kTextopsModule{
    .name = "textops",
    .functions = kTextops,
    .transformations = kTextopsTransformations,
};

}  // namespace kamc::runtime
