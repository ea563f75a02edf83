// Parsers for single-value headers with a fixed grammar: CSeq, Max-Forwards, Call-ID,
// Content-Length and Date (RFC 3261 section 20).
#pragma once

#include <cstdint>
#include <string_view>

#include "kamc/sip/parse_result.h"

namespace kamc::sip {

struct CSeq {
  std::uint32_t number = 0;
  std::string_view method;
};

// "1*DIGIT LWS Method"; the number must fit 32 bits unsigned (RFC 3261 8.1.1.5).
ParseResult parse_cseq(std::string_view value, CSeq& out);
// 1*DIGIT in 0..255 (RFC 4475 3.1.2.4 treats 300 as invalid).
ParseResult parse_max_forwards(std::string_view value, std::uint32_t& out);
// word [ "@" word ]
ParseResult validate_call_id(std::string_view value);
// 1*DIGIT; negative, non-numeric and absurdly large values are errors.
ParseResult parse_content_length(std::string_view value, std::uint32_t& out);
// rfc1123-date with the mandatory "GMT" zone: "Sat, 13 Nov 2010 23:29:00 GMT".
ParseResult validate_sip_date(std::string_view value);

}  // namespace kamc::sip
