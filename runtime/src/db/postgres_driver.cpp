// The PostgreSQL driver over libpq. The '?' placeholders become $1..$n and the values
// travel as text parameters (PQexecParams), so nothing is spliced into the SQL. A lost
// connection is ServerConnection's to reopen.
#include <libpq-fe.h>

#include <algorithm>

#include "server_connection.h"

namespace kamc::runtime::db {

namespace {

// "a=? AND b=?" -> "a=$1 AND b=$2", leaving quoted text alone.
std::string numbered_placeholders(std::string_view sql) {
  std::vector<std::string_view> pieces = split_at_placeholders(sql);
  std::string out(pieces.front());
  for (std::size_t i = 1; i < pieces.size(); ++i) out += "$" + std::to_string(i) + std::string(pieces[i]);
  return out;
}

std::string quoted_conninfo_value(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

class PostgresDriver final : public ServerConnection {
 public:
  PostgresDriver(DbUrl url, DbOptions options) : ServerConnection(options), url_(std::move(url)) {}
  ~PostgresDriver() override { close(); }

  bool open(std::string& error) override {
    close();
    std::string conninfo = "host=" + quoted_conninfo_value(url_.host) +
                           " dbname=" + quoted_conninfo_value(url_.database) +
                           " connect_timeout=" + std::to_string(std::max(1, options_.connect_timeout_seconds));
    if (url_.port) conninfo += " port=" + std::to_string(*url_.port);
    if (!url_.user.empty()) conninfo += " user=" + quoted_conninfo_value(url_.user);
    if (!url_.password.empty()) conninfo += " password=" + quoted_conninfo_value(url_.password);
    connection_ = PQconnectdb(conninfo.c_str());
    if (!connection_ || PQstatus(connection_) != CONNECTION_OK) {
      error = "cannot connect to PostgreSQL at " + url_.host + ": " +
              (connection_ ? trimmed(PQerrorMessage(connection_)) : std::string("out of memory"));
      close();
      return false;
    }
    // A query that takes longer than the io timeout fails instead of holding a thread.
    std::string timeout = "SET statement_timeout = " + std::to_string(options_.io_timeout_seconds * 1000);
    PQclear(PQexec(connection_, timeout.c_str()));
    return true;
  }

  std::string_view scheme() const override { return "postgres"; }

 private:
  static std::string trimmed(const char* message) {
    std::string text = message ? message : "";
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
  }

  void close() override {
    if (connection_) PQfinish(connection_);
    connection_ = nullptr;
    in_transaction_ = false;
  }

  bool is_open() const override { return connection_ != nullptr; }
  bool connection_lost() const override { return connection_ && PQstatus(connection_) == CONNECTION_BAD; }
  std::string_view current_schema_function() const override { return "current_schema()"; }

  bool run_once(std::string_view sql, std::span<const DbValue> params, std::vector<DbRow>* rows,
                std::string& error) override {
    std::vector<std::string> texts;
    std::vector<const char*> values;
    texts.reserve(params.size());
    for (const DbValue& value : params) texts.push_back(text_of_parameter(value));
    for (std::size_t i = 0; i < params.size(); ++i) values.push_back(is_null(params[i]) ? nullptr : texts[i].c_str());
    std::string text = numbered_placeholders(sql);
    PGresult* result = PQexecParams(connection_, text.c_str(), static_cast<int>(values.size()), nullptr,
                                    values.data(), nullptr, nullptr, 0);
    ExecStatusType status = PQresultStatus(result);
    bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (!ok) error = trimmed(PQerrorMessage(connection_));
    else if (rows && status == PGRES_TUPLES_OK) read_rows(result, *rows);
    PQclear(result);
    return ok;
  }

  static void read_rows(PGresult* result, std::vector<DbRow>& rows) {
    int count = PQntuples(result);
    int columns = PQnfields(result);
    rows.reserve(static_cast<std::size_t>(count));
    for (int r = 0; r < count; ++r) {
      DbRow row;
      row.reserve(static_cast<std::size_t>(columns));
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(result, r, c)) row.emplace_back(std::monostate{});
        else row.emplace_back(std::string(PQgetvalue(result, r, c), static_cast<std::size_t>(PQgetlength(result, r, c))));
      }
      rows.push_back(std::move(row));
    }
  }

  DbUrl url_;
  PGconn* connection_ = nullptr;
};

}  // namespace

std::unique_ptr<DbConnection> connect_postgres(const DbUrl& url, const DbOptions& options, std::string& error) {
  auto driver = std::make_unique<PostgresDriver>(url, options);
  if (!driver->open(error)) return nullptr;
  return driver;
}

}  // namespace kamc::runtime::db
