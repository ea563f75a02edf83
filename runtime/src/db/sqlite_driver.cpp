// The SQLite driver: DbConnection over SqliteConnection. DATETIME values are stored as
// Julian days, as Kamailio's db_sqlite stores them, so either can read the other's file.
#include <sqlite3.h>

#include "db_drivers.h"
#include "sqlite_connection.h"

namespace kamc::runtime::db {

namespace {

void bind_value(SqliteStatement& statement, int index, const DbValue& value) {
  if (auto* text = std::get_if<std::string>(&value)) statement.bind(index, std::string_view(*text));
  else if (auto* number = std::get_if<std::int64_t>(&value)) statement.bind(index, *number);
  else if (auto* real = std::get_if<double>(&value)) statement.bind(index, *real);
  else if (auto* time = std::get_if<DbTime>(&value))
    statement.bind(index, julian_day(time->seconds));
  else statement.bind_null(index);
}

DbValue cell(const SqliteStatement& row, int column) {
  switch (row.column_type(column)) {
    case SQLITE_INTEGER: return row.integer(column);
    case SQLITE_FLOAT: return row.real(column);
    case SQLITE_NULL: return std::monostate{};
    default: return row.text(column);
  }
}

class SqliteDriver final : public DbConnection {
 public:
  bool open(const std::string& path, std::string& error) { return connection_.open(path, error); }

  bool execute(std::string_view sql, std::span<const DbValue> params, std::string& error) override {
    if (params.empty() && sql.find('?') == std::string_view::npos) return connection_.exec(sql, error);
    SqliteStatement statement = prepared(sql, params, error);
    if (!statement) return false;
    statement.step();
    if (statement.failed()) error = statement.error();
    return !statement.failed();
  }

  bool query(std::string_view sql, std::span<const DbValue> params, std::vector<DbRow>& rows,
             std::string& error) override {
    rows.clear();
    SqliteStatement statement = prepared(sql, params, error);
    if (!statement) return false;
    int columns = statement.column_count();
    while (statement.step()) {
      DbRow row;
      row.reserve(static_cast<std::size_t>(columns));
      for (int column = 0; column < columns; ++column) row.push_back(cell(statement, column));
      rows.push_back(std::move(row));
    }
    if (statement.failed()) error = statement.error();
    return !statement.failed();
  }

  bool table_exists(std::string_view table) override { return connection_.table_exists(table); }
  std::string_view scheme() const override { return "sqlite"; }

 private:
  SqliteStatement prepared(std::string_view sql, std::span<const DbValue> params, std::string& error) {
    SqliteStatement statement = connection_.prepare(sql, error);
    if (!statement) return statement;
    for (std::size_t i = 0; i < params.size(); ++i) bind_value(statement, static_cast<int>(i + 1), params[i]);
    return statement;
  }

  SqliteConnection connection_;
};

}  // namespace

std::unique_ptr<DbConnection> connect_sqlite(const DbUrl& url, std::string& error) {
  auto driver = std::make_unique<SqliteDriver>();
  if (!driver->open(url.database, error)) return nullptr;
  return driver;
}

}  // namespace kamc::runtime::db
