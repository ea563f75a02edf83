// The database driver modules: loadmodule "db_mysql.so", "db_postgres.so" and
// "db_sqlite.so" select nothing by themselves (the db_url scheme picks the driver, as in
// Kamailio) but their modparams shape every connection of that driver. Parameters
// the catalog knows and these records do not export are accepted with a warning.
#include <algorithm>
#include <array>

#include "../core/module.h"
#include "../db/db_connection.h"

namespace kamc::runtime {

namespace {

int positive_or(long long value, int fallback) { return value > 0 ? static_cast<int>(std::min(value, 3600LL)) : fallback; }

bool init_db_mysql(ModuleInstance& module, std::string& error) {
  (void)error;
  db::DbOptions options;
  // timeout_interval bounds connect, read and write (db_mysql's documentation);
  // connect_timeout, when set, overrides it for the connect.
  int timeout = positive_or(module.param_number("timeout_interval"), 2);
  options.connect_timeout_seconds = positive_or(module.param_number("connect_timeout"), timeout);
  options.io_timeout_seconds = timeout;
  options.auto_reconnect = module.param_number("auto_reconnect") != 0;
  options.ping_interval_seconds = static_cast<int>(std::max(0LL, module.param_number("ping_interval")));
  db::set_driver_options("mysql", options);
  return true;
}

bool init_db_postgres(ModuleInstance& module, std::string& error) {
  (void)error;
  db::DbOptions options;
  // db_postgres' timeout (0: none) bounds connect and queries; kamc keeps its 2 s
  // default when it is 0, so a stalled server cannot hold a background thread forever.
  int timeout = positive_or(module.param_number("timeout"), 2);
  options.connect_timeout_seconds = timeout;
  options.io_timeout_seconds = timeout;
  options.auto_reconnect = module.param_number("retries") > 0;
  db::set_driver_options("postgres", options);
  return true;
}

// Kamailio 5.6's defaults (db_mysql/db_mysql.c, db_postgres/pg_mod.c).
constexpr std::array<ParamExport, 4> kMysqlParams{{
    {"ping_interval", 300},
    {"timeout_interval", 2},
    {"connect_timeout", 0},
    {"auto_reconnect", 1},
}};

constexpr std::array<ParamExport, 2> kPostgresParams{{
    {"retries", 2},
    {"timeout", 0},
}};

}  // namespace

extern const ModuleExports kDbMysqlModule{
    .name = "db_mysql",
    .params = kMysqlParams,
    .init = init_db_mysql,
};

extern const ModuleExports kDbPostgresModule{
    .name = "db_postgres",
    .params = kPostgresParams,
    .init = init_db_postgres,
};

// SQLite connections are always WAL with a 2 s busy timeout (sqlite_connection.cpp).
extern const ModuleExports kDbSqliteModule{
    .name = "db_sqlite",
};

}  // namespace kamc::runtime
