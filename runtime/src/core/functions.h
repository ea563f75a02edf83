// The script functions the runtime implements (the bodies of Kamailio's cmd_export_t
// rows). Their facts - arity, allowed route types, argument kinds - are the module
// catalog's (tools/catalog): a call is matched to the catalog row marked `native` for
// its name and argument count, and that row's mask is checked on every call.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kamc/catalog/Catalog.h"
#include "kamc/runtime/abi.h"
#include "kamc/runtime/pseudo_variables.h"

namespace kamc::runtime {

class MessageContext;
class Runtime;
struct FunctionCall;
struct CompiledRegex;    // compiled_regex.h
struct SubstExpression;  // subst_expression.h

// An argument after the generic fixup: an integer literal, or a format string (which
// is often constant).
struct FixedArg {
  bool is_int = false;
  long long number = 0;
  Format format;
  // An argument Kamailio takes as written (a regular expression, a static string): `$`
  // in it is not a pseudo-variable, so `written` is its value and `format` is unused.
  bool is_literal = false;
  std::string written;  // a string argument as the config wrote it
};

using FunctionBody = int (*)(MessageContext& context, const FunctionCall& call);
// Function-specific load-time work after the generic argument fixup (checking a
// constant, pre-parsing a list); false with a message in error.
using FunctionFixup = bool (*)(FunctionCall& call, std::string& error);

// One row of a module's cmd_export_t (module.h): the body for one catalog function
// name, all its native arities, and its own fixup. Nothing the catalog says is restated.
struct FunctionExport {
  std::string_view name;
  FunctionBody body = nullptr;
  FunctionFixup fixup = nullptr;
};
struct ModuleExports;

struct FunctionCall {
  const FunctionExport* entry = nullptr;
  const ModuleExports* module = nullptr;
  const catalog::FunctionInfo* row = nullptr;  // the catalog row this call was matched to
  Runtime* runtime = nullptr;  // for fixups that resolve names (t_on_failure's route)
  std::vector<FixedArg> args;
  // Whatever the function's own fixup prepared.
  long long prepared_number = 0;
  std::vector<std::string> prepared_texts;
  std::shared_ptr<const CompiledRegex> prepared_regex;    // search(), replace(), remove_hf_re(), ...
  std::shared_ptr<const SubstExpression> prepared_subst;  // subst(), subst_uri(), subst_user()
  const PvSpec* prepared_pv = nullptr;  // a destination variable (auth_get_www_authenticate); the Runtime owns it
};

// The runtime body of a catalog function, by module and name.
const FunctionExport* find_function(std::string_view module, std::string_view name);
// The native catalog row for a call of `name` with `arg_count` arguments, or null with
// the reason in error (unknown, not implemented, or the wrong number of arguments).
const catalog::FunctionInfo* native_row(std::string_view name, std::size_t arg_count, std::string& error);
// Every function row of every built-in module with its module's name, for the catalog
// consistency test.
struct ExportedFunction {
  std::string_view module;
  const FunctionExport* function;
};
std::vector<ExportedFunction> all_functions();
// Whether argument i of a call matched to this catalog row is taken as written rather
// than as a format string: Kamailio's fixups keep `string` and `regex` arguments
// literal ($ in a regex is the end anchor), so the catalog's kind decides.
bool literal_argument(const catalog::FunctionInfo& row, std::size_t index);

// Argument i rendered for this message (constant arguments cost nothing).
std::string arg_text(MessageContext& context, const FunctionCall& call, std::size_t index);
// Argument i as an integer: the literal, or the rendered text parsed as a number.
std::optional<long long> arg_int(MessageContext& context, const FunctionCall& call, std::size_t index);
// Argument i when it must be a constant string (header names, method lists).
bool constant_arg(const FunctionCall& call, std::size_t index, std::string& out, std::string& error);
// Fixups shared by modules: argument 0 as a constant regular expression with the flags
// of Kamailio's fixup_regexp_* (extended, ignore case, '.' and '[^a]' do not match a
// newline) into prepared_regex; as a "/re/repl/flags" substitution into prepared_subst.
bool fixup_regex_arg(FunctionCall& call, std::string& error);
bool fixup_subst_arg(FunctionCall& call, std::string& error);
// Kamailio's "var" reading of a string argument (fix_param tries a single
// pseudo-variable before a format): a text that starts, after blanks, with a
// pseudo-variable is that variable alone, and whatever follows it is dropped. Argument
// `index` then renders as the variable; returns whether it applied.
bool fixup_leading_pv(FunctionCall& call, std::size_t index);
// Flag numbers (setflag, setbflag, ...): a constant is checked once against 0..31.
bool fixup_flag(FunctionCall& call, std::string& error);
// Argument 0 as a flag bit for this message; nullopt (logged) when it is not 0..31.
std::optional<unsigned> flag_bit(MessageContext& context, const FunctionCall& call);

// The mask check and the body; what kamc_rt_call_function does.
int call_function(MessageContext& context, const FunctionCall& call);

}  // namespace kamc::runtime
