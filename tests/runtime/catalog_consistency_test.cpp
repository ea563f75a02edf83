// The module catalog (tools/catalog) is the one place that says which functions the
// runtime implements, with their arities and route types: codegen refuses a call whose
// row is not marked `native`, and the runtime takes arity and mask from that row. What
// the catalog cannot say is whether a body exists; these tests keep the two in step, in
// both directions, and check that the runtime really reads the catalog's facts.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "functions.h"
#include "module.h"
#include "kamc/catalog/Catalog.h"

namespace {

using kamc::catalog::FunctionInfo;

std::string key(std::string_view module, std::string_view name) { return std::string(module) + "." + std::string(name); }

TEST(CatalogConsistency, EveryRuntimeFunctionIsNativeInTheCatalog) {
  for (const kamc::runtime::ExportedFunction& entry : kamc::runtime::all_functions()) {
    bool native_row = false;
    for (const FunctionInfo& row : kamc::catalog::functionsNamed(entry.function->name)) {
      if (row.module == entry.module && row.nativeInRuntime) native_row = true;
    }
    EXPECT_TRUE(native_row) << key(entry.module, entry.function->name)
                            << " is implemented by the runtime but no catalog row marks it native";
  }
}

TEST(CatalogConsistency, EveryNativeCatalogRowHasARuntimeBody) {
  for (const FunctionInfo& row : kamc::catalog::allFunctions()) {
    if (!row.nativeInRuntime) continue;
    EXPECT_NE(kamc::runtime::find_function(row.module, row.name), nullptr)
        << key(row.module, row.name) << " is marked native but the runtime lacks it";
  }
}

TEST(CatalogConsistency, EveryModuleParameterAndPseudoVariableIsInTheCatalog) {
  for (const kamc::runtime::ModuleExports* module : kamc::runtime::builtin_modules()) {
    EXPECT_NE(kamc::catalog::findModule(module->name), nullptr) << module->name << " is not a catalog module";
    for (const kamc::runtime::ParamExport& param : module->params) {
      EXPECT_NE(kamc::catalog::findParam(module->name, param.name), nullptr)
          << key(module->name, param.name) << " is exported by the runtime but not a catalog modparam";
    }
    for (const kamc::runtime::PvExport& pv : module->pseudo_variables) {
      bool registered_by_module = false;
      for (const auto& row : kamc::catalog::pseudoVariablesNamed(pv.name)) {
        if (row.module == module->name) registered_by_module = true;
      }
      EXPECT_TRUE(registered_by_module) << "$" << pv.name << " is registered by " << module->name
                                        << " but the catalog has no such class of that module";
    }
    for (const kamc::runtime::TransformExport& transform : module->transformations) {
      std::size_t dot = transform.name.find('.');
      const auto* info = kamc::catalog::findTransformation(transform.name.substr(0, dot), transform.name.substr(dot + 1));
      EXPECT_TRUE(info && info->module == module->name)
          << "{" << transform.name << "} is registered by " << module->name << " but the catalog says otherwise";
    }
  }
}

TEST(CatalogConsistency, CallsAreMatchedToTheCatalogRowOfTheirArity) {
  std::string error;
  // append_hf has two native rows (1 and 2 arguments) with their own argument kinds.
  const FunctionInfo* one = kamc::runtime::native_row("append_hf", 1, error);
  const FunctionInfo* two = kamc::runtime::native_row("append_hf", 2, error);
  ASSERT_NE(one, nullptr);
  ASSERT_NE(two, nullptr);
  EXPECT_EQ(one->maxArgs, 1);
  EXPECT_EQ(two->maxArgs, 2);
  EXPECT_EQ(kamc::runtime::native_row("append_hf", 3, error), nullptr);
  EXPECT_NE(error.find("takes 1 or 2 arguments, not 3"), std::string::npos) << error;
  EXPECT_EQ(kamc::runtime::native_row("no_such_function", 0, error), nullptr);
  EXPECT_NE(error.find("unknown function"), std::string::npos) << error;
  // In the catalog but not implemented: refused as unknown to the runtime.
  EXPECT_EQ(kamc::runtime::native_row("add_sock_hdr", 1, error), nullptr);
  EXPECT_NE(error.find("not implemented by the runtime"), std::string::npos) << error;
}

}  // namespace
