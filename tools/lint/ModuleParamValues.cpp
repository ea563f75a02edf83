// Modparam values that a module reads with a grammar of its own: database
// URLs and the driver module their scheme needs (every catalog param flagged
// dburl, and sqlops' sqlcon), htable's table definitions, dialog's profile
// lists, dispatcher's ping reply codes, rtpengine's sockets, tls' methods
// and modes (when TLS is on), permissions' backends, cache mode and tag AVP.
// htable and sqlops parse their lines while Kamailio reads them (kamailio -c
// refuses a bad one); the others when the module initialises (kamailio -c
// accepts them, start-up fails).
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <iterator>
#include <map>
#include <optional>
#include <regex>
#include <span>

#include "LintSupport.h"
#include "kamc/ast/AstWalk.h"
#include "kamc/lint/Lint.h"
#include "kamc/semantics/Conversions.h"

namespace kamc::lint {
namespace {

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trimBlanks(std::string_view s) {
  while (!s.empty() && isBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && isBlank(s.back())) s.remove_suffix(1);
  return s;
}

// Why srdb1's URL parser (scheme://[user[:password]@]host[:port]/database)
// refuses a URL, or "" when it takes it. Kamailio reads the authority
// character by character: the first '/' outside an IPv6 [...] ends the host
// and starts the database, whose emptiness it does not judge.
std::string dbUrlProblem(std::string_view url) {
  size_t colon = url.find(':');
  if (colon == std::string_view::npos) return "it has no scheme: write scheme://host/database (mysql://, postgres://, ...)";
  if (url.size() < 7) return "it is shorter than any URL Kamailio takes (the shortest is s://a/b)";
  if (url.substr(colon + 1, 2) != "//") return "the scheme must be followed by '://'";
  enum class State { UserOrHost, PasswordOrPort, Host, Host6, Port } state = State::UserOrHost;
  bool secondAt = false;  // "user@domain:password@host": the first '@' belongs to the user
  for (size_t i = colon + 3; i < url.size(); ++i) {
    char c = url[i];
    switch (state) {
      case State::UserOrHost:
        if (c == '/') return "";
        if (c == ':') state = State::PasswordOrPort;
        else if (c == '[') state = State::Host6;
        else if (c == '@') {
          if (!secondAt && url.find('@', i + 1) != std::string_view::npos) secondAt = true;
          else state = State::Host;
        }
        break;
      case State::PasswordOrPort:
        if (c == '/') return "";
        if (c == '@') {
          state = State::Host;
          i = url.rfind('@');  // a password may hold '@': the host follows the last one
        }
        break;
      case State::Host:
        if (c == '/') return "";
        if (c == '[') state = State::Host6;
        else if (c == ':') state = State::Port;
        break;
      case State::Host6:
        if (c == ']') state = State::Host;
        break;
      case State::Port:
        if (c == '/') return "";
        break;
    }
  }
  return "no '/database' follows the host";
}

// "name=>body", the head of htable's and sqlops' definitions: blanks, a name
// up to '=' or a blank, blanks, "=>", blanks.
struct NamedDefinition {
  std::string_view name;
  std::string_view body;
};
std::optional<NamedDefinition> splitNamedDefinition(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && isBlank(text[i])) ++i;
  size_t nameBegin = i;
  while (i < text.size() && text[i] != '=' && !isBlank(text[i])) ++i;
  std::string_view name = text.substr(nameBegin, i - nameBegin);
  while (i < text.size() && isBlank(text[i])) ++i;
  if (text.substr(i, 2) != "=>") return std::nullopt;
  i += 2;
  while (i < text.size() && isBlank(text[i])) ++i;
  return NamedDefinition{name, text.substr(i)};
}

// One "name[=value]" of a ';'-separated list, as the core's parse_params
// reads it: blanks around name and value dropped, a quoted value unquoted.
// "name=" with nothing before the next ';' is an error there, not at the end.
struct ParamEntry {
  std::string_view name;
  std::string_view value;
  bool emptyValueInside = false;
};
std::vector<ParamEntry> splitParamList(std::string_view list) {
  std::vector<ParamEntry> entries;
  while (!list.empty()) {
    size_t end = list.find(';');
    std::string_view text = list.substr(0, end);
    list = end == std::string_view::npos ? std::string_view() : list.substr(end + 1);
    size_t eq = text.find('=');
    ParamEntry entry;
    entry.name = trimBlanks(text.substr(0, eq));
    if (eq != std::string_view::npos) {
      entry.value = trimBlanks(text.substr(eq + 1));
      entry.emptyValueInside = entry.value.empty() && end != std::string_view::npos;
    }
    if (entry.value.size() >= 2 && (entry.value.front() == '"' || entry.value.front() == '\'') &&
        entry.value.back() == entry.value.front())
      entry.value = entry.value.substr(1, entry.value.size() - 2);
    entries.push_back(entry);
  }
  return entries;
}

// str2int/str2sint of Kamailio's ut.h: decimal digits with an optional '+'
// (and '-' when signed), within 32 bits.
bool isKamailioInt(std::string_view s, bool isSigned) {
  if (!s.empty() && (s.front() == '+' || (isSigned && s.front() == '-'))) s.remove_prefix(1);
  if (s.empty() || s.size() > 10) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + uint64_t(c - '0');
  }
  return v <= (isSigned ? 0x7fffffffu : 0xffffffffu);
}

