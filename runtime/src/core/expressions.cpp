// The expression half of the ABI: Kamailio's str/int conversions, string operations
// and regex matching (rvalue.c semantics) for compiled route code.
#include <regex.h>

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <string>

#include "kamc/semantics/Conversions.h"
#include "abi_error.h"
#include "compiled_regex.h"
#include "kamc/runtime/abi.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/message_context.h"
#include "kamc/runtime/runtime.h"
#include "kamc/semantics/RegexLimits.h"

namespace kamc::runtime {

namespace {

bool compile(CompiledRegex& out, std::string_view pattern, bool ignore_case, std::string& error) {
  std::string text(pattern);  // regcomp wants a NUL-terminated pattern
  // The pattern may come from a message (=~ on a variable): the bound keeps it from
  // taking the worker's time and memory.
  std::string reason =
      semantics::compileBoundedRegex(out.regex, text, REG_EXTENDED | REG_NOSUB | (ignore_case ? REG_ICASE : 0));
  if (!reason.empty()) {
    error = "bad regular expression \"" + text + "\": " + reason;
    return false;
  }
  out.compiled = true;
  return true;
}

// regexec stops at a NUL, as Kamailio's does on its NUL-terminated strings.
bool matches(const regex_t& regex, const char* text, std::size_t length) {
  thread_local std::string subject;
  subject.assign(text ? text : "", text ? length : 0);
  return regexec(&regex, subject.c_str(), 0, nullptr, 0) == 0;
}

std::string_view view(const char* text, std::size_t length) { return {text ? text : "", text ? length : 0}; }

void string_value(std::string_view text, kamc_rt_value* out) {
  out->flags = KAMC_RT_VAL_STR;
  out->number = 0;
  out->text = text.data();
  out->length = text.size();
}

// The address bytes of an IPv4 or IPv6 text ("[v6]" too); 0 bytes when not an IP.
std::size_t ip_bytes(std::string_view text, unsigned char out[16]) {
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  std::string ip(text);
  if (inet_pton(AF_INET, ip.c_str(), out) == 1) return 4;
  if (inet_pton(AF_INET6, ip.c_str(), out) == 1) return 16;
  return 0;
}

bool same_prefix(const unsigned char* a, const unsigned char* b, unsigned bits) {
  for (unsigned i = 0; bits > 0; ++i, bits = bits >= 8 ? bits - 8 : 0) {
    unsigned mask = bits >= 8 ? 0xFFu : (0xFFu << (8 - bits)) & 0xFFu;
    if ((a[i] & mask) != (b[i] & mask)) return false;
  }
  return true;
}

}  // namespace

const CompiledRegex* Runtime::fixup_regex(std::string_view pattern, bool ignore_case, std::string& error) {
  auto regex = std::make_unique<CompiledRegex>();
  if (!compile(*regex, pattern, ignore_case, error)) return nullptr;
  regexes_.push_back(std::move(regex));
  return regexes_.back().get();
}

}  // namespace kamc::runtime

using kamc::runtime::from_abi;

extern "C" {

int kamc_rt_str_to_int(const char* text, size_t length) {
  return kamc::semantics::stringToInt(kamc::runtime::view(text, length));
}

void kamc_rt_int_to_str(kamc_rt_msg* msg, int number, kamc_rt_value* out) {
  kamc::runtime::string_value(from_abi(msg).keep(std::to_string(number)), out);
}

void kamc_rt_concat(kamc_rt_msg* msg, const char* a, size_t a_length, const char* b, size_t b_length,
                    kamc_rt_value* out) {
  std::string joined;
  joined.reserve(a_length + b_length);
  joined.append(kamc::runtime::view(a, a_length)).append(kamc::runtime::view(b, b_length));
  kamc::runtime::string_value(from_abi(msg).keep(std::move(joined)), out);
}

int kamc_rt_str_equal(const char* a, size_t a_length, const char* b, size_t b_length) {
  return a_length == b_length && (a_length == 0 || std::memcmp(a, b, a_length) == 0) ? 1 : 0;
}

int kamc_rt_str_equal_icase(const char* a, size_t a_length, const char* b, size_t b_length) {
  if (a_length != b_length) return 0;
  for (size_t i = 0; i < a_length; ++i) {
    auto fold = [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; };
    if (fold(static_cast<unsigned char>(a[i])) != fold(static_cast<unsigned char>(b[i]))) return 0;
  }
  return 1;
}

int kamc_rt_ip_matches(const char* ip, size_t ip_length, const char* network, size_t network_length) {
  std::string_view net = kamc::runtime::view(network, network_length);
  unsigned prefix_bits = 128;
  if (std::size_t slash = net.find('/'); slash != std::string_view::npos) {
    auto [end, ec] = std::from_chars(net.data() + slash + 1, net.data() + net.size(), prefix_bits);
    if (ec != std::errc{} || end != net.data() + net.size()) return 0;
    net = net.substr(0, slash);
  }
  unsigned char address[16], base[16];
  std::size_t size = kamc::runtime::ip_bytes(kamc::runtime::view(ip, ip_length), address);
  if (size == 0 || size != kamc::runtime::ip_bytes(net, base)) return 0;
  if (prefix_bits > size * 8) prefix_bits = static_cast<unsigned>(size * 8);
  return kamc::runtime::same_prefix(address, base, prefix_bits) ? 1 : 0;
}

void kamc_rt_error_prefix(char* error, size_t error_size, const char* prefix) {
  if (!error || error_size == 0 || !prefix) return;
  std::string joined = std::string(prefix) + error;
  kamc::runtime::write_abi_error(error, error_size, joined);
}

const kamc_rt_regex* kamc_rt_fixup_regex(kamc_rt_runtime* rt, const char* pattern, size_t length, int ignore_case,
                                         char* error, size_t error_size) {
  std::string message;
  const auto* regex = from_abi(rt)->fixup_regex(kamc::runtime::view(pattern, length), ignore_case != 0, message);
  if (!regex) kamc::runtime::write_abi_error(error, error_size, message);
  return reinterpret_cast<const kamc_rt_regex*>(regex);
}

int kamc_rt_regex_match(const kamc_rt_regex* regex, const char* text, size_t length) {
  if (!regex) return 0;
  const auto* compiled = reinterpret_cast<const kamc::runtime::CompiledRegex*>(regex);
  return kamc::runtime::matches(compiled->regex, text, length) ? 1 : 0;
}

int kamc_rt_regex_match_dynamic(kamc_rt_msg* msg, const char* pattern, size_t pattern_length, const char* text,
                                size_t length) {
  kamc::runtime::CompiledRegex regex;
  std::string error;
  if (!kamc::runtime::compile(regex, kamc::runtime::view(pattern, pattern_length), true, error)) {
    kamc::runtime::log_message(kamc::runtime::L_ERR, error);
    return -1;
  }
  return kamc::runtime::matches(regex.regex, text, length) ? 1 : 0;
}

void kamc_rt_set_retcode(kamc_rt_msg* msg, int code) { from_abi(msg).last_retcode = code; }

void kamc_rt_log_script_error(kamc_rt_msg* msg, const char* what, const char* file, int line) {
  kamc::runtime::log_format(kamc::runtime::L_ERR, "%s (%s:%d)", what ? what : "script error", file ? file : "?",
                            line);
}

}  // extern "C"
