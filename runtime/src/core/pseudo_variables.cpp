// Pseudo-variable names, their getters and setters, and format strings.
#include "kamc/runtime/pseudo_variables.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <chrono>
#include <ctime>
#include <iterator>

#include "kamc/catalog/Catalog.h"
#include "kamc/semantics/PvSyntax.h"
#include "digest_credentials.h"
#include "module.h"
#include "transformations.h"

#include "kamc/runtime/log.h"
#include "kamc/runtime/message_context.h"
#include "kamc/sip/name_addr.h"
#include "kamc/sip/uri.h"
#include "../text.h"

#include <sys/time.h>

namespace kamc::runtime {

extern const ModuleExports kPvModule;

namespace {

// A class as the config names it: its export (getter, setter, fixup) and the catalog's
// facts about its syntax.
struct PvClass {
  const PvExport* pv = nullptr;
  bool takes_name = false;   // $name(inner)
  bool takes_index = false;  // $(name(inner)[index])
};
PvClass find_pv_class(std::string_view name);

const long long kStartTimestamp =
    std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

PvValue integer_value(MessageContext& context, long long number) {
  return PvValue::integer(number, context.keep(std::to_string(number)));
}

PvValue text_or_null(std::string_view text, bool present) { return present ? PvValue::string(text) : PvValue::null(); }

// The parts of a URI that $xU, $xd and $xp read.
enum class UriPart { Whole, User, Host, Port };

PvValue uri_part(MessageContext& context, std::string_view uri_text, UriPart part) {
  if (part == UriPart::Whole) return PvValue::string(uri_text);
  sip::Uri uri;
  if (!sip::parse_uri(uri_text, uri).ok()) return PvValue::null();
  switch (part) {
    case UriPart::User: return text_or_null(uri.user, !uri.user.empty());
    case UriPart::Host: return text_or_null(uri.host, !uri.host.empty());
    case UriPart::Port:
      if (uri.port) return integer_value(context, *uri.port);
      return integer_value(context, uri.scheme == sip::UriScheme::Sips ? 5061 : 5060);
    case UriPart::Whole: break;
  }
  return PvValue::null();
}

PvValue request_uri_part(MessageContext& context, UriPart part) {
  if (!context.message.is_request()) return PvValue::null();
  return uri_part(context, context.request_uri(), part);
}

PvValue address_header_part(MessageContext& context, sip::HeaderKind kind, UriPart part) {
  sip::NameAddr address;
  auto result = kind == sip::HeaderKind::From ? context.message.from(address) : context.message.to(address);
  if (!result.ok()) return PvValue::null();
  return uri_part(context, address.uri.text, part);
}

// $au, $ar, $adu, ...: a field of the first Proxy-Authorization, else of the first
// Authorization (Kamailio's pv_get_authattr); null for ACK and CANCEL and when there are
// none or they do not parse.
enum class AuthField { Username, User, Domain, Realm, Uri, Algorithm, Nonce, Cnonce, Response, Opaque };

PvValue auth_field(MessageContext& context, AuthField field) {
  if (context.message.method() == "ACK" || context.message.method() == "CANCEL") return PvValue::null();
  const sip::HeaderField* header = context.message.first_header(sip::HeaderKind::ProxyAuthorization);
  if (!header) header = context.message.first_header(sip::HeaderKind::Authorization);
  if (!header) return PvValue::null();
  digest::Credentials credentials;
  std::string error;
  if (digest::parse_credentials(header->value, credentials, error) != digest::ParseStatus::Ok) return PvValue::null();
  auto text = [&](const std::optional<std::string>& value) {
    return PvValue::string(context.keep(value.value_or("")));
  };
  switch (field) {
    case AuthField::Username: return text(credentials.username);
    case AuthField::User: return PvValue::string(context.keep(std::string(credentials.user())));
    case AuthField::Domain: return PvValue::string(context.keep(std::string(credentials.domain())));
    case AuthField::Realm: return text(credentials.realm);
    case AuthField::Uri:
      if (!credentials.uri || credentials.uri->empty()) return PvValue::null();
      return text(credentials.uri);
    case AuthField::Algorithm: return text(credentials.algorithm);
    case AuthField::Nonce: return text(credentials.nonce);
    case AuthField::Cnonce: return text(credentials.cnonce);
    case AuthField::Response: return text(credentials.response);
    case AuthField::Opaque: return text(credentials.opaque);
  }
  return PvValue::null();
}

// $AU and $Au (Kamailio's pv_get_acc_user/pv_get_acc_username): the user (with "@realm")
// of the credentials the last authorization used, else the From URI's user (with
// "@host").
PvValue accounting_user(MessageContext& context, bool with_domain) {
  if (const sip::HeaderField* used = digest::used_credentials_header(context)) {
    digest::Credentials credentials;
    std::string error;
    if (digest::parse_credentials(used->value, credentials, error) == digest::ParseStatus::Ok &&
        !credentials.user().empty()) {
      std::string user(credentials.user());
      if (with_domain && credentials.realm) user += "@" + *credentials.realm;
      return PvValue::string(context.keep(std::move(user)));
    }
  }
  sip::NameAddr from;
  if (!context.message.from(from).ok()) return PvValue::null();
  if (!with_domain) return PvValue::string(from.uri.user);
  return PvValue::string(context.keep(std::string(from.uri.user) + "@" + std::string(from.uri.host)));
}

// Index n of values (0 first, -1 last), or "[*]": all of them joined with ",".
PvValue indexed_value(MessageContext& context, const std::vector<std::string_view>& values, const PvSpec& spec) {
  if (spec.index_all) {
    if (values.empty()) return PvValue::null();
    std::string joined;
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i) joined += ',';
      joined += values[i];
    }
    return PvValue::string(context.keep(std::move(joined)));
  }
  long long index = spec.index < 0 ? spec.index + static_cast<long long>(values.size()) : spec.index;
  if (index < 0 || index >= static_cast<long long>(values.size())) return PvValue::null();
  return PvValue::string(values[static_cast<std::size_t>(index)]);
}