// The attributes of an htable definition (ht_table_spec) and whether each
// one's value is a number.
enum class HtableValue { Text, Unsigned, Signed };
const std::map<std::string_view, HtableValue> kHtableAttributes = {
    {"autoexpire", HtableValue::Unsigned}, {"cols", HtableValue::Text},
    {"dbmode", HtableValue::Unsigned},     {"dbtable", HtableValue::Text},
    {"dmqreplicate", HtableValue::Unsigned}, {"initval", HtableValue::Signed},
    {"size", HtableValue::Unsigned},       {"updateexpire", HtableValue::Unsigned},
};

// tls' tls_method names (tls_config.c), its verify_client modes and its
// rand_engine names; each is compared without case.
using Words = std::span<const std::string_view>;
constexpr std::string_view kTlsMethods[] = {"SSLv2",   "SSLv3",    "SSLv23",  "TLSv1",    "TLSv1.0", "TLSv1+",
                                            "TLSv1.0+", "TLSv1.1", "TLSv1.1+", "TLSv1.2", "TLSv1.2+"};
constexpr std::string_view kTlsMethodsWithoutOpenSsl[] = {"SSLv2", "SSLv3"};
constexpr std::string_view kTlsVerifyClientModes[] = {"off", "on", "optional", "optional_no_ca"};
constexpr std::string_view kTlsRandEngines[] = {"krand", "fastrand", "cryptorand", "kxlibssl"};

bool isOneOfIgnoringCase(std::string_view word, Words words) {
  return std::any_of(words.begin(), words.end(), [&](std::string_view w) {
    return w.size() == word.size() && std::equal(w.begin(), w.end(), word.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
           });
  });
}

std::string listWords(Words words, std::string_view lastJoin) {
  return joinWords(std::vector<std::string>(words.begin(), words.end()), lastJoin);
}

std::string didYouMean(std::string_view name, Words words) {
  std::string guess = closestName(name, std::vector<std::string_view>(words.begin(), words.end()));
  return guess.empty() ? "" : "; did you mean '" + guess + "'?";
}

class ModuleParamValueChecker {
  // The parameters whose value a module reads with a grammar of its own.
  using ValueCheck = void (ModuleParamValueChecker::*)(const ast::ModparamItem&, std::string_view);
  struct ValueGrammar {
    std::string_view module, param;
    ValueCheck check;
  };
  static std::span<const ValueGrammar> grammars();

 public:
  ModuleParamValueChecker(const LintContext& ctx, const ModuleSet& modules) : ctx_(ctx), modules_(modules) {}

  void check(const ast::ModparamItem& item, size_t order) {
    // modparamx values are evaluated at start-up; only literal strings are judged.
    if (item.extended || !item.value || item.value->kind != ast::ExprKind::String) return;
    const std::string& value = static_cast<const ast::StringExpr&>(*item.value).value;
    std::optional<std::regex> re = moduleRegex(item.modules.value);
    if (!re) return;
    // modparam("acc|auth_db", "db_url", ...): one URL, judged once for every module binding it.
    std::vector<std::string> binders;
    for (const LoadedModule& m : modules_.modules()) {
      if (m.order >= order || !m.info || !std::regex_match(m.name, *re)) continue;
      const catalog::ParamInfo* p = catalog::findParam(m.name, item.param.value);
      if (!p) continue;
      if (p->dbUrl && bindsDriver(m.name, *p)) binders.push_back(m.name);
      for (const ValueGrammar& g : grammars())
        if (g.module == m.name && g.param == p->name) (this->*g.check)(item, value);
    }
    if (!binders.empty()) checkDbUrl(item, value, joinWords(binders, "and"));
  }

  // What needs every line: htable's dbtable needs htable's db_url; dialog's
  // profile lists are plain parameters, whose last value counts.
  void finish() {
    checkDialogProfiles();
    checkTlsSettings();
    checkPermissionsSettings();
    if (htableDbUrlSet_) return;
    for (const auto& [item, table] : htableDbTables_)
      ctx_.report("kamc-ineffective-modparam", *item->value,
                  "htable '" + table + "' names a dbtable, but htable's db_url is not set: Kamailio starts and "
                  "never loads the table; set modparam(\"htable\", \"db_url\", ...)");
  }

