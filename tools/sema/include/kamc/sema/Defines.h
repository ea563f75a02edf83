// The #!define table of a preprocessed config: where each name was defined
// and every place it was used (expanded), for lint notes, hover (the value and
// its expansion) and navigation.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kamc/preprocess/Preprocessor.h"

namespace kamc::sema {

class DefineTable {
 public:
  explicit DefineTable(const PreprocessResult& pp) : pp_(pp) {}

  // The definition in force at the end of the config, or null.
  const DefineInfo* find(std::string_view name) const;
  const std::vector<DefineInfo>& definitions() const { return pp_.defines; }
  // Every expansion of the name, outermost uses and nested ones, in text order.
  std::vector<const DefineExpansion*> usesOf(std::string_view name) const;
  // The use whose name covers this original position (same file, same line,
  // column inside the name), or null.
  const DefineExpansion* useAt(SourceLocation loc) const;
  // The definition whose name covers this position (#!define NAME), or null.
  const DefineInfo* definitionAt(SourceLocation loc) const;

 private:
  const PreprocessResult& pp_;
};

}  // namespace kamc::sema