PvValue header_value(MessageContext& context, const PvSpec& spec) {
  if (spec.has_index) {  // $(hdr(Via)[n]): the n-th field of that name (not split at commas)
    std::vector<std::string_view> values;
    for (const auto& header : context.message.headers()) {
      bool match = spec.header_kind != sip::HeaderKind::Other ? header.kind == spec.header_kind
                                                               : sip::detail::equals_ignore_case(header.name, spec.argument);
      if (match) values.push_back(header.value);
    }
    return indexed_value(context, values, spec);
  }
  const sip::HeaderField* field = spec.header_kind != sip::HeaderKind::Other
                                      ? context.message.first_header(spec.header_kind)
                                      : context.message.first_header(std::string_view(spec.argument));
  return field ? PvValue::string(field->value) : PvValue::null();
}

// $avp(x): the newest value; $(avp(x)[n]): the n-th newest; [*]: all, newest first.
PvValue avp_value(MessageContext& context, const PvSpec& spec) {
  std::vector<const StoredValue*> matches;
  for (auto it = context.avps.rbegin(); it != context.avps.rend(); ++it) {
    if (it->name == spec.argument) matches.push_back(&it->value);
  }
  auto to_value = [](const StoredValue& stored) { return PvValue{stored.flags, stored.number, stored.text}; };
  if (spec.index_all) {
    std::vector<std::string_view> texts;
    for (const StoredValue* stored : matches) texts.push_back(stored->text);
    return indexed_value(context, texts, spec);
  }
  long long index = spec.index < 0 ? spec.index + static_cast<long long>(matches.size()) : spec.index;
  if (index < 0 || index >= static_cast<long long>(matches.size())) return PvValue::null();
  return to_value(*matches[static_cast<std::size_t>(index)]);
}

// ---- $xavp -------------------------------------------------------------------------------

std::size_t count_named(const std::vector<XavpItem>& list, std::string_view name) {
  return static_cast<std::size_t>(
      std::count_if(list.begin(), list.end(), [&](const XavpItem& item) { return item.name == name; }));
}

// The index-th item called `name` (0 the newest); null when there is none.
XavpItem* nth_named(std::vector<XavpItem>& list, std::string_view name, long long index) {
  if (index < 0) return nullptr;
  for (XavpItem& item : list) {
    if (item.name == name && index-- == 0) return &item;
  }
  return nullptr;
}

// A read index: negative counts from the oldest (-1 is the oldest).
long long read_index(const std::vector<XavpItem>& list, std::string_view name, std::optional<long long> index) {
  long long value = index.value_or(0);
  return value < 0 ? value + static_cast<long long>(count_named(list, name)) : value;
}

// A write index, as Kamailio 5.6 computes it: a negative one is count + index + 1, so
// [-1] names no item and an assignment to it fails.
long long write_index(const std::vector<XavpItem>& list, std::string_view name, std::optional<long long> index) {
  long long value = index.value_or(0);
  return value < 0 ? value + static_cast<long long>(count_named(list, name)) + 1 : value;
}

void erase_nth_named(std::vector<XavpItem>& list, std::string_view name, long long index) {
  if (XavpItem* item = nth_named(list, name, index)) list.erase(list.begin() + (item - list.data()));
}

// A list item reads as "<<xavp:address>>", as in Kamailio; a value as itself.
PvValue xavp_item_value(MessageContext& context, const XavpItem& item) {
  if (item.is_list) {
    char text[64];
    std::snprintf(text, sizeof text, "<<xavp:%p>>", static_cast<const void*>(&item));
    return PvValue::string(context.keep(text));
  }
  return {item.value.flags, item.value.number, context.keep(item.value.text)};
}