 private:
  // The value of an int parameter of a module, as the last modparam line
  // setting it leaves it (0 when none does: the switches' default).
  int64_t intParamValue(std::string_view module, std::string_view name) const {
    int64_t value = 0;
    for (const ast::TopItemPtr& top : ctx_.config.items) {
      if (top->kind != ast::TopKind::Modparam) continue;
      const auto& item = static_cast<const ast::ModparamItem&>(*top);
      if (item.param.value != name || !item.value || item.value->kind != ast::ExprKind::Number) continue;
      std::optional<std::regex> re = moduleRegex(item.modules.value);
      if (re && std::regex_match(std::string(module), *re))
        value = static_cast<const ast::NumberExpr&>(*item.value).value;
    }
    return value;
  }

  bool bindsDriver(std::string_view module, const catalog::ParamInfo& p) const {
    return p.dbUrlSwitch.empty() || intParamValue(module, p.dbUrlSwitch) != 0;
  }

  // Kamailio binds the driver module "db_" + the text before the URL's first
  // ':' when the module initialises; the module fails without it.
  void checkDbUrl(const ast::ModparamItem& item, std::string_view url, std::string_view user) {
    std::string problem = dbUrlProblem(url);
    if (!problem.empty()) {
      ctx_.report("kamc-bad-db-url", *item.value,
                  "database URL '" + std::string(url) + "' of " + std::string(user) + ": " + problem +
                      " (Kamailio: \"error while parsing database URL\" when the module connects)");
      if (url.find(':') == std::string_view::npos) return;
    }
    std::string scheme(url.substr(0, url.find(':')));
    std::string driver = "db_" + scheme;
    if (modules_.loadedAnywhere(driver) || modules_.opaqueBefore(ctx_.config.items.size())) return;
    const catalog::ModuleInfo* known = catalog::findModule(driver);
    if (!known || scheme.empty()) {
      std::vector<std::string_view> schemes;
      std::vector<std::string> names;
      for (const catalog::ModuleInfo& m : catalog::allModules())
        if (m.name.starts_with("db_")) names.emplace_back(m.name.substr(3));
      for (const std::string& n : names) schemes.push_back(n);
      std::string guess = closestName(scheme, schemes);
      ctx_.report("kamc-db-driver-not-loaded", *item.value,
                  "database URL scheme '" + scheme + "' of " + std::string(user) +
                      " names no Kamailio 5.6 driver module (it would be " + driver + ")" +
                      (guess.empty() ? "" : "; did you mean '" + guess + "'?") +
                      " (Kamailio refuses to start: \"Module " + driver + " not found\")");
      return;
    }
    Diagnostic& d = ctx_.report("kamc-db-driver-not-loaded", *item.value,
                                "database URL '" + std::string(url) + "' of " + std::string(user) + " needs module " +
                                    driver + ", which is not loaded; Kamailio refuses to start (\"Module " + driver +
                                    " not found. Missing loadmodule?\")");
    SourceLocation loadAt = modules_.newLoadmoduleAt();
    d.notes.push_back({loadAt.valid() ? loadAt : item.value->loc, loadHint(driver)});
    d.fixes.push_back(loadmoduleFix(modules_, driver));
  }

  void checkSqlConnection(const ast::ModparamItem& item, std::string_view value) {
    std::optional<NamedDefinition> def = splitNamedDefinition(value);
    if (!def || def->name.empty()) {
      ctx_.report("kamc-bad-modparam-value", *item.value,
                  "sqlops connection '" + std::string(value) +
                      "' is not 'name=>database URL' (Kamailio: \"invalid sqlops parameter\")");
      return;
    }
    if (!firstNamed("sqlops connection", "duplicate connection name", sqlConnections_, def->name, item)) return;
    checkDbUrl(item, def->body, "sqlops connection '" + std::string(def->name) + "'");
  }

