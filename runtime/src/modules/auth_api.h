// What the auth module offers the modules that look up passwords (auth_db), the shape
// of Kamailio's auth_api (pre_auth, check_response, post_auth): find and check the
// credentials for a realm, then compare the response with an H(A1) the caller found.
#pragma once

#include <string>
#include <string_view>

#include "auth_digest.h"
#include "digest_credentials.h"

namespace kamc::runtime {

class MessageContext;
class Runtime;

namespace auth {

// Kamailio's auth_cfg_result_t: what the script functions return.
enum AuthCode : int {
  kAuthUserMismatch = -8,
  kAuthUsernameExpired = -7,
  kAuthNonceReused = -6,
  kAuthNoCredentials = -5,
  kAuthStaleNonce = -4,
  kAuthUserUnknown = -3,
  kAuthInvalidPassword = -2,
  kAuthError = -1,
  kAuthDrop = 0,
  kAuthOk = 1,
};

// Kamailio's auth_result_t, as far as pre_auth gets.
enum class PreAuth {
  Authenticated,     // ACK, CANCEL, PRACK: never challenged
  DoAuthentication,  // credentials found and the nonce is good: compare the response
  NoCredentials,
  StaleNonce,
  NonceReused,
  Error,  // malformed or incomplete credentials, a nonce that is not ours
};

struct PendingAuth {
  PreAuth result = PreAuth::Error;
  std::string realm;  // after realm_prefix was stripped
  digest::Credentials credentials;
  const sip::HeaderField* header = nullptr;
};

// Whether the auth module is loaded (auth_db needs it, as Kamailio's bind_auth_s).
bool auth_loaded(const Runtime& runtime);
// The hash algorithm of the `algorithm` modparam.
HashAlgorithm auth_algorithm(const Runtime& runtime);

// pre_auth: the credentials of `kind` (Authorization or Proxy-Authorization) for
// `realm`, checked for completeness and with the nonce verified (expiry, signature,
// nonce_count / one_time_nonce).
PendingAuth pre_authorize(MessageContext& context, std::string_view realm, sip::HeaderKind kind);
// The script code for a pre_authorize result other than DoAuthentication.
int code_for(PreAuth result);
// check_response and post_auth: kAuthOk (the header is marked as the authorized one for
// consume_credentials, and Authentication-Info added when asked), kAuthInvalidPassword,
// or kAuthError for a response of the wrong length.
int finish_authorization(MessageContext& context, const PendingAuth& pending, std::string_view ha1,
                         std::string_view method);
// From/To user against the authorized user (Kamailio's AUTH_CHECK_ID_F check in
// auth_check and pv_auth_check): kAuthOk, kAuthUserMismatch or kAuthError.
int check_identity(MessageContext& context, std::string_view auth_user, bool use_domain, bool skip_forwarded);

}  // namespace auth
}  // namespace kamc::runtime
