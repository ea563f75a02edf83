// Function lookup across the module tables and the argument helpers their bodies use.
#include "functions.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "kamc/runtime/log.h"
#include "kamc/runtime/message_context.h"

namespace kamc::runtime {

namespace {
using TableFn = std::span<const FunctionEntry> (*)();
constexpr std::array<TableFn, 10> kTables{core_functions,      sl_functions,      maxfwd_functions,
                                         rr_functions,        siputils_functions, textops_functions,
                                         xlog_functions,      sanity_functions,   tm_functions, flag_functions};
}  // namespace

std::vector<const FunctionEntry*> all_functions() {
  std::vector<const FunctionEntry*> rows;
  for (TableFn table : kTables) {
    for (const auto& entry : table()) rows.push_back(&entry);
  }
  return rows;
}

std::span<const std::string_view> implemented_modules() {
  static const std::vector<std::string_view> modules = [] {
    std::vector<std::string_view> names;
    for (TableFn table : kTables) {
      for (const auto& entry : table()) {
        if (std::find(names.begin(), names.end(), entry.module) == names.end()) names.push_back(entry.module);
      }
    }
    return names;
  }();
  return modules;
}

const FunctionEntry* find_function(std::string_view name) {
  for (TableFn table : kTables) {
    for (const auto& entry : table()) {
      if (entry.name == name) return &entry;
    }
  }
  return nullptr;
}

std::string arg_text(MessageContext& context, const FunctionCall& call, std::size_t index) {
  if (index >= call.args.size()) return {};
  const FixedArg& arg = call.args[index];
  if (arg.is_int) return std::to_string(arg.number);
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
  if (!arg.format.is_constant()) {
    error = std::string(call.entry->name) + "(): argument " + std::to_string(index + 1) +
            " must be a constant string, not contain pseudo-variables";
    return false;
  }
  out = std::string(arg.format.constant_text());
  return true;
}

int call_function(MessageContext& context, const FunctionCall& call) {
  if ((call.entry->route_mask & static_cast<unsigned>(context.route_type)) == 0) {
    log_format(L_ERR, "%.*s() is not allowed in this route type (%d)", static_cast<int>(call.entry->name.size()),
               call.entry->name.data(), context.route_type);
    return KAMC_RT_FALSE;
  }
  return call.entry->body(context, call);
}

}  // namespace kamc::runtime
