// The exec module without SIP: how a command string is rewritten for each shell quoting
// context, what the real /bin/sh then does with hostile values, and the child processes
// (exact stdin bytes, exit status, time_to_kill on a group that ignores SIGTERM, the
// output limit). The SIP side is tests/runtime/exec_integration.py.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "exec_process.h"
#include "exec_shell.h"
#include "kamc/runtime/runtime.h"

using namespace kamc::runtime;
using namespace std::chrono_literals;

namespace {

std::string rewritten(const std::string& command) {
  Runtime runtime;
  std::string error;
  auto shell = exec::rewrite_command(command, runtime, error);
  return shell ? shell->text : "error: " + error;
}

// Runs shell text with KAMC_PV_1 = value; returns what it printed.
std::string shell_output(const std::string& text, const std::string& value) {
  exec::CommandRequest request;
  request.shell_text = text;
  request.environment = {"PATH=/usr/bin:/bin", "KAMC_PV_1=" + value};
  request.stdout_use = exec::StdoutUse::Capture;
  request.max_output = 1 << 20;
  request.deadline = exec::Clock::now() + 5s;
  exec::CommandOutcome outcome = exec::run_command(request);
  EXPECT_TRUE(outcome.succeeded()) << text << " with " << value;
  return outcome.output;
}

TEST(ExecRewrite, EachPseudoVariableBecomesAReferenceQuotedForItsContext) {
  EXPECT_EQ(rewritten("script $rU"), "script \"${KAMC_PV_1}\"");
  EXPECT_EQ(rewritten("script '$rU'"), "script ''\"${KAMC_PV_1}\"''");
  EXPECT_EQ(rewritten("script \"$rU\""), "script \"${KAMC_PV_1}\"");
  EXPECT_EQ(rewritten("script \"it's $rU\""), "script \"it's ${KAMC_PV_1}\"");
  EXPECT_EQ(rewritten("script 'say \"$rU\"'"), "script 'say \"'\"${KAMC_PV_1}\"'\"'");
  // A shell "$(" is written "$$(" in a cfg string, where "$(" starts a pseudo-variable.
  EXPECT_EQ(rewritten("script $$(echo '$rU') \"$$(echo $fU)\""),
            "script $(echo ''\"${KAMC_PV_1}\"'') \"$(echo \"${KAMC_PV_2}\")\"");
  EXPECT_EQ(rewritten("script `echo $rU`"), "script `echo \"${KAMC_PV_1}\"`");
  EXPECT_EQ(rewritten("a \\' $rU"), "a \\' \"${KAMC_PV_1}\"");  // an escaped quote opens nothing
}

TEST(ExecRewrite, DollarDollarReachesTheShellAsOneDollar) {
  EXPECT_EQ(rewritten("echo $$SIP_OUSER $rU"), "echo $SIP_OUSER \"${KAMC_PV_1}\"");
  EXPECT_EQ(rewritten("echo no variables"), "echo no variables");
}

TEST(ExecRewrite, BadInputIsRefusedWithTheReason) {
  EXPECT_NE(rewritten("echo \\$rU").find("error: exec: a '\\' just before $rU"), std::string::npos);
  EXPECT_NE(rewritten("echo $nosuchpv(x)").find("error:"), std::string::npos);
}

TEST(ExecRewrite, HostileValuesReachTheShellAsOneExactWordInEveryContext) {
  const std::vector<std::string> values = {
      "x'; touch INJECTED; '", "`touch INJECTED`", "$(touch INJECTED)", "a;touch INJECTED",
      "two  words\tand\na newline", "\"\\\"'", "*", "-n", "", "${HOME}", "'\"'\"'"};
  const std::vector<std::pair<std::string, std::string>> commands = {
      {"printf '[%s]' $rU", "[%]"},
      {"printf '[%s]' '$rU'", "[%]"},
      {"printf '[%s]' \"$rU\"", "[%]"},
      {"printf '[%s]' \"<$rU>\"", "[<%>]"},
      {"printf '[%s]' 'a'$rU'b'", "[a%b]"},
      {"printf '[%s]' \"$$(printf %s '$rU')\"", "[%]"},
  };
  std::filesystem::path marker = std::filesystem::current_path() / "INJECTED";
  std::filesystem::remove(marker);
  for (const auto& [command, pattern] : commands) {
    std::string text = rewritten(command);
    for (const std::string& value : values) {
      std::string expected = pattern;
      expected.replace(expected.find('%'), 1, value);
      if (command.find("$$(printf") != std::string::npos) {
        // Command substitution drops trailing newlines, as it would for any text.
        while (expected.size() > 3 && expected[expected.size() - 2] == '\n') expected.erase(expected.size() - 2, 1);
      }
      EXPECT_EQ(shell_output(text, value), expected) << command;
      EXPECT_FALSE(std::filesystem::exists(marker)) << command << " ran code from " << value;
    }
  }
}

TEST(ExecProcess, StdinGetsTheExactBytesAndTheExitStatusIsReported) {
  exec::CommandRequest request;
  request.shell_text = "cat; exit 7";
  std::string bytes;
  for (int repeat = 0; repeat < 400; ++repeat) {  // 100 KiB: more than a pipe holds
    for (int c = 0; c < 256; ++c) bytes += static_cast<char>(c);
  }
  request.input = bytes;
  request.stdout_use = exec::StdoutUse::Capture;
  request.max_output = 1 << 20;
  exec::CommandOutcome outcome = exec::run_command(request);
  EXPECT_EQ(outcome.ending, exec::CommandOutcome::Ending::Exited);
  EXPECT_EQ(outcome.exit_status, 7);
  EXPECT_TRUE(outcome.output == bytes);
}

TEST(ExecProcess, TimeToKillEndsTheWholeGroupEvenWhenItIgnoresSigterm) {
  exec::CommandRequest request;
  request.shell_text = "trap '' TERM; sleep 100 & sleep 100; wait";
  request.deadline = exec::Clock::now() + 300ms;
  request.kill_grace = 200ms;
  auto started = exec::Clock::now();
  exec::CommandOutcome outcome = exec::run_command(request);
  auto took = exec::Clock::now() - started;
  EXPECT_EQ(outcome.ending, exec::CommandOutcome::Ending::TimedOut);
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 1500ms);
  ASSERT_GT(outcome.pid, 0);
  EXPECT_NE(::kill(-outcome.pid, 0), 0) << "a member of the killed group is still alive";
  EXPECT_NE(::kill(outcome.pid, 0), 0) << "the killed shell was not reaped";
}

TEST(ExecProcess, TooMuchOutputEndsTheCommand) {
  exec::CommandRequest request;
  request.shell_text = "yes";
  request.stdout_use = exec::StdoutUse::Capture;
  request.max_output = 4096;
  request.deadline = exec::Clock::now() + 10s;
  exec::CommandOutcome outcome = exec::run_command(request);
  EXPECT_EQ(outcome.ending, exec::CommandOutcome::Ending::OutputTooLarge);
  EXPECT_LT(outcome.elapsed, 5s);
}

TEST(ExecProcess, ACancelledCommandIsKilled) {
  exec::CommandRequest request;
  request.shell_text = "sleep 100";
  exec::CommandCancel cancel;
  cancel.cancel();
  EXPECT_EQ(exec::run_command(request, &cancel).ending, exec::CommandOutcome::Ending::Cancelled);
}

}  // namespace
