// Log sink: one write per line so that lines of concurrent workers do not interleave.
#include "kamc/runtime/log.h"

#include <syslog.h>
#include <unistd.h>

#include <array>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "../text.h"

namespace kamc::runtime {

namespace {

LogSettings g_settings;
thread_local MessageLogPrefix t_message_prefix;
thread_local bool t_rendering_prefix = false;  // a variable's own log line gets no prefix

struct LevelName {
  int level;
  std::string_view cfg_name;  // as written in xlog("L_INFO", ...)
  std::string_view label;     // as kamailio prints it
  int syslog_priority;
};

constexpr std::array<LevelName, 9> kLevels{{
    {L_ALERT, "L_ALERT", "ALERT", LOG_ALERT},
    {L_BUG, "L_BUG", "BUG", LOG_CRIT},
    {L_CRIT2, "L_CRIT2", "CRITICAL", LOG_CRIT},
    {L_CRIT, "L_CRIT", "CRITICAL", LOG_CRIT},
    {L_ERR, "L_ERR", "ERROR", LOG_ERR},
    {L_WARN, "L_WARN", "WARNING", LOG_WARNING},
    {L_NOTICE, "L_NOTICE", "NOTICE", LOG_NOTICE},
    {L_INFO, "L_INFO", "INFO", LOG_INFO},
    {L_DBG, "L_DBG", "DEBUG", LOG_DEBUG},
}};

struct FacilityName {
  std::string_view name;
  int facility;
};

constexpr std::array<FacilityName, 20> kFacilities{{
    {"LOG_AUTH", LOG_AUTH},     {"LOG_CRON", LOG_CRON},         {"LOG_DAEMON", LOG_DAEMON}, {"LOG_KERN", LOG_KERN},
    {"LOG_LOCAL0", LOG_LOCAL0}, {"LOG_LOCAL1", LOG_LOCAL1},     {"LOG_LOCAL2", LOG_LOCAL2}, {"LOG_LOCAL3", LOG_LOCAL3},
    {"LOG_LOCAL4", LOG_LOCAL4}, {"LOG_LOCAL5", LOG_LOCAL5},     {"LOG_LOCAL6", LOG_LOCAL6}, {"LOG_LOCAL7", LOG_LOCAL7},
    {"LOG_LPR", LOG_LPR},       {"LOG_MAIL", LOG_MAIL},         {"LOG_NEWS", LOG_NEWS},     {"LOG_USER", LOG_USER},
    {"LOG_UUCP", LOG_UUCP},     {"LOG_AUTHPRIV", LOG_AUTHPRIV}, {"LOG_FTP", LOG_FTP},       {"LOG_SYSLOG", LOG_SYSLOG},
}};

const LevelName& level_row(int level) {
  for (const auto& row : kLevels) {
    if (row.level == level) return row;
  }
  return level < L_ALERT ? kLevels.front() : kLevels.back();
}

}  // namespace

void configure_logging(const LogSettings& settings) {
  g_settings = settings;
  if (!settings.to_stderr) openlog("kamc-runtime", LOG_PID | LOG_NDELAY, settings.facility.value_or(LOG_DAEMON));
}

bool log_facility_from_name(std::string_view name, int& facility) {
  for (const auto& row : kFacilities) {
    if (sip::detail::equals_ignore_case(row.name, name)) {
      facility = row.facility;
      return true;
    }
  }
  return false;
}

bool log_enabled(int level) { return level <= g_settings.debug; }

MessageLogPrefix current_message_log_prefix() { return t_message_prefix; }
void set_message_log_prefix(MessageLogPrefix prefix) { t_message_prefix = prefix; }

bool log_level_from_name(std::string_view name, int& level) {
  for (const auto& row : kLevels) {
    // "L_INFO", or the same without the "L_" prefix ("info").
    if (sip::detail::equals_ignore_case(row.cfg_name, name) || sip::detail::equals_ignore_case(row.cfg_name.substr(2), name)) {
      level = row.level;
      return true;
    }
  }
  if (!name.empty()) {
    std::string digits(name);
    char* end = nullptr;
    long value = std::strtol(digits.c_str(), &end, 10);
    if (end && *end == '\0' && value >= L_ALERT && value <= L_DBG) {
      level = static_cast<int>(value);
      return true;
    }
  }
  return false;
}

void log_message(int level, std::string_view text) {
  if (!log_enabled(level)) return;
  const LevelName& row = level_row(level);
  std::string line;
  line.reserve(text.size() + 48);
  line += " ";
  line += row.label;
  line += ": ";
  if (t_message_prefix.render && !t_rendering_prefix) {
    t_rendering_prefix = true;
    line += t_message_prefix.render(t_message_prefix.message);
    t_rendering_prefix = false;
  }
  line += text;
  if (line.back() != '\n') line += '\n';
  if (g_settings.to_stderr) {
    std::string full = std::to_string(getpid()) + line;
    // One write(2) per line keeps concurrent workers' lines whole.
    ssize_t ignored = ::write(STDERR_FILENO, full.data(), full.size());
    (void)ignored;
  } else {
    syslog(row.syslog_priority, "%s", line.c_str() + 1);
  }
}

void log_format(int level, const char* format, ...) {
  if (!log_enabled(level)) return;
  char buffer[2048];
  va_list args;
  va_start(args, format);
  int length = std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  if (length < 0) return;
  std::size_t size = static_cast<std::size_t>(length) < sizeof buffer ? static_cast<std::size_t>(length) : sizeof buffer - 1;
  log_message(level, std::string_view(buffer, size));
}

}  // namespace kamc::runtime
