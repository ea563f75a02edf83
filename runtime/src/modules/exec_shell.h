// exec's command strings without shell injection. Kamailio expands the pseudo-variables
// of an exec command into the shell text, so a value holding a quote, `;`, `$(...)` or a
// backquote becomes shell code. kamc rewrites the command once, at fixup: each
// pseudo-variable becomes a reference to an environment variable (KAMC_PV_1, ...) that
// holds its value at run time, written for the quoting context it stands in:
//   outside quotes          $rU  ->  "${KAMC_PV_1}"
//   inside double quotes   "$rU" ->  "${KAMC_PV_1}"      (the reference alone)
//   inside single quotes   '$rU' ->  ''"${KAMC_PV_1}"''  (the quote closed and reopened)
// The shell expands the reference as one word, never as code. The one difference from
// Kamailio: a value is not split into several words at blanks (docs/runtime.md, "exec").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kamc::runtime {

class MessageContext;
class Runtime;
struct PvSpec;

namespace exec {

struct ShellCommand {
  std::string text;                          // for /bin/sh -c
  std::vector<const PvSpec*> variables;      // variables[i]'s value goes into pv_variable_name(i)
};

// The command as the cfg wrote it (a format: "$$" is one '$'). nullopt with a message for
// a malformed pseudo-variable or one the rewrite cannot place safely.
std::optional<ShellCommand> rewrite_command(std::string_view written, Runtime& runtime, std::string& error);

std::string pv_variable_name(std::size_t index);

// "NAME=value" for each pseudo-variable of the command, rendered as a format renders it
// (a null value is "<null>"). nullopt with a message when a value cannot go into the
// environment (it holds a NUL byte).
std::optional<std::vector<std::string>> pv_environment(MessageContext& context, const ShellCommand& command,
                                                       std::string& error);

}  // namespace exec
}  // namespace kamc::runtime
