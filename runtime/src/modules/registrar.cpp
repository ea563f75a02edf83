// registrar: save(), lookup() and friends over usrloc (Kamailio's registrar module).
// The rules live in registrar_logic.*; this file reads parameters, talks to usrloc
// (suspending the message while the database works, db_mode 1 and 3), sends the
// replies and fills the destination set.
#include <array>
#include <ctime>
#include <map>

#include "../core/module.h"
#include "../core/proxy.h"
#include "../core/suspension.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/message_context.h"
#include "kamc/runtime/runtime.h"
#include "registrar_logic.h"
#include "tm_state.h"
#include "tm_transaction.h"
#include "usrloc.h"

namespace kamc::runtime {

extern const ModuleExports kRegistrarModule;

namespace registrar {

namespace {

using usrloc::Binding;
using usrloc::DbMode;
using usrloc::Record;

std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

const RegistrarSettings& settings_of(const MessageContext& context) {
  static const std::size_t index = module_index(kRegistrarModule);
  return context.runtime.module(index).state_as<RegistrarSettings>();
}

}  // namespace

// registrar_contacts.cpp
bool fixup_ulc(PvSpec& spec, VarSlots& vars, std::string& error);
PvValue get_ulc(MessageContext& context, const PvSpec& spec);
int reg_fetch_contacts_body(MessageContext& context, const FunctionCall& call);
int reg_free_contacts_body(MessageContext& context, const FunctionCall& call);

// usrloc's settings the registrar copies (use_domain, nat_bflag).
RegistrarSettings effective_settings(const MessageContext& context, const usrloc::LocationService& service) {
  RegistrarSettings settings = settings_of(context);
  settings.use_domain = service.settings().use_domain;
  settings.nat_bflag = service.settings().nat_bflag;
  return settings;
}

// The record of `aor`, from memory or (db_mode 3) from the database off the worker.
// Outer nullopt: a database error.
std::optional<std::optional<Record>> fetch_record(MessageContext& context, usrloc::LocationService& service,
                                                 const std::string& table, const std::string& aor) {
  if (service.settings().db_mode == DbMode::DbOnly) {
    auto result = std::make_shared<std::optional<std::optional<Record>>>();
    usrloc::LocationService* shared = &service;
    await_background(context, [result, shared, table, aor] {
      std::string error;
      *result = shared->get_from_db(table, aor, error);
      if (!*result) log_format(L_ERR, "registrar: database: %s", error.c_str());
    }, std::chrono::milliseconds(0));
    return *result;
  }
  std::string error;
  usrloc::Domain* domain = service.domain(table, error);
  if (!domain) return std::nullopt;
  return domain->get(aor);
}

namespace {

bool init_registrar(ModuleInstance& module, std::string& error) {
  RegistrarSettings settings;
  settings.default_expires = module.param_number("default_expires");
  settings.min_expires = module.param_number("min_expires");
  settings.max_expires = module.param_number("max_expires");
  settings.max_contacts = module.param_number("max_contacts");
  settings.default_q = static_cast<int>(module.param_number("default_q"));
  settings.append_branches = module.param_number("append_branches") != 0;
  settings.case_sensitive = module.param_number("case_sensitive") != 0;
  settings.realm_prefix = module.param_text("realm_prefix");
  settings.use_path = module.param_number("use_path") != 0;
  settings.path_mode = static_cast<int>(module.param_number("path_mode"));
  settings.path_use_received = module.param_number("path_use_received") != 0;
  settings.received_param = module.param_text("received_param");
  settings.min_expires_mode = module.param_number("min_expires_mode") != 0;
  settings.method_filtering = module.param_number("method_filtering") != 0;
  settings.retry_after = module.param_number("retry_after");
  if (settings.path_mode < 0 || settings.path_mode > 2) {
    error = "registrar: path_mode " + std::to_string(settings.path_mode) + " is not 0..2";
    return false;
  }
  if (settings.default_q != usrloc::kQUnspecified && (settings.default_q < 0 || settings.default_q > 1000)) {
    error = "registrar: default_q " + std::to_string(settings.default_q) + " is not -1 or 0..1000";
    return false;
  }
  module.state = std::make_shared<RegistrarSettings>(std::move(settings));
  return true;
}


// The table argument: usrloc's domain, made (and loaded) at start-up.
bool fixup_table(FunctionCall& call, std::string& error) {
  usrloc::LocationService* service = usrloc::usrloc_of(*call.runtime);
  if (!service) {
    error = std::string(call.entry->name) + "(): the usrloc module is not loaded (loadmodule \"usrloc.so\")";
    return false;
  }
  const std::string& table = call.args[0].written;
  if (!service->domain(table, error)) return false;
  DbMode mode = service->settings().db_mode;
  if (mode == DbMode::WriteThrough || mode == DbMode::DbOnly) call.runtime->set_routes_may_suspend();
  return true;
}

// OpenSIPS' save() flags ("p2v"): p0/p1/p2 path off/lazy/strict, v use received, m
// memory only, r no reply. Kept so that such configs run; cfgcheck warns
// (kamc-opensips-syntax). prepared_texts[0] is "opensips" when they were given.
bool parse_opensips_flags(std::string_view text, FunctionCall& call, std::string& error) {
  long long flags = 0;
  std::string path_mode = "";
  std::string use_received = "0";
  for (std::size_t i = 0; i < text.size(); ++i) {
    switch (text[i]) {
      case 'm': flags |= kSaveMemoryOnly; break;
      case 'r': flags |= kSaveNoReply; break;
      case 'v': use_received = "1"; break;
      case 'p':
        if (i + 1 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '2') {
          path_mode = std::string(1, text[++i]);
          break;
        }
        [[fallthrough]];
      default:
        error = "save(): flags '" + std::string(text) + "' are neither a number nor OpenSIPS flags (m, r, p0-p2, v)";
        return false;
    }
  }
  call.prepared_number = flags;
  call.prepared_texts = {"opensips", path_mode, use_received};
  return true;
}

bool fixup_save(FunctionCall& call, std::string& error) {
  if (!fixup_table(call, error)) return false;
  if (call.args.size() < 2 || call.args[1].is_int || !call.args[1].format.is_constant()) return true;
  std::string text(call.args[1].format.constant_text());
  bool numeric = !text.empty() && text.find_first_not_of("0123456789xXabcdefABCDEF") == std::string::npos &&
                 (std::isdigit(static_cast<unsigned char>(text[0])));
  if (numeric) return true;
  return parse_opensips_flags(text, call, error);
}

unsigned save_flags(MessageContext& context, const FunctionCall& call) {
  if (call.args.size() < 2) return 0;
  if (!call.prepared_texts.empty()) return static_cast<unsigned>(call.prepared_number);
  return static_cast<unsigned>(arg_int(context, call, 1).value_or(0));
}

// Sends through tm when the request has a transaction, as Kamailio's sl freply does.
void send_registrar_reply(MessageContext& context, int code, std::string_view headers) {
  context.reply_headers += headers;
  std::string_view reason = reply_reason(code);
  if (transaction_of(context)) {
    tm::reply_in_transaction(context, code, reason);
  } else {
    send_local_reply(context, code, reason);
  }
}

// Kamailio's reg_send_reply(): Contact list, Path echo or 420, error details.
void reply_to_register(MessageContext& context, const RegistrarSettings& settings, const RegisterRequest& request,
                       RegError error, const std::vector<Binding>& current) {
  std::string headers = contact_header(current, settings, now_seconds());
  if (error == RegError::Fine && settings.use_path && !request.path.empty() && settings.path_mode != 0) {
    std::string path_line = "Path: " + request.path + "\r\n";
    if (request.supports_path) {
      headers += path_line;
    } else if (settings.path_mode == 2) {
      error = RegError::PathUnsupported;
      headers += "Unsupported: path\r\n" + path_line;
    }
  }
  int code = reply_code(error);
  if (code != 200) {
    headers += "P-Registrar-Error: " + std::string(error_text(error)) + "\r\n";
    if (code >= 500 && settings.retry_after > 0) headers += "Retry-After: " + std::to_string(settings.retry_after) + "\r\n";
  }
  if (error == RegError::LowExpires) headers += "Min-Expires: " + std::to_string(settings.min_expires) + "\r\n";
  send_registrar_reply(context, code, headers);
}

// One record edit as db_mode wants it: in the database off the worker (3), or in
// memory and then committed before this returns (1) or queued for the timer (2).
// `edit` may run on a background thread, so what it touches must be shared. false
// when the database failed.
bool edit_record(MessageContext& context, usrloc::LocationService& service, const std::string& table,
                 const std::string& aor, const std::function<void(Record&)>& edit, bool memory_only) {
  DbMode mode = service.settings().db_mode;
  usrloc::LocationService* shared = &service;
  if (mode == DbMode::DbOnly) {
    auto ok = std::make_shared<bool>(false);
    await_background(context, [shared, table, aor, edit, ok] {
      std::string error;
      *ok = shared->edit_in_db(table, aor, edit, error).has_value();
      if (!*ok) log_format(L_ERR, "registrar: database: %s", error.c_str());
    }, std::chrono::milliseconds(0));
    return *ok;
  }
  std::string error;
  usrloc::Domain* domain = service.domain(table, error);
  if (!domain) return false;
  usrloc::Change change = domain->edit(aor, edit);
  if (change.empty() || memory_only) return true;
  if (mode == DbMode::WriteBack) {
    service.write_back(table, std::move(change));
  } else if (mode == DbMode::WriteThrough) {
    auto committed = std::make_shared<bool>(false);
    await_completion(context, [shared, table, change = std::move(change), committed](std::function<void()> done) mutable {
      return shared->write_through(table, std::move(change), [committed, done = std::move(done)](bool ok) {
        *committed = ok;
        done();
      });
    }, std::chrono::milliseconds(0));
    return *committed;
  }
  return true;
}

// What save() shares with the edit, which may run on another thread (db_mode 3).
struct SaveJob {
  RegisterRequest request;
  RegistrarSettings settings;
  usrloc::Settings location;
  unsigned flags = 0;
  SaveResult result;
};

int save_body(MessageContext& context, const FunctionCall& call) {
  if (!context.message.is_request()) {
    log_message(L_ERR, "save(): saving from a reply is not supported by kamc yet");
    return KAMC_RT_FALSE;
  }
  usrloc::LocationService& service = *usrloc::usrloc_of(context.runtime);
  auto job = std::make_shared<SaveJob>();
  job->settings = effective_settings(context, service);
  job->location = service.settings();
  job->flags = save_flags(context, call);
  if (!call.prepared_texts.empty()) {  // OpenSIPS flags
    if (!call.prepared_texts[1].empty()) {
      job->settings.use_path = true;
      job->settings.path_mode = call.prepared_texts[1][0] - '0';
    }
    if (call.prepared_texts[2] == "1") job->settings.path_use_received = true;
  }
  RegError error = read_register(context, job->settings, job->request);
  if (error == RegError::Fine && call.args.size() > 2) {
    auto aor = extract_aor(arg_text(context, call, 2), job->settings, error);
    if (aor) job->request.aor = *aor;
  }
  if (error == RegError::Fine) {
    std::int64_t now = now_seconds();
    auto edit = [job, now](Record& record) {
      job->result = apply_register(record, job->request, job->settings, job->location, job->flags, now);
    };
    // The 200 goes out only once the change is committed (db_mode 1).
    bool stored = edit_record(context, service, call.args[0].written, job->request.aor, edit,
                              (job->flags & kSaveMemoryOnly) != 0);
    error = stored ? job->result.error : RegError::InsertContact;
  }
  bool replies = !(job->flags & kSaveNoReply) && (context.route_type == KAMC_RT_REQUEST_ROUTE ||
                                                  (error == RegError::Fine && context.route_type == KAMC_RT_FAILURE_ROUTE));
  if (replies) reply_to_register(context, job->settings, job->request, error, job->result.current);
  if (error == RegError::Fine) return job->result.code;
  return error == RegError::TooMany ? -2 : KAMC_RT_FALSE;
}


// $du for a binding: the first Path hop, else the received address.
std::optional<std::string> binding_destination(const Binding& binding) {
  if (!binding.path.empty()) return first_route_uri(binding.path);
  if (!binding.received.empty()) return binding.received;
  return std::nullopt;
}

// The bindings lookup() may use: the unexpired ones, in lookup order. (Kamailio's
// method filtering, its -2, needs stored methods, which kamc does not keep yet.)
std::vector<Binding> valid_bindings(const Record& record) {
  std::int64_t now = now_seconds();
  std::vector<Binding> valid;
  for (const Binding& binding : record.bindings) {
    if (binding.valid_at(now)) valid.push_back(binding);
  }
  return valid;
}

// Kamailio's lookup() codes: 1 found, -1 no contact, -2 method not allowed, -3 error.
int lookup_uri(MessageContext& context, const std::string& table, std::string_view uri, bool to_dset) {
  usrloc::LocationService& service = *usrloc::usrloc_of(context.runtime);
  RegistrarSettings settings = effective_settings(context, service);
  RegError error = RegError::Fine;
  auto aor = extract_aor(uri, settings, error);
  if (!aor) return -3;
  auto record = fetch_record(context, service, table, *aor);
  if (!record) return -3;
  if (!*record) return -1;
  std::vector<Binding> usable = valid_bindings(**record);
  if (usable.empty()) return -1;
  std::size_t first_branch = 0;
  if (!to_dset) {
    const Binding& best = usable.front();
    context.new_request_uri = best.contact;
    context.path_vector = best.path;
    if (auto destination = binding_destination(best)) context.destination_uri = *destination;
    context.branch_flags = best.cflags;
    first_branch = 1;
    if (!settings.append_branches) return 1;
  }
  for (std::size_t i = first_branch; i < usable.size(); ++i) {
    DestinationBranch branch;
    branch.uri = usable[i].contact;
    branch.destination = binding_destination(usable[i]);
    branch.path = usable[i].path;
    branch.q = usable[i].q;
    branch.branch_flags = usable[i].cflags;
    context.destination_set.push_back(std::move(branch));
  }
  return 1;
}

int lookup_body(MessageContext& context, const FunctionCall& call) {
  std::string uri = call.args.size() > 1 ? arg_text(context, call, 1) : std::string(context.request_uri());
  return lookup_uri(context, call.args[0].written, uri, false);
}

int lookup_to_dset_body(MessageContext& context, const FunctionCall& call) {
  std::string uri = call.args.size() > 1 ? arg_text(context, call, 1) : std::string(context.request_uri());
  return lookup_uri(context, call.args[0].written, uri, true);
}

// lookup() on the R-URI, then on each branch that is only a URI (no $du, no path).
int lookup_branches_body(MessageContext& context, const FunctionCall& call) {
  const std::string& table = call.args[0].written;
  std::vector<DestinationBranch> branches;
  branches.swap(context.destination_set);
  int result = lookup_uri(context, table, std::string(context.request_uri()), false);
  for (DestinationBranch& branch : branches) {
    if (branch.destination || !branch.path.empty()) {
      context.destination_set.push_back(std::move(branch));
      continue;
    }
    if (lookup_uri(context, table, branch.uri, true) > 0) result = 1;
  }
  return result;
}

int registered_body(MessageContext& context, const FunctionCall& call) {
  usrloc::LocationService& service = *usrloc::usrloc_of(context.runtime);
  RegistrarSettings settings = effective_settings(context, service);
  std::string uri = call.args.size() > 1 ? arg_text(context, call, 1) : std::string(context.request_uri());
  RegError error = RegError::Fine;
  auto aor = extract_aor(uri, settings, error);
  if (!aor) return KAMC_RT_FALSE;
  auto record = fetch_record(context, service, call.args[0].written, *aor);
  if (!record || !*record) return KAMC_RT_FALSE;
  std::int64_t now = now_seconds();
  for (const Binding& binding : (*record)->bindings) {
    if (binding.valid_at(now)) return KAMC_RT_TRUE;
  }
  return KAMC_RT_FALSE;
}

// Kamailio's codes: 1 done, -1 bad AoR, -2 error, -3 the ruid was not found.
int unregister_body(MessageContext& context, const FunctionCall& call) {
  usrloc::LocationService& service = *usrloc::usrloc_of(context.runtime);
  RegistrarSettings settings = effective_settings(context, service);
  RegError error = RegError::Fine;
  auto aor = extract_aor(arg_text(context, call, 1), settings, error);
  if (!aor) return -1;
  std::string ruid = call.args.size() > 2 ? arg_text(context, call, 2) : std::string();
  auto found = std::make_shared<bool>(ruid.empty());
  auto edit = [ruid, found](Record& record) {
    if (ruid.empty()) {
      record.bindings.clear();
      return;
    }
    auto removed = std::erase_if(record.bindings, [&](const Binding& b) { return b.ruid == ruid; });
    *found = removed > 0;
  };
  if (!edit_record(context, service, call.args[0].written, *aor, edit, false)) return -2;
  return *found ? 1 : -3;
}

constexpr std::array<FunctionExport, 8> kFunctions{{
    {"reg_fetch_contacts", reg_fetch_contacts_body, fixup_table},
    {"reg_free_contacts", reg_free_contacts_body},
    {"save", save_body, fixup_save},
    {"lookup", lookup_body, fixup_table},
    {"lookup_to_dset", lookup_to_dset_body, fixup_table},
    {"lookup_branches", lookup_branches_body, fixup_table},
    {"registered", registered_body, fixup_table},
    {"unregister", unregister_body, fixup_table},
}};

// Kamailio 5.6's defaults (registrar.c, config.c).
constexpr std::array<ParamExport, 15> kParams{{
    {"default_expires", 3600},
    {"min_expires", 60},
    {"max_expires", 0},
    {"max_contacts", 0},
    {"default_q", -1},
    {"append_branches", 1},
    {"case_sensitive", 0},
    {"realm_prefix", 0, ""},
    {"use_path", 0},
    {"path_mode", 2},
    {"path_use_received", 0},
    {"received_param", 0, "received"},
    {"min_expires_mode", 0},
    {"method_filtering", 0},
    {"retry_after", 0},
}};

constexpr std::array<PvExport, 1> kPseudoVariables{{
    {"ulc", get_ulc, nullptr, fixup_ulc},
}};

}  // namespace

}  // namespace registrar

extern const ModuleExports kRegistrarModule{
    .name = "registrar",
    .functions = registrar::kFunctions,
    .params = registrar::kParams,
    .pseudo_variables = registrar::kPseudoVariables,
    .init = registrar::init_registrar,
};

}  // namespace kamc::runtime
