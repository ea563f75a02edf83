// tmx's pre-transaction table (tm_pretran.cpp): t_precheck_trans() and the hooks that
// make and empty the table, for tmx's export record in tm.cpp.
#pragma once

#include <string>

namespace kamc::runtime {

class MessageContext;
class ModuleInstance;
struct FunctionCall;

namespace tm {

int t_precheck_trans_body(MessageContext& context, const FunctionCall& call);
// request_route ended: the message's identity leaves the table (Kamailio's post-script callback).
void tmx_request_route_done(MessageContext& context);
// The table, unless modparam("tmx", "precheck_trans", 0).
bool init_tmx(ModuleInstance& module, std::string& error);

}  // namespace tm

}  // namespace kamc::runtime
