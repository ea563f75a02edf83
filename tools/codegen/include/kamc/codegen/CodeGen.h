// Lowering a parsed Kamailio config to LLVM IR: one native function per route block
// and kamc_cfg_load, the load-time entry point of runtime/include/kamc/runtime/abi.h
// (core parameters, modules, modparams, route registration and every fixup).
// Codegen knows the runtime only through that ABI's names and types.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "kamc/ast/AST.h"
#include "kamc/basic/Diagnostics.h"
#include "kamc/preprocess/SourceMap.h"

namespace llvm {
class LLVMContext;
class Module;
}  // namespace llvm

namespace kamc::codegen {

struct CodegenOptions {
  std::string moduleName = "kamailio.cfg";
  // What kamc_cfg_version holds, e.g. "built from proxy.cfg, sha256 <hex>".
  std::string versionText;
};

// The versionText of a config: its file name and the sha256 of its preprocessed
// text, so that a binary names the exact config it was built from.
std::string versionTextFor(const std::string& cfgPath, std::string_view preprocessedText);

// Returns the module, or null after reporting every construct that cannot be
// compiled (rule kamc-codegen-unsupported) with its location.
std::unique_ptr<llvm::Module> lowerConfig(const ast::Config& config, const SourceManager& sm,
                                          const SourceMap& map, DiagnosticEngine& diags,
                                          llvm::LLVMContext& context, const CodegenOptions& options);

}  // namespace kamc::codegen
