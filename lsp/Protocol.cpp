// Field names and numeric kinds as LSP 3.17 defines them.
#include "Protocol.h"

namespace kamc::lsp {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

const json& field(const json& j, const char* name) {
  if (!j.is_object() || !j.contains(name)) throw ProtocolError(ErrorCode::InvalidParams, std::string("missing field '") + name + "'");
  return j.at(name);
}

std::string stringField(const json& j, const char* name) {
  const json& v = field(j, name);
  if (!v.is_string()) throw ProtocolError(ErrorCode::InvalidParams, std::string("field '") + name + "' must be a string");
  return v.get<std::string>();
}

uint32_t unsignedField(const json& j, const char* name) {
  const json& v = field(j, name);
  if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > UINT32_MAX)
    throw ProtocolError(ErrorCode::InvalidParams, std::string("field '") + name + "' must be a non-negative integer");
  return static_cast<uint32_t>(v.get<int64_t>());
}

int symbolKindNumber(SymbolKind k) {
  switch (k) {
    case SymbolKind::Route: return 12;      // Function
    case SymbolKind::Define: return 14;     // Constant
    case SymbolKind::Module: return 2;      // Module
    case SymbolKind::Modparam: return 7;    // Property
    case SymbolKind::CoreParam: return 13;  // Variable
  }
  return 13;
}

int completionKindNumber(CompletionKind k) {
  switch (k) {
    case CompletionKind::Function: return 3;
    case CompletionKind::Module: return 9;
    case CompletionKind::Modparam: return 10;        // Property
    case CompletionKind::CoreParam: return 5;        // Field
    case CompletionKind::PseudoVariable: return 6;   // Variable
    case CompletionKind::Transformation: return 2;   // Method
    case CompletionKind::Route: return 18;           // Reference
    case CompletionKind::Define: return 21;          // Constant
    case CompletionKind::Keyword: return 14;
  }
  return 1;
}

}  // namespace

std::string pathFromUri(const std::string& uri) {
  constexpr std::string_view kScheme = "file://";
  if (uri.compare(0, kScheme.size(), kScheme) != 0)
    throw ProtocolError(ErrorCode::InvalidParams, "only file:// URIs are supported, not '" + uri + "'");
  std::string path;
  for (size_t i = kScheme.size(); i < uri.size(); ++i) {
    if (uri[i] == '%' && i + 2 < uri.size() && hexValue(uri[i + 1]) >= 0 && hexValue(uri[i + 2]) >= 0) {
      path.push_back(static_cast<char>(hexValue(uri[i + 1]) * 16 + hexValue(uri[i + 2])));
      i += 2;
    } else {
      path.push_back(uri[i]);
    }
  }
  if (path.empty() || path[0] != '/') throw ProtocolError(ErrorCode::InvalidParams, "file URI without an absolute path: '" + uri + "'");
  return path;
}

std::string uriFromPath(const std::string& path) {
  static const char* kHex = "0123456789ABCDEF";
  std::string uri = "file://";
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      uri.push_back(static_cast<char>(c));
    } else {
      uri.push_back('%');
      uri.push_back(kHex[c >> 4]);
      uri.push_back(kHex[c & 15]);
    }
  }
  return uri;
}

TextDocumentItem didOpenParams(const json& params) {
  const json& doc = field(params, "textDocument");
  TextDocumentItem item;
  item.uri = stringField(doc, "uri");
  item.text = stringField(doc, "text");
  if (doc.contains("version") && doc["version"].is_number_integer()) item.version = doc["version"].get<int64_t>();
  return item;
}

void from_json(const json& j, Position& p) {
  p.line = unsignedField(j, "line");
  p.character = unsignedField(j, "character");
}

void from_json(const json& j, Range& r) {
  from_json(field(j, "start"), r.start);
  from_json(field(j, "end"), r.end);
}

DidChangeParams didChangeParams(const json& params) {
  DidChangeParams p;
  const json& doc = field(params, "textDocument");
  p.uri = stringField(doc, "uri");
  if (doc.contains("version") && doc["version"].is_number_integer()) p.version = doc["version"].get<int64_t>();
  const json& changes = field(params, "contentChanges");
  if (!changes.is_array()) throw ProtocolError(ErrorCode::InvalidParams, "contentChanges must be an array");
  for (const json& c : changes) {
    ContentChange change;
    change.text = stringField(c, "text");
    if (c.contains("range")) {
      Range r;
      from_json(c["range"], r);
      change.range = r;
    }
    p.changes.push_back(std::move(change));
  }
  return p;
}

std::string documentUri(const json& params) { return stringField(field(params, "textDocument"), "uri"); }

TextDocumentPositionParams positionParams(const json& params) {
  TextDocumentPositionParams p;
  p.uri = documentUri(params);
  from_json(field(params, "position"), p.position);
  return p;
}

