// exec: external commands from routes (exec_dset, exec_msg, exec_avp, exec_cmd) with
// Kamailio 5.6's interface, return codes and SIP_* environment, and without its two
// flaws (docs/runtime.md, "exec"): the command runs as a child process while the message
// is suspended, so the worker serves other messages; time_to_kill really kills the
// command's process group; and pseudo-variables reach the shell as values, never as code
// (exec_shell.h).
#include <strings.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>

#include "../core/module.h"
#include "../core/background_tasks.h"
#include "../core/crypto.h"
#include "../core/suspension.h"
#include "exec_process.h"
#include "exec_shell.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/message_context.h"
#include "kamc/runtime/runtime.h"

namespace kamc::runtime {

extern const ModuleExports kExecModule;

namespace {

using exec::CommandOutcome;
using exec::CommandRequest;
using exec::ShellCommand;
using exec::StdoutUse;

// kamc's own limits, which Kamailio does not have: environment variables of the kamc
// process, since the catalog holds Kamailio's modparams only.
constexpr long long kDefaultMaxChildren = 16;
constexpr long long kDefaultMaxOutput = 64 * 1024;

constexpr long long kMaxChildrenCeiling = 1024;  // each running command has a thread

// The limit's value from the environment, `fallback` when unset; nullopt with a message
// when it is not a whole number from 1 to `ceiling`.
std::optional<long long> limit_from_environment(const char* name, long long fallback, long long ceiling,
                                                std::string& error) {
  const char* text = std::getenv(name);
  if (!text || !*text) return fallback;
  char* end = nullptr;
  errno = 0;
  long long value = std::strtoll(text, &end, 10);
  if (*end != '\0' || errno != 0 || value < 1 || value > ceiling) {
    error = std::string(name) + "=" + text + " in the environment: it must be a whole number from 1 to " +
            std::to_string(ceiling);
    return std::nullopt;
  }
  return value;
}

struct CommandJob;

// What init takes from the modparams, and what every worker shares.
struct ExecState {
  bool setvars = true;
  long long time_to_kill = 0;  // seconds; 0: never
  bool bash_safety = true;
  long long max_children = kDefaultMaxChildren;
  long long max_output = kDefaultMaxOutput;
  // Commands started and not yet ended; shared with the jobs, which do not own the state.
  std::shared_ptr<std::atomic<long long>> running = std::make_shared<std::atomic<long long>>(0);
  // exec's own threads, one per running command (each sleeps in poll() until its child
  // ends), so that commands never hold the runtime's shared background threads.
  std::unique_ptr<BackgroundTasks> threads;
  // The jobs under way, for destroy() to kill them before joining the threads.
  std::mutex jobs_mutex;
  std::vector<std::weak_ptr<CommandJob>> jobs;
  // The rewritten command of each call, made at fixup (FunctionCall::prepared_number is
  // the index); read-only once the workers start.
  std::deque<ShellCommand> commands;
};

ExecState& exec_state(Runtime& runtime) {
  static const std::size_t index = module_index(kExecModule);
  return runtime.module(index).state_as<ExecState>();
}

std::shared_ptr<ExecState> shared_exec_state(const Runtime& runtime) {
  static const std::size_t index = module_index(kExecModule);
  return std::static_pointer_cast<ExecState>(runtime.module(index).state);
}

bool init_exec(ModuleInstance& module, std::string& error) {
  auto state = std::make_shared<ExecState>();
  state->setvars = module.param_number("setvars") != 0;
  state->time_to_kill = module.param_number("time_to_kill");
  if (state->time_to_kill < 0) {
    error = "time_to_kill must be 0 (never) or a number of seconds, not " + std::to_string(state->time_to_kill);
    return false;
  }
  state->bash_safety = module.param_number("bash_safety") != 0;
  auto children = limit_from_environment("KAMC_EXEC_MAX_CHILDREN", kDefaultMaxChildren, kMaxChildrenCeiling, error);
  auto output = children ? limit_from_environment("KAMC_EXEC_MAX_OUTPUT", kDefaultMaxOutput, 1LL << 30, error)
                         : std::nullopt;
  if (!children || !output) {
    if (module.loaded) return false;  // a config that uses exec does not start with a bad limit
    error.clear();
  }
  state->max_children = children.value_or(kDefaultMaxChildren);
  state->max_output = output.value_or(kDefaultMaxOutput);
  state->threads = std::make_unique<BackgroundTasks>(static_cast<std::size_t>(state->max_children));
  module.state = state;
  return true;
}

// ---- the SIP_* environment (Kamailio's exec_hf.c rules) --------------------------------

// The header kinds Kamailio names from a table, so that a compact form ("v") and the
// full name give one variable; Call-ID is CALLID there, not CALL_ID.
std::string_view table_name(sip::HeaderKind kind) {
  using K = sip::HeaderKind;
  switch (kind) {
    case K::Via: return "VIA";
    case K::ContentType: return "CONTENT_TYPE";
    case K::From: return "FROM";
    case K::CallId: return "CALLID";
    case K::Supported: return "SUPPORTED";
    case K::ContentLength: return "CONTENT_LENGTH";
    case K::Contact: return "CONTACT";
    case K::To: return "TO";
    case K::Event: return "EVENT";
    default: return {};
  }
}

// Other names: letters upper-cased, digits kept, every other character '_'.
std::string variable_header_name(std::string_view written) {
  std::string name;
  for (char c : written) {
    if (c >= 'a' && c <= 'z') {
      name += static_cast<char>(c - 'a' + 'A');
    } else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      name += c;
    } else {
      name += '_';
    }
  }
  return name;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r' || text.front() == '\n'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n'))
    text.remove_suffix(1);
  return text;
}