PvValue xavp_value(MessageContext& context, const XavpPath& path) {
  XavpItem* root = nth_named(context.xavps, path.root, read_index(context.xavps, path.root, path.root_index));
  if (!root) return PvValue::null();
  if (!path.has_key) return xavp_item_value(context, *root);
  if (!root->is_list) return PvValue::null();
  std::vector<XavpItem>& children = root->children;
  long long index = path.key_all ? 0 : read_index(children, path.key, path.key_index);
  XavpItem* child = nth_named(children, path.key, index);
  if (!child) return PvValue::null();
  if (!path.key_all) return xavp_item_value(context, *child);
  std::string joined;  // "[*]": every value of the key, joined as Kamailio does
  for (const XavpItem& item : children) {
    if (item.name != path.key) continue;
    if (!joined.empty()) joined += ", ";
    PvValue value = xavp_item_value(context, item);
    joined += value.text;
  }
  return PvValue::string(context.keep(std::move(joined)));
}

PvValue var_value(MessageContext& context, const PvSpec& spec) {
  StoredValue& stored = worker_vars(context.runtime_var_count())[static_cast<std::size_t>(spec.var_slot)];
  if (stored.flags == PvValue::kNull) return integer_value(context, 0);  // unset $var reads as 0
  return {stored.flags, stored.number, stored.text};
}

}  // namespace

namespace {

// One "name[index]" of an $xavp name, at the start of `text` (which is advanced past it).
bool parse_xavp_part(std::string_view& text, std::string& name, std::optional<long long>& index, bool& all,
                     std::string& error) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  std::size_t end = 0;
  while (end < text.size() && text[end] != '=' && text[end] != '[' && !is_space(text[end])) ++end;
  name = std::string(text.substr(0, end));
  text.remove_prefix(end);
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  if (name.empty()) {
    error = "empty name";
    return false;
  }
  if (text.empty() || text.front() != '[') return true;
  std::size_t close = text.find(']');
  if (close == std::string_view::npos) {
    error = "unterminated index";
    return false;
  }
  std::string_view inside = text.substr(1, close - 1);
  text.remove_prefix(close + 1);
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  if (inside == "*") {
    all = true;
    return true;
  }
  long long number = 0;
  auto [last, ec] = std::from_chars(inside.data(), inside.data() + inside.size(), number);
  if (inside.empty() || ec != std::errc{} || last != inside.data() + inside.size()) {
    error = "index '[" + std::string(inside) + "]' must be an integer or * (pseudo-variables are not supported)";
    return false;
  }
  index = number;
  return true;
}

// "root[i]=>key[j]" with both indexes optional.
std::optional<XavpPath> parse_xavp_path(std::string_view text, std::string& error) {
  XavpPath path;
  if (!parse_xavp_part(text, path.root, path.root_index, path.root_all, error)) return std::nullopt;
  if (text.empty()) return path;
  if (!text.starts_with("=>")) {
    error = "expected '=>' at '" + std::string(text) + "'";
    return std::nullopt;
  }
  text.remove_prefix(2);
  path.has_key = true;
  if (!parse_xavp_part(text, path.key, path.key_index, path.key_all, error)) return std::nullopt;
  if (!text.empty()) {
    error = "unexpected '" + std::string(text) + "'";
    return std::nullopt;
  }
  return path;
}

}  // namespace

int VarSlots::slot_for(std::string_view name) {
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return static_cast<int>(i);
  }
  names_.emplace_back(name);
  return static_cast<int>(names_.size() - 1);
}

