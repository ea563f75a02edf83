// The LSP 3.17 types kamc-lsp speaks, with their JSON forms, in one file
// (clangd's Protocol.h). The feature layer's plain structs get their JSON
// shape here; nothing else in lsp/ spells a protocol field name.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "Features.h"

namespace kamc::lsp {

using json = nlohmann::json;

// JSON-RPC and LSP error codes.
enum class ErrorCode {
  ParseError = -32700,
  InvalidRequest = -32600,
  MethodNotFound = -32601,
  InvalidParams = -32602,
  InternalError = -32603,
  ServerNotInitialized = -32002,
  RequestCancelled = -32800,
  RequestFailed = -32803,
};

// Thrown while reading params; the server answers it as an error response.
struct ProtocolError : std::runtime_error {
  ProtocolError(ErrorCode c, const std::string& what) : std::runtime_error(what), code(c) {}
  ErrorCode code;
};

// file:///a%20b/c.cfg <-> /a b/c.cfg. Other schemes are refused (InvalidParams).
std::string pathFromUri(const std::string& uri);
std::string uriFromPath(const std::string& path);

// ---------------------------------------------------------------- params
struct TextDocumentItem {
  std::string uri;
  std::string text;
  int64_t version = 0;
};
struct ContentChange {
  std::optional<Range> range;  // absent: the whole text
  std::string text;
};
struct DidChangeParams {
  std::string uri;
  int64_t version = 0;
  std::vector<ContentChange> changes;
};
struct TextDocumentPositionParams {
  std::string uri;
  Position position;
};

// Each reads its params or throws ProtocolError(InvalidParams).
TextDocumentItem didOpenParams(const json& params);
DidChangeParams didChangeParams(const json& params);
std::string documentUri(const json& params);  // params.textDocument.uri
TextDocumentPositionParams positionParams(const json& params);
bool includeDeclaration(const json& params);  // references' context

// ---------------------------------------------------------------- results
void to_json(json& j, const Position& p);
void to_json(json& j, const Range& r);
void from_json(const json& j, Position& p);
void from_json(const json& j, Range& r);
json toJson(const Location& l);
json toJson(const FileDiagnostic& d);
json toJson(const HoverResult& h);
json toJson(const Symbol& s);
json toJson(const Completion& c);
json highlightJson(const Location& l);
json toJson(const SignatureHelpResult& s);
json toJson(const DocumentLink& l);
json toJson(const FoldingRange& f);
// {"data": [...]}: LSP's relative encoding of tokens in order.
json semanticTokensJson(const std::vector<SemanticToken>& tokens);
json toJson(const RouteCallItem& item);
RouteCallItem callItemFromJson(const json& item);  // throws ProtocolError(InvalidParams)
json toJson(const InlayHint& hint);
json symbolInformation(const Symbol& symbol, const std::string& path);
// A WorkspaceEdit: the edits grouped by document.
json workspaceEdit(const std::vector<FileEdit>& edits);
json codeAction(const FileDiagnostic& diagnostic, const QuickFix& fix);

json publishDiagnostics(const std::string& uri, std::optional<int64_t> version, const std::vector<FileDiagnostic>& diags);

// The server's half of initialize, for the encoding the client accepted.
json serverCapabilities(PositionEncoding encoding);
// "utf-8" when the client offers it (general.positionEncodings), else UTF-16.
PositionEncoding negotiateEncoding(const json& initializeParams);

// Messages.
json responseOk(const json& id, json result);
json responseError(const json& id, ErrorCode code, const std::string& message);
json notification(const std::string& method, json params);

}  // namespace kamc::lsp
