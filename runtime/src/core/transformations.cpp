// The s.*, uri.*, param.*, nameaddr.* and re.* transformation classes, with Kamailio 5.6
// semantics (pv_trans; re.* is textops'). Parameters are literals; a parameter that is a pseudo-variable is
// refused at load time for now.
#include "transformations.h"

#include <array>
#include <cctype>
#include <charconv>

#include "md5.h"
#include "subst_expression.h"

#include "kamc/runtime/message_context.h"
#include "kamc/sip/header_params.h"
#include "kamc/sip/name_addr.h"
#include "kamc/sip/uri.h"

namespace kamc::runtime {

namespace {

// Parameter shapes: what follows the name after ','.
enum class Params : std::uint8_t { None, Int, IntOptional, IntInt, IntSep, Text, TextText, TextOptSep, Sep, Subst };

struct TransformRow {
  std::string_view name;
  TransformKind kind;
  Params params;
};

constexpr std::array<TransformRow, 38> kTransforms{{
    {"s.len", TransformKind::Len, Params::None},
    {"s.int", TransformKind::Int, Params::None},
    {"s.substr", TransformKind::Substr, Params::IntInt},
    {"s.select", TransformKind::Select, Params::IntSep},
    {"s.encode.hexa", TransformKind::EncodeHexa, Params::None},
    {"s.decode.hexa", TransformKind::DecodeHexa, Params::None},
    {"s.tolower", TransformKind::ToLower, Params::None},
    {"s.toupper", TransformKind::ToUpper, Params::None},
    {"s.strip", TransformKind::Strip, Params::Int},
    {"s.striptail", TransformKind::StripTail, Params::Int},
    {"s.trim", TransformKind::Trim, Params::None},
    {"s.rtrim", TransformKind::RTrim, Params::None},
    {"s.ltrim", TransformKind::LTrim, Params::None},
    {"s.rm", TransformKind::Remove, Params::Text},
    {"s.replace", TransformKind::Replace, Params::TextText},
    {"s.numeric", TransformKind::Numeric, Params::None},
    {"s.prefixes", TransformKind::Prefixes, Params::IntOptional},
    {"s.md5", TransformKind::Md5, Params::None},
    {"s.escape.common", TransformKind::EscapeCommon, Params::None},
    {"s.unescape.common", TransformKind::UnescapeCommon, Params::None},
    {"uri.user", TransformKind::UriUser, Params::None},
    {"uri.host", TransformKind::UriHost, Params::None},
    {"uri.domain", TransformKind::UriHost, Params::None},
    {"uri.port", TransformKind::UriPort, Params::None},
    {"uri.params", TransformKind::UriParams, Params::None},
    {"uri.param", TransformKind::UriParam, Params::Text},
    {"uri.headers", TransformKind::UriHeaders, Params::None},
    {"uri.transport", TransformKind::UriTransport, Params::None},
    {"uri.scheme", TransformKind::UriScheme, Params::None},
    {"param.value", TransformKind::ParamValue, Params::TextOptSep},
    {"param.valueat", TransformKind::ParamValueAt, Params::IntSep},
    {"param.name", TransformKind::ParamName, Params::IntSep},
    {"param.count", TransformKind::ParamCount, Params::Sep},
    {"param.in", TransformKind::ParamExist, Params::TextOptSep},
    {"param.exist", TransformKind::ParamExist, Params::TextOptSep},  // brief's name for param.in
    {"nameaddr.name", TransformKind::NameAddrName, Params::None},
    {"nameaddr.uri", TransformKind::NameAddrUri, Params::None},
    {"re.subst", TransformKind::ReSubst, Params::Subst},
}};
// nameaddr.len is handled with the rows below.
constexpr TransformRow kNameAddrLen{"nameaddr.len", TransformKind::NameAddrLen, Params::None};

const TransformRow* find_transform(std::string_view name) {
  if (name == kNameAddrLen.name) return &kNameAddrLen;
  for (const auto& row : kTransforms) {
    if (row.name == name) return &row;
  }
  return nullptr;
}

bool parse_int(std::string_view text, long long& out) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size() && !text.empty();
}

// Splits "a,b,c" into at most `count` pieces; the last takes the rest (so a ',' separator works).
std::vector<std::string_view> split_params(std::string_view text, std::size_t count) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < count) {
    std::size_t comma = text.find(',');
    if (comma == std::string_view::npos) break;
    out.push_back(text.substr(0, comma));
    text.remove_prefix(comma + 1);
  }
  out.push_back(text);
  return out;
}

