// Our own implementation of Kamailio's subst expression semantics (re.c):
// the separator is the first character, an unescaped separator ends each part,
// and an empty match stops the substitution (Kamailio treats it as an error).
#include "kamc/preprocess/Subst.h"

#include <algorithm>

#include "kamc/semantics/PvSyntax.h"
#include "kamc/semantics/RegexLimits.h"

namespace kamc {
namespace {

// Index of the next separator not preceded by a backslash, or npos.
size_t findSeparator(const std::string& s, size_t from, char sep) {
  for (size_t p = from; p < s.size(); ++p)
    if (s[p] == sep && s[p - 1] != '\\') return p;
  return std::string::npos;
}

struct CoreClass {
  std::string_view name;
  PreprocessPv::Kind kind;
  bool takesName;
};
// pv_core.c's core_pvs and pvapi.c's $null: the classes that exist before any module loads.
constexpr CoreClass kCoreClasses[] = {
    {"def", PreprocessPv::Kind::Define, true},      {"defn", PreprocessPv::Kind::DefineNumber, true},
    {"env", PreprocessPv::Kind::Env, true},         {"envn", PreprocessPv::Kind::EnvNumber, true},
    {"rc", PreprocessPv::Kind::ReturnCode, false},  {"retcode", PreprocessPv::Kind::ReturnCode, false},
    {"?", PreprocessPv::Kind::ReturnCode, false},   {"null", PreprocessPv::Kind::Null, false},
};

}  // namespace

// The pseudo-variable's extent and parts come from the shared parser, as
// pv_parse_spec reads them; this adds what the core's own classes accept.
PreprocessPv readPreprocessPv(std::string_view t) {
  PreprocessPv pv;
  // $$ and $($) are pv_parse_spec's marker: a '$'.
  if (t.size() >= 2 && (t[1] == '$' || (t[1] == '(' && t.size() >= 3 && t[2] == '$'))) {
    pv.kind = PreprocessPv::Kind::Marker;
    pv.className = "$";
    bool parenthesized = t[1] == '(';
    size_t end = parenthesized ? 3 : 2;
    if (parenthesized && (t.size() <= end || t[end] != ')')) pv.problem = "'$($' must close with ')'";
    else if (parenthesized) ++end;
    pv.text = std::string(t.substr(0, end));
    return pv;
  }
  semantics::PseudoVariableParse parse = semantics::parsePseudoVariable(t, semantics::PvContext::String);
  if (!parse.pv) {
    pv.text = std::string(t.substr(0, 1));
    pv.problem = parse.error + " (write \\$ for a '$')";
    return pv;
  }
  const semantics::PseudoVariable& spec = *parse.pv;
  pv.text = spec.text;
  pv.className = spec.className;
  pv.transformed = !spec.transformations.empty();
  const CoreClass* core = nullptr;
  for (const CoreClass& c : kCoreClasses)
    if (c.name == spec.className) core = &c;
  if (!core) return pv;
  pv.kind = core->kind;
  pv.name = spec.inner.value_or("");
  if (core->takesName && !spec.inner) pv.problem = "$" + pv.className + " expects a name in parentheses";
  else if (!core->takesName && spec.inner) pv.problem = "$" + pv.className + " takes no name";
  else if (spec.inner && spec.inner->empty()) pv.problem = "an empty name";
  else if (spec.index) pv.problem = "$" + pv.className + " takes no index";
  return pv;
}

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
      // Kamailio's parse_repl reads a pseudo-variable here (pv_parse_spec).
      if (!literal.empty()) se.pieces_.emplace_back(std::move(literal));
      literal.clear();
      PreprocessPv pv = readPreprocessPv(std::string_view(expr).substr(p));
      p += pv.text.size() - 1;
      se.pieces_.emplace_back(std::move(pv));
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
  std::string reason = semantics::compileBoundedRegex(se.compiled_->re, se.regex_, cflags);
  if (!reason.empty()) {
    se.compiled_.reset();  // regfree must not run on a failed compile
    return fail("bad regular expression '" + se.regex_ + "' in '" + expr + "': " + reason);
  }
  return se;
}

std::vector<const PreprocessPv*> SubstExpr::pseudoVariables() const {
  std::vector<const PreprocessPv*> out;
  for (const ReplacementPiece& piece : pieces_)
    if (auto* pv = std::get_if<PreprocessPv>(&piece)) out.push_back(pv);
  return out;
}

std::optional<std::string> SubstExpr::apply(const std::string& input, const PreprocessPvValue& pvValue) const {
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
      } else if (auto* pv = std::get_if<PreprocessPv>(&piece)) {
        if (pvValue) out += pvValue(*pv).value_or("");  // subst_str appends a null as ""
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

std::optional<std::string> evaluateSubstDefValue(const std::string& raw, const PreprocessPvValue& pvValue,
                                                 const std::function<bool(const PreprocessPv&)>& isKnownClass) {
  std::string out;
  for (size_t p = 0; p < raw.size();) {
    size_t dollar = raw.find('$', p);
    out.append(raw, p, dollar == std::string::npos ? std::string::npos : dollar - p);
    if (dollar == std::string::npos) break;
    PreprocessPv pv = readPreprocessPv(std::string_view(raw).substr(dollar));
    if (!pv.problem.empty() || !isKnownClass(pv)) return std::nullopt;  // pv_parse_format fails
    out += pvValue(pv).value_or("<null>");
    p = dollar + pv.text.size();
  }
  return out;
}

}  // namespace kamc
