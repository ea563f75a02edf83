// cfgcheck: checks Kamailio configs without running any module code:
// preprocessor and syntax errors, then the semantic checks of kamc_lint, all
// run by the front-end pipeline (tools/frontend).
// Option parsing and wiring only; the work is in the libraries.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "kamc/driver/CommonOptionsCli.h"
#include "kamc/driver/DiagnosticOutput.h"
#include "kamc/frontend/Pipeline.h"

namespace {

namespace fs = std::filesystem;

struct Options {
  std::vector<std::string> inputs;
  std::string format = "text";
  std::vector<std::string> enable, disable;
  bool werror = false;
  kamc::CommonOptions common;
};

// Checks one file into `out`; false when it could not be read at all.
bool checkFile(const std::string& path, const Options& o, const kamc::DiagnosticFilter& filter,
               kamc::CheckedFile& out) {
  kamc::frontend::PipelineOptions pipeline;
  pipeline.preprocess = o.common.preprocessOptions(kamc::PreprocessMode::Expand);
  pipeline.keepGoing = true;
  kamc::frontend::Compilation unit = kamc::frontend::check(kamc::frontend::ConfigInput::file(path), pipeline);
  out.path = path;
  out.sm = std::move(unit.sm);
  out.diagnostics = kamc::applyFilter(unit.diags.diagnostics(), out.sm, filter);
  return unit.readable();
}

kamc::DiagnosticFilter filterFrom(const Options& o) {
  kamc::DiagnosticFilter filter;
  filter.disabledRules = {o.disable.begin(), o.disable.end()};
  for (const std::string& r : o.enable) filter.disabledRules.erase(r);
  filter.warningsAsErrors = o.werror;
  return filter;
}

// Files as given; directories walked for *.cfg, in a stable order.
std::vector<std::string> expandInputs(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  for (const std::string& in : inputs) {
    std::error_code ec;
    if (!fs::is_directory(in, ec)) {
      files.push_back(in);
      continue;
    }
    std::vector<std::string> found;
    for (const auto& e : fs::recursive_directory_iterator(in, fs::directory_options::skip_permission_denied, ec))
      if (e.is_regular_file(ec) && e.path().extension() == ".cfg") found.push_back(e.path().string());
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

bool validRules(const std::vector<std::string>& ids) {
  for (const std::string& id : ids) {
    if (kamc::findRule(id)) continue;
    std::fprintf(stderr, "cfgcheck: unknown rule '%s' (see cfgcheck --list-rules)\n", id.c_str());
    return false;
  }
  return true;
}

void printOutput(const std::vector<kamc::CheckedFile>& checked, const Options& o) {
  if (o.format == "text") {
    for (const kamc::CheckedFile& f : checked) kamc::printDiagnostics(f.diagnostics, f.sm, o.common.useColor());
    return;
  }
  std::string text = o.format == "json" ? kamc::renderJson(checked)
                                        : kamc::renderSarif(checked, fs::current_path().string(), KAMC_VERSION);
  std::fwrite(text.data(), 1, text.size(), stdout);
}

int exitCodeFor(const std::vector<kamc::CheckedFile>& checked, bool ioError) {
  if (ioError) return kamc::kExitUsage;
  for (const kamc::CheckedFile& f : checked)
    for (const kamc::Diagnostic& d : f.diagnostics)
      if (d.severity == kamc::Severity::Error) return kamc::kExitFindings;
  return kamc::kExitClean;
}

// cfgcheck is short-lived: freeing the parser's static prediction caches and
// the trees node by node is work the kernel does at once when the process ends.
[[noreturn]] void exitWithoutTeardown(int code) {
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(code);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cfgcheck: find mistakes in Kamailio configs"};
  Options o;
  bool listRules = false;
  app.add_option("files", o.inputs, "Kamailio configuration files or directories (walked for *.cfg)");
  app.add_option("--format", o.format, "Output: text (gcc style, on stderr), json or sarif (on stdout)")
      ->check(CLI::IsMember({"text", "json", "sarif"}));
  app.add_option("--disable", o.disable, "Turn a rule off (repeatable)")->allow_extra_args(false);
  app.add_option("--enable", o.enable, "Turn a rule back on (repeatable)")->allow_extra_args(false);
  app.add_flag("--Werror", o.werror, "Treat warnings as errors (also spelled -Werror, as in gcc)");
  app.add_flag("--list-rules", listRules, "Print every rule id, its default severity and what it finds");
  kamc::addCommonOptions(app, o.common);
  // CLI11 allows one dash only before one-letter names; accept gcc's -Werror.
  std::vector<std::string> args;
  for (int i = argc - 1; i > 0; --i) args.push_back(std::string(argv[i]) == "-Werror" ? "--Werror" : argv[i]);
  if (std::optional<int> done = kamc::parseCommandLine(app, std::move(args))) return *done;
  if (listRules) {
    for (const kamc::RuleInfo& r : kamc::allRules())
      std::printf("%-28s %-8s %s\n", std::string(r.id).c_str(), std::string(severityName(r.defaultSeverity)).c_str(),
                  std::string(r.doc).c_str());
    return kamc::kExitClean;
  }
  if (o.inputs.empty()) {
    std::fprintf(stderr, "cfgcheck: no input files (try --help)\n");
    return kamc::kExitUsage;
  }
  if (!validRules(o.disable) || !validRules(o.enable)) return kamc::kExitUsage;
  std::vector<std::string> files = expandInputs(o.inputs);
  std::vector<kamc::CheckedFile> checked(files.size());
  bool ioError = files.empty();
  kamc::DiagnosticFilter filter = filterFrom(o);
  for (size_t i = 0; i < files.size(); ++i) ioError |= !checkFile(files[i], o, filter, checked[i]);
  printOutput(checked, o);
  exitWithoutTeardown(exitCodeFor(checked, ioError));
}
