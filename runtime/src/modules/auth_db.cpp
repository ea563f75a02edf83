// auth_db: passwords from Kamailio's `subscriber` table (Kamailio's auth_db module). The
// digest work is auth's (auth_api.h); this file finds H(A1). Every query runs on the
// runtime's background threads with a pooled connection while the message is
// suspended, so a slow or dead database never holds a SIP worker.
#include <chrono>

#include "../core/module.h"
#include "../core/suspension.h"
#include "../db/db_pool.h"
#include "auth_api.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/message_context.h"
#include "kamc/runtime/pseudo_variables.h"
#include "kamc/runtime/runtime.h"

namespace kamc::runtime {

extern const ModuleExports kAuthDbModule;

namespace auth_db {

namespace {

using auth::kAuthError;
using auth::kAuthOk;
using auth::kAuthUserUnknown;

// The subscriber table's version in Kamailio 5.6's schema (auth_db-create.sql).
constexpr int kSubscriberTableVersion = 7;
// A query that has not answered by then fails the function (its late answer is dropped).
constexpr std::chrono::seconds kQueryTimeout{10};
// is_subscriber flags (Kamailio's AUTH_DB_SUBS_USE_DOMAIN, AUTH_DB_SUBS_SKIP_CREDENTIALS).
constexpr long long kSubscriberUseDomain = 1;
constexpr long long kSubscriberSkipCredentials = 2;
constexpr long long kCheckIdentity = 1;
constexpr long long kCheckSkipForwarded = 2;

// One load_credentials entry: a column copied into a writable pseudo-variable.
struct CredentialColumn {
  std::string column;
  const PvSpec* destination = nullptr;
};

struct AuthDbService {
  std::string user_column;
  std::string domain_column;
  std::string password_column;
  std::string password_column_2;
  bool calculate_ha1 = false;
  bool use_domain = false;
  bool force_generate_avps = false;
  bool check_version = true;
  std::vector<CredentialColumn> credentials;
  std::shared_ptr<db::DbPool> pool;
};

const AuthDbService& service_of(const Runtime& runtime) {
  static const std::size_t index = module_index(kAuthDbModule);
  return runtime.module(index).state_as<AuthDbService>();
}

std::string trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return std::string(text);
}

// Kamailio's parse_aaa_pvs: "column" (into $avp(column)) or "$pv=column", ';'
// separated; the pseudo-variable must be writable.
bool parse_load_credentials(Runtime& runtime, std::string_view list, std::vector<CredentialColumn>& out,
                            std::string& error) {
  while (!list.empty()) {
    std::size_t end = list.find(';');
    std::string_view item = list.substr(0, end);
    list = end == std::string_view::npos ? std::string_view{} : list.substr(end + 1);
    if (trim(item).empty() && list.empty()) break;
    CredentialColumn entry;
    std::string pv;
    std::size_t equals = item.rfind('=');
    if (equals == std::string_view::npos) {
      entry.column = trim(item);
      pv = "$avp(" + entry.column + ")";
    } else {
      entry.column = trim(item.substr(equals + 1));
      pv = trim(item.substr(0, equals));
    }
    if (!db::valid_identifier(entry.column)) {
      error = "load_credentials: '" + entry.column + "' is not a column name";
      return false;
    }
    entry.destination = runtime.fixup_pv(pv, error);
    if (!entry.destination) {
      error = "load_credentials: " + error;
      return false;
    }
    if (!entry.destination->pv->set) {
      error = "load_credentials: " + pv + " is not writable";
      return false;
    }
    out.push_back(std::move(entry));
  }
  return true;
}

bool init_auth_db(ModuleInstance& module, std::string& error) {
  auto service = std::make_shared<AuthDbService>();
  service->user_column = module.param_text("user_column");
  service->domain_column = module.param_text("domain_column");
  service->password_column = module.param_text("password_column");
  service->password_column_2 = module.param_text("password_column_2");
  service->calculate_ha1 = module.param_number("calculate_ha1") != 0;
  service->use_domain = module.param_number("use_domain") != 0;
  service->force_generate_avps = module.param_number("force_generate_avps") != 0;
  service->check_version = module.param_number("version_table") != 0;
  for (const std::string* column : {&service->user_column, &service->domain_column, &service->password_column,
                                    &service->password_column_2}) {
    if (!db::valid_identifier(*column)) {
      error = "'" + *column + "' is not a column name";
      return false;
    }
  }
  if (!parse_load_credentials(module.runtime(), module.param_text("load_credentials"), service->credentials, error)) {
    return false;
  }
  service->pool = std::make_shared<db::DbPool>(module.param_text("db_url"));
  if (module.loaded && !auth::auth_loaded(module.runtime())) {
    error = "the auth module is not loaded (loadmodule \"auth.so\" before auth_db)";
    return false;
  }
  module.state = std::move(service);
  return true;
}

// The subscriber row of one user, looked up on a background thread.
struct SubscriberQuery {
  std::string sql;
  std::vector<db::DbValue> params;
  // Filled by the query:
  bool succeeded = false;
  std::optional<db::DbRow> row;
};

// Runs the query off the worker; false (logged) when the database failed or timed out.
bool run_query(MessageContext& context, const std::shared_ptr<db::DbPool>& pool,
               const std::shared_ptr<SubscriberQuery>& query) {
  AwaitResult waited = await_background(context, [pool, query] {
    std::string error;
    db::DbPool::Lease lease = pool->acquire(error);
    std::vector<db::DbRow> rows;
    if (!lease || !lease->query(query->sql, query->params, rows, error)) {
      if (lease) lease.discard();
      log_format(L_ERR, "auth_db: database: %s", error.c_str());
      return;
    }
    if (!rows.empty()) query->row = std::move(rows.front());
    query->succeeded = true;
  }, kQueryTimeout);
  if (waited == AwaitResult::TimedOut) {
    log_message(L_ERR, "auth_db: the database did not answer in time");
    return false;
  }
  return query->succeeded;
}

std::shared_ptr<SubscriberQuery> subscriber_query(const AuthDbService& service, const std::string& table,
                                                  const std::vector<std::string>& columns, std::string_view user,
                                                  std::optional<std::string_view> domain) {
  auto query = std::make_shared<SubscriberQuery>();
  query->sql = "SELECT ";
  for (std::size_t i = 0; i < columns.size(); ++i) query->sql += (i ? ", " : "") + columns[i];
  query->sql += " FROM " + table + " WHERE " + service.user_column + "=?";
  query->params.emplace_back(std::string(user));
  if (domain) {
    query->sql += " AND " + service.domain_column + "=?";
    query->params.emplace_back(std::string(*domain));
  }
  return query;
}

// load_credentials: cells from `first` on, in the order of service.credentials. A NULL
// cell sets nothing.
void store_credentials(MessageContext& context, const AuthDbService& service, const db::DbRow& row, std::size_t first) {
  for (std::size_t i = 0; i < service.credentials.size() && first + i < row.size(); ++i) {
    const db::DbValue& cell = row[first + i];
    if (db::is_null(cell)) continue;
    std::string text = db::as_text(cell);
    PvValue value = std::holds_alternative<std::int64_t>(cell)
                        ? PvValue::integer(std::get<std::int64_t>(cell), text)
                        : PvValue::string(text);
    set_pv(context, *service.credentials[i].destination, value);
  }
}

std::vector<std::string> credential_columns(const AuthDbService& service) {
  std::vector<std::string> columns;
  for (const CredentialColumn& credential : service.credentials) columns.push_back(credential.column);
  return columns;
}

// Kamailio's digest_authenticate: pre_auth, the subscriber's H(A1), the response.
int digest_authenticate(MessageContext& context, std::string_view realm, const std::string& table,
                        sip::HeaderKind kind, std::string_view method) {
  const AuthDbService& service = service_of(context.runtime);
  auth::PendingAuth pending = auth::pre_authorize(context, realm, kind);
  if (pending.result != auth::PreAuth::DoAuthentication) return auth::code_for(pending.result);
  const digest::Credentials& credentials = pending.credentials;
  std::string_view user_domain = credentials.domain();
  // A username with a domain is matched against ha1b, the H(A1) over "user@domain".
  std::vector<std::string> columns{(!user_domain.empty() && !service.calculate_ha1) ? service.password_column_2
                                                                                   : service.password_column};
  for (std::string& column : credential_columns(service)) columns.push_back(std::move(column));
  std::optional<std::string_view> domain;
  if (service.use_domain) domain = user_domain.empty() ? std::string_view(pending.realm) : user_domain;
  auto query = subscriber_query(service, table, columns, credentials.user(), domain);
  if (!run_query(context, service.pool, query)) return kAuthError;
  if (!query->row) return kAuthUserUnknown;
  const db::DbRow& row = *query->row;
  std::string password = row.empty() ? std::string() : db::as_text(row[0]);
  std::string ha1 = service.calculate_ha1 ? auth::calculate_ha1(auth::auth_algorithm(context.runtime),
                                                                 digest::text_of(credentials.username), pending.realm,
                                                                 password)
                                          : password;
  if (service.force_generate_avps) store_credentials(context, service, row, 1);
  int code = auth::finish_authorization(context, pending, ha1, method);
  if (code == kAuthOk && !service.force_generate_avps) store_credentials(context, service, row, 1);
  return code;
}

// The table argument of www_authorize/proxy_authorize: a constant, checked once
// against the version table as Kamailio's auth_fixup does.
bool fixup_table(FunctionCall& call, std::string& error) {
  const std::string& table = call.args[1].written;
  if (!db::valid_identifier(table)) {
    error = std::string(call.entry->name) + "(): '" + table + "' is not a table name";
    return false;
  }
  call.runtime->set_routes_may_suspend();
  const AuthDbService& service = service_of(*call.runtime);
  if (!service.check_version || call.runtime->config_check()) return true;
  std::unique_ptr<db::DbConnection> connection = db::connect(service.pool->url(), error);
  if (!connection) {
    error = "auth_db: unable to open database connection: " + error;
    return false;
  }
  return db::check_table_version(*connection, table, kSubscriberTableVersion, error);
}

// auth_check and is_subscriber take the table as a format string.
bool fixup_dynamic_table(FunctionCall& call, std::string& error) {
  const FixedArg& table = call.args[1];
  if (!table.is_literal && table.format.is_constant() && !db::valid_identifier(table.format.constant_text())) {
    error = std::string(call.entry->name) + "(): '" + std::string(table.format.constant_text()) +
            "' is not a table name";
    return false;
  }
  call.runtime->set_routes_may_suspend();
  return true;
}

std::optional<std::string> realm_argument(MessageContext& context, const FunctionCall& call) {
  std::string realm = arg_text(context, call, 0);
  if (realm.empty()) {
    log_format(L_ERR, "%s(): invalid realm parameter - empty value", std::string(call.entry->name).c_str());
    return std::nullopt;
  }
  return realm;
}

// www_authenticate's third argument: the method the response covers, else the request's.
int www_authorize_body(MessageContext& context, const FunctionCall& call) {
  auto realm = realm_argument(context, call);
  if (!realm) return kAuthError;
  std::string method(context.message.method());
  if (call.args.size() > 2) {
    method = arg_text(context, call, 2);
    if (method.empty()) {
      log_message(L_ERR, "www_authenticate(): invalid method parameter - empty value");
      return kAuthError;
    }
  }
  return digest_authenticate(context, *realm, call.args[1].written, sip::HeaderKind::Authorization, method);
}

int proxy_authorize_body(MessageContext& context, const FunctionCall& call) {
  auto realm = realm_argument(context, call);
  if (!realm) return kAuthError;
  return digest_authenticate(context, *realm, call.args[1].written, sip::HeaderKind::ProxyAuthorization,
                             context.message.method());
}

// The table of auth_check/is_subscriber for this message; nullopt (logged) when it is
// not a plain table name.
std::optional<std::string> table_argument(MessageContext& context, const FunctionCall& call) {
  std::string table = arg_text(context, call, 1);
  if (!db::valid_identifier(table)) {
    log_format(L_ERR, "%s(): '%s' is not a table name", std::string(call.entry->name).c_str(), table.c_str());
    return std::nullopt;
  }
  return table;
}

int auth_check_body(MessageContext& context, const FunctionCall& call) {
  if (context.message.method() == "ACK" || context.message.method() == "CANCEL") return kAuthOk;
  auto realm = realm_argument(context, call);
  auto table = table_argument(context, call);
  std::optional<long long> flags = arg_int(context, call, 2);
  if (!realm || !table || !flags) return kAuthError;
  bool is_register = context.message.method() == "REGISTER";
  sip::HeaderKind kind = is_register ? sip::HeaderKind::Authorization : sip::HeaderKind::ProxyAuthorization;
  int code = digest_authenticate(context, *realm, *table, kind, context.message.method());
  if (code != kAuthOk || !(*flags & kCheckIdentity)) return code;
  // The header digest_authenticate used (found under the realm without realm_prefix).
  const sip::HeaderField* used = digest::used_credentials_header(context);
  if (!used) return code;  // PRACK: authenticated without credentials
  digest::Credentials credentials;
  std::string error;
  if (digest::parse_credentials(used->value, credentials, error) != digest::ParseStatus::Ok) return kAuthError;
  return auth::check_identity(context, credentials.user(), service_of(context.runtime).use_domain,
                              (*flags & kCheckSkipForwarded) != 0);
}

// 1 a subscriber, -2 none, -1 error (Kamailio's is_subscriber).
int is_subscriber_body(MessageContext& context, const FunctionCall& call) {
  const AuthDbService& service = service_of(context.runtime);
  std::string uri_text = arg_text(context, call, 0);
  auto table = table_argument(context, call);
  std::optional<long long> flags = arg_int(context, call, 2);
  sip::Uri uri;
  if (uri_text.empty() || !table || !flags || !sip::parse_uri(uri_text, uri)) {
    log_message(L_ERR, "is_subscriber(): invalid uri, table or flags parameter");
    return KAMC_RT_FALSE;
  }
  bool load = !(*flags & kSubscriberSkipCredentials) && !service.credentials.empty();
  std::vector<std::string> columns = load ? credential_columns(service) : std::vector<std::string>{service.user_column};
  std::optional<std::string_view> domain;
  if ((*flags & kSubscriberUseDomain) && !uri.host.empty()) domain = uri.host;
  auto query = subscriber_query(service, *table, columns, uri.user, domain);
  if (!run_query(context, service.pool, query)) return KAMC_RT_FALSE;
  if (!query->row) return -2;
  if (load) store_credentials(context, service, *query->row, 0);
  return KAMC_RT_TRUE;
}

constexpr std::array<FunctionExport, 6> kFunctions{{
    {"www_authorize", www_authorize_body, fixup_table},
    {"www_authenticate", www_authorize_body, fixup_table},
    {"proxy_authorize", proxy_authorize_body, fixup_table},
    {"proxy_authenticate", proxy_authorize_body, fixup_table},
    {"auth_check", auth_check_body, fixup_dynamic_table},
    {"is_subscriber", is_subscriber_body, fixup_dynamic_table},
}};

// Kamailio 5.6's defaults (auth_db_mod.c; db_url is DEFAULT_RODB_URL).
constexpr std::array<ParamExport, 10> kParams{{
    {"db_url", 0, "mysql://kamailioro:kamailioro@localhost/kamailio"},
    {"user_column", 0, "username"},
    {"domain_column", 0, "domain"},
    {"password_column", 0, "ha1"},
    {"password_column_2", 0, "ha1b"},
    {"calculate_ha1", 0},
    {"use_domain", 0},
    {"load_credentials", 0, ""},
    {"version_table", 1},
    {"force_generate_avps", 0},
}};

}  // namespace

}  // namespace auth_db

extern const ModuleExports kAuthDbModule{
    .name = "auth_db",
    .functions = auth_db::kFunctions,
    .params = auth_db::kParams,
    .init = auth_db::init_auth_db,
};

}  // namespace kamc::runtime
