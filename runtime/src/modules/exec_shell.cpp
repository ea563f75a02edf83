// exec's command rewrite (exec_shell.h): a small reading of POSIX shell quoting, enough
// to know, at each pseudo-variable, whether the shell is outside quotes, inside double
// quotes or inside single quotes.
#include "exec_shell.h"

#include "kamc/runtime/message_context.h"
#include "kamc/runtime/pseudo_variables.h"
#include "kamc/runtime/runtime.h"
#include "kamc/semantics/PvSyntax.h"

namespace kamc::runtime::exec {

namespace {

// Where the shell is in the text read so far. `$(`, `(` and backquotes open a nested
// command, in which quoting starts afresh; the stack holds what encloses it.
enum class Quoting { Unquoted, Double, Single, Backquoted };

class QuotingReader {
 public:
  void read(std::string_view text) {
    for (char c : text) step(c);
  }
  Quoting current() const { return stack_.back(); }
  bool escape_pending() const { return escaped_; }

 private:
  void step(char c) {
    if (escaped_) {
      escaped_ = false;
      previous_ = 0;  // an escaped '$' opens nothing
      return;
    }
    Quoting top = stack_.back();
    char previous = previous_;
    previous_ = c;
    if (top == Quoting::Single) {
      if (c == '\'') stack_.pop_back();
      return;
    }
    if (c == '\\') {
      escaped_ = true;
      return;
    }
    if (c == '`') {
      if (top == Quoting::Backquoted) {
        stack_.pop_back();
      } else {
        stack_.push_back(Quoting::Backquoted);
      }
      return;
    }
    if (top == Quoting::Double) {
      if (c == '"') {
        stack_.pop_back();
      } else if (c == '(' && previous == '$') {
        stack_.push_back(Quoting::Unquoted);
        parens_.push_back(stack_.size());
      }
      return;
    }
    // Unquoted or backquoted.
    if (c == '\'') {
      stack_.push_back(Quoting::Single);
    } else if (c == '"') {
      stack_.push_back(Quoting::Double);
    } else if (c == '(') {
      stack_.push_back(Quoting::Unquoted);
      parens_.push_back(stack_.size());
    } else if (c == ')' && !parens_.empty() && parens_.back() == stack_.size()) {
      parens_.pop_back();
      stack_.pop_back();
    }
  }

  std::vector<Quoting> stack_{Quoting::Unquoted};
  std::vector<std::size_t> parens_;  // stack depths opened by '(' or "$("
  bool escaped_ = false;
  char previous_ = 0;
};

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::string pv_variable_name(std::size_t index) { return "KAMC_PV_" + std::to_string(index + 1); }

std::optional<ShellCommand> rewrite_command(std::string_view written, Runtime& runtime, std::string& error) {
  semantics::FormatParse parsed = semantics::parseFormat(written);
  for (const auto& [offset, message] : parsed.errors) {
    char next = offset + 1 < written.size() ? written[offset + 1] : ' ';
    if (is_name_char(next) || next == '(') {  // as Format::parse: a '$' that starts no name is literal
      error = "bad pseudo-variable at '" + std::string(written.substr(offset)) + "': " + message;
      return std::nullopt;
    }
  }
  ShellCommand command;
  QuotingReader reader;
  for (const semantics::FormatPart& part : parsed.parts) {
    if (!part.isVariable) {
      reader.read(part.literal);
      command.text += part.literal;
      continue;
    }
    if (reader.escape_pending()) {
      error = "exec: a '\\' just before " + part.pv->text +
              " would escape the shell text kamc puts there; a pseudo-variable's value always reaches the "
              "command as literal text, so remove the '\\'";
      return std::nullopt;
    }
    const PvSpec* spec = runtime.fixup_pv(part.pv->text, error);
    if (!spec) return std::nullopt;
    std::string reference = "${" + pv_variable_name(command.variables.size()) + "}";
    command.variables.push_back(spec);
    switch (reader.current()) {
      case Quoting::Double:
        command.text += reference;
        break;
      case Quoting::Single:
        command.text += "'\"" + reference + "\"'";
        break;
      case Quoting::Unquoted:
      case Quoting::Backquoted:
        command.text += "\"" + reference + "\"";
        break;
    }
  }
  return command;
}

std::optional<std::vector<std::string>> pv_environment(MessageContext& context, const ShellCommand& command,
                                                       std::string& error) {
  std::vector<std::string> entries;
  entries.reserve(command.variables.size());
  for (std::size_t index = 0; index < command.variables.size(); ++index) {
    PvValue value = get_pv(context, *command.variables[index]);
    std::string text;
    if (value.is_null()) {
      text = "<null>";
    } else if (value.flags & PvValue::kString) {
      text = std::string(value.text);
    } else {
      text = std::to_string(value.number);
    }
    if (text.find('\0') != std::string::npos) {
      error = "the value of " + command.variables[index]->name + " holds a NUL byte, which no environment variable can";
      return std::nullopt;
    }
    entries.push_back(pv_variable_name(index) + "=" + text);
  }
  return entries;
}

}  // namespace kamc::runtime::exec
