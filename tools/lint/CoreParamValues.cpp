// Core parameter values as cfg.y reads them. The parser keeps a parameter's
// value as atoms (ast::ParamAtom); this walks them with the grammar of the
// parameter's catalog type. A bare name where a number belongs is most often
// a #!define that is not defined, so the message says so.
#include "CoreParamValues.h"

#include <array>

namespace kamc::lint {
namespace {

using Atom = ast::ParamAtom;

bool oneOf(std::string_view word, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words)
    if (word == w) return true;
  return false;
}

// Kamailio's NUMBER token: digits, and the words its lexer turns into numbers.
bool isNumber(const Atom& a) { return a.kind == Atom::Number || a.kind == Atom::Bool; }

std::string undefinedDefineHint(const Atom& a) {
  return a.kind == Atom::Identifier ? "; is '" + a.text + "' a #!define that is not defined here?" : "";
}

// listen=, alias=: cfg.y's id_lst with advertise, name and virtual
// (phostport, listen_id, host_or_if); the atoms are kamc's tokens of it.
class ListenParser {
 public:
  explicit ListenParser(const std::vector<Atom>& atoms) : a_(atoms) {}

  // The atom where the value stops following the grammar, or null.
  const Atom* firstError(bool allowOptions) {
    if (!phostport()) return failure();
    while (i_ < a_.size() && !keywordAt() && phostport()) {
    }
    if (failed_) return failure();
    if (allowOptions) {
      if (keyword({"advertise", "ADVERTISE"})) {
        if (!listenId()) return failure();
        if (punct(":") && !number()) return expectPort();
      }
      if (keyword({"name", "NAME"}) && !string()) return failure();
      keyword({"virtual"});
    }
    return i_ < a_.size() ? &a_[i_] : nullptr;
  }
  bool portExpected() const { return portExpected_; }

 private:
  // [proto:] listen_id2 [:port]
  bool phostport() {
    if (i_ + 1 < a_.size() && isProto(a_[i_]) && isPunct(a_[i_ + 1], ":")) i_ += 2;
    if (!listenId2()) return fail();
    if (punct(":") && !port()) return expectPort(), false;
    return true;
  }
  bool listenId2() {
    if (!punct("(")) return listenId();
    do {
      if (!listenId()) return false;
    } while (punct(","));
    return punct(")");
  }
  // ip | STRING | host_or_if (an IPv4 address is a host_or_if of numbers)
  bool listenId() {
    if (string() || ipv6()) return true;
    if (!hostId()) return false;
    while (i_ + 1 < a_.size() && (isPunct(a_[i_], ".") || isPunct(a_[i_], "-")) && isHostId(a_[i_ + 1])) i_ += 2;
    return true;
  }
  bool ipv6() {
    if (i_ < a_.size() && isIpv6(a_[i_])) return ++i_, true;
    if (i_ + 2 < a_.size() && isPunct(a_[i_], "[") && isIpv6(a_[i_ + 1]) && isPunct(a_[i_ + 2], "]"))
      return i_ += 3, true;
    return false;
  }
  bool port() { return number() || punct("*"); }
  bool number() { return i_ < a_.size() && isNumber(a_[i_]) ? (++i_, true) : false; }
  bool string() { return i_ < a_.size() && a_[i_].kind == Atom::String ? (++i_, true) : false; }
  bool hostId() { return i_ < a_.size() && isHostId(a_[i_]) ? (++i_, true) : false; }
  bool punct(std::string_view t) { return i_ < a_.size() && isPunct(a_[i_], t) ? (++i_, true) : false; }
  bool keyword(std::initializer_list<std::string_view> words) {
    if (i_ >= a_.size() || a_[i_].kind != Atom::Identifier || !oneOf(a_[i_].text, words)) return false;
    return ++i_, true;
  }
  bool keywordAt() const {
    return i_ < a_.size() && a_[i_].kind == Atom::Identifier &&
           oneOf(a_[i_].text, {"advertise", "ADVERTISE", "name", "NAME", "virtual"});
  }

