// The registrar's rules without I/O: a REGISTER read into plain data, and save()'s
// changes to one usrloc record (RFC 3261 10.3 as Kamailio's registrar applies them:
// expires, q, Call-ID/CSeq ordering, max_contacts, star, replace-all). registrar.cpp
// feeds it messages and sends the replies; unit tests call it directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "usrloc.h"

namespace kamc::runtime {
class MessageContext;
}

namespace kamc::runtime::registrar {

// Kamailio's rerrno values that kamc produces, with its reply code and
// P-Registrar-Error text (registrar/reply.c).
enum class RegError {
  Fine, DeleteRecord, GetRecord, InvalidCSeq, InsertContact, UpdateContact, DeleteContact, AorParse, InvalidExpires,
  InvalidQ, Parse, ToMissing, CallIdMissing, CSeqMissing, ExpiresParse, ContactParse, StarExpires, StarContacts,
  Unescape, TooMany, ContactTooLong, CallIdTooLong, PathParse, PathUnsupported, LowExpires,
};
int reply_code(RegError error);
std::string_view reply_reason(int code);
std::string_view error_text(RegError error);

struct RegistrarSettings {
  long long default_expires = 3600;
  long long min_expires = 60;
  long long max_expires = 0;
  long long max_contacts = 0;
  int default_q = usrloc::kQUnspecified;
  bool append_branches = true;
  bool case_sensitive = false;
  std::string realm_prefix;
  bool use_path = false;
  int path_mode = 2;  // 0 off, 1 lazy, 2 strict
  bool path_use_received = false;
  std::string received_param = "received";
  bool min_expires_mode = false;  // reject (423) rather than raise
  bool method_filtering = false;
  long long retry_after = 0;
  bool use_domain = false;  // usrloc's
  int nat_bflag = -1;       // usrloc's
};

// save()'s flags (Kamailio's REG_SAVE_*_FL).
constexpr unsigned kSaveMemoryOnly = 0x01;
constexpr unsigned kSaveNoReply = 0x02;
constexpr unsigned kSaveReplaceAll = 0x04;
constexpr unsigned kSaveNoVariation = 0x08;

struct ContactSpec {
  std::string uri;
  std::optional<std::string> expires_param;  // as written; "" for a bare ";expires"
  std::optional<std::string> q_param;
  std::string received;
  std::string instance;  // without its quotes
  std::optional<std::string> reg_id;
};

struct RegisterRequest {
  std::string aor;
  std::string call_id;
  std::uint32_t cseq = 0;
  long long expires_header = -1;  // -1: none
  bool star = false;
  std::vector<ContactSpec> contacts;
  std::string path;           // every Path header body joined by ','
  std::string path_received;  // the received parameter of the first Path URI, unescaped
  bool supported_header = false;
  bool supports_path = false;
  std::string user_agent = "n/a";
  std::string socket;
  std::uint32_t branch_flags = 0;
};

// Kamailio's extract_aor(): the URI's user (unescaped), with "@host" under use_domain,
// lower-cased as case_sensitive says. nullopt and the error when it cannot.
std::optional<std::string> extract_aor(std::string_view uri_text, const RegistrarSettings& settings, RegError& error);

// Reads the REGISTER (parse_message, check_contacts, pack_ci); Fine or the error.
RegError read_register(MessageContext& context, const RegistrarSettings& settings, RegisterRequest& out);

struct SaveResult {
  RegError error = RegError::Fine;
  int code = 1;  // save()'s return code when error is Fine
  std::vector<usrloc::Binding> current;  // the record's bindings afterwards, for the reply
};

// save()'s changes to the record of request.aor; `new_ruid` makes record ids.
SaveResult apply_register(usrloc::Record& record, const RegisterRequest& request, const RegistrarSettings& settings,
                          const usrloc::Settings& location, unsigned flags, std::int64_t now);

// The reply's "Contact: ..." line for the valid bindings ("" when there are none).
std::string contact_header(const std::vector<usrloc::Binding>& bindings, const RegistrarSettings& settings,
                           std::int64_t now);
// Kamailio's q2str(): "" for unspecified, "1", "0", "0.5", "0.123".
std::string q_text(int q);
// Kamailio's str2q(): 0..1 with up to three decimals; nullopt when invalid.
std::optional<int> parse_q(std::string_view text);
// The first URI of a Path/Route set (without its angle brackets).
std::string first_route_uri(std::string_view route_set);
std::string new_ruid();

}  // namespace kamc::runtime::registrar
