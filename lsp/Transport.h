// Moves JSON-RPC messages over a byte stream with LSP's Content-Length
// framing (clangd's JSONTransport): one message in, one message out, nothing
// about what the messages mean.
#pragma once

#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace kamc::lsp {

class JsonTransport {
 public:
  JsonTransport(std::FILE* in, std::FILE* out) : in_(in), out_(out) {}

  enum class ReadStatus {
    Message,    // `message` holds a JSON value
    Malformed,  // a frame arrived but its body is not JSON (`error` says why); the stream goes on
    Eof,        // the input ended (or its framing broke beyond repair)
  };
  ReadStatus read(nlohmann::json& message, std::string& error);
  // Safe to call from any thread: each message is written whole.
  void send(const nlohmann::json& message);

  // The largest body accepted; larger frames are skipped as malformed.
  static constexpr size_t kMaxBody = 256u << 20;

 private:
  bool readLine(std::string& line);
  std::FILE* in_;
  std::FILE* out_;
  std::mutex writeLock_;
};

}  // namespace kamc::lsp
