#include "server_connection.h"

#include <cctype>

namespace kamc::runtime::db {

namespace {

bool starts_with_keyword(std::string_view sql, std::string_view keyword) {
  if (sql.size() < keyword.size()) return false;
  for (std::size_t i = 0; i < keyword.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(sql[i])) != keyword[i]) return false;
  }
  return true;
}

}  // namespace

bool ServerConnection::execute(std::string_view sql, std::span<const DbValue> params, std::string& error) {
  return run(sql, params, nullptr, error);
}

bool ServerConnection::query(std::string_view sql, std::span<const DbValue> params, std::vector<DbRow>& rows,
                             std::string& error) {
  rows.clear();
  return run(sql, params, &rows, error);
}

bool ServerConnection::table_exists(std::string_view table) {
  std::vector<DbRow> rows;
  std::string error;
  DbValue name = std::string(table);
  std::string sql = "SELECT 1 FROM information_schema.tables WHERE table_schema=" +
                    std::string(current_schema_function()) + " AND table_name=?";
  return query(sql, std::span(&name, 1), rows, error) && !rows.empty();
}

bool ServerConnection::run(std::string_view sql, std::span<const DbValue> params, std::vector<DbRow>* rows,
                           std::string& error) {
  before_statement();
  if (!is_open() && !(options_.auto_reconnect && open(error))) {
    if (error.empty()) error = "not connected to the database";
    return false;
  }
  bool ok = run_once(sql, params, rows, error);
  if (!ok && connection_lost() && !in_transaction_) {
    if (!options_.auto_reconnect || !open(error)) return false;
    ok = run_once(sql, params, rows, error);
  }
  if (ok) track_transaction(sql);
  else if (connection_lost()) close();
  return ok;
}

void ServerConnection::track_transaction(std::string_view sql) {
  if (starts_with_keyword(sql, "BEGIN") || starts_with_keyword(sql, "START TRANSACTION")) in_transaction_ = true;
  if (starts_with_keyword(sql, "COMMIT") || starts_with_keyword(sql, "ROLLBACK")) in_transaction_ = false;
}

}  // namespace kamc::runtime::db
