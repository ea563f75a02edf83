// Copies a load-time error message into the caller's buffer of an ABI fixup call.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string_view>

namespace kamc::runtime {

inline void write_abi_error(char* out, std::size_t size, std::string_view message) {
  if (!out || size == 0) return;
  std::size_t length = std::min(size - 1, message.size());
  std::memcpy(out, message.data(), length);
  out[length] = '\0';
}

}  // namespace kamc::runtime
