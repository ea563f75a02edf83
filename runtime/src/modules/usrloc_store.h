// usrloc's database side: Kamailio's `location` table (schema version 9) in the store
// that db_url names (sqlite://, mysql://, postgres://; runtime/src/db/). Not
// thread-safe: the owner (usrloc's writer) serialises.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "usrloc.h"

namespace kamc::runtime::usrloc {

class LocationStore {
 public:
  virtual ~LocationStore() = default;
  // Creates `table` (and the version table) when missing; checks the version row as
  // Kamailio does (9 for location) otherwise.
  virtual bool prepare_table(const std::string& table, std::string& error) = 0;
  // Every row, grouped into records (start-up load of db_mode 1 and 2).
  virtual bool load(const std::string& table, bool use_domain, std::vector<Record>& out, std::string& error) = 0;
  virtual bool load_one(const std::string& table, bool use_domain, const std::string& aor, Record& out,
                        std::string& error) = 0;
  // One transaction for all of them.
  virtual bool apply(const std::string& table, bool use_domain, const std::vector<const Change*>& changes,
                     std::string& error) = 0;
  virtual bool delete_expired(const std::string& table, std::int64_t now, std::string& error) = 0;
};

// The store for a db_url; null with the reason when it cannot be reached.
std::unique_ptr<LocationStore> open_location_store(const std::string& db_url, std::string& error);

}  // namespace kamc::runtime::usrloc
