// One interface over the database drivers, as Kamailio's db API is one interface over
// db_sqlite, db_mysql and db_postgres: the db_url's scheme picks the driver. SQL is
// written once with '?' placeholders (the PostgreSQL driver numbers them); values and
// cells carry a DATETIME as DbTime, which each driver stores its own way (SQLite: a
// Julian day, as Kamailio's db_sqlite; MySQL/PostgreSQL: local "YYYY-MM-DD HH:MM:SS").
//
// A connection is used by one thread at a time and never from a SIP worker: callers
// run queries on background threads (usrloc's writer, await_background) and take
// connections from a DbPool (db_pool.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "db_url.h"

namespace kamc::runtime::db {

// A DATETIME column's value, in seconds since the epoch.
struct DbTime {
  std::int64_t seconds = 0;
};

// A bound parameter or a result cell. Drivers return cells as they get them (SQLite:
// typed; MySQL and PostgreSQL: text), and the as_* readers below convert.
using DbValue = std::variant<std::monostate, std::int64_t, double, std::string, DbTime>;
using DbRow = std::vector<DbValue>;

inline bool is_null(const DbValue& value) { return std::holds_alternative<std::monostate>(value); }
std::string as_text(const DbValue& value);
std::int64_t as_int(const DbValue& value);
double as_double(const DbValue& value);
// A DATETIME cell: a Julian day (SQLite REAL), seconds, or local "YYYY-MM-DD HH:MM:SS".
std::int64_t as_time(const DbValue& value);

// An empty string as NULL (Kamailio stores unset optional columns as NULL).
inline DbValue null_if_empty(const std::string& text) {
  if (text.empty()) return std::monostate{};
  return text;
}

// The db_mysql/db_postgres modparams that shape a connection.
struct DbOptions {
  int connect_timeout_seconds = 2;  // db_mysql timeout_interval; db_postgres timeout
  int io_timeout_seconds = 2;       // a query that takes longer fails
  bool auto_reconnect = true;       // a lost connection is reopened on the next query
  int ping_interval_seconds = 0;    // db_mysql: ping a connection idle longer than this
};

class DbConnection {
 public:
  virtual ~DbConnection() = default;
  // Statements without rows (INSERT, UPDATE, DELETE, DDL, BEGIN/COMMIT/ROLLBACK).
  virtual bool execute(std::string_view sql, std::span<const DbValue> params, std::string& error) = 0;
  virtual bool query(std::string_view sql, std::span<const DbValue> params, std::vector<DbRow>& rows,
                     std::string& error) = 0;
  virtual bool table_exists(std::string_view table) = 0;
  // "sqlite", "mysql", "postgres".
  virtual std::string_view scheme() const = 0;

  bool execute(std::string_view sql, std::string& error) { return execute(sql, {}, error); }
};

// A connected driver for the URL; null with the reason otherwise.
std::unique_ptr<DbConnection> connect(const DbUrl& url, const DbOptions& options, std::string& error);
// With the options the driver module's modparams set (db_mysql, db_postgres).
std::unique_ptr<DbConnection> connect(std::string_view url, std::string& error);

// Set by the db_mysql/db_postgres/db_sqlite modules' init, read by connect(url, error).
void set_driver_options(std::string_view scheme, const DbOptions& options);
DbOptions driver_options(std::string_view scheme);

// Kamailio's table version check (db_check_table_version): the version table's row for
// `table` must hold `expected`. false with Kamailio's wording otherwise.
bool check_table_version(DbConnection& connection, const std::string& table, int expected, std::string& error);

// Table and column names are spliced into SQL: only [A-Za-z0-9_], 1..64 characters.
bool valid_identifier(std::string_view name);

}  // namespace kamc::runtime::db