  static bool isPunct(const Atom& a, std::string_view t) { return a.kind == Atom::Punctuation && a.text == t; }
  static bool isProto(const Atom& a) {
    return isPunct(a, "*") || oneOf(a.text, {"udp", "UDP", "tcp", "TCP", "tls", "TLS", "sctp", "SCTP"});
  }
  static bool isIpv6(const Atom& a) { return a.kind == Atom::Other && a.text.find(':') != std::string::npos; }
  // host_if_id: ID, NUM_ID or NUMBER; the listen keywords and protocols are
  // tokens of their own, not names.
  static bool isHostId(const Atom& a) {
    if (a.kind == Atom::Number || a.kind == Atom::Bool) return true;
    if (a.kind == Atom::Other) return !a.text.empty() && a.text[0] >= '0' && a.text[0] <= '9' && !isIpv6(a);
    return a.kind == Atom::Identifier && !isProto(a) &&
           !oneOf(a.text, {"advertise", "ADVERTISE", "name", "NAME", "virtual", "ws", "WS", "wss", "WSS"});
  }

  bool fail() { return failed_ = true, false; }
  const Atom* failure() {
    failed_ = true;
    return i_ < a_.size() ? &a_[i_] : (a_.empty() ? nullptr : &a_.back());
  }
  const Atom* expectPort() {
    portExpected_ = true;
    failed_ = true;
    return i_ < a_.size() ? &a_[i_] : &a_.back();
  }

  const std::vector<Atom>& a_;
  size_t i_ = 0;
  bool failed_ = false;
  bool portExpected_ = false;
};

void checkListen(const LintContext& ctx, const ast::GlobalParamItem& p, bool allowOptions) {
  ListenParser parser(p.value);
  const Atom* at = parser.firstError(allowOptions);
  if (!at) return;
  if (parser.portExpected()) {
    ctx.report("kamc-syntax", *at,
               "'" + at->text + "' is not a port number in " + p.name + "=" + p.valueText +
                   " (Kamailio: syntax error)" + undefinedDefineHint(*at));
    return;
  }
  ctx.report("kamc-syntax", *at,
             "unexpected '" + at->text + "' in " + p.name + "=" + p.valueText + ": " + p.name +
                 " takes [proto:]address[:port] entries" +
                 (allowOptions ? ", then advertise address[:port], name \"...\" and virtual" : "") +
                 " (Kamailio: syntax error)" + undefinedDefineHint(*at));
}

}  // namespace

void checkCoreParamValue(const LintContext& ctx, const ast::GlobalParamItem& p, const catalog::CoreParamInfo& info) {
  using catalog::CoreValueType;
  const std::vector<Atom>& v = p.value;
  if (v.empty()) return;  // the grammar already refused it
  auto refuse = [&](const Atom& at, const std::string& wants, const char* kamailioSays) {
    ctx.report("kamc-syntax", at,
               p.name + " takes " + wants + ", not '" + p.valueText + "' (Kamailio: \"" + kamailioSays + "\")" +
                   undefinedDefineHint(at));
  };
  switch (info.type) {
    case CoreValueType::Int:
    case CoreValueType::Bool:
      if (v.size() != 1 || !isNumber(v[0]))
        refuse(v[0], info.type == CoreValueType::Bool ? "a number or yes/no" : "a number (no sign)",
               info.type == CoreValueType::Bool ? "boolean value expected" : "number expected");
      return;
    case CoreValueType::SignedInt: {
      size_t first = v[0].kind == Atom::Punctuation && v[0].text == "-" ? 1 : 0;
      if (v.size() != first + 1 || !isNumber(v[first])) refuse(v[first < v.size() ? first : 0], "a number", "number expected");
      return;
    }
    case CoreValueType::String:
      if (v.size() != 1 || v[0].kind != Atom::String) refuse(v[0], "a quoted string", "string value expected");
      return;
    case CoreValueType::StringOrName:
      if (v.size() != 1 || (v[0].kind != Atom::String && v[0].kind != Atom::Identifier))
        refuse(v[0], "a quoted string or a name", "string value expected");
      return;
    case CoreValueType::Listen:
    case CoreValueType::HostList:
      return checkListen(ctx, p, info.type == CoreValueType::Listen);
    case CoreValueType::Ip:
    case CoreValueType::Special:
      return;
  }
}

}  // namespace kamc::lint
