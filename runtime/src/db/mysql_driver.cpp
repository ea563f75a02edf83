// The MySQL/MariaDB driver over the MariaDB client library. Parameters are escaped
// with mysql_real_escape_string into the SQL text (as Kamailio's db_mysql builds its
// queries); results come back as text. Reconnection is ServerConnection's.
#include <errmsg.h>
#include <mysql.h>

#include <chrono>
#include <mutex>

#include "server_connection.h"

namespace kamc::runtime::db {

namespace {

bool is_connection_error(unsigned int code) {
  return code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST || code == CR_CONN_HOST_ERROR ||
         code == CR_CONNECTION_ERROR;
}

class MysqlDriver final : public ServerConnection {
 public:
  MysqlDriver(DbUrl url, DbOptions options) : ServerConnection(options), url_(std::move(url)) {}
  ~MysqlDriver() override { close(); }

  bool open(std::string& error) override {
    close();
    // mysql_init() would initialise the library lazily, which is not thread-safe.
    static std::once_flag library_initialised;
    std::call_once(library_initialised, [] { mysql_library_init(0, nullptr, nullptr); });
    handle_ = mysql_init(nullptr);
    if (!handle_) {
      error = "mysql_init failed (out of memory)";
      return false;
    }
    unsigned int connect_timeout = static_cast<unsigned int>(options_.connect_timeout_seconds);
    unsigned int io_timeout = static_cast<unsigned int>(options_.io_timeout_seconds);
    mysql_optionsv(handle_, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
    mysql_optionsv(handle_, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
    mysql_optionsv(handle_, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
    // The character set stays the client library's default, as db_mysql leaves it, so
    // both write the same bytes into a shared table.
    unsigned int port = url_.port ? static_cast<unsigned int>(*url_.port) : 0;
    if (!mysql_real_connect(handle_, url_.host.c_str(), url_.user.c_str(), url_.password.c_str(),
                            url_.database.c_str(), port, nullptr, 0)) {
      error = "cannot connect to MySQL at " + url_.host + (port ? ":" + std::to_string(port) : "") + ": " +
              mysql_error(handle_);
      close();
      return false;
    }
    return true;
  }

  std::string_view scheme() const override { return "mysql"; }

 private:
  void close() override {
    if (handle_) mysql_close(handle_);
    handle_ = nullptr;
    in_transaction_ = false;
  }

  bool is_open() const override { return handle_ != nullptr; }
  bool connection_lost() const override { return handle_ && is_connection_error(mysql_errno(handle_)); }
  std::string_view current_schema_function() const override { return "DATABASE()"; }

  // db_mysql's ping_interval: a connection idle that long may have been dropped by the
  // server (wait_timeout); a failed ping closes it so the query reconnects first.
  void before_statement() override {
    auto now = std::chrono::steady_clock::now();
    bool idle = options_.ping_interval_seconds > 0 &&
                now - last_used_ > std::chrono::seconds(options_.ping_interval_seconds);
    last_used_ = now;
    if (handle_ && idle && !in_transaction_ && mysql_ping(handle_) != 0) close();
  }

  bool run_once(std::string_view sql, std::span<const DbValue> params, std::vector<DbRow>* rows,
                std::string& error) override {
    std::string text;
    if (!bind(sql, params, text, error)) return false;
    if (mysql_real_query(handle_, text.data(), text.size()) != 0) {
      error = mysql_error(handle_);
      return false;
    }
    MYSQL_RES* result = mysql_store_result(handle_);
    if (!result) {
      if (mysql_field_count(handle_) == 0) return true;  // no result set (INSERT, DDL)
      error = mysql_error(handle_);
      return false;
    }
    if (rows) read_rows(result, *rows);
    mysql_free_result(result);
    return true;
  }

  static void read_rows(MYSQL_RES* result, std::vector<DbRow>& rows) {
    unsigned int columns = mysql_num_fields(result);
    while (MYSQL_ROW row = mysql_fetch_row(result)) {
      unsigned long* lengths = mysql_fetch_lengths(result);
      DbRow out;
      out.reserve(columns);
      for (unsigned int i = 0; i < columns; ++i) {
        if (row[i]) out.emplace_back(std::string(row[i], lengths[i]));
        else out.emplace_back(std::monostate{});
      }
      rows.push_back(std::move(out));
    }
  }

  // The SQL with each '?' outside quotes replaced by the escaped, quoted parameter.
  bool bind(std::string_view sql, std::span<const DbValue> params, std::string& out, std::string& error) {
    std::vector<std::string_view> pieces = split_at_placeholders(sql);
    if (pieces.size() - 1 > params.size()) {
      error = "more placeholders than parameters in: " + std::string(sql);
      return false;
    }
    out = pieces.front();
    for (std::size_t i = 1; i < pieces.size(); ++i) {
      append_literal(params[i - 1], out);
      out += pieces[i];
    }
    return true;
  }

  void append_literal(const DbValue& value, std::string& out) {
    if (is_null(value)) {
      out += "NULL";
      return;
    }
    std::string text = text_of_parameter(value);
    if (std::holds_alternative<std::int64_t>(value) || std::holds_alternative<double>(value)) {
      out += text;
      return;
    }
    std::string escaped(text.size() * 2 + 1, '\0');
    unsigned long length = mysql_real_escape_string(handle_, escaped.data(), text.data(), text.size());
    out += '\'';
    out.append(escaped.data(), length);
    out += '\'';
  }

  DbUrl url_;
  MYSQL* handle_ = nullptr;
  std::chrono::steady_clock::time_point last_used_ = std::chrono::steady_clock::now();
};

}  // namespace

std::unique_ptr<DbConnection> connect_mysql(const DbUrl& url, const DbOptions& options, std::string& error) {
  auto driver = std::make_unique<MysqlDriver>(url, options);
  if (!driver->open(error)) return nullptr;
  return driver;
}

}  // namespace kamc::runtime::db
