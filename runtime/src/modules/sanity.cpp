// sanity: sanity_check([msg_checks[, uri_checks]]) with Kamailio 5.6's check bits, replies
// and return codes. Module parameters are Kamailio's defaults: default_checks (the
// SANITY_DEFAULT_CHECKS set), uri_checks 7, autodrop 1 (a failed check returns 0: the
// script stops), noreply 0, proxy_require "" (every Proxy-Require extension is refused).
#include <array>
#include <charconv>
#include <vector>

#include "../core/module.h"
#include "../core/proxy.h"
#include "kamc/runtime/message_context.h"
#include "kamc/sip/name_addr.h"
#include "kamc/sip/scalar_headers.h"
#include "kamc/sip/uri.h"

#include "../text.h"

namespace kamc::runtime {

namespace {

enum : long long {
  kRuriSipVersion = 1 << 0,
  kRuriScheme = 1 << 1,
  kRequiredHeaders = 1 << 2,
  kViaSipVersion = 1 << 3,
  kViaProtocol = 1 << 4,
  kCSeqMethod = 1 << 5,
  kCSeqValue = 1 << 6,
  kContentLength = 1 << 7,
  kExpiresValue = 1 << 8,
  kProxyRequire = 1 << 9,
  kParseUris = 1 << 10,
  kCheckDigest = 1 << 11,
  kMaxChecks = 1 << 15,
};
constexpr long long kDefaultChecks = kRuriSipVersion | kRuriScheme | kRequiredHeaders | kCSeqMethod | kCSeqValue |
                                     kContentLength | kExpiresValue | kProxyRequire | kCheckDigest;
enum : long long { kUriRuri = 1, kUriFrom = 2, kUriTo = 4, kUriContact = 8, kUriMax = 16 };
constexpr long long kDefaultUriChecks = kUriRuri | kUriFrom | kUriTo;

constexpr int kPassed = 1;
constexpr int kFailed = 0;

// Kamailio's sanity_reply: nothing for replies and ACKs; a failed check fails either way.
int fail(MessageContext& context, int code, std::string_view reason, std::string_view extra_headers = {}) {
  send_local_reply(context, code, reason, extra_headers);
  return kFailed;
}

// Kamailio's str2valid_uint: 1..10 digits, at most 4294967295.
bool valid_uint(std::string_view text) {
  if (text.empty() || text.size() > 10) return false;
  unsigned long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc{} && end == text.data() + text.size() && value <= 0xFFFFFFFFull;
}

std::vector<std::string_view> comma_list(std::string_view value) {
  std::vector<std::string_view> out;
  while (true) {
    std::size_t comma = value.find(',');
    std::string_view item = sip::detail::trim_lws(value.substr(0, comma));
    if (!item.empty()) out.push_back(item);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return out;
}

int check_ruri_sip_version(MessageContext& context) {
  std::string_view version = context.message.sip_version();
  std::size_t slash = version.find('/');
  if (slash == std::string_view::npos) return kFailed;
  if (version.substr(slash + 1) != "2.0") return fail(context, 505, "Version Not Supported (R-URI)");
  return kPassed;
}

int check_ruri_scheme(MessageContext& context) {
  sip::Uri uri;
  if (!sip::parse_uri(context.message.request_uri_text(), uri).ok()) return fail(context, 400, "Bad Request URI");
  if (uri.scheme == sip::UriScheme::Other) return fail(context, 416, "Unsupported URI Scheme in Request URI");
  return kPassed;
}

// From, To, Call-ID and CSeq, each once; no reply when they are missing (Kamailio sets
// FL_MSG_NOREPLY: without them a reply cannot be built).
int check_required_headers(MessageContext& context) {
  const sip::SipMessage& message = context.message;
  for (auto kind : {sip::HeaderKind::From, sip::HeaderKind::To, sip::HeaderKind::CallId, sip::HeaderKind::CSeq}) {
    if (!message.first_header(kind)) return kFailed;
  }
  for (auto kind : {sip::HeaderKind::From, sip::HeaderKind::To, sip::HeaderKind::CallId}) {
    if (message.header_count(kind) > 1) return kFailed;
  }
  return kPassed;
}

// The CSeq value as method and number, split on linear white space, folding included
// (RFC 4475 3.1.1.1 puts the method on a continuation line; Kamailio 5.6 drops that
// message, kamc accepts it). The strict parser would refuse what sanity reports with
// its own reason.
void split_cseq(std::string_view value, std::string_view& number, std::string_view& method) {
  value = sip::detail::trim_lws(value);
  std::size_t space = value.find_first_of(" \t\r\n");
  number = value.substr(0, space);
  method = space == std::string_view::npos ? std::string_view{} : sip::detail::trim_lws(value.substr(space));
}

int check_cseq_method(MessageContext& context) {
  const sip::HeaderField* field = context.message.first_header(sip::HeaderKind::CSeq);
  if (!field) return kFailed;
  std::string_view number, method;
  split_cseq(field->value, number, method);
  if (method.empty()) return fail(context, 400, "Missing method in CSeq header");
  if (context.message.is_request() && method != context.message.method()) {
    return fail(context, 400, "CSeq method does not match request method");
  }
  return kPassed;
}

int check_cseq_value(MessageContext& context) {
  const sip::HeaderField* field = context.message.first_header(sip::HeaderKind::CSeq);
  if (!field) return kFailed;
  std::string_view number, method;
  split_cseq(field->value, number, method);
  if (number.empty()) return fail(context, 400, "Missing number in CSeq header");
  if (!valid_uint(number)) return fail(context, 400, "CSeq number is illegal");
  return kPassed;
}

// Over UDP the body must be exactly Content-Length bytes (streams are framed by it).
int check_content_length(MessageContext& context) {
  const sip::HeaderField* field = context.message.first_header(sip::HeaderKind::ContentLength);
  if (!field) return kPassed;
  std::uint32_t length = 0;
  if (!sip::parse_content_length(field->value, length).ok()) return fail(context, 400, "Content-Length Failure");
  if (context.received.protocol != Protocol::Udp) return kPassed;
  std::string_view body = context.message.body();
  std::size_t body_start = body.empty() ? context.message.message_size() : context.offset_of(body);
  std::size_t actual = context.buffer.size() >= body_start ? context.buffer.size() - body_start : 0;
  if (actual != length) return fail(context, 400, "Content-Length mis-match");
  return kPassed;
}

int check_expires(MessageContext& context) {
  for (const auto& field : context.message.headers()) {
    if (field.kind != sip::HeaderKind::Expires) continue;
    std::string_view value = sip::detail::trim_lws(field.value);
    if (value.empty()) return fail(context, 400, "Missing number in Expires header");
    if (!valid_uint(value)) return fail(context, 400, "Expires value is illegal");
  }
  return kPassed;
}

// No extension is supported (the proxy_require parameter is empty): 420 listing them.
int check_proxy_require(MessageContext& context) {
  std::string unsupported;
  for (const auto& field : context.message.headers()) {
    if (field.kind != sip::HeaderKind::ProxyRequire) continue;
    for (std::string_view option : comma_list(field.value)) {
      if (!unsupported.empty()) unsupported += ", ";
      unsupported += option;
    }
  }
  if (unsupported.empty()) return kPassed;
  return fail(context, 420, "Bad Proxy Require Extension", "Unsupported: " + unsupported + "\r\n");
}

int check_parse_uris(MessageContext& context, long long uri_checks) {
  const sip::SipMessage& message = context.message;
  if ((uri_checks & kUriRuri) && message.is_request()) {
    sip::Uri uri;
    if (!sip::parse_uri(message.request_uri_text(), uri).ok()) return fail(context, 400, "Bad Request URI");
  }
  sip::NameAddr address;
  if ((uri_checks & kUriFrom) && !message.from(address).ok()) return fail(context, 400, "Invalid From Header");
  if ((uri_checks & kUriTo) && !message.to(address).ok()) return fail(context, 400, "Ivalid To Header");  // sic
  if ((uri_checks & kUriContact) && message.first_header(sip::HeaderKind::Contact) && !message.has_star_contact()) {
    std::vector<sip::NameAddr> contacts;
    if (!message.contacts(contacts).ok()) return fail(context, 400, "Bad Contact Header");
  }
  return kPassed;
}

// Digest credentials: username and nonce must be present and not empty, and realm, uri
// and response present.
std::optional<std::string_view> digest_param(std::string_view credentials, std::string_view name) {
  for (std::string_view item : comma_list(credentials)) {
    std::size_t equals = item.find('=');
    if (equals == std::string_view::npos) continue;
    std::string_view key = sip::detail::trim_lws(item.substr(0, equals));
    if (key.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < key.size(); ++i) {
      if ((key[i] | 0x20) != name[i]) same = false;
    }
    if (!same) continue;
    std::string_view value = sip::detail::trim_lws(item.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return value;
  }
  return std::nullopt;
}

int check_digest(MessageContext& context) {
  for (const auto& field : context.message.headers()) {
    if (field.kind != sip::HeaderKind::Authorization && field.kind != sip::HeaderKind::ProxyAuthorization) continue;
    std::string_view value = sip::detail::trim_lws(field.value);
    std::size_t space = value.find_first_of(" \t");
    std::string_view scheme = value.substr(0, space);
    if (scheme.size() != 6 || (scheme[0] | 0x20) != 'd' || (scheme[1] | 0x20) != 'i' || (scheme[2] | 0x20) != 'g' ||
        (scheme[3] | 0x20) != 'e' || (scheme[4] | 0x20) != 's' || (scheme[5] | 0x20) != 't') {
      continue;  // not digest: not checked
    }
    std::string_view credentials = space == std::string_view::npos ? std::string_view{} : value.substr(space);
    auto username = digest_param(credentials, "username");
    auto nonce = digest_param(credentials, "nonce");
    if (!username || !nonce || !digest_param(credentials, "realm") || !digest_param(credentials, "uri") ||
        !digest_param(credentials, "response")) {
      return fail(context, 400, "Bad Auth Credentials");
    }
    if (username->empty()) return fail(context, 400, "Auth Empty User");
    if (nonce->empty()) return fail(context, 400, "Auth Empty Nonce");
  }
  return kPassed;
}

int run_checks(MessageContext& context, long long checks, long long uri_checks) {
  bool request = context.message.is_request();
  int result = kPassed;
  auto step = [&](long long bit, bool applies, auto&& check) {
    if (result == kPassed && (checks & bit) && applies) result = check();
  };
  step(kRuriSipVersion, request, [&] { return check_ruri_sip_version(context); });
  step(kRuriScheme, request, [&] { return check_ruri_scheme(context); });
  step(kRequiredHeaders, true, [&] { return check_required_headers(context); });
  step(kCSeqMethod, true, [&] { return check_cseq_method(context); });
  step(kCSeqValue, true, [&] { return check_cseq_value(context); });
  step(kContentLength, true, [&] { return check_content_length(context); });
  step(kExpiresValue, true, [&] { return check_expires(context); });
  step(kProxyRequire, request, [&] { return check_proxy_require(context); });
  step(kParseUris, true, [&] { return check_parse_uris(context, uri_checks); });
  step(kCheckDigest, request, [&] { return check_digest(context); });
  return result;
}

int sanity_check_body(MessageContext& context, const FunctionCall& call) {
  long long checks = kDefaultChecks;
  long long uri_checks = kDefaultUriChecks;
  if (!call.args.empty()) {
    auto value = arg_int(context, call, 0);
    if (!value) return KAMC_RT_FALSE;
    checks = *value;
  }
  if (call.args.size() > 1) {
    auto value = arg_int(context, call, 1);
    if (!value) return KAMC_RT_FALSE;
    uri_checks = *value;
  }
  if (checks < 1 || checks >= kMaxChecks || uri_checks < 1 || uri_checks >= kUriMax) return KAMC_RT_FALSE;
  // autodrop=1: the check's own result, so a failure (0) stops the script.
  return run_checks(context, checks, uri_checks);
}

bool fixup_sanity(FunctionCall& call, std::string& error) {
  for (std::size_t i = 0; i < call.args.size(); ++i) {
    const FixedArg& arg = call.args[i];
    long long value = 0;
    if (arg.is_int) {
      value = arg.number;
    } else if (arg.format.is_constant()) {
      std::string_view text = arg.format.constant_text();
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc{} || end != text.data() + text.size()) {
        error = "sanity_check(): argument " + std::to_string(i + 1) + " '" + std::string(text) + "' is not a number";
        return false;
      }
    } else {
      continue;  // a pseudo-variable: checked per message
    }
    long long limit = i == 0 ? static_cast<long long>(kMaxChecks) : static_cast<long long>(kUriMax);
    if (value < 1 || value >= limit) {
      error = "sanity_check(): argument " + std::to_string(i + 1) + " (" + std::to_string(value) +
              ") is outside 1.." + std::to_string(limit - 1);
      return false;
    }
  }
  return true;
}

constexpr std::array<FunctionExport, 1> kSanity{{
    {"sanity_check", sanity_check_body, fixup_sanity},
}};

}  // namespace

extern const ModuleExports kSanityModule{
    .name = "sanity",
    .functions = kSanity,
};

}  // namespace kamc::runtime