  void checkHtableDefinition(const ast::ModparamItem& item, std::string_view value) {
    std::optional<NamedDefinition> def = splitNamedDefinition(value);
    if (!def) {
      ctx_.report("kamc-bad-modparam-value", *item.value,
                  "htable definition '" + std::string(value) +
                      "' is not 'name=>attribute=value;...' (Kamailio: \"invalid input parameter\")");
      return;
    }
    std::string_view body = def->body;
    if (!body.empty() && body.back() == ';') body.remove_suffix(1);  // htable drops one trailing ';'
    std::vector<std::string_view> names;
    for (const auto& [name, kind] : kHtableAttributes) names.push_back(name);
    bool dbTable = false;
    for (const ParamEntry& entry : splitParamList(body)) {
      std::string_view name = entry.name, given = entry.value;
      auto known = kHtableAttributes.find(name);
      std::string prefix = "htable '" + std::string(def->name) + "': ";
      if (known == kHtableAttributes.end()) {
        std::string guess = closestName(name, names);
        ctx_.report("kamc-bad-modparam-value", *item.value,
                    prefix + (name.empty() ? "an empty attribute" : "unknown attribute '" + std::string(name) + "'") +
                        (guess.empty() ? "" : "; did you mean '" + guess + "'?") +
                        " (Kamailio 5.6 knows " + joinWords(std::vector<std::string>(names.begin(), names.end()), "and") +
                        "; \"invalid htable parameter\")");
        return;
      }
      if (entry.emptyValueInside) {
        ctx_.report("kamc-bad-modparam-value", *item.value,
                    prefix + "attribute '" + std::string(name) + "=' has no value before the next ';' (Kamailio: \"Error while parsing token\")");
        return;
      }
      if (known->second != HtableValue::Text && !isKamailioInt(given, known->second == HtableValue::Signed)) {
        ctx_.report("kamc-bad-modparam-value", *item.value,
                    prefix + "attribute '" + std::string(name) + "' takes " +
                        (known->second == HtableValue::Signed ? "an integer" : "a non-negative decimal integer") +
                        ", not '" + std::string(given) + "' (Kamailio: \"invalid htable parameter\")");
        return;
      }
      if (name == "dbtable" && !given.empty()) dbTable = true;
    }
    if (!firstNamed("htable", "htable already configured", htables_, def->name, item)) return;
    if (dbTable) htableDbTables_.emplace_back(&item, std::string(def->name));
  }

 public:
  void noteOpaqueDialogLists(const ast::ModparamItem& item) {
    if (item.param.value.starts_with("profiles_") && (item.extended || !item.value ||
                                                       item.value->kind != ast::ExprKind::String))
      dialogListsOpaque_ = true;
  }

 private:

  void rememberDialogProfiles(const ast::ModparamItem& item, std::string_view) {
    dialogProfileLists_[item.param.value] = &item;
  }

  // dialog's mod_init reads profiles_no_value, then profiles_with_value:
  // names of letters, digits and '_', each defined once over both lists.
  void checkDialogProfiles() {
    std::map<std::string, const ast::ModparamItem*> seen;
    for (const char* param : {"profiles_no_value", "profiles_with_value"}) {
      auto list = dialogProfileLists_.find(param);
      if (list == dialogProfileLists_.end()) continue;
      const ast::ModparamItem& item = *list->second;
      std::string_view rest = static_cast<const ast::StringExpr&>(*item.value).value;
      while (!rest.empty()) {
        size_t end = rest.find(';');
        std::string_view name = trimBlanks(rest.substr(0, end));
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
        if (name.empty()) continue;  // skipped by dialog
        auto bad = std::find_if(name.begin(), name.end(), [](char c) {
          return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
        });
        if (bad != name.end()) {
          ctx_.report("kamc-bad-modparam-value", *item.value,
                      "dialog profile name '" + std::string(name) + "' has '" + std::string(1, *bad) +
                          "': only letters, digits and '_' (Kamailio refuses to start: \"bad profile name\")");
          continue;
        }
        firstNamed("dialog profile", "duplicate dialog profile registered", seen, name, item);
      }
    }
    // Lists given by modparamx are evaluated at start-up: their names are unknown here.
    if (!dialogListsOpaque_) checkDialogProfileUses(seen);
  }

  // dialog's fixups look a profile name up when Kamailio starts: a literal
  // first argument of a profile function must be in one of the lists.
  void checkDialogProfileUses(const std::map<std::string, const ast::ModparamItem*>& defined) {
    const LoadedModule* dialog = modules_.loadedAnywhere("dialog");
    if (!dialog) return;
    for (size_t order = 0; order < ctx_.config.items.size(); ++order) {
      const ast::TopItem& top = *ctx_.config.items[order];
      if (top.kind != ast::TopKind::Route) continue;
      ast::AstVisitor v;
      v.onExpr = [&](const ast::Expr& e) {
        if (e.kind != ast::ExprKind::Call) return;
        const auto& call = static_cast<const ast::CallExpr&>(e);
        if (call.args.empty() || !call.args[0] || call.args[0]->kind != ast::ExprKind::String) return;
        CallResolution r = resolveCall(call, modules_, order);
        if (r.status != CallResolution::Status::Found || r.rows.empty() || r.rows[0]->module != "dialog" ||
            !r.rows[0]->namesDialogProfile)
          return;
        const std::string& name = static_cast<const ast::StringExpr&>(*call.args[0]).value;
        if (defined.count(name)) return;
        ctx_.report("kamc-undefined-dialog-profile", *call.args[0],
                    "dialog profile '" + name + "' is not defined: add it to modparam(\"dialog\", "
                    "\"profiles_with_value\" or \"profiles_no_value\", ...) (kamailio -c accepts this; start-up "
                    "fails: \"profile <" + name + "> not defined\")");
      };
      ast::walk(static_cast<const ast::RouteItem&>(top).body.get(), v);
    }
  }

