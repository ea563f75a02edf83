// SHA-256, SHA-384 and SHA-512 (FIPS 180-4) as lowercase hex, for the {s.sha256},
// {s.sha384} and {s.sha512} transformations.
#pragma once

#include <string>
#include <string_view>

namespace kamc::runtime {

std::string sha256_hex(std::string_view data);
std::string sha384_hex(std::string_view data);
std::string sha512_hex(std::string_view data);

}  // namespace kamc::runtime
