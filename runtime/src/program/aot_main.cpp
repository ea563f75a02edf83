// main() of a `kamc -o` executable: the compiled config object supplies kamc_cfg_load and
// kamc_cfg_version; everything else is the runtime's program driver.
#include <string>

#include "kamc/runtime/program.h"

int main(int argc, char** argv) {
  std::string self = argc > 0 ? argv[0] : "proxy";
  kamc::runtime::ProgramInfo info;
  info.name = self.substr(self.rfind('/') + 1);
  info.version_text = kamc_cfg_version;
  info.load = kamc_cfg_load;
  return kamc::runtime::run_program(info, argc, argv);
}
