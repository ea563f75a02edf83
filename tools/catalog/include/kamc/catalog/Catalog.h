// The module catalog: what Kamailio 5.6.3 and its modules export to the
// config language (functions, modparams, pseudo-variables, transformations,
// core parameters and keywords). cfgcheck, codegen, the language server and
// the runtime all read it. Tables are generated at build time from
// tools/catalog/data/*.cat (format: docs/catalog.md) and are constant data:
// no parsing and no allocation at start-up.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <string_view>

namespace kamc::catalog {

using RouteMask = std::uint32_t;

// Route block types with Kamailio's bit values (src/core/route.h), so masks
// copied from cmd_export_t compare as Kamailio compares them.
enum RouteType : RouteMask {
  RequestRoute = 1u << 0,
  FailureRoute = 1u << 1,
  TmOnReplyRoute = 1u << 2,  // onreply_route[name], armed by t_on_reply
  BranchRoute = 1u << 3,
  OnSendRoute = 1u << 4,
  ErrorRoute = 1u << 5,
  LocalRoute = 1u << 6,
  CoreOnReplyRoute = 1u << 7,  // the unnamed onreply_route
  BranchFailureRoute = 1u << 8,
  OnEventRoute = 1u << 9,
  OnReplyRoute = TmOnReplyRoute | CoreOnReplyRoute,
  EventRoute = RequestRoute | OnEventRoute,  // what event_route blocks check
  AnyRoute = 0xFFFFFFFFu,
};

// Kamailio's rule (sr_cmd_flags_match): every bit of the block type must be
// in the mask, except that event_route accepts any function with a bit of
// EventRoute (so request_route functions are usable in event routes).
constexpr bool routeAllows(RouteMask functionMask, RouteType block) {
  if ((functionMask & block) == static_cast<RouteMask>(block)) return true;
  return block == EventRoute && (functionMask & EventRoute) != 0;
}
// "REQUEST_ROUTE", ... for one bit or a named combination; "" otherwise.
std::string_view routeTypeName(RouteType t);

enum class ArgKind : std::uint8_t {
  String,  // static string, no pseudo-variables
  Spv,     // string that may contain pseudo-variables (a format)
  Int,     // integer, or a pseudo-variable giving one
  Pvar,    // a pseudo-variable to write to (or read as a whole)
  Route,   // a route block name
  Regex,   // a regular expression, or a sed-like /re/repl/flags substitution
  Any,     // not classified: anything the module's fixup accepts
};
std::string_view argKindName(ArgKind k);

inline constexpr std::size_t kMaxFunctionArgs = 6;  // Kamailio: MAX_ACTIONS - 2

// One row of a module's cmd_export_t: one name at one arity (or a range for
// Kamailio's VAR_PARAM_NO). A name exported at several arities has several
// rows, each with its own kinds and route mask, as in Kamailio.
struct FunctionInfo {
  std::string_view module;  // "core" for statements of the cfg grammar
  std::string_view name;
  std::uint8_t minArgs;
  std::uint8_t maxArgs;
  std::array<ArgKind, kMaxFunctionArgs> argKinds;  // first maxArgs are valid
  RouteMask routeMask;   // 0: not callable from the script (API binding)
  bool nativeInRuntime;  // implemented by kamc's runtime (tests/runtime/catalog_consistency_test.cpp)
  std::string_view aliasOf;  // core only: canonical spelling, or ""
  std::string_view doc;
  bool bareAllowed = false;       // core only: may be written without "()" (revert_uri;)
  bool runsShellCommand = false;  // its first argument is run by a shell (exec_msg)
  bool namesDialogProfile = false;  // its first argument names a dialog profile (set_dlg_profile)

