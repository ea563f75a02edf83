// Function lookup across the module tables and the argument helpers their bodies use.
#include "functions.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "compiled_regex.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/message_context.h"
#include "kamc/runtime/runtime.h"
#include "kamc/semantics/PvSyntax.h"
#include "module.h"
#include "subst_expression.h"
#include "kamc/semantics/RegexLimits.h"

namespace kamc::runtime {

std::vector<ExportedFunction> all_functions() {
  std::vector<ExportedFunction> rows;
  for (const ModuleExports* module : builtin_modules()) {
    for (const FunctionExport& function : module->functions) rows.push_back({module->name, &function});
  }
  return rows;
}

const FunctionExport* find_function(std::string_view module, std::string_view name) {
  const ModuleExports* exports = find_module(module);
  if (!exports) return nullptr;
  for (const FunctionExport& function : exports->functions) {
    if (function.name == name) return &function;
  }
  return nullptr;
}

bool literal_argument(const catalog::FunctionInfo& row, std::size_t index) {
  if (index >= row.maxArgs) return false;
  catalog::ArgKind kind = row.argKinds[index];
  return kind == catalog::ArgKind::String || kind == catalog::ArgKind::Regex;
}

namespace {
// "1", "1 or 2", "0 to 2": the native arities of a name, for an error message.
std::string native_arities(std::string_view name) {
  std::string text;
  for (const catalog::FunctionInfo& row : catalog::functionsNamed(name)) {
    if (!row.nativeInRuntime) continue;
    if (!text.empty()) text += " or ";
    text += std::to_string(row.minArgs);
    if (row.maxArgs != row.minArgs) text += " to " + std::to_string(row.maxArgs);
  }
  return text;
}
}  // namespace

const catalog::FunctionInfo* native_row(std::string_view name, std::size_t arg_count, std::string& error) {
  bool native = false;
  for (const catalog::FunctionInfo& row : catalog::functionsNamed(name)) {
    if (!row.nativeInRuntime) continue;
    native = true;
    if (row.acceptsArgCount(arg_count)) return &row;
  }
  if (!native) {
    error = "unknown function '" + std::string(name) + "' (not implemented by the runtime)";
  } else {
    error = std::string(name) + "() takes " + native_arities(name) + " arguments, not " + std::to_string(arg_count);
  }
  return nullptr;
}

std::string arg_text(MessageContext& context, const FunctionCall& call, std::size_t index) {
  if (index >= call.args.size()) return {};
  const FixedArg& arg = call.args[index];
  if (arg.is_int) return std::to_string(arg.number);
  if (arg.is_literal) return arg.written;
  if (arg.format.is_constant()) return std::string(arg.format.constant_text());
  return arg.format.render(context);
}

std::optional<long long> arg_int(MessageContext& context, const FunctionCall& call, std::size_t index) {
  if (index >= call.args.size()) return std::nullopt;
  if (call.args[index].is_int) return call.args[index].number;
  std::string text = arg_text(context, call, index);
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool constant_arg(const FunctionCall& call, std::size_t index, std::string& out, std::string& error) {
  const FixedArg& arg = call.args[index];
  if (arg.is_int) {
    out = std::to_string(arg.number);
    return true;
  }
  if (arg.is_literal) {
    out = arg.written;
    return true;
  }
  if (!arg.format.is_constant()) {
    error = std::string(call.entry->name) + "(): argument " + std::to_string(index + 1) +
            " must be a constant string, not contain pseudo-variables";
    return false;
  }
  out = std::string(arg.format.constant_text());
  return true;
}

bool fixup_regex_arg(FunctionCall& call, std::string& error) {
  std::string pattern;
  if (!constant_arg(call, 0, pattern, error)) return false;
  auto regex = std::make_shared<CompiledRegex>();
  std::string reason = semantics::compileBoundedRegex(regex->regex, pattern, REG_EXTENDED | REG_ICASE | REG_NEWLINE);
  if (!reason.empty()) {
    error = std::string(call.entry->name) + "(): bad regular expression \"" + pattern + "\": " + reason;
    return false;
  }
  regex->compiled = true;
  call.prepared_regex = std::move(regex);
  return true;
}

bool fixup_subst_arg(FunctionCall& call, std::string& error) {
  std::string text;
  if (!constant_arg(call, 0, text, error)) return false;
  std::string subst_error;
  call.prepared_subst = parse_subst(text, call.runtime->var_slots(), subst_error);
  if (!call.prepared_subst) {
    error = std::string(call.entry->name) + "(): " + subst_error;
    return false;
  }
  return true;
}

bool fixup_leading_pv(FunctionCall& call, std::size_t index) {
  FixedArg& arg = call.args[index];
  if (arg.is_int) return false;
  std::string_view text = arg.written;
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  if (text.size() < 2 || text.front() != '$') return false;
  // "$$" is the marker variable whose value is "$".
  std::size_t length = text[1] == '$' ? 2 : 0;
  if (length == 0) {
    semantics::PseudoVariableParse parsed = semantics::parsePseudoVariable(text, semantics::PvContext::String);
    if (!parsed.pv) return false;
    length = parsed.length;
  }
  std::string pv_error;
  auto format = Format::parse(text.substr(0, length), call.runtime->var_slots(), pv_error);
  if (!format) return false;  // not a readable variable: the text stays what it was
  arg.is_literal = false;
  arg.format = std::move(*format);
  return true;
}

bool fixup_flag(FunctionCall& call, std::string& error) {
  constexpr long long kMaxFlag = 31;  // Kamailio's flags are the bits of a 32-bit word
  for (const FixedArg& arg : call.args) {
    if (arg.is_int && (arg.number < 0 || arg.number > kMaxFlag)) {
      error = std::string(call.entry->name) + "(): flag " + std::to_string(arg.number) + " is not in 0..31";
      return false;
    }
  }
  return true;
}

std::optional<unsigned> flag_bit(MessageContext& context, const FunctionCall& call) {
  auto flag = arg_int(context, call, 0);
  if (!flag || *flag < 0 || *flag > 31) {
    log_format(L_ERR, "%.*s(): invalid flag", static_cast<int>(call.entry->name.size()), call.entry->name.data());
    return std::nullopt;
  }
  return 1u << *flag;
}

int call_function(MessageContext& context, const FunctionCall& call) {
  if (!call.row->allowedIn(static_cast<catalog::RouteType>(context.route_type))) {
    log_format(L_ERR, "%.*s() is not allowed in this route type (%d)", static_cast<int>(call.entry->name.size()),
               call.entry->name.data(), context.route_type);
    return KAMC_RT_FALSE;
  }
  return call.entry->body(context, call);
}

}  // namespace kamc::runtime
