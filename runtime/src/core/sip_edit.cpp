// Outgoing-message construction shared by sl replies, forward() and reply forwarding.
#include "sip_edit.h"

#include "kamc/runtime/local_addresses.h"
#include "kamc/sip/header_params.h"
#include "kamc/sip/name_addr.h"

namespace kamc::runtime {

namespace {

constexpr std::uint16_t kDefaultSipPort = 5060;

bool is_lws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The end of a header's value; its data pointer is inside the buffer even when empty.
std::size_t value_end_offset(const MessageContext& context, const sip::HeaderField& field) {
  return context.offset_of(field.value) + field.value.size();
}

bool via_host_is_source_ip(const MessageContext& context, const sip::Via& via) {
  auto host_ip = SocketAddress::from_ip(via.host, 0);
  return host_ip && host_ip->same_ip(context.received.source);
}

}  // namespace

std::string to_hex(std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text(16, '0');
  for (int i = 15; i >= 0; --i) {
    text[static_cast<std::size_t>(i)] = kDigits[value & 0xF];
    value >>= 4;
  }
  return text;
}

std::uint64_t fnv1a(std::string_view text, std::uint64_t seed) {
  std::uint64_t hash = seed;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

ByteRange header_line_range(const MessageContext& context, const sip::HeaderField& field) {
  std::size_t begin = context.offset_of(field.name);
  std::size_t newline = context.buffer.find('\n', value_end_offset(context, field));
  std::size_t end = newline == std::string_view::npos ? context.buffer.size() : newline + 1;
  return {begin, end};
}

std::size_t first_header_offset(const MessageContext& context) {
  const auto& headers = context.message.headers();
  if (!headers.empty()) return context.offset_of(headers.front().name);
  return end_of_headers_offset(context);
}

std::size_t end_of_headers_offset(const MessageContext& context) {
  const auto& headers = context.message.headers();
  if (headers.empty()) {
    std::size_t newline = context.buffer.find('\n');
    return newline == std::string_view::npos ? context.buffer.size() : newline + 1;
  }
  return header_line_range(context, headers.back()).end;
}

void remove_first_value(const MessageContext& context, const sip::HeaderField& field,
                        std::string_view value_text, MessageEdits& edits) {
  std::size_t value_begin = context.offset_of(value_text);
  std::size_t after = value_begin + value_text.size();
  std::size_t field_end = value_end_offset(context, field);
  std::size_t next = after;
  while (next < field_end && is_lws(context.buffer[next])) ++next;
  if (next >= field_end) {
    ByteRange line = header_line_range(context, field);
    edits.remove(line.begin, line.end - line.begin);
    return;
  }
  // "a, b": drop "a", the comma and the whitespace before "b".
  if (context.buffer[next] == ',') ++next;
  while (next < field_end && is_lws(context.buffer[next])) ++next;
  edits.remove(value_begin, next - value_begin);
}

void add_top_via_fixes(const MessageContext& context, const sip::Via& top, MessageEdits& edits) {
  std::string appended;
  if (!via_host_is_source_ip(context, top)) appended += ";received=" + context.received.source.ip_text();
  std::string rport = "rport=" + std::to_string(context.received.source.port());
  if (top.has_rport && !top.rport_value) {
    auto bare = sip::find_header_param_text(top.params, "rport");
    if (bare) edits.replace(context.offset_of(*bare), bare->size(), rport);
  } else if (!top.has_rport && (is_stream(context.received.protocol) || context.force_rport)) {
    appended += ";" + rport;
  }
  if (!appended.empty()) edits.insert(context.offset_of(top.text) + top.text.size(), std::move(appended));
}

std::string stateless_branch(const MessageContext& context, std::string_view outgoing_uri) {
  std::vector<sip::Via> vias;
  std::uint64_t hash = fnv1a(outgoing_uri);
  if (context.message.vias(vias).ok() && !vias.empty() && vias[0].branch &&
      vias[0].branch->starts_with("z9hG4bK")) {
    hash = fnv1a(*vias[0].branch, hash);
  } else {
    // RFC 2543 clients: hash what identifies the transaction (RFC 3261 16.11).
    hash = fnv1a(context.message.call_id(), hash);
    sip::CSeq cseq;
    if (context.message.cseq(cseq).ok()) hash = fnv1a(std::to_string(cseq.number), hash);
    if (!vias.empty()) hash = fnv1a(vias[0].text, hash);
    if (const auto* from = context.message.first_header(sip::HeaderKind::From)) hash = fnv1a(from->value, hash);
  }
  return "z9hG4bKsl" + to_hex(hash);
}

namespace {

std::string to_tag_for(const MessageContext& context) {
  std::uint64_t hash = fnv1a(context.message.call_id());
  if (const auto* from = context.message.first_header(sip::HeaderKind::From)) hash = fnv1a(from->value, hash);
  if (const auto* cseq = context.message.first_header(sip::HeaderKind::CSeq)) hash = fnv1a(cseq->value, hash);
  return "kamc" + to_hex(hash);
}

void add_to_tag_if_missing(const MessageContext& context, int code, MessageEdits& edits) {
  const auto* to = context.message.first_header(sip::HeaderKind::To);
  sip::NameAddr address;
  if (!to || code <= 100 || !context.message.to(address).ok() || address.tag) return;
  edits.insert(value_end_offset(context, *to), ";tag=" + to_tag_for(context));
}

bool is_copied_into_reply(sip::HeaderKind kind) {
  return kind == sip::HeaderKind::Via || kind == sip::HeaderKind::From || kind == sip::HeaderKind::To ||
         kind == sip::HeaderKind::CallId || kind == sip::HeaderKind::CSeq;
}

}  // namespace

std::string build_reply(const MessageContext& context, int code, std::string_view reason,
                        std::string_view extra_headers) {
  MessageEdits edits;
  std::vector<sip::Via> vias;
  if (context.message.vias(vias).ok() && !vias.empty()) add_top_via_fixes(context, vias[0], edits);
  add_to_tag_if_missing(context, code, edits);
  std::string reply = "SIP/2.0 " + std::to_string(code) + " " + std::string(reason) + "\r\n";
  for (const auto& field : context.message.headers()) {
    if (!is_copied_into_reply(field.kind)) continue;
    ByteRange line = header_line_range(context, field);
    reply += edits.apply_range(context.buffer, line.begin, line.end);
    if (reply.back() != '\n') reply += "\r\n";
  }
  reply += context.reply_headers;  // append_to_reply(), in the order they were added
  reply += extra_headers;
  reply += "Server: kamc-runtime\r\nContent-Length: 0\r\n\r\n";
  return reply;
}

SendTarget reply_target(const MessageContext& context, const sip::Via& top) {
  SendTarget target;
  target.protocol = context.received.protocol;
  target.from = context.received.local;
  target.connection = context.received.connection;
  target.address = context.received.source;
  if (!is_stream(context.received.protocol) && !top.has_rport && !context.force_rport) {
    target.address.set_port(top.port.value_or(kDefaultSipPort));
  }
  return target;
}

}  // namespace kamc::runtime
