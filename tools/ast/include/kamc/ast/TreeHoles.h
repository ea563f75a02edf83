// What syntax errors left out of a parsed tree: the parser records it, the
// checks read it to judge only what parsed as written (docs/cfgcheck.md,
// "After a syntax error"). It sits with the AST, which both layers know.
#pragma once

#include <vector>

#include "kamc/ast/AST.h"

namespace kamc::ast {

// The kinds of top-level items a recovered tree may lack.
struct LostItems {
  bool routes = false;       // route blocks: the routes defined, the calls made
  bool moduleItems = false;  // loadmodule and modparam lines
  bool any() const { return routes || moduleItems; }
  static LostItems all() { return {true, true}; }
  LostItems& operator|=(const LostItems& other) {
    routes = routes || other.routes;
    moduleItems = moduleItems || other.moduleItems;
    return *this;
  }
};

// An item of the tree whose text holds a syntax error: what it contains is
// partly made up by the error recovery (a route's header may still be whole).
struct IncompleteItem {
  const TopItem* item;
  bool headerWhole = false;  // a route block's keyword, name and '{' as written
  // Of such a route, the statements of its body that parsed as written
  // (a statement holding an error goes whole, with what it nests).
  std::vector<const Statement*> wholeStatements;
};

}  // namespace kamc::ast
