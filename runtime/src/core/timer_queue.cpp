// The per-worker timer heap.
#include "timer_queue.h"

#include <algorithm>

namespace kamc::runtime {

void TimerQueue::schedule(Clock::time_point due, std::weak_ptr<void> owner, Handler handler, int tag) {
  heap_.push_back(Entry{due, next_sequence_++, std::move(owner), handler, tag});
  std::push_heap(heap_.begin(), heap_.end(), RunsLater{});
}

int TimerQueue::milliseconds_until_next(Clock::time_point now, int cap_ms) const {
  if (heap_.empty()) return cap_ms;
  Clock::time_point due = heap_.front().due;
  if (due <= now) return 0;
  auto wait = std::chrono::ceil<std::chrono::milliseconds>(due - now).count();
  return static_cast<int>(std::min<long long>(wait, cap_ms));
}

std::size_t TimerQueue::run_due(Clock::time_point now, Transport& transport, std::size_t max_runs) {
  std::size_t runs = 0;
  while (!heap_.empty() && heap_.front().due <= now && runs < max_runs) {
    std::pop_heap(heap_.begin(), heap_.end(), RunsLater{});
    Entry entry = std::move(heap_.back());
    heap_.pop_back();
    // The owner may be gone (transaction freed): then the timer has nothing to do.
    if (std::shared_ptr<void> owner = entry.owner.lock()) {
      entry.handler(owner, entry.tag, transport);
      ++runs;
    }
  }
  return runs;
}

}  // namespace kamc::runtime
