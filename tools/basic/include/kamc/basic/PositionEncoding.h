// Columns in the code units an editor counts: LSP 3.17 clients negotiate
// UTF-16 (the default) or UTF-8. kamc's own columns are bytes (as Kamailio
// counts them); these convert one line's columns back and forth.
#pragma once

#include <cstdint>
#include <string_view>

namespace kamc {

enum class PositionEncoding { Utf8, Utf16 };

// The number of code units before byte `byteColumn` (0-based) of a line.
// A byte column inside a multi-byte character counts up to that character.
uint32_t codeUnitsBefore(std::string_view line, uint32_t byteColumn, PositionEncoding enc);
// The byte column of a 0-based code-unit column, clamped to the line's end
// (LSP: a character past the end means the end of the line); a column inside
// a UTF-16 surrogate pair or UTF-8 sequence is the start of its character.
uint32_t byteColumnOf(std::string_view line, uint32_t units, PositionEncoding enc);

}  // namespace kamc