std::optional<PvSpec> parse_pv(std::string_view text, VarSlots& vars, std::string& error) {
  PvSpec spec;
  spec.name = std::string(text);
  if (text.size() < 2 || text.front() != '$') {
    error = "'" + spec.name + "' is not a pseudo-variable (it must start with '$')";
    return std::nullopt;
  }
  // The syntax is the front end's (kamc/semantics/PvSyntax.h), read as pv_parse_spec
  // reads a name inside a string; what the names mean is the module records'.
  semantics::PseudoVariableParse parsed = semantics::parsePseudoVariable(text, semantics::PvContext::String);
  if (!parsed.pv) {
    error = "bad pseudo-variable '" + spec.name + "': " + parsed.error;
    return std::nullopt;
  }
  const semantics::PseudoVariable& pv = *parsed.pv;
  if (parsed.length != text.size()) {
    error = "unexpected '" + std::string(text.substr(parsed.length)) + "' after pseudo-variable $" + pv.className;
    return std::nullopt;
  }
  const PvClass found = find_pv_class(pv.className);
  if (!found.pv) {
    error = "unknown pseudo-variable '" + spec.name + "'";
    return std::nullopt;
  }
  spec.pv = found.pv;
  if (found.takes_name != pv.inner.has_value() || (pv.inner && pv.inner->empty())) {
    error = found.takes_name ? "pseudo-variable '" + spec.name + "' needs a name in parentheses, e.g. $" +
                                   pv.className + "(x)"
                             : "pseudo-variable $" + pv.className + " takes no name in '" + spec.name + "'";
    return std::nullopt;
  }
  if (pv.inner) spec.argument = *pv.inner;
  if (pv.index) {
    if (!found.takes_index) {
      error = "pseudo-variable $" + pv.className + " cannot be indexed in '" + spec.name + "'";
      return std::nullopt;
    }
    const std::string& index = *pv.index;
    if (index == "*") {
      spec.index_all = true;
    } else {
      auto [end, ec] = std::from_chars(index.data(), index.data() + index.size(), spec.index);
      if (index.empty() || ec != std::errc{} || end != index.data() + index.size()) {
        error = "bad index '[" + index + "]' in '" + spec.name + "'";
        return std::nullopt;
      }
    }
    spec.has_index = true;
  }
  if (!pv.transformations.empty()) {
    std::string chain;
    for (const semantics::Transformation& transformation : pv.transformations) chain += transformation.text;
    std::string transform_error;
    spec.transforms = parse_transformations(chain, vars, transform_error);
    if (!spec.transforms) {
      error = "in '" + spec.name + "': " + transform_error;
      return std::nullopt;
    }
  }
  if (spec.pv->fixup && !spec.pv->fixup(spec, vars, error)) return std::nullopt;
  return spec;
}

PvValue get_pv(MessageContext& context, const PvSpec& spec) {
  PvValue value = spec.pv->get(context, spec);
  if (spec.transforms) return apply_transformations(context, *spec.transforms, value);
  return value;
}

bool set_request_uri(MessageContext& context, std::string uri_text) {
  sip::Uri uri;
  if (!sip::parse_uri(uri_text, uri).ok()) {
    log_format(L_ERR, "cannot set the R-URI to '%s': not a valid URI", uri_text.c_str());
    return false;
  }
  context.new_request_uri = std::move(uri_text);
  return true;
}

namespace {

PvValue protocol_value(MessageContext& context) {
  Protocol protocol = context.received.protocol;
  return {PvValue::kString | PvValue::kInt, static_cast<long long>(protocol), protocol_name(protocol)};
}

// Replaces the user or host of the current R-URI; a missing user is inserted before the host.
bool set_request_uri_part(MessageContext& context, UriPart part, std::string_view value) {
  std::string current(context.request_uri());
  sip::Uri uri;
  if (!sip::parse_uri(current, uri).ok() || !uri.is_sip_or_sips()) return false;
  std::string_view target = part == UriPart::User ? uri.user : uri.host;
  std::size_t begin = static_cast<std::size_t>(target.data() - current.data());
  std::size_t length = target.size();
  std::string replacement(value);
  if (part == UriPart::User && uri.user.empty()) {
    begin = static_cast<std::size_t>(uri.host.data() - current.data());
    length = 0;
    if (!replacement.empty()) replacement += "@";
  } else if (part == UriPart::User && replacement.empty()) {
    // "$rU = $null": the user, its password and the '@' go.
    std::size_t at = current.find('@', begin);
    length = (at == std::string::npos ? begin + length : at + 1) - begin;
  }
  current.replace(begin, length, replacement);
  return set_request_uri(context, std::move(current));
}

}  // namespace

bool set_request_user(MessageContext& context, std::string_view user) {
  return set_request_uri_part(context, UriPart::User, user);
}