  // dispatcher keeps the code=NNN (100-699) and class=N (1-6) entries of
  // ds_ping_reply_codes and drops every other one without a word.
  void checkPingReplyCodes(const ast::ModparamItem& item, std::string_view value) {
    std::vector<std::string> dropped;
    for (const ParamEntry& entry : splitParamList(value)) {
      std::string name(entry.name);
      for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
      bool isCode = name == "code", isClass = name == "class";
      int64_t n = isKamailioInt(entry.value, true) ? std::stoll(std::string(entry.value)) : -1;
      if ((isCode && n >= 100 && n < 700) || (isClass && n >= 1 && n < 7)) continue;
      if (entry.name.empty() && entry.value.empty()) continue;
      dropped.push_back("'" + std::string(entry.name) + (entry.value.empty() ? "" : "=" + std::string(entry.value)) + "'");
    }
    if (dropped.empty()) return;
    ctx_.report("kamc-ineffective-modparam", *item.value,
                "dispatcher ignores " + joinWords(dropped, "and") + " in ds_ping_reply_codes: it keeps only code=NNN "
                "(100 to 699) and class=N (1 to 6) entries");
  }

  // rtpengine reads each rtpengine_sock line when it initialises:
  // "[set ==] node[=weight] ...". A set id that is not a number, or no node
  // after "==", stops start-up; a node without a known scheme or with a bad
  // port is skipped with only a log line.
  void checkRtpengineSocket(const ast::ModparamItem& item, std::string_view value) {
    std::string_view nodes = trimBlanks(value);
    if (nodes.empty()) return;  // an empty line defines nothing
    if (size_t arrow = nodes.find("=="); arrow != std::string_view::npos) {
      std::string_view set = trimBlanks(nodes.substr(0, arrow));
      nodes = trimBlanks(nodes.substr(arrow + 2));
      if (set.empty() || !isKamailioInt(set, false)) {
        ctx_.report("kamc-bad-modparam-value", *item.value,
                    "rtpengine set id '" + std::string(set) + "' before '==' is not a number (Kamailio refuses to "
                    "start: \"invalid set_id value\")");
        return;
      }
      if (nodes.empty()) {
        ctx_.report("kamc-bad-modparam-value", *item.value,
                    "rtpengine set " + std::string(set) + " has no node after '==' (Kamailio refuses to start: "
                    "\"empty rtp_proxy list\")");
        return;
      }
    }
    std::vector<std::string> ignored;
    while (!nodes.empty()) {
      size_t end = 0;
      while (end < nodes.size() && !isBlank(nodes[end])) ++end;
      std::string_view node = nodes.substr(0, end);
      nodes = trimBlanks(nodes.substr(end));
      std::string_view address = node.substr(0, node.find('='));  // "=N" is the node's weight
      std::string lower(address);
      for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
      std::string_view rest;
      if (lower.starts_with("udp:") || lower.starts_with("unix:")) rest = address.substr(address.find(':') + 1);
      else if (lower.starts_with("udp6:")) rest = address.substr(5);
      else if (lower.starts_with("ws://") || lower.starts_with("wss://")) {
        if (!modules_.loadedAnywhere("lwsc")) ignored.push_back("'" + std::string(node) + "' (websocket needs lwsc)");
        continue;
      } else {
        ignored.push_back("'" + std::string(node) + "' (no udp:, udp6:, unix:, ws:// or wss://)");
        continue;
      }
      // The port follows the first ':' of the address, or "]:" of an IPv6 one.
      size_t colon = lower.starts_with("udp6:") ? rest.find("]:") : rest.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view port = rest.substr(colon + (lower.starts_with("udp6:") ? 2 : 1));
      if (port.empty() || (isKamailioInt(port, false) && std::stoul(std::string(port)) <= 0xffff)) continue;
      ignored.push_back("'" + std::string(node) + "' (port '" + std::string(port) + "')");
    }
    if (ignored.empty()) return;
    ctx_.report("kamc-ineffective-modparam", *item.value,
                "rtpengine skips " + joinWords(ignored, "and") + ": it logs \"Ignore\" and starts without " +
                    (ignored.size() == 1 ? "that node" : "those nodes"));
  }

  // tls keeps its random-number engine when rand_engine names none it knows,
  // without a word.
  void checkTlsRandEngine(const ast::ModparamItem& item, std::string_view value) {
    if (isOneOfIgnoringCase(value, kTlsRandEngines)) return;
    ctx_.report("kamc-ineffective-modparam", *item.value,
                "tls ignores rand_engine '" + std::string(value) + "': it knows " + listWords(kTlsRandEngines, "and") +
                    " (any case), and keeps its default engine otherwise");
  }

