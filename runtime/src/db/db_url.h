// A database URL as Kamailio's modules take it in db_url: scheme://[user[:password]@]
// host[:port]/database. For the embedded SQLite store the database is the file, after
// the empty host: sqlite:////abs/path.db, sqlite:///relative.db (db_sqlite's reading).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kamc::runtime::db {

struct DbUrl {
  std::string scheme;  // "sqlite", "mysql", "postgres"
  std::string user;
  std::string password;
  std::string host;
  std::optional<int> port;
  std::string database;  // sqlite: the file path
};

// nullopt with the reason in error when the text is not a database URL.
std::optional<DbUrl> parse_db_url(std::string_view text, std::string& error);

// The URL with its password replaced by "***", for log lines.
std::string redacted(std::string_view text);

}  // namespace kamc::runtime::db
