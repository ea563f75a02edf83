// usrloc: the in-memory location table, its expiry timer and its database writer
// (usrloc.h). Workers only touch memory; every database statement runs on the
// module's writer thread or on a background thread (db_mode 3), never on a worker.
#include "usrloc.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "../core/background_tasks.h"
#include "../core/module.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/runtime.h"
#include "usrloc_store.h"

namespace kamc::runtime {

extern const ModuleExports kUsrlocModule;

namespace usrloc {

namespace {

std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

// What changed between two versions of one record's bindings, by ruid.
Change diff(const std::string& aor, const std::vector<Binding>& before, const std::vector<Binding>& after) {
  Change change;
  change.aor = aor;
  for (const Binding& old : before) {
    bool kept = std::any_of(after.begin(), after.end(), [&](const Binding& b) { return b.ruid == old.ruid; });
    if (!kept) change.deleted_ruids.push_back(old.ruid);
  }
  for (const Binding& now : after) {
    auto old = std::find_if(before.begin(), before.end(), [&](const Binding& b) { return b.ruid == now.ruid; });
    if (old == before.end() || !(*old == now)) change.upserts.push_back(now);
  }
  return change;
}

// One usrloc table in memory: 2^hash_size slots, each with its own lock.
class MemoryDomain final : public Domain {
 public:
  MemoryDomain(std::string name, int hash_size) : name_(std::move(name)), slots_(std::size_t{1} << hash_size) {}

  const std::string& name() const override { return name_; }

  Change edit(const std::string& aor, const std::function<void(Record&)>& edit) override {
    Slot& slot = slot_of(aor);
    std::lock_guard lock(slot.mutex);
    auto [it, inserted] = slot.records.try_emplace(aor, Record{aor, {}});
    std::vector<Binding> before = it->second.bindings;
    edit(it->second);
    Change change = diff(aor, before, it->second.bindings);
    if (it->second.bindings.empty()) slot.records.erase(it);
    return change;
  }

  std::optional<Record> get(const std::string& aor) override {
    Slot& slot = slot_of(aor);
    std::lock_guard lock(slot.mutex);
    auto it = slot.records.find(aor);
    if (it == slot.records.end()) return std::nullopt;
    return it->second;
  }

  // Removes expired bindings; returns what the database must forget.
  std::vector<Change> expire(std::int64_t now) {
    std::vector<Change> changes;
    for (Slot& slot : slots_) {
      std::lock_guard lock(slot.mutex);
      for (auto it = slot.records.begin(); it != slot.records.end();) {
        Change change;
        change.aor = it->first;
        auto& bindings = it->second.bindings;
        for (auto b = bindings.begin(); b != bindings.end();) {
          if (b->valid_at(now)) {
            ++b;
            continue;
          }
          change.deleted_ruids.push_back(b->ruid);
          b = bindings.erase(b);
        }
        if (!change.empty()) changes.push_back(std::move(change));
        it = bindings.empty() ? slot.records.erase(it) : std::next(it);
      }
    }
    return changes;
  }

  void add_loaded(Record record) {
    Slot& slot = slot_of(record.aor);
    std::lock_guard lock(slot.mutex);
    slot.records[record.aor] = std::move(record);
  }

  std::size_t binding_count() {
    std::size_t count = 0;
    for (Slot& slot : slots_) {
      std::lock_guard lock(slot.mutex);
      for (auto& [aor, record] : slot.records) count += record.bindings.size();
    }
    return count;
  }

 private:
  struct Slot {
    std::mutex mutex;
    std::unordered_map<std::string, Record> records;
  };
  Slot& slot_of(const std::string& aor) { return slots_[aor_hash(aor) & (slots_.size() - 1)]; }

  std::string name_;
  std::vector<Slot> slots_;
};

// The database writer: one thread, one connection. Jobs queued together are written in
// one transaction (group commit), so a burst of REGISTERs costs one fsync-free commit.
class Writer {
 public:
  Writer(std::unique_ptr<LocationStore> store, bool use_domain) : store_(std::move(store)), use_domain_(use_domain) {}
  ~Writer() { stop(); }

