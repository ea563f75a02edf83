// IPv4/IPv6 socket addresses and the "proto:host:port" listen form of kamailio.cfg and
// the -l option, as used by the transports and by myself matching.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kamc::runtime {

// The values match Kamailio's PROTO_UDP and PROTO_TCP, which $pr/$proto report.
enum class Protocol : std::uint8_t { Udp = 1, Tcp = 2 };

std::string_view protocol_name(Protocol protocol);       // "udp", "tcp"
std::string_view via_transport_name(Protocol protocol);  // "UDP", "TCP"
// Case-insensitive "udp"/"tcp"; nullopt for transports the runtime does not have (tls, sctp, ws).
std::optional<Protocol> protocol_from_name(std::string_view name);
constexpr bool is_stream(Protocol protocol) { return protocol == Protocol::Tcp; }

class SocketAddress {
 public:
  SocketAddress() = default;
  // Accepts "192.0.2.1", "2001:db8::1" and "[2001:db8::1]"; no host names.
  static std::optional<SocketAddress> from_ip(std::string_view ip, std::uint16_t port);
  static SocketAddress from_sockaddr(const sockaddr* address, socklen_t length);

  const sockaddr* data() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  sockaddr* data() { return reinterpret_cast<sockaddr*>(&storage_); }
  socklen_t size() const { return length_; }
  int family() const { return storage_.ss_family; }
  bool is_valid() const { return length_ != 0; }

  std::uint16_t port() const;
  void set_port(std::uint16_t port);
  std::string ip_text() const;    // "::1": what $si shows
  std::string host_text() const;  // "[::1]": what a URI or Via carries
  std::string to_string() const;  // "[::1]:5060"

  bool same_ip(const SocketAddress& other) const;
  bool operator==(const SocketAddress& other) const { return same_ip(other) && port() == other.port(); }
  std::size_t hash() const;

 private:
  sockaddr_storage storage_{};
  socklen_t length_ = 0;
};

struct SocketAddressHash {
  std::size_t operator()(const SocketAddress& address) const { return address.hash(); }
};

// listen's `advertise HOST[:PORT]` (and the global advertised_address/advertised_port):
// the address the proxy writes about itself instead of the socket's, e.g. behind NAT.
struct AdvertisedAddress {
  std::string host;        // "203.0.113.5", "[2001:db8::5]", "sip.example.com"; "" when not advertised
  std::uint16_t port = 0;  // 0 when not advertised
};

// A listen address: "udp:127.0.0.1:5060", "tcp:[::1]:5070", "127.0.0.1" (udp, port 5060),
// with the options of the cfg's listen value.
struct ListenSpec {
  Protocol protocol = Protocol::Udp;
  SocketAddress address;
  AdvertisedAddress advertised;  // `advertise HOST[:PORT]`
  std::string name;              // `name "NAME"`: kept, as Kamailio keeps the socket name
};
// On failure returns nullopt and says why in `error`.
std::optional<ListenSpec> parse_listen_spec(std::string_view text, std::string& error);

}  // namespace kamc::runtime