// SIP_TID: Kamailio's char_msg_val, the MD5 (lowercase hex) of From tag, To tag (none
// for INVITE, ACK and CANCEL, so that those share it), Call-ID, the received R-URI, the
// CSeq number and the top Via's host, port and branch, each trimmed. Empty when one of
// From, To, Call-ID, CSeq or Via is missing or unparsable.
std::string transaction_id(const MessageContext& context) {
  const sip::SipMessage& message = context.message;
  sip::NameAddr from, to;
  std::vector<sip::Via> vias;
  const sip::HeaderField* cseq = message.first_header(sip::HeaderKind::CSeq);
  if (!message.from(from).ok() || !message.to(to).ok() || message.call_id().empty() || !cseq ||
      !message.vias(vias).ok() || vias.empty()) {
    return {};
  }
  std::string_view method = message.method();
  bool invite_like = strncasecmp(method.data(), "INVITE", method.size()) == 0 && method.size() == 6;
  invite_like = invite_like || (method.size() == 3 && strncasecmp(method.data(), "ACK", 3) == 0) ||
                (method.size() == 6 && strncasecmp(method.data(), "CANCEL", 6) == 0);
  std::string_view cseq_value = trimmed(cseq->value);
  std::size_t digits = 0;
  while (digits < cseq_value.size() && cseq_value[digits] >= '0' && cseq_value[digits] <= '9') ++digits;
  const sip::Via& via = vias.front();
  std::string_view port;  // as written after the host
  const char* after_host = via.host.data() + via.host.size();
  const char* via_end = via.text.data() + via.text.size();
  if (after_host < via_end && *after_host == ':') {
    const char* end = after_host + 1;
    while (end < via_end && *end >= '0' && *end <= '9') ++end;
    port = std::string_view(after_host + 1, static_cast<std::size_t>(end - after_host - 1));
  }
  std::string data;
  for (std::string_view piece : {from.tag.value_or(""), invite_like ? std::string_view{} : to.tag.value_or(""),
                                 message.call_id(), message.request_uri_text(), cseq_value.substr(0, digits),
                                 via.host, port, via.branch.value_or("")}) {
    data += trimmed(piece);
  }
  try {
    return digest_hex(Digest::Md5, data);
  } catch (const std::exception&) {
    return {};
  }
}

