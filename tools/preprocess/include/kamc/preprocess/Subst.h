// Kamailio's subst expressions, "/regex/replacement/flags", as used by
// #!subst, #!substdef and #!substdefs: POSIX extended regex, flags i (ignore
// case), g (all matches) and s (dot matches newline); \0..\9 back-references.
#pragma once

#include <regex.h>

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace kamc {

class SubstExpr {
 public:
  // Parses and compiles; on failure returns nullopt and sets *error.
  static std::optional<SubstExpr> parse(const std::string& expr, std::string* error);

  // Applies the expression; nullopt when the regex does not match.
  std::optional<std::string> apply(const std::string& input) const;

  const std::string& regexText() const { return regex_; }
  const std::string& replacementText() const { return replacement_; }

 private:
  struct CompiledRegex {
    regex_t re;
    ~CompiledRegex() { regfree(&re); }
  };
  struct BackReference { int group; };
  using ReplacementPiece = std::variant<std::string, BackReference>;

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

}  // namespace kamc
