#include "db_url.h"

namespace kamc::runtime::db {

std::optional<DbUrl> parse_db_url(std::string_view text, std::string& error) {
  std::size_t separator = text.find("://");
  if (separator == std::string_view::npos || separator == 0) {
    error = "db_url '" + redacted(text) + "' has no scheme (expected scheme://...)";
    return std::nullopt;
  }
  DbUrl url;
  url.scheme = std::string(text.substr(0, separator));
  std::string_view rest = text.substr(separator + 3);
  std::size_t slash = rest.find('/');
  if (url.scheme == "sqlite") {
    // As Kamailio's URL parser reads it: the file is what follows the (empty) host and
    // its '/', so sqlite:///var/x.db is the relative path var/x.db and an absolute path
    // takes four slashes: sqlite:////var/lib/kamailio/kamailio.db.
    if (slash != std::string_view::npos) url.database = std::string(rest.substr(slash + 1));
    if (url.database.empty()) {
      error = "db_url '" + std::string(text) + "' names no database file (sqlite:////path/to/file.db)";
      return std::nullopt;
    }
    return url;
  }
  if (slash == std::string_view::npos || slash + 1 >= rest.size()) {
    error = "db_url '" + redacted(text) + "' names no database (expected .../database)";
    return std::nullopt;
  }
  url.database = std::string(rest.substr(slash + 1));
  std::string_view authority = rest.substr(0, slash);
  if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view credentials = authority.substr(0, at);
    authority = authority.substr(at + 1);
    std::size_t colon = credentials.find(':');
    url.user = std::string(credentials.substr(0, colon));
    if (colon != std::string_view::npos) url.password = std::string(credentials.substr(colon + 1));
  }
  std::size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    std::string_view port = authority.substr(colon + 1);
    int value = 0;
    for (char c : port) {
      if (c < '0' || c > '9' || value > 65535) {
        error = "db_url '" + redacted(text) + "': port '" + std::string(port) + "' is not a number";
        return std::nullopt;
      }
      value = value * 10 + (c - '0');
    }
    if (port.empty() || value == 0 || value > 65535) {
      error = "db_url '" + redacted(text) + "': port '" + std::string(port) + "' is out of range";
      return std::nullopt;
    }
    url.port = value;
    authority = authority.substr(0, colon);
  }
  url.host = std::string(authority);
  if (url.host.empty()) {
    error = "db_url '" + redacted(text) + "' names no host";
    return std::nullopt;
  }
  return url;
}

std::string redacted(std::string_view text) {
  std::size_t separator = text.find("://");
  std::size_t at = text.rfind('@');
  if (separator == std::string_view::npos || at == std::string_view::npos || at < separator) return std::string(text);
  std::size_t colon = text.find(':', separator + 3);
  if (colon == std::string_view::npos || colon > at) return std::string(text);
  return std::string(text.substr(0, colon + 1)) + "***" + std::string(text.substr(at));
}

}  // namespace kamc::runtime::db
