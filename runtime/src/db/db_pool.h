// Connections to one db_url shared by the background threads that run a module's
// queries (auth_db, usrloc db_mode 3). A thread leases a connection for one piece of
// work and gives it back; connections are opened on demand, kept for reuse, and a
// connection whose query failed is dropped so the next lease reconnects.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "db_connection.h"

namespace kamc::runtime::db {

class DbPool {
 public:
  class Lease {
   public:
    Lease() = default;
    Lease(DbPool* pool, std::unique_ptr<DbConnection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) noexcept = default;
    ~Lease();
    explicit operator bool() const { return connection_ != nullptr; }
    DbConnection* operator->() const { return connection_.get(); }
    DbConnection& operator*() const { return *connection_; }
    // The connection failed: close it instead of returning it to the pool.
    void discard() { connection_.reset(); }

   private:
    DbPool* pool_ = nullptr;
    std::unique_ptr<DbConnection> connection_;
  };

  explicit DbPool(std::string url) : url_(std::move(url)) {}
  const std::string& url() const { return url_; }
  // An idle connection, or a new one; an empty lease with the reason when the database
  // cannot be reached.
  Lease acquire(std::string& error);

 private:
  void release(std::unique_ptr<DbConnection> connection);

  std::string url_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<DbConnection>> idle_;
};

}  // namespace kamc::runtime::db
