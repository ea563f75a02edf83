// The s.*, uri.*, param.*, nameaddr.* and re.* transformation classes, with Kamailio 5.6
// semantics (pv_trans; re.* is textops'). Parameters are literals; a parameter that is a pseudo-variable is
// refused at load time for now.
#include "kamc/semantics/Conversions.h"
#include "transformations.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <ctime>

#include "crypto.h"
#include "kamc/catalog/Catalog.h"
#include "module.h"
#include "subst_expression.h"

#include "kamc/runtime/message_context.h"
#include "kamc/sip/header_params.h"
#include "kamc/sip/name_addr.h"
#include "kamc/sip/uri.h"
#include "../text.h"

namespace kamc::runtime {

namespace {

using Params = TransformParams;

// The registered transformation named "class.name", if the catalog knows it for the
// module that registers it.
const TransformExport* find_transform(std::string_view name) {
  std::size_t dot = name.find('.');
  if (dot == std::string_view::npos) return nullptr;
  for (const ModuleExports* module : builtin_modules()) {
    for (const TransformExport& transform : module->transformations) {
      if (transform.name != name) continue;
      const catalog::TransformationInfo* info = catalog::findTransformation(name.substr(0, dot), name.substr(dot + 1));
      return info && info->module == module->name ? &transform : nullptr;
    }
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
  const TransformExport* row = find_transform(name);
  if (!row) {
    error = "unknown transformation '{" + std::string(inner) + "}'";
    return false;
  }
  step.kind = row->kind;
  step.apply = row->apply;
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
      step.has_param = has_params;
      if (has_params && !parse_int(rest, step.n1)) return fail("the parameter must be an integer");
      return true;
    case Params::IntInt: {
      auto parts = split_params(rest, 2);
      if (!has_params || parts.size() != 2 || !parse_int(parts[0], step.n1) || !parse_int(parts[1], step.n2)) {
        return fail("needs two integer parameters");
      }
      bool lines = step.kind == TransformKind::FormatLinesSpaces || step.kind == TransformKind::FormatLinesTabs;
      if (lines && (step.n1 < 0 || step.n2 < 0)) return fail("line length and padding must not be negative");
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
    case Params::Char: {
      while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t' || rest.front() == '\n')) rest.remove_prefix(1);
      if (rest.empty()) return fail("needs a character parameter");
      step.text1 = std::string(rest);
      return true;
    }
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

// The parameters of a header or URI, as Kamailio's param.* and uri.* read them: quotes
// around a value are removed.
using Param = sip::detail::NameValue;
std::vector<Param> parse_param_list(std::string_view text, char separator) {
  std::vector<Param> out = sip::detail::split_name_values(text, separator);
  for (Param& param : out) {
    if (param.value.size() >= 2 && param.value.front() == '"' && param.value.back() == '"') {
      param.value = param.value.substr(1, param.value.size() - 2);
    }
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}


// Base58 with the Bitcoin alphabet, as Kamailio's b58_encode/b58_decode: the value is one
// big-endian number written in base 58, and each leading zero byte is one leading '1'.
constexpr std::string_view kBase58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

std::string base58_encode(std::string_view data) {
  std::size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == '\0') ++zeros;
  std::vector<unsigned char> digits;  // base-58 digits, least significant first
  for (std::size_t i = zeros; i < data.size(); ++i) {
    unsigned carry = static_cast<unsigned char>(data[i]);
    for (unsigned char& digit : digits) {
      carry += 256u * digit;
      digit = static_cast<unsigned char>(carry % 58);
      carry /= 58;
    }
    for (; carry; carry /= 58) digits.push_back(static_cast<unsigned char>(carry % 58));
  }
  std::string out(zeros, '1');
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out += kBase58[*it];
  return out;
}

// A character outside the alphabet fails. Kamailio 5.6 does not put the zero bytes of
// leading '1's in front of the number: it counts them onto the length, so they come
// out after it; they are written here as NUL bytes there.
std::optional<std::string> base58_decode(std::string_view text) {
  std::size_t ones = 0;
  while (ones < text.size() && text[ones] == '1') ++ones;
  std::vector<unsigned char> bytes;  // base-256 digits, least significant first
  for (std::size_t i = ones; i < text.size(); ++i) {
    std::size_t value = kBase58.find(text[i]);
    if (value == std::string_view::npos) return std::nullopt;
    unsigned carry = static_cast<unsigned>(value);
    for (unsigned char& byte : bytes) {
      carry += 58u * byte;
      byte = static_cast<unsigned char>(carry & 0xff);
      carry >>= 8;
    }
    for (; carry; carry >>= 8) bytes.push_back(static_cast<unsigned char>(carry & 0xff));
  }
  std::string out(bytes.rbegin(), bytes.rend());
  out.append(ones, '\0');
  return out;
}

std::string pad_to_quads(std::string text) {
  while (text.size() % 4 != 0) text += '=';
  return text;
}

// {s.encode.base64...}: `trim` drops the padding as the 't' variants do (not from a 1-character result).
std::string encode_base64(std::string_view data, Base64Alphabet alphabet, bool trim_padding) {
  std::string out = base64_encode(data, alphabet);
  if (trim_padding) {
    for (int k = 0; k < 2 && out.size() > 1 && out.back() == '='; ++k) out.pop_back();
  }
  return out;
}

// Kamailio's core decoder (base64_dec): whole groups of 4 only, and no check of the
// alphabet: any other character, '=' inside the text too, is the value 0xff, whose surplus
// bits spill into the byte before. Such a character is decoded as 'A' (zero bits), then
// the bits 0xff sets are put in.
std::optional<std::string> decode_base64_as_kamailio(std::string_view text) {
  std::size_t n = text.size();
  if (n == 0) return std::string();
  if (n < 4 || n % 4 != 0 || (text[n - 2] == '=' && text[n - 1] != '=')) return std::nullopt;
  std::size_t size = n / 4 * 3 - (text[n - 2] == '=') - (text[n - 1] == '=');
  std::string digits(text);
  for (char& c : digits) {
    if (!is_base64_digit(c, Base64Alphabet::Standard)) c = 'A';
  }
  std::string out = base64_decode(digits, Base64Alphabet::Standard).value();
  // The bits of 0xff in the 3 bytes of its group, by its place in the group.
  static constexpr unsigned char kStrayBits[4][3] = {{0xfc, 0, 0}, {0x0f, 0xf0, 0}, {0, 0x3f, 0xc0}, {0, 0, 0xff}};
  for (std::size_t i = 0; i < n; ++i) {
    if (is_base64_digit(text[i], Base64Alphabet::Standard)) continue;
    char* group = out.data() + i / 4 * 3;
    for (std::size_t k = 0; k < 3; ++k) group[k] = static_cast<char>(group[k] | kStrayBits[i % 4][k]);
  }
  out.resize(size);
  return out;
}

// Kamailio's base64url decoder (base64url_dec): padding optional, a character outside the
// alphabet fails, and so does a value that decodes to nothing (also the empty value). The
// length is len*6/8 less one per '=', so surplus padding shortens the value.
std::optional<std::string> decode_base64url_as_kamailio(std::string_view text) {
  std::size_t padding = 0;
  while (padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  long long size = static_cast<long long>(text.size() * 6 / 8) - static_cast<long long>(padding);
  if (size <= 0) return std::nullopt;
  std::string digits(text.substr(0, text.size() - padding));
  // Every digit is checked here: the lone last one is dropped below, and without it an
  // inner '=' would pass base64_decode as padding.
  for (char c : digits) {
    if (!is_base64_digit(c, Base64Alphabet::Url)) return std::nullopt;
  }
  if (digits.size() % 4 == 1) digits.pop_back();  // a lone last digit carries no whole byte
  auto out = base64_decode(pad_to_quads(std::move(digits)), Base64Alphabet::Url);
  if (out) out->resize(static_cast<std::size_t>(size));  // never more than the digits hold
  return out;
}

// GSM 03.38 7-bit packing, as uppercase hex.
std::string encode_7bit(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  auto at = [&](std::size_t i) { return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u; };
  unsigned left = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto packed = static_cast<unsigned char>((at(i) >> (left - 1)) | (at(i + 1) << (8 - left)));
    out += kHex[packed >> 4];
    out += kHex[packed & 15];
    if (++left == 8) {
      ++i;
      left = 1;
    }
  }
  return out;
}

// Kamailio's hex_to_char: no validation, so a non-hex character gives a garbage nibble.
int loose_hex_value(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isdigit(u) ? c - '0' : std::tolower(u) - 'a' + 10;
}

std::string decode_7bit(std::string_view text) {
  std::string out;
  auto at = [&](std::size_t i) { return i < text.size() ? text[i] : '\0'; };
  unsigned left = 1;
  unsigned char carried = 0;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    auto byte = static_cast<unsigned char>((loose_hex_value(at(i)) << 4) | loose_hex_value(at(i + 1)));
    auto next_carry = static_cast<unsigned char>(byte >> (8 - left));
    out += static_cast<char>((static_cast<unsigned char>(byte << (left - 1)) & 0x7f) | carried);
    carried = next_carry;
    if (++left == 8) {
      out += static_cast<char>(carried);
      left = 1;
      carried = 0;
    }
  }
  return out;
}

// Two lowercase hex digits of a byte, as Kamailio's escapes and {s.encode.hexa} write them.
void append_hex_byte(std::string& out, unsigned char byte) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += kHex[byte >> 4];
  out += kHex[byte & 15];
}

void append_percent_escape(std::string& out, unsigned char byte) {
  out += '%';
  append_hex_byte(out, byte);
}

// %xx (lowercase) for every character not in `keep` or alphanumeric; a control or
// non-ASCII character fails (Kamailio's escape_user/escape_param).
std::optional<std::string> escape_except(std::string_view text, std::string_view keep) {
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 32 || u > 126) return std::nullopt;
    if (std::isalnum(u) || keep.find(c) != std::string_view::npos) {
      out += c;
    } else {
      append_percent_escape(out, u);
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> unescape_user(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    int high = i + 1 < text.size() ? hex_digit(text[i + 1]) : -1;
    int low = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
    if (high < 0 || low < 0) return std::nullopt;
    int c = high * 16 + low;
    if (c < 32 || c > 126) return std::nullopt;
    out += static_cast<char>(c);
    i += 2;
  }
  return out;
}

namespace {

std::string url_encode(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 128 && std::isalnum(u)) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      append_percent_escape(out, u);
    }
  }
  return out;
}

// Kamailio's urldecode: '+' is a space; a '%' without two characters after it is dropped;
// the two characters are not checked to be hex digits.
std::string url_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 < text.size() && text[i + 1] != '\0' && text[i + 2] != '\0') {
        out += static_cast<char>((loose_hex_value(text[i + 1]) << 4) | loose_hex_value(text[i + 2]));
        i += 2;
      }
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

