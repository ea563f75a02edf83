// Outcome of every SIP parsing step: valid, invalid (with a reason and the reply code a
// server should send), or incomplete (a stream needs more bytes before it can be framed).
#pragma once

#include <string_view>

namespace kamc::sip {

enum class ParseStatus { Valid, Invalid, Incomplete };

struct ParseResult {
  ParseStatus status = ParseStatus::Valid;
  // A static string: results are returned from hot paths and must not allocate.
  std::string_view reason;
  // The reply a UAS/proxy should send for a request that failed here (400, or 505 for
  // an unsupported SIP version). Responses that fail are dropped, so it is advisory.
  int reply_code = 0;

  bool ok() const { return status == ParseStatus::Valid; }
  explicit operator bool() const { return ok(); }

  static ParseResult valid() { return {}; }
  static ParseResult invalid(std::string_view why, int code = 400) {
    return {ParseStatus::Invalid, why, code};
  }
  static ParseResult incomplete(std::string_view why) {
    return {ParseStatus::Incomplete, why, 0};
  }
};

}  // namespace kamc::sip
