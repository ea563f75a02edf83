// Kamailio 5.6's conversions, shared by the front end (constant folding, literals) and
// the runtime (rvalues, transformations), so that a config means one thing in both.
// Each rule names the Kamailio function it follows; tests/codegen/conversions.cfg
// checks them against the real kamailio.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kamc::semantics {

// str2sint (ut.h): at most one leading '+' or '-', then only decimal digits, within a
// 32-bit int. "-" alone is 0. Anything else (a blank, a letter, overflow) fails. It is
// what {s.int} uses.
std::optional<std::int32_t> decimalToInt(std::string_view text);

// An rvalue string used as an integer (rvalue.c, rval_get_int): "" is 0; then
// decimalToInt; then, for more than two characters starting 0x/0X, hexadecimal with
// only the low 32 bits kept (hexstr2int has no overflow check); anything else is 0.
std::int32_t stringToInt(std::string_view text);

// A NUMBER token of the cfg (cfg.lex): decimal (atoi: the value modulo 2^32 as an int),
// 0x hexadecimal, 0-prefixed octal, or binary with a trailing 'b'. nullopt when the
// text is none of these.
std::optional<std::int32_t> numberLiteral(std::string_view text);

// The words cfg.lex turns into numbers: yes/true/on/enable 1 (no/false/off/disable
// 0), and the address families as Linux numbers them (inet/ipv4 2, inet6/ipv6 10).
std::int32_t cfgWordValue(std::string_view word);

// The value of a double-quoted string's body (cfg.lex, STRING1): \n \r \a \t \" \\,
// \x with one or two hex digits, a backslash and two or three octal digits; an escaped
// newline is dropped and any other backslash stays. The lexer builds a C string, so
// the value ends at the first NUL ("a\000b" is "a").
std::string decodeDoubleQuoted(std::string_view body);

}  // namespace kamc::semantics