bool includeDeclaration(const json& params) {
  if (!params.contains("context")) return false;
  const json& context = params["context"];
  if (!context.is_object() || !context.contains("includeDeclaration")) return false;
  if (!context["includeDeclaration"].is_boolean())
    throw ProtocolError(ErrorCode::InvalidParams, "context.includeDeclaration must be a boolean");
  return context["includeDeclaration"].get<bool>();
}

void to_json(json& j, const Position& p) { j = json{{"line", p.line}, {"character", p.character}}; }
void to_json(json& j, const Range& r) { j = json{{"start", r.start}, {"end", r.end}}; }

json toJson(const Location& l) { return json{{"uri", uriFromPath(l.path)}, {"range", l.range}}; }

json toJson(const FileDiagnostic& d) {
  json j{{"range", d.range},
         {"severity", d.severity == Severity::Error ? 1 : d.severity == Severity::Warning ? 2 : 3},
         {"code", d.rule},
         {"source", "kamc"},
         {"message", d.message}};
  if (!d.related.empty()) {
    json related = json::array();
    for (const RelatedInfo& r : d.related) related.push_back({{"location", toJson(r.location)}, {"message", r.message}});
    j["relatedInformation"] = std::move(related);
  }
  return j;
}

json toJson(const HoverResult& h) {
  return json{{"contents", {{"kind", "markdown"}, {"value", h.markdown}}}, {"range", h.range}};
}

json toJson(const Symbol& s) {
  json j{{"name", s.name}, {"kind", symbolKindNumber(s.kind)}, {"range", s.range}, {"selectionRange", s.selectionRange}};
  if (!s.detail.empty()) j["detail"] = s.detail;
  if (!s.children.empty()) {
    json children = json::array();
    for (const Symbol& c : s.children) children.push_back(toJson(c));
    j["children"] = std::move(children);
  }
  return j;
}

json toJson(const Completion& c) {
  json j{{"label", c.label}, {"kind", completionKindNumber(c.kind)}, {"insertText", c.insertText},
         {"insertTextFormat", c.snippet ? 2 : 1}};
  if (!c.detail.empty()) j["detail"] = c.detail;
  if (!c.documentation.empty()) j["documentation"] = {{"kind", "markdown"}, {"value", c.documentation}};
  if (!c.additionalEdits.empty()) {
    json edits = json::array();
    for (const TextEdit& e : c.additionalEdits) edits.push_back({{"range", e.range}, {"newText", e.newText}});
    j["additionalTextEdits"] = std::move(edits);
  }
  return j;
}

json highlightJson(const Location& l) { return json{{"range", l.range}, {"kind", 1}}; }

json toJson(const SignatureHelpResult& s) {
  json sigs = json::array();
  for (const Signature& sig : s.signatures) {
    json params = json::array();
    // Parameters as [start, end) offsets into the label: kinds repeat ("str, str").
    size_t from = sig.label.find('(') + 1;
    for (const std::string& p : sig.params) {
      size_t at = sig.label.find(p, from);
      params.push_back({{"label", {at, at + p.size()}}});
      from = at + p.size();
    }
    json j{{"label", sig.label}, {"parameters", std::move(params)}};
    if (!sig.documentation.empty()) j["documentation"] = {{"kind", "markdown"}, {"value", sig.documentation}};
    sigs.push_back(std::move(j));
  }
  return json{{"signatures", std::move(sigs)}, {"activeSignature", s.activeSignature}, {"activeParameter", s.activeParameter}};
}

json toJson(const DocumentLink& l) { return json{{"range", l.range}, {"target", uriFromPath(l.target)}}; }

namespace {

// The legend: token type indexes and the one modifier, "declaration".
constexpr const char* kTokenTypes[] = {"function", "variable", "macro", "string", "number", "keyword", "comment"};

std::pair<int, int> tokenTypeAndModifiers(TokenKind k) {
  switch (k) {
    case TokenKind::Function: return {0, 0};
    case TokenKind::Variable: return {1, 0};
    case TokenKind::Macro: return {2, 0};
    case TokenKind::String: return {3, 0};
    case TokenKind::Number: return {4, 0};
    case TokenKind::Keyword: return {5, 0};
    case TokenKind::Route: return {0, 1};     // a function declaration
    case TokenKind::Inactive: return {6, 0};  // greyed as a comment
  }
  return {0, 0};
}

}  // namespace

json semanticTokensJson(const std::vector<SemanticToken>& tokens) {
  json data = json::array();
  Position prev;
  for (const SemanticToken& t : tokens) {
    auto [type, modifiers] = tokenTypeAndModifiers(t.kind);
    uint32_t dl = t.start.line - prev.line;
    data.push_back(dl);
    data.push_back(dl == 0 ? t.start.character - prev.character : t.start.character);
    data.push_back(t.length);
    data.push_back(type);
    data.push_back(modifiers);
    prev = t.start;
  }
  return json{{"data", std::move(data)}};
}

