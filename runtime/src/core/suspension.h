// Suspending a message while background work runs, Kamailio's t_suspend/t_continue with
// one difference: the route resumes at the call that suspended, not in another route
// block. A function body calls await_background(); the worker goes on serving other
// messages, and the body returns when the work is done or the timeout passed.
// Semantics (docs/runtime.md, "Suspending a message"):
//  - the message resumes on the worker that received it, in the same route, with the
//    $var values it had when it suspended (other messages' assignments do not leak in);
//    $avp/$xavp and module state are the message's own and stay as they were;
//  - on timeout, on_timeout runs first on the worker (e.g. kill the child process); the
//    work's late completion is then ignored, and the call sees TimedOut;
//  - where the message is not on a worker's fiber (C++ tests, routes run from tm's
//    timers), the work runs inline and blocks, as Kamailio's synchronous modules do.
#pragma once

#include <chrono>
#include <functional>

namespace kamc::runtime {

class MessageContext;

enum class AwaitResult { Done, TimedOut };

// Starts work that finishes elsewhere (a module's own writer thread): it hands `done`
// to that work, which calls it once, from any thread. false: the work could not start.
using CompletionStart = std::function<bool(std::function<void()> done)>;

// Implemented by the worker's message fiber (message_fiber.h).
class MessageSuspender {
 public:
  virtual ~MessageSuspender() = default;
  virtual AwaitResult await(MessageContext& context, CompletionStart start, std::chrono::milliseconds timeout,
                            std::function<void()> on_timeout) = 0;
};

// `work` runs on the runtime's background threads (Runtime::background()); timeout 0
// means no limit.
AwaitResult await_background(MessageContext& context, std::function<void()> work,
                             std::chrono::milliseconds timeout, std::function<void()> on_timeout = {});
// The general form: `start` runs on the calling thread. Off a fiber the caller blocks
// until done() or the timeout (then on_timeout runs and the result is TimedOut).
AwaitResult await_completion(MessageContext& context, CompletionStart start, std::chrono::milliseconds timeout,
                             std::function<void()> on_timeout = {});

}  // namespace kamc::runtime
