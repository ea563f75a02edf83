// exec's child processes: `/bin/sh -c TEXT` started with posix_spawn in a process group
// of its own, fed and read through pipes, waited for through a pidfd, killed (SIGTERM,
// then SIGKILL, to the whole group) at its deadline or when cancelled, and always reaped.
// run_command blocks the calling thread; the exec module calls it from a thread of its
// own while the SIP message waits suspended (suspension.h).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace kamc::runtime::exec {

using Clock = std::chrono::steady_clock;

// Cancels a running command from another thread (a worker's on_timeout at shutdown).
class CommandCancel {
 public:
  CommandCancel();
  ~CommandCancel();
  CommandCancel(const CommandCancel&) = delete;
  CommandCancel& operator=(const CommandCancel&) = delete;
  void cancel();
  bool cancelled() const { return cancelled_.load(); }
  int fd() const { return fd_; }

 private:
  std::atomic<bool> cancelled_{false};
  int fd_ = -1;
};

enum class StdoutUse { Discard, Inherit, Capture };

struct CommandRequest {
  std::string shell_text;                // run as /bin/sh -c shell_text
  std::vector<std::string> environment;  // the whole environment, "NAME=value"
  std::optional<std::string> input;      // bytes for stdin; nullopt: /dev/null
  StdoutUse stdout_use = StdoutUse::Discard;
  std::size_t max_output = 0;            // Capture: more than this ends the command
  std::optional<Clock::time_point> deadline;
  std::chrono::milliseconds kill_grace{500};  // between SIGTERM and SIGKILL
};

struct CommandOutcome {
  enum class Ending { Exited, Signalled, TimedOut, Cancelled, OutputTooLarge, SpawnFailed };
  Ending ending = Ending::SpawnFailed;
  int exit_status = 0;  // Exited
  int signal = 0;       // Signalled
  std::string output;   // Capture
  std::string error;    // SpawnFailed: why
  int pid = 0;
  std::chrono::milliseconds elapsed{0};
  bool succeeded() const { return ending == Ending::Exited && exit_status == 0; }
};

CommandOutcome run_command(const CommandRequest& request, const CommandCancel* cancel = nullptr);

// The process's environment now, "NAME=value" each.
std::vector<std::string> current_environment();

}  // namespace kamc::runtime::exec