namespace {

bool set_var(MessageContext& context, const PvSpec& spec, const PvValue& value) {
  StoredValue& stored = worker_vars(context.runtime_var_count())[static_cast<std::size_t>(spec.var_slot)];
  stored.flags = value.flags;
  stored.number = value.number;
  stored.text = std::string(value.text);
  if (value.is_null()) {  // "$var(x) = $null" resets it to integer 0, as in Kamailio
    stored.flags = PvValue::kInt | PvValue::kString;
    stored.number = 0;
    stored.text = "0";
  } else if (!(value.flags & PvValue::kString)) {
    stored.flags |= PvValue::kString;
    stored.text = std::to_string(value.number);
  }
  return true;
}

// "$avp(x) = v" adds v on top; "= $null" deletes the newest, "$(avp(x)[*]) = $null" all of
// them; "$(avp(x)[*]) = v" replaces all of them with v.
bool set_avp(MessageContext& context, const PvSpec& spec, const PvValue& value) {
  auto& avps = context.avps;
  if (spec.index_all) {
    std::erase_if(avps, [&](const AvpEntry& entry) { return entry.name == spec.argument; });
  } else if (value.is_null()) {
    for (auto it = avps.rbegin(); it != avps.rend(); ++it) {
      if (it->name == spec.argument) {
        avps.erase(std::next(it).base());
        break;
      }
    }
  }
  if (value.is_null()) return true;
  AvpEntry entry{spec.argument, {}};
  entry.value.flags = value.flags;
  entry.value.number = value.number;
  entry.value.text = (value.flags & PvValue::kString) ? std::string(value.text) : std::to_string(value.number);
  entry.value.flags |= PvValue::kString;
  avps.push_back(std::move(entry));
  return true;
}

// Removes the key of one root item: all of them for "[*]", else the one at the index.
void remove_xavp_key(XavpItem& root, const XavpPath& path) {
  if (!root.is_list) return;
  if (path.key_all) {
    std::erase_if(root.children, [&](const XavpItem& item) { return item.name == path.key; });
    return;
  }
  erase_nth_named(root.children, path.key, write_index(root.children, path.key, path.key_index));
}

// $xavp assignments with Kamailio 5.6's rules (pv_set_xavp):
//   $xavp(r) = v            adds a new item r on top
//   $xavp(r[i]) = v         replaces item i
//   $xavp(r=>k) = v         adds a new item r whose list holds k = v
//   $xavp(r[i]=>k) = v      adds k = v on top of item i's list (nothing if there is no item i)
//   $xavp(r[i]=>k[j]) = v   replaces the j-th k in item i's list
//   ... = $null             removes the item (or key) named, all of them with [*]
bool set_xavp(MessageContext& context, const XavpPath& path, const PvValue& value) {
  std::vector<XavpItem>& list = context.xavps;
  if (value.is_null()) {
    if (!path.has_key) {
      if (path.root_all) {
        std::erase_if(list, [&](const XavpItem& item) { return item.name == path.root; });
      } else {
        erase_nth_named(list, path.root, write_index(list, path.root, path.root_index));
      }
      return true;
    }
    if (path.root_all) {
      for (XavpItem& root : list) {
        if (root.name == path.root) remove_xavp_key(root, path);
      }
      return true;
    }
    if (XavpItem* root = nth_named(list, path.root, write_index(list, path.root, path.root_index))) {
      remove_xavp_key(*root, path);
    }
    return true;
  }
  XavpItem fresh;
  fresh.value.flags = value.flags;
  fresh.value.number = value.number;
  if (value.flags & PvValue::kInt) {
    fresh.value.flags = PvValue::kInt | PvValue::kString;
    fresh.value.text = std::to_string(value.number);
  } else {
    fresh.value.text = std::string(value.text);
  }
  bool root_indexed = path.root_index || path.root_all;
  if (!path.has_key) {
    fresh.name = path.root;
    if (!root_indexed) {
      list.insert(list.begin(), std::move(fresh));
      return true;
    }
    if (path.root_all) return false;  // Kamailio does not set every item
    XavpItem* item = nth_named(list, path.root, write_index(list, path.root, path.root_index));
    if (!item) return false;
    *item = std::move(fresh);
    return true;
  }
  fresh.name = path.key;
  if (!root_indexed) {
    XavpItem root;
    root.name = path.root;
    root.is_list = true;
    root.children.push_back(std::move(fresh));
    list.insert(list.begin(), std::move(root));
    return true;
  }
  if (path.root_all) return true;  // ignored, as in Kamailio
  XavpItem* root = nth_named(list, path.root, write_index(list, path.root, path.root_index));
  if (!root) return true;
  if (!root->is_list) return false;
  if (path.key_all) return true;  // ignored, as in Kamailio
  if (path.key_index) {
    if (XavpItem* child = nth_named(root->children, path.key, write_index(root->children, path.key, path.key_index))) {
      *child = std::move(fresh);
    }
    return true;
  }
  root->children.insert(root->children.begin(), std::move(fresh));
  return true;
}

std::string value_text(const PvValue& value) {
  if (value.flags & PvValue::kString) return std::string(value.text);
  return std::to_string(value.number);
}

// ---- the classes: getters, setters and fixups ------------------------------------------

PvValue header_field_value(MessageContext& context, sip::HeaderKind kind) {
  const auto* field = context.message.first_header(kind);
  return field ? PvValue::string(field->value) : PvValue::null();
}

// $fn, $ft, $tn, $tt: the display name or tag of From or To.
PvValue address_field(MessageContext& context, bool from, bool display_name) {
  sip::NameAddr address;
  auto result = from ? context.message.from(address) : context.message.to(address);
  if (!result.ok()) return PvValue::null();
  if (display_name) return text_or_null(address.display_name, !address.display_name.empty());
  return address.tag ? PvValue::string(*address.tag) : PvValue::null();
}

PvValue cseq_field(MessageContext& context, bool method) {
  sip::CSeq cseq;
  if (!context.message.cseq(cseq).ok()) return PvValue::null();
  return method ? PvValue::string(cseq.method) : integer_value(context, cseq.number);
}

PvValue request_scheme(MessageContext& context) {
  if (!context.message.is_request()) return PvValue::null();
  sip::Uri uri;
  if (!sip::parse_uri(context.request_uri(), uri).ok()) return PvValue::null();
  return PvValue::string(uri.scheme_name);
}

// Kamailio reads the clock once per message for $Ts, $TV(s) and $TV(u) (msg_set_time), and
// at every read for $TV(sn), $TV(Sn) and $TV(Fn); $TV(un) is the microseconds of the
// worker's last $TV(sn).
struct MessageTime : ModuleMessageState {
  bool set = false;
  timeval value{};
};

const timeval& message_time(MessageContext& context) {
  static const std::size_t index = module_index(kPvModule);
  auto& time = context.module_state<MessageTime>(index);
  if (!time.set) {
    ::gettimeofday(&time.value, nullptr);
    time.set = true;
  }
  return time.value;
}

PvValue seconds_now(MessageContext& context) { return integer_value(context, message_time(context).tv_sec); }

// $TV(name): the name's code is resolved at fixup (pv_parse_timeval_name's numbering).
enum TimevalName { kTvSeconds, kTvMicroseconds, kTvSecondsNow, kTvMicrosecondsOfNow, kTvNowText, kTvNowFormatted };

bool fixup_timeval(PvSpec& spec, VarSlots&, std::string& error) {
  static constexpr std::array<std::string_view, 6> kNames{"s", "u", "sn", "un", "Sn", "Fn"};
  auto found = std::find(kNames.begin(), kNames.end(), spec.argument);
  if (found == kNames.end()) {
    error = "unknown PV timeval name " + spec.argument;
    return false;
  }
  spec.name_code = static_cast<int>(found - kNames.begin());
  return true;
}

PvValue timeval_value(MessageContext& context, const PvSpec& spec) {
  thread_local timeval last_now{};
  timeval now{};
  switch (spec.name_code) {
    case kTvSeconds: return integer_value(context, message_time(context).tv_sec);
    case kTvMicroseconds: return integer_value(context, message_time(context).tv_usec);
    case kTvSecondsNow:
      ::gettimeofday(&last_now, nullptr);
      return integer_value(context, last_now.tv_sec);
    case kTvMicrosecondsOfNow: return integer_value(context, last_now.tv_usec);
    case kTvNowText: {
      ::gettimeofday(&now, nullptr);
      char text[64];
      std::snprintf(text, sizeof text, "%u.%06u", static_cast<unsigned>(now.tv_sec), static_cast<unsigned>(now.tv_usec));
      return PvValue::string(context.keep(text));
    }
    default: {
      ::gettimeofday(&now, nullptr);
      std::tm local{};
      ::localtime_r(&now.tv_sec, &local);
      char date[64];
      std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &local);
      char text[80];
      std::snprintf(text, sizeof text, "%s.%06u", date, static_cast<unsigned>(now.tv_usec));
      return PvValue::string(context.keep(text));
    }
  }
}