struct EnvironmentEntry {
  std::string name;
  std::string value;
};

std::vector<EnvironmentEntry> sip_environment(MessageContext& context, bool bash_safety) {
  struct Group {
    sip::HeaderKind kind;
    std::string_view written;  // the first field's name
    std::string value;
  };
  std::vector<Group> groups;
  auto body = [&](std::string_view value) {
    // bash_safety: a value that looks like a bash function definition loses its "()".
    if (bash_safety && value.size() >= 4 && value.substr(0, 4) == "() {") value.remove_prefix(2);
    return value;
  };
  for (const sip::HeaderField& field : context.message.headers()) {
    Group* group = nullptr;
    for (Group& candidate : groups) {
      if (candidate.kind != field.kind) continue;
      if (field.kind == sip::HeaderKind::Other &&
          (candidate.written.size() != field.name.size() ||
           strncasecmp(candidate.written.data(), field.name.data(), field.name.size()) != 0)) {
        continue;
      }
      group = &candidate;
      break;
    }
    if (group) {
      group->value += ',';
      group->value += body(field.value);
    } else {
      groups.push_back({field.kind, field.name, std::string(body(field.value))});
    }
  }
  std::vector<EnvironmentEntry> entries;
  for (const Group& group : groups) {
    std::string_view fixed = table_name(group.kind);
    entries.push_back({"SIP_HF_" + (fixed.empty() ? variable_header_name(group.written) : std::string(fixed)),
                       group.value});
  }
  entries.push_back({"SIP_SRCIP", context.received.source.ip_text()});
  std::string_view uri = context.request_uri();
  entries.push_back({"SIP_RURI", std::string(uri)});
  sip::Uri parsed;
  if (sip::parse_uri(uri, parsed).ok()) entries.push_back({"SIP_USER", std::string(parsed.user)});
  std::string_view original = context.message.request_uri_text();
  // Kamailio 5.6 spells it SIP_ORUI (a typo in exec_hf.h); its docs say SIP_ORURI. Both.
  entries.push_back({"SIP_ORUI", std::string(original)});
  entries.push_back({"SIP_ORURI", std::string(original)});
  if (sip::parse_uri(original, parsed).ok()) entries.push_back({"SIP_OUSER", std::string(parsed.user)});
  entries.push_back({"SIP_TID", transaction_id(context)});
  sip::NameAddr to;
  std::string did;
  if (context.message.to(to).ok() && to.tag) did = std::string(*to.tag);
  entries.push_back({"SIP_DID", did});
  return entries;
}