  void start() { thread_ = std::thread([this] { run(); }); }

  bool enqueue(std::string table, Change change, std::function<void(bool)> done) {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    jobs_.push_back(Job{std::move(table), std::move(change), std::move(done)});
    wake_.notify_one();
    return true;
  }

  // Runs `task` with the store on the writer thread and waits for it (start-up load,
  // db_mode 3, the final flush).
  bool run_sync(const std::function<bool(LocationStore&)>& task) {
    std::lock_guard lock(store_mutex_);
    return task(*store_);
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
      wake_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  struct Job {
    std::string table;
    Change change;
    std::function<void(bool)> done;
  };

  void run() {
    for (;;) {
      std::deque<Job> batch;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty() && stopping_) return;
        batch.swap(jobs_);
      }
      write(batch);
    }
  }

  void write(std::deque<Job>& batch) {
    std::map<std::string, std::vector<const Change*>> by_table;
    for (const Job& job : batch) by_table[job.table].push_back(&job.change);
    std::map<std::string, bool> outcome;
    {
      std::lock_guard lock(store_mutex_);
      for (auto& [table, changes] : by_table) {
        std::string error;
        bool ok = store_->apply(table, use_domain_, changes, error);
        if (!ok) log_format(L_ERR, "usrloc: writing to table '%s' failed: %s", table.c_str(), error.c_str());
        outcome[table] = ok;
      }
    }
    for (Job& job : batch) {
      if (job.done) job.done(outcome[job.table]);
    }
  }

  std::unique_ptr<LocationStore> store_;
  bool use_domain_;
  std::mutex store_mutex_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

class Service final : public LocationService {
 public:
  explicit Service(Settings settings) : settings_(std::move(settings)) {}

  bool open(Runtime& runtime, std::string& error) {
    if (settings_.db_mode != DbMode::MemoryOnly && !runtime.config_check()) {
      if (settings_.db_url.empty()) {
        error = "usrloc: db_mode " + std::to_string(static_cast<int>(settings_.db_mode)) + " needs a db_url";
        return false;
      }
      auto store = open_location_store(settings_.db_url, error);
      if (!store) {
        error = "usrloc: " + error;
        return false;
      }
      writer_ = std::make_unique<Writer>(std::move(store), settings_.use_domain);
      writer_->start();
    }
    auto interval = std::chrono::seconds(std::max(1, settings_.timer_interval));
    // The runtime stops its periodic jobs before any module's destroy, so no run
    // outlives this service.
    runtime.background().every(interval, [this] { on_timer(); });
    return true;
  }

  // Final write-back flush on a clean shutdown, then the writer stops.
  void close() {
    if (settings_.db_mode == DbMode::WriteBack) flush_write_back();
    if (writer_) writer_->stop();
  }

  const Settings& settings() const override { return settings_; }

  Domain* domain(std::string_view table, std::string& error) override {
    std::lock_guard lock(domains_mutex_);
    for (auto& domain : domains_) {
      if (domain->name() == table) return domain.get();
    }
    auto domain = std::make_unique<MemoryDomain>(std::string(table), std::clamp(settings_.hash_size, 1, 16));
    if (writer_) {
      std::string name(table);
      bool load = settings_.db_mode == DbMode::WriteThrough || settings_.db_mode == DbMode::WriteBack;
      std::vector<Record> records;
      bool ok = writer_->run_sync([&](LocationStore& store) {
        return store.prepare_table(name, error) && (!load || store.load(name, settings_.use_domain, records, error));
      });
      if (!ok) {
        error = "usrloc: table '" + name + "': " + error;
        return nullptr;
      }
      for (Record& record : records) {
        std::stable_sort(record.bindings.begin(), record.bindings.end(),
                         [](const Binding& a, const Binding& b) { return a.q > b.q; });
        domain->add_loaded(std::move(record));
      }
      if (load) log_format(L_INFO, "usrloc: loaded %zu records of table '%s'", records.size(), name.c_str());
    }
    domains_.push_back(std::move(domain));
    return domains_.back().get();
  }

