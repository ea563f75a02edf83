// libFuzzer target for the SIP message parser. The first byte of the input picks the
// framing (datagram or stream) and which lazy accessors run after the parse, so that
// the fuzzer also reaches the header parsers a route would call on demand.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "kamc/sip/message.h"
#include "kamc/sip/well_formed.h"

namespace {

void readHeaders(const kamc::sip::SipMessage& message, uint8_t choice) {
  using kamc::sip::HeaderKind;
  kamc::sip::Uri uri;
  std::vector<kamc::sip::Via> vias;
  kamc::sip::NameAddr address;
  std::vector<kamc::sip::NameAddr> addresses;
  kamc::sip::CSeq cseq;
  std::uint32_t number = 0;
  if (choice & 0x02) (void)message.request_uri(uri);
  if (choice & 0x04) (void)message.vias(vias);
  if (choice & 0x08) {
    (void)message.from(address);
    (void)message.to(address);
  }
  if (choice & 0x10) {
    (void)message.contacts(addresses);
    (void)message.has_star_contact();
  }
  if (choice & 0x20) {
    (void)message.address_list(HeaderKind::Route, addresses);
    (void)message.address_list(HeaderKind::RecordRoute, addresses);
  }
  if (choice & 0x40) {
    (void)message.cseq(cseq);
    (void)message.max_forwards(number);
    (void)message.call_id();
  }
  if (choice & 0x80) (void)kamc::sip::check_well_formed(message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t choice = data[0];
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  kamc::sip::SipMessage message;
  auto mode = (choice & 0x01) ? kamc::sip::FramingMode::Stream : kamc::sip::FramingMode::Datagram;
  if (message.parse(bytes, mode).ok()) readHeaders(message, choice);
  return 0;
}
