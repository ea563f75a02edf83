// What a config's loadmodule lines make visible, and how Kamailio resolves a
// call f(args) against them. lint, the language server (hover, completion,
// signature help) and anything else that asks "what is this call" use this
// one resolution.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kamc/ast/AST.h"
#include "kamc/catalog/Catalog.h"

namespace kamc::sema {

// One loadmodule line.
struct LoadedModule {
  std::string name;
  const catalog::ModuleInfo* info = nullptr;  // null: not a Kamailio 5.6 module kamc knows
  const ast::LoadModuleItem* item = nullptr;
  size_t order = 0;  // index of the line among the config's top-level items
};

// The modules of a config in load order. Kamailio looks functions,
// pseudo-variables and modparams up among the modules loaded *so far*, so
// every query takes the position (top-level item index) of the use.
class ModuleSet {
 public:
  explicit ModuleSet(const ast::Config& config);

  // The module loaded under this name before `order`, or null.
  const LoadedModule* loadedBefore(std::string_view name, size_t order) const;
  // The first loadmodule of this name anywhere in the file, or null.
  const LoadedModule* loadedAnywhere(std::string_view name) const;
  // A module kamc cannot see into is loaded before `order` (one not in the
  // catalog and not removed from Kamailio, or a loadmodulex path with
  // variables): names that kamc does not find may come from it, so they are
  // not reported as unknown.
  bool opaqueBefore(size_t order) const;
  const std::vector<LoadedModule>& modules() const { return modules_; }
  // Where a new loadmodule line goes: the start of the line below the last
  // loadmodule, or of the first item's line when there is none (invalid for
  // an empty config).
  SourceLocation newLoadmoduleAt() const { return newLoadmoduleAt_; }

 private:
  std::vector<LoadedModule> modules_;
  SourceLocation newLoadmoduleAt_;
  std::vector<size_t> opaqueOrders_;
};

// How Kamailio resolves a call f(args) at a place in the file.
struct CallResolution {
  enum class Status {
    Found,          // rows holds the matching exports (name and argument count)
    Keyword,        // a bare core operand: method, uri, myself, src_ip...
    Unknown,        // no module of the catalog exports the name
    NotLoaded,      // exported only by modules that are not loaded (rows: those exports)
    WrongArgCount,  // exported by a loaded module, never with this many arguments
    Opaque,         // not found, but a module kamc does not know may export it
  };
  Status status = Status::Unknown;
  std::vector<const catalog::FunctionInfo*> rows;
};
CallResolution resolveCall(const ast::CallExpr& call, const ModuleSet& modules, size_t order);

// The bare names that Kamailio's grammar reads as the value of a keyword
// comparison rather than as calls: INVITE in `method == INVITE` (a string),
// localhost in `src_ip == localhost`, and my, host.example.com in
// `src_ip == my-host.example.com` (a host name, whose '-' kamc parses as a
// minus). Empty when e is no such comparison.
std::vector<const ast::CallExpr*> bareValueWords(const ast::Expr& e);

// The top-level item index of an item (for ModuleSet queries).
size_t orderOf(const ast::Config& config, const ast::TopItem& item);

}  // namespace kamc::sema
