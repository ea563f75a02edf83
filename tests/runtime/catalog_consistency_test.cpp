// The module catalog (tools/catalog) is the one place that says which functions the
// runtime implements: codegen refuses a call whose row is not marked `native`, and the
// runtime's fixup refuses a function it has no body for. These tests keep the two in
// step, in both directions, including arity.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "functions.h"
#include "kamc/catalog/Catalog.h"

namespace {

using kamc::catalog::FunctionInfo;

std::string key(std::string_view module, std::string_view name) { return std::string(module) + "." + std::string(name); }

TEST(CatalogConsistency, EveryRuntimeFunctionIsNativeInTheCatalog) {
  for (const kamc::runtime::FunctionEntry* entry : kamc::runtime::all_functions()) {
    bool native_row = false;
    for (const FunctionInfo& row : kamc::catalog::functionsNamed(entry->name)) {
      if (row.module == entry->module && row.nativeInRuntime) native_row = true;
    }
    EXPECT_TRUE(native_row) << key(entry->module, entry->name)
                            << " is implemented by the runtime but no catalog row marks it native";
  }
}

TEST(CatalogConsistency, EveryNativeCatalogRowHasARuntimeBodyWithItsArity) {
  for (const FunctionInfo& row : kamc::catalog::allFunctions()) {
    if (!row.nativeInRuntime) continue;
    const kamc::runtime::FunctionEntry* entry = kamc::runtime::find_function(row.name);
    EXPECT_NE(entry, nullptr) << key(row.module, row.name) << " is marked native but the runtime lacks it";
    if (!entry) continue;
    EXPECT_EQ(entry->module, row.module) << row.name;
    EXPECT_LE(entry->min_args, row.minArgs) << key(row.module, row.name) << ": catalog arity below the runtime's";
    EXPECT_GE(entry->max_args, row.maxArgs) << key(row.module, row.name) << ": catalog arity above the runtime's";
  }
}

}  // namespace
