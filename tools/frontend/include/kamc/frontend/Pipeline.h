// The front end as one pipeline: preprocess -> parse -> lint, ending in the
// checked tree that codegen lowers. Every tool and test runs a config through
// here instead of wiring the stages itself, so they all read a config the same
// way. No parser type appears in this interface.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kamc/ast/AST.h"
#include "kamc/basic/Diagnostics.h"
#include "kamc/basic/SourceManager.h"
#include "kamc/preprocess/Preprocessor.h"
#include "kamc/syntax/SyntaxCheck.h"

namespace kamc::frontend {

// A config file on disk, or text held in memory (editors, tests) under a name
// for diagnostics; includes resolve as preprocessText describes.
struct ConfigInput {
  std::string path;
  std::optional<std::string> text;
  // Open editor buffers read in place of the disk, for the main file and its
  // includes (the language server); null reads the disk.
  const FileOverlay* overlay = nullptr;

  static ConfigInput file(std::string path) { return {std::move(path), std::nullopt}; }
  static ConfigInput inMemory(std::string name, std::string text) { return {std::move(name), std::move(text)}; }
};

struct PipelineOptions {
  PreprocessOptions preprocess;
  // Report every error at once (cfgcheck, the language server): parse the
  // text up to where the preprocessor stopped, and after errors run the
  // checks on the items that parsed whole. Otherwise (the compiler, the
  // printers) a stage runs only on input it can trust: no parse of a
  // cut-short text, no lint of a config with errors.
  bool keepGoing = false;
};

// One config through the front end: the files it read, the findings, the
// preprocessed text and the tree. Everything a diagnostic or the lowering
// refers to lives here.
struct Compilation {
  SourceManager sm;
  DiagnosticEngine diags;
  PreprocessResult pp;
  std::unique_ptr<ast::Config> config;  // set once parsed; after syntax errors, what was recovered
  size_t syntaxErrors = 0;
  // After syntax errors: the items that did not parse as written, and
  // whether the tree lacks items of the text (ParseResult; also when the
  // preprocessor stopped early).
  std::vector<ParseResult::IncompleteItem> incompleteItems;
  LostItems lostItems;
  bool linted = false;  // every lint check ran on a tree without holes

  // False when the main file could not be read (an I/O error, not a finding).
  bool readable() const { return pp.mainFile != kNoFile; }
  // The tree codegen may lower: parsed and fully checked, with no error. Null otherwise.
  const ast::Config* checkedConfig() const;
  // The tools' exit code for this config: 2 unreadable, 1 errors, 0 clean.
  int exitCode() const;
  // gcc-style text on stderr.
  void printDiagnostics(bool color) const;
};

// The pipeline up to a stage. Each entry point is defined in its own file so
// that a tool links only the stages it runs: `kamc -E` no parser (and no ANTLR
// start-up), kamc-cc1 no checks.

// Preprocessing only.
Compilation preprocess(const ConfigInput& input, const PreprocessOptions& options);
// Preprocess and parse into the AST.
Compilation parse(const ConfigInput& input, const PipelineOptions& options);
// Preprocess, parse and run cfgcheck's checks: what cfgcheck reports, and the
// tree (checkedConfig) that codegen lowers.
Compilation check(const ConfigInput& input, const PipelineOptions& options);

// The later stages alone, on a unit the earlier ones made: parse(input) is
// preprocess(input) then parseStage, check(input) is parse(input) then
// checkStage. The language server preprocesses first to see whether it can
// reuse its previous tree, and goes on from there when it cannot.
void parseStage(Compilation& unit, const PipelineOptions& options);
void checkStage(Compilation& unit, const PipelineOptions& options);

}  // namespace kamc::frontend
