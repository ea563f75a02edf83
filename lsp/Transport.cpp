// Header lines end in \r\n (a bare \n is accepted too); only Content-Length
// matters, Content-Type is ignored as the specification allows.
#include "Transport.h"

#include <cstdlib>

namespace kamc::lsp {

bool JsonTransport::readLine(std::string& line) {
  line.clear();
  for (int c; (c = std::fgetc(in_)) != EOF;) {
    if (c == '\n') {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return true;
    }
    line.push_back(static_cast<char>(c));
    if (line.size() > 4096) return false;  // no header is this long: not LSP framing
  }
  return false;
}

JsonTransport::ReadStatus JsonTransport::read(nlohmann::json& message, std::string& error) {
  std::string line;
  long long length = -1;
  bool sawHeader = false;
  for (;;) {
    if (!readLine(line)) return ReadStatus::Eof;
    if (line.empty()) {
      if (sawHeader) break;
      continue;  // stray blank lines between messages
    }
    sawHeader = true;
    constexpr std::string_view kLength = "content-length:";
    if (line.size() > kLength.size()) {
      std::string name = line.substr(0, kLength.size());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (name == kLength) length = std::atoll(line.c_str() + kLength.size());
    }
  }
  if (length < 0) {
    error = "message without a Content-Length header";
    return ReadStatus::Malformed;
  }
  std::string body(static_cast<size_t>(std::min<long long>(length, kMaxBody)), '\0');
  if (std::fread(body.data(), 1, body.size(), in_) != body.size()) return ReadStatus::Eof;
  if (static_cast<size_t>(length) > kMaxBody) {
    for (long long left = length - kMaxBody; left > 0; --left)
      if (std::fgetc(in_) == EOF) return ReadStatus::Eof;
    error = "message body of " + std::to_string(length) + " bytes is larger than the limit";
    return ReadStatus::Malformed;
  }
  message = nlohmann::json::parse(body, nullptr, false);
  if (message.is_discarded()) {
    error = "the message body is not JSON";
    return ReadStatus::Malformed;
  }
  return ReadStatus::Message;
}

void JsonTransport::send(const nlohmann::json& message) {
  std::string body = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard<std::mutex> lock(writeLock_);
  std::fprintf(out_, "Content-Length: %zu\r\n\r\n", body.size());
  std::fwrite(body.data(), 1, body.size(), out_);
  std::fflush(out_);
}

}  // namespace kamc::lsp
