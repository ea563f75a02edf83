// The worker loop: requests first (each after its root's pending analysis),
// then the dirty roots whose debounce has passed.
#include "Scheduler.h"

#include <algorithm>

namespace kamc::lsp {

Scheduler::Scheduler(Workspace& workspace, std::chrono::milliseconds debounce, DiagnosticsCallback onDiagnostics)
    : workspace_(workspace), debounce_(debounce), onDiagnostics_(std::move(onDiagnostics)) {
  worker_ = std::thread([this] { run(); });
}

Scheduler::~Scheduler() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

void Scheduler::markDirty(const std::string& root) {
  Root& r = roots_[root];
  r.dirty = true;
  r.editedAt = std::chrono::steady_clock::now();
  ++r.generation;
}

void Scheduler::open(const std::string& path, std::string text, int64_t version) {
  std::string p = normalizePath(path);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    workspace_.overlay().set(p, text);
    Document& d = docs_[p];
    d.text = std::move(text);
    d.version = version;
    d.root = workspace_.rootFor(p);
    markDirty(d.root);
  }
  wake_.notify_all();
}

bool Scheduler::change(const std::string& path, std::string text, int64_t version) {
  std::string p = normalizePath(path);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = docs_.find(p);
    if (it == docs_.end()) return false;
    workspace_.overlay().set(p, text);
    it->second.text = std::move(text);
    it->second.version = version;
    it->second.root = workspace_.rootFor(p);
    markDirty(it->second.root);
  }
  wake_.notify_all();
  return true;
}

void Scheduler::close(const std::string& path) {
  std::string p = normalizePath(path);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = docs_.find(p);
    if (it == docs_.end()) return;
    workspace_.overlay().erase(p);
    std::string root = it->second.root;
    docs_.erase(it);
    published_.erase(p);  // the server clears them
    bool stillOpen = std::any_of(docs_.begin(), docs_.end(), [&](const auto& d) { return d.second.root == root; });
    if (!stillOpen)
      roots_.erase(root);  // nothing open reads it: free its analyses
    else if (root != p)
      markDirty(root);  // the disk's version of the file now counts for the configs including it
  }
  wake_.notify_all();
}

void Scheduler::changedOnDisk(const std::string& path) {
  std::string p = normalizePath(path);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (docs_.count(p)) return;  // the editor's buffer wins over the disk
    for (auto& [name, root] : roots_)
      if (root.latest && root.latest->reads(p)) markDirty(name);
  }
  wake_.notify_all();
}

std::optional<std::string> Scheduler::text(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = docs_.find(normalizePath(path));
  if (it == docs_.end()) return std::nullopt;
  return it->second.text;
}

void Scheduler::scanFolder(const std::string& folder) {
  std::lock_guard<std::mutex> lock(mutex_);
  workspace_.scanFolder(folder);
  for (auto& [path, doc] : docs_) {
    std::string root = workspace_.rootFor(path);
    if (root == doc.root) continue;
    doc.root = root;
    markDirty(root);  // analysed again in the context of the config that includes it now
  }
}

std::vector<std::string> Scheduler::removeFolder(const std::string& folder) {
  std::vector<std::string> cleared;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // An open config stays analysed, as its own root: its include edges stay.
    std::set<std::string> open;
    for (auto& [path, doc] : docs_) open.insert(path);
    workspace_.removeFolder(folder, open);
    for (auto& [path, doc] : docs_) {
      std::string root = workspace_.rootFor(path);
      if (root == doc.root) continue;
      doc.root = root;
      markDirty(root);
    }
    // The analyses of roots that no open document and no folder needs any more.
    std::set<std::string> needed;
    for (const std::string& r : workspace_.roots()) needed.insert(r);
    for (auto& [path, doc] : docs_) needed.insert(doc.root);
    std::erase_if(roots_, [&](const auto& r) { return !needed.count(r.first); });
    for (auto it = published_.begin(); it != published_.end();) {
      if (docs_.count(*it) || workspace_.inFolders(*it)) {
        ++it;
        continue;
      }
      cleared.push_back(*it);
      it = published_.erase(it);
    }
  }
  wake_.notify_all();
  return cleared;
}

void Scheduler::setEncoding(PositionEncoding enc) {
  std::lock_guard<std::mutex> lock(mutex_);
  workspace_.setEncoding(enc);
}

void Scheduler::request(const std::string& key, const std::string& path, Work work, std::function<void()> cancelled) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back({key, normalizePath(path), std::move(work), std::move(cancelled), nullptr});
  }
  wake_.notify_all();
}

void Scheduler::requestWorkspace(const std::string& key, WorkspaceWork work, std::function<void()> cancelled) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back({key, "", nullptr, std::move(cancelled), std::move(work)});
  }
  wake_.notify_all();
}

void Scheduler::cancel(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const Request& r : requests_)
    if (r.key == key) cancelledKeys_.insert(key);
}

