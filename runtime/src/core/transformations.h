// Kamailio transformations ($(pv{s.len}), $(ru{uri.user}), ...): parsed once at load time
// into a chain of steps; applied to a pseudo-variable's value per message.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kamc/runtime/pseudo_variables.h"

namespace kamc::runtime {

class MessageContext;

enum class TransformKind : std::uint8_t {
  // s.*
  Len, Int, Substr, Select, EncodeHexa, DecodeHexa, ToLower, ToUpper, Strip, StripTail, Trim, RTrim, LTrim,
  Remove, Replace, Numeric, Prefixes, Md5, EscapeCommon, UnescapeCommon, Before, After, RBefore, RAfter, Count,
  RemoveWhitespace, StripTo, Unbracket, Unquote, PrefixesQuoted, CoreHash, EncodeBase58, DecodeBase58, EncodeBase64, DecodeBase64,
  EncodeBase64Trimmed, DecodeBase64Trimmed, EncodeBase64Url, DecodeBase64Url, EncodeBase64UrlTrimmed,
  DecodeBase64UrlTrimmed, Encode7Bit, Decode7Bit, EscapeUser, UnescapeUser, EscapeParam, UnescapeParam, EscapeCsv,
  UrlEncodeParam, UrlDecodeParam, FormatLinesSpaces, FormatLinesTabs, TimeFormat, Sha256, Sha384,
  Sha512,  // the last s.*
  // uri.*
  UriUser, UriHost, UriPort, UriParams, UriParam, UriHeaders, UriTransport, UriPassword, UriDestination, UriAor,
  UriSimple, UriTtl, UriUserParam, UriMaddr, UriMethod, UriLr, UriR2, UriToSocket,
  UriScheme,  // the last uri.*
  // param.*
  ParamValue, ParamValueAt, ParamName, ParamCount, ParamExist,
  // nameaddr.*
  NameAddrName, NameAddrUri, NameAddrLen,
  // re.* (textops)
  ReSubst,
};

struct SubstExpression;  // subst_expression.h

// The grammar of a transformation's parameters, what follows its name after ','.
// Char: a text whose first character is used, which may itself be ',' ({s.count,,}).
enum class TransformParams : std::uint8_t {
  None, Int, IntOptional, IntInt, IntSep, Text, TextText, TextOptSep, Sep, Subst, Char
};

struct Transformation;
using TransformApply = PvValue (*)(MessageContext& context, const Transformation& step, const PvValue& value);

struct Transformation {
  TransformKind kind = TransformKind::Len;
  TransformApply apply = nullptr;  // the registering module's implementation
  std::string text1;  // substring, parameter name, separator, ...
  std::string text2;
  char separator = ';';
  long long n1 = 0;
  long long n2 = 0;
  bool has_param = false;  // an optional parameter was given (s.corehash)
  std::shared_ptr<const SubstExpression> subst;  // re.subst
};

struct TransformChain {
  std::vector<Transformation> steps;
};

// The classes the pv module implements (s.*, uri.*, param.*, nameaddr.*) and textops'
// re.subst, for their export records (module.h).
PvValue apply_string(MessageContext& context, const Transformation& step, const PvValue& value);
PvValue apply_uri(MessageContext& context, const Transformation& step, const PvValue& value);
PvValue apply_param(MessageContext& context, const Transformation& step, const PvValue& value);
PvValue apply_nameaddr(MessageContext& context, const Transformation& step, const PvValue& value);
PvValue apply_re(MessageContext& context, const Transformation& step, const PvValue& value);

// Kamailio's unescape_user(): each %xx must be two hex digits naming a printable
// character; nullopt otherwise ({s.unescape.user}, path's received=).
std::optional<std::string> unescape_user(std::string_view text);

// "{s.len}{uri.user}": every step, or nullptr and a message naming the bad one. `vars`
// takes the $var(...) a {re.subst} replacement refers to.
std::shared_ptr<const TransformChain> parse_transformations(std::string_view text, VarSlots& vars,
                                                            std::string& error);

// Null in, or a step that cannot be applied (no such index, not a URI): null out.
PvValue apply_transformations(MessageContext& context, const TransformChain& chain, PvValue value);

}  // namespace kamc::runtime
