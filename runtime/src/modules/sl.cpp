// sl: stateless replies (sl_send_reply, sl_reply_error) and send_reply, which answers
// through tm when the message has a transaction.
#include <array>

#include "../core/module.h"
#include "../core/proxy.h"
#include "tm_transaction.h"
#include "kamc/runtime/message_context.h"

namespace kamc::runtime {

namespace {

bool is_reply_code(long long code) { return code >= 100 && code <= 699; }

// A constant code is checked once here; a pseudo-variable code is checked per message.
bool fixup_code_and_reason(FunctionCall& call, std::string& error) {
  const FixedArg& code = call.args[0];
  long long value = code.number;
  bool constant = code.is_int;
  if (!code.is_int && code.format.is_constant()) {
    std::string text(code.format.constant_text());
    constant = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos && text.size() <= 3;
    value = constant ? std::stoll(text) : 0;
    if (!constant) {
      error = std::string(call.entry->name) + "(): reply code '" + text + "' is not a number";
      return false;
    }
  }
  if (constant && !is_reply_code(value)) {
    error = std::string(call.entry->name) + "(): reply code " + std::to_string(value) + " is not in 100..699";
    return false;
  }
  // sl_send_reply("200", "$rU is here") answers "200 <user>", as Kamailio does.
  fixup_leading_pv(call, 1);
  return true;
}

int sl_send_reply_body(MessageContext& context, const FunctionCall& call) {
  auto code = arg_int(context, call, 0);
  if (!code || !is_reply_code(*code)) return KAMC_RT_FALSE;
  return send_local_reply(context, static_cast<int>(*code), arg_text(context, call, 1));
}

// As Kamailio's sl (bind_tm on): t_reply() when the message has a transaction, else a
// stateless reply; a received reply without a transaction cannot be answered.
int send_reply_body(MessageContext& context, const FunctionCall& call) {
  auto code = arg_int(context, call, 0);
  if (!code || !is_reply_code(*code)) return KAMC_RT_FALSE;
  std::string reason = arg_text(context, call, 1);
  if (transaction_of(context)) return tm::reply_in_transaction(context, static_cast<int>(*code), reason);
  if (!context.message.is_request()) return KAMC_RT_FALSE;
  return send_local_reply(context, static_cast<int>(*code), reason);
}

// The reply the parser chose for a malformed request (400, 505), else Kamailio's 500.
int reply_error_body(MessageContext& context, const FunctionCall&) {
  const sip::ParseResult& result = context.parse_result;
  if (!result.ok() && result.reply_code != 0) {
    std::string_view reason = result.reply_code == 505 ? "Version Not Supported" : "Bad Request";
    return send_local_reply(context, result.reply_code, reason);
  }
  // Kamailio's err2reason_phrase() for an unspecified error (E_UNSPEC), as sl signs it.
  return send_local_reply(context, 500, "I'm terribly sorry, server error occurred (1/SL)");
}


constexpr std::array<FunctionExport, 3> kSl{{
    {"sl_send_reply", sl_send_reply_body, fixup_code_and_reason},
    {"send_reply", send_reply_body, fixup_code_and_reason},
    {"sl_reply_error", reply_error_body},
}};

}  // namespace

extern const ModuleExports kSlModule{
    .name = "sl",
    .functions = kSl,
};

}  // namespace kamc::runtime
