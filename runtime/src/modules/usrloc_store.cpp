// The SQLite location store. Column names, types and defaults are Kamailio's
// (utils/kamctl/db_sqlite/usrloc-create.sql, table version 9), so that a database
// made by `kamdbctl create` or by Kamailio's db_sqlite works unchanged, both ways.
#include "usrloc_store.h"

#include <cctype>
#include <cmath>
#include <ctime>
#include <map>

#include "../db/db_url.h"
#include "../db/sqlite_connection.h"

namespace kamc::runtime::usrloc {

namespace {

constexpr int kLocationTableVersion = 9;

// Kamailio's db_sqlite keeps DATETIME columns as Julian day numbers (REAL), as
// SQLite's julianday() does; text "YYYY-MM-DD HH:MM:SS" (other tools) is read too.
constexpr double kUnixEpochJulianDay = 2440587.5;

double julian_day(std::int64_t seconds) { return static_cast<double>(seconds) / 86400.0 + kUnixEpochJulianDay; }

std::int64_t time_column(const db::SqliteStatement& row, int column) {
  if (row.is_null(column)) return 0;
  if (!row.is_text(column)) {
    double seconds = (row.real(column) - kUnixEpochJulianDay) * 86400.0;
    return seconds <= 0 ? 0 : static_cast<std::int64_t>(std::llround(seconds));
  }
  std::string text = row.text(column);
  std::tm parts{};
  if (!strptime(text.c_str(), "%Y-%m-%d %H:%M:%S", &parts)) return 0;
  parts.tm_isdst = -1;
  std::time_t time = std::mktime(&parts);
  return time < 0 ? 0 : static_cast<std::int64_t>(time);
}

bool valid_table_name(const std::string& table) {
  if (table.empty() || table.size() > 64) return false;
  for (char c : table) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

std::string create_location_sql(const std::string& table) {
  return "CREATE TABLE " + table +
         " (\n"
         "    id INTEGER PRIMARY KEY NOT NULL,\n"
         "    ruid VARCHAR(64) DEFAULT '' NOT NULL,\n"
         "    username VARCHAR(64) DEFAULT '' NOT NULL,\n"
         "    domain VARCHAR(64) DEFAULT NULL,\n"
         "    contact VARCHAR(512) DEFAULT '' NOT NULL,\n"
         "    received VARCHAR(128) DEFAULT NULL,\n"
         "    path VARCHAR(512) DEFAULT NULL,\n"
         "    expires TIMESTAMP WITHOUT TIME ZONE DEFAULT '2030-05-28 21:32:15' NOT NULL,\n"
         "    q REAL DEFAULT 1.0 NOT NULL,\n"
         "    callid VARCHAR(255) DEFAULT 'Default-Call-ID' NOT NULL,\n"
         "    cseq INTEGER DEFAULT 1 NOT NULL,\n"
         "    last_modified TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL,\n"
         "    flags INTEGER DEFAULT 0 NOT NULL,\n"
         "    cflags INTEGER DEFAULT 0 NOT NULL,\n"
         "    user_agent VARCHAR(255) DEFAULT '' NOT NULL,\n"
         "    socket VARCHAR(64) DEFAULT NULL,\n"
         "    methods INTEGER DEFAULT NULL,\n"
         "    instance VARCHAR(255) DEFAULT NULL,\n"
         "    reg_id INTEGER DEFAULT 0 NOT NULL,\n"
         "    server_id INTEGER DEFAULT 0 NOT NULL,\n"
         "    connection_id INTEGER DEFAULT 0 NOT NULL,\n"
         "    keepalive INTEGER DEFAULT 0 NOT NULL,\n"
         "    partition INTEGER DEFAULT 0 NOT NULL,\n"
         "    CONSTRAINT " + table + "_ruid_idx UNIQUE (ruid)\n"
         ");\n"
         "CREATE INDEX " + table + "_account_contact_idx ON " + table + " (username, domain, contact);\n"
         "CREATE INDEX " + table + "_expires_idx ON " + table + " (expires);\n"
         "CREATE INDEX " + table + "_tcpcon_idx ON " + table + " (connection_id);\n"
         "CREATE INDEX " + table + "_connection_idx ON " + table + " (server_id, connection_id);\n"
         "INSERT INTO version (table_name, table_version) values ('" + table + "','" +
         std::to_string(kLocationTableVersion) + "');\n";
}

constexpr const char* kCreateVersionSql =
    "CREATE TABLE version (\n"
    "    id INTEGER PRIMARY KEY NOT NULL,\n"
    "    table_name VARCHAR(32) NOT NULL,\n"
    "    table_version INTEGER DEFAULT 0 NOT NULL,\n"
    "    CONSTRAINT version_table_name_idx UNIQUE (table_name)\n"
    ");\n"
    "INSERT INTO version (table_name, table_version) values ('version','1');\n";

constexpr const char* kColumns =
    "ruid, username, domain, contact, received, path, expires, q, callid, cseq, last_modified, flags, cflags, "
    "user_agent, socket, methods, instance, reg_id";

// AoR "user@domain" to the username and domain columns (domain NULL without use_domain).
std::pair<std::string, std::optional<std::string>> split_aor(const std::string& aor, bool use_domain) {
  if (!use_domain) return {aor, std::nullopt};
  std::size_t at = aor.find('@');
  if (at == std::string::npos) return {"", aor};
  return {aor.substr(0, at), aor.substr(at + 1)};
}

std::optional<std::string> null_if_empty(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

Binding binding_from_row(const db::SqliteStatement& row) {
  Binding binding;
  binding.ruid = row.text(0);
  binding.contact = row.text(3);
  binding.received = row.text(4);
  binding.path = row.text(5);
  binding.expires = time_column(row, 6);
  binding.q = static_cast<int>(std::lround(row.real(7) * 1000.0));  // -1.0: unspecified
  if (binding.q < 0) binding.q = kQUnspecified;
  binding.call_id = row.text(8);
  binding.cseq = static_cast<std::uint32_t>(row.integer(9));
  binding.last_modified = time_column(row, 10);
  binding.flags = static_cast<std::uint32_t>(row.integer(11));
  binding.cflags = static_cast<std::uint32_t>(row.integer(12));
  binding.user_agent = row.text(13);
  binding.socket = row.text(14);
  binding.methods = row.is_null(15) ? kAllMethods : static_cast<std::uint32_t>(row.integer(15));
  binding.instance = row.text(16);
  binding.reg_id = static_cast<std::uint32_t>(row.integer(17));
  return binding;
}

std::string aor_of_row(const db::SqliteStatement& row, bool use_domain) {
  std::string user = row.text(1);
  if (!use_domain || row.is_null(2)) return user;
  std::string domain = row.text(2);
  return user.empty() ? domain : user + "@" + domain;
}

class SqliteLocationStore final : public LocationStore {
 public:
  bool open(const std::string& path, std::string& error) { return connection_.open(path, error); }

  bool prepare_table(const std::string& table, std::string& error) override {
    if (!valid_table_name(table)) {
      error = "invalid location table name '" + table + "'";
      return false;
    }
    if (!connection_.table_exists("version") && !connection_.exec(kCreateVersionSql, error)) return false;
    if (!connection_.table_exists(table)) {
      if (!connection_.exec("BEGIN", error)) return false;
      if (!connection_.exec(create_location_sql(table), error)) {
        std::string ignored;
        connection_.exec("ROLLBACK", ignored);
        return false;
      }
      return connection_.exec("COMMIT", error);
    }
    db::SqliteStatement version =
        connection_.prepare("SELECT table_version FROM version WHERE table_name=?", error);
    if (!version) return false;
    version.bind(1, std::string_view(table));
    if (!version.step()) {
      error = "table '" + table + "' has no row in the version table";
      return false;
    }
    if (version.integer(0) != kLocationTableVersion) {
      // Kamailio's db_check_table_version() message.
      error = "invalid table version " + std::to_string(version.integer(0)) + " for table '" + table +
              "' (expected " + std::to_string(kLocationTableVersion) + ", use kamdbctl reinit)";
      return false;
    }
    return true;
  }

  bool load(const std::string& table, bool use_domain, std::vector<Record>& out, std::string& error) override {
    db::SqliteStatement query =
        connection_.prepare("SELECT " + std::string(kColumns) + " FROM " + table + " ORDER BY id", error);
    if (!query) return false;
    std::map<std::string, std::size_t> index;
    while (query.step()) {
      std::string aor = aor_of_row(query, use_domain);
      auto [it, inserted] = index.emplace(aor, out.size());
      if (inserted) out.push_back(Record{aor, {}});
      out[it->second].bindings.push_back(binding_from_row(query));
    }
    if (query.failed()) error = query.error();
    return !query.failed();
  }

  bool load_one(const std::string& table, bool use_domain, const std::string& aor, Record& out,
                std::string& error) override {
    auto [user, domain] = split_aor(aor, use_domain);
    std::string sql = "SELECT " + std::string(kColumns) + " FROM " + table +
                      (domain ? " WHERE username=? AND domain=? ORDER BY id" : " WHERE username=? ORDER BY id");
    db::SqliteStatement query = connection_.prepare(sql, error);
    if (!query) return false;
    query.bind(1, std::string_view(user));
    if (domain) query.bind(2, std::string_view(*domain));
    out.aor = aor;
    out.bindings.clear();
    while (query.step()) out.bindings.push_back(binding_from_row(query));
    if (query.failed()) error = query.error();
    return !query.failed();
  }

  bool apply(const std::string& table, bool use_domain, const std::vector<const Change*>& changes,
             std::string& error) override {
    if (!connection_.exec("BEGIN", error)) return false;
    bool ok = apply_all(table, use_domain, changes, error);
    std::string ignored;
    if (!ok) {
      connection_.exec("ROLLBACK", ignored);
      return false;
    }
    return connection_.exec("COMMIT", error);
  }

  bool delete_expired(const std::string& table, std::int64_t now, std::string& error) override {
    // Permanent bindings (expires 0) are stored as the epoch and never expire.
    db::SqliteStatement statement =
        connection_.prepare("DELETE FROM " + table + " WHERE expires < ? AND expires > ?", error);
    if (!statement) return false;
    statement.bind(1, julian_day(now));
    statement.bind(2, julian_day(0));
    statement.step();
    if (statement.failed()) error = statement.error();
    return !statement.failed();
  }

 private:
  bool apply_all(const std::string& table, bool use_domain, const std::vector<const Change*>& changes,
                 std::string& error) {
    db::SqliteStatement upsert = connection_.prepare(
        "INSERT OR REPLACE INTO " + table + " (" + kColumns +
            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        error);
    db::SqliteStatement remove = connection_.prepare("DELETE FROM " + table + " WHERE ruid=?", error);
    if (!upsert || !remove) return false;
    for (const Change* change : changes) {
      auto [user, domain] = split_aor(change->aor, use_domain);
      for (const std::string& ruid : change->deleted_ruids) {
        remove.reset();
        remove.bind(1, std::string_view(ruid));
        remove.step();
        if (remove.failed()) {
          error = remove.error();
          return false;
        }
      }
      for (const Binding& binding : change->upserts) {
        upsert.reset();
        bind_binding(upsert, binding, user, domain);
        upsert.step();
        if (upsert.failed()) {
          error = upsert.error();
          return false;
        }
      }
    }
    return true;
  }

  static void bind_binding(db::SqliteStatement& statement, const Binding& binding, const std::string& user,
                           const std::optional<std::string>& domain) {
    statement.bind(1, std::string_view(binding.ruid));
    statement.bind(2, std::string_view(user));
    statement.bind(3, domain);
    statement.bind(4, std::string_view(binding.contact));
    statement.bind(5, null_if_empty(binding.received));
    statement.bind(6, null_if_empty(binding.path));
    statement.bind(7, julian_day(binding.expires));
    statement.bind(8, binding.q == kQUnspecified ? -1.0 : static_cast<double>(binding.q) / 1000.0);
    statement.bind(9, std::string_view(binding.call_id));
    statement.bind(10, static_cast<std::int64_t>(binding.cseq));
    statement.bind(11, julian_day(binding.last_modified));
    statement.bind(12, static_cast<std::int64_t>(binding.flags));
    statement.bind(13, static_cast<std::int64_t>(binding.cflags));
    statement.bind(14, std::string_view(binding.user_agent));
    statement.bind(15, null_if_empty(binding.socket));
    if (binding.methods == kAllMethods) statement.bind_null(16);
    else statement.bind(16, static_cast<std::int64_t>(binding.methods));
    statement.bind(17, null_if_empty(binding.instance));
    statement.bind(18, static_cast<std::int64_t>(binding.reg_id));
  }

  db::SqliteConnection connection_;
};

}  // namespace

std::unique_ptr<LocationStore> open_location_store(const std::string& db_url, std::string& error) {
  auto url = db::parse_db_url(db_url, error);
  if (!url) return nullptr;
  if (url->scheme != "sqlite") {
    error = "db_url scheme '" + url->scheme + "' is not supported yet: kamc's usrloc stores bindings in SQLite " +
            "(sqlite:///path/location.db); MySQL and PostgreSQL are planned (README, \"Not yet\")";
    return nullptr;
  }
  auto store = std::make_unique<SqliteLocationStore>();
  if (!store->open(url->database, error)) return nullptr;
  return store;
}

}  // namespace kamc::runtime::usrloc
