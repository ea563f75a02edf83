// Process-level behaviour shared by runtime executables: forking into the background
// like kamailio without -D, the pid file, and waiting for SIGTERM/SIGINT.
#pragma once

#include <string>

namespace kamc::runtime {

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread (threads started later inherit
// the mask, so only wait_for_shutdown_signal sees them) and ignores SIGPIPE.
void block_shutdown_signals();
// Returns the signal that asked for shutdown.
int wait_for_shutdown_signal();

// Forks; the parent stays until the child calls report_daemon_ready and exits with the
// child's status, so start-up errors still reach the shell. Returns in the child only.
bool daemonize(std::string& error);
void report_daemon_ready(bool ok);

bool write_pid_file(const std::string& path, std::string& error);
void remove_pid_file(const std::string& path);

}  // namespace kamc::runtime
