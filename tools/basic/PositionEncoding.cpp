// UTF-8 walking by lead byte; malformed bytes count as one unit each, as
// editors show them as one replacement character.
#include "kamc/basic/PositionEncoding.h"

namespace kamc {
namespace {

// Bytes of the character starting at line[i] (1 for malformed input).
uint32_t charBytes(std::string_view line, uint32_t i) {
  unsigned char c = static_cast<unsigned char>(line[i]);
  uint32_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  if (i + n > line.size()) return 1;
  for (uint32_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(line[i + k]) & 0xC0) != 0x80) return 1;
  return n;
}

uint32_t unitsOf(uint32_t bytes, PositionEncoding enc) {
  if (enc == PositionEncoding::Utf8) return bytes;
  return bytes == 4 ? 2 : 1;  // astral characters are a surrogate pair
}

}  // namespace

uint32_t codeUnitsBefore(std::string_view line, uint32_t byteColumn, PositionEncoding enc) {
  if (enc == PositionEncoding::Utf8) return byteColumn < line.size() ? byteColumn : uint32_t(line.size());
  uint32_t units = 0;
  for (uint32_t i = 0; i < line.size() && i < byteColumn;) {
    uint32_t n = charBytes(line, i);
    units += unitsOf(n, enc);
    i += n;
  }
  return units;
}

uint32_t byteColumnOf(std::string_view line, uint32_t units, PositionEncoding enc) {
  uint32_t i = 0, seen = 0;
  while (i < line.size()) {
    uint32_t n = charBytes(line, i);
    uint32_t u = unitsOf(n, enc);
    if (seen + u > units) break;
    seen += u;
    i += n;
  }
  return i;
}

}  // namespace kamc
