// A SIP message framed from a receive buffer without copying: the start line and each
// header are views into the buffer, and header values are only parsed when asked for.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "kamc/sip/header_kind.h"
#include "kamc/sip/name_addr.h"
#include "kamc/sip/parse_result.h"
#include "kamc/sip/scalar_headers.h"
#include "kamc/sip/uri.h"
#include "kamc/sip/via.h"

namespace kamc::sip {

// Datagram: the buffer is one UDP datagram; the body is what remains after the headers
// unless Content-Length says less. Stream: Content-Length is required and a short buffer
// is Incomplete rather than Invalid.
enum class FramingMode { Datagram, Stream };

// Limits on hostile input (docs/runtime.md, "Limits"). A message is already bounded by
// its size (64 KB); these bound the work one message can cause. A legitimate request
// is far below both: Max-Forwards caps its hops, and so its Vias, at 70.
inline constexpr std::size_t kMaxHeaderFields = 1000;
inline constexpr std::size_t kMaxViaEntries = 256;

struct HeaderField {
  HeaderKind kind = HeaderKind::Other;
  std::string_view name;   // as written, e.g. "v" or "VIA"
  std::string_view value;  // without surrounding whitespace; folded lines stay in place
};

class SipMessage {
 public:
  // Frames the message: start line, header lines, Content-Length and body. Header values
  // other than Content-Length are not examined; see check_well_formed for that.
  // The buffer must outlive this object.
  ParseResult parse(std::string_view buffer, FramingMode mode = FramingMode::Datagram);

  bool is_request() const { return is_request_; }
  std::string_view start_line() const { return start_line_; }
  std::string_view method() const { return method_; }
  std::string_view request_uri_text() const { return request_uri_; }
  std::string_view sip_version() const { return version_; }
  int status_code() const { return status_code_; }
  std::string_view reason_phrase() const { return reason_phrase_; }

  const std::vector<HeaderField>& headers() const { return headers_; }
  const HeaderField* first_header(HeaderKind kind) const;
  // Case-insensitive; "i" finds Call-ID and "Call-ID" finds "i".
  const HeaderField* first_header(std::string_view name) const;
  std::size_t header_count(HeaderKind kind) const;

  std::optional<std::uint32_t> content_length() const { return content_length_; }
  std::string_view body() const { return body_; }
  // Bytes of the buffer this message occupies; trailing octets after it are not part of it.
  std::size_t message_size() const { return message_size_; }

  // Typed access; each call parses the header(s) involved.
  ParseResult request_uri(Uri& out) const;
  ParseResult vias(std::vector<Via>& out) const;  // all Via values in order
  ParseResult from(NameAddr& out) const;
  ParseResult to(NameAddr& out) const;
  // Valid with an empty list when the only Contact is "*" (see has_star_contact).
  ParseResult contacts(std::vector<NameAddr>& out) const;
  bool has_star_contact() const;
  // Every value of a name-addr list header (Contact, Route, Record-Route), in order.
  ParseResult address_list(HeaderKind kind, std::vector<NameAddr>& out) const;
  std::string_view call_id() const;
  ParseResult cseq(CSeq& out) const;
  ParseResult max_forwards(std::uint32_t& out) const;

 private:
  ParseResult parse_start_line(std::string_view line);
  ParseResult parse_request_line(std::string_view line);
  ParseResult parse_status_line(std::string_view line);
  ParseResult parse_header_lines(std::string_view buffer, std::size_t& pos, FramingMode mode);
  ParseResult record_content_length(const HeaderField& field);
  ParseResult frame_body(std::string_view buffer, std::size_t body_start, FramingMode mode);
  ParseResult parse_single_name_addr(HeaderKind kind, NameAddr& out) const;

  bool is_request_ = false;
  std::string_view start_line_;
  std::string_view method_;
  std::string_view request_uri_;
  std::string_view version_;
  int status_code_ = 0;
  std::string_view reason_phrase_;
  std::vector<HeaderField> headers_;
  std::optional<std::uint32_t> content_length_;
  std::string_view body_;
  std::size_t message_size_ = 0;
};

}  // namespace kamc::sip