  // tls reads its settings only when TLS is on: enable_tls set when tls.so
  // is loaded (its mod_register stays inert otherwise) and still set at the
  // end, and TCP not disabled (no TCP, no TLS).
  bool tlsInitialises(const LoadedModule& tls) const {
    const std::initializer_list<std::string_view> enableTls = {"enable_tls", "tls_enable"};
    return coreSwitch(enableTls, tls.order) == true && coreSwitch(enableTls, ctx_.config.items.size()) == true &&
           coreSwitch({"disable_tcp"}, ctx_.config.items.size()) == false;
  }

  // The tls settings its mod_init and the fix-up of its domains refuse. Only
  // the last line of a plain parameter counts.
  void checkTlsSettings() {
    const LoadedModule* tls = modules_.loadedAnywhere("tls");
    if (!tls || !tlsInitialises(*tls)) return;
    const ast::ModparamItem* method = lastSetting(*tls, "tls_method");
    if (const std::string* name = literalString(method)) checkTlsMethod(*method, *name, !lastSetting(*tls, "config"));
    const ast::ModparamItem* verifyClient = lastSetting(*tls, "verify_client");
    if (const std::string* mode = literalString(verifyClient)) checkTlsVerifyClient(*verifyClient, *mode);
    const ast::ModparamItem* fragment = lastSetting(*tls, "ssl_max_send_fragment");
    if (std::optional<int64_t> bytes = literalNumber(fragment)) checkTlsSendFragment(*fragment, *bytes);
  }

  void checkTlsVerifyClient(const ast::ModparamItem& item, const std::string& mode) {
    if (isOneOfIgnoringCase(mode, kTlsVerifyClientModes)) return;
    ctx_.report("kamc-bad-modparam-value", *item.value,
                "tls verify_client '" + mode + "' is not one of " + listWords(kTlsVerifyClientModes, "or") +
                    " (any case)" + didYouMean(mode, kTlsVerifyClientModes) +
                    "; Kamailio refuses to start (\"Invalid tls_method parameter value\", its message for this "
                    "parameter too)");
  }

  // OpenSSL takes 512 to 16384 bytes; tls skips a negative value (OpenSSL's default).
  void checkTlsSendFragment(const ast::ModparamItem& item, int64_t bytes) {
    if (bytes < 0 || (bytes >= 512 && bytes <= 16384)) return;
    ctx_.report("kamc-bad-modparam-value", *item.value,
                "tls ssl_max_send_fragment " + std::to_string(bytes) + " is outside 512..16384 (or -1 for OpenSSL's "
                "default); Kamailio refuses to start (\"invalid ssl_max_send_fragment value\")");
  }

  // tls_method names, case-insensitive (tls_parse_method). SSLv2 and SSLv3
  // parse, but the OpenSSL that Kamailio 5.6 is built with (1.1 or later)
  // has no method for SSLv2, nor for SSLv3 unless built with it, which
  // OpenSSL's defaults and the distributions' packages are not: creating the
  // default domains' contexts fails. With a tls config file those domains
  // use their own method and the parameter is only parsed.
  void checkTlsMethod(const ast::ModparamItem& item, const std::string& name, bool makesDefaultDomains) {
    if (isOneOfIgnoringCase(name, kTlsMethods)) {
      if (!makesDefaultDomains || !isOneOfIgnoringCase(name, kTlsMethodsWithoutOpenSsl)) return;
      ctx_.report("kamc-bad-modparam-value", *item.value,
                  "tls_method '" + name + "': the OpenSSL Kamailio 5.6 runs with has no " + name +
                      " method; Kamailio refuses to start (\"Cannot create SSL context\"); use TLSv1.2+ or SSLv23 "
                      "(any version)");
      return;
    }
    std::string lower = name;
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    std::string hint = lower.starts_with("tlsv1.3")
                           ? "; Kamailio 5.6 has no TLSv1.3 method: TLSv1.2+ allows TLS 1.3"
                           : didYouMean(name, kTlsMethods);
    ctx_.report("kamc-bad-modparam-value", *item.value,
                "tls_method '" + name + "' is not one of " + listWords(kTlsMethods, "or") + " (any case)" + hint +
                    "; Kamailio refuses to start (\"Invalid tls_method parameter value\")");
  }

  // permissions' mod_init: at least one backend, a db_mode of 0 or 1, and
  // an AVP for peer_tag_avp.
  void checkPermissionsSettings() {
    const LoadedModule* permissions = modules_.loadedAnywhere("permissions");
    if (!permissions) return;
    const ast::ModparamItem* backends = lastSetting(*permissions, "load_backends");
    if (literalNumber(backends) == 0)
      ctx_.report("kamc-bad-modparam-value", *backends->value,
                  "permissions load_backends 0 loads nothing; Kamailio refuses to start (\"failure - no backend to be "
                  "loaded\"): add 1 (address table), 2 (trusted table), 4 (allow file) or 8 (deny file)");
    const ast::ModparamItem* dbMode = lastSetting(*permissions, "db_mode");
    if (std::optional<int64_t> mode = literalNumber(dbMode); mode && *mode != 0 && *mode != 1)
      ctx_.report("kamc-bad-modparam-value", *dbMode->value,
                  "permissions db_mode " + std::to_string(*mode) + " is neither 0 (no cache) nor 1 (cache); Kamailio "
                  "refuses to start (\"invalid db_mode value\")");
    const ast::ModparamItem* tagAvp = lastSetting(*permissions, "peer_tag_avp");
    if (const std::string* spec = literalString(tagAvp); spec && !spec->empty()) checkPeerTagAvp(*tagAvp, *spec);
  }

