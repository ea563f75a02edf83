// tm's part of a message being routed: the transaction it belongs to, the branch a
// branch/onreply/failure route is about, and what the script chose before the
// transaction existed (t_on_failure, t_set_fr), applied when it is made.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kamc/runtime/message_context.h"

namespace kamc::runtime {

class Runtime;

namespace tm {
class Transaction;
}

struct TmMessageState : ModuleMessageState {
  std::shared_ptr<tm::Transaction> transaction;
  // branch_route, onreply_route: the branch at hand; failure_route: the winning branch.
  int branch_index = -1;
  // Route handles chosen before the transaction exists; -1 = none.
  int on_failure = -1;
  int on_reply = -1;
  int on_branch = -1;
  // t_set_fr() before the transaction exists, in ms; 0 = the module default.
  int fr_inv_timeout_ms = 0;
  int fr_timeout_ms = 0;
};

// How many transactions are alive (in the table, including those on their wait timer).
std::size_t transaction_count(const Runtime& runtime);
// The message's tm state, made on first use.
TmMessageState& tm_state(MessageContext& context);
// Read-only: the state, or an empty one when tm made none for this message.
const TmMessageState& tm_state(const MessageContext& context);
// The message's transaction, or null (without making the state).
std::shared_ptr<tm::Transaction> transaction_of(const MessageContext& context);

}  // namespace kamc::runtime
