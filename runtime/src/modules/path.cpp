// path: the Path header (RFC 3327) that an edge proxy in front of a registrar adds to a
// REGISTER, as Kamailio 5.6's path module does, and its use_received: the received= of our
// own Route entry, consumed by loose_route(), becomes $du.
#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "../core/module.h"
#include "../core/record_route_text.h"
#include "../core/sip_edit.h"
#include "../core/transformations.h"
#include "../text.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/message_context.h"
#include "kamc/runtime/runtime.h"
#include "kamc/sip/header_params.h"
#include "rr_api.h"

namespace kamc::runtime {

extern const ModuleExports kPathModule;

namespace {

// What init takes from the parameters, shared read-only by every worker.
struct PathSettings {
  bool received_as_sip_uri = true;  // received_format 0: received=sip:IP:PORT, escaped
  bool enable_r2 = false;           // a second Path for the receiving socket, both ;r2=on
  bool sockname_mode = false;       // ;sn=NAME of the socket, when it has a name
  std::string received_name = "received";
};

const PathSettings& path_settings(const MessageContext& context) {
  static const std::size_t index = module_index(kPathModule);
  return context.runtime.module(index).state_as<PathSettings>();
}

// Kamailio's PROTO_* numbers, which received_format 1 writes (ip~port~proto).
int kamailio_proto_number(Protocol protocol) { return protocol == Protocol::Tcp ? 2 : 1; }

// ";received=..." of the address the request came from. Format 0 is a SIP URI whose
// transport parameter is escaped, since it sits inside a URI parameter:
// ";received=sip:192.0.2.10:5099%3Btransport%3Dtcp"; format 1 is "192.0.2.10~5099~2".
std::string received_param(const MessageContext& context, const PathSettings& settings) {
  const SocketAddress& source = context.received.source;
  std::string text = ";" + settings.received_name + "=";
  if (settings.received_as_sip_uri) {
    text += "sip:" + source.host_text() + ":" + std::to_string(source.port());
    if (context.received.protocol != Protocol::Udp) {
      text += "%3Btransport%3D" + std::string(protocol_name(context.received.protocol));
    }
  } else {
    text += source.host_text() + "~" + std::to_string(source.port()) + "~" +
            std::to_string(kamailio_proto_number(context.received.protocol));
  }
  return text;
}

// The Path line(s), whose address is the socket the request leaves from (Kamailio's
// SUBST_SND_ALL lump): as rr's Record-Route writes it, port left out at 5060, advertised
// addresses applied. With enable_r2, a second line names the receiving socket.
class PathLines : public DeferredText {
 public:
  PathLines(std::string prefix, std::string suffix, bool enable_r2, bool sockname_mode)
      : prefix_(std::move(prefix)), suffix_(std::move(suffix)), enable_r2_(enable_r2), sockname_mode_(sockname_mode) {}

  std::string render(const SendSockets& sockets) const override {
    std::string lines = line(sockets.sent_from, SocketRole::Sending);
    if (enable_r2_) lines += line(sockets.received_on, SocketRole::Receiving);
    return lines;
  }

 private:
  std::string line(const ListenSocket& socket, SocketRole role) const {
    std::string address = record_route_address(socket, role);
    if (sockname_mode_ && !socket.name.empty()) address += ";sn=" + socket.name;
    return prefix_ + address + suffix_;
  }

