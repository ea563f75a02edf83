// xlog: log lines with pseudo-variables, xlog([level,] format) and the xdbg..xerr forms.
#include <array>

#include "../core/module.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/message_context.h"

namespace kamc::runtime {

namespace {

// xlog(format) logs at L_ERR; xlog(level, format) takes "L_INFO" or similar.
bool fixup_xlog(FunctionCall& call, std::string& error) {
  call.prepared_number = L_ERR;
  if (call.args.size() == 1) return true;
  std::string level;
  if (!constant_arg(call, 0, level, error)) return false;
  int parsed = L_ERR;
  if (!log_level_from_name(level, parsed)) {
    error = "xlog(): unknown log level '" + level + "' (use L_ALERT .. L_DBG)";
    return false;
  }
  call.prepared_number = parsed;
  return true;
}

int log_with_level(MessageContext& context, const FunctionCall& call, int level) {
  if (!log_enabled(level)) return KAMC_RT_TRUE;  // no rendering for a line nobody reads
  log_message(level, arg_text(context, call, call.args.size() - 1));
  return KAMC_RT_TRUE;
}

int xlog_body(MessageContext& context, const FunctionCall& call) {
  return log_with_level(context, call, static_cast<int>(call.prepared_number));
}

template <int Level>
int fixed_level_body(MessageContext& context, const FunctionCall& call) {
  return log_with_level(context, call, Level);
}

constexpr std::array<FunctionExport, 6> kXlog{{
    {"xlog", xlog_body, fixup_xlog},
    {"xdbg", fixed_level_body<L_DBG>},
    {"xinfo", fixed_level_body<L_INFO>},
    {"xnotice", fixed_level_body<L_NOTICE>},
    {"xwarn", fixed_level_body<L_WARN>},
    {"xerr", fixed_level_body<L_ERR>},
}};

}  // namespace

extern const ModuleExports kXlogModule{
    .name = "xlog",
    .functions = kXlog,
};

}  // namespace kamc::runtime