void Scheduler::flush() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [&] {
    if (busy_ || !requests_.empty()) return false;
    for (auto& [name, r] : roots_)
      if (r.dirty) return false;
    return true;
  });
}

void Scheduler::analyse(std::unique_lock<std::mutex>& lock, const std::string& root) {
  Root& r = roots_[root];
  r.dirty = false;
  uint64_t generation = r.generation;
  FileOverlay overlay = workspace_.overlay();  // a snapshot: the loop may edit the live one meanwhile
  AnalysisOptions options = workspace_.options();
  // The previous analyses are handed to the update, which may reuse the tree
  // of the latest when it holds the only reference (requests run on this
  // thread, so none reads it meanwhile).
  std::shared_ptr<const Analysis> previous = std::move(r.latest), previousGood = std::move(r.lastGood);
  if (previousGood == previous) previousGood.reset();
  busy_ = true;
  lock.unlock();
  std::shared_ptr<const Analysis> analysis = Analysis::update(previous, root, overlay, options);
  lock.lock();
  busy_ = false;
  ++analysesRun_;
  if (analysis->reusedTree()) ++treesReused_;
  Root& after = roots_[root];
  after.latest = analysis;
  // The last analysis with a whole tree answers navigation while the newest does not parse.
  if (analysis->parsedCleanly())
    after.lastGood = analysis;
  else if (previous && previous->parsedCleanly())
    after.lastGood = previous;
  else if (previousGood)
    after.lastGood = previousGood;
  else if (analysis->hasTree())
    after.lastGood = analysis;
  workspace_.learnIncludes(*analysis);
  if (after.generation != generation) {  // edited while it ran: a newer analysis will publish
    ++analysesDropped_;
    return;
  }
  std::vector<std::pair<std::string, int64_t>> targets;
  for (auto& [path, doc] : docs_) {
    if (!analysis->reads(path)) continue;
    doc.root = root;
    targets.emplace_back(path, doc.version);
  }
  lock.unlock();
  std::vector<std::pair<std::string, bool>> nonEmpty;
  for (auto& [path, version] : targets) {
    std::vector<FileDiagnostic> diags = analysis->diagnostics(path);
    nonEmpty.emplace_back(path, !diags.empty());
    onDiagnostics_(path, version, diags);
  }
  // The replaced analyses are freed after publishing, off the edit's latency.
  previous.reset();
  previousGood.reset();
  lock.lock();
  for (auto& [path, any] : nonEmpty) {
    if (any)
      published_.insert(path);
    else
      published_.erase(path);
  }
}

void Scheduler::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (stopping_) return;
    if (!requests_.empty()) {
      Request req = std::move(requests_.front());
      requests_.pop_front();
      if (cancelledKeys_.erase(req.key)) {
        lock.unlock();
        req.cancelled();
        lock.lock();
        idle_.notify_all();
        continue;
      }
      if (req.workspaceWork) {
        std::set<std::string> roots;
        for (const std::string& r : workspace_.roots()) roots.insert(r);
        for (auto& [path, d] : docs_) roots.insert(d.root);
        std::vector<std::shared_ptr<const Analysis>> analyses;
        for (const std::string& r : roots) {
          if (analyses.size() >= 200) break;
          if (roots_[r].dirty || !roots_[r].latest) analyse(lock, r);
          if (roots_[r].latest) analyses.push_back(roots_[r].latest);
        }
        busy_ = true;
        lock.unlock();
        req.workspaceWork(analyses);
        lock.lock();
        busy_ = false;
        idle_.notify_all();
        continue;
      }
      auto doc = docs_.find(req.path);
      std::string root = doc != docs_.end() ? doc->second.root : workspace_.rootFor(req.path);
      if (roots_[root].dirty || !roots_[root].latest) analyse(lock, root);
      std::shared_ptr<const Analysis> latest = roots_[root].latest, good = roots_[root].lastGood;
      doc = docs_.find(req.path);  // the analysis let the loop run: the document may be gone
      std::string text = doc != docs_.end() ? doc->second.text : std::string();
      busy_ = true;
      lock.unlock();
      req.work(latest.get(), good.get(), text);
      lock.lock();
      busy_ = false;
      idle_.notify_all();
      continue;
    }
    // The dirty root whose quiet period ends first.
    auto now = std::chrono::steady_clock::now();
    std::optional<std::chrono::steady_clock::time_point> next;
    std::string due;
    for (auto& [name, r] : roots_) {
      if (!r.dirty) continue;
      auto at = r.editedAt + debounce_;
      if (!next || at < *next) {
        next = at;
        due = name;
      }
    }
    if (next && *next <= now) {
      analyse(lock, due);
      idle_.notify_all();
      continue;
    }
    idle_.notify_all();
    if (next)
      wake_.wait_until(lock, *next);
    else
      wake_.wait(lock);
  }
}

}  // namespace kamc::lsp
