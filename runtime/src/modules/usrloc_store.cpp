// The location store on any db driver. Column names, types and defaults are Kamailio's
// (utils/kamctl/*/usrloc-create.sql, table version 9), so that a database made by
// `kamdbctl create` or by Kamailio's db modules works unchanged, both ways.
#include "usrloc_store.h"

#include <cctype>
#include <cmath>
#include <ctime>
#include <map>

#include "../db/db_connection.h"

namespace kamc::runtime::usrloc {

namespace {

constexpr int kLocationTableVersion = 9;

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

Binding binding_from_row(const db::DbRow& row) {
  Binding binding;
  binding.ruid = db::as_text(row[0]);
  binding.contact = db::as_text(row[3]);
  binding.received = db::as_text(row[4]);
  binding.path = db::as_text(row[5]);
  binding.expires = db::as_time(row[6]);
  binding.q = static_cast<int>(std::lround(db::as_double(row[7]) * 1000.0));  // -1.0: unspecified
  if (binding.q < 0) binding.q = kQUnspecified;
  binding.call_id = db::as_text(row[8]);
  binding.cseq = static_cast<std::uint32_t>(db::as_int(row[9]));
  binding.last_modified = db::as_time(row[10]);
  binding.flags = static_cast<std::uint32_t>(db::as_int(row[11]));
  binding.cflags = static_cast<std::uint32_t>(db::as_int(row[12]));
  binding.user_agent = db::as_text(row[13]);
  binding.socket = db::as_text(row[14]);
  binding.methods = db::is_null(row[15]) ? kAllMethods : static_cast<std::uint32_t>(db::as_int(row[15]));
  binding.instance = db::as_text(row[16]);
  binding.reg_id = static_cast<std::uint32_t>(db::as_int(row[17]));
  return binding;
}

std::string aor_of_row(const db::DbRow& row, bool use_domain) {
  std::string user = db::as_text(row[1]);
  if (!use_domain || db::is_null(row[2])) return user;
  std::string domain = db::as_text(row[2]);
  return user.empty() ? domain : user + "@" + domain;
}

std::vector<db::DbValue> binding_values(const Binding& binding, const std::string& user,
                                        const std::optional<std::string>& domain) {
  std::vector<db::DbValue> values;
  values.reserve(18);
  values.emplace_back(binding.ruid);
  values.emplace_back(user);
  values.emplace_back(domain ? db::DbValue(*domain) : db::DbValue());
  values.emplace_back(binding.contact);
  values.push_back(db::null_if_empty(binding.received));
  values.push_back(db::null_if_empty(binding.path));
  values.emplace_back(db::DbTime{binding.expires});
  values.emplace_back(binding.q == kQUnspecified ? -1.0 : static_cast<double>(binding.q) / 1000.0);
  values.emplace_back(binding.call_id);
  values.emplace_back(static_cast<std::int64_t>(binding.cseq));
  values.emplace_back(db::DbTime{binding.last_modified});
  values.emplace_back(static_cast<std::int64_t>(binding.flags));
  values.emplace_back(static_cast<std::int64_t>(binding.cflags));
  values.emplace_back(binding.user_agent);
  values.push_back(db::null_if_empty(binding.socket));
  values.emplace_back(binding.methods == kAllMethods ? db::DbValue() : db::DbValue(static_cast<std::int64_t>(binding.methods)));
  values.push_back(db::null_if_empty(binding.instance));
  values.emplace_back(static_cast<std::int64_t>(binding.reg_id));
  return values;
}

// The location table over any driver. In SQLite kamc creates the tables it needs (the
// embedded store has no kamdbctl step); on MySQL and PostgreSQL the tables are
// Kamailio's, made by `kamdbctl create`, and only their version is checked, as Kamailio
// does.
class DbLocationStore final : public LocationStore {
 public:
  explicit DbLocationStore(std::unique_ptr<db::DbConnection> connection) : connection_(std::move(connection)) {}

  bool prepare_table(const std::string& table, std::string& error) override {
    if (!db::valid_identifier(table)) {
      error = "invalid location table name '" + table + "'";
      return false;
    }
    if (connection_->scheme() == "sqlite" && !create_sqlite_tables(table, error)) return false;
    return db::check_table_version(*connection_, table, kLocationTableVersion, error);
  }

