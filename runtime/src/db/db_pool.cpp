#include "db_pool.h"

namespace kamc::runtime::db {

DbPool::Lease::~Lease() {
  if (pool_ && connection_) pool_->release(std::move(connection_));
}

DbPool::Lease DbPool::acquire(std::string& error) {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<DbConnection> connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
  }
  // Connect outside the lock: a database that is down must not stall other leases.
  std::unique_ptr<DbConnection> connection = connect(url_, error);
  if (!connection) return {};
  return Lease(this, std::move(connection));
}

void DbPool::release(std::unique_ptr<DbConnection> connection) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(connection));
}

}  // namespace kamc::runtime::db
