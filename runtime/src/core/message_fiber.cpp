// Message fibers: switching (fiber_switch.h), the private stacks, and the await protocol.
#include "message_fiber.h"

#include <condition_variable>

#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "background_tasks.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/runtime.h"
#include "timer_queue.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define KAMC_ASAN_FIBERS 1
#endif

namespace kamc::runtime {

namespace {

// Routes, regexec and the SIP parser run on this stack; pages are touched only as used.
constexpr std::size_t kFiberStackSize = 512 * 1024;

// Fiber stacks are reused, per thread: a fresh mmap per message cost page faults on
// every touched page and a munmap whose TLB shootdown interrupts every other thread.
// A worker keeps the few stacks its suspended messages need at once.
class FiberStackCache {
 public:
  ~FiberStackCache() {
    for (void* stack : free_) ::munmap(stack, kFiberStackSize);
  }

  void* take() {
    if (!free_.empty()) {
      void* stack = free_.back();
      free_.pop_back();
      return stack;
    }
    void* stack = ::mmap(nullptr, kFiberStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                         -1, 0);
    if (stack == MAP_FAILED) throw std::runtime_error(std::string("fiber stack: ") + std::strerror(errno));
    ::mprotect(stack, 4096, PROT_NONE);  // a guard page below the stack
    return stack;
  }

  void give_back(void* stack) {
    if (free_.size() < kKeptStacks) free_.push_back(stack);
    else ::munmap(stack, kFiberStackSize);
  }

 private:
  static constexpr std::size_t kKeptStacks = 64;
  std::vector<void*> free_;
};

FiberStackCache& fiber_stacks() {
  thread_local FiberStackCache cache;
  return cache;
}

// The worker stack's bounds, for the sanitizer's fiber annotations across switches.
struct SanitizerSwitch {
  void* fake_stack = nullptr;
  const void* worker_bottom = nullptr;
  std::size_t worker_size = 0;
};
thread_local SanitizerSwitch t_switch;

void start_switch([[maybe_unused]] void** fake_stack, [[maybe_unused]] const void* bottom,
                  [[maybe_unused]] std::size_t size) {
#ifdef KAMC_ASAN_FIBERS
  __sanitizer_start_switch_fiber(fake_stack, bottom, size);
#endif
}

void finish_switch([[maybe_unused]] void* fake_stack, [[maybe_unused]] const void** old_bottom,
                   [[maybe_unused]] std::size_t* old_size) {
#ifdef KAMC_ASAN_FIBERS
  __sanitizer_finish_switch_fiber(fake_stack, old_bottom, old_size);
#endif
}

// What the timer queue holds for an await with a timeout; the fiber owns it, so a
// finished fiber's timer finds it gone and does nothing.
struct TimeoutToken {
  MessageFiber* fiber;
  std::uint64_t sequence;
};

}  // namespace

FiberWakeups::FiberWakeups() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
}

FiberWakeups::~FiberWakeups() { ::close(fd_); }

