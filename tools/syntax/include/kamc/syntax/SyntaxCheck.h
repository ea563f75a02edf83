// Parses preprocessed cfg text with the ANTLR grammar and reports syntax
// errors at their original file:line:col (through the preprocessor's map).
// No ANTLR type appears in this interface.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kamc/ast/AST.h"
#include "kamc/ast/TreeHoles.h"
#include "kamc/basic/Diagnostics.h"
#include "kamc/preprocess/Preprocessor.h"

namespace kamc {

struct SyntaxCheckOptions {
  size_t maxErrors = 20;  // stop reporting after this many
  // The preprocessor stopped early (PreprocessResult::stoppedEarly): the text
  // ends where Kamailio stops reading, so running out of text mid-block is
  // no error. The errors above that point are still reported, as Kamailio,
  // reading in order, reports them first.
  bool textEndsEarly = false;
};

using LostItems = ast::LostItems;

struct ParseResult {
  // Always set; after syntax errors it holds what could be recovered.
  std::unique_ptr<ast::Config> config;
  size_t syntaxErrors = 0;
  // The items of `config` whose text holds a syntax error. Every other item
  // parsed exactly as written.
  using IncompleteItem = ast::IncompleteItem;
  std::vector<IncompleteItem> incompleteItems;
  // The recovery skipped the start of a top-level item: `config` lacks
  // items the text has.
  LostItems lost;
};

// Parses the preprocessed text into the AST, reporting syntax errors (rule
// kamc-syntax) at their original locations.
// Callable from any thread; parses run one at a time (ANTLR's shared caches).
ParseResult parseConfig(const PreprocessResult& pp, const SourceManager& sm,
                        DiagnosticEngine& diags, const SyntaxCheckOptions& opts = {});

// Parses pp.text[begin, end) as exactly one top-level item (what an edit
// inside one route block changed), positions in the whole text. Null when
// that text is anything else, has a syntax error or would report one: the
// caller then parses the whole config. Reports nothing.
ast::TopItemPtr parseTopItem(const PreprocessResult& pp, const SourceManager& sm, size_t begin, size_t end);
// True when the text holds only what the lexer skips: blanks and comments.
bool isLayoutOnly(std::string_view text);

}  // namespace kamc
