// libFuzzer targets for the config front end, one per stage a hostile config can
// reach: the preprocessor alone (kamc -E), preprocessor + parser + AST (--dump-ast),
// cfgcheck's whole engine, and lowering to LLVM IR (the kamc -c path). The stage is
// chosen at build time (KAMC_FUZZ_STAGE), so each target is its own binary with its
// own corpus, as libFuzzer wants.
#include <cstddef>
#include <cstdint>
#include <string>

#include "kamc/frontend/Pipeline.h"

#if KAMC_FUZZ_STAGE == 4
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>

#include "kamc/codegen/CodeGen.h"
#endif

namespace {

kamc::frontend::ConfigInput inputOf(const uint8_t* data, size_t size) {
  // A name in a directory that holds no configs, so relative includes find nothing
  // and the run does not depend on the disk.
  return kamc::frontend::ConfigInput::inMemory("/nonexistent/fuzz.cfg",
                                               std::string(reinterpret_cast<const char*>(data), size));
}

#if KAMC_FUZZ_STAGE == 4
// A checked config must lower to a module LLVM accepts; anything else is a codegen bug.
void lowerChecked(const kamc::frontend::Compilation& unit) {
  const kamc::ast::Config* config = unit.checkedConfig();
  if (!config) return;
  llvm::LLVMContext context;
  kamc::DiagnosticEngine diags;
  std::unique_ptr<llvm::Module> module =
      kamc::codegen::lowerConfig(*config, unit.sm, unit.pp.map, diags, context, {});
  if (module && llvm::verifyModule(*module, &llvm::errs())) __builtin_trap();
}
#endif

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kamc::frontend::PipelineOptions options;
#if KAMC_FUZZ_STAGE == 1
  kamc::frontend::Compilation unit = kamc::frontend::preprocess(inputOf(data, size), options.preprocess);
  (void)unit.exitCode();
#elif KAMC_FUZZ_STAGE == 2
  kamc::frontend::Compilation unit = kamc::frontend::parse(inputOf(data, size), options);
  (void)unit.exitCode();
#elif KAMC_FUZZ_STAGE == 3
  options.keepGoing = true;  // cfgcheck's mode: every finding, after errors too
  kamc::frontend::Compilation unit = kamc::frontend::check(inputOf(data, size), options);
  (void)unit.exitCode();
#elif KAMC_FUZZ_STAGE == 4
  kamc::frontend::Compilation unit = kamc::frontend::check(inputOf(data, size), options);
  lowerChecked(unit);
#else
#error "KAMC_FUZZ_STAGE must be 1 to 4"
#endif
  return 0;
}