  std::string prefix_;  // "Path: <sip:" and "user@"
  std::string suffix_;  // ";lr;received=...;params;r2=on>\r\n"
  bool enable_r2_;
  bool sockname_mode_;
};

// Kamailio puts ours in front of the first Path header, or after the last header.
std::size_t path_offset(const MessageContext& context) {
  for (const auto& field : context.message.headers()) {
    if (sip::detail::equals_ignore_case(field.name, "Path")) return header_line_range(context, field).begin;
  }
  return end_of_headers_offset(context);
}

// add_path[_received]([user[, params]]): 1, or -1 for a message that is not a request.
// Kamailio's outbound flow token (add_path() with the outbound module) does not exist
// here: kamc has no outbound module, so the user part is only the one given.
int prepend_path(MessageContext& context, const FunctionCall& call, bool with_received) {
  if (!context.message.is_request()) return KAMC_RT_FALSE;
  const PathSettings& settings = path_settings(context);
  std::string user = call.args.size() > 0 ? arg_text(context, call, 0) : std::string();
  std::string params = call.args.size() > 1 ? arg_text(context, call, 1) : std::string();
  std::string prefix = "Path: <sip:";
  if (!user.empty()) prefix += user + "@";
  std::string suffix = ";lr";
  if (with_received) suffix += received_param(context, settings);
  if (!params.empty()) suffix += ";" + params;
  suffix += settings.enable_r2 ? ";r2=on>\r\n" : ">\r\n";
  context.edits.insert_deferred(path_offset(context), std::make_shared<PathLines>(std::move(prefix), std::move(suffix),
                                                                                  settings.enable_r2,
                                                                                  settings.sockname_mode));
  return KAMC_RT_TRUE;
}

int add_path_body(MessageContext& context, const FunctionCall& call) { return prepend_path(context, call, false); }
int add_path_received_body(MessageContext& context, const FunctionCall& call) {
  return prepend_path(context, call, true);
}

// "192.0.2.10~5099~2" (received_format 1) to "sip:192.0.2.10:5099;transport=tcp".
std::optional<std::string> uri_from_tilde_form(std::string_view value) {
  std::size_t first = value.find('~');
  std::size_t second = first == std::string_view::npos ? first : value.find('~', first + 1);
  if (second == std::string_view::npos || second + 1 >= value.size()) return std::nullopt;
  std::string uri = "sip:" + std::string(value.substr(0, first)) + ":" +
                    std::string(value.substr(first + 1, second - first - 1));
  static constexpr std::array<std::string_view, 7> kProtocols{"", "udp", "tcp", "tls", "sctp", "ws", "wss"};
  int number = value[second + 1] - '0';
  if (number < 1 || number >= static_cast<int>(kProtocols.size())) return std::nullopt;
  if (number != 1) uri += ";transport=" + std::string(kProtocols[number]);
  return uri;
}

// The rr callback of use_received: the received= of the consumed Route URI, unescaped
// (format 0) or rebuilt (format 1), becomes $du. Kamailio's path_rr_callback.
void use_received_callback(MessageContext& context, std::string_view route_params) {
  const PathSettings& settings = path_settings(context);
  auto value = sip::find_header_param(route_params, settings.received_name);
  if (!value || value->empty()) return;
  // Kamailio finds "received" as a contact parameter (any case), another name as written.
  if (settings.received_name != "received" &&
      !sip::find_header_param_text(route_params, settings.received_name)->starts_with(settings.received_name)) {
    return;
  }
  constexpr std::size_t kMaxUriSize = 1024;  // Kamailio's MAX_URI_SIZE, less "sip:...;transport=sctp"
  if (value->size() + 24 >= kMaxUriSize) {
    log_format(L_ERR, "path: received uri is too long: %zu", value->size());
    return;
  }
  std::optional<std::string> uri =
      settings.received_as_sip_uri ? unescape_user(*value) : uri_from_tilde_form(*value);
  if (!uri) {
    log_format(L_ERR, "path: cannot use the received parameter '%.*s' of the Route", static_cast<int>(value->size()),
               value->data());
    return;
  }
  context.destination_uri = std::move(*uri);
}

bool init_path(ModuleInstance& module, std::string&) {
  auto settings = std::make_shared<PathSettings>();
  settings->received_as_sip_uri = module.param_number("received_format") == 0;
  settings->enable_r2 = module.param_number("enable_r2") != 0;
  settings->sockname_mode = module.param_number("sockname_mode") != 0;
  settings->received_name = module.param_text("received_name");
  module.state = std::move(settings);
  if (module.param_number("use_received") != 0) register_rr_callback(module.runtime(), use_received_callback);
  return true;
}

constexpr std::array<FunctionExport, 2> kFunctions{{
    {"add_path", add_path_body},
    {"add_path_received", add_path_received_body},
}};

// Kamailio's defaults.
constexpr std::array<ParamExport, 5> kParams{{
    {"use_received", 0},
    {"received_format", 0},
    {"enable_r2", 0},
    {"sockname_mode", 0},
    {"received_name", 0, "received"},
}};

}  // namespace

extern const ModuleExports kPathModule{
    .name = "path",
    .functions = kFunctions,
    .params = kParams,
    .init = init_path,
};

}  // namespace kamc::runtime
