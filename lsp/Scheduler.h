// Runs analyses and requests off the message loop (clangd's TUScheduler).
// Each open document has its text, its version and the root config it is
// analysed under; each root keeps its last analysis and its last one with a
// whole tree. Edits are debounced, and an analysis whose input changed while
// it ran is dropped unpublished. Requests queue behind the analysis of their
// document and can be cancelled until they start.
//
// One worker thread does all analyses. Parsing is one at a time anyway
// (parseConfig holds a lock: ANTLR 4.9 shares its DFA cache between parsers
// without complete locking); tests/lsp's ConcurrentParses test parses from
// several threads at once and checks every tree against a sequential parse.
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

#include "Features.h"

namespace kamc::lsp {

class Scheduler {
 public:
  // Called on the worker after each analysis, once per open document the
  // analysis read, with the version of that document it saw.
  using DiagnosticsCallback =
      std::function<void(const std::string& path, int64_t version, const std::vector<FileDiagnostic>&)>;
  // A request runs with the document's text and the freshest analysis of its
  // root (the last one with a whole tree when the newest has syntax errors).
  using Work = std::function<void(const Analysis* analysis, const Analysis* lastGood, const std::string& text)>;

  Scheduler(Workspace& workspace, std::chrono::milliseconds debounce, DiagnosticsCallback onDiagnostics);
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

  // Figures for the benchmark.
  size_t analysesRun() const { return analysesRun_; }
  size_t analysesDropped() const { return analysesDropped_; }
  size_t treesReused() const { return treesReused_; }

 private:
  struct Document {
    std::string text;
    int64_t version = 0;
    std::string root;
  };
  struct Root {
    bool dirty = false;
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
  void run();
  // With the lock held; releases it while analysing.
  void analyse(std::unique_lock<std::mutex>& lock, const std::string& root);

  Workspace& workspace_;
  std::chrono::milliseconds debounce_;
  DiagnosticsCallback onDiagnostics_;
  mutable std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::map<std::string, Document> docs_;
  std::map<std::string, Root> roots_;
  std::deque<Request> requests_;
  std::set<std::string> cancelledKeys_;
  std::set<std::string> published_;  // files whose last published diagnostics were not empty
  bool busy_ = false;
  bool stopping_ = false;
  size_t analysesRun_ = 0, analysesDropped_ = 0, treesReused_ = 0;
  std::thread worker_;
};

}  // namespace kamc::lsp
