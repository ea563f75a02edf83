// Pseudo-variables ($ru, $hdr(Name), $var(x), ...) and format strings that embed them.
// Names are resolved once, at load time, into a PvSpec; reading one per message is a
// switch on its id.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kamc/sip/header_kind.h"

namespace kamc::runtime {

class MessageContext;

struct PvExport;  // module.h: a class some module registers ($ru, $hdr, $T_reply_code)
struct TransformChain;  // transformations.h

// The name of $xavp(root[i]=>key[j]): the i-th item called root (newest first, negative
// from the oldest, "[*]" all), and in its list the j-th child called key.
struct XavpPath {
  std::string root;
  std::optional<long long> root_index;
  bool root_all = false;
  bool has_key = false;
  std::string key;
  std::optional<long long> key_index;
  bool key_all = false;
};

// One pseudo-variable as the config wrote it, resolved at load time.
struct PvSpec {
  const PvExport* pv = nullptr;                       // its class: getter, setter
  std::string name;                                   // as written, for messages
  std::string argument;                               // $hdr/$var argument
  sip::HeaderKind header_kind = sip::HeaderKind::Other;  // $hdr: the known kind, if any
  int var_slot = -1;                                  // $var: index into the per-worker table
  int name_code = 0;                                  // a name a class's fixup resolved ($TV(sn))
  // "$(avp(x)[1])", "$(hdr(Via)[-1])", "$(avp(x)[*])": 0 is the first (newest AVP).
  bool has_index = false;
  bool index_all = false;
  long long index = 0;
  // "$(rU{s.tolower}{s.len})": applied to every value read.
  std::shared_ptr<const TransformChain> transforms;
  // $T_req(pv), $T_rpl(pv): the argument parsed as a pseudo-variable by tmx's fixup.
  std::shared_ptr<const PvSpec> inner;
  std::shared_ptr<const XavpPath> xavp;
};

// Kamailio's pv value: a string, an integer, both, or null.
struct PvValue {
  static constexpr int kNull = 0;
  static constexpr int kString = 1;
  static constexpr int kInt = 2;
  int flags = kNull;
  long long number = 0;
  std::string_view text;

  bool is_null() const { return flags == kNull; }
  static PvValue null() { return {}; }
  static PvValue string(std::string_view text) { return {kString, 0, text}; }
  static PvValue integer(long long number, std::string_view text) { return {kString | kInt, number, text}; }
};

// Assigns $var(name) slots; one table per Runtime.
class VarSlots {
 public:
  int slot_for(std::string_view name);
  std::size_t size() const { return names_.size(); }

 private:
  std::vector<std::string> names_;
};

// "$ru", "$(ru)", "$hdr(Via)", "$var(x)", "$(ru{uri.user})", "$(avp(x)[*])". nullopt and a message for unknown names.
std::optional<PvSpec> parse_pv(std::string_view text, VarSlots& vars, std::string& error);

PvValue get_pv(MessageContext& context, const PvSpec& spec);
// $ru = uri / $rU = user: the new R-URI of the message; false (logged) when it is not a URI.
bool set_request_uri(MessageContext& context, std::string uri);
bool set_request_user(MessageContext& context, std::string_view user);
// false (and a log line) when the variable is read-only or the value is unusable.
bool set_pv(MessageContext& context, const PvSpec& spec, const PvValue& value);

// A string with pseudo-variables: "from $fu to $ru". "$" not followed by a name is literal.
class Format {
 public:
  static std::optional<Format> parse(std::string_view text, VarSlots& vars, std::string& error);
  bool is_constant() const { return parts_.size() <= 1 && (parts_.empty() || !parts_[0].pv); }
  std::string_view constant_text() const { return parts_.empty() ? std::string_view{} : parts_[0].literal; }
  // Null values print as "<null>", as in xlog.
  std::string render(MessageContext& context) const;

 private:
  struct Part {
    std::string literal;
    std::optional<PvSpec> pv;
  };
  std::vector<Part> parts_;
};

}  // namespace kamc::runtime