void FiberWakeups::post(std::uint64_t fiber, std::uint64_t await_sequence) {
  {
    std::lock_guard lock(mutex_);
    posted_.emplace_back(fiber, await_sequence);
  }
  std::uint64_t one = 1;
  [[maybe_unused]] ssize_t written = ::write(fd_, &one, sizeof one);
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> FiberWakeups::take() {
  std::uint64_t count = 0;
  [[maybe_unused]] ssize_t read_bytes = ::read(fd_, &count, sizeof count);
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> taken;
  taken.swap(posted_);
  return taken;
}

MessageFiber::MessageFiber(std::uint64_t id, std::string bytes, ReceiveInfo received, Transport& transport,
                           const Runtime& runtime, std::shared_ptr<FiberWakeups> wakeups,
                           std::function<void(MessageContext&)> process)
    : id_(id),
      bytes_(std::move(bytes)),
      context_(runtime, bytes_, std::move(received), &transport),
      wakeups_(std::move(wakeups)),
      process_(std::move(process)) {
  // The message's views point into bytes_, which this object owns and never moves.
  context_.suspender = this;
  stack_size_ = kFiberStackSize;
  stack_ = fiber_stacks().take();
  fiber_context_.prepare(stack_, stack_size_, &MessageFiber::entry, this);
}

MessageFiber::~MessageFiber() {
  if (!finished_ && started_) log_format(L_WARN, "a suspended message was dropped unfinished");
  fiber_stacks().give_back(stack_);
}

void MessageFiber::entry(void* argument) {
  auto* fiber = static_cast<MessageFiber*>(argument);
  finish_switch(nullptr, &t_switch.worker_bottom, &t_switch.worker_size);
  fiber->process_(fiber->context_);
  fiber->finished_ = true;
  fiber->on_timeout_ = nullptr;
  // The last switch away: this stack is never resumed (no fake stack to keep).
  start_switch(nullptr, t_switch.worker_bottom, t_switch.worker_size);
  FiberSwitch::swap(fiber->fiber_context_, fiber->worker_context_);
}

void MessageFiber::resume() {
  if (finished_) return;
  started_ = true;
  void* fake_stack = nullptr;
  // Each side keeps the message its log lines name (log.h, MessageLogPrefix).
  MessageLogPrefix worker_log_prefix = current_message_log_prefix();
  start_switch(&fake_stack, stack_, stack_size_);
  FiberSwitch::swap(worker_context_, fiber_context_);
  finish_switch(fake_stack, nullptr, nullptr);
  set_message_log_prefix(worker_log_prefix);
}

void MessageFiber::switch_to_worker() {
  void* fake_stack = nullptr;
  MessageLogPrefix fiber_log_prefix = current_message_log_prefix();
  start_switch(&fake_stack, t_switch.worker_bottom, t_switch.worker_size);
  FiberSwitch::swap(fiber_context_, worker_context_);
  finish_switch(fake_stack, &t_switch.worker_bottom, &t_switch.worker_size);
  set_message_log_prefix(fiber_log_prefix);
}

void MessageFiber::work_done(std::uint64_t sequence) {
  if (!waiting_ || sequence != await_sequence_) return;
  waiting_ = false;
  result_ = AwaitResult::Done;
  resume();
}

void MessageFiber::timed_out(std::uint64_t sequence) {
  if (!waiting_ || sequence != await_sequence_) return;
  waiting_ = false;
  result_ = AwaitResult::TimedOut;
  if (on_timeout_) on_timeout_();
  resume();
}

void MessageFiber::abandon() {
  while (waiting_ && !finished_) timed_out(await_sequence_);
}

AwaitResult MessageFiber::await(MessageContext& context, CompletionStart start,
                                std::chrono::milliseconds timeout, std::function<void()> on_timeout) {
  std::uint64_t sequence = ++await_sequence_;
  std::shared_ptr<FiberWakeups> wakeups = wakeups_;
  std::uint64_t fiber = id_;
  bool started = start([wakeups, fiber, sequence] { wakeups->post(fiber, sequence); });
  if (!started) return AwaitResult::TimedOut;  // shutting down
  on_timeout_ = std::move(on_timeout);
  std::shared_ptr<TimeoutToken> token;
  if (timeout.count() > 0) {
    if (TimerQueue* timers = context.transport ? context.transport->timer_queue() : nullptr) {
      token = std::make_shared<TimeoutToken>(TimeoutToken{this, sequence});
      timers->schedule(TimerQueue::Clock::now() + timeout, token,
                       [](const std::shared_ptr<void>& owner, int, Transport&) {
                         auto* expired = static_cast<TimeoutToken*>(owner.get());
                         expired->fiber->timed_out(expired->sequence);
                       },
                       0);
    }
  }
  // The message's view of $var, as it suspends: restored when it resumes.
  std::vector<StoredValue> vars = worker_vars(context.runtime_var_count());
  waiting_ = true;
  switch_to_worker();
  worker_vars(context.runtime_var_count()) = std::move(vars);
  on_timeout_ = nullptr;
  return result_;
}

AwaitResult await_background(MessageContext& context, std::function<void()> work, std::chrono::milliseconds timeout,
                             std::function<void()> on_timeout) {
  if (!context.suspender) {
    work();  // not on a fiber: inline, as a synchronous module would
    return AwaitResult::Done;
  }
  const Runtime& runtime = context.runtime;
  CompletionStart start = [&runtime, work = std::move(work)](std::function<void()> done) mutable {
    return runtime.background().post([work = std::move(work), done = std::move(done)] {
      work();
      done();
    });
  };
  return context.suspender->await(context, std::move(start), timeout, std::move(on_timeout));
}

AwaitResult await_completion(MessageContext& context, CompletionStart start, std::chrono::milliseconds timeout,
                             std::function<void()> on_timeout) {
  if (context.suspender) return context.suspender->await(context, std::move(start), timeout, std::move(on_timeout));
  // Off a fiber: block this thread until done() (shared, as done may outlive the wait).
  struct Completion {
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
  };
  auto completion = std::make_shared<Completion>();
  bool started = start([completion] {
    std::lock_guard lock(completion->mutex);
    completion->done = true;
    completion->finished.notify_all();
  });
  if (!started) return AwaitResult::TimedOut;
  std::unique_lock lock(completion->mutex);
  auto is_done = [&] { return completion->done; };
  if (timeout.count() <= 0) {
    completion->finished.wait(lock, is_done);
  } else if (!completion->finished.wait_for(lock, timeout, is_done)) {
    lock.unlock();
    if (on_timeout) on_timeout();
    return AwaitResult::TimedOut;
  }
  return AwaitResult::Done;
}

}  // namespace kamc::runtime
