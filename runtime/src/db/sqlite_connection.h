// A thin RAII layer over one SQLite connection: open in WAL mode, run statements,
// prepared statements with positional binding. Used from one thread at a time (the
// owner serialises), never from a SIP worker: usrloc's writer and loader use it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace kamc::runtime::db {

class SqliteStatement {
 public:
  SqliteStatement() = default;
  SqliteStatement(sqlite3* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  explicit operator bool() const { return statement_ != nullptr; }
  // Binding is 1-based, as SQLite's. An empty optional binds NULL.
  void bind(int index, std::string_view text);
  void bind(int index, const std::optional<std::string>& text);
  void bind(int index, std::int64_t number);
  void bind(int index, double number);
  void bind_null(int index);
  // true: a row is ready; false: done. Errors land in error() and return false.
  bool step();
  bool failed() const { return failed_; }
  std::string error() const;
  void reset();

  int column_count() const;
  int column_type(int column) const;  // SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, ...
  bool is_null(int column) const;
  bool is_text(int column) const;
  std::string text(int column) const;
  std::int64_t integer(int column) const;
  double real(int column) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* statement_ = nullptr;
  bool failed_ = false;
};

class SqliteConnection {
 public:
  ~SqliteConnection();
  // Opens (creating the file) with WAL journaling and synchronous=NORMAL: a commit
  // survives the process being killed (the WAL is written before COMMIT returns).
  bool open(const std::string& path, std::string& error);
  bool is_open() const { return db_ != nullptr; }
  // Statements without results; false with SQLite's message.
  bool exec(std::string_view sql, std::string& error);
  SqliteStatement prepare(std::string_view sql, std::string& error);
  bool table_exists(std::string_view table);

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace kamc::runtime::db
