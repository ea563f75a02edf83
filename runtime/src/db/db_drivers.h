// The drivers behind connect() (db_connection.h), one file each, and the text forms of
// values the server drivers share. Internal to the db layer.
#pragma once

#include <memory>
#include <string>

#include "db_connection.h"

namespace kamc::runtime::db {

std::unique_ptr<DbConnection> connect_sqlite(const DbUrl& url, std::string& error);
std::unique_ptr<DbConnection> connect_mysql(const DbUrl& url, const DbOptions& options, std::string& error);
std::unique_ptr<DbConnection> connect_postgres(const DbUrl& url, const DbOptions& options, std::string& error);

// DATETIME as MySQL and PostgreSQL take it without a zone: local time, as Kamailio's
// db_mysql/db_postgres write it.
std::string format_local_time(std::int64_t seconds);
std::int64_t parse_local_time(const std::string& text);

// A parameter as SQL text for the server drivers (doubles with full precision).
std::string text_of_parameter(const DbValue& value);

// DATETIME as Kamailio's db_sqlite stores it: a Julian day number (REAL).
double julian_day(std::int64_t seconds);
std::int64_t seconds_of_julian_day(double day);

// The SQL text around its '?' placeholders, those inside quotes ('...', "...", `...`)
// left alone: "a=? AND b=?" -> {"a=", " AND b=", ""}. Each server driver puts its own
// parameter form between the pieces.
std::vector<std::string_view> split_at_placeholders(std::string_view sql);

}  // namespace kamc::runtime::db
