// The server's own addresses: listen sockets and aliases, used for `myself` checks, for
// the Via and Record-Route the server inserts, and to pick the socket a message leaves by.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kamc/runtime/socket_address.h"

namespace kamc::runtime {

struct ListenSocket {
  int index = 0;
  Protocol protocol = Protocol::Udp;
  SocketAddress address;  // with the bound port, also when the spec said port 0
  std::string host;       // the bound address as in a URI: "127.0.0.1", "[::1]"
  std::string port_text;
  std::string name;                // listen's `name "..."`; "" when none
  AdvertisedAddress advertised;    // listen's `advertise`; also counts for myself
  // What the proxy writes about itself for this socket, with Kamailio 5.6's precedence
  // between the listen's advertise and the global advertised_address/advertised_port:
  std::string via_sent_by;          // "host:port" of the Via it adds: global, then advertise
  std::string record_route_sending;    // "host[:port]" in rr's Record-Route as the sending
                                       // socket: advertise, then global; the port is written
                                       // when advertised or not 5060
  std::string record_route_receiving;  // ... as the receiving socket: advertise only; the
                                       // port is written when it is not 5060
};

class LocalAddresses {
 public:
  // The address must already carry its bound port.
  const ListenSocket& add_listen(Protocol protocol, const SocketAddress& address,
                                 const AdvertisedAddress& advertised = {}, std::string name = {});
  // kamailio's `alias=host[:port]`; without a port the alias matches any port.
  void add_alias(std::string host, std::optional<std::uint16_t> port);
  // The global advertised_address / advertised_port; applies to sockets added before too.
  void set_global_advertised(const AdvertisedAddress& advertised);

  const std::vector<ListenSocket>& sockets() const { return sockets_; }

  // host as in a URI or Via ("[::1]" or "::1", or a name); port nullopt means the
  // default port (5060), as kamailio's check_self does for a URI without a port. A socket
  // matches by its address or its advertised host, and by its port or advertised port.
  bool is_myself(std::string_view host, std::optional<std::uint16_t> port) const;
  // "host", "host:port", "[v6]:port"; false for text that is none of these.
  bool is_myself_host_port(std::string_view text) const;

  // The socket to send from: `preferred` when it has the protocol and family, else the
  // first listen socket that has them; nullptr when there is none.
  const ListenSocket* choose(Protocol protocol, int family, const ListenSocket* preferred) const;

 private:
  struct Alias {
    std::string host;
    std::optional<std::uint16_t> port;
  };
  void describe_self(ListenSocket& socket) const;

  std::vector<ListenSocket> sockets_;
  std::vector<Alias> aliases_;
  AdvertisedAddress global_advertised_;
};

}  // namespace kamc::runtime