// Kamailio's core_hash() over one string (its bytes taken as signed chars, as there).
unsigned core_hash(std::string_view text, unsigned size) {
  auto at = [&](std::size_t i) { return static_cast<unsigned>(static_cast<int>(static_cast<signed char>(text[i]))); };
  unsigned h = 0;
  std::size_t i = 0;
  for (; i + 4 <= text.size(); i += 4) {
    unsigned v = (at(i) << 24) + (at(i + 1) << 16) + (at(i + 2) << 8) + at(i + 3);
    h += v ^ (v >> 3);
  }
  unsigned v = 0;
  for (; i < text.size(); ++i) v = (v << 8) + at(i);
  h += v ^ (v >> 3);
  h = (h + (h >> 11)) + ((h >> 13) + (h >> 23));
  return size ? (h & (size - 1)) : h;
}

}  // namespace


// {s.fmtlines,n,m} as Kamailio 5.6 computes it: its test is `i/n == 0`, so the break (CRLF
// and m pad characters) goes before each of the characters 1..n-1 only; when m is at least
// the length, it reads from the buffer it writes, as Kamailio does.
std::optional<std::string> format_lines(std::string_view text, long long n, long long m, char pad) {
  constexpr long long kBufferSize = 65536;
  auto length = static_cast<long long>(text.size());
  if (n <= 0 || m < 0) return std::nullopt;
  if (m >= length && length > kBufferSize - 2) return std::nullopt;
  if (length + (length / n) * (2 + m) > kBufferSize - 2) return std::nullopt;
  std::string buffer(static_cast<std::size_t>(kBufferSize), '\0');
  bool in_place = m >= length;
  if (in_place) buffer.replace(0, text.size(), text);
  std::size_t p = 0;
  for (long long i = 0; i < length; ++i) {
    if (i != 0 && i / n == 0) {
      buffer[p++] = '\r';
      buffer[p++] = '\n';
      for (long long j = 0; j < m; ++j) buffer[p++] = pad;
    }
    buffer[p++] = in_place ? buffer[static_cast<std::size_t>(i)] : text[static_cast<std::size_t>(i)];
  }
  buffer.resize(p);
  return buffer;
}

