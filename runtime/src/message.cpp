// Message framing: start line, header lines (with folding), Content-Length and body,
// plus the lazy typed accessors that parse a header only when asked for.
#include "kamc/sip/message.h"

#include "text.h"

namespace kamc::sip {

namespace {

struct Line {
  std::string_view text;  // without its CRLF (or bare LF)
  std::size_t next = 0;   // offset of the following line
  bool terminated = false;
};

Line read_line(std::string_view buffer, std::size_t pos) {
  std::size_t newline = buffer.find('\n', pos);
  if (newline == std::string_view::npos) return {buffer.substr(pos), buffer.size(), false};
  std::size_t end = newline;
  if (end > pos && buffer[end - 1] == '\r') --end;
  return {buffer.substr(pos, end - pos), newline + 1, true};
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

ParseResult check_sip_version(std::string_view version) {
  auto malformed = ParseResult::invalid("SIP version is malformed");
  if (version.size() < 4 || !detail::equals_ignore_case(version.substr(0, 4), "SIP/")) return malformed;
  std::string_view number = version.substr(4);
  std::size_t dot = number.find('.');
  if (dot == std::string_view::npos || !detail::parse_decimal(number.substr(0, dot), 999) ||
      !detail::parse_decimal(number.substr(dot + 1), 999)) {
    return malformed;
  }
  if (number != "2.0") return ParseResult::invalid("SIP version is not supported", 505);
  return ParseResult::valid();
}

ParseResult unterminated_headers(FramingMode mode) {
  return mode == FramingMode::Stream
             ? ParseResult::incomplete("headers not complete yet")
             : ParseResult::invalid("message headers are not terminated by an empty line");
}

}  // namespace

ParseResult SipMessage::parse(std::string_view buffer, FramingMode mode) {
  *this = SipMessage{};
  std::size_t pos = 0;
  // RFC 3261 7.5: CRLFs before the start line (keep-alives) are ignored.
  while (pos < buffer.size() && (buffer[pos] == '\r' || buffer[pos] == '\n')) ++pos;
  Line first = read_line(buffer, pos);
  if (!first.terminated) return unterminated_headers(mode);
  if (auto r = parse_start_line(first.text); !r) return r;
  pos = first.next;
  if (auto r = parse_header_lines(buffer, pos, mode); !r) return r;
  return frame_body(buffer, pos, mode);
}

ParseResult SipMessage::parse_start_line(std::string_view line) {
  start_line_ = line;
  if (line.empty()) return ParseResult::invalid("start line is empty");
  is_request_ = !(line.size() >= 4 && detail::equals_ignore_case(line.substr(0, 4), "SIP/"));
  return is_request_ ? parse_request_line(line) : parse_status_line(line);
}

// Request-Line = Method SP Request-URI SP SIP-Version, with exactly one SP each.
ParseResult SipMessage::parse_request_line(std::string_view line) {
  std::size_t first_space = line.find(' ');
  std::size_t last_space = line.rfind(' ');
  if (first_space == std::string_view::npos || first_space == last_space) {
    return ParseResult::invalid("Request-Line is not 'Method SP Request-URI SP SIP-Version'");
  }
  method_ = line.substr(0, first_space);
  for (char c : method_) {
    if (!detail::is_token_char(c)) return ParseResult::invalid("method is not a token");
  }
  if (method_.empty()) return ParseResult::invalid("method is empty");
  if (is_blank(line.back())) return ParseResult::invalid("Request-Line ends with whitespace");
  request_uri_ = line.substr(first_space + 1, last_space - first_space - 1);
  version_ = line.substr(last_space + 1);
  for (char c : request_uri_) {
    if (is_blank(c)) {
      return ParseResult::invalid("Request-URI contains whitespace or elements are not separated by one SP");
    }
  }
  if (request_uri_.empty()) return ParseResult::invalid("Request-URI is empty");
  return check_sip_version(version_);
}

// Status-Line = SIP-Version SP Status-Code SP Reason-Phrase; the reason may be empty.
ParseResult SipMessage::parse_status_line(std::string_view line) {
  std::size_t space = line.find(' ');
  if (space == std::string_view::npos) return ParseResult::invalid("Status-Line has no status code");
  version_ = line.substr(0, space);
  if (auto r = check_sip_version(version_); !r) return r;
  std::string_view rest = line.substr(space + 1);
  std::size_t code_end = rest.find(' ');
  std::string_view code = rest.substr(0, code_end);
  auto value = detail::parse_decimal(code, 699);
  if (code.size() != 3 || !value || *value < 100) {
    return ParseResult::invalid("status code is not three digits from 100 to 699");
  }
  status_code_ = static_cast<int>(*value);
  reason_phrase_ = code_end == std::string_view::npos ? std::string_view{} : rest.substr(code_end + 1);
  return ParseResult::valid();
}

ParseResult SipMessage::parse_header_lines(std::string_view buffer, std::size_t& pos, FramingMode mode) {
  while (true) {
    Line line = read_line(buffer, pos);
    if (!line.terminated) return unterminated_headers(mode);
    if (line.text.empty()) {
      pos = line.next;
      return ParseResult::valid();
    }
    if (is_blank(line.text.front())) return ParseResult::invalid("header line starts with whitespace");
    if (headers_.size() == kMaxHeaderFields) return ParseResult::invalid("more than 1000 header fields");
    std::size_t field_end = pos + line.text.size();
    std::size_t next = line.next;
    // Folded continuation lines start with SP or HTAB and stay inside the value.
    while (next < buffer.size() && is_blank(buffer[next])) {
      Line continuation = read_line(buffer, next);
      if (!continuation.terminated) return unterminated_headers(mode);
      field_end = next + continuation.text.size();
      next = continuation.next;
    }
    detail::Cursor cursor(buffer.substr(pos, field_end - pos));
    HeaderField field;
    field.name = cursor.take_while(detail::is_token_char);
    if (field.name.empty()) return ParseResult::invalid("header name is empty or not a token");
    cursor.take_while(is_blank);
    if (!cursor.consume(':')) return ParseResult::invalid("header name is not followed by ':'");
    field.value = detail::trim_lws(cursor.rest());
    field.kind = header_kind_from_name(field.name);
    headers_.push_back(field);
    if (field.kind == HeaderKind::ContentLength) {
      if (auto r = record_content_length(field); !r) return r;
    }
    pos = next;
  }
}

ParseResult SipMessage::record_content_length(const HeaderField& field) {
  std::uint32_t length = 0;
  if (auto r = parse_content_length(field.value, length); !r) return r;
  // Equal repeats are harmless; different ones make the body boundary unknowable.
  if (content_length_ && *content_length_ != length) {
    return ParseResult::invalid("Content-Length headers disagree");
  }
  content_length_ = length;
  return ParseResult::valid();
}

ParseResult SipMessage::frame_body(std::string_view buffer, std::size_t body_start, FramingMode mode) {
  std::size_t available = buffer.size() - body_start;
  if (!content_length_) {
    if (mode == FramingMode::Stream) return ParseResult::invalid("Content-Length is required on a stream transport");
    body_ = buffer.substr(body_start);
    message_size_ = buffer.size();
    return ParseResult::valid();
  }
  if (*content_length_ > available) {
    return mode == FramingMode::Stream ? ParseResult::incomplete("body not complete yet")
                                       : ParseResult::invalid("Content-Length is larger than the datagram");
  }
  body_ = buffer.substr(body_start, *content_length_);
  message_size_ = body_start + *content_length_;
  return ParseResult::valid();
}

const HeaderField* SipMessage::first_header(HeaderKind kind) const {
  for (const auto& field : headers_) {
    if (field.kind == kind) return &field;
  }
  return nullptr;
}

const HeaderField* SipMessage::first_header(std::string_view name) const {
  HeaderKind kind = header_kind_from_name(name);
  if (kind != HeaderKind::Other) return first_header(kind);
  for (const auto& field : headers_) {
    if (detail::equals_ignore_case(field.name, name)) return &field;
  }
  return nullptr;
}

std::size_t SipMessage::header_count(HeaderKind kind) const {
  std::size_t count = 0;
  for (const auto& field : headers_) count += field.kind == kind ? 1 : 0;
  return count;
}

ParseResult SipMessage::request_uri(Uri& out) const {
  if (!is_request_) return ParseResult::invalid("a response has no Request-URI");
  return parse_uri(request_uri_, out);
}

ParseResult SipMessage::vias(std::vector<Via>& out) const {
  for (const auto& field : headers_) {
    if (field.kind != HeaderKind::Via) continue;
    if (auto r = parse_via_header(field.value, out); !r) return r;
    if (out.size() > kMaxViaEntries) return ParseResult::invalid("more than 256 Via entries");
  }
  return ParseResult::valid();
}

ParseResult SipMessage::parse_single_name_addr(HeaderKind kind, NameAddr& out) const {
  const HeaderField* field = first_header(kind);
  if (!field) return ParseResult::invalid(kind == HeaderKind::From ? "From header is missing" : "To header is missing");
  return parse_name_addr(field->value, out);
}

ParseResult SipMessage::from(NameAddr& out) const { return parse_single_name_addr(HeaderKind::From, out); }
ParseResult SipMessage::to(NameAddr& out) const { return parse_single_name_addr(HeaderKind::To, out); }

bool SipMessage::has_star_contact() const {
  const HeaderField* field = first_header(HeaderKind::Contact);
  return field && is_star_contact(field->value);
}

ParseResult SipMessage::contacts(std::vector<NameAddr>& out) const {
  if (has_star_contact()) {
    if (header_count(HeaderKind::Contact) != 1) return ParseResult::invalid("Contact '*' must be the only Contact");
    return ParseResult::valid();
  }
  return address_list(HeaderKind::Contact, out);
}

ParseResult SipMessage::address_list(HeaderKind kind, std::vector<NameAddr>& out) const {
  for (const auto& field : headers_) {
    if (field.kind != kind) continue;
    if (auto r = parse_name_addr_list(field.value, out); !r) return r;
  }
  return ParseResult::valid();
}

std::string_view SipMessage::call_id() const {
  const HeaderField* field = first_header(HeaderKind::CallId);
  return field ? field->value : std::string_view{};
}

ParseResult SipMessage::cseq(CSeq& out) const {
  const HeaderField* field = first_header(HeaderKind::CSeq);
  if (!field) return ParseResult::invalid("CSeq header is missing");
  return parse_cseq(field->value, out);
}

ParseResult SipMessage::max_forwards(std::uint32_t& out) const {
  const HeaderField* field = first_header(HeaderKind::MaxForwards);
  if (!field) return ParseResult::invalid("Max-Forwards header is missing");
  return parse_max_forwards(field->value, out);
}

}  // namespace kamc::sip