// The child's whole environment: the process's own, without the names set here, then
// the SIP_* variables (setvars), then one KAMC_PV_n per pseudo-variable of the command.
bool command_environment(MessageContext& context, const ExecState& state, const ShellCommand& command, bool sip_vars,
                         std::vector<std::string> extra, std::vector<std::string>& out) {
  std::string error;
  auto pv_entries = exec::pv_environment(context, command, error);
  if (!pv_entries) {
    log_format(L_ERR, "exec: %s", error.c_str());
    return false;
  }
  std::vector<std::string> added;
  if (sip_vars && state.setvars) {
    for (EnvironmentEntry& entry : sip_environment(context, state.bash_safety)) {
      if (entry.value.find('\0') != std::string::npos) continue;
      added.push_back(entry.name + "=" + entry.value);
    }
  }
  for (std::string& entry : *pv_entries) added.push_back(std::move(entry));
  for (std::string& entry : extra) added.push_back(std::move(entry));
  auto name_of = [](std::string_view entry) { return entry.substr(0, entry.find('=')); };
  out.clear();
  for (std::string& entry : exec::current_environment()) {
    bool replaced = false;
    for (const std::string& mine : added) {
      if (name_of(mine) == name_of(entry)) {
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(std::move(entry));
  }
  for (std::string& entry : added) out.push_back(std::move(entry));
  return true;
}

// ---- running a command with the message suspended -------------------------------------

// One command in flight, shared by the suspended message and exec's thread, so that a
// message resumed early (the server stopping) leaves the thread nothing dangling. Its
// completion is reported exactly once, also when the job is dropped unrun. It counts as
// running until released, which is after its thread's task returned: so no more jobs
// exist than exec has threads, and none waits in a queue.
struct CommandJob {
  std::shared_ptr<std::atomic<long long>> running;
  CommandRequest request;
  exec::CommandCancel cancel;
  CommandOutcome outcome;
  std::function<void()> done;
  explicit CommandJob(std::shared_ptr<std::atomic<long long>> counter) : running(std::move(counter)) { ++*running; }
  ~CommandJob() {
    --*running;
    if (done) done();
  }
  void run() {
    outcome = exec::run_command(request, &cancel);
    auto finished = std::move(done);
    done = nullptr;
    if (finished) finished();
  }
};

void destroy_exec(ModuleInstance& module) {
  if (!module.state) return;
  auto& state = module.state_as<ExecState>();
  {
    std::lock_guard lock(state.jobs_mutex);
    for (auto& weak : state.jobs) {
      if (auto job = weak.lock()) job->cancel.cancel();
    }
  }
  if (state.threads) state.threads->stop();
}

// Runs the command; nullopt (logged) when it was not run to its end: the limit of
// running commands, a spawn failure, time_to_kill, too much output, or shutdown.
std::optional<CommandOutcome> run(MessageContext& context, const FunctionCall& call, CommandRequest request) {
  std::shared_ptr<ExecState> state = shared_exec_state(context.runtime);
  const ShellCommand& command = state->commands[static_cast<std::size_t>(call.prepared_number)];
  auto job = std::make_shared<CommandJob>(state->running);  // counted from here: two workers cannot both pass
  if (job->running->load() > state->max_children) {
    log_format(L_ERR, "exec: %lld commands are running, the limit (KAMC_EXEC_MAX_CHILDREN); not running '%s'",
               state->max_children, command.text.c_str());
    return std::nullopt;
  }
  job->request = std::move(request);
  job->request.max_output = static_cast<std::size_t>(state->max_output);
  if (state->time_to_kill > 0) job->request.deadline = exec::Clock::now() + std::chrono::seconds(state->time_to_kill);
  {
    std::lock_guard lock(state->jobs_mutex);
    std::erase_if(state->jobs, [](const std::weak_ptr<CommandJob>& weak) { return weak.expired(); });
    state->jobs.push_back(job);
  }
  BackgroundTasks* threads = state->threads.get();
  AwaitResult result = await_completion(
      context,
      [job, threads](std::function<void()> done) {
        job->done = std::move(done);
        // The task holds the job: dropped unrun (stop()), its destructor still reports.
        if (threads->post([job] { job->run(); })) return true;
        job->done = nullptr;
        return false;
      },
      std::chrono::milliseconds(0), [job] { job->cancel.cancel(); });
  if (result == AwaitResult::TimedOut) {
    log_format(L_ERR, "exec: '%s' was stopped: the server is shutting down", command.text.c_str());
    return std::nullopt;
  }
  const CommandOutcome& outcome = job->outcome;
  using Ending = CommandOutcome::Ending;
  switch (outcome.ending) {
    case Ending::Exited:
    case Ending::Signalled:
      return outcome;
    case Ending::TimedOut:
      log_format(L_ERR, "exec: '%s' killed (process group %d) at time_to_kill=%llds, after %lld ms",
                 command.text.c_str(), outcome.pid, state->time_to_kill,
                 static_cast<long long>(outcome.elapsed.count()));
      return std::nullopt;
    case Ending::OutputTooLarge:
      log_format(L_ERR, "exec: '%s' killed: its output passed %lld bytes (KAMC_EXEC_MAX_OUTPUT)",
                 command.text.c_str(), state->max_output);
      return std::nullopt;
    case Ending::Cancelled:
      log_format(L_ERR, "exec: '%s' killed: the server is shutting down", command.text.c_str());
      return std::nullopt;
    case Ending::SpawnFailed:
      log_format(L_ERR, "exec: cannot run '%s': %s", command.text.c_str(), outcome.error.c_str());
      return std::nullopt;
  }
  return std::nullopt;
}

// Kamailio's rule for every exec function: 1 when the command exited with 0, else -1.
int exit_code(const CommandOutcome& outcome, const ShellCommand& command) {
  if (outcome.ending == CommandOutcome::Ending::Signalled) {
    log_format(L_ERR, "exec: '%s' ended by signal %d", command.text.c_str(), outcome.signal);
    return -1;
  }
  return outcome.exit_status == 0 ? 1 : -1;
}

// Output lines as Kamailio reads them: trailing blanks and CR/LF removed, empty lines skipped.
std::vector<std::string_view> output_lines(std::string_view output) {
  std::vector<std::string_view> lines;
  while (!output.empty()) {
    std::size_t end = output.find('\n');
    std::string_view line = output.substr(0, end);
    output.remove_prefix(end == std::string_view::npos ? output.size() : end + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\t' || line.back() == ' ')) line.remove_suffix(1);
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

const ShellCommand& command_of(MessageContext& context, const FunctionCall& call) {
  return shared_exec_state(context.runtime)->commands[static_cast<std::size_t>(call.prepared_number)];
}

// ---- the functions ---------------------------------------------------------------------

// exec_cmd(command): no message on stdin, no SIP_* variables, output ignored.
int exec_cmd_body(MessageContext& context, const FunctionCall& call) {
  const ShellCommand& command = command_of(context, call);
  CommandRequest request;
  request.shell_text = command.text;
  if (!command_environment(context, exec_state(*call.runtime), command, false, {}, request.environment)) return -1;
  auto outcome = run(context, call, std::move(request));
  return outcome ? exit_code(*outcome, command) : -1;
}

// exec_msg(command): the received message on stdin; the output goes where kamc's goes.
int exec_msg_body(MessageContext& context, const FunctionCall& call) {
  const ShellCommand& command = command_of(context, call);
  CommandRequest request;
  request.shell_text = command.text;
  request.input = std::string(context.buffer);
  request.stdout_use = StdoutUse::Inherit;
  if (!command_environment(context, exec_state(*call.runtime), command, true, {}, request.environment)) return -1;
  auto outcome = run(context, call, std::move(request));
  return outcome ? exit_code(*outcome, command) : -1;
}

// exec_avp(command[, avplist]): output line i into the i-th AVP of the list, or into
// $avp(i:i+1) past its end (or without one).
int exec_avp_body(MessageContext& context, const FunctionCall& call) {
  const ShellCommand& command = command_of(context, call);
  CommandRequest request;
  request.shell_text = command.text;
  request.stdout_use = StdoutUse::Capture;
  if (!command_environment(context, exec_state(*call.runtime), command, true, {}, request.environment)) return -1;
  auto outcome = run(context, call, std::move(request));
  if (!outcome) return -1;
  std::size_t index = 0;
  for (std::string_view line : output_lines(outcome->output)) {
    std::string name = index < call.prepared_texts.size() ? call.prepared_texts[index] : std::to_string(index + 1);
    context.avps.push_back({std::move(name), StoredValue{PvValue::kString, 0, std::string(line)}});
    ++index;
  }
  return exit_code(*outcome, command);
}

// exec_dset(command): the R-URI as the command's last argument; the first output line
// becomes the R-URI, the others branches.
int exec_dset_body(MessageContext& context, const FunctionCall& call) {
  const ShellCommand& command = command_of(context, call);
  CommandRequest request;
  request.shell_text = command.text + " \"${KAMC_EXEC_URI}\"";
  request.stdout_use = StdoutUse::Capture;
  std::vector<std::string> uri_entry{"KAMC_EXEC_URI=" + std::string(context.request_uri())};
  if (!command_environment(context, exec_state(*call.runtime), command, true, std::move(uri_entry),
                           request.environment)) {
    return -1;
  }
  auto outcome = run(context, call, std::move(request));
  if (!outcome) return -1;
  std::vector<std::string_view> lines = output_lines(outcome->output);
  if (lines.empty()) {
    log_format(L_ERR, "exec_dset: no URI from '%s'", command.text.c_str());
    return -1;
  }
  for (std::size_t index = 0; index < lines.size(); ++index) {
    std::string uri(lines[index]);
    if (index == 0) {
      if (!set_request_uri(context, uri)) return -1;
      continue;
    }
    sip::Uri parsed;
    if (!sip::parse_uri(uri, parsed).ok()) {
      log_format(L_ERR, "exec_dset: '%s' printed '%s', which is not a URI", command.text.c_str(), uri.c_str());
      return -1;
    }
    DestinationBranch branch;
    branch.uri = std::move(uri);
    context.destination_set.push_back(std::move(branch));
  }
  return exit_code(*outcome, command);
}

// Every function: argument 0 rewritten once into safe shell text (exec_shell.h); the
// message may suspend while the command runs.
bool fixup_command(FunctionCall& call, std::string& error) {
  auto command = exec::rewrite_command(call.args[0].written, *call.runtime, error);
  if (!command) return false;
  ExecState& state = exec_state(*call.runtime);
  call.prepared_number = static_cast<long long>(state.commands.size());
  state.commands.push_back(std::move(*command));
  call.runtime->set_routes_may_suspend();
  return true;
}

// exec_avp's avplist: "$avp(a);$avp(b)", separated by blanks, ',' or ';' as Kamailio's
// parse_pvname_list reads it; each must be an $avp.
bool fixup_exec_avp(FunctionCall& call, std::string& error) {
  if (!fixup_command(call, error)) return false;
  if (call.args.size() < 2) return true;
  std::string_view list = call.args[1].written;
  std::size_t position = 0;
  auto separator = [](char c) { return c == ' ' || c == '\t' || c == ',' || c == ';' || c == '\n'; };
  while (position < list.size()) {
    while (position < list.size() && separator(list[position])) ++position;
    if (position == list.size()) break;
    std::size_t end = position;
    int depth = 0;
    while (end < list.size() && (depth > 0 || !separator(list[end]))) {
      if (list[end] == '(') ++depth;
      if (list[end] == ')') --depth;
      ++end;
    }
    std::string item(list.substr(position, end - position));
    const PvSpec* spec = call.runtime->fixup_pv(item, error);
    if (!spec) {
      error = "exec_avp: bad AVP list '" + std::string(list) + "': " + error;
      return false;
    }
    if (!spec->pv || spec->pv->name != "avp") {
      error = "exec_avp: '" + item + "' in the AVP list is not an $avp";
      return false;
    }
    call.prepared_texts.push_back(spec->argument);
    position = end;
  }
  if (call.prepared_texts.empty()) {
    error = "exec_avp: the AVP list '" + std::string(list) + "' names no AVP";
    return false;
  }
  return true;
}

constexpr std::array<FunctionExport, 4> kFunctions{{
    {"exec_dset", exec_dset_body, fixup_command},
    {"exec_msg", exec_msg_body, fixup_command},
    {"exec_avp", exec_avp_body, fixup_exec_avp},
    {"exec_cmd", exec_cmd_body, fixup_command},
}};

constexpr std::array<ParamExport, 3> kParams{{
    {"time_to_kill", 0},
    {"setvars", 1},
    {"bash_safety", 1},
}};

}  // namespace

extern const ModuleExports kExecModule{
    .name = "exec",
    .functions = kFunctions,
    .params = kParams,
    .init = init_exec,
    .destroy = destroy_exec,
};

}  // namespace kamc::runtime