  // permissions parses peer_tag_avp with pv_parse_spec when it initialises
  // and needs an AVP whose name it can know without a message.
  void checkPeerTagAvp(const ast::ModparamItem& item, const std::string& spec) {
    auto refuse = [&](const std::string& why) {
      ctx_.report("kamc-bad-modparam-value", *item.value,
                  "permissions peer_tag_avp '" + spec + "' " + why +
                      "; Kamailio refuses to start (\"failed to process peer_tag_avp AVP param\")");
    };
    ast::PseudoVariableParse parse = ast::parsePseudoVariable(spec, ast::PvContext::String);
    if (!parse.pv) return refuse("is not a pseudo-variable (" + parse.error + "); write $avp(name)");
    const ast::PseudoVariable& pv = *parse.pv;
    if (pv.className != "avp") return refuse("is not an AVP; write $avp(name)");
    std::string_view name = pv.inner ? std::string_view(*pv.inner) : std::string_view();
    if (name.starts_with("$"))
      return refuse("takes its name from a pseudo-variable, which has no value when permissions initialises; write "
                    "a fixed name");
    if (std::string problem = avpNameProblem(name); !problem.empty()) return refuse(problem);
    const catalog::PseudoVariableInfo* avp = catalog::findPseudoVariable("avp");
    if (avp && !modules_.loadedAnywhere(avp->module) && !modules_.opaqueBefore(ctx_.config.items.size())) {
      Diagnostic& d = ctx_.report("kamc-module-not-loaded", *item.value,
                                  "permissions peer_tag_avp '" + spec + "' needs $avp from module " +
                                      std::string(avp->module) + ", which is not loaded; Kamailio refuses to start "
                                      "(\"error searching pvar\")");
      d.fixes.push_back(loadmoduleFix(modules_, avp->module));
    }
  }

  // Why Kamailio's AVP name parser (km_parse_avp_spec) refuses the name
  // inside $avp(...), or "". "i:12" and "s:name" are typed names; "f.name"
  // and "tu.name" have a track and class. An avp_aliases alias, looked up
  // first, may hold a '.': then the name is not judged.
  std::string avpNameProblem(std::string_view name) const {
    if (name.empty()) return "has no AVP name in $avp()";
    if (name.size() >= 2 && name[1] == ':') {
      std::string_view rest = name.substr(2);
      char type = name[0];
      if (rest.empty()) return "has nothing after '" + std::string(name) + "'";
      if (type == 's' || type == 'S') return "";
      if (type == 'i' || type == 'I')
        return isKamailioInt(rest, false) ? "" : "has an AVP id '" + std::string(rest) + "' that is no number";
      return "has an AVP name type '" + std::string(1, type) + ":', not i: or s:";
    }
    size_t dot = name.find('.');
    if (dot == std::string_view::npos || (name.find(':') == std::string_view::npos && coreParamSet("avp_aliases")))
      return "";
    static const std::string_view kClasses[] = {"f", "t", "g", "fr", "tr", "fu", "tu", "fd", "td"};
    std::string_view prefix = name.substr(0, dot);
    if (std::find(std::begin(kClasses), std::end(kClasses), prefix) == std::end(kClasses))
      return "has an AVP class prefix '" + std::string(prefix) + ".' Kamailio does not know (f, t, g, fr, tr, fu, tu, "
             "fd or td)";
    if (dot + 1 == name.size()) return "has no AVP name after '" + std::string(prefix) + ".'";
    return "";
  }

  // The modparam line that leaves a plain parameter of a loaded module its
  // value: the last one after the loadmodule whose module regex matches.
  const ast::ModparamItem* lastSetting(const LoadedModule& module, std::string_view param) const {
    const ast::ModparamItem* last = nullptr;
    for (size_t order = module.order + 1; order < ctx_.config.items.size(); ++order) {
      const ast::TopItem& top = *ctx_.config.items[order];
      if (top.kind != ast::TopKind::Modparam) continue;
      const auto& item = static_cast<const ast::ModparamItem&>(top);
      if (item.param.value != param || !item.value) continue;
      std::optional<std::regex> re = moduleRegex(item.modules.value);
      if (re && std::regex_match(module.name, *re)) last = &item;
    }
    return last;
  }

