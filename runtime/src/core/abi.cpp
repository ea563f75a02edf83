// extern "C" entry points of abi.h, forwarding to the C++ runtime.
#include "kamc/runtime/abi.h"

#include <cstring>
#include <span>

#include "abi_error.h"
#include "functions.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/message_context.h"
#include "kamc/runtime/runtime.h"
#include "kamc/sip/uri.h"

using kamc::runtime::from_abi;
using kamc::runtime::MessageContext;
using kamc::runtime::PvValue;

namespace {

const kamc::runtime::FunctionCall* to_call(const kamc_rt_call* call) {
  return reinterpret_cast<const kamc::runtime::FunctionCall*>(call);
}
const kamc::runtime::PvSpec* to_pv(const kamc_rt_pv* pv) { return reinterpret_cast<const kamc::runtime::PvSpec*>(pv); }
const kamc::runtime::Format* to_fmt(const kamc_rt_fmt* fmt) {
  return reinterpret_cast<const kamc::runtime::Format*>(fmt);
}

void to_abi_value(const PvValue& value, kamc_rt_value* out) {
  out->flags = value.flags;
  out->number = value.number;
  out->text = value.text.data();
  out->length = value.text.size();
}

}  // namespace

extern "C" {

int kamc_rt_register_route(kamc_rt_runtime* rt, int kind, const char* name, kamc_rt_route_fn fn) {
  std::string error;
  if (from_abi(rt)->register_route(kind, name ? name : "", fn, error)) return 0;
  kamc::runtime::log_message(kamc::runtime::L_ERR, error);
  return -1;
}

int kamc_rt_fixup_route(kamc_rt_runtime* rt, const char* name) {
  if (!name || !*name) return -1;
  return from_abi(rt)->named_route_handle(name);
}

int kamc_rt_check_routes(kamc_rt_runtime* rt, char* error, size_t error_size) {
  std::string message;
  if (from_abi(rt)->check_routes(message)) return 0;
  kamc::runtime::write_abi_error(error, error_size, message);
  return -1;
}

const kamc_rt_call* kamc_rt_fixup_call(kamc_rt_runtime* rt, const char* function_name, const kamc_rt_arg* args,
                                       int argc, char* error, size_t error_size) {
  std::string message;
  std::span<const kamc_rt_arg> arg_span(args, args ? static_cast<std::size_t>(argc) : 0);
  const auto* call = from_abi(rt)->fixup_call(function_name ? function_name : "", arg_span, message);
  if (!call) kamc::runtime::write_abi_error(error, error_size, message);
  return reinterpret_cast<const kamc_rt_call*>(call);
}

const kamc_rt_pv* kamc_rt_fixup_pv(kamc_rt_runtime* rt, const char* name, char* error, size_t error_size) {
  std::string message;
  const auto* spec = from_abi(rt)->fixup_pv(name ? name : "", message);
  if (!spec) kamc::runtime::write_abi_error(error, error_size, message);
  return reinterpret_cast<const kamc_rt_pv*>(spec);
}

const kamc_rt_fmt* kamc_rt_fixup_fmt(kamc_rt_runtime* rt, const char* text, size_t length, char* error,
                                     size_t error_size) {
  std::string message;
  const auto* format = from_abi(rt)->fixup_format(std::string_view(text ? text : "", text ? length : 0), message);
  if (!format) kamc::runtime::write_abi_error(error, error_size, message);
  return reinterpret_cast<const kamc_rt_fmt*>(format);
}

int kamc_rt_call_function(kamc_rt_msg* msg, const kamc_rt_call* call) {
  return kamc::runtime::call_function(from_abi(msg), *to_call(call));
}

int kamc_rt_call_route(kamc_rt_msg* msg, int route_handle) {
  kamc_rt_route_fn fn = from_abi(msg).runtime.named_route(route_handle);
  if (!fn) return KAMC_RT_FALSE;
  return fn(msg);
}

int kamc_rt_get_pv(kamc_rt_msg* msg, const kamc_rt_pv* pv, kamc_rt_value* out) {
  if (!pv || !out) return -1;
  to_abi_value(kamc::runtime::get_pv(from_abi(msg), *to_pv(pv)), out);
  return 0;
}

int kamc_rt_set_pv(kamc_rt_msg* msg, const kamc_rt_pv* pv, const kamc_rt_value* value) {
  if (!pv || !value) return -1;
  PvValue pv_value{value->flags, value->number, std::string_view(value->text ? value->text : "", value->text ? value->length : 0)};
  return kamc::runtime::set_pv(from_abi(msg), *to_pv(pv), pv_value) ? 0 : -1;
}

int kamc_rt_print_fmt(kamc_rt_msg* msg, const kamc_rt_fmt* fmt, kamc_rt_value* out) {
  if (!fmt || !out) return -1;
  MessageContext& context = from_abi(msg);
  to_abi_value(PvValue::string(context.keep(to_fmt(fmt)->render(context))), out);
  return 0;
}

int kamc_rt_is_myself(kamc_rt_msg* msg, const char* text, size_t length) {
  std::string_view value(text ? text : "", text ? length : 0);
  const auto& local = from_abi(msg).runtime.local_addresses();
  kamc::sip::Uri uri;
  if (kamc::sip::parse_uri(value, uri).ok() && uri.is_sip_or_sips()) {
    return local.is_myself(uri.host, uri.port) ? KAMC_RT_TRUE : KAMC_RT_FALSE;
  }
  return local.is_myself_host_port(value) ? KAMC_RT_TRUE : KAMC_RT_FALSE;
}

int kamc_rt_drop(kamc_rt_msg* msg) {
  from_abi(msg).dropped = true;
  return KAMC_RT_EXIT;
}

int kamc_rt_route_type(const kamc_rt_msg* msg) { return from_abi(msg).route_type; }

int kamc_rt_is_request(const kamc_rt_msg* msg) { return from_abi(msg).message.is_request() ? 1 : 0; }

}  // extern "C"
