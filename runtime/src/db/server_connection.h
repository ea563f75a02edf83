// What the MySQL and PostgreSQL drivers share: a lost connection is reopened and the
// statement retried once (auto_reconnect), never inside an open transaction, which the
// server forgot with the connection; and the information_schema lookup of a table.
// Each driver supplies the connection itself and one attempt at a statement.
#pragma once

#include "db_drivers.h"

namespace kamc::runtime::db {

class ServerConnection : public DbConnection {
 public:
  bool execute(std::string_view sql, std::span<const DbValue> params, std::string& error) override;
  bool query(std::string_view sql, std::span<const DbValue> params, std::vector<DbRow>& rows,
             std::string& error) override;
  bool table_exists(std::string_view table) override;

  virtual bool open(std::string& error) = 0;

 protected:
  explicit ServerConnection(DbOptions options) : options_(options) {}
  // Closing also ends any transaction (the server rolls it back).
  virtual void close() = 0;
  virtual bool is_open() const = 0;
  // One attempt; rows is null for statements without a result.
  virtual bool run_once(std::string_view sql, std::span<const DbValue> params, std::vector<DbRow>* rows,
                        std::string& error) = 0;
  // After a failed attempt: whether the connection, not the statement, failed.
  virtual bool connection_lost() const = 0;
  // Called before each statement (db_mysql's ping_interval).
  virtual void before_statement() {}
  // The SQL function naming the connection's schema.
  virtual std::string_view current_schema_function() const = 0;

  const DbOptions options_;
  bool in_transaction_ = false;

 private:
  bool run(std::string_view sql, std::span<const DbValue> params, std::vector<DbRow>* rows, std::string& error);
  void track_transaction(std::string_view sql);
};

}  // namespace kamc::runtime::db
