// kamc-cg: the compiling half of kamc, run by the `kamc` driver for
// `kamc run`, `kamc -o`, `kamc -c` and `kamc --emit-llvm`. It checks the config
// as cfgcheck does, lowers it to LLVM IR (tools/codegen), then JIT-compiles and
// runs it in this process with the linked runtime, or emits an object file and
// links it with the runtime into a standalone proxy.
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/Program.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "kamc/codegen/Backend.h"
#include "kamc/codegen/CodeGen.h"
#include "kamc/driver/CommonOptionsCli.h"
#include "kamc/frontend/Pipeline.h"
#include "kamc/runtime/abi.h"
#include "kamc/runtime/program.h"

namespace {

// Every runtime entry point compiled code may call, for the JIT's symbol table.
const kamc::codegen::RuntimeSymbol kRuntimeSymbols[] = {
#define KAMC_RT_ABI_SYMBOL(name) {#name, reinterpret_cast<void*>(&name)},
#include "kamc/runtime/abi_symbols.def"
};

struct Options {
  std::string input;
  std::string output;
  bool emitLlvm = false;
  bool checkOnly = false;
  bool run = false;
  int optLevel = 2;
  std::vector<std::string> runtimeArgs;  // kamc run: everything after the cfg that is not ours
  kamc::CommonOptions common;
};

struct Compiled {
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
};

// The front end (cfgcheck's rules included), then lowering; diagnostics go to stderr.
std::optional<Compiled> compile(const Options& o, int& exitCode) {
  kamc::frontend::PipelineOptions pipeline;
  pipeline.preprocess = o.common.preprocessOptions(kamc::PreprocessMode::Expand);
  kamc::frontend::Compilation unit = kamc::frontend::check(kamc::frontend::ConfigInput::file(o.input), pipeline);
  exitCode = unit.readable() ? kamc::kExitFindings : kamc::kExitUsage;
  Compiled out;
  if (const kamc::ast::Config* config = unit.checkedConfig()) {
    kamc::codegen::CodegenOptions options;
    options.moduleName = o.input;
    options.versionText = kamc::codegen::versionTextFor(o.input, unit.pp.text);
    out.context = std::make_unique<llvm::LLVMContext>();
    out.module = kamc::codegen::lowerConfig(*config, unit.sm, unit.pp.map, unit.diags, *out.context, options);
  }
  unit.printDiagnostics(o.common.useColor());
  if (!out.module) return std::nullopt;
  std::string error;
  if (!kamc::codegen::targetHost(*out.module, error) ||
      (o.optLevel > 0 && !kamc::codegen::optimizeModule(*out.module, error))) {
    std::fprintf(stderr, "kamc: internal error: %s\n", error.c_str());
    return std::nullopt;
  }
  exitCode = kamc::kExitClean;
  return out;
}

int runJit(const Options& o, Compiled compiled, std::vector<std::string> args) {
  std::string error;
  auto jit = kamc::codegen::jitCompile(std::move(compiled.context), std::move(compiled.module), kRuntimeSymbols, error);
  void* load = jit ? jit->lookup("kamc_cfg_load", error) : nullptr;
  void* version = jit ? jit->lookup("kamc_cfg_version", error) : nullptr;
  if (!load || !version) {
    std::fprintf(stderr, "kamc: JIT compilation failed: %s\n", error.c_str());
    return 1;
  }
  kamc::runtime::ProgramInfo info;
  info.name = "kamc run";
  info.version_text = static_cast<const char*>(version);
  info.load = reinterpret_cast<kamc_rt_load_fn>(load);
  std::vector<char*> argv{const_cast<char*>("kamc run")};
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return kamc::runtime::run_program(info, static_cast<int>(argv.size() - 1), argv.data());
}

// What `kamc -o` links after the config's object, in order (tools/kamc/CMakeLists.txt).
const char* const kRuntimeLinkInputs[] = {KAMC_RUNTIME_LINK_INPUTS};

// kamc -o proxy cfg: the object file linked with the runtime by the system C++ driver,
// run directly with an argument vector (no shell, so no quoting of the paths).
int buildExecutable(const Options& o, Compiled compiled) {
  std::string object = o.output + ".kamc.o";
  std::string error;
  if (!kamc::codegen::emitObjectFile(*compiled.module, object, error)) {
    std::fprintf(stderr, "kamc: %s\n", error.c_str());
    return 1;
  }
  std::vector<llvm::StringRef> args{KAMC_LINKER, "-o", o.output, object};
  args.insert(args.end(), std::begin(kRuntimeLinkInputs), std::end(kRuntimeLinkInputs));
  bool couldNotRun = false;
  int status = llvm::sys::ExecuteAndWait(KAMC_LINKER, args, std::nullopt, {}, 0, 0, &error, &couldNotRun);
  std::remove(object.c_str());
  if (status == 0) return 0;
  if (couldNotRun) {
    std::fprintf(stderr, "kamc: linking %s failed: cannot run %s: %s\n", o.output.c_str(), KAMC_LINKER, error.c_str());
    return 1;
  }
  std::string command;
  for (llvm::StringRef a : args) command += (command.empty() ? "" : " ") + a.str();
  // ExecuteAndWait gives -2 for a linker killed by a signal, with the signal in `error`.
  std::string outcome = status > 0 ? "the linker exited with status " + std::to_string(status) : error;
  std::fprintf(stderr, "kamc: linking %s failed: %s\n  command: %s\n", o.output.c_str(), outcome.c_str(),
               command.c_str());
  return 1;
}

// kamc run cfg [-A NAME] [--max-defines N] [runtime flags]: ours are taken out,
// the rest go to the runtime as kamailio's flags.
bool splitRunArguments(int argc, char** argv, Options& o) {
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if ((arg == "-A" || arg == "--max-defines") && i + 1 < argc) {
      if (arg == "-A") o.common.defines.push_back(argv[++i]);
      else o.common.maxDefines = std::strtoul(argv[++i], nullptr, 10);
    } else if (arg.rfind("-A", 0) == 0 && arg.size() > 2) {
      o.common.defines.push_back(arg.substr(2));
    } else if (arg.rfind("-O", 0) == 0 && arg.size() == 3 && isdigit(static_cast<unsigned char>(arg[2]))) {
      o.optLevel = arg[2] - '0';
    } else if (o.input.empty() && !arg.empty() && arg[0] != '-') {
      o.input = arg;
    } else {
      o.runtimeArgs.push_back(arg);
    }
  }
  if (o.input.empty()) {
    std::fprintf(stderr, "usage: kamc run CFG [-A NAME]... [kamailio flags: -l ADDR -n N -D -E -P FILE ...]\n");
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (argc > 1 && std::string(argv[1]) == "run") {
    if (!splitRunArguments(argc, argv, o)) return kamc::kExitUsage;
    int code = 0;
    std::optional<Compiled> compiled = compile(o, code);
    if (!compiled) return code;
    return runJit(o, std::move(*compiled), o.runtimeArgs);
  }
  CLI::App app{"kamc-cg: kamc's compiler (run through kamc)"};
  app.add_option("input", o.input, "Kamailio configuration file")->required();
  app.add_flag("--emit-llvm", o.emitLlvm, "Print the LLVM IR of the compiled config");
  app.add_flag("-c", o.checkOnly, "Check only: compile, load and fix up as `kamailio -c` does");
  app.add_option("-o", o.output, "Build a standalone proxy executable");
  app.add_option("-O", o.optLevel, "Optimization level: 0 or 2 (default)");
  kamc::addCommonOptions(app, o.common);
  if (std::optional<int> done = kamc::parseCommandLine(app, argc, argv)) return *done;
  int code = 0;
  std::optional<Compiled> compiled = compile(o, code);
  if (!compiled) return code;
  if (o.emitLlvm) {
    std::string text = kamc::codegen::printModule(*compiled->module);
    return kamc::writeTextOutput(text, o.output) ? 0 : kamc::kExitUsage;
  }
  if (o.checkOnly) return runJit(o, std::move(*compiled), {"-c"});
  if (!o.output.empty()) return buildExecutable(o, std::move(*compiled));
  std::fprintf(stderr, "kamc-cg: give --emit-llvm, -c, -o FILE or run\n");
  return kamc::kExitUsage;
}
