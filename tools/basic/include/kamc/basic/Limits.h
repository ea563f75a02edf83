// The front end's explicit limits on hostile input (docs/cfgcheck.md,
// "Limits"). Each one is reported as an error with a location, never a crash.
#pragma once

#include <cstddef>

namespace kamc::limits {

// Nested expressions and statements: parentheses, unary operators, the terms
// of a binary chain (a + b + c nests like (a + b) + c), calls in arguments,
// if/else-if/while bodies. Every recursive pass (parser, AST builder, lint,
// codegen, printers) stays within the default 8 MB stack below it.
inline constexpr size_t kMaxNesting = 1000;

// One config file, the main one (which may be a pipe) or an included one, in bytes.
inline constexpr size_t kMaxIncludeBytes = 16u << 20;
// All included files together (the same file may be included many times).
inline constexpr size_t kMaxIncludedBytesTotal = 32u << 20;

// Files opened by include_file / import_file in all. An empty file costs no bytes
// but a source-map entry each (about 4 KB): 100,000 of them took 430 MB.
inline constexpr size_t kMaxIncludes = 10000;

// What #!define macros may expand to in one line of the parse path's text.
inline constexpr size_t kMaxExpansionBytes = 16u << 20;

// Names in the parsed text: identifiers (routes, functions, parameters, flags),
// pseudo-variables with their brackets, selects, numbers. Kamailio sets no limit;
// no real config comes near, and every per-name step (lookups, suggestions,
// echoed messages) stays cheap below it.
inline constexpr size_t kMaxNameLength = 1024;
// A string literal in the parsed text, quotes included: a long xlog format or an
// SDP body written in the config stays far below.
inline constexpr size_t kMaxStringLength = 1u << 20;

// Identifiers longer than this get no did-you-mean suggestion.
inline constexpr size_t kMaxSuggestLength = 128;

// Columns of a source line echoed under a diagnostic, around the caret.
inline constexpr size_t kMaxEchoColumns = 200;
// Bytes of a diagnostic's message in text output (SARIF and JSON keep it whole).
inline constexpr size_t kMaxEchoMessage = 1000;

}  // namespace kamc::limits
