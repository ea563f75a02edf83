// libFuzzer target for the language server's JSON-RPC side: framing, JSON parsing,
// method routing and every feature handler, through the real LSPServer. Input that
// starts with "Content-Length" is fed to the transport as it is; otherwise each line is
// one message body, framed here, so that mutations reach the handlers instead of
// dying in the framing.
// Workspace roots are left out of the fuzzed surface: the server walks the named
// directory tree on the disk, which makes a run depend on the machine.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "LSPServer.h"

namespace {

bool namesWorkspaceRoot(std::string_view text) {
  for (std::string_view key : {"rootUri", "rootPath", "workspaceFolders"})
    if (text.find(key) != std::string_view::npos) return true;
  return false;
}

std::string framed(std::string_view input) {
  if (input.substr(0, 14) == "Content-Length") return std::string(input);
  std::string out;
  size_t start = 0;
  while (start < input.size()) {
    size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    std::string_view body = input.substr(start, end - start);
    if (!body.empty())
      out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
    start = end + 1;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (namesWorkspaceRoot(input)) return -1;  // not added to the corpus
  std::string stream = framed(input);
  if (stream.empty()) return 0;
  std::FILE* in = fmemopen(stream.data(), stream.size(), "r");
  std::FILE* out = std::fopen("/dev/null", "w");
  if (in && out) {
    kamc::lsp::JsonTransport transport(in, out);
    kamc::lsp::ServerOptions options;
    options.debounce = std::chrono::milliseconds(0);
    kamc::lsp::LSPServer server(transport, options);
    server.run();
  }
  if (in) std::fclose(in);
  if (out) std::fclose(out);
  return 0;
}
