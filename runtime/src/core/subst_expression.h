// Sed-like substitutions, "/re/replacement/flags", as Kamailio's core parses and runs
// them (re.c): textops' subst(), subst_uri(), subst_user() and the {re.subst,...}
// transformation share this. Parsed and compiled once at load time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiled_regex.h"
#include "kamc/runtime/pseudo_variables.h"

namespace kamc::runtime {

class MessageContext;

struct SubstExpression {
  // One part of the replacement: text that may hold pseudo-variables, an escaped
  // character, a group of the match (\0..\9) or the request URI (\u).
  struct Piece {
    enum class Kind : std::uint8_t { Text, Character, Group, RequestUri };
    Kind kind = Kind::Text;
    Format text;
    char character = 0;
    int group = 0;
  };

  CompiledRegex regex;
  std::vector<Piece> replacement;
  bool replace_all = false;  // flag g
  int max_group = 0;
};

// "/re/repl/flags" with any separator but '\'; flags i (ignore case), g (all matches),
// s (a '.' matches newlines too). nullptr and a message on a bad expression.
std::shared_ptr<const SubstExpression> parse_subst(std::string_view text, VarSlots& vars, std::string& error);

struct SubstReplacement {
  std::size_t offset = 0;  // into the input
  std::size_t length = 0;
  std::string text;
};

// The matches in `input` (only the first without flag g), each with its replacement
// built. `input` ends at its first NUL, as for Kamailio. nullopt when a match is empty,
// which Kamailio treats as an error of the expression.
std::optional<std::vector<SubstReplacement>> run_subst(MessageContext& context, const SubstExpression& expression,
                                                       std::string_view input);

// `input` with every replacement applied; nullopt when nothing matched or on an error.
std::optional<std::string> subst_string(MessageContext& context, const SubstExpression& expression,
                                        std::string_view input);

}  // namespace kamc::runtime
