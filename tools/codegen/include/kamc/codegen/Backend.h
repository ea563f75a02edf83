// What happens to a lowered module: optimization, printing, object emission and
// JIT compilation with ORC LLJIT. The runtime's addresses reach the JIT as a
// symbol table from the caller, so this library never links the runtime.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
}  // namespace llvm

namespace kamc::codegen {

// Sets the host's target triple and data layout, which decide the layout of the
// ABI's structs; call it before optimizing, emitting or JIT-compiling.
bool targetHost(llvm::Module& module, std::string& error);

// Compile time stays bounded (docs/codegen.md, "Compile time"): a module of
// more LLVM IR instructions than this (Kamailio's default kamailio.cfg lowers
// to about 2,400) is not optimized, and goes through LLVM's fast instruction
// selection and register allocation when emitted or JIT-compiled.
inline constexpr size_t kLargeModuleInstructions = 20000;

// Runs LLVM's standard O2 pipeline over the module (verifies it first), unless
// it is larger than kLargeModuleInstructions.
bool optimizeModule(llvm::Module& module, std::string& error);

// The module as LLVM assembly text.
std::string printModule(const llvm::Module& module);

// Writes a relocatable object for the host (position independent).
bool emitObjectFile(llvm::Module& module, const std::string& path, std::string& error);

struct RuntimeSymbol {
  const char* name;
  void* address;
};

// A JIT-compiled config; keeps the generated code alive.
class JitConfig {
 public:
  ~JitConfig();
  // The address of a function the module defines (e.g. kamc_cfg_load), or null.
  void* lookup(const std::string& name, std::string& error);
  struct Impl;
  std::unique_ptr<Impl> impl;
};

// Compiles the module with ORC LLJIT; calls to the runtime resolve through symbols.
std::unique_ptr<JitConfig> jitCompile(std::unique_ptr<llvm::LLVMContext> context,
                                      std::unique_ptr<llvm::Module> module,
                                      std::span<const RuntimeSymbol> symbols, std::string& error);

}  // namespace kamc::codegen
