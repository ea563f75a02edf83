// The process around a compiled config: kamailio's command-line flags, the config's
// core parameters (listen, children, debug, ...), the background fork, the server and a
// clean shutdown. `kamc run` (JIT) and `kamc -o` binaries (AOT) both end up here.
#pragma once

#include <string>

#include "kamc/runtime/abi.h"

namespace kamc::runtime {

struct ProgramInfo {
  std::string name;         // for messages and --version: "proxy", "kamc run"
  std::string version_text; // what --version prints after the name
  kamc_rt_load_fn load = nullptr;
};

// Parses kamailio's daemon flags from argv (argv[0] is the program name), loads the
// config through info.load, and runs the server until SIGTERM/SIGINT. Returns the exit
// code: 0 after a clean shutdown, 1 on a start-up error, 2 on bad flags.
int run_program(const ProgramInfo& info, int argc, char** argv);

}  // namespace kamc::runtime

// What an AOT-compiled config object defines; runtime/src/program/aot_main.cpp calls it.
extern "C" {
int kamc_cfg_load(kamc_rt_runtime* rt, char* error, size_t error_size);
extern const char kamc_cfg_version[];  // "built from proxy.cfg, sha256 <hex>"
}
