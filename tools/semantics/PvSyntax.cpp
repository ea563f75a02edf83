// A small hand-written scanner: the pseudo-variable syntax nests (inner names,
// indexes and transformation parameters may hold pseudo-variables themselves),
// which is simpler to follow with balanced-bracket scanning than with tokens.
#include "kamc/semantics/PvSyntax.h"

namespace kamc::semantics {
namespace {

bool isNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// pv_parse_spec's name characters (pvapi.c, is_pv_valid_char).
bool isSpecNameChar(char c) { return isNameChar(c) || c == '.' || c == '?'; }

// Index just past the bracket that closes text[open]; npos when it is never
// closed. As pv_parse_spec, only brackets of the same kind nest: the ')' in
// {s.replace,(,)} is a parameter, not a closer.
size_t skipBalanced(std::string_view text, size_t open) {
  char opener = text[open];
  char closer = opener == '(' ? ')' : opener == '[' ? ']' : '}';
  int depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    if (text[i] == opener) {
      ++depth;
    } else if (text[i] == closer && --depth == 0) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

// Splits "s.substr,1,2" at top-level commas.
std::vector<std::string> splitTopLevel(std::string_view text) {
  std::vector<std::string> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '(' || c == '[' || c == '{') ++depth;
    else if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
    else if (c == ',' && depth == 0) {
      parts.emplace_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.emplace_back(text.substr(start));
  return parts;
}

// {class.name,params}: the class runs to the first '.', the name to the first
// ',' or '}' and is trimmed (tr_lookup, tr_parse_*); the rest is the
// transformation's own to read.
std::optional<Transformation> parseTransformation(std::string_view braced, std::string* error) {
  Transformation t;
  t.text = std::string(braced);
  std::string_view body = braced.substr(1, braced.size() - 2);
  size_t headEnd = body.find(',');
  std::string_view head = body.substr(0, headEnd);
  size_t dot = head.find('.');
  if (dot == std::string_view::npos || dot == 0) {
    *error = "transformation '" + t.text + "' is not of the form {class.name[,params]}";
    return std::nullopt;
  }
  t.className = std::string(head.substr(0, dot));
  std::string_view name = head.substr(dot + 1);
  while (!name.empty() && isBlank(name.front())) name.remove_prefix(1);
  while (!name.empty() && isBlank(name.back())) name.remove_suffix(1);
  if (name.empty()) {
    *error = "transformation '" + t.text + "' has no name after '" + t.className + ".'";
    return std::nullopt;
  }
  t.name = std::string(name);
  if (headEnd != std::string_view::npos) {
    t.paramText = std::string(body.substr(headEnd + 1));
    t.params = splitTopLevel(*t.paramText);
  }
  return t;
}

// Reads name, (inner) and [index] starting at pos; returns the end position or
// npos with *error set. The name's characters are pv_parse_spec's; a plain
// name in the script never holds '.' or '?' (the lexer ends it there).
size_t parseNameInnerIndex(std::string_view text, size_t pos, PseudoVariable& pv,
                           std::string* error) {
  size_t nameEnd = pos;
  while (nameEnd < text.size() && isSpecNameChar(text[nameEnd])) ++nameEnd;
  if (nameEnd == pos) {
    *error = "expected a pseudo-variable name after '$'";
    return std::string_view::npos;
  }
  pv.className = std::string(text.substr(pos, nameEnd - pos));
  pos = nameEnd;
  if (pos < text.size() && text[pos] == '(') {
    size_t close = skipBalanced(text, pos);
    if (close == std::string_view::npos) {
      *error = "missing ')' to close '$" + pv.className + "('";
      return close;
    }
    pv.inner = std::string(text.substr(pos + 1, close - pos - 2));
    pos = close;
  }
  if (pos < text.size() && text[pos] == '[') {
    size_t close = skipBalanced(text, pos);
    if (close == std::string_view::npos) {
      *error = "missing ']' to close the index of $" + pv.className;
      return close;
    }
    pv.index = std::string(text.substr(pos + 1, close - pos - 2));
    pos = close;
  }
  return pos;
}

// $(name(inner)[index]{tr}{tr}) : transformations only exist in this form.
size_t parseParenthesized(std::string_view text, PseudoVariable& pv, std::string* error) {
  pv.parenthesized = true;
  size_t pos = parseNameInnerIndex(text, 2, pv, error);
  if (pos == std::string_view::npos) return pos;
  // Blanks may separate transformations ({s.len} {s.int}), not end them.
  auto nextTransformation = [&] {
    size_t p = pos;
    while (p < text.size() && (text[p] == ' ' || text[p] == '\t')) ++p;
    if (p < text.size() && text[p] == '{') pos = p;
    return pos < text.size() && text[pos] == '{';
  };
  while (nextTransformation()) {
    size_t close = skipBalanced(text, pos);
    if (close == std::string_view::npos) {
      *error = "missing '}' to close a transformation of $" + pv.className;
      return close;
    }
    std::optional<Transformation> t = parseTransformation(text.substr(pos, close - pos), error);
    if (!t) return std::string_view::npos;
    pv.transformations.push_back(std::move(*t));
    pos = close;
  }
  if (pos >= text.size() || text[pos] != ')') {
    *error = "missing ')' to close '$('";
    return std::string_view::npos;
  }
  return pos + 1;
}

// $f.name, $tr.name, $g.name and %name: AVPs in SER's spelling.
bool isSerAvpClass(std::string_view name) {
  static constexpr std::string_view kClasses[] = {"f", "t", "g", "fr", "fu", "fd", "tr", "tu", "td"};
  for (std::string_view c : kClasses)
    if (name == c) return true;
  return false;
}

}  // namespace

PseudoVariableParse parsePseudoVariable(std::string_view text, PvContext context) {
  PseudoVariableParse result;
  PseudoVariable pv;
  std::string error;
  size_t end = std::string_view::npos;
  bool script = context == PvContext::Script;
  if (script && text.size() >= 2 && text[0] == '$' && text[1] == '?') {  // pv_parse_spec reads "?" as a name
    pv.className = "?";
    end = 2;
  } else if (text.size() >= 2 && text[0] == '$' && text[1] == '(') {
    end = parseParenthesized(text, pv, &error);
  } else if (!text.empty() && (text[0] == '$' || (script && text[0] == '%'))) {
    end = parseNameInnerIndex(text, 1, pv, &error);
    size_t dot = pv.className.find('.');
    bool serClass = script && end != std::string_view::npos && dot != std::string::npos && !pv.inner &&
                    isSerAvpClass(std::string_view(pv.className).substr(0, dot));
    if (serClass || (text[0] == '%' && end != std::string_view::npos)) {
      pv.inner = pv.className;
      pv.className = "avp";
      pv.serAvp = true;
    }
  } else {
    error = "a pseudo-variable starts with '$'";
  }
  if (end == std::string_view::npos) {
    result.error = error;
    return result;
  }
  pv.text = std::string(text.substr(0, end));
  result.length = end;
  result.pv = std::move(pv);
  return result;
}

FormatParse parseFormat(std::string_view text) {
  FormatParse out;
  std::string literal;
  size_t literalStart = 0;
  auto flushLiteral = [&] {
    if (!literal.empty()) out.parts.push_back({false, std::move(literal), std::nullopt, literalStart});
    literal.clear();
  };
  for (size_t i = 0; i < text.size();) {
    if (text[i] != '$') {
      if (literal.empty()) literalStart = i;
      literal.push_back(text[i++]);
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {  // "$$" prints one '$'
      if (literal.empty()) literalStart = i;
      literal.push_back('$');
      i += 2;
      continue;
    }
    PseudoVariableParse p = parsePseudoVariable(text.substr(i), PvContext::String);
    if (!p.pv) {
      out.errors.emplace_back(i, p.error);
      if (literal.empty()) literalStart = i;
      literal.push_back(text[i++]);
      continue;
    }
    flushLiteral();
    out.parts.push_back({true, {}, std::move(p.pv), i});
    i += p.length;
  }
  flushLiteral();
  return out;
}

}  // namespace kamc::semantics
