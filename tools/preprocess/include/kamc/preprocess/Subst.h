// Kamailio's subst expressions, "/regex/replacement/flags", as used by
// #!subst, #!substdef and #!substdefs: POSIX extended regex, flags i (ignore
// case), g (all matches) and s (dot matches newline); \0..\9 back-references.
#pragma once

#include <regex.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kamc {

// A pseudo-variable written in a subst replacement or a #!substdef value.
// Kamailio parses it with pv_parse_spec while it reads the directive and
// evaluates it against a fake message. Only the core's own variables have a
// value before any message exists, and kamc evaluates exactly those.
struct PreprocessPv {
  enum class Kind {
    Define,        // $def(NAME): the define's value as written, null if not defined
    DefineNumber,  // $defn(NAME): the same, or 0 if not defined
    Env,           // $env(NAME): the environment variable, null if not set
    EnvNumber,     // $envn(NAME): the same
    ReturnCode,    // $rc, $retcode, $?: 0 while the config is read
    Null,          // $null
    Marker,        // $$: a '$'
    Other,         // any other class: a module's, or none at all
  };
  Kind kind = Kind::Other;
  std::string name;       // NAME of $def(NAME) ...
  std::string className;  // "def", "env", "var", "HN", "" for a lone '$'
  std::string text;       // as written, '$' included
  std::string problem;    // why Kamailio refuses it whatever the class ("takes no index")
  bool transformed = false;  // $(env(X){s.len}): the transformation classes come from modules
};

// Reads the pseudo-variable at text[0] == '$' as pv_parse_spec delimits it:
// $name, $name(inner), $name(inner)[index], $(name(inner)[index]{tr...}).
PreprocessPv readPreprocessPv(std::string_view text);

// The value of a core pseudo-variable while the config is read; nullopt is
// Kamailio's null (printed "<null>" in a #!substdef value, "" by a subst rule).
using PreprocessPvValue = std::function<std::optional<std::string>(const PreprocessPv&)>;

class SubstExpr {
 public:
  // Parses and compiles; on failure returns nullopt and sets *error.
  // Pseudo-variables of any class are accepted here: whether the class
  // exists and can be evaluated is the caller's question (pseudoVariables()).
  static std::optional<SubstExpr> parse(const std::string& expr, std::string* error);

  // Applies the expression; nullopt when the regex does not match.
  // pvValue gives the pseudo-variables of the replacement their value.
  std::optional<std::string> apply(const std::string& input, const PreprocessPvValue& pvValue = {}) const;

  const std::string& regexText() const { return regex_; }
  const std::string& replacementText() const { return replacement_; }
  std::vector<const PreprocessPv*> pseudoVariables() const;

 private:
  struct CompiledRegex {
    regex_t re;
    ~CompiledRegex() { regfree(&re); }
  };
  struct BackReference { int group; };
  using ReplacementPiece = std::variant<std::string, BackReference, PreprocessPv>;

  std::shared_ptr<CompiledRegex> compiled_;
  std::string regex_;
  std::string replacement_;
  std::vector<ReplacementPiece> pieces_;
  int maxGroup_ = 0;
  bool global_ = false;
};

// The define name and value that #!substdef takes from "/NAME/VALUE/flags".
struct SubstDefParts {
  std::string name;
  std::string value;
};
std::optional<SubstDefParts> splitSubstDef(const std::string& expr, std::string* error);

// A #!substdef value with '$' in it, as Kamailio's pv_eval_str reads it: the
// raw text (no escapes) as a format. nullopt when some '$' starts no
// pseudo-variable pv_parse_spec accepts (isKnownClass says which classes
// exist): Kamailio then keeps the raw text. Null values print as "<null>".
std::optional<std::string> evaluateSubstDefValue(const std::string& raw, const PreprocessPvValue& pvValue,
                                                 const std::function<bool(const PreprocessPv&)>& isKnownClass);

}  // namespace kamc