bool parse_step(std::string_view inner, Transformation& step, VarSlots& vars, std::string& error) {
  std::size_t comma = inner.find(',');
  std::string_view name = inner.substr(0, comma);
  const TransformRow* row = find_transform(name);
  if (!row) {
    error = "unknown transformation '{" + std::string(inner) + "}'";
    return false;
  }
  step.kind = row->kind;
  std::string_view rest = comma == std::string_view::npos ? std::string_view{} : inner.substr(comma + 1);
  bool has_params = comma != std::string_view::npos;
  auto fail = [&](std::string_view what) {
    error = "transformation '{" + std::string(inner) + "}': " + std::string(what);
    return false;
  };
  if (has_params && !rest.empty() && rest.front() == '$') return fail("pseudo-variables as parameters are not supported yet");
  auto separator = [&](std::string_view text, char& out) {
    if (text.size() != 1) return false;
    out = text.front();
    return true;
  };
  switch (row->params) {
    case Params::None:
      if (has_params) return fail("takes no parameters");
      return true;
    case Params::Int:
      if (!has_params || !parse_int(rest, step.n1)) return fail("needs an integer parameter");
      return true;
    case Params::IntOptional:
      step.n1 = -1;
      if (has_params && !parse_int(rest, step.n1)) return fail("the parameter must be an integer");
      return true;
    case Params::IntInt: {
      auto parts = split_params(rest, 2);
      if (!has_params || parts.size() != 2 || !parse_int(parts[0], step.n1) || !parse_int(parts[1], step.n2)) {
        return fail("needs two integer parameters");
      }
      return true;
    }
    case Params::IntSep: {
      auto parts = split_params(rest, 2);
      if (!has_params || !parse_int(parts[0], step.n1)) return fail("needs an integer parameter");
      if (parts.size() == 2 && !separator(parts[1], step.separator)) return fail("the separator must be one character");
      if (parts.size() == 1 && step.kind == TransformKind::Select) return fail("needs an index and a separator");
      return true;
    }
    case Params::Text:
      if (!has_params || rest.empty()) return fail("needs a parameter");
      step.text1 = std::string(rest);
      return true;
    case Params::TextText: {
      auto parts = split_params(rest, 2);
      if (!has_params || parts.size() != 2 || parts[0].empty()) return fail("needs two parameters");
      step.text1 = std::string(parts[0]);
      step.text2 = std::string(parts[1]);
      return true;
    }
    case Params::TextOptSep: {
      auto parts = split_params(rest, 2);
      if (!has_params || parts[0].empty()) return fail("needs a parameter name");
      step.text1 = std::string(parts[0]);
      if (parts.size() == 2 && !separator(parts[1], step.separator)) return fail("the separator must be one character");
      return true;
    }
    case Params::Sep:
      if (has_params && !separator(rest, step.separator)) return fail("the separator must be one character");
      return true;
    case Params::Subst: {
      std::string subst_error;
      if (!has_params) return fail("needs a /re/replacement/flags parameter");
      step.subst = parse_subst(rest, vars, subst_error);
      if (!step.subst) return fail(subst_error);
      return true;
    }
  }
  return true;
}

std::string text_of(const PvValue& value) {
  if (value.flags & PvValue::kString) return std::string(value.text);
  return std::to_string(value.number);
}

