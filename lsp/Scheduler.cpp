// The workers' loop: the first queued request whose root is free (after its
// root's pending analysis), else the first dirty free root whose debounce has
// passed. A root is claimed (busy) by one worker at a time.
#include "Scheduler.h"

#include <algorithm>

namespace kamc::lsp {

Scheduler::Scheduler(Workspace& workspace, std::chrono::milliseconds debounce, DiagnosticsCallback onDiagnostics,
                     size_t workers)
    : workspace_(workspace), debounce_(debounce), onDiagnostics_(std::move(onDiagnostics)) {
  for (size_t i = 0; i < std::max<size_t>(workers, 1); ++i) workers_.emplace_back([this] { run(); });
}

Scheduler::~Scheduler() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& w : workers_) w.join();
}

void Scheduler::markDirty(const std::string& root) {
  Root& r = roots_[root];
  r.dirty = true;
  r.unused = false;
  r.editedAt = std::chrono::steady_clock::now();
  ++r.generation;
}

void Scheduler::rerootOpenDocuments() {
  for (auto& [path, doc] : docs_) {
    std::string root = workspace_.rootFor(path);
    if (root == doc.root) continue;
    doc.root = root;
    markDirty(root);  // analysed again in the context of the config that includes it now
  }
}

void Scheduler::forgetRoot(const std::string& root) {
  auto it = roots_.find(root);
  if (it == roots_.end()) return;
  if (it->second.busy)
    it->second.unused = true;
  else
    roots_.erase(it);
}

void Scheduler::releaseRoot(const std::string& root) {
  auto it = roots_.find(root);
  it->second.busy = false;
  if (it->second.unused) roots_.erase(it);
  wake_.notify_all();  // requests of this root may have waited for it
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
    // After a publish of it under way, before any other: the server's empty
    // publish after this returns is the document's last.
    std::lock_guard<std::mutex> publishing(publishMutex_);
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = docs_.find(p);
    if (it == docs_.end()) return;
    workspace_.overlay().erase(p);
    std::string root = it->second.root;
    docs_.erase(it);
    published_.erase(p);  // the server clears them
    bool stillOpen = std::any_of(docs_.begin(), docs_.end(), [&](const auto& d) { return d.second.root == root; });
    if (!stillOpen)
      forgetRoot(root);  // nothing open reads it: free its analyses
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
    std::vector<std::string> affected;
    for (auto& [name, root] : roots_)
      if (root.latest && root.latest->reads(p)) affected.push_back(name);
    for (const std::string& name : affected) markDirty(name);
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
  {
    std::lock_guard<std::mutex> lock(mutex_);
    workspace_.scanFolder(folder);
    rerootOpenDocuments();
  }
  wake_.notify_all();
}

std::vector<std::string> Scheduler::removeFolder(const std::string& folder) {
  std::vector<std::string> cleared;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // An open config stays analysed, as its own root: its include edges stay.
    std::set<std::string> open;
    for (auto& [path, doc] : docs_) open.insert(path);
    workspace_.removeFolder(folder, open);
    rerootOpenDocuments();
    // The analyses of roots that no open document and no folder needs any more.
    std::set<std::string> needed;
    for (const std::string& r : workspace_.roots()) needed.insert(r);
    for (auto& [path, doc] : docs_) needed.insert(doc.root);
    std::vector<std::string> unneeded;
    for (auto& [name, r] : roots_)
      if (!needed.count(name)) unneeded.push_back(name);
    for (const std::string& name : unneeded) forgetRoot(name);
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
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const Request& r : requests_)
      if (r.key == key) cancelledKeys_.insert(key);
  }
  wake_.notify_all();  // a cancelled request is answered even while its root is busy
}

void Scheduler::flush() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [&] {
    if (jobsRunning_ || !requests_.empty()) return false;
    for (auto& [name, r] : roots_)
      if (r.dirty) return false;
    return true;
  });
}

size_t Scheduler::analysesRun() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return analysesRun_;
}
size_t Scheduler::analysesDropped() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return analysesDropped_;
}
size_t Scheduler::treesReused() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return treesReused_;
}
size_t Scheduler::analysesInProgress() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return analysing_;
}