  // The literal value of a modparam line; a modparamx value is computed at
  // start-up and not judged.
  static const std::string* literalString(const ast::ModparamItem* item) {
    if (!item || item->extended || item->value->kind != ast::ExprKind::String) return nullptr;
    return &static_cast<const ast::StringExpr&>(*item->value).value;
  }
  static std::optional<int64_t> literalNumber(const ast::ModparamItem* item) {
    if (!item || item->extended || item->value->kind != ast::ExprKind::Number) return std::nullopt;
    return static_cast<const ast::NumberExpr&>(*item->value).value;
  }

  // A core switch (enable_tls, disable_tcp) as the lines before `order`
  // leave it: off by default, nullopt after a value kamc cannot read.
  std::optional<bool> coreSwitch(std::initializer_list<std::string_view> names, size_t order) const {
    std::optional<bool> on = false;
    for (size_t i = 0; i < order && i < ctx_.config.items.size(); ++i) {
      const ast::TopItem& top = *ctx_.config.items[i];
      if (top.kind != ast::TopKind::GlobalParam) continue;
      const auto& p = static_cast<const ast::GlobalParamItem&>(top);
      if (std::find(names.begin(), names.end(), p.name) == names.end()) continue;
      on = std::nullopt;
      if (p.value.size() != 1) continue;
      const ast::ParamAtom& atom = p.value[0];
      if (atom.kind == ast::ParamAtom::Bool)
        on = semantics::cfgWordValue(atom.text) != 0;
      else if (atom.kind == ast::ParamAtom::Number)
        on = std::strtoll(atom.text.c_str(), nullptr, 0) != 0;
    }
    return on;
  }

  bool coreParamSet(std::string_view name) const {
    return std::any_of(ctx_.config.items.begin(), ctx_.config.items.end(), [&](const ast::TopItemPtr& top) {
      return top->kind == ast::TopKind::GlobalParam && static_cast<const ast::GlobalParamItem&>(*top).name == name;
    });
  }

  // A second definition of the same name is refused when Kamailio reads it.
  bool firstNamed(std::string_view what, std::string_view kamailioSays, std::map<std::string, const ast::ModparamItem*>& seen, std::string_view name,
                  const ast::ModparamItem& item) {
    auto [it, fresh] = seen.emplace(std::string(name), &item);
    if (fresh) return true;
    Diagnostic& d = ctx_.report("kamc-bad-modparam-value", *item.value,
                                std::string(what) + " '" + std::string(name) +
                                    "' is defined twice (Kamailio: \"" + std::string(kamailioSays) + "\")");
    d.notes.push_back({it->second->value->loc, "first defined here"});
    return false;
  }

 public:
  void noteHtableDbUrl(const ast::ModparamItem& item, size_t order) {
    std::optional<std::regex> re = moduleRegex(item.modules.value);
    if (!re || item.param.value != "db_url" || !item.value) return;
    if (const LoadedModule* m = modules_.loadedBefore("htable", order); m && std::regex_match(m->name, *re))
      htableDbUrlSet_ = true;
  }

 private:
  const LintContext& ctx_;
  const ModuleSet& modules_;
  std::map<std::string, const ast::ModparamItem*> htables_, sqlConnections_, dialogProfileLists_;
  std::vector<std::pair<const ast::ModparamItem*, std::string>> htableDbTables_;
  bool htableDbUrlSet_ = false;
  bool dialogListsOpaque_ = false;
};

std::span<const ModuleParamValueChecker::ValueGrammar> ModuleParamValueChecker::grammars() {
  static const ValueGrammar kGrammars[] = {
      {"sqlops", "sqlcon", &ModuleParamValueChecker::checkSqlConnection},
      {"htable", "htable", &ModuleParamValueChecker::checkHtableDefinition},
      {"dialog", "profiles_no_value", &ModuleParamValueChecker::rememberDialogProfiles},
      {"dialog", "profiles_with_value", &ModuleParamValueChecker::rememberDialogProfiles},
      {"dispatcher", "ds_ping_reply_codes", &ModuleParamValueChecker::checkPingReplyCodes},
      {"rtpengine", "rtpengine_sock", &ModuleParamValueChecker::checkRtpengineSocket},
      {"tls", "rand_engine", &ModuleParamValueChecker::checkTlsRandEngine},
  };
  return kGrammars;
}

}  // namespace

void checkModuleParamValues(const LintContext& ctx) {
  ModuleSet modules(ctx.config);
  ModuleParamValueChecker checker(ctx, modules);
  for (size_t i = 0; i < ctx.config.items.size(); ++i) {
    if (ctx.config.items[i]->kind != ast::TopKind::Modparam) continue;
    const auto& item = static_cast<const ast::ModparamItem&>(*ctx.config.items[i]);
    checker.noteHtableDbUrl(item, i);
    checker.noteOpaqueDialogLists(item);
    checker.check(item, i);
  }
  checker.finish();
}

}  // namespace kamc::lint