bool set_ru(MessageContext& context, const PvSpec&, const PvValue& value) {
  return !value.is_null() && set_request_uri(context, value_text(value));
}
bool set_rU(MessageContext& context, const PvSpec&, const PvValue& value) {
  return set_request_user(context, value.is_null() ? "" : value_text(value));
}
bool set_rd(MessageContext& context, const PvSpec&, const PvValue& value) {
  return !value.is_null() && set_request_uri_part(context, UriPart::Host, value_text(value));
}
bool set_du(MessageContext& context, const PvSpec&, const PvValue& value) {
  if (value.is_null()) {
    context.destination_uri.reset();
    return true;
  }
  std::string text = value_text(value);
  sip::Uri uri;
  if (!sip::parse_uri(text, uri).ok()) {
    log_format(L_ERR, "cannot set $du to '%s': not a valid URI", text.c_str());
    return false;
  }
  context.destination_uri = std::move(text);
  return true;
}
bool set_avp_value(MessageContext& context, const PvSpec& spec, const PvValue& value) {
  if (spec.has_index && !spec.index_all) {  // "$(avp(x)[*]) = v" replaces them all; [n] cannot be set
    log_format(L_ERR, "cannot assign to %s", spec.name.c_str());
    return false;
  }
  return set_avp(context, spec, value);
}
bool set_xavp_value(MessageContext& context, const PvSpec& spec, const PvValue& value) {
  return set_xavp(context, *spec.xavp, value);
}

