// siputils: has_totag, R-URI parameters (uri_param, uri_param_any, add_uri_param),
// is_user, and the message and value checks (is_request, is_reply, is_uri, is_numeric,
// is_alphanum, is_alphanumex, is_tel_number).
#include <array>

#include "../core/module.h"
#include "../text.h"
#include "digest_credentials.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/message_context.h"
#include "kamc/sip/name_addr.h"
#include "kamc/sip/uri.h"

namespace kamc::runtime {

namespace {

int bool_code(bool value) { return value ? KAMC_RT_TRUE : KAMC_RT_FALSE; }

int has_totag_body(MessageContext& context, const FunctionCall&) {
  sip::NameAddr to;
  return context.message.to(to).ok() && to.tag ? KAMC_RT_TRUE : KAMC_RT_FALSE;
}

// ---- the R-URI's parameters --------------------------------------------------------------

using UriParam = sip::detail::NameValue;

// A URI's parameters; an empty one (";;") names nothing.
std::vector<UriParam> split_uri_params(std::string_view params) {
  std::vector<UriParam> out = sip::detail::split_name_values(params, ';');
  std::erase_if(out, [](const UriParam& param) { return param.name.empty(); });
  return out;
}

// The (new) R-URI parsed; false for a reply or an unparsable URI.
bool request_uri(MessageContext& context, sip::Uri& uri) {
  if (!context.message.is_request()) return false;
  if (!sip::parse_uri(context.request_uri(), uri).ok()) {
    log_message(L_ERR, "siputils: the R-URI does not parse");
    return false;
  }
  return true;
}

// uri_param(name[, value]): the first parameter of that name (case-sensitive, as in
// Kamailio) decides: with a value, it must have exactly that value; without one, it
// must have no value.
int uri_param_body(MessageContext& context, const FunctionCall& call) {
  sip::Uri uri;
  if (!request_uri(context, uri)) return KAMC_RT_FALSE;
  std::string name = arg_text(context, call, 0);
  for (const UriParam& param : split_uri_params(uri.params)) {
    if (param.name != name) continue;
    if (call.args.size() > 1) return bool_code(param.value == arg_text(context, call, 1));
    return bool_code(param.value.empty());
  }
  return KAMC_RT_FALSE;
}

// uri_param_any(name): the parameter is there, with or without a value (the name
// compares case-insensitively here, as in Kamailio).
int uri_param_any_body(MessageContext& context, const FunctionCall& call) {
  sip::Uri uri;
  if (!request_uri(context, uri)) return KAMC_RT_FALSE;
  std::string name = arg_text(context, call, 0);
  for (const UriParam& param : split_uri_params(uri.params)) {
    if (sip::detail::equals_ignore_case(param.name, name)) return KAMC_RT_TRUE;
  }
  return KAMC_RT_FALSE;
}

// add_uri_param(param): ";param" at the end of the R-URI, before its headers if any.
int add_uri_param_body(MessageContext& context, const FunctionCall& call) {
  std::string param = arg_text(context, call, 0);
  if (param.empty()) return KAMC_RT_TRUE;
  sip::Uri uri;
  if (!request_uri(context, uri)) return KAMC_RT_FALSE;
  std::string text(context.request_uri());
  std::size_t headers = text.find('?');
  text.insert(headers == std::string::npos ? text.size() : headers, ";" + param);
  return bool_code(set_request_uri(context, std::move(text)));
}

// is_user(name) compares with the user of the credentials the last www_authorize(),
// proxy_authorize() or auth_check() used, as Kamailio's does.
int is_user_body(MessageContext& context, const FunctionCall& call) {
  const sip::HeaderField* used = digest::used_credentials_header(context);
  if (!used) {
    log_message(L_ERR, "is_user(): no authorized credentials found (call www/proxy_authorize first)");
    return KAMC_RT_FALSE;
  }
  digest::Credentials credentials;
  std::string error;
  if (digest::parse_credentials(used->value, credentials, error) != digest::ParseStatus::Ok ||
      credentials.user().empty()) {
    return KAMC_RT_FALSE;
  }
  return bool_code(credentials.user() == arg_text(context, call, 0));
}

// ---- message and value checks --------------------------------------------------------

int is_request_body(MessageContext& context, const FunctionCall&) { return bool_code(context.message.is_request()); }
int is_reply_body(MessageContext& context, const FunctionCall&) { return bool_code(!context.message.is_request()); }

int is_uri_body(MessageContext& context, const FunctionCall& call) {
  std::string text = arg_text(context, call, 0);
  sip::Uri uri;
  return bool_code(sip::parse_uri(text, uri).ok());
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Kamailio's codes: -2 for an empty or non-numeric value.
int is_numeric_body(MessageContext& context, const FunctionCall& call) {
  std::string text = arg_text(context, call, 0);
  if (text.empty()) return -2;
  for (char c : text) {
    if (!is_digit(c)) return -2;
  }
  return KAMC_RT_TRUE;
}

// An optional '+' and a non-zero digit, then digits only; -2 otherwise.
int is_tel_number_body(MessageContext& context, const FunctionCall& call) {
  std::string text = arg_text(context, call, 0);
  if (text.empty()) return -2;
  std::size_t i = 0;
  if (text[0] == '+') {
    if (text.size() < 2 || text[1] < '1' || text[1] > '9') return -2;
    i = 2;
  }
  for (; i < text.size(); ++i) {
    if (!is_digit(text[i])) return -2;
  }
  return KAMC_RT_TRUE;
}

// is_alphanum(v) and is_alphanumex(v, extra): -2 when empty, -3 for another character.
int is_alphanum_body(MessageContext& context, const FunctionCall& call) {
  std::string text = arg_text(context, call, 0);
  std::string extra = call.args.size() > 1 ? arg_text(context, call, 1) : std::string();
  if (text.empty()) return -2;
  for (char c : text) {
    if (!is_alnum(c) && extra.find(c) == std::string::npos) return -3;
  }
  return KAMC_RT_TRUE;
}


constexpr std::array<FunctionExport, 12> kSiputils{{
    {"has_totag", has_totag_body},
    {"is_user", is_user_body},
    {"uri_param", uri_param_body},
    {"uri_param_any", uri_param_any_body},
    {"add_uri_param", add_uri_param_body},
    {"is_request", is_request_body},
    {"is_reply", is_reply_body},
    {"is_uri", is_uri_body},
    {"is_numeric", is_numeric_body},
    {"is_tel_number", is_tel_number_body},
    {"is_alphanum", is_alphanum_body},
    {"is_alphanumex", is_alphanum_body},
}};

}  // namespace

extern const ModuleExports kSiputilsModule{
    .name = "siputils",
    .functions = kSiputils,
};

}  // namespace kamc::runtime