  bool load(const std::string& table, bool use_domain, std::vector<Record>& out, std::string& error) override {
    std::vector<db::DbRow> rows;
    if (!connection_->query("SELECT " + std::string(kColumns) + " FROM " + table + " ORDER BY id", {}, rows, error))
      return false;
    std::map<std::string, std::size_t> index;
    for (const db::DbRow& row : rows) {
      std::string aor = aor_of_row(row, use_domain);
      auto [it, inserted] = index.emplace(aor, out.size());
      if (inserted) out.push_back(Record{aor, {}});
      out[it->second].bindings.push_back(binding_from_row(row));
    }
    return true;
  }

  bool load_one(const std::string& table, bool use_domain, const std::string& aor, Record& out,
                std::string& error) override {
    auto [user, domain] = split_aor(aor, use_domain);
    std::string sql = "SELECT " + std::string(kColumns) + " FROM " + table +
                      (domain ? " WHERE username=? AND domain=? ORDER BY id" : " WHERE username=? ORDER BY id");
    std::vector<db::DbValue> params{user};
    if (domain) params.emplace_back(*domain);
    std::vector<db::DbRow> rows;
    if (!connection_->query(sql, params, rows, error)) return false;
    out.aor = aor;
    out.bindings.clear();
    for (const db::DbRow& row : rows) out.bindings.push_back(binding_from_row(row));
    return true;
  }

  bool apply(const std::string& table, bool use_domain, const std::vector<const Change*>& changes,
             std::string& error) override {
    if (!connection_->execute("BEGIN", error)) return false;
    if (!apply_all(table, use_domain, changes, error)) {
      std::string ignored;
      connection_->execute("ROLLBACK", ignored);
      return false;
    }
    return connection_->execute("COMMIT", error);
  }

  bool delete_expired(const std::string& table, std::int64_t now, std::string& error) override {
    // Permanent bindings (expires 0) are stored as the epoch and never expire.
    std::vector<db::DbValue> params{db::DbTime{now}, db::DbTime{0}};
    return connection_->execute("DELETE FROM " + table + " WHERE expires < ? AND expires > ?", params, error);
  }

 private:
  bool create_sqlite_tables(const std::string& table, std::string& error) {
    if (!connection_->table_exists("version") && !connection_->execute(kCreateVersionSql, error)) return false;
    if (connection_->table_exists(table)) return true;
    if (!connection_->execute("BEGIN", error)) return false;
    if (!connection_->execute(create_location_sql(table), error)) {
      std::string ignored;
      connection_->execute("ROLLBACK", ignored);
      return false;
    }
    return connection_->execute("COMMIT", error);
  }

  // A changed binding is deleted by ruid and inserted again: one statement pair that
  // every driver runs alike (SQLite's INSERT OR REPLACE has no portable twin).
  bool apply_all(const std::string& table, bool use_domain, const std::vector<const Change*>& changes,
                 std::string& error) {
    const std::string remove = "DELETE FROM " + table + " WHERE ruid=?";
    const std::string insert = "INSERT INTO " + table + " (" + kColumns +
                               ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    for (const Change* change : changes) {
      auto [user, domain] = split_aor(change->aor, use_domain);
      for (const std::string& ruid : change->deleted_ruids) {
        db::DbValue key = ruid;
        if (!connection_->execute(remove, std::span(&key, 1), error)) return false;
      }
      for (const Binding& binding : change->upserts) {
        db::DbValue key = binding.ruid;
        if (!connection_->execute(remove, std::span(&key, 1), error)) return false;
        if (!connection_->execute(insert, binding_values(binding, user, domain), error)) return false;
      }
    }
    return true;
  }

  std::unique_ptr<db::DbConnection> connection_;
};

}  // namespace

std::unique_ptr<LocationStore> open_location_store(const std::string& db_url, std::string& error) {
  std::unique_ptr<db::DbConnection> connection = db::connect(db_url, error);
  if (!connection) return nullptr;
  return std::make_unique<DbLocationStore>(std::move(connection));
}

}  // namespace kamc::runtime::usrloc
