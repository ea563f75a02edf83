// The background thread pool and its periodic jobs.
#include "background_tasks.h"

#include "kamc/runtime/log.h"

namespace kamc::runtime {

bool BackgroundTasks::post(Task task) {
  std::lock_guard lock(mutex_);
  if (stopping_) return false;
  start_locked();
  queue_.push_back(std::move(task));
  changed_.notify_one();
  return true;
}

std::uint64_t BackgroundTasks::every(std::chrono::milliseconds interval, Task task) {
  std::lock_guard lock(mutex_);
  if (stopping_) return 0;
  start_locked();
  if (interval.count() <= 0) interval = std::chrono::milliseconds(1);
  std::uint64_t id = next_id_++;
  periodic_.emplace(id, Periodic{interval, std::move(task), Clock::now() + interval});
  changed_.notify_all();
  return id;
}

void BackgroundTasks::cancel(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  periodic_.erase(id);
}

void BackgroundTasks::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
    periodic_.clear();
    threads.swap(threads_);
    changed_.notify_all();
  }
  for (auto& thread : threads) {
    if (thread.get_id() != std::this_thread::get_id()) thread.join();
    else thread.detach();  // stop() from a task: the thread ends when the task returns
  }
}

std::size_t BackgroundTasks::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void BackgroundTasks::start_locked() {
  while (threads_.size() < thread_count_) threads_.emplace_back([this] { run_thread(); });
}

BackgroundTasks::Task BackgroundTasks::next(std::unique_lock<std::mutex>& lock) {
  while (!stopping_) {
    if (!queue_.empty()) {
      Task task = std::move(queue_.front());
      queue_.pop_front();
      return task;
    }
    Clock::time_point now = Clock::now();
    Clock::time_point wake = Clock::time_point::max();
    for (auto& [id, job] : periodic_) {
      if (job.running) continue;
      if (job.due <= now) {
        job.running = true;
        std::uint64_t job_id = id;
        Task run = job.task;
        // Rescheduled when the run ends, so that runs of one job never overlap.
        return [this, job_id, run = std::move(run)] {
          run();
          std::lock_guard relock(mutex_);
          auto it = periodic_.find(job_id);
          if (it == periodic_.end()) return;
          it->second.running = false;
          it->second.due = Clock::now() + it->second.interval;
          changed_.notify_all();
        };
      }
      wake = std::min(wake, job.due);
    }
    if (wake == Clock::time_point::max()) {
      changed_.wait(lock);
    } else {
      changed_.wait_until(lock, wake);
    }
  }
  return {};
}

void BackgroundTasks::run_thread() {
  std::unique_lock lock(mutex_);
  while (true) {
    Task task = next(lock);
    if (!task) return;
    lock.unlock();
    try {
      task();
    } catch (const std::exception& error) {
      log_format(L_ERR, "background task failed: %s", error.what());
    }
    lock.lock();
  }
}

}  // namespace kamc::runtime
