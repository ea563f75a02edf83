// Daemon helpers; the readiness pipe is what lets a backgrounded start report bind errors.
#include "kamc/runtime/daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace kamc::runtime {

namespace {

int g_ready_fd = -1;

sigset_t shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

void detach_stdio() {
  int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd < 0) return;
  ::dup2(null_fd, STDIN_FILENO);
  ::dup2(null_fd, STDOUT_FILENO);
  // stderr stays: with -E it is where the log goes.
  if (null_fd > STDERR_FILENO) ::close(null_fd);
}

}  // namespace

void block_shutdown_signals() {
  sigset_t set = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int wait_for_shutdown_signal() {
  sigset_t set = shutdown_signals();
  int signal_number = 0;
  while (sigwait(&set, &signal_number) != 0) {
  }
  return signal_number;
}

bool daemonize(std::string& error) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) {
    error = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  pid_t child = ::fork();
  if (child < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (child > 0) {
    ::close(pipe_fds[1]);
    char status = 1;
    ssize_t got = ::read(pipe_fds[0], &status, 1);
    ::_exit(got == 1 && status == 0 ? 0 : 1);
  }
  ::close(pipe_fds[0]);
  g_ready_fd = pipe_fds[1];
  ::setsid();
  return true;
}

void report_daemon_ready(bool ok) {
  if (g_ready_fd < 0) return;
  char status = ok ? 0 : 1;
  ssize_t ignored = ::write(g_ready_fd, &status, 1);
  (void)ignored;
  ::close(g_ready_fd);
  g_ready_fd = -1;
  if (ok) detach_stdio();
}

bool write_pid_file(const std::string& path, std::string& error) {
  FILE* file = std::fopen(path.c_str(), "w");
  if (!file) {
    error = "cannot write pid file " + path + ": " + std::strerror(errno);
    return false;
  }
  std::fprintf(file, "%d\n", static_cast<int>(::getpid()));
  std::fclose(file);
  return true;
}

void remove_pid_file(const std::string& path) {
  if (!path.empty()) ::unlink(path.c_str());
}

}  // namespace kamc::runtime
