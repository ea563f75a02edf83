// Logging with Kamailio's levels (L_ALERT -5 ... L_DBG 3), to stderr (-E) or syslog, so
// that the runtime's log lines and xlog output look like kamailio's to an operator.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kamc::runtime {

enum LogLevel : int {
  L_ALERT = -5,
  L_BUG = -4,
  L_CRIT2 = -3,
  L_CRIT = -2,
  L_ERR = -1,
  L_WARN = 0,
  L_NOTICE = 1,
  L_INFO = 2,
  L_DBG = 3,
};

struct LogSettings {
  int debug = L_WARN;  // messages above this level are not written (kamailio's `debug`)
  bool to_stderr = false;
  std::optional<int> facility;  // kamailio's log_facility (a syslog(3) LOG_* value); nullopt: LOG_DAEMON
};

void configure_logging(const LogSettings& settings);

// Kamailio prints log_prefix only in lines logged while a message is processed, with
// its variables evaluated for that message. The worker (and each message fiber) names
// the message being processed on its thread; the prefix is rendered only when a line
// is written.
struct MessageLogPrefix {
  std::string (*render)(void* message) = nullptr;
  void* message = nullptr;
};
MessageLogPrefix current_message_log_prefix();
void set_message_log_prefix(MessageLogPrefix prefix);

// Names the message for the lines logged in its scope, then restores what was before.
class MessageLogPrefixScope {
 public:
  explicit MessageLogPrefixScope(MessageLogPrefix prefix) : previous_(current_message_log_prefix()) {
    set_message_log_prefix(prefix);
  }
  ~MessageLogPrefixScope() { set_message_log_prefix(previous_); }
  MessageLogPrefixScope(const MessageLogPrefixScope&) = delete;
  MessageLogPrefixScope& operator=(const MessageLogPrefixScope&) = delete;

 private:
  MessageLogPrefix previous_;
};
bool log_enabled(int level);
// "L_INFO", "info" or "2" -> level; false when the name is unknown.
bool log_level_from_name(std::string_view name, int& level);
// "LOG_LOCAL0" (any case) -> LOG_LOCAL0, for the names Kamailio accepts: LOG_AUTH,
// LOG_AUTHPRIV, LOG_CRON, LOG_DAEMON, LOG_FTP, LOG_KERN, LOG_LOCAL0..7, LOG_LPR, LOG_MAIL,
// LOG_NEWS, LOG_SYSLOG, LOG_USER, LOG_UUCP; false for any other name.
bool log_facility_from_name(std::string_view name, int& facility);
void log_message(int level, std::string_view text);
// printf-style; the level check happens before formatting.
void log_format(int level, const char* format, ...) __attribute__((format(printf, 2, 3)));

}  // namespace kamc::runtime
