// Define lookups over the preprocessor's table and its expansion records.
#include "kamc/sema/Defines.h"

namespace kamc::sema {
namespace {

bool covers(SourceLocation start, size_t length, SourceLocation at) {
  return start.valid() && start.file == at.file && start.line == at.line && at.column >= start.column &&
         at.column <= start.column + length;
}

}  // namespace

const DefineInfo* DefineTable::find(std::string_view name) const {
  for (const DefineInfo& d : pp_.defines)
    if (d.name == name) return &d;
  return nullptr;
}

std::vector<const DefineExpansion*> DefineTable::usesOf(std::string_view name) const {
  std::vector<const DefineExpansion*> out;
  for (const DefineExpansion& x : pp_.map.expansions())
    if (x.name == name) out.push_back(&x);
  return out;
}

const DefineExpansion* DefineTable::useAt(SourceLocation loc) const {
  for (const DefineExpansion& x : pp_.map.expansions())
    if (covers(x.useSite, x.name.size(), loc)) return &x;
  return nullptr;
}

const DefineInfo* DefineTable::definitionAt(SourceLocation loc) const {
  for (const DefineInfo& d : pp_.defines)
    if (covers(d.definedAt, d.name.size(), loc)) return &d;
  return nullptr;
}

}  // namespace kamc::sema
