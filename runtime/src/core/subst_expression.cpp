// Parsing "/re/repl/flags" into a compiled regex and replacement pieces, and running it
// over a string with Kamailio's rules (core/re.c): matches do not overlap, '^' matches
// again only after a line break, and an empty match is an error.
#include "subst_expression.h"

#include "kamc/runtime/message_context.h"
#include "kamc/semantics/RegexLimits.h"

namespace kamc::runtime {

namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The end of a "(...)" group that starts at `open`, or npos.
std::size_t matching_paren(std::string_view text, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')' && --depth == 0) return i + 1;
  }
  return std::string_view::npos;
}

// Where a pseudo-variable starting with '$' at `pos` ends, so that a separator or a
// backslash inside it ("$(ru{s.select,1,/})") does not end the replacement.
std::size_t pv_end(std::string_view text, std::size_t pos) {
  std::size_t end = pos + 1;
  if (end < text.size() && text[end] == '(') return matching_paren(text, end);
  while (end < text.size() && is_name_char(text[end])) ++end;
  if (end < text.size() && text[end] == '(') return matching_paren(text, end);
  return end;
}

using Piece = SubstExpression::Piece;

bool add_text_piece(std::string_view chunk, VarSlots& vars, std::vector<Piece>& pieces, std::string& error) {
  if (chunk.empty()) return true;
  auto format = Format::parse(chunk, vars, error);
  if (!format) return false;
  Piece piece;
  piece.kind = Piece::Kind::Text;
  piece.text = std::move(*format);
  pieces.push_back(std::move(piece));
  return true;
}

// The piece for "\c": \n \r \t, a group \0..\9, the R-URI \u; any other escaped
// character stands for itself, as in Kamailio.
Piece escape_piece(char c, int& max_group) {
  Piece piece;
  piece.kind = Piece::Kind::Character;
  switch (c) {
    case 'n': piece.character = '\n'; break;
    case 'r': piece.character = '\r'; break;
    case 't': piece.character = '\t'; break;
    case 'u': piece.kind = Piece::Kind::RequestUri; break;
    default:
      if (c >= '0' && c <= '9') {
        piece.kind = Piece::Kind::Group;
        piece.group = c - '0';
        if (piece.group > max_group) max_group = piece.group;
      } else {
        piece.character = c;  // "\\", "\$", "\/" and any other character
      }
  }
  return piece;
}

}  // namespace

std::shared_ptr<const SubstExpression> parse_subst(std::string_view text, VarSlots& vars, std::string& error) {
  auto fail = [&](std::string_view why) {
    error = "bad substitution '" + std::string(text) + "': " + std::string(why);
    return nullptr;
  };
  if (text.size() < 3) return fail("too short, expected /re/replacement/flags");
  char separator = text[0];
  if (separator == '\\') return fail("'\\' cannot be the separator");
  std::size_t re_end = 1;
  while (re_end < text.size() && !(text[re_end] == separator && text[re_end - 1] != '\\')) ++re_end;
  if (re_end >= text.size()) return fail("no separator after the regular expression");

  auto expression = std::make_shared<SubstExpression>();
  std::size_t pos = re_end + 1;
  std::size_t chunk_start = pos;
  bool closed = false;
  while (pos < text.size()) {
    char c = text[pos];
    if (c == '\\' && pos + 1 < text.size()) {
      if (!add_text_piece(text.substr(chunk_start, pos - chunk_start), vars, expression->replacement, error)) {
        return nullptr;
      }
      expression->replacement.push_back(escape_piece(text[pos + 1], expression->max_group));
      pos += 2;
      chunk_start = pos;
    } else if (c == '$') {
      std::size_t end = pv_end(text, pos);
      if (end == std::string_view::npos) return fail("unterminated pseudo-variable in the replacement");
      pos = end;
    } else if (c == separator) {
      if (!add_text_piece(text.substr(chunk_start, pos - chunk_start), vars, expression->replacement, error)) {
        return nullptr;
      }
      closed = true;
      break;
    } else {
      ++pos;
    }
  }
  if (!closed) return fail("no separator after the replacement");

  int cflags = REG_EXTENDED | REG_NEWLINE;
  for (char flag : text.substr(pos + 1)) {
    switch (flag) {
      case 'i': cflags |= REG_ICASE; break;
      case 's': cflags &= ~REG_NEWLINE; break;
      case 'g': expression->replace_all = true; break;
      default: return fail(std::string("unknown flag '") + flag + "'");
    }
  }
  std::string pattern(text.substr(1, re_end - 1));
  std::string reason = semantics::compileBoundedRegex(expression->regex.regex, pattern, cflags);
  if (!reason.empty()) return fail("bad regular expression \"" + pattern + "\": " + reason);
  expression->regex.compiled = true;
  return expression;
}

std::optional<std::vector<SubstReplacement>> run_subst(MessageContext& context, const SubstExpression& expression,
                                                       std::string_view input) {
  std::string subject(input.substr(0, input.find('\0')));  // regexec wants a NUL-terminated string
  std::vector<regmatch_t> groups(static_cast<std::size_t>(expression.max_group) + 1);
  std::vector<SubstReplacement> out;
  std::size_t start = 0;
  int eflags = 0;
  while (start <= subject.size()) {
    const char* at = subject.c_str() + start;
    if (regexec(&expression.regex.regex, at, groups.size(), groups.data(), eflags) != 0) break;
    if (groups[0].rm_so < 0 || groups[0].rm_so == groups[0].rm_eo) return std::nullopt;  // empty match
    SubstReplacement replacement;
    replacement.offset = start + static_cast<std::size_t>(groups[0].rm_so);
    replacement.length = static_cast<std::size_t>(groups[0].rm_eo - groups[0].rm_so);
    for (const Piece& piece : expression.replacement) {
      switch (piece.kind) {
        case Piece::Kind::Text:
          replacement.text += piece.text.is_constant() ? std::string(piece.text.constant_text())
                                                       : piece.text.render(context);
          break;
        case Piece::Kind::Character: replacement.text += piece.character; break;
        case Piece::Kind::Group: {
          const regmatch_t& group = groups[static_cast<std::size_t>(piece.group)];
          if (group.rm_so >= 0) replacement.text.append(at + group.rm_so, static_cast<std::size_t>(group.rm_eo - group.rm_so));
          break;
        }
        case Piece::Kind::RequestUri:
          if (context.message.is_request()) replacement.text += context.request_uri();
          break;
      }
    }
    out.push_back(std::move(replacement));
    start += static_cast<std::size_t>(groups[0].rm_eo);
    // '^' matches again only at the start of a line.
    char previous = subject[start - 1];
    eflags = previous == '\n' || previous == '\r' ? 0 : REG_NOTBOL;
    if (!expression.replace_all) break;
  }
  return out;
}

std::optional<std::string> subst_string(MessageContext& context, const SubstExpression& expression,
                                        std::string_view input) {
  auto replacements = run_subst(context, expression, input);
  if (!replacements || replacements->empty()) return std::nullopt;
  input = input.substr(0, input.find('\0'));
  std::string out;
  std::size_t copied = 0;
  for (const auto& replacement : *replacements) {
    out.append(input.substr(copied, replacement.offset - copied));
    out += replacement.text;
    copied = replacement.offset + replacement.length;
  }
  out.append(input.substr(copied));
  return out;
}

}  // namespace kamc::runtime
