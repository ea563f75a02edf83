// The driver-independent half of the db layer: value readers, the scheme dispatch, the
// per-driver options the db_* modules set, and Kamailio's table version check.
#include "db_connection.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>

#include "db_drivers.h"

namespace kamc::runtime::db {

namespace {

// Kamailio's db_sqlite keeps DATETIME columns as Julian day numbers (REAL).
constexpr double kUnixEpochJulianDay = 2440587.5;

std::int64_t parse_integer(std::string_view text) {
  std::int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::mutex options_mutex;
std::map<std::string, DbOptions, std::less<>>& options_by_scheme() {
  static std::map<std::string, DbOptions, std::less<>> options;
  return options;
}

}  // namespace

std::string as_text(const DbValue& value) {
  if (auto* text = std::get_if<std::string>(&value)) return *text;
  if (auto* number = std::get_if<std::int64_t>(&value)) return std::to_string(*number);
  if (auto* real = std::get_if<double>(&value)) return std::to_string(*real);
  if (auto* time = std::get_if<DbTime>(&value)) return format_local_time(time->seconds);
  return {};
}

std::int64_t as_int(const DbValue& value) {
  if (auto* number = std::get_if<std::int64_t>(&value)) return *number;
  if (auto* real = std::get_if<double>(&value)) return static_cast<std::int64_t>(*real);
  if (auto* text = std::get_if<std::string>(&value)) return parse_integer(*text);
  if (auto* time = std::get_if<DbTime>(&value)) return time->seconds;
  return 0;
}

double as_double(const DbValue& value) {
  if (auto* real = std::get_if<double>(&value)) return *real;
  if (auto* number = std::get_if<std::int64_t>(&value)) return static_cast<double>(*number);
  if (auto* text = std::get_if<std::string>(&value)) return std::strtod(text->c_str(), nullptr);
  return 0.0;
}

std::int64_t as_time(const DbValue& value) {
  if (auto* time = std::get_if<DbTime>(&value)) return time->seconds;
  if (auto* real = std::get_if<double>(&value)) return seconds_of_julian_day(*real);
  if (auto* number = std::get_if<std::int64_t>(&value)) return *number;
  if (auto* text = std::get_if<std::string>(&value)) return parse_local_time(*text);
  return 0;
}

std::string format_local_time(std::int64_t seconds) {
  std::time_t time = static_cast<std::time_t>(seconds);
  std::tm parts{};
  localtime_r(&time, &parts);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &parts);
  return buffer;
}

std::int64_t parse_local_time(const std::string& text) {
  std::tm parts{};
  if (!strptime(text.c_str(), "%Y-%m-%d %H:%M:%S", &parts)) return 0;
  parts.tm_isdst = -1;
  std::time_t time = std::mktime(&parts);
  return time < 0 ? 0 : static_cast<std::int64_t>(time);
}

double julian_day(std::int64_t seconds) { return static_cast<double>(seconds) / 86400.0 + kUnixEpochJulianDay; }

std::int64_t seconds_of_julian_day(double day) {
  double seconds = (day - kUnixEpochJulianDay) * 86400.0;
  return seconds <= 0 ? 0 : static_cast<std::int64_t>(std::llround(seconds));
}

std::vector<std::string_view> split_at_placeholders(std::string_view sql) {
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"' || c == '`') {
      quote = c;
    } else if (c == '?') {
      pieces.push_back(sql.substr(start, i - start));
      start = i + 1;
    }
  }
  pieces.push_back(sql.substr(start));
  return pieces;
}

std::string text_of_parameter(const DbValue& value) {
  if (auto* real = std::get_if<double>(&value)) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.10g", *real);
    return buffer;
  }
  return as_text(value);
}

std::unique_ptr<DbConnection> connect(const DbUrl& url, const DbOptions& options, std::string& error) {
  if (url.scheme == "sqlite") return connect_sqlite(url, error);
  if (url.scheme == "mysql") return connect_mysql(url, options, error);
  if (url.scheme == "postgres" || url.scheme == "postgresql") return connect_postgres(url, options, error);
  error = "db_url scheme '" + url.scheme + "' is not supported (kamc has sqlite://, mysql:// and postgres://)";
  return nullptr;
}

std::unique_ptr<DbConnection> connect(std::string_view url, std::string& error) {
  auto parsed = parse_db_url(url, error);
  if (!parsed) return nullptr;
  return connect(*parsed, driver_options(parsed->scheme), error);
}

void set_driver_options(std::string_view scheme, const DbOptions& options) {
  std::lock_guard lock(options_mutex);
  options_by_scheme()[std::string(scheme)] = options;
}

DbOptions driver_options(std::string_view scheme) {
  std::lock_guard lock(options_mutex);
  auto& options = options_by_scheme();
  auto it = options.find(scheme == "postgresql" ? std::string_view("postgres") : scheme);
  return it == options.end() ? DbOptions{} : it->second;
}

bool check_table_version(DbConnection& connection, const std::string& table, int expected, std::string& error) {
  std::vector<DbRow> rows;
  DbValue name = table;
  if (!connection.query("SELECT table_version FROM version WHERE table_name=?", std::span(&name, 1), rows, error)) {
    error = "failed to query the version table for '" + table + "': " + error;
    return false;
  }
  if (rows.empty() || rows.front().empty()) {
    error = "table '" + table + "' has no row in the version table (create it with kamdbctl create)";
    return false;
  }
  std::int64_t version = as_int(rows.front().front());
  if (version != expected) {
    // Kamailio's db_check_table_version() message.
    error = "invalid table version " + std::to_string(version) + " for table '" + table + "' (expected " +
            std::to_string(expected) + ", use kamdbctl reinit)";
    return false;
  }
  return true;
}

bool valid_identifier(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace kamc::runtime::db
