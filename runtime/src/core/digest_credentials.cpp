// The Digest credentials parser: scheme, then name=value pairs separated by commas,
// values as tokens or quoted strings (RFC 7230 quoted-pair escapes honoured).
#include "digest_credentials.h"

#include <array>
#include <cctype>

namespace kamc::runtime::digest {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// Reads the text of one header value left to right; never indexes past its end.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}
  bool done() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  void skip_spaces() {
    while (!done() && is_space(peek())) ++pos_;
  }
  // A parameter name: up to '=', a space or a comma.
  std::string_view name() {
    std::size_t start = pos_;
    while (!done() && peek() != '=' && peek() != ',' && !is_space(peek())) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  bool consume(char c) {
    if (done() || peek() != c) return false;
    ++pos_;
    return true;
  }
  // A token value: up to a space or a comma. Empty is an error (Kamailio's parse_token).
  std::optional<std::string> token() {
    std::size_t start = pos_;
    while (!done() && peek() != ',' && !is_space(peek()) && peek() != '"') ++pos_;
    if (pos_ == start) return std::nullopt;
    return std::string(text_.substr(start, pos_ - start));
  }
  // After the opening quote: up to the closing one, "\x" read as "x".
  std::optional<std::string> quoted() {
    std::string value;
    while (!done()) {
      char c = text_[pos_++];
      if (c == '"') return value;
      if (c == '\\') {
        if (done()) return std::nullopt;
        c = text_[pos_++];
      }
      value += c;
    }
    return std::nullopt;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

Qop parse_qop(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  if (text.empty()) return Qop::Unspecified;
  if (equals_ignore_case(text, "auth")) return Qop::Auth;
  if (equals_ignore_case(text, "auth-int")) return Qop::AuthInt;
  return Qop::Other;
}

// The field a known parameter name fills, or null for names Kamailio ignores.
std::optional<std::string>* field_for(Credentials& credentials, std::string_view name) {
  const std::array<std::pair<std::string_view, std::optional<std::string> Credentials::*>, 10> fields{{
      {"username", &Credentials::username},
      {"realm", &Credentials::realm},
      {"nonce", &Credentials::nonce},
      {"uri", &Credentials::uri},
      {"response", &Credentials::response},
      {"cnonce", &Credentials::cnonce},
      {"opaque", &Credentials::opaque},
      {"qop", &Credentials::qop_text},
      {"nc", &Credentials::nc},
      {"algorithm", &Credentials::algorithm},
  }};
  for (const auto& [field_name, member] : fields) {
    if (equals_ignore_case(name, field_name)) return &(credentials.*member);
  }
  return nullptr;
}

}  // namespace

std::string_view Credentials::user() const {
  if (!username) return {};
  std::string_view user = *username;
  if (user.size() <= 2) return user;
  std::size_t at = user.find('@');
  if (at != std::string_view::npos) user = user.substr(0, at);
  std::size_t colon = user.find(':');
  if (colon != std::string_view::npos) user = user.substr(colon + 1);
  return user;
}

std::string_view Credentials::domain() const {
  if (!username || username->size() <= 2) return {};
  std::size_t at = username->find('@');
  if (at == std::string::npos) return {};
  return std::string_view(*username).substr(at + 1);
}

bool Credentials::complete() const {
  if (!username || !realm || !nonce || !uri || !response) return false;
  if (qop == Qop::Auth || qop == Qop::AuthInt) return cnonce.has_value() && nc.has_value();
  return true;
}

ParseStatus parse_credentials(std::string_view header_value, Credentials& out, std::string& error) {
  out = Credentials{};
  if (header_value.size() > kMaxCredentialsSize) {
    error = "credentials of " + std::to_string(header_value.size()) + " bytes (the limit is " +
            std::to_string(kMaxCredentialsSize) + ")";
    return ParseStatus::Malformed;
  }
  Reader reader(header_value);
  reader.skip_spaces();
  std::string_view scheme = reader.name();
  if (!equals_ignore_case(scheme, "Digest") || reader.done() || !(is_space(reader.peek()) || reader.peek() == ',')) {
    return ParseStatus::NotDigest;
  }
  reader.consume(',');
  while (true) {
    reader.skip_spaces();
    if (reader.done()) break;
    std::string_view name = reader.name();
    if (name.empty()) {
      error = "a digest parameter without a name";
      return ParseStatus::Malformed;
    }
    reader.skip_spaces();
    if (!reader.consume('=')) {
      error = "digest parameter '" + std::string(name) + "' without '='";
      return ParseStatus::Malformed;
    }
    reader.skip_spaces();
    std::optional<std::string> value = reader.consume('"') ? reader.quoted() : reader.token();
    if (!value) {
      error = "digest parameter '" + std::string(name) + "' has no value or an unterminated quoted string";
      return ParseStatus::Malformed;
    }
    if (std::optional<std::string>* field = field_for(out, name)) {
      if (field->has_value()) {
        error = "digest parameter '" + std::string(name) + "' appears twice";
        return ParseStatus::Malformed;
      }
      *field = std::move(*value);
    }
    reader.skip_spaces();
    if (reader.done()) break;
    if (!reader.consume(',')) {
      error = "expected ',' after digest parameter '" + std::string(name) + "'";
      return ParseStatus::Malformed;
    }
  }
  if (out.qop_text) out.qop = parse_qop(*out.qop_text);
  return ParseStatus::Ok;
}

FoundCredentials find_credentials(const sip::SipMessage& message, sip::HeaderKind kind, std::string_view realm) {
  FoundCredentials found;
  for (const sip::HeaderField& field : message.headers()) {
    if (field.kind != kind) continue;
    Credentials credentials;
    std::string error;
    ParseStatus status = parse_credentials(field.value, credentials, error);
    if (status == ParseStatus::Malformed) {
      found.status = FindStatus::Error;
      found.error = std::move(error);
      return found;
    }
    if (status == ParseStatus::NotDigest) continue;
    if (credentials.realm && equals_ignore_case(*credentials.realm, realm)) {
      found.status = FindStatus::Found;
      found.header = &field;
      found.credentials = std::move(credentials);
      return found;
    }
  }
  return found;
}

}  // namespace kamc::runtime::digest