  constexpr bool acceptsArgCount(std::size_t n) const { return n >= minArgs && n <= maxArgs; }
  constexpr bool allowedIn(RouteType block) const { return routeAllows(routeMask, block); }
  constexpr std::span<const ArgKind> kinds() const {
    return std::span<const ArgKind>(argKinds).first(maxArgs);
  }
};

// modparam value types: Kamailio refuses an int for a str param and back.
enum class ParamType : std::uint8_t { Int = 1, Str = 2, IntOrStr = 3 };
constexpr bool paramAccepts(ParamType declared, ParamType given) {
  return (static_cast<unsigned>(declared) & static_cast<unsigned>(given)) != 0;
}

struct ParamInfo {
  std::string_view module;
  std::string_view name;
  ParamType type;
  // Set through a module function (USE_FUNC_PARAM): each modparam line is
  // handed to the module, so the parameter can usefully be given several
  // times (e.g. htable's "htable"). Plain parameters keep the last value.
  bool repeatable;
  std::string_view doc;
  // The value is a database URL (srdb1, scheme://[user[:password]@]host[:port]/database):
  // at start-up the module binds the driver module db_<scheme> whenever the
  // parameter is set, or, when dbUrlSwitch names an int parameter of the
  // module (usrloc's db_mode), only when that one is set to non-zero.
  bool dbUrl = false;
  std::string_view dbUrlSwitch;
  // The value the module uses when no modparam sets it, as a cfg literal
  // (30000, "Server Internal Error"); empty when Kamailio's docs and the
  // module's compiled-in value do not agree on one (or it is "not set").
  std::string_view defaultValue;
};

enum class PvAssign : std::uint8_t { None, String, Int, Any };

struct PseudoVariableInfo {
  std::string_view module;  // "core" or the module that registers it
  std::string_view name;    // class name without '$': "ru", "hdr", "T_branch_idx"
  bool takesName;           // $name(inner)
  bool takesIndex;          // $name[index] / $(name(inner)[index])
  PvAssign assign;          // None: read-only
  std::string_view doc;
  // The value comes from the received SIP message, so a sender controls it
  // ($rU, $hdr(name), $ua...): untrusted input for exec and the like.
  bool fromMessage = false;

  constexpr bool writable() const { return assign != PvAssign::None; }
};

// How a transformation reads one parameter (pv_trans.c and the modules'
// tr_parse_* functions); each kind may also be a pseudo-variable, except Char.
enum class TrParamKind : std::uint8_t {
  Int,           // a number: optional sign, digits (_tr_parse_nparam)
  Count,         // the same, and a negative constant is refused ({s.substr,1,-2})
  Str,           // text up to ',', '}', tab or newline; may be empty (_tr_parse_sparam)
  Text,          // the same, and a ',' that ends it belongs to it ({s.before,,} is ",")
  Char,          // one character, ',' and ' ' included, or \\ \n \r \t ({s.select,1,,})
  Separator,     // exactly one character that would end a Str ({param.value,name,;})
  AnySeparator,  // exactly one character, ',' included ({param.count,,})
  Subst,         // everything up to the matching '}', commas included ({re.subst,/a,b/c/})
};
inline constexpr std::size_t kMaxTransformationParams = 4;

struct TransformationInfo {
  std::string_view module;
  std::string_view className;  // "s" in {s.len}
  std::string_view name;       // "len", "encode.hexa"
  std::uint8_t minParams;
  std::uint8_t maxParams;
  std::array<TrParamKind, kMaxTransformationParams> paramKinds;
  std::string_view doc;
};

struct ModuleInfo {
  std::string_view name;  // as in loadmodule "name.so"; "core" for the core
  std::string_view doc;
  std::span<const FunctionInfo> functions;
  std::span<const ParamInfo> params;
  std::span<const PseudoVariableInfo> pseudoVariables;
  std::span<const TransformationInfo> transformations;

