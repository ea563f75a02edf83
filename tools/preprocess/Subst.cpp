// Our own implementation of Kamailio's subst expression semantics (re.c):
// the separator is the first character, an unescaped separator ends each part,
// and an empty match stops the substitution (Kamailio treats it as an error).
#include "kamc/preprocess/Subst.h"

namespace kamc {
namespace {

// Index of the next separator not preceded by a backslash, or npos.
size_t findSeparator(const std::string& s, size_t from, char sep) {
  for (size_t p = from; p < s.size(); ++p)
    if (s[p] == sep && s[p - 1] != '\\') return p;
  return std::string::npos;
}

}  // namespace

std::optional<SubstExpr> SubstExpr::parse(const std::string& expr, std::string* error) {
  auto fail = [&](std::string msg) -> std::optional<SubstExpr> {
    *error = std::move(msg);
    return std::nullopt;
  };
  if (expr.size() < 3) return fail("expression is too short: '" + expr + "'");
  char sep = expr[0];
  if (sep == '\\') return fail("'\\' cannot be the separator in '" + expr + "'");
  size_t reEnd = findSeparator(expr, 1, sep);
  if (reEnd == std::string::npos)
    return fail(std::string("no closing '") + sep + "' after the regular expression in '" + expr + "'");
  if (expr.size() < reEnd + 2) return fail("expression is too short: '" + expr + "'");

  SubstExpr se;
  se.regex_ = expr.substr(1, reEnd - 1);
  std::string literal;
  size_t p = reEnd + 1;
  bool closed = false;
  for (; p < expr.size(); ++p) {
    char c = expr[p];
    if (c == '\\' && p + 1 < expr.size()) {
      char e = expr[++p];
      switch (e) {
        case 'n': literal += '\n'; break;
        case 'r': literal += '\r'; break;
        case 't': literal += '\t'; break;
        case 'u':
          return fail("'\\u' (the request URI) has no value at preprocessing time in '" + expr + "'");
        default:
          if (e >= '0' && e <= '9') {
            if (!literal.empty()) se.pieces_.emplace_back(std::move(literal));
            literal.clear();
            se.pieces_.emplace_back(BackReference{e - '0'});
            se.maxGroup_ = std::max(se.maxGroup_, e - '0');
          } else {
            literal += e;  // \\, \$, \<sep> and unknown escapes give the char
          }
      }
    } else if (c == '$') {
      return fail("pseudo-variables in the replacement of '" + expr +
                  "' are not supported by kamc's preprocessor; escape '$' as '\\$'");
    } else if (c == sep) {
      closed = true;
      break;
    } else {
      literal += c;
    }
  }
  if (!closed) return fail(std::string("missing closing '") + sep + "' after the replacement in '" + expr + "'");
  if (!literal.empty()) se.pieces_.emplace_back(std::move(literal));
  se.replacement_ = expr.substr(reEnd + 1, p - reEnd - 1);

  int cflags = REG_EXTENDED | REG_NEWLINE;
  for (++p; p < expr.size(); ++p) {
    switch (expr[p]) {
      case 'i': cflags |= REG_ICASE; break;
      case 's': cflags &= ~REG_NEWLINE; break;
      case 'g': se.global_ = true; break;
      default:
        return fail(std::string("unknown flag '") + expr[p] + "' in '" + expr + "' (flags are i, g, s)");
    }
  }
  se.compiled_ = std::make_shared<CompiledRegex>();
  int rc = regcomp(&se.compiled_->re, se.regex_.c_str(), cflags);
  if (rc != 0) {
    char buf[256];
    regerror(rc, &se.compiled_->re, buf, sizeof buf);
    se.compiled_.reset();  // regfree must not run on a failed compile
    return fail("bad regular expression '" + se.regex_ + "' in '" + expr + "': " + buf);
  }
  return se;
}

std::optional<std::string> SubstExpr::apply(const std::string& input) const {
  std::vector<regmatch_t> m(maxGroup_ + 1);
  std::string out;
  size_t pos = 0;
  int eflags = 0;
  bool matched = false;
  do {
    if (regexec(&compiled_->re, input.c_str() + pos, m.size(), m.data(), eflags) != 0) break;
    if (m[0].rm_so == m[0].rm_eo) return std::nullopt;  // empty match: Kamailio gives up
    matched = true;
    out.append(input, pos, m[0].rm_so);
    for (const ReplacementPiece& piece : pieces_) {
      if (auto* text = std::get_if<std::string>(&piece)) {
        out += *text;
      } else {
        const regmatch_t& g = m[std::get<BackReference>(piece).group];
        if (g.rm_so != -1) out.append(input, pos + g.rm_so, g.rm_eo - g.rm_so);
      }
    }
    pos += m[0].rm_eo;
    char last = input[pos - 1];
    eflags = (last == '\n' || last == '\r') ? 0 : REG_NOTBOL;
  } while (global_ && pos <= input.size());
  if (!matched) return std::nullopt;
  out.append(input, pos);
  return out;
}

std::optional<SubstDefParts> splitSubstDef(const std::string& expr, std::string* error) {
  if (expr.empty() || expr[0] == '\\') {
    *error = "invalid separator in '" + expr + "'";
    return std::nullopt;
  }
  char sep = expr[0];
  size_t nameEnd = findSeparator(expr, 1, sep);
  if (nameEnd == std::string::npos) {
    *error = "separator not found after the name in '" + expr + "'";
    return std::nullopt;
  }
  if (nameEnd == 1) {
    *error = "empty define name in '" + expr + "'";
    return std::nullopt;
  }
  size_t valueEnd = findSeparator(expr, nameEnd + 1, sep);
  if (valueEnd == std::string::npos) {
    *error = "separator not found after the value in '" + expr + "'";
    return std::nullopt;
  }
  return SubstDefParts{expr.substr(1, nameEnd - 1),
                       expr.substr(nameEnd + 1, valueEnd - nameEnd - 1)};
}

}  // namespace kamc
