// The timers of one worker thread (tm's retransmission, final-response and wait timers):
// a binary min-heap of deadlines, owned and run by that thread alone, so it needs no lock.
//
// An entry holds only a weak reference to its owner (a transaction). Timers are never
// cancelled: the handler re-reads its owner's state when it fires and does nothing when
// the timer is no longer wanted, and an owner freed in the meantime makes the entry a
// no-op. That is what lets any worker stop or move a timer another worker scheduled,
// without touching that worker's queue.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace kamc::runtime {

class Transport;

class TimerQueue {
 public:
  using Clock = std::chrono::steady_clock;
  // owner is alive while the handler runs; tag says which timer of the owner it is.
  using Handler = void (*)(const std::shared_ptr<void>& owner, int tag, Transport& transport);

  void schedule(Clock::time_point due, std::weak_ptr<void> owner, Handler handler, int tag);

  // What the event loop waits at most: the time to the earliest entry, 0 when one is
  // due, `cap_ms` when the queue is empty or the earliest entry is further away.
  int milliseconds_until_next(Clock::time_point now, int cap_ms) const;

  // Runs the handlers of the entries due at `now`, earliest first. Entries a handler
  // schedules are run in the same call when they are already due, up to `max_runs`
  // handlers, so a handler that keeps rescheduling itself cannot hold the loop.
  std::size_t run_due(Clock::time_point now, Transport& transport, std::size_t max_runs = 4096);

  std::size_t size() const { return heap_.size(); }

 private:
  struct Entry {
    Clock::time_point due;
    std::uint64_t sequence;  // FIFO among equal deadlines
    std::weak_ptr<void> owner;
    Handler handler;
    int tag;
  };
  struct RunsLater {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.due != b.due ? a.due > b.due : a.sequence > b.sequence;
    }
  };
  std::vector<Entry> heap_;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace kamc::runtime
