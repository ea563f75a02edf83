// MD5 (RFC 1321) as lowercase hex, for the {s.md5} transformation. Not for security:
// Kamailio uses it for hashes in config scripts, and so does kamc.
#pragma once

#include <string>
#include <string_view>

namespace kamc::runtime {

std::string md5_hex(std::string_view data);

}  // namespace kamc::runtime
