#include "registrar_logic.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <ctime>

#include "../core/transformations.h"
#include "kamc/runtime/message_context.h"
#include "kamc/sip/name_addr.h"
#include "kamc/sip/scalar_headers.h"
#include "kamc/sip/uri.h"

namespace kamc::runtime::registrar {

namespace {

using usrloc::Binding;
using usrloc::Record;

bool equal_nocase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string unquoted(std::string_view text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
  return std::string(text);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX unescaping of a URI user part (Kamailio's un_escape); nullopt on a bad escape.
std::optional<std::string> unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int high = hex_value(text[i + 1]);
    int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

// Kamailio's str2int(): digits only, fits 32 bits unsigned.
std::optional<long long> unsigned_number(std::string_view text) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  long long value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > 0xFFFFFFFFLL) return std::nullopt;
  return value;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

bool has_option_tag(std::string_view list, std::string_view tag) {
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    if (equal_nocase(trim(list.substr(0, comma)), tag)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// Kamailio's calc_contact_expires(): the contact's expires, else Expires, else the
// default; raised to min_expires (or refused), capped at max_expires; absolute.
long long contact_expires(const ContactSpec& contact, const RegisterRequest& request,
                          const RegistrarSettings& settings, std::int64_t now, RegError& error) {
  long long expires;
  if (!contact.expires_param || contact.expires_param->empty()) {
    expires = request.expires_header >= 0 ? request.expires_header : settings.default_expires;
  } else {
    expires = unsigned_number(*contact.expires_param).value_or(settings.default_expires);
  }
  if (expires == 0) return 0;
  if (expires < settings.min_expires) {
    if (settings.min_expires_mode) {
      error = RegError::LowExpires;
      return 0;
    }
    expires = settings.min_expires;
  }
  if (settings.max_expires && expires > settings.max_expires) expires = settings.max_expires;
  return expires + now;
}

// The received address of a binding: the contact's received parameter, else the one
// the first Path URI carried (path_use_received).
Binding make_binding(const ContactSpec& contact, const RegisterRequest& request, const RegistrarSettings& settings,
                     long long expires, int q, std::int64_t now) {
  Binding binding;
  binding.contact = contact.uri;
  binding.expires = expires;
  binding.q = q;
  binding.call_id = request.call_id;
  binding.cseq = request.cseq;
  binding.cflags = request.branch_flags;
  binding.user_agent = request.user_agent;
  binding.socket = request.socket;
  binding.path = request.path;
  if (!request.path_received.empty()) {
    binding.received = request.path_received;
    if (settings.nat_bflag >= 0 && settings.nat_bflag < 32) binding.cflags |= 1u << settings.nat_bflag;
  } else {
    binding.received = contact.received;
  }
  binding.instance = contact.instance;
  if (contact.reg_id) binding.reg_id = static_cast<std::uint32_t>(unsigned_number(*contact.reg_id).value_or(0));
  binding.last_modified = now;
  return binding;
}

// Kamailio's get_ucontact_by_instance(): 0 found (index in `found`), 1 not found, -1
// stale CSeq, -2 a retransmission (same CSeq within cseq_delay).
int match_binding(const Record& record, const ContactSpec& contact, const RegisterRequest& request,
                  const usrloc::Settings& location, std::int64_t now, std::size_t& found) {
  const auto& bindings = record.bindings;
  bool check_call_id = true;
  auto matches = [&](const Binding& b) {
    if (!contact.instance.empty()) return b.instance == contact.instance && b.reg_id == (contact.reg_id ? unsigned_number(*contact.reg_id).value_or(0) : 0);
    switch (location.matching_mode) {
      case usrloc::MatchingMode::ContactOnly: return b.contact == contact.uri;
      case usrloc::MatchingMode::ContactCallId: return b.contact == contact.uri && b.call_id == request.call_id;
      case usrloc::MatchingMode::ContactPath: return b.contact == contact.uri && b.path == request.path;
      case usrloc::MatchingMode::CallIdOnly: return b.call_id == request.call_id;
    }
    return false;
  };
  if (location.matching_mode == usrloc::MatchingMode::ContactCallId) check_call_id = false;
  auto it = std::find_if(bindings.begin(), bindings.end(), matches);
  if (it == bindings.end()) return 1;
  if (!check_call_id || it->call_id == request.call_id) {
    if (request.cseq < it->cseq) return -1;
    if (request.cseq == it->cseq) return it->last_modified + location.cseq_delay > now ? -2 : -1;
  }
  found = static_cast<std::size_t>(it - bindings.begin());
  return 0;
}

void update_binding(Record& record, std::size_t index, Binding fresh, bool desc_time_order) {
  fresh.ruid = record.bindings[index].ruid;
  record.bindings.erase(record.bindings.begin() + static_cast<std::ptrdiff_t>(index));
  usrloc::insert_ordered(record, std::move(fresh), desc_time_order);
}

std::optional<int> contact_q(const ContactSpec& contact, const RegistrarSettings& settings, RegError& error) {
  if (!contact.q_param || contact.q_param->empty()) return settings.default_q;
  auto q = parse_q(*contact.q_param);
  if (!q) error = RegError::InvalidQ;
  return q;
}

std::size_t valid_count(const Record& record, std::int64_t now) {
  return static_cast<std::size_t>(std::count_if(record.bindings.begin(), record.bindings.end(),
                                                [&](const Binding& b) { return b.valid_at(now); }));
}

// A new record: every contact with a non-zero expires, up to max_contacts.
int insert_contacts(Record& record, const RegisterRequest& request, const RegistrarSettings& settings,
                    const usrloc::Settings& location, std::int64_t now, RegError& error) {
  long long count = 0;
  for (const ContactSpec& contact : request.contacts) {
    long long expires = contact_expires(contact, request, settings, now, error);
    if (error != RegError::Fine) break;
    if (expires == 0) continue;
    if (settings.max_contacts > 0 && count >= settings.max_contacts) {
      error = RegError::TooMany;
      break;
    }
    ++count;
    auto q = contact_q(contact, settings, error);
    if (!q) break;
    Binding binding = make_binding(contact, request, settings, expires, *q, now);
    // The same contact twice in one REGISTER updates the first (Kamailio's CSeq+1 trick).
    auto same = std::find_if(record.bindings.begin(), record.bindings.end(),
                             [&](const Binding& b) { return b.contact == contact.uri; });
    if (same != record.bindings.end()) {
      update_binding(record, static_cast<std::size_t>(same - record.bindings.begin()), std::move(binding),
                     location.desc_time_order);
    } else {
      binding.ruid = new_ruid();
      usrloc::insert_ordered(record, std::move(binding), location.desc_time_order);
    }
  }
  if (error != RegError::Fine) record.bindings.clear();  // Kamailio deletes the new record
  return 1;
}

bool exceeds_max_contacts(const Record& record, const RegisterRequest& request, const RegistrarSettings& settings,
                          const usrloc::Settings& location, std::int64_t now, RegError& error) {
  long long count = static_cast<long long>(valid_count(record, now));
  for (const ContactSpec& contact : request.contacts) {
    RegError ignored = RegError::Fine;
    long long expires = contact_expires(contact, request, settings, now, ignored);
    std::size_t found = 0;
    int match = match_binding(record, contact, request, location, now, found);
    if (match == -1) {
      error = RegError::InvalidCSeq;
      return true;
    }
    if (match == -2) continue;
    if (match > 0 && expires != 0) ++count;
    if (match == 0 && expires == 0) --count;
  }
  if (count > settings.max_contacts) {
    error = RegError::TooMany;
    return true;
  }
  return false;
}

// An existing record: insert, refresh or remove each contact (Kamailio's
// update_contacts); returns 1 nothing new, 1 inserted, 2 updated, 3 deleted.
int update_contacts(Record& record, const RegisterRequest& request, const RegistrarSettings& settings,
                    const usrloc::Settings& location, bool replace_all, std::int64_t now, RegError& error) {
  if (!replace_all && settings.max_contacts > 0 &&
      exceeds_max_contacts(record, request, settings, location, now, error)) {
    return -1;
  }
  int rc = 0;
  for (const ContactSpec& contact : request.contacts) {
    long long expires = contact_expires(contact, request, settings, now, error);
    if (error != RegError::Fine) return -1;
    auto q = contact_q(contact, settings, error);
    if (!q) return -1;
    std::size_t found = 0;
    int match = match_binding(record, contact, request, location, now, found);
    if (match == -1) {
      error = RegError::InvalidCSeq;
      return -1;
    }
    if (match == -2) {
      if (expires != 0 && replace_all) break;
      continue;
    }
    Binding binding = make_binding(contact, request, settings, expires, *q, now);
    if (match > 0) {
      if (expires == 0) continue;
      binding.ruid = new_ruid();
      std::string kept = binding.ruid;
      usrloc::insert_ordered(record, std::move(binding), location.desc_time_order);
      rc = 1;
      if (replace_all) {
        std::erase_if(record.bindings, [&](const Binding& b) { return b.ruid != kept; });
        break;
      }
      continue;
    }
    if (expires == 0) {
      record.bindings.erase(record.bindings.begin() + static_cast<std::ptrdiff_t>(found));
      rc = 3;
      continue;
    }
    std::string kept = record.bindings[found].ruid;
    std::string instance = record.bindings[found].instance;
    bool new_call_id = !contact.instance.empty() && record.bindings[found].call_id != request.call_id;
    update_binding(record, found, std::move(binding), location.desc_time_order);
    // A device (+sip.instance) that registers with a new Call-ID replaces its old ones.
    if (replace_all) {
      std::erase_if(record.bindings, [&](const Binding& b) { return b.ruid != kept; });
    } else if (new_call_id) {
      std::erase_if(record.bindings, [&](const Binding& b) { return b.ruid != kept && b.instance == instance; });
    }
    rc = 2;
    if (replace_all) break;
  }
  return rc;
}

}  // namespace

int reply_code(RegError error) {
  switch (error) {
    case RegError::Fine: return 200;
    case RegError::DeleteRecord:
    case RegError::GetRecord:
    case RegError::InsertContact:
    case RegError::UpdateContact:
    case RegError::DeleteContact: return 500;
    case RegError::TooMany: return 503;
    case RegError::PathUnsupported: return 420;
    case RegError::LowExpires: return 423;
    default: return 400;
  }
}

std::string_view reply_reason(int code) {
  switch (code) {
    case 200: return "OK";
    case 420: return "Bad Extension";
    case 423: return "Interval Too Brief";
    case 500: return "Server Internal Error";
    case 503: return "Service Unavailable";
    default: return "Bad Request";
  }
}

std::string_view error_text(RegError error) {
  switch (error) {
    case RegError::Fine: return "No problem";
    case RegError::DeleteRecord: return "usrloc_record_delete failed";
    case RegError::GetRecord: return "usrloc_record_get failed";
    case RegError::InvalidCSeq: return "Invalid CSeq number";
    case RegError::InsertContact: return "usrloc_contact_insert failed";
    case RegError::UpdateContact: return "usrloc_contact_update failed";
    case RegError::DeleteContact: return "usrloc_contact_delete failed";
    case RegError::AorParse: return "Error while parsing AOR";
    case RegError::InvalidExpires: return "Invalid expires param in contact";
    case RegError::InvalidQ: return "Invalid q param in contact";
    case RegError::Parse: return "Message parse error";
    case RegError::ToMissing: return "To header not found";
    case RegError::CallIdMissing: return "Call-ID header not found";
    case RegError::CSeqMissing: return "CSeq header not found";
    case RegError::ExpiresParse: return "Expires parse error";
    case RegError::ContactParse: return "Contact parse error";
    case RegError::StarExpires: return "* used in contact and expires is not zero";
    case RegError::StarContacts: return "* used in contact and more than 1 contact";
    case RegError::Unescape: return "Error while unescaping username";
    case RegError::TooMany: return "Too many registered contacts";
    case RegError::ContactTooLong: return "Contact/received too long";
    case RegError::CallIdTooLong: return "Callid too long";
    case RegError::PathParse: return "Path parse error";
    case RegError::PathUnsupported: return "No support for found Path indicated";
    case RegError::LowExpires: return "Interval too brief";
  }
  return "";
}

std::optional<std::string> extract_aor(std::string_view uri_text, const RegistrarSettings& settings, RegError& error) {
  sip::Uri uri;
  if (!sip::parse_uri(uri_text, uri).ok() || !uri.is_sip_or_sips()) {
    error = RegError::AorParse;
    return std::nullopt;
  }
  auto user = unescape(uri.user);
  if (!user) {
    error = RegError::Unescape;
    return std::nullopt;
  }
  std::string aor = *user;
  std::size_t user_length = aor.size();
  if (settings.use_domain) {
    std::string_view host = uri.host;
    if (!settings.realm_prefix.empty() && host.size() > settings.realm_prefix.size() &&
        equal_nocase(host.substr(0, settings.realm_prefix.size()), settings.realm_prefix)) {
      host.remove_prefix(settings.realm_prefix.size());
    }
    if (user_length) aor += '@';
    aor += host;
  }
  if (settings.case_sensitive && user_length) {
    return aor.substr(0, user_length) + lower(aor.substr(user_length));
  }
  return lower(aor);
}

RegError read_register(MessageContext& context, const RegistrarSettings& settings, RegisterRequest& out) {
  const sip::SipMessage& message = context.message;
  const sip::HeaderField* to = message.first_header(sip::HeaderKind::To);
  if (!to) return RegError::ToMissing;
  const sip::HeaderField* call_id = message.first_header(sip::HeaderKind::CallId);
  if (!call_id) return RegError::CallIdMissing;
  const sip::HeaderField* cseq_field = message.first_header(sip::HeaderKind::CSeq);
  if (!cseq_field) return RegError::CSeqMissing;
  sip::NameAddr to_value;
  if (!sip::parse_name_addr(to->value, to_value).ok()) return RegError::Parse;
  RegError error = RegError::Fine;
  auto aor = extract_aor(to_value.uri.text, settings, error);
  if (!aor) return error;
  out.aor = *aor;
  if (const sip::HeaderField* expires = message.first_header(sip::HeaderKind::Expires)) {
    auto value = unsigned_number(trim(expires->value));
    if (!value) return RegError::ExpiresParse;
    out.expires_header = *value;
  }
  bool first_contact_header = true;
  for (const sip::HeaderField& field : message.headers()) {
    if (field.kind == sip::HeaderKind::Contact) {
      if (sip::is_star_contact(field.value)) {
        if (!first_contact_header || !out.contacts.empty()) return RegError::StarContacts;
        out.star = true;
        first_contact_header = false;
        continue;
      }
      if (out.star) return RegError::StarContacts;
      first_contact_header = false;
      std::vector<sip::NameAddr> values;
      if (!sip::parse_name_addr_list(field.value, values).ok()) return RegError::ContactParse;
      for (const sip::NameAddr& value : values) {
        ContactSpec contact;
        contact.uri = std::string(value.uri.text);
        if (contact.uri.size() > 512) return RegError::ContactTooLong;
        if (auto p = value.param("expires")) contact.expires_param = std::string(*p);
        if (auto p = value.param("q")) contact.q_param = std::string(*p);
        if (auto p = value.param("received")) contact.received = unquoted(*p);
        if (auto p = value.param("+sip.instance")) contact.instance = unquoted(*p);
        if (auto p = value.param("reg-id")) contact.reg_id = std::string(*p);
        out.contacts.push_back(std::move(contact));
      }
    } else if (field.kind == sip::HeaderKind::Supported) {
      out.supported_header = true;
      if (has_option_tag(field.value, "path")) out.supports_path = true;
    } else if (field.kind == sip::HeaderKind::UserAgent) {
      if (!field.value.empty() && field.value.size() < 255) out.user_agent = std::string(field.value);
    } else if (settings.use_path && equal_nocase(field.name, "Path")) {
      if (!out.path.empty()) out.path += ',';
      out.path += field.value;
    }
  }
  if (out.star && out.expires_header != 0) return RegError::StarExpires;
  out.call_id = std::string(trim(call_id->value));
  if (out.call_id.size() > 255) return RegError::CallIdTooLong;
  sip::CSeq cseq;
  if (!sip::parse_cseq(cseq_field->value, cseq).ok()) return RegError::InvalidCSeq;
  out.cseq = cseq.number;
  if (!out.path.empty()) {
    std::string first = first_route_uri(out.path);
    sip::Uri uri;
    if (first.empty() || !sip::parse_uri(first, uri).ok() || !uri.param("lr")) return RegError::PathParse;
    if (settings.path_use_received) {
      if (auto received = uri.param("received"); received && !received->empty()) {
        auto value = unescape_user(*received);  // as Kamailio's path.c
        if (!value) return RegError::PathParse;
        out.path_received = *value;
      }
    }
  }
  if (const ListenSocket* local = context.received.local) {
    out.socket = std::string(protocol_name(local->protocol)) + ":" + local->host + ":" + local->port_text;
  }
  out.branch_flags = context.branch_flags;
  return RegError::Fine;
}

SaveResult apply_register(Record& record, const RegisterRequest& request, const RegistrarSettings& settings,
                          const usrloc::Settings& location, unsigned flags, std::int64_t now) {
  SaveResult result;
  if (request.star) {
    record.bindings.clear();
    result.code = 3;
  } else if (request.contacts.empty()) {
    result.code = 4;
  } else if (record.bindings.empty()) {
    insert_contacts(record, request, settings, location, now, result.error);
    result.code = 1;
  } else {
    int rc = update_contacts(record, request, settings, location, (flags & kSaveReplaceAll) != 0, now, result.error);
    result.code = rc <= 0 ? 1 : rc;
  }
  if (flags & kSaveMemoryOnly) {
    for (Binding& binding : record.bindings) binding.flags |= 1;  // Kamailio's FL_MEM
  }
  result.current = record.bindings;
  return result;
}

std::string q_text(int q) {
  if (q < 0) return "";
  if (q >= 1000) return "1";
  if (q == 0) return "0";
  std::string digits = std::to_string(1000 + q).substr(1);
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  return "0." + digits;
}

std::optional<int> parse_q(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int whole = 0;
  std::size_t i = 0;
  if (text[0] == '0' || text[0] == '1') {
    whole = text[0] - '0';
    i = 1;
  } else if (text[0] != '.') {
    return std::nullopt;
  }
  int fraction = 0;
  int digits = 0;
  if (i < text.size()) {
    if (text[i] != '.') return std::nullopt;
    for (++i; i < text.size(); ++i, ++digits) {
      if (digits == 3 || text[i] < '0' || text[i] > '9') return std::nullopt;
      fraction = fraction * 10 + (text[i] - '0');
    }
  }
  while (digits++ < 3) fraction *= 10;
  int q = whole * 1000 + fraction;
  if (q > 1000) return std::nullopt;
  return q;
}

std::string contact_header(const std::vector<Binding>& bindings, const RegistrarSettings& settings, std::int64_t now) {
  std::string line;
  for (const Binding& binding : bindings) {
    if (!binding.valid_at(now)) continue;
    line += line.empty() ? "Contact: " : ", ";
    line += "<" + binding.contact + ">";
    if (std::string q = q_text(binding.q); !q.empty()) line += ";q=" + q;
    line += ";expires=" + std::to_string(binding.expires == 0 ? 0 : binding.expires - now);
    if (!settings.received_param.empty() && !binding.received.empty()) {
      line += ";" + settings.received_param + "=\"" + binding.received + "\"";
    }
    if (!binding.instance.empty()) line += ";+sip.instance=\"" + binding.instance + "\"";
    if (binding.reg_id > 0) line += ";reg-id=" + std::to_string(binding.reg_id);
  }
  if (!line.empty()) line += "\r\n";
  return line;
}

std::string first_route_uri(std::string_view route_set) {
  std::size_t open = route_set.find('<');
  if (open != std::string_view::npos) {
    std::size_t close = route_set.find('>', open);
    if (close == std::string_view::npos) return "";
    return std::string(route_set.substr(open + 1, close - open - 1));
  }
  std::size_t end = route_set.find_first_of(",;");
  return std::string(trim(route_set.substr(0, end)));
}

std::string new_ruid() {
  // Kamailio's sruid shape ("uloc-<time>-<pid>-<counter>"): unique across restarts
  // and across nodes that share one database (the pid and start time differ).
  static const std::string prefix = [] {
    char text[64];
    std::snprintf(text, sizeof text, "uloc-%lx-%x-", static_cast<unsigned long>(std::time(nullptr)),
                  static_cast<unsigned>(::getpid()));
    return std::string(text);
  }();
  static std::atomic<std::uint64_t> counter{0};
  return prefix + std::to_string(++counter);
}

}  // namespace kamc::runtime::registrar