void Scheduler::analyse(std::unique_lock<std::mutex>& lock, const std::string& root) {
  Root& r = roots_[root];  // claimed: not erased while this runs
  r.dirty = false;
  uint64_t generation = r.generation;
  FileOverlay overlay = workspace_.overlay();  // a snapshot: the loop may edit the live one meanwhile
  AnalysisOptions options = workspace_.options();
  // The previous analyses are handed to the update, which may reuse the tree
  // of the latest when it holds the only reference: the root is claimed, so
  // no request of it reads the tree meanwhile, and no new reference can be
  // taken (they are taken from roots_ under the lock).
  std::shared_ptr<const Analysis> previous = std::move(r.latest), previousGood = std::move(r.lastGood);
  if (previousGood == previous) previousGood.reset();
  ++analysing_;
  lock.unlock();
  std::shared_ptr<const Analysis> analysis = Analysis::update(previous, root, overlay, options);
  lock.lock();
  --analysing_;
  ++analysesRun_;
  if (analysis->reusedTree()) ++treesReused_;
  r.latest = analysis;
  // The last analysis with a whole tree answers navigation while the newest does not parse.
  if (analysis->parsedCleanly())
    r.lastGood = analysis;
  else if (previous && previous->parsedCleanly())
    r.lastGood = previous;
  else if (previousGood)
    r.lastGood = previousGood;
  else if (analysis->hasTree())
    r.lastGood = analysis;
  workspace_.learnIncludes(*analysis);
  if (r.generation != generation || r.unused) {  // edited while it ran: a newer analysis will publish
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
    std::lock_guard<std::mutex> publishing(publishMutex_);
    {
      std::lock_guard<std::mutex> relock(mutex_);
      if (!docs_.count(path)) continue;  // closed meanwhile: the server has cleared it
    }
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

void Scheduler::answer(std::unique_lock<std::mutex>& lock, Request& req, const std::string& root) {
  Root& r = roots_[root];
  r.busy = true;
  if (r.dirty || !r.latest) analyse(lock, root);
  std::shared_ptr<const Analysis> latest = r.latest, good = r.lastGood;
  auto doc = docs_.find(req.path);  // the analysis let the loop run: the document may be gone
  std::string text = doc != docs_.end() ? doc->second.text : std::string();
  lock.unlock();
  req.work(latest.get(), good.get(), text);
  latest.reset();  // before the root is released: the next analysis may reuse its tree
  good.reset();
  lock.lock();
  releaseRoot(root);
}

void Scheduler::answerWorkspace(std::unique_lock<std::mutex>& lock, Request& req) {
  std::set<std::string> names;
  for (const std::string& r : workspace_.roots()) names.insert(r);
  for (auto& [path, d] : docs_) names.insert(d.root);
  std::vector<std::shared_ptr<const Analysis>> analyses;
  for (const std::string& name : names) {
    if (analyses.size() >= 200) break;
    wake_.wait(lock, [&] { return stopping_ || !roots_[name].busy; });
    if (stopping_) return;
    Root& r = roots_[name];
    if (r.dirty || !r.latest) {
      r.busy = true;
      analyse(lock, name);
      if (r.latest) analyses.push_back(r.latest);
      releaseRoot(name);
    } else {
      analyses.push_back(r.latest);
    }
  }
  lock.unlock();
  req.workspaceWork(analyses);
  analyses.clear();
  lock.lock();
}

bool Scheduler::runNextRequest(std::unique_lock<std::mutex>& lock) {
  for (auto it = requests_.begin(); it != requests_.end(); ++it) {
    bool cancelled = cancelledKeys_.erase(it->key) > 0;
    std::string root;
    if (!cancelled && !it->workspaceWork) {
      auto doc = docs_.find(it->path);
      root = doc != docs_.end() ? doc->second.root : workspace_.rootFor(it->path);
      auto r = roots_.find(root);
      if (r != roots_.end() && r->second.busy) continue;  // after the work of its root under way
    }
    Request req = std::move(*it);
    requests_.erase(it);
    ++jobsRunning_;
    if (cancelled) {
      lock.unlock();
      req.cancelled();
      lock.lock();
    } else if (req.workspaceWork) {
      answerWorkspace(lock, req);
    } else {
      answer(lock, req, root);
    }
    --jobsRunning_;
    return true;
  }
  return false;
}

bool Scheduler::runDueAnalysis(std::unique_lock<std::mutex>& lock,
                               std::optional<std::chrono::steady_clock::time_point>& next) {
  // The free dirty root whose quiet period ends first.
  auto now = std::chrono::steady_clock::now();
  next.reset();
  std::string due;
  for (auto& [name, r] : roots_) {
    if (!r.dirty || r.busy) continue;
    auto at = r.editedAt + debounce_;
    if (!next || at < *next) {
      next = at;
      due = name;
    }
  }
  if (!next || *next > now) return false;
  ++jobsRunning_;
  roots_[due].busy = true;
  analyse(lock, due);
  releaseRoot(due);
  --jobsRunning_;
  return true;
}

void Scheduler::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (stopping_) return;
    std::optional<std::chrono::steady_clock::time_point> next;
    bool worked = runNextRequest(lock) || runDueAnalysis(lock, next);
    idle_.notify_all();
    if (worked) continue;
    if (next)
      wake_.wait_until(lock, *next);
    else
      wake_.wait(lock);
  }
}

}  // namespace kamc::lsp
