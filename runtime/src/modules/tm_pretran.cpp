// tmx's t_precheck_trans(): is another message with this request's identity still in a
// request_route (before t_newtran made its transaction)? Kamailio keeps a short-lived
// shared table of the requests being routed (tmx_pretran.c): each message links its
// identity there at the call and unlinks it when request_route ends. Here an entry
// belongs to the message (so a suspended message keeps its own), and every worker shares
// the table.
#include "tm_pretran.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "../core/module.h"
#include "../text.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/message_context.h"
#include "kamc/runtime/runtime.h"
#include "kamc/sip/name_addr.h"
#include "kamc/sip/scalar_headers.h"
#include "kamc/sip/via.h"

namespace kamc::runtime {

extern const ModuleExports kTmxModule;

namespace {

// What Kamailio compares: Call-ID, From tag, CSeq number and method (a method Kamailio
// knows by name compares case-insensitively, any other as written), and the top Via's
// branch when both requests have one.
struct RequestIdentity {
  std::string call_id;
  std::string from_tag;
  std::string cseq_number;
  std::string cseq_method;
  std::optional<std::string> via_branch;

  bool matches(const RequestIdentity& other) const {
    if (via_branch && other.via_branch && *via_branch != *other.via_branch) return false;
    return call_id == other.call_id && from_tag == other.from_tag && cseq_number == other.cseq_number &&
           cseq_method == other.cseq_method;
  }
};

class PretranTable {
 public:
  // The identity is linked; true when another linked entry matches it.
  bool link_and_check(const RequestIdentity* entry, std::size_t slot_index) {
    Slot& slot = slots_[slot_index % slots_.size()];
    std::lock_guard lock(slot.mutex);
    bool found = std::any_of(slot.entries.begin(), slot.entries.end(),
                             [&](const RequestIdentity* other) { return entry->matches(*other); });
    slot.entries.push_front(entry);
    return found;
  }
  void unlink(const RequestIdentity* entry, std::size_t slot_index) {
    Slot& slot = slots_[slot_index % slots_.size()];
    std::lock_guard lock(slot.mutex);
    slot.entries.remove(entry);
  }

 private:
  struct Slot {
    std::mutex mutex;
    std::list<const RequestIdentity*> entries;
  };
  std::array<Slot, 64> slots_;  // by Call-ID hash; Kamailio sizes it by its process count
};

// The message's entry while it is linked: unlinked when request_route ends, or when the
// message goes.
struct PretranMessageState : ModuleMessageState {
  PretranTable* table = nullptr;
  std::unique_ptr<RequestIdentity> identity;
  std::size_t slot = 0;

  void unlink() {
    if (table && identity) table->unlink(identity.get(), slot);
    table = nullptr;
  }
  ~PretranMessageState() override { unlink(); }
};

std::size_t tmx_index() {
  static const std::size_t index = module_index(kTmxModule);
  return index;
}

std::string trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return std::string(text);
}

// The methods Kamailio's parser knows by name (METHOD_* other than METHOD_OTHER).
bool is_known_method(std::string_view method) {
  static constexpr std::array<std::string_view, 19> kKnown{"INVITE", "CANCEL", "ACK",     "BYE",    "INFO",
                                                          "REGISTER", "SUBSCRIBE", "NOTIFY", "MESSAGE", "OPTIONS",
                                                          "PRACK",  "UPDATE", "REFER",   "PUBLISH", "KDMQ",
                                                          "GET",    "POST",   "PUT",     "DELETE"};
  return std::any_of(kKnown.begin(), kKnown.end(),
                     [&](std::string_view known) { return sip::detail::equals_ignore_case(known, method); });
}

// nullopt (with Kamailio's log line) for what its tmx_check_pretran calls an error.
std::optional<RequestIdentity> identity_of(const MessageContext& context) {
  if (!context.message.is_request()) {
    log_message(L_ERR, "t_precheck_trans: invalid usage - not a sip request");
    return std::nullopt;
  }
  const sip::HeaderField* cseq_field = context.message.first_header(sip::HeaderKind::CSeq);
  sip::CSeq cseq;
  if (!cseq_field || !sip::parse_cseq(cseq_field->value, cseq).ok()) {
    log_message(L_ERR, "t_precheck_trans: failed to parse cseq headers");
    return std::nullopt;
  }
  if (sip::detail::equals_ignore_case(cseq.method, "ACK") || sip::detail::equals_ignore_case(cseq.method, "CANCEL")) {
    return std::nullopt;  // Kamailio: no pre-transaction management for ACK or CANCEL
  }
  std::vector<sip::Via> vias;
  if (!context.message.vias(vias).ok() || vias.empty()) {
    log_message(L_ERR, "t_precheck_trans: failed to get Via header");
    return std::nullopt;
  }
  sip::NameAddr from;
  if (!context.message.from(from).ok() || !from.tag || from.tag->empty()) {
    log_message(L_ERR, "t_precheck_trans: failed to get From header");
    return std::nullopt;
  }
  if (context.message.call_id().empty()) {
    log_message(L_ERR, "t_precheck_trans: failed to parse callid headers");
    return std::nullopt;
  }
  RequestIdentity identity;
  identity.call_id = trimmed(context.message.call_id());
  identity.from_tag = trimmed(*from.tag);
  std::string_view value = cseq_field->value;
  identity.cseq_number = trimmed(value.substr(0, value.find_first_of(" \t\r\n")));
  identity.cseq_method = trimmed(cseq.method);
  if (is_known_method(identity.cseq_method)) {
    std::transform(identity.cseq_method.begin(), identity.cseq_method.end(), identity.cseq_method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  }
  if (vias.front().branch) identity.via_branch = trimmed(*vias.front().branch);
  return identity;
}

}  // namespace

namespace tm {

// Kamailio's codes: 1 when another message with this identity is in a request_route,
// -1 when none is, -2 on an error (not a request, ACK or CANCEL, headers missing, or
// modparam("tmx", "precheck_trans", 0), which leaves the table out).
int t_precheck_trans_body(MessageContext& context, const FunctionCall&) {
  const ModuleInstance& tmx = context.runtime.module(tmx_index());
  if (!tmx.state) {
    log_message(L_ERR, "t_precheck_trans: pretran hash table not initialized (precheck_trans is 0)");
    return -2;
  }
  auto identity = identity_of(context);
  if (!identity) return -2;
  auto& state = context.module_state<PretranMessageState>(tmx_index());
  state.unlink();
  state.identity = std::make_unique<RequestIdentity>(std::move(*identity));
  state.table = &tmx.state_as<PretranTable>();
  state.slot = std::hash<std::string>{}(state.identity->call_id);
  return state.table->link_and_check(state.identity.get(), state.slot) ? KAMC_RT_TRUE : KAMC_RT_FALSE;
}

void tmx_request_route_done(MessageContext& context) {
  if (auto* state = context.existing_module_state<PretranMessageState>(tmx_index())) state->unlink();
}

bool init_tmx(ModuleInstance& module, std::string&) {
  if (module.param_number("precheck_trans") != 0) module.state = std::make_shared<PretranTable>();
  return true;
}

}  // namespace tm

}  // namespace kamc::runtime
