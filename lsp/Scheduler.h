// Runs analyses and requests off the message loop (clangd's TUScheduler).
// Each open document has its text, its version and the root config it is
// analysed under; each root keeps its last analysis and its last one with a
// whole tree. Edits are debounced, and an analysis whose input changed while
// it ran is dropped unpublished. Requests queue behind the analysis of their
// document and can be cancelled until they start.
//
// A small pool of workers serves the roots, at most one worker per root at a
// time: the work of one root (its analyses, then its requests, in order) never
// overlaps itself, and a slow analysis of one root does not delay the requests
// of another. Parsing itself is one at a time (parseConfig holds a lock: ANTLR
// 4.9 shares its DFA cache between parsers without complete locking), so two
// roots edited at once still parse in turn; preprocessing, the checks and
// every request run in parallel. tests/lsp's ConcurrentParses and
// ConcurrentAnalyses tests run parses and whole analyses from several threads
// at once and check each result against a sequential one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "Features.h"

namespace kamc::lsp {

class Scheduler {
 public:
  // Called on a worker after each analysis, once per open document the
  // analysis read, with the version of that document it saw.
  using DiagnosticsCallback =
      std::function<void(const std::string& path, int64_t version, const std::vector<FileDiagnostic>&)>;
  // A request runs with the document's text and the freshest analysis of its
  // root (the last one with a whole tree when the newest has syntax errors).
  using Work = std::function<void(const Analysis* analysis, const Analysis* lastGood, const std::string& text)>;

  static constexpr size_t kDefaultWorkers = 4;
  Scheduler(Workspace& workspace, std::chrono::milliseconds debounce, DiagnosticsCallback onDiagnostics,
            size_t workers = kDefaultWorkers);
  ~Scheduler();

  void open(const std::string& path, std::string text, int64_t version);
  // False when the document is not open.
  bool change(const std::string& path, std::string text, int64_t version);
  void close(const std::string& path);
  // A file changed on disk (workspace/didChangeWatchedFiles): the roots whose
  // last analysis read it are analysed again.
  void changedOnDisk(const std::string& path);
  std::optional<std::string> text(const std::string& path) const;
  void scanFolder(const std::string& folder);
  // A workspace folder was removed: its configs are forgotten (no longer
  // roots or includers), open documents whose root changed are analysed again
  // in their new context. Returns the files that had diagnostics published
  // and are now neither open nor inside a remaining folder: the server clears them.
  std::vector<std::string> removeFolder(const std::string& folder);
  void setEncoding(PositionEncoding enc);

  // Queues work for a document; `cancelled` runs instead if cancel(key) comes first.
  void request(const std::string& key, const std::string& path, Work work, std::function<void()> cancelled);
  // Work over the analyses of every root config of the workspace and of the
  // open documents (at most 200 roots), analysing those not yet analysed.
  using WorkspaceWork = std::function<void(const std::vector<std::shared_ptr<const Analysis>>& analyses)>;
  void requestWorkspace(const std::string& key, WorkspaceWork work, std::function<void()> cancelled);
  void cancel(const std::string& key);
  // Waits until every queued analysis and request is done (tests, shutdown).
  void flush();

  // Figures for the benchmark and the tests.
  size_t analysesRun() const;
  size_t analysesDropped() const;
  size_t treesReused() const;
  size_t analysesInProgress() const;

 private:
  struct Document {
    std::string text;
    int64_t version = 0;
    std::string root;
  };
  struct Root {
    bool dirty = false;
    bool busy = false;    // a worker is analysing it or answering one of its requests
    bool unused = false;  // nothing needs it any more: erased when its worker lets go
    std::chrono::steady_clock::time_point editedAt;
    uint64_t generation = 0;  // bumped by every edit of a file of this root
    std::shared_ptr<const Analysis> latest, lastGood;
  };
  struct Request {
    std::string key, path;
    Work work;
    std::function<void()> cancelled;
    WorkspaceWork workspaceWork;  // set instead of work for workspace-wide requests
  };

  void markDirty(const std::string& root);
  // After the workspace's folders changed: each open document under the root
  // config that includes it now (under the lock).
  void rerootOpenDocuments();
  // Erases a root's analyses now, or when its worker lets go of it.
  void forgetRoot(const std::string& root);
  void releaseRoot(const std::string& root);
  void run();
  // Each with the lock held: false when there is nothing to do now.
  bool runNextRequest(std::unique_lock<std::mutex>& lock);
  bool runDueAnalysis(std::unique_lock<std::mutex>& lock, std::optional<std::chrono::steady_clock::time_point>& next);
  void answer(std::unique_lock<std::mutex>& lock, Request& req, const std::string& root);
  void answerWorkspace(std::unique_lock<std::mutex>& lock, Request& req);
  // With the lock held and the root claimed (busy); releases the lock while analysing.
  void analyse(std::unique_lock<std::mutex>& lock, const std::string& root);

  Workspace& workspace_;
  std::chrono::milliseconds debounce_;
  DiagnosticsCallback onDiagnostics_;
  mutable std::mutex mutex_;
  // Held (before mutex_) while one document's diagnostics are handed to the
  // callback, and by close(): no publish of a document follows its close.
  std::mutex publishMutex_;
  std::condition_variable wake_, idle_;
  std::map<std::string, Document> docs_;
  std::map<std::string, Root> roots_;  // a busy root is never erased: workers hold references
  std::deque<Request> requests_;
  std::set<std::string> cancelledKeys_;
  std::set<std::string> published_;  // files whose last published diagnostics were not empty
  size_t jobsRunning_ = 0;           // requests and analyses under way
  size_t analysing_ = 0;
  bool stopping_ = false;
  size_t analysesRun_ = 0, analysesDropped_ = 0, treesReused_ = 0;
  std::vector<std::thread> workers_;
};

}  // namespace kamc::lsp