PvValue apply_string(MessageContext& context, const Transformation& step, const PvValue& value) {
  std::string text = text_of(value);
  switch (step.kind) {
    case TransformKind::Len: return keep_int(context, static_cast<long long>(text.size()));
    case TransformKind::Int: {
      if (!(value.flags & PvValue::kString)) return keep_int(context, value.number);
      // str2sint: no blanks, no hex, nothing past 32 bits (Kamailio's TR_S_INT).
      auto number = semantics::decimalToInt(text);
      if (!number) return PvValue::null();
      return keep_int(context, *number);
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
      std::string out;
      for (unsigned char c : text) append_hex_byte(out, c);
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
    case TransformKind::Trim: return keep_text(context, std::string(sip::detail::trim_lws(text)));
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
    case TransformKind::Md5: return keep_text(context, digest_hex(Digest::Md5, text));
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
    case TransformKind::Before:
    case TransformKind::After:
    case TransformKind::RBefore:
    case TransformKind::RAfter: {
      // Kamailio 5.6's r-variants loop the wrong way (undefined behaviour unless the
      // character ends the value); they are done here as documented: the last occurrence.
      bool last = step.kind == TransformKind::RBefore || step.kind == TransformKind::RAfter;
      std::size_t pos = last ? text.rfind(step.text1[0]) : text.find(step.text1[0]);
      if (step.kind == TransformKind::Before || step.kind == TransformKind::RBefore) {
        return keep_text(context, pos == std::string::npos ? text : text.substr(0, pos));
      }
      if (pos == std::string::npos || pos + 1 >= text.size()) return keep_text(context, {});
      return keep_text(context, text.substr(pos + 1));
    }
    case TransformKind::Count:
      return keep_int(context, static_cast<long long>(std::count(text.begin(), text.end(), step.text1[0])));
    case TransformKind::StripTo: {
      std::size_t pos = text.find(step.text1[0]);
      return keep_text(context, pos == std::string::npos ? std::string() : text.substr(pos));
    }
    case TransformKind::RemoveWhitespace: {
      std::string out;
      for (char c : text) {
        if (!is_space(c)) out += c;
      }
      return keep_text(context, std::move(out));
    }
    case TransformKind::Unbracket:
    case TransformKind::Unquote: {
      if (text.size() < 2) return keep_text(context, std::move(text));
      char first = text.front(), last = text.back();
      bool strip = step.kind == TransformKind::Unquote
                       ? first == last && (first == '"' || first == '\'')
                       : (first == '(' && last == ')') || (first == '[' && last == ']') ||
                             (first == '{' && last == '}') || (first == '<' && last == '>');
      return keep_text(context, strip ? text.substr(1, text.size() - 2) : text);
    }
    case TransformKind::PrefixesQuoted: {
      std::size_t max = step.n1 > 0 ? static_cast<std::size_t>(step.n1) : text.size();
      std::string out;
      for (std::size_t i = 1; i <= std::min(max, text.size()); ++i) {
        if (i > 1) out += ',';
        out += '\'' + text.substr(0, i) + '\'';
      }
      return keep_text(context, std::move(out));
    }
    case TransformKind::CoreHash: {
      auto size = step.has_param ? static_cast<unsigned>(step.n1) : 0u;
      return keep_text(context, std::to_string(core_hash(text, size)));
    }
    case TransformKind::EncodeBase58: return keep_text(context, base58_encode(text));
    case TransformKind::DecodeBase58: {
      auto out = base58_decode(text);
      return out ? keep_text(context, std::move(*out)) : PvValue::null();
    }
    case TransformKind::EncodeBase64:
    case TransformKind::EncodeBase64Trimmed:
      return keep_text(context,
                       encode_base64(text, Base64Alphabet::Standard, step.kind == TransformKind::EncodeBase64Trimmed));
    case TransformKind::EncodeBase64Url:
    case TransformKind::EncodeBase64UrlTrimmed:
      return keep_text(context,
                       encode_base64(text, Base64Alphabet::Url, step.kind == TransformKind::EncodeBase64UrlTrimmed));
    case TransformKind::DecodeBase64:
    case TransformKind::DecodeBase64Trimmed: {
      auto out = decode_base64_as_kamailio(step.kind == TransformKind::DecodeBase64Trimmed ? pad_to_quads(text) : text);
      return out ? keep_text(context, std::move(*out)) : PvValue::null();
    }
    case TransformKind::DecodeBase64Url:
    case TransformKind::DecodeBase64UrlTrimmed: {
      auto out =
          decode_base64url_as_kamailio(step.kind == TransformKind::DecodeBase64UrlTrimmed ? pad_to_quads(text) : text);
      return out ? keep_text(context, std::move(*out)) : PvValue::null();
    }
    case TransformKind::Encode7Bit: return keep_text(context, encode_7bit(text));
    case TransformKind::Decode7Bit: return keep_text(context, decode_7bit(text));
    case TransformKind::EscapeUser:
    case TransformKind::EscapeParam: {
      // Kamailio's sets: unreserved plus user-unreserved, or plus param-unreserved.
      auto out = escape_except(text, step.kind == TransformKind::EscapeUser ? "-_.!~*'()&=+$,;?" : "-_.!~*'()[]/:&+$");
      return out ? keep_text(context, std::move(*out)) : PvValue::null();
    }
    case TransformKind::UnescapeUser:
    case TransformKind::UnescapeParam: {
      auto out = unescape_user(text);
      return out ? keep_text(context, std::move(*out)) : PvValue::null();
    }
    case TransformKind::EscapeCsv: {
      std::string out = "\"";
      for (char c : text) {
        if (c == '"') out += '"';
        out += c;
      }
      return keep_text(context, out + '"');
    }
    case TransformKind::UrlEncodeParam: return keep_text(context, url_encode(text));
    case TransformKind::UrlDecodeParam: return keep_text(context, url_decode(text));
    case TransformKind::FormatLinesSpaces:
    case TransformKind::FormatLinesTabs: {
      auto out = format_lines(text, step.n1, step.n2, step.kind == TransformKind::FormatLinesSpaces ? ' ' : '\t');
      return out ? keep_text(context, std::move(*out)) : PvValue::null();
    }
    case TransformKind::TimeFormat: {
      // Kamailio's str2int: an unsigned decimal (an integer value is taken as it is).
      long long seconds = value.number;
      if (!(value.flags & PvValue::kInt)) {
        unsigned long long parsed = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
        if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return PvValue::null();
        seconds = static_cast<long long>(static_cast<unsigned>(parsed));
      }
      auto time = static_cast<std::time_t>(seconds);
      std::tm local{};
      localtime_r(&time, &local);
      std::string out(65535, '\0');
      out.resize(std::strftime(out.data(), out.size(), step.text1.c_str(), &local));
      return keep_text(context, std::move(out));
    }
    case TransformKind::Sha256: return keep_text(context, digest_hex(Digest::Sha256, text));
    case TransformKind::Sha384: return keep_text(context, digest_hex(Digest::Sha384, text));
    case TransformKind::Sha512: return keep_text(context, digest_hex(Digest::Sha512, text));
    default: return PvValue::null();
  }
}

PvValue apply_uri(MessageContext& context, const Transformation& step, const PvValue& value) {
  std::string_view text = context.keep(text_of(value));
  // Kamailio ignores one trailing ';' (after more than 4 characters).
  if (text.size() > 4 && text.back() == ';') text.remove_suffix(1);
  sip::Uri uri;
  if (!sip::parse_uri(text, uri).ok()) return PvValue::null();
  // Kamailio's parse_uri keeps the value of the last transport/ttl/user/... parameter.
  auto last_param = [&](std::string_view name) {
    std::string_view found;
    for (const Param& param : parse_param_list(uri.params, ';')) {
      if (sip::detail::equals_ignore_case(param.name, name)) found = param.value;
    }
    return found;
  };
  switch (step.kind) {
    case TransformKind::UriPassword: return PvValue::string(uri.password);
    case TransformKind::UriTtl: return PvValue::string(last_param("ttl"));
    case TransformKind::UriUserParam: return PvValue::string(last_param("user"));
    case TransformKind::UriMaddr: return PvValue::string(last_param("maddr"));
    case TransformKind::UriMethod: return PvValue::string(last_param("method"));
    case TransformKind::UriLr: return PvValue::string(last_param("lr"));
    case TransformKind::UriR2: return PvValue::string(last_param("r2"));
    case TransformKind::UriDestination:
    case TransformKind::UriAor:
    case TransformKind::UriSimple: {
      // scheme:[user@]host[:port][;transport=x]; duri has no user, saor no port or transport.
      // (Kamailio 5.6.3 leaves an uninitialised byte after "scheme:"; later versions do not.)
      std::size_t colon = text.find(':');
      if (colon == std::string_view::npos) return PvValue::string({});
      std::string out(text.substr(0, colon + 1));
      if (!uri.user.empty() && step.kind != TransformKind::UriDestination) out += std::string(uri.user) + '@';
      out += uri.host;
      if (step.kind != TransformKind::UriAor) {
        if (uri.port) out += ':' + std::to_string(*uri.port);
        std::string_view transport = last_param("transport");
        if (!transport.empty()) out += ";transport=" + std::string(transport);
      }
      return keep_text(context, std::move(out));
    }
    case TransformKind::UriToSocket: {
      // proto:host:port, only for a transport Kamailio knows; port 5060 by default.
      std::string proto(last_param("transport"));
      for (char& c : proto) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (proto != "udp" && proto != "tcp" && proto != "tls" && proto != "sctp" && proto != "ws") {
        return PvValue::string({});
      }
      return keep_text(context, proto + ':' + std::string(uri.host) + ':' + std::to_string(uri.port.value_or(5060)));
    }
    case TransformKind::UriUser: return PvValue::string(uri.user);
    case TransformKind::UriHost: return PvValue::string(uri.host);
    case TransformKind::UriPort:
      return uri.port ? keep_int(context, *uri.port) : PvValue::string({});
    case TransformKind::UriParams: return PvValue::string(uri.params);
    case TransformKind::UriHeaders: return PvValue::string(uri.headers);
    case TransformKind::UriScheme: return PvValue::string(uri.scheme_name);
    case TransformKind::UriParam:
    case TransformKind::UriTransport: {
      if (step.kind == TransformKind::UriTransport) return PvValue::string(last_param("transport"));
      std::string_view name = step.text1;
      for (const Param& param : parse_param_list(uri.params, ';')) {
        if (sip::detail::equals_ignore_case(param.name, name)) return PvValue::string(param.value);
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
        if (sip::detail::equals_ignore_case(param.name, step.text1)) return PvValue::string(param.value);
      }
      return PvValue::string({});  // not there: empty, as in Kamailio
    case TransformKind::ParamExist:
      for (const Param& param : params) {
        if (sip::detail::equals_ignore_case(param.name, step.text1)) return keep_int(context, 1);
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
      std::string_view whole = sip::detail::trim_lws(text);
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
    value = step.apply(context, step, value);
  }
  return value;
}

// The classes the pv module registers (pv.cat); the catalog must list each one.
extern const std::array<TransformExport, 85> kPvModuleTransformations{{
    {"s.len", Params::None, TransformKind::Len, apply_string},
    {"s.int", Params::None, TransformKind::Int, apply_string},
    {"s.substr", Params::IntInt, TransformKind::Substr, apply_string},
    {"s.select", Params::IntSep, TransformKind::Select, apply_string},
    {"s.encode.hexa", Params::None, TransformKind::EncodeHexa, apply_string},
    {"s.decode.hexa", Params::None, TransformKind::DecodeHexa, apply_string},
    {"s.tolower", Params::None, TransformKind::ToLower, apply_string},
    {"s.toupper", Params::None, TransformKind::ToUpper, apply_string},
    {"s.strip", Params::Int, TransformKind::Strip, apply_string},
    {"s.striptail", Params::Int, TransformKind::StripTail, apply_string},
    {"s.trim", Params::None, TransformKind::Trim, apply_string},
    {"s.rtrim", Params::None, TransformKind::RTrim, apply_string},
    {"s.ltrim", Params::None, TransformKind::LTrim, apply_string},
    {"s.rm", Params::Text, TransformKind::Remove, apply_string},
    {"s.replace", Params::TextText, TransformKind::Replace, apply_string},
    {"s.numeric", Params::None, TransformKind::Numeric, apply_string},
    {"s.prefixes", Params::IntOptional, TransformKind::Prefixes, apply_string},
    {"s.md5", Params::None, TransformKind::Md5, apply_string},
    {"s.escape.common", Params::None, TransformKind::EscapeCommon, apply_string},
    {"s.unescape.common", Params::None, TransformKind::UnescapeCommon, apply_string},
    {"s.before", Params::Char, TransformKind::Before, apply_string},
    {"s.after", Params::Char, TransformKind::After, apply_string},
    {"s.rbefore", Params::Char, TransformKind::RBefore, apply_string},
    {"s.rafter", Params::Char, TransformKind::RAfter, apply_string},
    {"s.count", Params::Char, TransformKind::Count, apply_string},
    {"s.stripto", Params::Char, TransformKind::StripTo, apply_string},
    {"s.rmws", Params::None, TransformKind::RemoveWhitespace, apply_string},
    {"s.unbracket", Params::None, TransformKind::Unbracket, apply_string},
    {"s.unquote", Params::None, TransformKind::Unquote, apply_string},
    {"s.prefixes.quoted", Params::IntOptional, TransformKind::PrefixesQuoted, apply_string},
    {"s.corehash", Params::IntOptional, TransformKind::CoreHash, apply_string},
    {"s.encode.base58", Params::None, TransformKind::EncodeBase58, apply_string},
    {"s.decode.base58", Params::None, TransformKind::DecodeBase58, apply_string},
    {"s.encode.base64", Params::None, TransformKind::EncodeBase64, apply_string},
    {"s.decode.base64", Params::None, TransformKind::DecodeBase64, apply_string},
    {"s.encode.base64t", Params::None, TransformKind::EncodeBase64Trimmed, apply_string},
    {"s.decode.base64t", Params::None, TransformKind::DecodeBase64Trimmed, apply_string},
    {"s.encode.base64url", Params::None, TransformKind::EncodeBase64Url, apply_string},
    {"s.decode.base64url", Params::None, TransformKind::DecodeBase64Url, apply_string},
    {"s.encode.base64urlt", Params::None, TransformKind::EncodeBase64UrlTrimmed, apply_string},
    {"s.decode.base64urlt", Params::None, TransformKind::DecodeBase64UrlTrimmed, apply_string},
    {"s.encode.7bit", Params::None, TransformKind::Encode7Bit, apply_string},
    {"s.decode.7bit", Params::None, TransformKind::Decode7Bit, apply_string},
    {"s.escape.user", Params::None, TransformKind::EscapeUser, apply_string},
    {"s.unescape.user", Params::None, TransformKind::UnescapeUser, apply_string},
    {"s.escape.param", Params::None, TransformKind::EscapeParam, apply_string},
    {"s.unescape.param", Params::None, TransformKind::UnescapeParam, apply_string},
    {"s.escape.csv", Params::None, TransformKind::EscapeCsv, apply_string},
    {"s.urlencode.param", Params::None, TransformKind::UrlEncodeParam, apply_string},
    {"s.urldecode.param", Params::None, TransformKind::UrlDecodeParam, apply_string},
    {"s.fmtlines", Params::IntInt, TransformKind::FormatLinesSpaces, apply_string},
    {"s.fmtlinet", Params::IntInt, TransformKind::FormatLinesTabs, apply_string},
    {"s.ftime", Params::Text, TransformKind::TimeFormat, apply_string},
    {"s.sha256", Params::None, TransformKind::Sha256, apply_string},
    {"s.sha384", Params::None, TransformKind::Sha384, apply_string},
    {"s.sha512", Params::None, TransformKind::Sha512, apply_string},
    {"uri.user", Params::None, TransformKind::UriUser, apply_uri},
    {"uri.host", Params::None, TransformKind::UriHost, apply_uri},
    {"uri.domain", Params::None, TransformKind::UriHost, apply_uri},
    {"uri.port", Params::None, TransformKind::UriPort, apply_uri},
    {"uri.params", Params::None, TransformKind::UriParams, apply_uri},
    {"uri.param", Params::Text, TransformKind::UriParam, apply_uri},
    {"uri.headers", Params::None, TransformKind::UriHeaders, apply_uri},
    {"uri.transport", Params::None, TransformKind::UriTransport, apply_uri},
    {"uri.scheme", Params::None, TransformKind::UriScheme, apply_uri},
    {"uri.passwd", Params::None, TransformKind::UriPassword, apply_uri},
    {"uri.duri", Params::None, TransformKind::UriDestination, apply_uri},
    {"uri.saor", Params::None, TransformKind::UriAor, apply_uri},
    {"uri.suri", Params::None, TransformKind::UriSimple, apply_uri},
    {"uri.ttl", Params::None, TransformKind::UriTtl, apply_uri},
    {"uri.uparam", Params::None, TransformKind::UriUserParam, apply_uri},
    {"uri.maddr", Params::None, TransformKind::UriMaddr, apply_uri},
    {"uri.method", Params::None, TransformKind::UriMethod, apply_uri},
    {"uri.lr", Params::None, TransformKind::UriLr, apply_uri},
    {"uri.r2", Params::None, TransformKind::UriR2, apply_uri},
    {"uri.tosocket", Params::None, TransformKind::UriToSocket, apply_uri},
    {"param.value", Params::TextOptSep, TransformKind::ParamValue, apply_param},
    {"param.valueat", Params::IntSep, TransformKind::ParamValueAt, apply_param},
    {"param.name", Params::IntSep, TransformKind::ParamName, apply_param},
    {"param.count", Params::Sep, TransformKind::ParamCount, apply_param},
    {"param.in", Params::TextOptSep, TransformKind::ParamExist, apply_param},
    {"nameaddr.name", Params::None, TransformKind::NameAddrName, apply_nameaddr},
    {"nameaddr.uri", Params::None, TransformKind::NameAddrUri, apply_nameaddr},
    {"nameaddr.len", Params::None, TransformKind::NameAddrLen, apply_nameaddr},
    {"nameaddr.len", Params::None, TransformKind::NameAddrLen, apply_nameaddr},
}};

// textops registers re.subst (textops.cat).
extern const std::array<TransformExport, 1> kTextopsTransformations{{
    {"re.subst", Params::Subst, TransformKind::ReSubst, apply_re},
}};

}  // namespace kamc::runtime
