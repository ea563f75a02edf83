// The CLI11 half of CommonOptions, for the tool mains only. It is inline on
// purpose: CLI11 2.1 defines its validators (ExistingFile, NonNegativeNumber...)
// as const globals, so every translation unit that includes it builds its own
// copies at start-up. Keeping CLI11 to the one main.cpp of each tool keeps
// that cost to once per process (`kamc -E` is timed against kamailio).
#pragma once

#include <CLI/CLI.hpp>

#include "kamc/driver/CommonOptions.h"

namespace kamc {

inline void addCommonOptions(CLI::App& app, CommonOptions& o) {
  app.add_option("-A", o.defines, "Define NAME or NAME=VALUE, like kamailio -A")
      ->allow_extra_args(false);
  app.add_option("--max-defines", o.maxDefines,
                 "Most defines allowed (256; 512 matches Kamailio >= 5.3)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--color", o.color, "Color diagnostics: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
}

}  // namespace kamc