bool fixup_header(PvSpec& spec, VarSlots&, std::string&) {
  spec.header_kind = sip::header_kind_from_name(spec.argument);
  return true;
}
bool fixup_var(PvSpec& spec, VarSlots& vars, std::string&) {
  spec.var_slot = vars.slot_for(spec.argument);
  return true;
}
bool fixup_avp(PvSpec& spec, VarSlots&, std::string&) {
  if (spec.argument.size() > 2 && spec.argument[1] == ':' && (spec.argument[0] == 's' || spec.argument[0] == 'i')) {
    spec.argument.erase(0, 2);  // "$avp(s:x)" is "$avp(x)"
  }
  return true;
}
bool fixup_xavp(PvSpec& spec, VarSlots&, std::string& error) {
  std::string xavp_error;
  auto path = parse_xavp_path(spec.argument, xavp_error);
  if (!path) {
    error = "bad $xavp name in '" + spec.name + "': " + xavp_error;
    return false;
  }
  spec.xavp = std::make_shared<const XavpPath>(std::move(*path));
  return true;
}

using C = MessageContext;
using S = const PvSpec;

}  // namespace

// The core's classes (core.cat): the module record of the core lists them.
extern const std::array<PvExport, 3> kCorePseudoVariables{{
    {"null", [](C&, S&) { return PvValue::null(); }},
    {"rc", [](C& c, S&) { return integer_value(c, c.last_retcode); }},
    {"retcode", [](C& c, S&) { return integer_value(c, c.last_retcode); }},
}};

// The pv module's classes (pv.cat) that the runtime implements; whether a class takes
// "(name)" or "[index]" is the catalog's.
extern const std::array<PvExport, 54> kPvModulePseudoVariables{{
    {"ru", [](C& c, S&) { return request_uri_part(c, UriPart::Whole); }, set_ru},
    {"rU", [](C& c, S&) { return request_uri_part(c, UriPart::User); }, set_rU},
    {"rd", [](C& c, S&) { return request_uri_part(c, UriPart::Host); }, set_rd},
    {"rp", [](C& c, S&) { return request_uri_part(c, UriPart::Port); }},
    {"rz", [](C& c, S&) { return request_scheme(c); }},
    {"fu", [](C& c, S&) { return address_header_part(c, sip::HeaderKind::From, UriPart::Whole); }},
    {"fU", [](C& c, S&) { return address_header_part(c, sip::HeaderKind::From, UriPart::User); }},
    {"fd", [](C& c, S&) { return address_header_part(c, sip::HeaderKind::From, UriPart::Host); }},
    {"fn", [](C& c, S&) { return address_field(c, true, true); }},
    {"ft", [](C& c, S&) { return address_field(c, true, false); }},
    {"tu", [](C& c, S&) { return address_header_part(c, sip::HeaderKind::To, UriPart::Whole); }},
    {"tU", [](C& c, S&) { return address_header_part(c, sip::HeaderKind::To, UriPart::User); }},
    {"td", [](C& c, S&) { return address_header_part(c, sip::HeaderKind::To, UriPart::Host); }},
    {"tn", [](C& c, S&) { return address_field(c, false, true); }},
    {"tt", [](C& c, S&) { return address_field(c, false, false); }},
    {"ci", [](C& c, S&) { return PvValue::string(c.message.call_id()); }},
    {"cs", [](C& c, S&) { return cseq_field(c, false); }},
    {"rm", [](C& c, S&) { return c.message.is_request() ? PvValue::string(c.message.method()) : cseq_field(c, true); }},
    {"rs", [](C& c, S&) { return c.message.is_request() ? PvValue::null() : integer_value(c, c.message.status_code()); }},
    {"rr", [](C& c, S&) { return c.message.is_request() ? PvValue::null() : PvValue::string(c.message.reason_phrase()); }},
    {"ct", [](C& c, S&) { return header_field_value(c, sip::HeaderKind::Contact); }},
    {"ua", [](C& c, S&) { return header_field_value(c, sip::HeaderKind::UserAgent); }},
    {"mb", [](C& c, S&) { return PvValue::string(c.buffer.substr(0, c.message.message_size())); }},
    {"ml", [](C& c, S&) { return integer_value(c, static_cast<long long>(c.message.message_size())); }},
    {"mt", [](C& c, S&) { return integer_value(c, c.message.is_request() ? 1 : 2); }},
    {"rb", [](C& c, S&) { return PvValue::string(c.message.body()); }},
    {"si", [](C& c, S&) { return PvValue::string(c.keep(c.received.source.ip_text())); }},
    {"sp", [](C& c, S&) { return integer_value(c, c.received.source.port()); }},
    {"Ri", [](C& c, S&) {
       return c.received.local ? PvValue::string(c.keep(c.received.local->address.ip_text())) : PvValue::null();
     }},
    {"Rp", [](C& c, S&) {
       return c.received.local ? integer_value(c, c.received.local->address.port()) : PvValue::null();
     }},
    {"pr", [](C& c, S&) { return protocol_value(c); }},
    {"proto", [](C& c, S&) { return protocol_value(c); }},
    {"du", [](C& c, S&) { return c.destination_uri ? PvValue::string(*c.destination_uri) : PvValue::null(); },
     set_du},
    // No append_branch() into the core's destination set yet: tm keeps its own.
    {"ds", [](C&, S&) { return PvValue::null(); }},
    {"br", [](C&, S&) { return PvValue::null(); }},
    {"Ts", [](C& c, S&) { return seconds_now(c); }},
    {"TS", [](C& c, S&) { return integer_value(c, kStartTimestamp); }},
    {"TV", timeval_value, nullptr, fixup_timeval},
    {"hdr", [](C& c, S& spec) { return header_value(c, spec); }, nullptr, fixup_header},
    {"var", [](C& c, S& spec) { return var_value(c, spec); }, set_var, fixup_var},
    {"avp", [](C& c, S& spec) { return avp_value(c, spec); }, set_avp_value, fixup_avp},
    {"xavp", [](C& c, S& spec) { return xavp_value(c, *spec.xavp); }, set_xavp_value, fixup_xavp},
    {"aU", [](C& c, S&) { return auth_field(c, AuthField::Username); }},
    {"au", [](C& c, S&) { return auth_field(c, AuthField::User); }},
    {"ad", [](C& c, S&) { return auth_field(c, AuthField::Domain); }},
    {"ar", [](C& c, S&) { return auth_field(c, AuthField::Realm); }},
    {"adu", [](C& c, S&) { return auth_field(c, AuthField::Uri); }},
    {"aa", [](C& c, S&) { return auth_field(c, AuthField::Algorithm); }},
    {"adn", [](C& c, S&) { return auth_field(c, AuthField::Nonce); }},
    {"adc", [](C& c, S&) { return auth_field(c, AuthField::Cnonce); }},
    {"adr", [](C& c, S&) { return auth_field(c, AuthField::Response); }},
    {"ado", [](C& c, S&) { return auth_field(c, AuthField::Opaque); }},
    {"AU", [](C& c, S&) { return accounting_user(c, false); }},
    {"Au", [](C& c, S&) { return accounting_user(c, true); }},
}};

