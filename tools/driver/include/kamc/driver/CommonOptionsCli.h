// The CLI11 half of CommonOptions, for the tool mains only. It is inline on
// purpose: CLI11 2.1 defines its validators (ExistingFile, NonNegativeNumber...)
// as const globals, so every translation unit that includes it builds its own
// copies at start-up. Keeping CLI11 to the one main.cpp of each tool keeps
// that cost to once per process (`kamc -E` is timed against kamailio).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

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

// Parses the command line. Returns the exit code to end with (after --help,
// --version or a usage error, which CLI11 has printed), or nullopt to go on.
// Args are in CLI11's order: reversed, without the program name.
inline std::optional<int> parseCommandLine(CLI::App& app, std::vector<std::string> reversedArgs) {
  try {
    app.parse(reversedArgs);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitClean : kExitUsage;
  }
  return std::nullopt;
}

inline std::optional<int> parseCommandLine(CLI::App& app, int argc, char** argv) {
  std::vector<std::string> reversed;
  for (int i = argc - 1; i > 0; --i) reversed.push_back(argv[i]);
  return parseCommandLine(app, std::move(reversed));
}

}  // namespace kamc
