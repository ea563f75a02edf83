// The language features, with no LSP or JSON type in sight (clangd's
// ClangdServer layer): called with file paths, contents and positions, they
// answer in plain structs. The LSP server maps them onto the protocol; the
// unit tests call them directly.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kamc/basic/Diagnostics.h"
#include "kamc/basic/PositionEncoding.h"
#include "kamc/basic/SourceManager.h"
#include "kamc/frontend/Pipeline.h"

namespace kamc::lsp {

// 0-based line and character, the character counted in the client's encoding.
struct Position {
  uint32_t line = 0;
  uint32_t character = 0;
  bool operator==(const Position&) const = default;
};
struct Range {
  Position start, end;
  bool operator==(const Range&) const = default;
};
struct Location {
  std::string path;
  Range range;
  bool operator==(const Location&) const = default;
};

struct RelatedInfo {
  Location location;
  std::string message;
};
// One edit in one file.
struct FileEdit {
  Location at;  // the text replaced; an insertion when the range is empty
  std::string newText;
  bool operator==(const FileEdit&) const = default;
};
// A fix the engine attached to a finding (its fix-it), offered as a quick fix.
struct QuickFix {
  std::string title;
  FileEdit edit;
};
struct FileDiagnostic {
  Range range;
  Severity severity = Severity::Error;
  std::string rule;
  std::string message;
  std::vector<RelatedInfo> related;  // include chain, define origins, "first defined here"
  std::vector<QuickFix> fixes;
};

// Signature help for a module function call being written.
struct Signature {
  std::string label;                // "sl_send_reply(int, spv)"
  std::vector<std::string> params;  // "int", "spv": substrings of label
  std::string documentation;
};
struct SignatureHelpResult {
  std::vector<Signature> signatures;
  uint32_t activeSignature = 0;
  uint32_t activeParameter = 0;
};

// Semantic highlighting: what the front end knows a piece of text is.
enum class TokenKind { Function, Variable, Macro, String, Number, Keyword, Route, Inactive };
struct SemanticToken {
  Position start;
  uint32_t length = 0;  // in the client's code units; tokens never span lines
  TokenKind kind = TokenKind::Function;
  bool operator==(const SemanticToken&) const = default;
};

// A route block in the call hierarchy of route(), t_on_failure() and friends.
struct RouteCallItem {
  std::string name;    // "route[RELAY]"
  std::string detail;  // the block's keyword
  Location location;   // the whole block
  Range selectionRange;
  int kind = 0;        // ast::RouteKind of the block, with `key` naming it again later
  std::string key;
  bool operator==(const RouteCallItem&) const = default;
};
struct RouteCall {
  RouteCallItem item;             // the caller (incoming) or the block called (outgoing)
  std::vector<Range> fromRanges;  // the references, in the caller's file
};

struct InlayHint {
  Position position;
  std::string label;
  bool parameter = false;  // a parameter's kind before an argument; else a define's value after its use
  bool operator==(const InlayHint&) const = default;
};

struct DocumentLink {
  Range range;         // the file name inside the quotes
  std::string target;  // the file it resolved to
};

struct FoldingRange {
  uint32_t startLine = 0, endLine = 0;
  bool operator==(const FoldingRange&) const = default;
};

struct HoverResult {
  std::string markdown;
  Range range;  // the word hovered
};

enum class SymbolKind { Route, Define, Module, Modparam, CoreParam };
struct Symbol {
  std::string name;
  std::string detail;
  SymbolKind kind = SymbolKind::Route;
  Range range;           // the whole item
  Range selectionRange;  // its name
  std::vector<Symbol> children;
};

struct TextEdit {
  Range range;
  std::string newText;
  bool operator==(const TextEdit&) const = default;
};

enum class CompletionKind { Function, Module, Modparam, CoreParam, PseudoVariable, Transformation, Route, Define, Keyword };
struct Completion {
  std::string label;
  CompletionKind kind = CompletionKind::Function;
  std::string detail;
  std::string documentation;
  std::string insertText;  // a snippet when `snippet` ($1, ${1:name} placeholders)
  bool snippet = false;
  std::vector<TextEdit> additionalEdits;  // e.g. the loadmodule line a function needs
};

struct AnalysisOptions {
  std::vector<std::string> defines;  // -A NAME[=VALUE]
  PositionEncoding encoding = PositionEncoding::Utf16;
};

class AnalysisData;

// One root config analysed by the whole front end (preprocess, parse,
// cfgcheck's checks) with the files it includes read through the overlay.
// Immutable once built, so any thread may query it.
class Analysis {
 public:
  static std::shared_ptr<const Analysis> run(const std::string& rootPath, const FileOverlay& overlay,
                                            const AnalysisOptions& options);
  // The same result as run(), reusing the previous analysis of the root when
  // every change of the preprocessed text lies inside route blocks, modparams
  // or loadmodules (each of those is parsed again alone: an edit, or a define
  // whose value changed) or in comments and blanks between items. It takes the
  // previous analysis's tree only when it is the sole owner of it; then
  // `previous` is reset, as it is no longer usable.
  static std::shared_ptr<const Analysis> update(std::shared_ptr<const Analysis>& previous, const std::string& rootPath,
                                               const FileOverlay& overlay, const AnalysisOptions& options);
  // This analysis reused the tree of the one before (for tests and the bench).
  bool reusedTree() const;
  ~Analysis();

