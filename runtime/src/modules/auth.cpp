// auth: digest challenges, nonces and the checks every password source shares
// (Kamailio's auth module). auth_db (and the pv_* functions here, with a password from
// the script) supply H(A1); everything else lives here, behind auth_api.h.
#include <algorithm>
#include <array>
#include <ctime>
#include <random>

#include "../core/module.h"
#include "../core/proxy.h"
#include "../core/sip_edit.h"
#include "auth_api.h"
#include "auth_nonce.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/message_context.h"
#include "kamc/runtime/runtime.h"
#include "tm_state.h"
#include "tm_transaction.h"

namespace kamc::runtime {

extern const ModuleExports kAuthModule;

namespace auth {

namespace {

// Kamailio's www_challenge/proxy_challenge/auth_challenge flags.
constexpr long long kChallengeQopAuth = 1;
constexpr long long kChallengeQopAuthInt = 2;
constexpr long long kChallengeNoErrorReply = 4;
constexpr long long kChallengeStale = 16;
// pv_www_authorize flags: the password is H(A1); on failure, a challenge into
// challenge_attr without qop (2), with qop=auth (4), with qop=auth-int (8).
constexpr long long kPvPasswordIsHa1 = 1;
constexpr long long kPvChallengeMask = 2 | 4 | 8;
constexpr long long kPvChallengeQopAuth = 4;
constexpr long long kPvChallengeQopAuthInt = 8;
// auth_check flags (Kamailio's AUTH_CHECK_ID_F, AUTH_CHECK_SKIPFWD_F).
constexpr long long kCheckIdentity = 1;

constexpr std::size_t kRandomSecretLength = 32;
// The largest ring of in-flight nonce ids: 2^24 slots of 8 bytes (128 MB).
constexpr long long kMaxTrackerOrder = 24;

struct AuthService {
  HashAlgorithm algorithm = HashAlgorithm::Md5;
  std::string algorithm_name;  // the modparam as written: challenges name it when set
  std::int64_t nonce_expire = 300;
  std::string realm_prefix;
  std::string www_header;
  std::string proxy_header;
  std::string challenge_avp;  // challenge_attr without its "$avp(" / "$" decoration
  bool force_stateless_reply = false;
  bool add_authinfo_hdr = false;
  bool use_domain = false;
  bool nonce_count = false;
  bool one_time_nonce = false;
  // auth_checks_register, auth_checks_in_dlg, auth_checks_no_dlg: kCheck* bits.
  int checks_register = 0;
  int checks_in_dialog = 0;
  int checks_out_of_dialog = 0;
  std::unique_ptr<NonceSigner> signer;
  std::unique_ptr<NonceTracker> tracker;  // with nonce_count or one_time_nonce
};

// The header this message's credentials were found in (Kamailio marks it in pre_auth,
// whatever the outcome), for consume_credentials.
struct AuthMessageState : ModuleMessageState {
  const sip::HeaderField* authorized = nullptr;
};

std::size_t auth_index() {
  static const std::size_t index = module_index(kAuthModule);
  return index;
}

const AuthService& service_of(const Runtime& runtime) {
  return runtime.module(auth_index()).state_as<AuthService>();
}

std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

bool method_is(const MessageContext& context, std::string_view method) { return context.message.method() == method; }

bool never_challenged(const MessageContext& context) {
  return method_is(context, "ACK") || method_is(context, "CANCEL") || method_is(context, "PRACK");
}

// Kamailio's kam_rand() secret: printable characters.
std::string random_secret() {
  std::random_device device;
  std::uniform_int_distribution<int> printable(32, 126);
  std::string secret;
  for (std::size_t i = 0; i < kRandomSecretLength; ++i) secret += static_cast<char>(printable(device));
  return secret;
}

// The ring size from Kamailio's pair of modparams: an order (log2) when given, else a
// count rounded up to a power of two.
std::size_t tracker_size(const ModuleInstance& module, std::string_view size_name, std::string_view order_name) {
  const std::size_t largest = std::size_t{1} << kMaxTrackerOrder;
  long long order = module.param_number(order_name);
  if (order > 0) return std::size_t{1} << std::min(order, kMaxTrackerOrder);
  std::size_t wanted = static_cast<std::size_t>(std::max<long long>(module.param_number(size_name), 1));
  std::size_t rounded = 1;
  while (rounded < wanted && rounded < largest) rounded <<= 1;
  return rounded;
}

bool init_auth(ModuleInstance& module, std::string& error) {
  auto service = std::make_shared<AuthService>();
  service->algorithm_name = module.param_text("algorithm");
  auto algorithm = hash_algorithm_named(service->algorithm_name);
  if (!algorithm) {
    error = "invalid algorithm '" + service->algorithm_name + "': possible values are \"\", \"MD5\" or \"SHA-256\"";
    return false;
  }
  service->algorithm = *algorithm;
  service->nonce_expire = module.param_number("nonce_expire");
  service->realm_prefix = module.param_text("realm_prefix");
  service->www_header = module.param_text("www_challenge_header");
  service->proxy_header = module.param_text("proxy_challenge_header");
  service->force_stateless_reply = module.param_number("force_stateless_reply") != 0;
  service->add_authinfo_hdr = module.param_number("add_authinfo_hdr") != 0;
  service->use_domain = module.param_number("use_domain") != 0;
  std::string qop = module.param_text("qop");
  // Kamailio enables nonce_count only when the qop modparam names a qop.
  bool qop_set = qop == "auth" || qop == "auth-int";
  if (!qop.empty() && !qop_set) {
    error = "unsupported qop parameter value '" + qop + "'";
    return false;
  }
  service->nonce_count = module.param_number("nonce_count") != 0 && qop_set;
  service->one_time_nonce = module.param_number("one_time_nonce") != 0;
  std::string attr = module.param_text("challenge_attr");
  if (attr.empty() || attr[0] != '$') {
    error = "invalid value of challenge_attr '" + attr + "'";
    return false;
  }
  service->challenge_avp = attr.substr(1);
  if (service->challenge_avp.starts_with("avp(") && service->challenge_avp.ends_with(")")) {
    service->challenge_avp = service->challenge_avp.substr(4, service->challenge_avp.size() - 5);
  }
  service->checks_register = static_cast<int>(module.param_number("auth_checks_register"));
  service->checks_in_dialog = static_cast<int>(module.param_number("auth_checks_in_dlg"));
  service->checks_out_of_dialog = static_cast<int>(module.param_number("auth_checks_no_dlg"));
  // As Kamailio: a configured secret is split in two when the message tag needs a
  // second one; without one, both are random.
  std::string secret1 = module.param_text("secret");
  std::string secret2;
  if (secret1.empty()) {
    secret1 = random_secret();
    secret2 = random_secret();
  } else if (service->checks_register || service->checks_in_dialog || service->checks_out_of_dialog) {
    secret2 = secret1.substr(secret1.size() - secret1.size() / 2);
    secret1.resize(secret1.size() - secret2.size());
  }
  service->signer = std::make_unique<NonceSigner>(secret1, secret2, now_seconds(),
                                                  module.param_number("nonce_auth_max_drift"));
  if (service->nonce_count || service->one_time_nonce) {
    std::size_t size = service->one_time_nonce ? tracker_size(module, "otn_in_flight_no", "otn_in_flight_order")
                                               : tracker_size(module, "nc_array_size", "nc_array_order");
    service->tracker = std::make_unique<NonceTracker>(size);
  }
  module.state = std::move(service);
  return true;
}

// Kamailio's get_auth_checks: which auth_checks_* applies to this request.
int checks_for(const AuthService& service, const MessageContext& context) {
  if (context.message.method() == "REGISTER") return service.checks_register;
  sip::NameAddr to;
  if (context.message.to(to).ok() && to.tag && !to.tag->empty()) return service.checks_in_dialog;
  return service.checks_out_of_dialog;
}

// The request's parts the applicable auth_checks_* names, which the nonce's message tag
// covers; nullopt without checks (or without a request: auth_get_www_authenticate).
std::optional<std::string> message_parts(const AuthService& service, const MessageContext* context) {
  int checks = context ? checks_for(service, *context) : 0;
  if (!checks) return std::nullopt;
  std::string parts;
  if (checks & kCheckRequestUri) parts += context->request_uri();
  if (checks & kCheckCallId) parts += context->message.call_id();
  sip::NameAddr from;
  if ((checks & kCheckFromTag) && context->message.from(from).ok() && from.tag) parts += *from.tag;
  if (checks & kCheckSourceIp) parts += context->received.source.ip_text();
  return parts;
}

std::string new_nonce(const AuthService& service, const MessageContext* context) {
  NonceFields fields;
  fields.since = now_seconds();
  fields.expires = fields.since + service.nonce_expire;
  if (service.tracker) {
    fields.id = service.tracker->issue();
    fields.flags = (service.nonce_count ? kNonceCountId : 0) | (service.one_time_nonce ? kOneTimeId : 0);
  }
  return service.signer->make(fields, message_parts(service, context));
}

std::string strip_realm(const AuthService& service, std::string_view realm) {
  if (!service.realm_prefix.empty() && realm.starts_with(service.realm_prefix)) {
    realm.remove_prefix(service.realm_prefix.size());
  }
  return std::string(realm);
}

// Kamailio's get_challenge_hf: the whole header line with its CRLF.
std::string challenge_header(const AuthService& service, const MessageContext* context, std::string_view realm,
                             std::string_view qop, bool stale, sip::HeaderKind kind) {
  std::string line = kind == sip::HeaderKind::ProxyAuthorization ? service.proxy_header : service.www_header;
  line += ": Digest realm=\"" + strip_realm(service, realm) + "\", nonce=\"" + new_nonce(service, context) + "\"";
  if (!qop.empty()) line += ", qop=\"" + std::string(qop) + "\"";
  if (stale) line += ", stale=true";
  if (!service.algorithm_name.empty()) line += ", algorithm=" + service.algorithm_name;
  line += "\r\n";
  return line;
}

// As Kamailio's sl freply: through tm when the request has a transaction.
int send_auth_reply(MessageContext& context, const AuthService& service, int code, std::string_view reason,
                    std::string_view header) {
  context.reply_headers += header;
  if (!service.force_stateless_reply && transaction_of(context)) return tm::reply_in_transaction(context, code, reason);
  return send_local_reply(context, code, reason);
}

// Kamailio's auth_challenge_helper: 1 sent, -3 the reply failed.
int challenge(MessageContext& context, std::string_view realm, long long flags, sip::HeaderKind kind) {
  const AuthService& service = service_of(context.runtime);
  std::string_view qop = (flags & kChallengeQopAuthInt) ? "auth-int" : (flags & kChallengeQopAuth) ? "auth" : "";
  std::string header = challenge_header(service, &context, realm, qop, (flags & kChallengeStale) != 0, kind);
  bool www = kind == sip::HeaderKind::Authorization;
  int sent = send_auth_reply(context, service, www ? 401 : 407, www ? "Unauthorized" : "Proxy Authentication Required",
                             header);
  return sent > 0 ? 1 : -3;
}

// A bad realm or flags argument: Kamailio answers 500 unless flags has 4.
int challenge_argument_error(MessageContext& context, long long flags) {
  if (!(flags & kChallengeNoErrorReply)) {
    const AuthService& service = service_of(context.runtime);
    if (send_auth_reply(context, service, 500, "Internal Server Error", "") < 0) return -4;
  }
  return -1;
}

int challenge_with(MessageContext& context, const FunctionCall& call, sip::HeaderKind kind) {
  std::string realm = arg_text(context, call, 0);
  std::optional<long long> flags = arg_int(context, call, 1);
  if (!flags) {
    log_message(L_ERR, "auth: invalid flags value");
    return challenge_argument_error(context, 0);
  }
  if (realm.empty()) {
    log_message(L_ERR, "auth: invalid realm value - empty content");
    return challenge_argument_error(context, *flags);
  }
  return challenge(context, realm, *flags, kind);
}

int www_challenge_body(MessageContext& context, const FunctionCall& call) {
  return challenge_with(context, call, sip::HeaderKind::Authorization);
}

int proxy_challenge_body(MessageContext& context, const FunctionCall& call) {
  return challenge_with(context, call, sip::HeaderKind::ProxyAuthorization);
}

// auth_get_www_authenticate(realm, flags, $dest): the WWW-Authenticate line a
// www_challenge would send, into a variable instead of a reply.
bool fixup_get_www_authenticate(FunctionCall& call, std::string& error) {
  call.prepared_pv = call.runtime->fixup_pv(call.args[2].written, error);
  if (!call.prepared_pv) return false;
  if (!call.prepared_pv->pv->set) {
    error = "auth_get_www_authenticate(): " + call.args[2].written + " is not writable";
    return false;
  }
  return true;
}

int auth_get_www_authenticate_body(MessageContext& context, const FunctionCall& call) {
  std::string realm = arg_text(context, call, 0);
  std::optional<long long> flags = arg_int(context, call, 1);
  if (realm.empty() || !flags) {
    log_message(L_ERR, "auth_get_www_authenticate(): invalid realm or flags value");
    return -1;
  }
  std::string_view qop = (*flags & kChallengeQopAuthInt) ? "auth-int" : (*flags & kChallengeQopAuth) ? "auth" : "";
  // As Kamailio, which builds it without the message: no auth_checks_* tag.
  bool stale = (*flags & kChallengeStale) != 0;
  std::string header =
      challenge_header(service_of(context.runtime), nullptr, realm, qop, stale, sip::HeaderKind::Authorization);
  set_pv(context, *call.prepared_pv, PvValue::string(header));
  return 1;
}

sip::HeaderKind credentials_kind_for(const MessageContext& context) {
  return method_is(context, "REGISTER") ? sip::HeaderKind::Authorization : sip::HeaderKind::ProxyAuthorization;
}

int auth_challenge_body(MessageContext& context, const FunctionCall& call) {
  if (method_is(context, "ACK") || method_is(context, "CANCEL")) return 1;
  return challenge_with(context, call, credentials_kind_for(context));
}

int consume_credentials_body(MessageContext& context, const FunctionCall&) {
  if (never_challenged(context)) return KAMC_RT_FALSE;
  const sip::HeaderField* used = digest::used_credentials_header(context);
  if (!used) {
    log_message(L_ERR, "consume_credentials(): no authorized credentials found (error in scripts)");
    return KAMC_RT_FALSE;
  }
  ByteRange line = header_line_range(context, *used);
  context.edits.remove(line.begin, line.end - line.begin);
  return KAMC_RT_TRUE;
}

int has_credentials_body(MessageContext& context, const FunctionCall& call) {
  std::string realm = arg_text(context, call, 0);
  for (sip::HeaderKind kind : {sip::HeaderKind::ProxyAuthorization, sip::HeaderKind::Authorization}) {
    if (digest::find_credentials(context.message, kind, realm).status == digest::FindStatus::Found) return 1;
  }
  return KAMC_RT_FALSE;
}

// Kamailio's pv_authenticate: the password (or H(A1)) comes from the script.
int pv_authenticate(MessageContext& context, const std::string& realm, const std::string& password, long long flags,
                    sip::HeaderKind kind, std::string_view method) {
  const AuthService& service = service_of(context.runtime);
  PendingAuth pending = pre_authorize(context, realm, kind);
  int code;
  if (pending.result == PreAuth::DoAuthentication) {
    std::string_view username = digest::text_of(pending.credentials.username);
    std::string ha1 = (flags & kPvPasswordIsHa1) ? password
                                                 : calculate_ha1(service.algorithm, username, pending.realm, password);
    code = finish_authorization(context, pending, ha1, method);
  } else {
    code = code_for(pending.result);
  }
  if (code < 0 && (flags & kPvChallengeMask)) {
    std::string_view qop = (flags & kPvChallengeQopAuthInt) ? "auth-int" : (flags & kPvChallengeQopAuth) ? "auth" : "";
    bool stale = pending.result == PreAuth::StaleNonce;
    AvpEntry entry;
    entry.name = service.challenge_avp;
    entry.value.flags = PvValue::kString;
    entry.value.text = challenge_header(service, &context, realm, qop, stale, kind);
    context.avps.push_back(std::move(entry));
  }
  return code;
}

struct PvArguments {
  std::string realm;
  std::string password;
  long long flags = 0;
};

// The realm, password and flags arguments; nullopt (logged) when one is unusable.
std::optional<PvArguments> pv_arguments(MessageContext& context, const FunctionCall& call) {
  PvArguments arguments{arg_text(context, call, 0), arg_text(context, call, 1), 0};
  std::optional<long long> flags = arg_int(context, call, 2);
  if (arguments.realm.empty() || arguments.password.empty() || !flags) {
    log_message(L_ERR, "auth: invalid realm, password or flags value");
    return std::nullopt;
  }
  arguments.flags = *flags;
  return arguments;
}

// pv_www_authenticate's fourth argument: the method the response covers (a request
// authenticated on behalf of another, e.g. from a reply route's copy), else the request's.
int pv_www_authorize_body(MessageContext& context, const FunctionCall& call) {
  auto arguments = pv_arguments(context, call);
  if (!arguments) return kAuthError;
  std::string method(context.message.method());
  if (call.args.size() > 3) {
    method = arg_text(context, call, 3);
    if (method.empty()) {
      log_message(L_ERR, "pv_www_authenticate(): invalid method value - empty content");
      return kAuthError;
    }
  }
  return pv_authenticate(context, arguments->realm, arguments->password, arguments->flags,
                         sip::HeaderKind::Authorization, method);
}

int pv_proxy_authorize_body(MessageContext& context, const FunctionCall& call) {
  auto arguments = pv_arguments(context, call);
  if (!arguments) return kAuthError;
  return pv_authenticate(context, arguments->realm, arguments->password, arguments->flags,
                         sip::HeaderKind::ProxyAuthorization, context.message.method());
}

int pv_auth_check_body(MessageContext& context, const FunctionCall& call) {
  if (method_is(context, "ACK") || method_is(context, "CANCEL")) return kAuthOk;
  auto arguments = pv_arguments(context, call);
  std::optional<long long> checks = arg_int(context, call, 3);
  if (!arguments || !checks) return kAuthError;
  int code = pv_authenticate(context, arguments->realm, arguments->password, arguments->flags,
                             credentials_kind_for(context), context.message.method());
  if (code != kAuthOk || !(*checks & kCheckIdentity)) return code;
  const sip::HeaderField* used = digest::used_credentials_header(context);
  if (!used) return never_challenged(context) ? kAuthOk : kAuthError;
  digest::Credentials credentials;
  std::string error;
  if (digest::parse_credentials(used->value, credentials, error) != digest::ParseStatus::Ok) {
    return kAuthError;
  }
  return check_identity(context, credentials.user(), service_of(context.runtime).use_domain, false);
}

constexpr std::array<FunctionExport, 11> kFunctions{{
    {"auth_get_www_authenticate", auth_get_www_authenticate_body, fixup_get_www_authenticate},
    {"consume_credentials", consume_credentials_body},
    {"www_challenge", www_challenge_body},
    {"proxy_challenge", proxy_challenge_body},
    {"auth_challenge", auth_challenge_body},
    {"has_credentials", has_credentials_body},
    {"pv_www_authorize", pv_www_authorize_body},
    {"pv_www_authenticate", pv_www_authorize_body},
    {"pv_proxy_authorize", pv_proxy_authorize_body},
    {"pv_proxy_authenticate", pv_proxy_authorize_body},
    {"pv_auth_check", pv_auth_check_body},
}};

// Kamailio 5.6's defaults (auth_mod.c, nonce.c, nc.c, ot_nonce.c).
constexpr std::array<ParamExport, 22> kParams{{
    {"secret", 0, ""},
    {"nonce_expire", 300},
    {"nonce_auth_max_drift", 3},
    {"challenge_attr", 0, "$digest_challenge"},
    {"proxy_challenge_header", 0, "Proxy-Authenticate"},
    {"www_challenge_header", 0, "WWW-Authenticate"},
    {"qop", 0, "auth"},
    {"nonce_count", 0},
    {"nc_array_size", 1024 * 1024},
    {"nc_array_order", 0},
    {"one_time_nonce", 0},
    {"otn_in_flight_no", 1024 * 1024},
    {"otn_in_flight_order", 0},
    {"force_stateless_reply", 0},
    {"realm_prefix", 0, ""},
    {"use_domain", 0},
    {"algorithm", 0, ""},
    {"add_authinfo_hdr", 0},
    {"auth_checks_register", 0},
    {"auth_checks_no_dlg", 0},
    {"auth_checks_in_dlg", 0},
    {"protect_contacts", 0},  // declared by Kamailio 5.6 and read nowhere
}};

}  // namespace

bool auth_loaded(const Runtime& runtime) {
  const ModuleInstance& module = runtime.module(auth_index());
  return module.loaded && module.state;
}

HashAlgorithm auth_algorithm(const Runtime& runtime) { return service_of(runtime).algorithm; }


PendingAuth pre_authorize(MessageContext& context, std::string_view realm, sip::HeaderKind kind) {
  const AuthService& service = service_of(context.runtime);
  PendingAuth pending;
  pending.realm = strip_realm(service, realm);
  if (never_challenged(context)) {
    pending.result = PreAuth::Authenticated;
    return pending;
  }
  digest::FoundCredentials found = digest::find_credentials(context.message, kind, pending.realm);
  if (found.status == digest::FindStatus::Error) {
    log_format(L_ERR, "auth: error while parsing credentials: %s", found.error.c_str());
    pending.result = PreAuth::Error;
    return pending;
  }
  if (found.status == digest::FindStatus::NotFound) {
    pending.result = PreAuth::NoCredentials;
    return pending;
  }
  pending.credentials = std::move(found.credentials);
  pending.header = found.header;
  context.module_state<AuthMessageState>(auth_index()).authorized = found.header;
  if (!pending.credentials.complete()) {
    log_message(L_ERR, "auth: credentials are not filled properly");
    pending.result = PreAuth::Error;
    return pending;
  }
  NonceFields fields;
  std::int64_t now = now_seconds();
  switch (service.signer->check(*pending.credentials.nonce, now, message_parts(service, &context), fields)) {
    case NonceCheck::Invalid: pending.result = PreAuth::Error; return pending;
    case NonceCheck::Stale: pending.result = PreAuth::StaleNonce; return pending;
    case NonceCheck::Valid: break;
  }
  if (service.tracker && fields.id) {
    // As Kamailio: a good nc skips the one-time check; a replayed or forgotten nc is stale.
    if (service.nonce_count && (fields.flags & kNonceCountId) && pending.credentials.nc &&
        !pending.credentials.nc->empty()) {
      auto nc = parse_nonce_count(*pending.credentials.nc);
      if (!nc) {
        pending.result = PreAuth::Error;
        return pending;
      }
      if (!service.tracker->advance_count(*fields.id, *nc)) {
        pending.result = PreAuth::StaleNonce;
        return pending;
      }
    } else if (service.one_time_nonce && (fields.flags & kOneTimeId) && !service.tracker->use_once(*fields.id)) {
      pending.result = PreAuth::NonceReused;
      return pending;
    }
  } else if (service.one_time_nonce || service.nonce_count) {
    // Enabled, but the nonce carries no id: made before the setting (Kamailio: stale).
    if (service.one_time_nonce) {
      pending.result = PreAuth::StaleNonce;
      return pending;
    }
  }
  pending.result = PreAuth::DoAuthentication;
  return pending;
}

int code_for(PreAuth result) {
  switch (result) {
    case PreAuth::Authenticated: return kAuthOk;
    case PreAuth::NoCredentials: return kAuthNoCredentials;
    case PreAuth::StaleNonce: return kAuthStaleNonce;
    case PreAuth::NonceReused: return kAuthNonceReused;
    case PreAuth::Error:
    case PreAuth::DoAuthentication: return kAuthError;
  }
  return kAuthError;
}

int finish_authorization(MessageContext& context, const PendingAuth& pending, std::string_view ha1,
                         std::string_view method) {
  const AuthService& service = service_of(context.runtime);
  switch (check_response(service.algorithm, ha1, pending.credentials, method, context.message.body())) {
    case ResponseCheck::Malformed: return kAuthError;
    case ResponseCheck::Differs: return kAuthInvalidPassword;
    case ResponseCheck::Matches: break;
  }
  if (service.add_authinfo_hdr) {
    const digest::Credentials& credentials = pending.credentials;
    ResponseInput input = response_input(credentials, "", "");  // rspauth: no method (RFC 2617 3.2.3)
    std::string rspauth = calculate_response(service.algorithm, ha1, input);
    context.reply_headers += "Authentication-Info: nextnonce=\"" + std::string(input.nonce) + "\", qop=" +
                             std::string(input.qop_text) + ", rspauth=\"" + rspauth + "\", cnonce=\"" +
                             std::string(input.cnonce) + "\", nc=" + std::string(input.nc) + "\r\n";
  }
  return kAuthOk;
}

int check_identity(MessageContext& context, std::string_view auth_user, bool use_domain, bool skip_forwarded) {
  sip::NameAddr from;
  if (!context.message.from(from)) return kAuthError;
  bool register_like = method_is(context, "REGISTER") || method_is(context, "PUBLISH");
  sip::NameAddr to;
  if (register_like && !context.message.to(to)) return kAuthError;
  const sip::Uri& identity = register_like ? to.uri : from.uri;
  bool forwarded = method_is(context, "INVITE") || method_is(context, "BYE") || method_is(context, "PRACK") ||
                   method_is(context, "UPDATE") || method_is(context, "MESSAGE");
  if (!(skip_forwarded && forwarded) && auth_user != identity.user) return kAuthUserMismatch;
  if (!register_like) return kAuthOk;
  if (from.uri.user != to.uri.user) return kAuthUserMismatch;
  if (use_domain && from.uri.host != to.uri.host) return kAuthUserMismatch;
  if (method_is(context, "PUBLISH")) {
    sip::Uri request_uri;
    if (!sip::parse_uri(context.request_uri(), request_uri)) return kAuthError;
    if (from.uri.user != request_uri.user) return kAuthUserMismatch;
    if (use_domain && from.uri.host != request_uri.host) return kAuthUserMismatch;
  }
  return kAuthOk;
}

}  // namespace auth

const sip::HeaderField* digest::used_credentials_header(const MessageContext& context) {
  auto* state = context.existing_module_state<auth::AuthMessageState>(auth::auth_index());
  return state ? state->authorized : nullptr;
}

extern const ModuleExports kAuthModule{
    .name = "auth",
    .functions = auth::kFunctions,
    .params = auth::kParams,
    .init = auth::init_auth,
};

}  // namespace kamc::runtime