PvValue keep_text(MessageContext& context, std::string text) { return PvValue::string(context.keep(std::move(text))); }
PvValue keep_int(MessageContext& context, long long number) {
  return PvValue::integer(number, context.keep(std::to_string(number)));
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Kamailio's index convention: 0.. from the start, -1.. from the end.
bool resolve_index(long long index, std::size_t count, std::size_t& out) {
  if (index < 0) index += static_cast<long long>(count);
  if (index < 0 || index >= static_cast<long long>(count)) return false;
  out = static_cast<std::size_t>(index);
  return true;
}

std::optional<std::string> substr(const std::string& text, long long offset, long long length) {
  long long size = static_cast<long long>(text.size());
  if (offset < 0) offset += size;
  if (offset < 0 || offset > size) return std::nullopt;
  long long end = length == 0 ? size : length < 0 ? size + length : offset + length;
  if (end > size) end = size;
  if (end < offset) return std::nullopt;
  return text.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(end - offset));
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  while (true) {
    std::size_t pos = text.find(separator);
    out.push_back(text.substr(0, pos));
    if (pos == std::string_view::npos) break;
    text.remove_prefix(pos + 1);
  }
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// "a=1;b;c=3" as (name, value) pairs; a leading separator is skipped.
struct Param {
  std::string_view name;
  std::string_view value;
};
std::vector<Param> parse_param_list(std::string_view text, char separator) {
  std::vector<Param> out;
  text = trim(text);
  if (!text.empty() && text.front() == separator) text.remove_prefix(1);
  if (trim(text).empty()) return out;
  for (std::string_view piece : split(text, separator)) {
    std::size_t equals = piece.find('=');
    Param param{trim(piece.substr(0, equals)), {}};
    if (equals != std::string_view::npos) param.value = trim(piece.substr(equals + 1));
    if (param.value.size() >= 2 && param.value.front() == '"' && param.value.back() == '"') {
      param.value = param.value.substr(1, param.value.size() - 2);
    }
    out.push_back(param);
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

PvValue apply_string(MessageContext& context, const Transformation& step, const PvValue& value) {
  std::string text = text_of(value);
  switch (step.kind) {
    case TransformKind::Len: return keep_int(context, static_cast<long long>(text.size()));
    case TransformKind::Int: {
      if (!(value.flags & PvValue::kString)) return keep_int(context, value.number);
      long long number = 0;
      if (!parse_int(trim(text), number)) return PvValue::null();
      return keep_int(context, number);
    }
    case TransformKind::Substr: {
      auto part = substr(text, step.n1, step.n2);
      return part ? keep_text(context, std::move(*part)) : PvValue::null();
    }
    case TransformKind::Select: {
      auto pieces = split(text, step.separator);
      std::size_t index = 0;
      if (!resolve_index(step.n1, pieces.size(), index)) return PvValue::null();
      return keep_text(context, std::string(pieces[index]));
    }
    case TransformKind::EncodeHexa: {
      static constexpr char kHex[] = "0123456789abcdef";
      std::string out;
      for (unsigned char c : text) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      return keep_text(context, std::move(out));
    }
    case TransformKind::DecodeHexa: {
      if (text.size() % 2 != 0) return PvValue::null();
      std::string out;
      for (std::size_t i = 0; i < text.size(); i += 2) {
        int high = hex_digit(text[i]);
        int low = hex_digit(text[i + 1]);
        if (high < 0 || low < 0) return PvValue::null();
        out += static_cast<char>(high * 16 + low);
      }
      return keep_text(context, std::move(out));
    }
    case TransformKind::ToLower:
    case TransformKind::ToUpper:
      for (char& c : text) {
        auto u = static_cast<unsigned char>(c);
        c = static_cast<char>(step.kind == TransformKind::ToLower ? std::tolower(u) : std::toupper(u));
      }
      return keep_text(context, std::move(text));
    case TransformKind::Strip:
    case TransformKind::StripTail: {
      if (step.n1 < 0) return PvValue::null();
      std::size_t n = std::min(text.size(), static_cast<std::size_t>(step.n1));
      return keep_text(context, step.kind == TransformKind::Strip ? text.substr(n) : text.substr(0, text.size() - n));
    }
    case TransformKind::Trim: return keep_text(context, std::string(trim(text)));
    case TransformKind::LTrim: {
      std::size_t begin = 0;
      while (begin < text.size() && is_space(text[begin])) ++begin;
      return keep_text(context, text.substr(begin));
    }
    case TransformKind::RTrim: {
      while (!text.empty() && is_space(text.back())) text.pop_back();
      return keep_text(context, std::move(text));
    }
    case TransformKind::Remove:
    case TransformKind::Replace: {
      std::string out;
      std::string_view rest = text;
      while (true) {
        std::size_t pos = rest.find(step.text1);
        out += rest.substr(0, pos);
        if (pos == std::string_view::npos) break;
        if (step.kind == TransformKind::Replace) out += step.text2;
        rest.remove_prefix(pos + step.text1.size());
      }
      return keep_text(context, std::move(out));
    }
    case TransformKind::Numeric: {
      std::string out;
      for (char c : text) {
        if (c >= '0' && c <= '9') out += c;
      }
      return keep_text(context, std::move(out));
    }
    case TransformKind::Prefixes: {
      std::size_t max = step.n1 > 0 ? static_cast<std::size_t>(step.n1) : text.size();
      std::string out;
      for (std::size_t i = 1; i <= std::min(max, text.size()); ++i) {
        if (i > 1) out += ',';
        out += text.substr(0, i);
      }
      return keep_text(context, std::move(out));
    }
    case TransformKind::Md5: return keep_text(context, md5_hex(text));
    case TransformKind::EscapeCommon: {
      std::string out;
      for (char c : text) {
        switch (c) {
          case '\'': out += "\\'"; break;
          case '"': out += "\\\""; break;
          case '\\': out += "\\\\"; break;
          case '\0': out += "\\0"; break;
          default: out += c;
        }
      }
      return keep_text(context, std::move(out));
    }
    case TransformKind::UnescapeCommon: {
      std::string out;
      for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) {
          char next = text[++i];
          out += next == '0' ? '\0' : next;
        } else {
          out += text[i];
        }
      }
      return keep_text(context, std::move(out));
    }
    default: return PvValue::null();
  }
}

PvValue apply_uri(MessageContext& context, const Transformation& step, const PvValue& value) {
  std::string_view text = context.keep(text_of(value));
  sip::Uri uri;
  if (!sip::parse_uri(text, uri).ok()) return PvValue::null();
  switch (step.kind) {
    case TransformKind::UriUser: return PvValue::string(uri.user);
    case TransformKind::UriHost: return PvValue::string(uri.host);
    case TransformKind::UriPort:
      return uri.port ? keep_int(context, *uri.port) : PvValue::string({});
    case TransformKind::UriParams: return PvValue::string(uri.params);
    case TransformKind::UriHeaders: return PvValue::string(uri.headers);
    case TransformKind::UriScheme: return PvValue::string(uri.scheme_name);
    case TransformKind::UriParam:
    case TransformKind::UriTransport: {
      std::string_view name = step.kind == TransformKind::UriParam ? std::string_view(step.text1) : "transport";
      for (const Param& param : parse_param_list(uri.params, ';')) {
        if (iequals(param.name, name)) return PvValue::string(param.value);
      }
      return PvValue::string({});
    }
    default: return PvValue::null();
  }
}

PvValue apply_param(MessageContext& context, const Transformation& step, const PvValue& value) {
  std::string_view text = context.keep(text_of(value));
  auto params = parse_param_list(text, step.separator);
  switch (step.kind) {
    case TransformKind::ParamValue:
      for (const Param& param : params) {
        if (iequals(param.name, step.text1)) return PvValue::string(param.value);
      }
      return PvValue::string({});  // not there: empty, as in Kamailio
    case TransformKind::ParamExist:
      for (const Param& param : params) {
        if (iequals(param.name, step.text1)) return keep_int(context, 1);
      }
      return keep_int(context, 0);
    case TransformKind::ParamValueAt:
    case TransformKind::ParamName: {
      std::size_t index = 0;
      if (!resolve_index(step.n1, params.size(), index)) return PvValue::null();
      return PvValue::string(step.kind == TransformKind::ParamName ? params[index].name : params[index].value);
    }
    case TransformKind::ParamCount: return keep_int(context, static_cast<long long>(params.size()));
    default: return PvValue::null();
  }
}

PvValue apply_nameaddr(MessageContext& context, const Transformation& step, const PvValue& value) {
  std::string_view text = context.keep(text_of(value));
  sip::NameAddr address;
  if (!sip::parse_name_addr(text, address).ok()) return PvValue::null();
  switch (step.kind) {
    case TransformKind::NameAddrName: return PvValue::string(address.display_name);
    case TransformKind::NameAddrUri: return PvValue::string(address.uri.text);
    case TransformKind::NameAddrLen: {
      // The name-addr itself, without header parameters after '>'.
      std::string_view whole = trim(text);
      std::size_t close = whole.find('>');
      std::size_t length = close != std::string_view::npos ? close + 1 : whole.find(';');
      if (length == std::string_view::npos) length = whole.size();
      return keep_int(context, static_cast<long long>(length));
    }
    default: return PvValue::null();
  }
}

// {re.subst,/re/repl/flags}: no match leaves the value as it is; a non-string or empty
// value, or an empty match, gives null (Kamailio's transformation fails).
PvValue apply_re(MessageContext& context, const Transformation& step, const PvValue& value) {
  if (!(value.flags & PvValue::kString) || value.text.empty()) return PvValue::null();
  auto replacements = run_subst(context, *step.subst, value.text);
  if (!replacements) return PvValue::null();
  if (replacements->empty()) return PvValue::string(value.text);
  return keep_text(context, *subst_string(context, *step.subst, value.text));
}

}  // namespace

