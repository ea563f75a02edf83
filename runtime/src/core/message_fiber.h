// A message whose routes may suspend (suspension.h) runs on a fiber of its own: a
// context with a private stack (fiber_switch.h), switched to and from by the worker thread. Only
// configs that call a suspending function pay for it (Runtime::routes_may_suspend()):
// the message bytes are copied out of the worker's receive buffer so that they outlive
// the batch, and the route runs on the fiber's stack.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fiber_switch.h"
#include "kamc/runtime/message_context.h"
#include "suspension.h"

namespace kamc::runtime {

// Where background threads report finished work to one worker: the ids of the fibers
// to wake, and an eventfd the worker's epoll loop watches. Shared, so that a task that
// ends after its worker is gone writes into a queue nobody reads.
class FiberWakeups {
 public:
  FiberWakeups();
  ~FiberWakeups();
  int fd() const { return fd_; }
  void post(std::uint64_t fiber, std::uint64_t await_sequence);
  // Everything posted since the last call.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> take();

 private:
  int fd_ = -1;
  std::mutex mutex_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> posted_;
};

class MessageFiber final : public MessageSuspender {
 public:
  // `process` runs the message (parse, routes); it must not throw.
  MessageFiber(std::uint64_t id, std::string bytes, ReceiveInfo received, Transport& transport,
               const Runtime& runtime, std::shared_ptr<FiberWakeups> wakeups,
               std::function<void(MessageContext&)> process);
  ~MessageFiber() override;

  std::uint64_t id() const { return id_; }
  // Runs the fiber until it finishes or suspends; on the worker thread.
  void resume();
  bool finished() const { return finished_; }
  // The worker's side of an await: the work of sequence `sequence` is done, or its
  // timeout passed. Stale reports (an earlier await) are ignored. Resumes the fiber.
  void work_done(std::uint64_t sequence);
  void timed_out(std::uint64_t sequence);
  // When the worker stops: every pending await ends as TimedOut, so the route runs to
  // its end and its objects are destroyed.
  void abandon();

  AwaitResult await(MessageContext& context, CompletionStart start, std::chrono::milliseconds timeout,
                    std::function<void()> on_timeout) override;

 private:
  static void entry(void* fiber);
  void switch_to_worker();

  std::uint64_t id_;
  std::string bytes_;
  MessageContext context_;
  std::shared_ptr<FiberWakeups> wakeups_;
  std::function<void(MessageContext&)> process_;
  FiberSwitch fiber_context_;
  FiberSwitch worker_context_;
  void* stack_ = nullptr;
  std::size_t stack_size_ = 0;
  bool started_ = false;
  bool finished_ = false;
  // The await in progress.
  std::uint64_t await_sequence_ = 0;
  bool waiting_ = false;
  AwaitResult result_ = AwaitResult::Done;
  std::function<void()> on_timeout_;
};

}  // namespace kamc::runtime
