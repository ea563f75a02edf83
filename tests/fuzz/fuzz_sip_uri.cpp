// libFuzzer target for the SIP value parsers a route reaches through pseudo-variables
// and module functions: URIs, name-addr values and lists, Via values.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "kamc/sip/name_addr.h"
#include "kamc/sip/uri.h"
#include "kamc/sip/via.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  kamc::sip::Uri uri;
  (void)kamc::sip::parse_uri(text, uri);
  kamc::sip::NameAddr address;
  (void)kamc::sip::parse_name_addr(text, address);
  std::vector<kamc::sip::NameAddr> addresses;
  (void)kamc::sip::parse_name_addr_list(text, addresses);
  std::vector<kamc::sip::Via> vias;
  (void)kamc::sip::parse_via_header(text, vias);
  return 0;
}