namespace {

PvClass find_pv_class(std::string_view name) {
  for (const ModuleExports* module : builtin_modules()) {
    for (const PvExport& pv : module->pseudo_variables) {
      if (pv.name != name) continue;  // names are case-sensitive: $rU is not $ru
      PvClass found{&pv};
      for (const catalog::PseudoVariableInfo& row : catalog::pseudoVariablesNamed(name)) {
        if (row.module != module->name) continue;
        found.takes_name = row.takesName;
        found.takes_index = row.takesIndex;
      }
      return found;
    }
  }
  return {};
}

}  // namespace

bool set_pv(MessageContext& context, const PvSpec& spec, const PvValue& value) {
  if (spec.transforms) {
    log_format(L_ERR, "cannot assign to %s", spec.name.c_str());
    return false;
  }
  if (!spec.pv->set) {
    log_format(L_ERR, "pseudo-variable %s is read-only", spec.name.c_str());
    return false;
  }
  return spec.pv->set(context, spec, value);
}

std::optional<Format> Format::parse(std::string_view text, VarSlots& vars, std::string& error) {
  // Literal runs, "$$" as one '$', and the pseudo-variables: the front end's reading
  // (kamc/semantics/PvSyntax.h). A '$' that starts no name stays literal, as Kamailio
  // prints it; one that starts a name that does not parse is an error.
  semantics::FormatParse parsed = semantics::parseFormat(text);
  for (const auto& [offset, message] : parsed.errors) {
    char next = offset + 1 < text.size() ? text[offset + 1] : ' ';
    if (is_name_char(next) || next == '(') {
      error = "bad pseudo-variable at '" + std::string(text.substr(offset)) + "': " + message;
      return std::nullopt;
    }
  }
  Format format;
  for (semantics::FormatPart& part : parsed.parts) {
    if (!part.isVariable) {
      if (!format.parts_.empty() && !format.parts_.back().pv) {
        format.parts_.back().literal += part.literal;
      } else {
        format.parts_.push_back({std::move(part.literal), std::nullopt});
      }
      continue;
    }
    auto spec = parse_pv(part.pv->text, vars, error);
    if (!spec) return std::nullopt;
    format.parts_.push_back({{}, std::move(*spec)});
  }
  return format;
}

std::string Format::render(MessageContext& context) const {
  std::string out;
  for (const auto& part : parts_) {
    if (!part.pv) {
      out += part.literal;
      continue;
    }
    PvValue value = get_pv(context, *part.pv);
    if (value.is_null()) {
      out += "<null>";
    } else if (value.flags & PvValue::kString) {
      out += value.text;
    } else {
      out += std::to_string(value.number);
    }
  }
  return out;
}

}  // namespace kamc::runtime