  bool write_through(const std::string& table, Change change, std::function<void(bool)> done) override {
    return writer_ && writer_->enqueue(table, std::move(change), std::move(done));
  }

  void write_back(const std::string& table, Change change) override {
    std::lock_guard lock(pending_mutex_);
    PendingTable& pending = pending_[table];
    for (std::string& ruid : change.deleted_ruids) {
      pending.rows[ruid] = PendingRow{change.aor, std::nullopt};
    }
    for (Binding& binding : change.upserts) {
      std::string ruid = binding.ruid;
      pending.rows[ruid] = PendingRow{change.aor, std::move(binding)};
    }
  }

  std::optional<Change> edit_in_db(const std::string& table, const std::string& aor,
                                   const std::function<void(Record&)>& edit, std::string& error) override {
    std::optional<Change> result;
    writer_->run_sync([&](LocationStore& store) {
      Record record;
      if (!store.load_one(table, settings_.use_domain, aor, record, error)) return false;
      std::vector<Binding> before = record.bindings;
      edit(record);
      Change change = diff(aor, before, record.bindings);
      if (!change.empty() && !store.apply(table, settings_.use_domain, {&change}, error)) return false;
      result = std::move(change);
      return true;
    });
    return result;
  }

  std::optional<std::optional<Record>> get_from_db(const std::string& table, const std::string& aor,
                                                   std::string& error) override {
    std::optional<std::optional<Record>> result;
    writer_->run_sync([&](LocationStore& store) {
      Record record;
      if (!store.load_one(table, settings_.use_domain, aor, record, error)) return false;
      std::stable_sort(record.bindings.begin(), record.bindings.end(),
                       [](const Binding& a, const Binding& b) { return a.q > b.q; });
      result = record.bindings.empty() ? std::optional<Record>() : std::optional<Record>(std::move(record));
      return true;
    });
    return result;
  }

  std::size_t binding_count() override {
    std::lock_guard lock(domains_mutex_);
    std::size_t count = 0;
    for (auto& domain : domains_) count += domain->binding_count();
    return count;
  }

 private:
  struct PendingRow {
    std::string aor;
    std::optional<Binding> binding;  // nullopt: delete
  };
  struct PendingTable {
    std::map<std::string, PendingRow> rows;  // by ruid: the last change wins
  };

  void on_timer() {
    std::int64_t now = now_seconds();
    std::vector<std::pair<std::string, std::vector<Change>>> expired;
    {
      std::lock_guard lock(domains_mutex_);
      for (auto& domain : domains_) expired.emplace_back(domain->name(), domain->expire(now));
    }
    switch (settings_.db_mode) {
      case DbMode::MemoryOnly:
        break;
      case DbMode::WriteThrough:
        for (auto& [table, changes] : expired) {
          for (Change& change : changes) writer_->enqueue(table, std::move(change), nullptr);
        }
        break;
      case DbMode::WriteBack:
        for (auto& [table, changes] : expired) {
          for (Change& change : changes) write_back(table, std::move(change));
        }
        flush_write_back();
        break;
      case DbMode::DbOnly: {
        std::vector<std::string> tables;
        {
          std::lock_guard lock(domains_mutex_);
          for (auto& domain : domains_) tables.push_back(domain->name());
        }
        writer_->run_sync([&](LocationStore& store) {
          for (const std::string& table : tables) {
            std::string error;
            if (!store.delete_expired(table, now, error)) {
              log_format(L_ERR, "usrloc: removing expired rows of '%s' failed: %s", table.c_str(), error.c_str());
            }
          }
          return true;
        });
        break;
      }
    }
  }

