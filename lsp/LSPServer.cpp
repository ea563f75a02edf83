// Method routing. Requests about documents run on the scheduler's workers;
// lifecycle and document sync run here, in message order.
#include "LSPServer.h"

#include <malloc.h>

#include <set>

#include "kamc/basic/PositionEncoding.h"

#ifndef KAMC_VERSION
#define KAMC_VERSION "unknown"
#endif

namespace kamc::lsp {

namespace {

// A member that must be a string; "" when absent or of another type.
std::string stringMember(const json& j, const char* name) {
  if (!j.is_object()) return "";
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// The paths of a didChangeWorkspaceFolders event's "added" or "removed" folders.
std::vector<std::string> folderPaths(const json& params, const char* which) {
  std::vector<std::string> out;
  if (!params.contains("event") || !params["event"].is_object()) return out;
  const json& event = params["event"];
  if (!event.contains(which) || !event[which].is_array()) return out;
  for (const json& f : event[which])
    if (f.is_object() && f.contains("uri") && f["uri"].is_string()) out.push_back(pathFromUri(f["uri"]));
  return out;
}

}  // namespace

LSPServer::LSPServer(JsonTransport& transport, ServerOptions options)
    : transport_(transport), options_(std::move(options)), workspace_(options_.analysis) {
  // glibc gives each worker thread a malloc arena of its own: analyses freed
  // on one worker leave their pages held in another's arena, which kept 70%
  // more memory per open document (docs/benchmarks.md). One arena, before
  // the workers start; parsing is one at a time anyway.
  mallopt(M_ARENA_MAX, 1);
  scheduler_ = std::make_unique<Scheduler>(
      workspace_, options_.debounce, [this](const std::string& path, int64_t version, const std::vector<FileDiagnostic>& d) {
        transport_.send(publishDiagnostics(uriFromPath(path), version, d));
      });
}

void LSPServer::log(const std::string& message, int type) {
  transport_.send(notification("window/logMessage", {{"type", type}, {"message", message}}));
}

int LSPServer::run() {
  for (;;) {
    json message;
    std::string error;
    switch (transport_.read(message, error)) {
      case JsonTransport::ReadStatus::Eof: return shutdown_ ? 0 : 1;
      case JsonTransport::ReadStatus::Malformed:
        transport_.send(responseError(nullptr, ErrorCode::ParseError, error));
        continue;
      case JsonTransport::ReadStatus::Message: break;
    }
    if (stringMember(message, "method") == "exit") {
      scheduler_.reset();
      return shutdown_ ? 0 : 1;
    }
    try {
      handle(message);
    } catch (const std::exception& e) {  // a bug of ours must not end the session
      log(std::string("internal error: ") + e.what(), 1);
    }
  }
}

void LSPServer::handle(const json& message) {
  if (!message.is_object() || stringMember(message, "jsonrpc") != "2.0") {
    json id = message.is_object() && message.contains("id") ? message["id"] : json(nullptr);
    transport_.send(responseError(id, ErrorCode::InvalidRequest, "not a JSON-RPC 2.0 message object"));
    return;
  }
  bool hasId = message.contains("id");
  if (!message.contains("method")) return;  // a response to a request of ours: none are sent
  if (!message["method"].is_string() || (hasId && !message["id"].is_string() && !message["id"].is_number_integer())) {
    transport_.send(responseError(hasId ? message["id"] : json(nullptr), ErrorCode::InvalidRequest,
                                  "method must be a string and id a string or an integer"));
    return;
  }
  std::string method = message["method"];
  json params = message.contains("params") ? message["params"] : json::object();
  if (!hasId) {
    try {
      handleNotification(method, params);
    } catch (const ProtocolError& e) {
      log(method + ": " + e.what(), 1);
    }
    return;
  }
  const json& id = message["id"];
  try {
    handleRequest(id, method, params);
  } catch (const ProtocolError& e) {
    transport_.send(responseError(id, e.code, e.what()));
  } catch (const json::exception& e) {  // params of the wrong JSON type
    transport_.send(responseError(id, ErrorCode::InvalidParams, e.what()));
  } catch (const std::exception& e) {
    transport_.send(responseError(id, ErrorCode::InternalError, e.what()));
  }
}

std::string LSPServer::openPath(const std::string& uri) {
  std::string path = pathFromUri(uri);
  if (!scheduler_->text(path)) throw ProtocolError(ErrorCode::InvalidParams, "document is not open: " + uri);
  return path;
}

void LSPServer::checkPosition(const std::string& path, Position pos) {
  std::optional<std::string> text = scheduler_->text(path);
  size_t lines = 1 + std::count(text->begin(), text->end(), '\n');
  if (pos.line >= lines)
    throw ProtocolError(ErrorCode::InvalidParams, "position " + std::to_string(pos.line) + ":" +
                                                      std::to_string(pos.character) + " is past the end of the document (" +
                                                      std::to_string(lines) + " lines)");
}

void LSPServer::queueFeature(const json& id, const std::string& path,
                             std::function<json(const Analysis&, const Analysis*, const std::string&)> fn) {
  scheduler_->request(
      id.dump(), path,
      [this, id, fn](const Analysis* latest, const Analysis* lastGood, const std::string& text) {
        try {
          // Navigation reads the freshest whole tree: while a line is being
          // typed the config does not parse, and the last good tree still answers.
          const Analysis* a = latest && (latest->parsedCleanly() || !lastGood) ? latest : lastGood;
          if (!a) throw ProtocolError(ErrorCode::InternalError, "no analysis of the document");
          transport_.send(responseOk(id, fn(*a, latest, text)));
        } catch (const ProtocolError& e) {
          transport_.send(responseError(id, e.code, e.what()));
        } catch (const std::exception& e) {
          transport_.send(responseError(id, ErrorCode::InternalError, e.what()));
        }
      },
      [this, id] { transport_.send(responseError(id, ErrorCode::RequestCancelled, "request cancelled")); });
}

void LSPServer::handleRequest(const json& id, const std::string& method, const json& params) {
  if (method == "initialize") {
    PositionEncoding enc = negotiateEncoding(params);
    scheduler_->setEncoding(enc);
    if (params.contains("workspaceFolders") && params["workspaceFolders"].is_array()) {
      for (const json& f : params["workspaceFolders"])
        if (f.contains("uri") && f["uri"].is_string()) scheduler_->scanFolder(pathFromUri(f["uri"]));
    } else if (params.contains("rootUri") && params["rootUri"].is_string()) {
      scheduler_->scanFolder(pathFromUri(params["rootUri"]));
    }
    initialized_ = true;
    transport_.send(responseOk(id, {{"capabilities", serverCapabilities(enc)},
                                    {"serverInfo", {{"name", "kamc-lsp"}, {"version", KAMC_VERSION}}}}));
    return;
  }
  if (!initialized_) throw ProtocolError(ErrorCode::ServerNotInitialized, "initialize must come first");
  if (method == "shutdown") {
    scheduler_->flush();
    shutdown_ = true;
    transport_.send(responseOk(id, nullptr));
    return;
  }
  if (shutdown_) throw ProtocolError(ErrorCode::InvalidRequest, "the server is shutting down");
  if (method == "textDocument/hover") {
    TextDocumentPositionParams p = positionParams(params);
    std::string path = openPath(p.uri);
    checkPosition(path, p.position);
    queueFeature(id, path, [path, pos = p.position](const Analysis& a, const Analysis*, const std::string&) -> json {
      std::optional<HoverResult> h = a.hover(normalizePath(path), pos);
      return h ? toJson(*h) : json(nullptr);
    });
  } else if (method == "textDocument/definition" || method == "textDocument/references" ||
             method == "textDocument/documentHighlight") {
    TextDocumentPositionParams p = positionParams(params);
    std::string path = openPath(p.uri);
    checkPosition(path, p.position);
    bool withDecl = method != "textDocument/references" || includeDeclaration(params);
    queueFeature(id, path, [path, method, withDecl, pos = p.position](const Analysis& a, const Analysis*, const std::string&) {
      std::string file = normalizePath(path);
      std::vector<Location> locs = method == "textDocument/definition" ? a.definition(file, pos)
                                                                      : a.references(file, pos, withDecl);
      json out = json::array();
      for (const Location& l : locs) {
        if (method != "textDocument/documentHighlight")
          out.push_back(toJson(l));
        else if (l.path == file)
          out.push_back(highlightJson(l));
      }
      return out;
    });
  } else if (method == "textDocument/documentSymbol") {
    std::string path = openPath(documentUri(params));
    queueFeature(id, path, [path](const Analysis& a, const Analysis*, const std::string&) {
      json out = json::array();
      for (const Symbol& s : a.documentSymbols(normalizePath(path))) out.push_back(toJson(s));
      return out;
    });
  } else if (method == "textDocument/completion") {
    TextDocumentPositionParams p = positionParams(params);
    std::string path = openPath(p.uri);
    checkPosition(path, p.position);
    queueFeature(id, path, [path, pos = p.position](const Analysis& a, const Analysis*, const std::string& text) {
      json items = json::array();
      for (const Completion& c : a.completion(normalizePath(path), text, pos)) items.push_back(toJson(c));
      return json{{"isIncomplete", false}, {"items", std::move(items)}};
    });
  } else if (method == "textDocument/signatureHelp") {
    TextDocumentPositionParams p = positionParams(params);
    std::string path = openPath(p.uri);
    checkPosition(path, p.position);
    queueFeature(id, path, [pos = p.position](const Analysis& a, const Analysis*, const std::string& text) -> json {
      std::optional<SignatureHelpResult> s = a.signatureHelp(text, pos);
      return s ? toJson(*s) : json(nullptr);
    });
  } else if (method == "textDocument/codeAction") {
    std::string path = openPath(documentUri(params));
    Range range;
    from_json(params.contains("range") ? params["range"] : json(), range);
    queueFeature(id, path, [path, range](const Analysis&, const Analysis* latest, const std::string&) {
      json out = json::array();
      for (const auto& [diag, fix] : latest->quickFixes(normalizePath(path), range)) out.push_back(codeAction(diag, fix));
      return out;
    });
  } else if (method == "textDocument/documentLink") {
    std::string path = openPath(documentUri(params));
    queueFeature(id, path, [path](const Analysis&, const Analysis* latest, const std::string&) {
      json out = json::array();
      for (const DocumentLink& l : latest->documentLinks(normalizePath(path))) out.push_back(toJson(l));
      return out;
    });
  } else if (method == "textDocument/foldingRange") {
    std::string path = openPath(documentUri(params));
    queueFeature(id, path, [path](const Analysis& a, const Analysis*, const std::string&) {
      json out = json::array();
      for (const FoldingRange& f : a.foldingRanges(normalizePath(path))) out.push_back(toJson(f));
      return out;
    });
  } else if (method == "textDocument/semanticTokens/full" || method == "textDocument/semanticTokens/range") {
    std::string path = openPath(documentUri(params));
    std::optional<Range> range;
    if (method == "textDocument/semanticTokens/range") {
      Range r;
      from_json(params.contains("range") ? params["range"] : json(), r);
      range = r;
    }
    queueFeature(id, path, [path, range](const Analysis& a, const Analysis*, const std::string&) {
      std::vector<SemanticToken> tokens = a.semanticTokens(normalizePath(path));
      if (range)
        std::erase_if(tokens, [&](const SemanticToken& t) {
          return t.start.line < range->start.line || t.start.line > range->end.line ||
                 (t.start.line == range->end.line && t.start.character >= range->end.character);
        });
      return semanticTokensJson(tokens);
    });
  } else if (method == "textDocument/prepareCallHierarchy") {
    TextDocumentPositionParams p = positionParams(params);
    std::string path = openPath(p.uri);
    checkPosition(path, p.position);
    queueFeature(id, path, [path, pos = p.position](const Analysis& a, const Analysis*, const std::string&) -> json {
      std::vector<RouteCallItem> items = a.prepareCallHierarchy(normalizePath(path), pos);
      if (items.empty()) return nullptr;
      json out = json::array();
      for (const RouteCallItem& i : items) out.push_back(toJson(i));
      return out;
    });
  } else if (method == "callHierarchy/incomingCalls" || method == "callHierarchy/outgoingCalls") {
    RouteCallItem item = callItemFromJson(params.contains("item") ? params["item"] : json());
    bool incoming = method == "callHierarchy/incomingCalls";
    queueFeature(id, item.location.path, [item, incoming](const Analysis& a, const Analysis*, const std::string&) {
      json out = json::array();
      for (const RouteCall& c : incoming ? a.incomingCalls(item) : a.outgoingCalls(item)) {
        json ranges = json::array();
        for (const Range& r : c.fromRanges) ranges.push_back(r);
        out.push_back({{incoming ? "from" : "to", toJson(c.item)}, {"fromRanges", std::move(ranges)}});
      }
      return out;
    });
  } else if (method == "textDocument/inlayHint") {
    std::string path = openPath(documentUri(params));
    Range range;
    from_json(params.contains("range") ? params["range"] : json(), range);
    queueFeature(id, path, [path, range](const Analysis& a, const Analysis*, const std::string&) {
      json out = json::array();
      for (const InlayHint& h : a.inlayHints(normalizePath(path), range.start.line, range.end.line)) out.push_back(toJson(h));
      return out;
    });
  } else if (method == "workspace/symbol") {
    std::string query = params.contains("query") && params["query"].is_string() ? params["query"].get<std::string>() : "";
    scheduler_->requestWorkspace(
        id.dump(),
        [this, id, query](const std::vector<std::shared_ptr<const Analysis>>& analyses) {
          json out = json::array();
          std::set<std::pair<std::string, std::string>> seen;  // a fragment read by two roots: once
          for (const auto& a : analyses)
            for (const auto& [symbol, path] : a->workspaceSymbols(query)) {
              json info = symbolInformation(symbol, path);
              if (seen.insert({path, info.dump()}).second) out.push_back(std::move(info));
            }
          transport_.send(responseOk(id, std::move(out)));
        },
        [this, id] { transport_.send(responseError(id, ErrorCode::RequestCancelled, "request cancelled")); });
  } else if (method == "textDocument/formatting" || method == "textDocument/rangeFormatting") {
    std::string path = openPath(documentUri(params));
    Range range{{0, 0}, {UINT32_MAX, 0}};
    if (method == "textDocument/rangeFormatting") from_json(params.contains("range") ? params["range"] : json(), range);
    const json& options = params.contains("options") && params["options"].is_object() ? params["options"] : json::object();
    bool spaces = options.contains("insertSpaces") && options["insertSpaces"].is_boolean() && options["insertSpaces"].get<bool>();
    uint32_t tabSize = options.contains("tabSize") && options["tabSize"].is_number_unsigned()
                           ? std::min<uint32_t>(options["tabSize"].get<uint32_t>(), 16) : 4;
    queueFeature(id, path, [path, range, spaces, tabSize](const Analysis&, const Analysis* latest, const std::string&) {
      std::string error;
      std::optional<std::vector<TextEdit>> edits =
          latest->format(normalizePath(path), range.start.line, range.end.line, spaces, tabSize, &error);
      if (!edits) throw ProtocolError(ErrorCode::RequestFailed, error);
      json out = json::array();
      for (const TextEdit& e : *edits) out.push_back({{"range", e.range}, {"newText", e.newText}});
      return out;
    });
  } else if (method == "textDocument/prepareRename") {
    TextDocumentPositionParams p = positionParams(params);
    std::string path = openPath(p.uri);
    checkPosition(path, p.position);
    queueFeature(id, path, [path, pos = p.position](const Analysis& a, const Analysis*, const std::string&) -> json {
      std::optional<Location> l = a.renameTarget(normalizePath(path), pos);
      return l ? json(l->range) : json(nullptr);
    });
  } else if (method == "textDocument/rename") {
    TextDocumentPositionParams p = positionParams(params);
    std::string path = openPath(p.uri);
    checkPosition(path, p.position);
    if (!params.contains("newName") || !params["newName"].is_string())
      throw ProtocolError(ErrorCode::InvalidParams, "missing field 'newName'");
    std::string newName = params["newName"];
    queueFeature(id, path, [path, newName, pos = p.position](const Analysis& a, const Analysis*, const std::string&) {
      std::string error;
      std::vector<FileEdit> edits = a.rename(normalizePath(path), pos, newName, &error);
      if (!error.empty()) throw ProtocolError(ErrorCode::InvalidParams, error);
      return workspaceEdit(edits);
    });
  } else if (method == "textDocument/diagnostic") {
    std::string path = openPath(documentUri(params));
    queueFeature(id, path, [path](const Analysis&, const Analysis* latest, const std::string&) {
      json items = json::array();
      for (const FileDiagnostic& d : latest->diagnostics(normalizePath(path))) items.push_back(toJson(d));
      return json{{"kind", "full"}, {"items", std::move(items)}};
    });
  } else {
    throw ProtocolError(ErrorCode::MethodNotFound, "method not supported: " + method);
  }
}

void LSPServer::applyChange(const DidChangeParams& change) {
  std::string path = pathFromUri(change.uri);
  std::optional<std::string> current = scheduler_->text(path);
  if (!current) throw ProtocolError(ErrorCode::InvalidParams, "didChange for a document that is not open: " + change.uri);
  std::string text = std::move(*current);
  PositionEncoding enc = workspace_.options().encoding;
  for (const ContentChange& c : change.changes) {
    if (!c.range) {
      text = c.text;
      continue;
    }
    auto offsetOf = [&](Position p) -> size_t {
      size_t start = 0;
      for (uint32_t l = 0; l < p.line; ++l) {
        start = text.find('\n', start);
        if (start == std::string::npos) throw ProtocolError(ErrorCode::InvalidParams, "change range past the end of the document");
        ++start;
      }
      size_t end = text.find('\n', start);
      std::string_view line = std::string_view(text).substr(start, end == std::string::npos ? std::string::npos : end - start);
      return start + byteColumnOf(line, p.character, enc);
    };
    size_t b = offsetOf(c.range->start), e = offsetOf(c.range->end);
    if (e < b) throw ProtocolError(ErrorCode::InvalidParams, "change range ends before it starts");
    text.replace(b, e - b, c.text);
  }
  scheduler_->change(path, std::move(text), change.version);
}

void LSPServer::handleNotification(const std::string& method, const json& params) {
  if (!initialized_) return;  // LSP: notifications before initialize are dropped
  if (method == "textDocument/didOpen") {
    TextDocumentItem item = didOpenParams(params);
    scheduler_->open(pathFromUri(item.uri), std::move(item.text), item.version);
  } else if (method == "textDocument/didChange") {
    applyChange(didChangeParams(params));
  } else if (method == "textDocument/didClose") {
    std::string path = pathFromUri(documentUri(params));
    scheduler_->close(path);
    transport_.send(publishDiagnostics(uriFromPath(normalizePath(path)), std::nullopt, {}));
  } else if (method == "workspace/didChangeWorkspaceFolders") {
    // Removed folders first (a folder removed and added again is scanned afresh);
    // files of a removed folder that are still open stay open, as their own roots.
    for (const std::string& folder : folderPaths(params, "removed"))
      for (const std::string& gone : scheduler_->removeFolder(folder))
        transport_.send(publishDiagnostics(uriFromPath(gone), std::nullopt, {}));
    for (const std::string& folder : folderPaths(params, "added")) scheduler_->scanFolder(folder);
  } else if (method == "workspace/didChangeWatchedFiles") {
    if (params.contains("changes") && params["changes"].is_array())
      for (const json& c : params["changes"])
        if (c.is_object() && c.contains("uri") && c["uri"].is_string()) scheduler_->changedOnDisk(pathFromUri(c["uri"]));
  } else if (method == "$/cancelRequest") {
    if (params.contains("id")) scheduler_->cancel(params["id"].dump());
  }
  // initialized, didSave, $/setTrace and other notifications need nothing.
}

}  // namespace kamc::lsp
