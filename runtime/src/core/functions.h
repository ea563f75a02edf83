// The table of script functions the runtime implements (Kamailio's cmd_export_t): one
// row per function with its arity, allowed route types, fixup and body. Functions are
// keyed by name for now; the ids will come from the module catalog (tools/catalog).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kamc/runtime/abi.h"
#include "kamc/runtime/pseudo_variables.h"

namespace kamc::runtime {

class MessageContext;
class Runtime;
struct FunctionCall;

// An argument after the generic fixup: an integer literal, or a format string (which
// is often constant).
struct FixedArg {
  bool is_int = false;
  long long number = 0;
  Format format;
};

using FunctionBody = int (*)(MessageContext& context, const FunctionCall& call);
// Function-specific load-time work after the generic argument fixup (checking a
// constant, pre-parsing a list); false with a message in error.
using FunctionFixup = bool (*)(FunctionCall& call, std::string& error);

constexpr unsigned kAnyRoute = 0xFFFFFFFFu;

struct FunctionEntry {
  std::string_view module;  // "core", "sl", ... as in the catalog
  std::string_view name;
  int min_args = 0;
  int max_args = 0;
  unsigned route_mask = kAnyRoute;
  FunctionBody body = nullptr;
  FunctionFixup fixup = nullptr;
};

struct FunctionCall {
  const FunctionEntry* entry = nullptr;
  Runtime* runtime = nullptr;  // for fixups that resolve names (t_on_failure's route)
  std::vector<FixedArg> args;
  // Whatever the function's own fixup prepared.
  long long prepared_number = 0;
  std::vector<std::string> prepared_texts;
};

// Per-module tables, each defined next to its functions.
std::span<const FunctionEntry> core_functions();
std::span<const FunctionEntry> sl_functions();
std::span<const FunctionEntry> maxfwd_functions();
std::span<const FunctionEntry> rr_functions();
std::span<const FunctionEntry> siputils_functions();
std::span<const FunctionEntry> textops_functions();
std::span<const FunctionEntry> xlog_functions();
std::span<const FunctionEntry> sanity_functions();
std::span<const FunctionEntry> flag_functions();
std::span<const FunctionEntry> tm_functions();  // tm, tmx and corex's append_branch

const FunctionEntry* find_function(std::string_view name);
// Every row of the tables above, for the catalog consistency test.
std::vector<const FunctionEntry*> all_functions();
// The modules that have at least one function in the tables above.
std::span<const std::string_view> implemented_modules();

// Argument i rendered for this message (constant arguments cost nothing).
std::string arg_text(MessageContext& context, const FunctionCall& call, std::size_t index);
// Argument i as an integer: the literal, or the rendered text parsed as a number.
std::optional<long long> arg_int(MessageContext& context, const FunctionCall& call, std::size_t index);
// Argument i when it must be a constant string (header names, method lists).
bool constant_arg(const FunctionCall& call, std::size_t index, std::string& out, std::string& error);

// The mask check and the body; what kamc_rt_call_function does.
int call_function(MessageContext& context, const FunctionCall& call);

}  // namespace kamc::runtime