std::shared_ptr<const TransformChain> parse_transformations(std::string_view text, VarSlots& vars,
                                                            std::string& error) {
  auto chain = std::make_shared<TransformChain>();
  while (!text.empty()) {
    if (text.front() != '{') {
      error = "expected '{' at '" + std::string(text) + "'";
      return nullptr;
    }
    int depth = 0;
    std::size_t end = 0;
    for (; end < text.size(); ++end) {
      if (text[end] == '{') ++depth;
      if (text[end] == '}' && --depth == 0) break;
    }
    if (end >= text.size()) {
      error = "unterminated transformation '" + std::string(text) + "'";
      return nullptr;
    }
    Transformation step;
    if (!parse_step(text.substr(1, end - 1), step, vars, error)) return nullptr;
    chain->steps.push_back(std::move(step));
    text.remove_prefix(end + 1);
  }
  return chain;
}

PvValue apply_transformations(MessageContext& context, const TransformChain& chain, PvValue value) {
  for (const Transformation& step : chain.steps) {
    if (value.is_null()) return value;
    if (step.kind <= TransformKind::UnescapeCommon) {
      value = apply_string(context, step, value);
    } else if (step.kind <= TransformKind::UriScheme) {
      value = apply_uri(context, step, value);
    } else if (step.kind <= TransformKind::ParamExist) {
      value = apply_param(context, step, value);
    } else if (step.kind <= TransformKind::NameAddrLen) {
      value = apply_nameaddr(context, step, value);
    } else {
      value = apply_re(context, step, value);
    }
  }
  return value;
}

}  // namespace kamc::runtime
