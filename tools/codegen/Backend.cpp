// Optimization, printing, object emission and the ORC JIT for lowered configs.
#include "kamc/codegen/Backend.h"

#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Target/TargetOptions.h>
#include <llvm/TargetParser/Host.h>

#include <mutex>

namespace kamc::codegen {

namespace {

void initializeNativeTarget() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

size_t instructionCount(const llvm::Module& module) {
  size_t total = 0;
  for (const llvm::Function& function : module) total += function.getInstructionCount();
  return total;
}

// LLVM's O2 pipeline and its optimizing instruction selection and register
// allocation grow faster than the code; the fast selector and allocator stay
// about linear (docs/codegen.md, "Compile time").
bool isLargeModule(const llvm::Module& module) {
  return instructionCount(module) > kLargeModuleInstructions;
}

llvm::CodeGenOptLevel backendLevelFor(const llvm::Module& module) {
  return isLargeModule(module) ? llvm::CodeGenOptLevel::None : llvm::CodeGenOptLevel::Default;
}

std::unique_ptr<llvm::TargetMachine> hostTargetMachine(llvm::CodeGenOptLevel level, std::string& error) {
  initializeNativeTarget();
  std::string triple = llvm::sys::getDefaultTargetTriple();
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) return nullptr;
  llvm::TargetOptions options;
  return std::unique_ptr<llvm::TargetMachine>(
      target->createTargetMachine(triple, "generic", "", options, llvm::Reloc::PIC_, std::nullopt, level));
}

}  // namespace

bool targetHost(llvm::Module& module, std::string& error) {
  std::unique_ptr<llvm::TargetMachine> machine = hostTargetMachine(llvm::CodeGenOptLevel::Default, error);
  if (!machine) return false;
  module.setDataLayout(machine->createDataLayout());
  module.setTargetTriple(machine->getTargetTriple().str());
  return true;
}

bool optimizeModule(llvm::Module& module, std::string& error) {
  llvm::raw_string_ostream problems(error);
  if (llvm::verifyModule(module, &problems)) return false;
  if (isLargeModule(module)) return true;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb;
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
  mpm.run(module, mam);
  return true;
}

std::string printModule(const llvm::Module& module) {
  std::string text;
  llvm::raw_string_ostream out(text);
  module.print(out, nullptr);
  return text;
}

bool emitObjectFile(llvm::Module& module, const std::string& path, std::string& error) {
  std::unique_ptr<llvm::TargetMachine> machine = hostTargetMachine(backendLevelFor(module), error);
  if (!machine || !targetHost(module, error)) return false;
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = "cannot write " + path + ": " + ec.message();
    return false;
  }
  llvm::legacy::PassManager passes;
  if (machine->addPassesToEmitFile(passes, out, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    error = "the host target cannot emit object files";
    return false;
  }
  passes.run(module);
  out.flush();
  return true;
}

struct JitConfig::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;
};

JitConfig::~JitConfig() = default;

void* JitConfig::lookup(const std::string& name, std::string& error) {
  auto address = impl->jit->lookup(name);
  if (!address) {
    error = llvm::toString(address.takeError());
    return nullptr;
  }
  return address->toPtr<void*>();
}

std::unique_ptr<JitConfig> jitCompile(std::unique_ptr<llvm::LLVMContext> context, std::unique_ptr<llvm::Module> module,
                                      std::span<const RuntimeSymbol> symbols, std::string& error) {
  initializeNativeTarget();
  auto machine = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!machine) {
    error = llvm::toString(machine.takeError());
    return nullptr;
  }
  machine->setCodeGenOptLevel(backendLevelFor(*module));
  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(*machine)).create();
  if (!jit) {
    error = llvm::toString(jit.takeError());
    return nullptr;
  }
  llvm::orc::JITDylib& main = (*jit)->getMainJITDylib();
  llvm::orc::SymbolMap map;
  for (const RuntimeSymbol& s : symbols) {
    map[(*jit)->mangleAndIntern(s.name)] = {llvm::orc::ExecutorAddr::fromPtr(s.address),
                                             llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  }
  if (auto e = main.define(llvm::orc::absoluteSymbols(std::move(map)))) {
    error = llvm::toString(std::move(e));
    return nullptr;
  }
  if (auto e = (*jit)->addIRModule(llvm::orc::ThreadSafeModule(std::move(module), std::move(context)))) {
    error = llvm::toString(std::move(e));
    return nullptr;
  }
  auto result = std::make_unique<JitConfig>();
  result->impl = std::make_unique<JitConfig::Impl>();
  result->impl->jit = std::move(*jit);
  return result;
}

}  // namespace kamc::codegen
