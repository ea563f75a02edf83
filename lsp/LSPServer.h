// Maps LSP methods onto the feature layer (clangd's ClangdLSPServer): reads
// params, checks documents and positions, queues the work on the scheduler and
// answers with protocol JSON. No language knowledge lives here.
#pragma once

#include <chrono>
#include <memory>

#include "Features.h"
#include "Protocol.h"
#include "Scheduler.h"
#include "Transport.h"

namespace kamc::lsp {

struct ServerOptions {
  std::chrono::milliseconds debounce{10};
  AnalysisOptions analysis;
};

class LSPServer {
 public:
  LSPServer(JsonTransport& transport, ServerOptions options);
  // Serves until `exit`: 0 after a shutdown request, 1 otherwise (LSP's rule).
  int run();

 private:
  void handle(const json& message);
  void handleRequest(const json& id, const std::string& method, const json& params);
  void handleNotification(const std::string& method, const json& params);
  // A request answered on the worker from the document's analysis.
  void queueFeature(const json& id, const std::string& path,
                    std::function<json(const Analysis& analysis, const Analysis* lastGood, const std::string& text)> fn);
  std::string openPath(const std::string& uri);  // throws InvalidParams when not open
  void checkPosition(const std::string& path, Position pos);
  void applyChange(const DidChangeParams& change);
  void log(const std::string& message, int type = 2);

  JsonTransport& transport_;
  ServerOptions options_;
  Workspace workspace_;
  std::unique_ptr<Scheduler> scheduler_;
  bool initialized_ = false;
  bool shutdown_ = false;
};

}  // namespace kamc::lsp
