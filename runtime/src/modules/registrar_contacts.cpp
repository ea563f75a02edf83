// reg_fetch_contacts(), reg_free_contacts() and $ulc(profile=>attr)[index]: a copy of an
// AoR's bindings that the script reads attribute by attribute. As in Kamailio the
// copies belong to the process (here: the worker thread) and outlive the message, so a
// profile fetched once can be read by later messages on that worker.
#include <map>

#include "../core/module.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/message_context.h"
#include "kamc/runtime/runtime.h"
#include "registrar_logic.h"
#include "usrloc.h"

namespace kamc::runtime::registrar {

// registrar.cpp
RegistrarSettings effective_settings(const MessageContext& context, const usrloc::LocationService& service);
std::optional<std::optional<usrloc::Record>> fetch_record(MessageContext& context, usrloc::LocationService& service,
                                                         const std::string& table, const std::string& aor);

namespace {

struct FetchedContacts {
  std::string aor;
  std::string domain;
  std::vector<usrloc::Binding> bindings;
};

std::map<std::string, FetchedContacts>& profiles() {
  thread_local std::map<std::string, FetchedContacts> fetched;
  return fetched;
}

PvValue text_value(MessageContext& context, std::string text) { return PvValue::string(context.keep(std::move(text))); }
PvValue number_value(MessageContext& context, long long number) {
  return PvValue::integer(number, context.keep(std::to_string(number)));
}

// The attributes Kamailio's $ulc knows, for the fixup's check.
constexpr std::string_view kAttributes[] = {"aor",    "domain",     "aorhash", "count",  "addr",     "path",
                                            "received", "expires",  "callid",  "q",      "cseq",     "flags",
                                            "cflags", "user_agent", "socket",  "modified", "methods", "ruid",
                                            "reg_id", "instance"};

bool split_name(std::string_view argument, std::string& profile, std::string& attribute) {
  std::size_t arrow = argument.find("=>");
  if (arrow == std::string_view::npos || arrow == 0) return false;
  profile = std::string(argument.substr(0, arrow));
  attribute = std::string(argument.substr(arrow + 2));
  return true;
}

}  // namespace

bool fixup_ulc(PvSpec& spec, VarSlots&, std::string& error) {
  std::string profile, attribute;
  if (!split_name(spec.argument, profile, attribute)) {
    error = "$ulc(" + spec.argument + "): expected $ulc(profile=>attribute)";
    return false;
  }
  for (std::string_view known : kAttributes) {
    if (attribute == known) return true;
  }
  error = "$ulc(" + spec.argument + "): unknown attribute '" + attribute + "'";
  return false;
}

PvValue get_ulc(MessageContext& context, const PvSpec& spec) {
  std::string profile, attribute;
  split_name(spec.argument, profile, attribute);
  auto it = profiles().find(profile);
  if (it == profiles().end()) return PvValue::null();
  const FetchedContacts& fetched = it->second;
  if (attribute == "aor") return text_value(context, fetched.aor);
  if (attribute == "domain") return text_value(context, fetched.domain);
  if (attribute == "aorhash") return number_value(context, usrloc::aor_hash(fetched.aor));
  if (attribute == "count") return number_value(context, static_cast<long long>(fetched.bindings.size()));
  long long index = spec.has_index ? spec.index : 0;
  if (index < 0) index += static_cast<long long>(fetched.bindings.size());
  if (index < 0 || index >= static_cast<long long>(fetched.bindings.size())) return PvValue::null();
  const usrloc::Binding& b = fetched.bindings[static_cast<std::size_t>(index)];
  if (attribute == "addr") return text_value(context, b.contact);
  if (attribute == "path") return b.path.empty() ? PvValue::null() : text_value(context, b.path);
  if (attribute == "received") return b.received.empty() ? PvValue::null() : text_value(context, b.received);
  if (attribute == "expires") return number_value(context, b.expires);
  if (attribute == "callid") return text_value(context, b.call_id);
  if (attribute == "q") return number_value(context, b.q);
  if (attribute == "cseq") return number_value(context, b.cseq);
  if (attribute == "flags") return number_value(context, b.flags);
  if (attribute == "cflags") return number_value(context, b.cflags);
  if (attribute == "user_agent") return text_value(context, b.user_agent);
  if (attribute == "socket") return b.socket.empty() ? PvValue::null() : text_value(context, b.socket);
  if (attribute == "modified") return number_value(context, b.last_modified);
  if (attribute == "methods") return number_value(context, static_cast<long long>(b.methods));
  if (attribute == "ruid") return text_value(context, b.ruid);
  if (attribute == "reg_id") return number_value(context, b.reg_id);
  if (attribute == "instance") return b.instance.empty() ? PvValue::null() : text_value(context, b.instance);
  return PvValue::null();
}

// Kamailio's codes: 1 fetched, -1 the AoR has no bindings or the URI is not one.
int reg_fetch_contacts_body(MessageContext& context, const FunctionCall& call) {
  usrloc::LocationService& service = *usrloc::usrloc_of(context.runtime);
  RegistrarSettings settings = effective_settings(context, service);
  RegError error = RegError::Fine;
  std::string uri = arg_text(context, call, 1);
  auto aor = extract_aor(uri, settings, error);
  const std::string& profile = call.args[2].written;
  profiles().erase(profile);
  if (!aor) return KAMC_RT_FALSE;
  auto record = fetch_record(context, service, call.args[0].written, *aor);
  if (!record || !*record || (*record)->bindings.empty()) return KAMC_RT_FALSE;
  FetchedContacts fetched;
  fetched.aor = *aor;
  if (std::size_t at = aor->find('@'); at != std::string::npos) fetched.domain = aor->substr(at + 1);
  fetched.bindings = std::move((**record).bindings);
  profiles()[profile] = std::move(fetched);
  return KAMC_RT_TRUE;
}

int reg_free_contacts_body(MessageContext&, const FunctionCall& call) {
  profiles().erase(call.args[0].written);
  return KAMC_RT_TRUE;
}

}  // namespace kamc::runtime::registrar