  // Everything changed since the last flush, written in one transaction per table.
  void flush_write_back() {
    std::map<std::string, PendingTable> pending;
    {
      std::lock_guard lock(pending_mutex_);
      pending.swap(pending_);
    }
    for (auto& [table_name, rows] : pending) {
      // A named copy: clang before 16 cannot capture a structured binding in a lambda.
      const std::string& table = table_name;
      std::map<std::string, Change> by_aor;
      for (auto& [ruid, row] : rows.rows) {
        Change& change = by_aor[row.aor];
        change.aor = row.aor;
        if (row.binding) change.upserts.push_back(std::move(*row.binding));
        else change.deleted_ruids.push_back(ruid);
      }
      std::vector<const Change*> changes;
      for (auto& [aor, change] : by_aor) changes.push_back(&change);
      writer_->run_sync([&](LocationStore& store) {
        std::string error;
        if (store.apply(table, settings_.use_domain, changes, error)) return true;
        log_format(L_ERR, "usrloc: write-back to '%s' failed: %s", table.c_str(), error.c_str());
        return false;
      });
    }
  }

  Settings settings_;
  std::unique_ptr<Writer> writer_;
  std::mutex domains_mutex_;
  std::vector<std::unique_ptr<MemoryDomain>> domains_;
  std::mutex pending_mutex_;
  std::map<std::string, PendingTable> pending_;
};

bool init_usrloc(ModuleInstance& module, std::string& error) {
  Settings settings;
  long long mode = module.param_number("db_mode");
  if (mode < 0 || mode > 3) {
    error = "usrloc: db_mode " + std::to_string(mode) + " is not 0..3";
    return false;
  }
  long long matching = module.param_number("matching_mode");
  if (matching < 0 || matching > 3) {
    error = "usrloc: matching_mode " + std::to_string(matching) + " is not 0..3";
    return false;
  }
  settings.db_mode = static_cast<DbMode>(mode);
  settings.db_url = module.param_text("db_url");
  settings.timer_interval = static_cast<int>(module.param_number("timer_interval"));
  settings.use_domain = module.param_number("use_domain") != 0;
  settings.nat_bflag = static_cast<int>(module.param_number("nat_bflag"));
  settings.matching_mode = static_cast<MatchingMode>(matching);
  settings.hash_size = static_cast<int>(module.param_number("hash_size"));
  settings.desc_time_order = module.param_number("desc_time_order") != 0;
  settings.cseq_delay = static_cast<int>(module.param_number("cseq_delay"));
  auto service = std::make_shared<Service>(std::move(settings));
  if (!service->open(module.runtime(), error)) return false;
  module.state = service;
  return true;
}

void destroy_usrloc(ModuleInstance& module) {
  if (module.state) module.state_as<Service>().close();
}

// Kamailio's defaults (usrloc 5.6). db_url's default is Kamailio's MySQL URL; it is only
// opened when db_mode is not 0.
constexpr std::array<ParamExport, 11> kParams{{
    {"db_mode", 0},
    {"db_url", 0, "mysql://kamailio:kamailiorw@localhost/kamailio"},
    {"timer_interval", 60},
    {"use_domain", 0},
    {"nat_bflag", -1},
    {"matching_mode", 0},
    {"hash_size", 10},
    {"desc_time_order", 0},
    {"cseq_delay", 20},
    {"handle_lost_tcp", 0},
    {"db_load", 1},
}};

}  // namespace

void insert_ordered(Record& record, Binding binding, bool desc_time_order) {
  auto& bindings = record.bindings;
  auto position = bindings.begin();
  if (!desc_time_order) {  // by q, and after the bindings of the same q
    while (position != bindings.end() && position->q >= binding.q) ++position;
  }
  bindings.insert(position, std::move(binding));
}

std::uint32_t aor_hash(std::string_view aor) {
  // FNV-1a: any well-mixed hash serves; only the slot index depends on it.
  std::uint32_t hash = 2166136261u;
  for (unsigned char c : aor) {
    hash ^= c;
    hash *= 16777619u;
  }
  return hash;
}

LocationService* usrloc_of(const Runtime& runtime) {
  static const std::size_t index = module_index(kUsrlocModule);
  ModuleInstance& module = runtime.module(index);
  if (!module.loaded || !module.state) return nullptr;
  return &module.state_as<Service>();
}

}  // namespace usrloc

extern const ModuleExports kUsrlocModule{
    .name = "usrloc",
    .params = usrloc::kParams,
    .init = usrloc::init_usrloc,
    .destroy = usrloc::destroy_usrloc,
};

}  // namespace kamc::runtime
