// myself matching: IP addresses compare as addresses (so "[::1]" equals "::1"), names
// compare case-insensitively against the aliases and advertised names. Also how each
// socket is written into the Via and Record-Route the proxy adds (advertise).
#include "kamc/runtime/local_addresses.h"

#include "../text.h"

namespace kamc::runtime {

namespace {

constexpr std::uint16_t kDefaultSipPort = 5060;

// An advertised host as a URI or Via carries it: an IPv6 address in brackets.
std::string uri_host(std::string_view host) {
  if (host.empty() || host.front() == '[') return std::string(host);
  auto ip = SocketAddress::from_ip(host, 0);
  return ip ? ip->host_text() : std::string(host);
}

// Addresses compare as addresses ("[::1]" equals "::1"), names case-insensitively.
bool same_host(std::string_view ours, std::string_view theirs) {
  auto our_ip = SocketAddress::from_ip(ours, 0);
  auto their_ip = SocketAddress::from_ip(theirs, 0);
  if (our_ip || their_ip) return our_ip && their_ip && our_ip->same_ip(*their_ip);
  return sip::detail::equals_ignore_case(ours, theirs);
}

std::string with_port(std::string host, std::uint16_t port, bool write_port) {
  if (write_port) host += ":" + std::to_string(port);
  return host;
}

}  // namespace

const ListenSocket& LocalAddresses::add_listen(Protocol protocol, const SocketAddress& address,
                                               const AdvertisedAddress& advertised, std::string name) {
  ListenSocket socket;
  // Indices must stay valid after the vector grows, so the index is the only link kept.
  socket.index = static_cast<int>(sockets_.size());
  socket.protocol = protocol;
  socket.address = address;
  socket.host = address.host_text();
  socket.port_text = std::to_string(address.port());
  socket.name = std::move(name);
  socket.advertised = {uri_host(advertised.host), advertised.port};
  describe_self(socket);
  sockets_.push_back(std::move(socket));
  return sockets_.back();
}

void LocalAddresses::add_alias(std::string host, std::optional<std::uint16_t> port) {
  aliases_.push_back({std::move(host), port});
}

void LocalAddresses::set_global_advertised(const AdvertisedAddress& advertised) {
  global_advertised_ = {uri_host(advertised.host), advertised.port};
  for (auto& socket : sockets_) describe_self(socket);
}

// Kamailio's msg_translator: the Via takes the global advertised values before the
// socket's advertise; rr's Record-Route for the sending socket the socket's first, for
// the receiving socket only the socket's own.
void LocalAddresses::describe_self(ListenSocket& socket) const {
  const AdvertisedAddress& own = socket.advertised;
  const AdvertisedAddress& global = global_advertised_;
  auto first_host = [&](const AdvertisedAddress& a, const AdvertisedAddress& b) {
    return !a.host.empty() ? a.host : !b.host.empty() ? b.host : socket.host;
  };
  auto first_port = [&](const AdvertisedAddress& a, const AdvertisedAddress& b) {
    return a.port != 0 ? a.port : b.port != 0 ? b.port : socket.address.port();
  };
  socket.via_sent_by = first_host(global, own) + ":" + std::to_string(first_port(global, own));
  std::uint16_t sending_port = first_port(own, global);
  bool port_advertised = own.port != 0 || global.port != 0;
  socket.record_route_sending = with_port(first_host(own, global), sending_port,
                                          port_advertised || sending_port != kDefaultSipPort);
  std::uint16_t receiving_port = first_port(own, {});
  socket.record_route_receiving = with_port(first_host(own, {}), receiving_port, receiving_port != kDefaultSipPort);
}

bool LocalAddresses::is_myself(std::string_view host, std::optional<std::uint16_t> port) const {
  std::uint16_t wanted_port = port.value_or(kDefaultSipPort);
  auto ip = SocketAddress::from_ip(host, wanted_port);
  for (const auto& socket : sockets_) {
    bool port_matches = socket.address.port() == wanted_port ||
                        (socket.advertised.port != 0 && socket.advertised.port == wanted_port);
    if (!port_matches) continue;
    if (ip && socket.address.same_ip(*ip)) return true;
    if (!socket.advertised.host.empty() && same_host(socket.advertised.host, host)) return true;
  }
  for (const auto& alias : aliases_) {
    if (sip::detail::equals_ignore_case(alias.host, host) && (!alias.port || *alias.port == wanted_port)) return true;
  }
  return false;
}

bool LocalAddresses::is_myself_host_port(std::string_view text) const {
  if (text.empty()) return false;
  std::string_view host = text;
  std::string_view port_text;
  if (text.front() == '[') {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos) return false;
    host = text.substr(0, close + 1);
    std::string_view tail = text.substr(close + 1);
    if (!tail.empty() && tail.front() != ':') return false;
    if (!tail.empty()) port_text = tail.substr(1);
  } else if (std::size_t colon = text.find(':'); colon != std::string_view::npos && text.rfind(':') == colon) {
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  std::optional<std::uint16_t> port;
  if (host.size() != text.size()) {
    port = sip::detail::parse_port(port_text);
    if (!port) return false;
  }
  return is_myself(host, port);
}

const ListenSocket* LocalAddresses::choose(Protocol protocol, int family, const ListenSocket* preferred) const {
  if (preferred && preferred->protocol == protocol && preferred->address.family() == family) return preferred;
  for (const auto& socket : sockets_) {
    if (socket.protocol == protocol && socket.address.family() == family) return &socket;
  }
  return nullptr;
}

}  // namespace kamc::runtime
