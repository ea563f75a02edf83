// exec's child processes (exec_process.h): spawn, feed, read, time out, kill, reap.
#include "exec_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

extern char** environ;

namespace kamc::runtime::exec {

namespace {

// Closes a descriptor once, on every path.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

bool make_pipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
  return true;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// posix_spawn's attributes and file actions, destroyed on every path.
struct SpawnSetup {
  posix_spawnattr_t attributes;
  posix_spawn_file_actions_t actions;
  SpawnSetup() {
    posix_spawnattr_init(&attributes);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
};

// A command's shell may fork (dash does for a script), and a killed group's members then
// lose their parent. The runtime adopts them (a child subreaper) instead of leaving them
// to a PID 1 that may never reap them, and reaps them by process group: a killed group
// at once, a group whose leader exited while others ran on (a background job) later.
std::once_flag g_subreaper;
std::mutex g_lingering_mutex;
std::vector<pid_t> g_lingering_groups;

// Reaps what of the group has ended; true when nothing of it is left to wait for.
bool reap_group(pid_t group) {
  int status = 0;
  while (true) {
    pid_t reaped = ::waitpid(-group, &status, WNOHANG);
    if (reaped > 0) continue;
    if (reaped < 0 && errno == EINTR) continue;
    return reaped < 0 && ::kill(-group, 0) != 0;  // no child of ours in it, and no member alive
  }
}

void sweep_lingering_groups() {
  std::lock_guard lock(g_lingering_mutex);
  std::erase_if(g_lingering_groups, reap_group);
}

void reap_killed_group(pid_t group) {
  // Every member had SIGKILL: each ends promptly and is ours once its parent is gone.
  int status = 0;
  while (true) {
    pid_t reaped = ::waitpid(-group, &status, 0);
    if (reaped > 0 || (reaped < 0 && errno == EINTR)) continue;
    break;
  }
}

int milliseconds_until(Clock::time_point when) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(when - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left + 1, 0, 60'000));
}

}  // namespace

CommandCancel::CommandCancel() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

CommandCancel::~CommandCancel() {
  if (fd_ >= 0) ::close(fd_);
}

void CommandCancel::cancel() {
  cancelled_ = true;
  std::uint64_t one = 1;
  if (fd_ >= 0) [[maybe_unused]] ssize_t written = ::write(fd_, &one, sizeof one);
}

std::vector<std::string> current_environment() {
  std::vector<std::string> entries;
  for (char** entry = environ; entry && *entry; ++entry) entries.emplace_back(*entry);
  return entries;
}

CommandOutcome run_command(const CommandRequest& request, const CommandCancel* cancel) {
  CommandOutcome outcome;
  const Clock::time_point started = Clock::now();
  auto finish = [&]() -> CommandOutcome& {
    outcome.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    return outcome;
  };
  if (request.deadline && started >= *request.deadline) {  // it waited its whole time for a thread
    outcome.ending = CommandOutcome::Ending::TimedOut;
    return finish();
  }
  if (cancel && cancel->cancelled()) {
    outcome.ending = CommandOutcome::Ending::Cancelled;
    return finish();
  }

  Fd stdin_read, stdin_write, stdout_read, stdout_write;
  if ((request.input && !make_pipe(stdin_read, stdin_write)) ||
      (request.stdout_use == StdoutUse::Capture && !make_pipe(stdout_read, stdout_write))) {
    outcome.error = std::string("pipe: ") + std::strerror(errno);
    return finish();
  }

  std::call_once(g_subreaper, [] { ::prctl(PR_SET_CHILD_SUBREAPER, 1); });
  sweep_lingering_groups();
  SpawnSetup setup;
  // The child's stdin/stdout; every other descriptor of this process stays out of it.
  if (request.input) {
    posix_spawn_file_actions_adddup2(&setup.actions, stdin_read.get(), STDIN_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  if (request.stdout_use == StdoutUse::Capture) {
    posix_spawn_file_actions_adddup2(&setup.actions, stdout_write.get(), STDOUT_FILENO);
  } else if (request.stdout_use == StdoutUse::Discard) {
    posix_spawn_file_actions_addopen(&setup.actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  }
  posix_spawn_file_actions_addclosefrom_np(&setup.actions, STDERR_FILENO + 1);
  // Its own process group (so that a kill reaches whatever it started), no blocked
  // signals and default dispositions: the runtime blocks its shutdown signals in every
  // thread and ignores SIGPIPE, and a shell must not inherit either.
  sigset_t none, defaults;
  sigemptyset(&none);
  sigfillset(&defaults);
  sigdelset(&defaults, SIGKILL);
  sigdelset(&defaults, SIGSTOP);
  posix_spawnattr_setflags(&setup.attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&setup.attributes, 0);
  posix_spawnattr_setsigmask(&setup.attributes, &none);
  posix_spawnattr_setsigdefault(&setup.attributes, &defaults);

  std::vector<char*> envp;
  envp.reserve(request.environment.size() + 1);
  for (const std::string& entry : request.environment) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);
  char sh[] = "sh", dash_c[] = "-c";
  char* argv[] = {sh, dash_c, const_cast<char*>(request.shell_text.c_str()), nullptr};

  pid_t pid = 0;
  int spawn_error = posix_spawn(&pid, "/bin/sh", &setup.actions, &setup.attributes, argv, envp.data());
  stdin_read.reset();
  stdout_write.reset();
  if (spawn_error != 0) {
    outcome.error = std::string("posix_spawn /bin/sh: ") + std::strerror(spawn_error);
    return finish();
  }
  outcome.pid = pid;
  // The exit is seen through a pidfd; without one (a kernel before 5.3), by polling.
  Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (stdin_write.open()) set_nonblocking(stdin_write.get());
  if (stdout_read.open()) set_nonblocking(stdout_read.get());

  std::size_t input_written = 0;
  std::optional<CommandOutcome::Ending> ending;  // set when the command is being killed
  std::optional<Clock::time_point> sigkill_at;
  bool reaped = false;
  int status = 0;
  if (request.input && request.input->empty()) stdin_write.reset();

  auto start_kill = [&](CommandOutcome::Ending why) {
    if (ending) return;
    ending = why;
    ::kill(-pid, SIGTERM);
    sigkill_at = Clock::now() + request.kill_grace;
  };
  auto drain_output = [&] {
    char buffer[8192];
    while (stdout_read.open()) {
      ssize_t got = ::read(stdout_read.get(), buffer, sizeof buffer);
      if (got > 0) {
        if (!ending && outcome.output.size() + static_cast<std::size_t>(got) > request.max_output) {
          start_kill(CommandOutcome::Ending::OutputTooLarge);
          stdout_read.reset();
          return;
        }
        if (!ending) outcome.output.append(buffer, static_cast<std::size_t>(got));
        continue;
      }
      if (got < 0 && errno == EINTR) continue;
      if (got == 0 || errno != EAGAIN) stdout_read.reset();
      return;
    }
  };

  while (!reaped) {
    pollfd fds[4];
    nfds_t count = 0;
    int pid_slot = -1, in_slot = -1, out_slot = -1, cancel_slot = -1;
    if (pidfd.open()) {
      pid_slot = static_cast<int>(count);
      fds[count++] = {pidfd.get(), POLLIN, 0};
    }
    if (stdin_write.open()) {
      in_slot = static_cast<int>(count);
      fds[count++] = {stdin_write.get(), POLLOUT, 0};
    }
    if (stdout_read.open()) {
      out_slot = static_cast<int>(count);
      fds[count++] = {stdout_read.get(), POLLIN, 0};
    }
    if (cancel && !ending && cancel->fd() >= 0) {
      cancel_slot = static_cast<int>(count);
      fds[count++] = {cancel->fd(), POLLIN, 0};
    }
    int timeout = -1;
    if (sigkill_at) {
      timeout = milliseconds_until(*sigkill_at);
    } else if (request.deadline) {
      timeout = milliseconds_until(*request.deadline);
    }
    if (!pidfd.open()) timeout = timeout < 0 ? 20 : std::min(timeout, 20);
    int ready = ::poll(fds, count, timeout);
    if (ready < 0 && errno != EINTR) break;

    if (cancel && cancel->cancelled()) start_kill(CommandOutcome::Ending::Cancelled);
    if (!ending && request.deadline && Clock::now() >= *request.deadline) start_kill(CommandOutcome::Ending::TimedOut);
    if (sigkill_at && Clock::now() >= *sigkill_at) {
      ::kill(-pid, SIGKILL);
      sigkill_at.reset();
    }
    (void)cancel_slot;
    if (ready <= 0) {
      if (!pidfd.open() && ::waitpid(pid, &status, WNOHANG) == pid) reaped = true;
      continue;
    }
    if (in_slot >= 0 && fds[in_slot].revents) {
      const std::string& input = *request.input;
      ssize_t put = ::write(stdin_write.get(), input.data() + input_written, input.size() - input_written);
      if (put > 0) input_written += static_cast<std::size_t>(put);
      // EPIPE: the command did not read all of its input; its exit status decides.
      if ((put < 0 && errno != EAGAIN && errno != EINTR) || input_written == input.size()) stdin_write.reset();
    }
    if (out_slot >= 0 && fds[out_slot].revents) drain_output();
    if ((pid_slot >= 0 && fds[pid_slot].revents) || (!pidfd.open() && ::waitpid(pid, &status, WNOHANG) == pid)) {
      if (pidfd.open()) {
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
      }
      reaped = true;
    }
  }
  if (!reaped) {  // poll failed: end it the sure way
    ::kill(-pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  // What it wrote before it exited is in the pipe; a background job it left holding the
  // pipe open is not waited for.
  drain_output();
  if (ending) {
    ::kill(-pid, SIGKILL);  // whatever of its group outlived it
    reap_killed_group(pid);
    outcome.ending = *ending;
    outcome.output.clear();
    return finish();
  }
  if (!reap_group(pid)) {
    std::lock_guard lock(g_lingering_mutex);
    g_lingering_groups.push_back(pid);
  }
  if (WIFEXITED(status)) {
    outcome.ending = CommandOutcome::Ending::Exited;
    outcome.exit_status = WEXITSTATUS(status);
  } else {
    outcome.ending = CommandOutcome::Ending::Signalled;
    outcome.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
  return finish();
}

}  // namespace kamc::runtime::exec
