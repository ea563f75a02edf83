// usrloc: the location table of the registrar (Kamailio's usrloc module). Bindings are
// kept in memory, keyed by address of record and sharded by hash; the database behind
// db_url keeps them across restarts, with Kamailio's `location` schema (db_mode 0-3,
// docs/registrar.md). The registrar reaches it through usrloc_of(); nothing here
// parses SIP.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kamc::runtime {
class Runtime;
class MessageContext;
}

namespace kamc::runtime::usrloc {

constexpr int kQUnspecified = -1;  // Kamailio's Q_UNSPECIFIED: no q parameter given
constexpr std::uint32_t kAllMethods = 0xFFFFFFFF;

// One contact of an address of record (Kamailio's ucontact_t).
struct Binding {
  std::string ruid;  // record unique id: the row's key in the database
  std::string contact;
  std::string received;
  std::string path;
  std::int64_t expires = 0;  // absolute, Unix seconds; 0 = permanent
  int q = kQUnspecified;     // 0..1000
  std::string call_id;
  std::uint32_t cseq = 0;
  std::uint32_t flags = 0;   // usrloc's own flags
  std::uint32_t cflags = 0;  // the branch flags saved with it (NAT flag, ...)
  std::string user_agent;
  std::string socket;        // "udp:127.0.0.1:5060", the socket it registered on
  std::uint32_t methods = kAllMethods;
  std::string instance;      // +sip.instance
  std::uint32_t reg_id = 0;
  std::int64_t last_modified = 0;

  bool valid_at(std::int64_t now) const { return expires == 0 || expires > now; }
  bool operator==(const Binding&) const = default;
};

// Every binding of one address of record, in lookup order: by q, highest first, and
// then oldest first (newest first with desc_time_order), as Kamailio keeps them.
struct Record {
  std::string aor;
  std::vector<Binding> bindings;
};

// How bindings are matched to a REGISTER's contacts (modparam matching_mode).
enum class MatchingMode { ContactOnly = 0, ContactCallId = 1, ContactPath = 2, CallIdOnly = 3 };

enum class DbMode { MemoryOnly = 0, WriteThrough = 1, WriteBack = 2, DbOnly = 3 };

// What a change to a record needs written: rows to insert or replace, rows to delete.
struct Change {
  std::vector<Binding> upserts;
  std::vector<std::string> deleted_ruids;
  std::string aor;
  bool empty() const { return upserts.empty() && deleted_ruids.empty(); }
};

struct Settings {
  DbMode db_mode = DbMode::MemoryOnly;
  std::string db_url;
  int timer_interval = 60;
  bool use_domain = false;
  int nat_bflag = -1;
  MatchingMode matching_mode = MatchingMode::ContactOnly;
  int hash_size = 10;  // the table has 2^hash_size slots
  bool desc_time_order = false;
  int cseq_delay = 20;  // a REGISTER with the same CSeq within this is a retransmission
};

// Inserts `binding` into `record` at its place in lookup order.
void insert_ordered(Record& record, Binding binding, bool desc_time_order);

class LocationService;

// The registrar's view of usrloc for one table ("location"): every call is safe from
// any worker. An edit runs under the record's lock and returns what it changed.
class Domain {
 public:
  virtual ~Domain() = default;
  virtual const std::string& name() const = 0;
  // Runs `edit` on the record of `aor` (an empty record when there is none; a record
  // left empty is removed). Returns the change for the database.
  virtual Change edit(const std::string& aor, const std::function<void(Record&)>& edit) = 0;
  // A copy of the record, or nullopt when the AoR has no bindings.
  virtual std::optional<Record> get(const std::string& aor) = 0;
};

// The module's state: the settings, the tables and the database writer.
class LocationService {
 public:
  virtual ~LocationService() = default;
  virtual const Settings& settings() const = 0;
  // The table of that name (Kamailio's udomain), made on first use at fixup time.
  virtual Domain* domain(std::string_view table, std::string& error) = 0;
  // db_mode 1: hands `change` to the writer; `done(ok)` runs on the writer's thread once
  // the transaction committed (ok) or failed. false when it could not be queued.
  virtual bool write_through(const std::string& table, Change change, std::function<void(bool ok)> done) = 0;
  // db_mode 2: remembered until the next timer flush (or shutdown).
  virtual void write_back(const std::string& table, Change change) = 0;
  // db_mode 3: the same contract as Domain::edit/get, on the database; blocking.
  virtual std::optional<Change> edit_in_db(const std::string& table, const std::string& aor,
                                           const std::function<void(Record&)>& edit, std::string& error) = 0;
  virtual std::optional<std::optional<Record>> get_from_db(const std::string& table, const std::string& aor,
                                                           std::string& error) = 0;
  // Bindings in memory (all tables), for tests and benchmarks.
  virtual std::size_t binding_count() = 0;
};

// usrloc's state in this runtime; null when the module is not loaded.
LocationService* usrloc_of(const Runtime& runtime);

// The AoR's hash, as the table's slot index uses it (Kamailio's core_hash).
std::uint32_t aor_hash(std::string_view aor);

}  // namespace kamc::runtime::usrloc
