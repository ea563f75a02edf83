// myself matching: IP addresses compare as addresses (so "[::1]" equals "::1"), names
// compare case-insensitively against the aliases.
#include "kamc/runtime/local_addresses.h"

namespace kamc::runtime {

namespace {

constexpr std::uint16_t kDefaultSipPort = 5060;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  }
  return true;
}

std::optional<std::uint16_t> parse_port(std::string_view digits) {
  if (digits.empty() || digits.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

}  // namespace

const ListenSocket& LocalAddresses::add_listen(Protocol protocol, const SocketAddress& address) {
  ListenSocket socket;
  // Indices must stay valid after the vector grows, so the index is the only link kept.
  socket.index = static_cast<int>(sockets_.size());
  socket.protocol = protocol;
  socket.address = address;
  socket.host = address.host_text();
  socket.port_text = std::to_string(address.port());
  sockets_.push_back(std::move(socket));
  return sockets_.back();
}

void LocalAddresses::add_alias(std::string host, std::optional<std::uint16_t> port) {
  aliases_.push_back({std::move(host), port});
}

bool LocalAddresses::is_myself(std::string_view host, std::optional<std::uint16_t> port) const {
  std::uint16_t wanted_port = port.value_or(kDefaultSipPort);
  if (auto ip = SocketAddress::from_ip(host, wanted_port)) {
    for (const auto& socket : sockets_) {
      if (socket.address.same_ip(*ip) && socket.address.port() == wanted_port) return true;
    }
  }
  for (const auto& alias : aliases_) {
    if (iequals(alias.host, host) && (!alias.port || *alias.port == wanted_port)) return true;
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
    port = parse_port(port_text);
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