  const std::string& root() const;
  // Normalized paths of the root and every file it included.
  const std::set<std::string>& files() const;
  bool reads(const std::string& path) const;
  // The config parsed without syntax errors (its tree is whole).
  bool parsedCleanly() const;
  bool hasTree() const;
  // The findings located in `path`, after `# cfgcheck: disable=` comments;
  // findings without a location are given to the root.
  std::vector<FileDiagnostic> diagnostics(const std::string& path) const;
  // Every finding of every file, for --check: the Diagnostic and its files.
  const std::vector<Diagnostic>& rawDiagnostics() const;
  const SourceManager& sourceManager() const;
  // The front end's result: files, preprocessed text, tree and findings.
  const frontend::Compilation& compilation() const;

  std::optional<HoverResult> hover(const std::string& path, Position pos) const;
  std::vector<Location> definition(const std::string& path, Position pos) const;
  std::vector<Location> references(const std::string& path, Position pos, bool includeDeclaration) const;
  std::vector<Symbol> documentSymbols(const std::string& path) const;
  // `text` is the document as the editor has it now (the tree may be older).
  std::vector<Completion> completion(const std::string& path, const std::string& text, Position pos) const;
  std::optional<SignatureHelpResult> signatureHelp(const std::string& text, Position pos) const;
  // The quick fixes of the findings in `path` that touch `range`.
  std::vector<std::pair<FileDiagnostic, QuickFix>> quickFixes(const std::string& path, Range range) const;
  // include_file / import_file lines of `path` and the files they read.
  std::vector<DocumentLink> documentLinks(const std::string& path) const;
  // Tokens of `path` in text order, not overlapping; the lines of inactive
  // #!ifdef regions as Inactive.
  std::vector<SemanticToken> semanticTokens(const std::string& path) const;
  // Call hierarchy over route() and t_on_*(): the block named at a position,
  // the blocks that reference it, and the blocks it references.
  std::vector<RouteCallItem> prepareCallHierarchy(const std::string& path, Position pos) const;
  std::vector<RouteCall> incomingCalls(const RouteCallItem& item) const;
  std::vector<RouteCall> outgoingCalls(const RouteCallItem& item) const;
  // Define values after their uses and argument kinds before arguments, on lines [first, last].
  std::vector<InlayHint> inlayHints(const std::string& path, uint32_t firstLine, uint32_t lastLine) const;
  // Routes and defines of every file the root reads whose name contains `query` (any case).
  std::vector<std::pair<Symbol, std::string>> workspaceSymbols(const std::string& query) const;
  // Re-indents statements, case labels, closing braces and comments by their
  // depth in the tree (a tab or `tabSize` spaces a level), and empties
  // whitespace-only lines, on lines [first, last]; a simple statement or a block
  // header alone on its line, with no #!define text in it, is written as the AST
  // printer writes it. Keeps everything else as written: comments, blank lines,
  // continuation lines, and every #! line. Lines never move. Idempotent.
  // Refuses (nullopt, *error set) a document that does not parse.
  std::optional<std::vector<TextEdit>> format(const std::string& path, uint32_t firstLine, uint32_t lastLine,
                                              bool insertSpaces, uint32_t tabSize, std::string* error) const;
  // Route blocks and the multi-line statements inside them.
  std::vector<FoldingRange> foldingRanges(const std::string& path) const;
  // Rename of a route or a #!define: the range of the name under the position
  // (prepareRename), and the edits in every file the root reads.
  std::optional<Location> renameTarget(const std::string& path, Position pos) const;
  // Empty, with *error set, when the new name is not a name Kamailio reads.
  std::vector<FileEdit> rename(const std::string& path, Position pos, const std::string& newName,
                               std::string* error) const;

 private:
  explicit Analysis(std::unique_ptr<AnalysisData> data);
  // The indexes and the diagnostics of a compiled unit.
  static std::shared_ptr<const Analysis> finish(std::unique_ptr<AnalysisData> d);
  std::unique_ptr<AnalysisData> d_;
};

// The workspace: open buffers, which config includes which, and the root each
// file is analysed under. An included fragment is analysed in the context of
// the config that includes it; with several such roots, the first in path
// order is used (and --check reports each root).
class Workspace {
 public:
  explicit Workspace(AnalysisOptions options = {}) : options_(std::move(options)) {}

  // Walks a folder for *.cfg files and learns their includes (from disk and
  // open buffers). Returns the number of configs found.
  size_t scanFolder(const std::string& folder);
  // Forgets a folder: its configs (those no remaining folder holds) are no
  // longer roots and no longer include anything, except the configs in
  // `openConfigs` (open documents: analysed as roots themselves, their
  // analyses keep their include edges current).
  void removeFolder(const std::string& folder, const std::set<std::string>& openConfigs);
  // The file lies inside one of the folders scanned.
  bool inFolders(const std::string& path) const;
  // Root configs of the folders scanned: configs no other config includes.
  std::vector<std::string> roots() const;
  // The config to analyse for `path` (itself when nothing includes it).
  std::string rootFor(const std::string& path) const;
  // Records what an analysis read (keeps the include graph current).
  void learnIncludes(const Analysis& analysis);

  FileOverlay& overlay() { return overlay_; }
  const FileOverlay& overlay() const { return overlay_; }
  const AnalysisOptions& options() const { return options_; }
  void setEncoding(PositionEncoding enc) { options_.encoding = enc; }

 private:
  AnalysisOptions options_;
  FileOverlay overlay_;
  std::set<std::string> folders_;                             // normalized, without a trailing '/'
  std::set<std::string> configs_;                             // every scanned config
  std::map<std::string, std::set<std::string>> includedBy_;   // file -> configs that include it
};

std::string normalizePath(const std::string& path);

}  // namespace kamc::lsp
