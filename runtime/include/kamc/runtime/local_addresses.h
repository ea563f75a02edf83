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
  std::string host;       // as written into Via/Record-Route: "127.0.0.1", "[::1]"
  std::string port_text;
};

class LocalAddresses {
 public:
  // The address must already carry its bound port.
  const ListenSocket& add_listen(Protocol protocol, const SocketAddress& address);
  // kamailio's `alias=host[:port]`; without a port the alias matches any port.
  void add_alias(std::string host, std::optional<std::uint16_t> port);

  const std::vector<ListenSocket>& sockets() const { return sockets_; }

  // host as in a URI or Via ("[::1]" or "::1", or a name); port nullopt means the
  // default port (5060), as kamailio's check_self does for a URI without a port.
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
  std::vector<ListenSocket> sockets_;
  std::vector<Alias> aliases_;
};

}  // namespace kamc::runtime
