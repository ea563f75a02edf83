// Process-wide background work, off the SIP workers: a small thread pool for tasks that
// block (waiting for a child process, a database query) and periodic jobs (usrloc
// expiry and write-back, nonce rotation). Kamailio runs these in its timer and
// dedicated processes; here they are threads of the one process. A SIP worker never
// runs them, so a slow job cannot hold a message. The threads start on first use.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace kamc::runtime {

class BackgroundTasks {
 public:
  using Clock = std::chrono::steady_clock;
  using Task = std::function<void()>;

  explicit BackgroundTasks(std::size_t threads = 2) : thread_count_(threads) {}
  ~BackgroundTasks() { stop(); }
  BackgroundTasks(const BackgroundTasks&) = delete;
  BackgroundTasks& operator=(const BackgroundTasks&) = delete;

  // Runs `task` on a background thread as soon as one is free. false after stop().
  bool post(Task task);
  // Runs `task` every `interval` (first after one interval) until cancelled or stopped;
  // a run that is still going when the next is due delays it rather than overlapping.
  // Returns an id for cancel(), or 0 after stop().
  std::uint64_t every(std::chrono::milliseconds interval, Task task);
  void cancel(std::uint64_t id);
  // No new runs; waits for the runs under way and joins the threads. Tasks that were
  // posted but not started are dropped. Idempotent.
  void stop();

  std::size_t pending() const;

 private:
  struct Periodic {
    std::chrono::milliseconds interval;
    Task task;
    Clock::time_point due;
    bool running = false;
  };
  void start_locked();
  void run_thread();
  // The next thing to run, or an empty task when stopping; waits as needed.
  Task next(std::unique_lock<std::mutex>& lock);

  std::size_t thread_count_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Task> queue_;
  std::map<std::uint64_t, Periodic> periodic_;
  std::uint64_t next_id_ = 1;
  std::vector<std::thread> threads_;
  bool stopping_ = false;
};

}  // namespace kamc::runtime
