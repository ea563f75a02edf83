// One message while it is routed: the parsed message (views into the receive buffer),
// where it came from, and what route code changed (new R-URI, $du, header edits). It is
// the kamc_rt_msg of the ABI. Lives on the worker's stack for one message.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kamc/runtime/abi.h"
#include "kamc/runtime/local_addresses.h"
#include "kamc/runtime/message_edits.h"
#include "kamc/runtime/pseudo_variables.h"
#include "kamc/runtime/socket_address.h"
#include "kamc/sip/message.h"

namespace kamc::runtime {

class MessageSuspender;
class Runtime;
class TcpConnection;
class TimerQueue;

struct ReceiveInfo {
  Protocol protocol = Protocol::Udp;
  SocketAddress source;
  const ListenSocket* local = nullptr;        // the socket the message arrived on
  std::shared_ptr<TcpConnection> connection;  // stream transports only
};

// Where a message goes and from which local socket.
struct SendTarget {
  Protocol protocol = Protocol::Udp;
  SocketAddress address;
  const ListenSocket* from = nullptr;
  std::shared_ptr<TcpConnection> connection;  // use this connection if it is still open
};

// What message handling needs from the transport layer; the worker implements it.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual bool send(const SendTarget& target, std::string_view bytes) = 0;
  // The calling thread's timers (tm); null where there is no event loop to run them.
  virtual TimerQueue* timer_queue() { return nullptr; }
};

// A stored $var or $avp value (owns its text).
struct StoredValue {
  int flags = PvValue::kNull;
  long long number = 0;
  std::string text;
};

// One $avp(name) value; the list is per message, newest last.
struct AvpEntry {
  std::string name;
  StoredValue value;
};

// One $xavp item (Kamailio's sr_xavp_t): a named value, or a named list of child items
// ($xavp(root=>key)). Lists keep the newest item first, as Kamailio prepends.
struct XavpItem {
  std::string name;
  StoredValue value;
  bool is_list = false;
  std::vector<XavpItem> children;
};

// One entry of the destination set (Kamailio's dset): append_branch() and the
// registrar's lookup() fill it, t_relay() forks to it. The R-URI with $du and
// path_vector is branch 0 and is not in this list.
struct DestinationBranch {
  std::string uri;
  std::optional<std::string> destination;  // the branch's $du
  std::string path;                        // the branch's Path vector: its Route set
  int q = -1;                              // Kamailio's qvalue: 0..1000, -1 unspecified
  std::uint32_t branch_flags = 0;
};

// What a module keeps for one message (tm: its transaction and the routes the script
// armed; maxfwd: whether Max-Forwards was processed). The message owns it; the module
// makes it on first use through MessageContext::module_state (module.h).
struct ModuleMessageState {
  virtual ~ModuleMessageState() = default;
};

class MessageContext {
 public:
  MessageContext(const Runtime& runtime, std::string_view buffer, ReceiveInfo received,
                 Transport* transport = nullptr);

  // Framing and the well-formedness check; the result is kept for sl_reply_error.
  const sip::ParseResult& parse(sip::FramingMode mode);

  const Runtime& runtime;
  std::string_view buffer;
  sip::SipMessage message;
  sip::ParseResult parse_result;
  ReceiveInfo received;
  Transport* transport;
  // Set when the message runs on a worker's fiber and may suspend (suspension.h).
  MessageSuspender* suspender = nullptr;
  int route_type = KAMC_RT_REQUEST_ROUTE;

  std::optional<std::string> new_request_uri;  // $ru / $rU / $rd assignments
  std::optional<std::string> destination_uri;  // $du
  // The Path vector of branch 0 (registrar lookup()): sent as the Route set of the
  // forwarded request, as Kamailio's msg->path_vec.
  std::string path_vector;
  std::vector<DestinationBranch> destination_set;  // the other branches
  MessageEdits edits;
  bool dropped = false;
  int last_retcode = 0;
  std::uint32_t flags = 0;         // setflag/isflagset
  std::uint32_t branch_flags = 0;  // setbflag/isbflagset of branch 0
  bool force_rport = false;        // force_rport(): reply to the source port, add rport=
  bool reply_no_connect = false;   // set_reply_no_connect()  // $rc: the return code of the last function or route called
  std::vector<AvpEntry> avps;  // $avp(...): per message, newest last
  std::vector<XavpItem> xavps;  // $xavp(...): per message (and transaction), newest first
  // append_to_reply(): whole header lines for the next reply generated here (Kamailio's
  // reply lumps), by sl_send_reply, send_reply and t_reply.
  std::string reply_headers;

  std::string_view request_uri() const;
  // Offset of a view into `buffer`; the caller guarantees it is one.
  std::size_t offset_of(std::string_view part) const;
  // Keeps a string alive until the message is done and returns a view of it.
  std::string_view keep(std::string text);
  // How many $var slots the loaded routes use (the size of worker_vars).
  std::size_t runtime_var_count() const;

  // Module `index`'s state for this message (module_index(): the module's place among
  // the built-in modules), made on first use.
  template <class State>
  State& module_state(std::size_t index) {
    if (index >= module_states_.size()) module_states_.resize(index + 1);
    auto& slot = module_states_[index];
    if (!slot) slot = std::make_unique<State>();
    return static_cast<State&>(*slot);
  }
  // Null when the module made no state for this message.
  template <class State>
  State* existing_module_state(std::size_t index) const {
    return index < module_states_.size() ? static_cast<State*>(module_states_[index].get()) : nullptr;
  }

 private:
  std::deque<std::string> scratch_;
  std::vector<std::unique_ptr<ModuleMessageState>> module_states_;
};

inline kamc_rt_msg* to_abi(MessageContext* context) { return reinterpret_cast<kamc_rt_msg*>(context); }
inline MessageContext& from_abi(kamc_rt_msg* msg) { return *reinterpret_cast<MessageContext*>(msg); }
inline const MessageContext& from_abi(const kamc_rt_msg* msg) { return *reinterpret_cast<const MessageContext*>(msg); }

// The per-worker-thread storage of $var values (Kamailio keeps them per process and
// they survive from one message to the next in that process).
std::vector<StoredValue>& worker_vars(std::size_t count);

}  // namespace kamc::runtime