  constexpr bool isCore() const { return name == "core"; }
};

// The value a core parameter takes in cfg.y's assign_stm. A number is
// Kamailio's NUMBER token, which yes/no/on/off/... and INET/INET6 also are.
enum class CoreValueType : std::uint8_t {
  Int,          // a number (NUMBER); "-1" is a syntax error
  SignedInt,    // a number, or '-' and a number (intno: debug=-1)
  Bool,         // a number, or yes/no/on/off/true/false/enable/disable: the same token
  String,       // a quoted string
  StringOrName, // a quoted string or a bare name (user=kamailio)
  Listen,       // [proto:]addr[:port] list, then advertise addr[:port], name "x", virtual
  HostList,     // alias: the same list without the options
  Ip,           // an IP address or host name
  Special,      // own syntax, see the doc (log_facility, tls_method, ...)
};

// A core global parameter: "name = value" at the top of the config.
struct CoreParamInfo {
  std::string_view name;
  CoreValueType type;
  std::string_view aliasOf;  // canonical name when this is another spelling
  std::string_view doc;
  // The value Kamailio uses when the cfg does not set it, as a cfg literal
  // (8, "yes"); empty when not stated. An alias has its canonical name's.
  std::string_view defaultValue;
};

enum class KeywordType : std::uint8_t { Str, Int, Ip, Proto, Special };

// A core keyword used as an operand in conditions (method, src_ip, ...).
struct CoreKeywordInfo {
  std::string_view name;
  KeywordType type;
  bool onSendOnly;
  std::string_view aliasOf;
  std::string_view doc;
  // A bare name after ==, != or =~ is a value, not a function call: a string
  // for method (method == INVITE), a host name for the ip keywords
  // (src_ip == localhost, src_ip == my-host.example.com).
  bool takesBareWord = false;
};

// A module name configs still load but Kamailio 5.6 does not have (removed
// or renamed): it refuses to start. removed-modules.cat.
inline constexpr std::size_t kMaxReplacements = 2;
struct RemovedModuleInfo {
  std::string_view name;
  std::array<std::string_view, kMaxReplacements> replacementSlots;
  std::uint8_t replacementCount;
  std::string_view doc;  // what happened to it

  constexpr std::span<const std::string_view> replacements() const {
    return std::span<const std::string_view>(replacementSlots).first(replacementCount);
  }
};

// Iterates catalog rows through an index table (rows sorted by name).
template <class T>
class IndexedRange {
 public:
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;
    constexpr iterator() = default;
    constexpr iterator(const T* table, const std::uint16_t* at) : table_(table), at_(at) {}
    constexpr reference operator*() const { return table_[*at_]; }
    constexpr pointer operator->() const { return &table_[*at_]; }
    constexpr iterator& operator++() { ++at_; return *this; }
    constexpr iterator operator++(int) { iterator old = *this; ++at_; return old; }
    constexpr bool operator==(const iterator& o) const { return at_ == o.at_; }
   private:
    const T* table_ = nullptr;
    const std::uint16_t* at_ = nullptr;
  };
  constexpr IndexedRange(const T* table, std::span<const std::uint16_t> idx)
      : table_(table), idx_(idx) {}
  constexpr iterator begin() const { return iterator(table_, idx_.data()); }
  constexpr iterator end() const { return iterator(table_, idx_.data() + idx_.size()); }
  constexpr std::size_t size() const { return idx_.size(); }
  constexpr bool empty() const { return idx_.empty(); }
  constexpr const T& operator[](std::size_t i) const { return table_[idx_[i]]; }
 private:
  const T* table_;
  std::span<const std::uint16_t> idx_;
};

// Every module, core first, then by name.
std::span<const ModuleInfo> allModules();
std::span<const FunctionInfo> allFunctions();
std::span<const PseudoVariableInfo> allPseudoVariables();
std::span<const TransformationInfo> allTransformations();
std::span<const CoreParamInfo> allCoreParams();    // sorted by name
std::span<const CoreKeywordInfo> allCoreKeywords();  // sorted by name

// nullptr when unknown. "core" names the core pseudo-module.
const ModuleInfo* findModule(std::string_view name);

// Every row with this name, from every module (core included), every arity.
IndexedRange<FunctionInfo> functionsNamed(std::string_view name);
// The row of `module` exporting `name` for `argCount` arguments, or nullptr.
const FunctionInfo* findFunction(std::string_view module, std::string_view name,
                                 std::size_t argCount);
const ParamInfo* findParam(std::string_view module, std::string_view name);

// Class name with or without '$': "ru", "$ru", "hdr". More than one module
// may register a name (Kamailio refuses to load both); the first is returned.
const PseudoVariableInfo* findPseudoVariable(std::string_view className);
IndexedRange<PseudoVariableInfo> pseudoVariablesNamed(std::string_view className);

const TransformationInfo* findTransformation(std::string_view className, std::string_view name);
bool isTransformationClass(std::string_view className);

const CoreParamInfo* findCoreParam(std::string_view name);
const CoreKeywordInfo* findCoreKeyword(std::string_view name);
const RemovedModuleInfo* findRemovedModule(std::string_view name);

}  // namespace kamc::catalog
