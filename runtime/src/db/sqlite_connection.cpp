#include "sqlite_connection.h"

#include <sqlite3.h>

namespace kamc::runtime::db {

SqliteStatement::~SqliteStatement() {
  if (statement_) sqlite3_finalize(statement_);
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_), statement_(other.statement_), failed_(other.failed_) {
  other.statement_ = nullptr;
}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    if (statement_) sqlite3_finalize(statement_);
    db_ = other.db_;
    statement_ = other.statement_;
    failed_ = other.failed_;
    other.statement_ = nullptr;
  }
  return *this;
}

void SqliteStatement::bind(int index, std::string_view text) {
  sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

void SqliteStatement::bind(int index, const std::optional<std::string>& text) {
  if (text) bind(index, std::string_view(*text));
  else bind_null(index);
}

void SqliteStatement::bind(int index, std::int64_t number) { sqlite3_bind_int64(statement_, index, number); }
void SqliteStatement::bind(int index, double number) { sqlite3_bind_double(statement_, index, number); }
void SqliteStatement::bind_null(int index) { sqlite3_bind_null(statement_, index); }

bool SqliteStatement::step() {
  int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  failed_ = rc != SQLITE_DONE;
  return false;
}

std::string SqliteStatement::error() const { return db_ ? sqlite3_errmsg(db_) : "no database"; }

void SqliteStatement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  failed_ = false;
}

int SqliteStatement::column_count() const { return sqlite3_column_count(statement_); }
int SqliteStatement::column_type(int column) const { return sqlite3_column_type(statement_, column); }

bool SqliteStatement::is_null(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }

bool SqliteStatement::is_text(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_TEXT; }

std::string SqliteStatement::text(int column) const {
  const unsigned char* value = sqlite3_column_text(statement_, column);
  if (!value) return {};
  return std::string(reinterpret_cast<const char*>(value), static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)));
}

std::int64_t SqliteStatement::integer(int column) const { return sqlite3_column_int64(statement_, column); }
double SqliteStatement::real(int column) const { return sqlite3_column_double(statement_, column); }

SqliteConnection::~SqliteConnection() {
  if (db_) sqlite3_close_v2(db_);
}

bool SqliteConnection::open(const std::string& path, std::string& error) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    error = "cannot open SQLite database '" + path + "': " + (db_ ? sqlite3_errmsg(db_) : "out of memory");
    if (db_) sqlite3_close_v2(db_);
    db_ = nullptr;
    return false;
  }
  // Another process (kamailio, sqlite3, a second kamc node) may hold the file briefly.
  sqlite3_busy_timeout(db_, 2000);
  return exec("PRAGMA journal_mode=WAL", error) && exec("PRAGMA synchronous=NORMAL", error);
}

bool SqliteConnection::exec(std::string_view sql, std::string& error) {
  char* message = nullptr;
  std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) == SQLITE_OK) return true;
  error = message ? message : sqlite3_errmsg(db_);
  sqlite3_free(message);
  return false;
}

SqliteStatement SqliteConnection::prepare(std::string_view sql, std::string& error) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &statement, nullptr) != SQLITE_OK) {
    error = sqlite3_errmsg(db_);
    return {};
  }
  return SqliteStatement(db_, statement);
}

bool SqliteConnection::table_exists(std::string_view table) {
  std::string error;
  SqliteStatement query = prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", error);
  if (!query) return false;
  query.bind(1, table);
  return query.step();
}

}  // namespace kamc::runtime::db
