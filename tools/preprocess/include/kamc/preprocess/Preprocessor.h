// The Kamailio cfg preprocessor: #!define and friends, #!ifdef regions,
// include_file/import_file, #!subst/#!substdef. It reads configs the way
// Kamailio 5.6's lexer does, and maps its output back to the original text.
#pragma once

#include <string>
#include <vector>

#include "kamc/basic/Diagnostics.h"
#include "kamc/basic/SourceManager.h"
#include "kamc/preprocess/SourceMap.h"

namespace kamc {

enum class PreprocessMode {
  // Exactly what `kamailio --cfg-print` prints: includes expanded, #!ifdef
  // regions resolved, define and subst lines kept, nothing substituted.
  CfgPrint,
  // What the parser sees: defines substituted, substs applied to strings,
  // directive lines consumed (their newlines kept so lines stay aligned).
  Expand,
};

struct PreprocessOptions {
  PreprocessMode mode = PreprocessMode::Expand;
  // -A arguments, "NAME" or "NAME=VALUE", in command-line order.
  std::vector<std::string> commandLineDefines;
  // The design's limits. Kamailio >= 5.3 allows 512 defines.
  size_t maxDefines = 256;
  unsigned maxIncludeDepth = 10;
  // Kamailio's predefined KAMAILIO_X, KAMAILIO_X_Y, KAMAILIO_X_Y_Z.
  std::string kamailioVersion = "5.6.3";
};

struct DefineInfo {
  std::string name;
  bool hasValue = false;
  std::string value;
  SourceLocation definedAt;
};

// Text of a file that an #!ifdef region left out (offsets into the file's
// content, end exclusive): editors grey it.
struct InactiveRange {
  FileId file = kNoFile;
  uint32_t begin = 0, end = 0;
};

struct PreprocessResult {
  std::string text;
  SourceMap map;
  FileId mainFile = kNoFile;
  // Processing stopped at an error Kamailio also stops at (its exit code 255);
  // text holds what was produced up to there, as Kamailio's stdout would.
  bool stoppedEarly = false;
  std::vector<DefineInfo> defines;  // the define table at the end
  std::vector<InactiveRange> inactive;  // in text order
};

// Preprocesses a file from disk. I/O and config errors go to diags.
PreprocessResult preprocessFile(const std::string& path, const PreprocessOptions& opts,
                                SourceManager& sm, DiagnosticEngine& diags);
// Preprocesses text held in memory (editors, tests). Includes still resolve
// against the current directory and then the directory of `name`.
PreprocessResult preprocessText(const std::string& name, std::string content,
                                const PreprocessOptions& opts, SourceManager& sm,
                                DiagnosticEngine& diags);

}  // namespace kamc