json toJson(const RouteCallItem& item) {
  return json{{"name", item.name},           {"kind", 12},
              {"detail", item.detail},       {"uri", uriFromPath(item.location.path)},
              {"range", item.location.range}, {"selectionRange", item.selectionRange},
              {"data", {{"kind", item.kind}, {"key", item.key}}}};
}

RouteCallItem callItemFromJson(const json& j) {
  RouteCallItem item;
  item.name = stringField(j, "name");
  item.location.path = pathFromUri(stringField(j, "uri"));
  from_json(field(j, "range"), item.location.range);
  from_json(field(j, "selectionRange"), item.selectionRange);
  const json& data = field(j, "data");
  if (!field(data, "kind").is_number_integer()) throw ProtocolError(ErrorCode::InvalidParams, "data.kind must be an integer");
  item.kind = data["kind"].get<int>();
  item.key = stringField(data, "key");
  if (j.contains("detail") && j["detail"].is_string()) item.detail = j["detail"];
  return item;
}

json toJson(const InlayHint& hint) {
  json j{{"position", hint.position}, {"label", hint.label}, {"kind", hint.parameter ? 2 : 1}};
  j[hint.parameter ? "paddingRight" : "paddingLeft"] = true;
  return j;
}

json symbolInformation(const Symbol& symbol, const std::string& path) {
  return json{{"name", symbol.name}, {"kind", symbolKindNumber(symbol.kind)}, {"location", toJson(Location{path, symbol.range})}};
}

json toJson(const FoldingRange& f) { return json{{"startLine", f.startLine}, {"endLine", f.endLine}}; }

json workspaceEdit(const std::vector<FileEdit>& edits) {
  json changes = json::object();
  for (const FileEdit& e : edits) changes[uriFromPath(e.at.path)].push_back({{"range", e.at.range}, {"newText", e.newText}});
  return json{{"changes", std::move(changes)}};
}

json codeAction(const FileDiagnostic& diagnostic, const QuickFix& fix) {
  return json{{"title", fix.title},
              {"kind", "quickfix"},
              {"diagnostics", json::array({toJson(diagnostic)})},
              {"isPreferred", diagnostic.fixes.size() == 1},
              {"edit", workspaceEdit({fix.edit})}};
}

json publishDiagnostics(const std::string& uri, std::optional<int64_t> version, const std::vector<FileDiagnostic>& diags) {
  json items = json::array();
  for (const FileDiagnostic& d : diags) items.push_back(toJson(d));
  json params{{"uri", uri}, {"diagnostics", std::move(items)}};
  if (version) params["version"] = *version;
  return notification("textDocument/publishDiagnostics", std::move(params));
}

json serverCapabilities(PositionEncoding encoding) {
  return json{
      {"positionEncoding", encoding == PositionEncoding::Utf8 ? "utf-8" : "utf-16"},
      {"textDocumentSync", {{"openClose", true}, {"change", 2}, {"save", {{"includeText", false}}}}},
      {"hoverProvider", true},
      {"definitionProvider", true},
      {"referencesProvider", true},
      {"documentHighlightProvider", true},
      {"documentSymbolProvider", true},
      {"completionProvider", {{"triggerCharacters", {"$", "(", "\"", "{", "."}}, {"resolveProvider", false}}},
      {"diagnosticProvider", {{"interFileDependencies", true}, {"workspaceDiagnostics", false}}},
      {"signatureHelpProvider", {{"triggerCharacters", {"(", ","}}}},
      {"codeActionProvider", {{"codeActionKinds", {"quickfix"}}}},
      {"documentLinkProvider", {{"resolveProvider", false}}},
      {"foldingRangeProvider", true},
      {"documentFormattingProvider", true},
      {"documentRangeFormattingProvider", true},
      {"callHierarchyProvider", true},
      {"inlayHintProvider", true},
      {"workspaceSymbolProvider", true},
      {"workspace", {{"workspaceFolders", {{"supported", true}, {"changeNotifications", true}}}}},
      {"semanticTokensProvider",
       {{"legend", {{"tokenTypes", kTokenTypes}, {"tokenModifiers", {"declaration"}}}}, {"full", true}, {"range", true}}},
      {"renameProvider", {{"prepareProvider", true}}},
  };
}

PositionEncoding negotiateEncoding(const json& initializeParams) {
  const json* caps = initializeParams.is_object() ? &initializeParams : nullptr;
  if (caps && caps->contains("capabilities") && (*caps)["capabilities"].contains("general")) {
    const json& general = (*caps)["capabilities"]["general"];
    if (general.contains("positionEncodings") && general["positionEncodings"].is_array())
      for (const json& e : general["positionEncodings"])
        if (e == "utf-8") return PositionEncoding::Utf8;
  }
  return PositionEncoding::Utf16;
}

json responseOk(const json& id, json result) { return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}}; }

json responseError(const json& id, ErrorCode code, const std::string& message) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", static_cast<int>(code)}, {"message", message}}}};
}

json notification(const std::string& method, json params) {
  return json{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

}  // namespace kamc::lsp
