// The parts of a pseudo-variable as written: $rU, $var(x), $hdr(Via)[1],
// $(avp(s:x)[*]{s.len}), $xavp(a=>b), and the pseudo-variables inside format
// strings such as xlog's. Names are kept as text; the catalog judges them. One
// parser for the front end (cfgcheck, codegen) and the runtime's fixups, so that a
// name means the same in both.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kamc::semantics {

// {s.substr,1,2}: class "s", name "substr", paramText "1,2".
struct Transformation {
  std::string className;
  std::string name;  // as Kamailio reads it: up to the first ',' or '}', trimmed
  // Everything after the ',' that ends the name, as written. Each
  // transformation reads it with its own grammar ({s.select,1,,} has the
  // parameters 1 and ','): lint::readTransformationParams, from the catalog.
  std::optional<std::string> paramText;
  // paramText split at commas outside brackets: the parameters of most
  // transformations, not of those whose grammar lets a parameter hold ','.
  std::vector<std::string> params;
  std::string text;  // with the braces
};

struct PseudoVariable {
  std::string text;       // the exact spelling, $ included
  std::string className;  // "rU", "var", "hdr", "avp"...; "?" for $?
  std::optional<std::string> inner;  // inside ( ): "x" of $var(x)
  std::optional<std::string> index;  // inside [ ]: "1", "*", "-1", "$var(i)"
  std::vector<Transformation> transformations;
  bool parenthesized = false;  // the $( ... ) form
  // SER-style AVP spellings in the script ($f.name, %name): className is
  // "avp" and inner holds the rest, as Kamailio reads them.
  bool serAvp = false;
};

// The result of parsing: a variable, or why it is malformed.
struct PseudoVariableParse {
  std::optional<PseudoVariable> pv;
  std::string error;     // set when pv is empty
  size_t length = 0;     // bytes of input the variable spans
};

// Where the text comes from. Kamailio reads a pseudo-variable in the script
// with its lexer: a plain name is letters, digits and '_' ($err.class is
// $err and then a '.'), and $f.name, $tu.name and %name are AVPs in SER's
// spelling. Inside a string (a format string, a pseudo-variable argument) and
// inside $( ) it is read by pv_parse_spec, whose names also take '.' and '?':
// "$err.class" is one name, and so is "$ru." (which no module exports).
enum class PvContext { Script, String };

// Parses one pseudo-variable at the start of text (text[0] is '$', or '%'
// in the script).
PseudoVariableParse parsePseudoVariable(std::string_view text, PvContext context = PvContext::Script);

// A format string (xlog, append_hf...): literal runs and pseudo-variables,
// read as PvContext::String. "$$" is an escaped '$'; a '$' that starts no
// variable stays literal.
struct FormatPart {
  bool isVariable = false;
  std::string literal;             // when !isVariable
  std::optional<PseudoVariable> pv;  // when isVariable
  size_t offset = 0;               // within the format text
};
struct FormatParse {
  std::vector<FormatPart> parts;
  std::vector<std::pair<size_t, std::string>> errors;  // offset, message
};
FormatParse parseFormat(std::string_view text);

}  // namespace kamc::semantics
