// Socket address conversions; the only place that touches sockaddr_in/sockaddr_in6 fields.
#include "kamc/runtime/socket_address.h"

#include <arpa/inet.h>

#include <cstring>
#include <functional>

#include "../text.h"

namespace kamc::runtime {

namespace {

std::string_view strip_brackets(std::string_view ip) {
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') return ip.substr(1, ip.size() - 2);
  return ip;
}

}  // namespace

std::string_view protocol_name(Protocol protocol) { return protocol == Protocol::Tcp ? "tcp" : "udp"; }
std::string_view via_transport_name(Protocol protocol) { return protocol == Protocol::Tcp ? "TCP" : "UDP"; }

std::optional<Protocol> protocol_from_name(std::string_view name) {
  if (sip::detail::equals_ignore_case(name, "udp")) return Protocol::Udp;
  if (sip::detail::equals_ignore_case(name, "tcp")) return Protocol::Tcp;
  return std::nullopt;
}

std::optional<SocketAddress> SocketAddress::from_ip(std::string_view ip, std::uint16_t port) {
  std::string text(strip_brackets(ip));
  SocketAddress address;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage_);
  if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    address.length_ = sizeof(sockaddr_in);
    return address;
  }
  address.storage_ = {};
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address.storage_);
  if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    address.length_ = sizeof(sockaddr_in6);
    return address;
  }
  return std::nullopt;
}

SocketAddress SocketAddress::from_sockaddr(const sockaddr* raw, socklen_t length) {
  SocketAddress address;
  if (length > static_cast<socklen_t>(sizeof(address.storage_))) length = sizeof(address.storage_);
  std::memcpy(&address.storage_, raw, length);
  address.length_ = length;
  return address;
}

std::uint16_t SocketAddress::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return 0;
}

void SocketAddress::set_port(std::uint16_t port) {
  if (family() == AF_INET) reinterpret_cast<sockaddr_in*>(&storage_)->sin_port = htons(port);
  if (family() == AF_INET6) reinterpret_cast<sockaddr_in6*>(&storage_)->sin6_port = htons(port);
}

std::string SocketAddress::ip_text() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, text, sizeof text);
  } else if (family() == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, text, sizeof text);
  }
  return text;
}

std::string SocketAddress::host_text() const {
  return family() == AF_INET6 ? "[" + ip_text() + "]" : ip_text();
}

std::string SocketAddress::to_string() const { return host_text() + ":" + std::to_string(port()); }

bool SocketAddress::same_ip(const SocketAddress& other) const {
  if (family() != other.family()) return false;
  if (family() == AF_INET) {
    return reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr.s_addr ==
           reinterpret_cast<const sockaddr_in*>(&other.storage_)->sin_addr.s_addr;
  }
  if (family() == AF_INET6) {
    return std::memcmp(&reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr,
                       &reinterpret_cast<const sockaddr_in6*>(&other.storage_)->sin6_addr, 16) == 0;
  }
  return false;
}

std::size_t SocketAddress::hash() const {
  std::size_t h = std::hash<std::uint16_t>{}(port());
  const unsigned char* bytes = nullptr;
  std::size_t count = 0;
  if (family() == AF_INET) {
    bytes = reinterpret_cast<const unsigned char*>(&reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr);
    count = 4;
  } else if (family() == AF_INET6) {
    bytes = reinterpret_cast<const unsigned char*>(&reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr);
    count = 16;
  }
  for (std::size_t i = 0; i < count; ++i) h = h * 131 + bytes[i];
  return h;
}

std::optional<ListenSpec> parse_listen_spec(std::string_view text, std::string& error) {
  ListenSpec spec;
  std::string_view rest = text;
  // A transport prefix is a name before the first ':' that is not part of an address.
  if (std::size_t colon = rest.find(':'); colon != std::string_view::npos && colon > 0 && rest.front() != '[') {
    std::string_view prefix = rest.substr(0, colon);
    if (auto protocol = protocol_from_name(prefix)) {
      spec.protocol = *protocol;
      rest.remove_prefix(colon + 1);
    } else if (sip::detail::equals_ignore_case(prefix, "tls") || sip::detail::equals_ignore_case(prefix, "sctp") || sip::detail::equals_ignore_case(prefix, "ws") || sip::detail::equals_ignore_case(prefix, "wss")) {
      error = "transport '" + std::string(prefix) + "' is not supported yet (only udp and tcp)";
      return std::nullopt;
    }
  }
  std::string_view host = rest;
  std::uint16_t port = 5060;
  // "[v6]:port", "v4:port"; a bare IPv6 address has more than one colon and no port.
  if (!rest.empty() && rest.front() == '[') {
    std::size_t close = rest.find(']');
    if (close == std::string_view::npos) {
      error = "'[' without ']' in listen address '" + std::string(text) + "'";
      return std::nullopt;
    }
    host = rest.substr(0, close + 1);
    std::string_view tail = rest.substr(close + 1);
    if (!tail.empty()) {
      auto parsed = tail.front() == ':' ? sip::detail::parse_port(tail.substr(1)) : std::nullopt;
      if (!parsed) {
        error = "bad port in listen address '" + std::string(text) + "'";
        return std::nullopt;
      }
      port = *parsed;
    }
  } else if (std::size_t colon = rest.find(':'); colon != std::string_view::npos && rest.rfind(':') == colon) {
    host = rest.substr(0, colon);
    auto parsed = sip::detail::parse_port(rest.substr(colon + 1));
    if (!parsed) {
      error = "bad port in listen address '" + std::string(text) + "'";
      return std::nullopt;
    }
    port = *parsed;
  }
  auto address = SocketAddress::from_ip(host, port);
  if (!address) {
    error = "listen address '" + std::string(host) + "' is not an IPv4 or IPv6 address (host names are not supported yet)";
    return std::nullopt;
  }
  spec.address = *address;
  return spec;
}

}  // namespace kamc::runtime
