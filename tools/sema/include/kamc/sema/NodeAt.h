// The tree under a position of the original text: what hover, go-to-definition
// and completion ask first. Positions in files map to the preprocessed text
// the tree was built from through the preprocessor's source map.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "kamc/ast/AST.h"
#include "kamc/preprocess/SourceMap.h"

namespace kamc::sema {

// The preprocessed-text offset of a byte of an original file, when that byte
// reached the parser as written (not inside a define's expansion or a
// directive line). nullopt otherwise.
std::optional<uint32_t> preprocessedOffset(const SourceMap& map, FileId file, uint32_t fileOffset);

// The nodes that contain an offset of the preprocessed text, outermost first.
struct NodePath {
  const ast::TopItem* item = nullptr;
  std::vector<const ast::Statement*> statements;
  std::vector<const ast::Expr*> exprs;
  const ast::Word* word = nullptr;  // a word of a top-level item: route name, modparam name...

  const ast::Expr* innermostExpr() const { return exprs.empty() ? nullptr : exprs.back(); }
  // The innermost call expression containing the offset, or null.
  const ast::CallExpr* enclosingCall() const;
};
// A node contains the offsets [begin, end]: a cursor just after a name is on it.
NodePath nodeAt(const ast::Config& config, uint32_t offset);

}  // namespace kamc::sema
