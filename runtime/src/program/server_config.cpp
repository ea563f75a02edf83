// RuntimeSettings (what the cfg set) -> ServerConfig, the way Kamailio 5.6 reads its
// listen, port, children, tcp_children, alias and advertised_* parameters.
#include "kamc/runtime/server_config.h"

#include <cstdlib>
#include <span>

#include "kamc/sip/host.h"

namespace kamc::runtime {

namespace {

constexpr int kDefaultChildren = 8;  // Kamailio's CHILD_NO
constexpr int kDefaultSipPort = 5060;

bool has_protocol_prefix(std::string_view text) {
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || text.front() == '[') return false;
  std::string_view prefix = text.substr(0, colon);
  return prefix.find('.') == std::string_view::npos &&
         prefix.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos;
}

bool has_port(std::string_view address) {
  if (!address.empty() && address.front() == '[') return address.find("]:") != std::string_view::npos;
  std::size_t colon = address.find(':');
  return colon != std::string_view::npos && address.rfind(':') == colon;
}

std::string_view unquoted(std::string_view word) {
  if (word.size() >= 2 && word.front() == '"' && word.back() == '"') return word.substr(1, word.size() - 2);
  return word;
}

// Words separated by blanks; a "quoted string" is one word, quotes kept.
std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n') {
      ++i;
      continue;
    }
    std::size_t end = i + 1;
    if (text[i] == '"') {
      end = text.find('"', i + 1);
      end = end == std::string_view::npos ? text.size() : end + 1;
    } else {
      end = text.find_first_of(" \t\r\n", i);
      if (end == std::string_view::npos) end = text.size();
    }
    words.push_back(text.substr(i, end - i));
    i = end;
  }
  return words;
}

std::optional<std::uint16_t> port_number(std::string_view digits) {
  if (digits.empty() || digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  int port = std::atoi(std::string(digits).c_str());
  if (port < 1 || port > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(port);
}

// advertise's HOST[:PORT]: an IP address ("[v6]:port" with a port), or a host name.
bool parse_advertised(std::string_view text, AdvertisedAddress& advertised, std::string& error) {
  text = unquoted(text);
  std::string_view host = text;
  std::optional<std::string_view> port;
  if (!text.empty() && text.front() == '[') {
    std::size_t close = text.find(']');
    if (close != std::string_view::npos && close + 1 < text.size() && text[close + 1] == ':') {
      host = text.substr(0, close + 1);
      port = text.substr(close + 2);
    }
  } else if (std::size_t colon = text.find(':'); colon != std::string_view::npos && text.rfind(':') == colon) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (!sip::is_valid_host(host) && !sip::is_ipv6_address(host)) {
    error = "advertise '" + std::string(text) + "': '" + std::string(host) + "' is not an IP address or host name";
    return false;
  }
  advertised.host = host;
  advertised.port = 0;
  if (!port) return true;
  auto number = port_number(*port);
  if (!number) {
    error = "advertise '" + std::string(text) + "': '" + std::string(*port) + "' is not a port";
    return false;
  }
  advertised.port = *number;
  return true;
}

// The cfg lexer's spellings.
bool is_advertise(std::string_view word) { return word == "advertise" || word == "ADVERTISE"; }
bool is_name(std::string_view word) { return word == "name" || word == "NAME"; }
bool is_listen_keyword(std::string_view word) { return is_advertise(word) || is_name(word) || word == "virtual"; }

// The options after the addresses: `advertise HOST[:PORT]` and `name "NAME"`.
bool parse_listen_options(std::span<const std::string_view> words, ListenSpec& options, std::string& error) {
  for (std::size_t i = 0; i < words.size(); i += 2) {
    std::string_view keyword = words[i];
    if (keyword == "virtual") {
      error = "'virtual' listen sockets are not supported";
      return false;
    }
    if (!is_advertise(keyword) && !is_name(keyword)) {
      error = "unexpected '" + std::string(keyword) + "' (expected advertise or name)";
      return false;
    }
    if (i + 1 >= words.size()) {
      error = "'" + std::string(keyword) + "' without a value";
      return false;
    }
    if (is_name(keyword)) {
      options.name = unquoted(words[i + 1]);
    } else if (!parse_advertised(words[i + 1], options.advertised, error)) {
      return false;
    }
  }
  return true;
}

// One address of a listen value: no protocol means udp and tcp; no port means `port`.
bool add_address(std::string_view text, const ListenSpec& options, const RuntimeSettings& settings,
                 ServerConfig& config, std::string& error) {
  bool with_protocol = has_protocol_prefix(text);
  std::string_view address = with_protocol ? text.substr(text.find(':') + 1) : text;
  std::string port_suffix = has_port(address) ? "" : ":" + std::to_string(settings.port.value_or(kDefaultSipPort));
  std::vector<std::string> specs;
  if (with_protocol) {
    specs.push_back(std::string(text) + port_suffix);
  } else {
    specs.push_back("udp:" + std::string(text) + port_suffix);
    if (!settings.disable_tcp) specs.push_back("tcp:" + std::string(text) + port_suffix);
  }
  for (const auto& spec_text : specs) {
    auto spec = parse_listen_spec(spec_text, error);
    if (!spec) return false;
    spec->advertised = options.advertised;
    spec->name = options.name;
    config.listen.push_back(std::move(*spec));
  }
  return true;
}

// An address word, also in kamailio -l's form "ADDR/ADVERTISED[:PORT]".
bool add_address_word(std::string_view word, const ListenSpec& options, const RuntimeSettings& settings,
                      ServerConfig& config, std::string& error) {
  std::size_t slash = word.rfind('/');
  if (slash == std::string_view::npos) return add_address(word, options, settings, config, error);
  ListenSpec with_advertised = options;
  return parse_advertised(word.substr(slash + 1), with_advertised.advertised, error) &&
         add_address(word.substr(0, slash), with_advertised, settings, config, error);
}

// alias=host, host:port, [v6] or [v6]:port.
void add_alias(std::string_view text, ServerConfig& config) {
  std::size_t colon = text.rfind(':');
  bool bracketed = !text.empty() && text.front() == '[';
  bool has_port = colon != std::string_view::npos &&
                  (bracketed ? colon > 0 && text[colon - 1] == ']' : text.find(':') == colon);
  int port = has_port ? std::atoi(std::string(text.substr(colon + 1)).c_str()) : 0;
  std::string_view host = port > 0 && port < 65536 ? text.substr(0, colon) : text;
  if (bracketed && host.size() > 2 && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (port > 0 && port < 65536) {
    config.aliases.emplace_back(std::string(host), static_cast<std::uint16_t>(port));
  } else {
    config.aliases.emplace_back(std::string(host), std::nullopt);
  }
}

}  // namespace

bool add_listen_value(std::string_view text, const RuntimeSettings& settings, ServerConfig& config,
                      std::string& error) {
  std::vector<std::string_view> words = split_words(text);
  std::size_t address_count = 0;
  while (address_count < words.size() && !is_listen_keyword(words[address_count])) ++address_count;
  ListenSpec options;
  std::span<const std::string_view> option_words(words.data() + address_count, words.size() - address_count);
  if (address_count == 0) error = "no address";
  ServerConfig added;  // appended only when the whole value is good
  bool ok = address_count > 0 && parse_listen_options(option_words, options, error);
  for (std::size_t i = 0; ok && i < address_count; ++i) ok = add_address_word(words[i], options, settings, added, error);
  if (!ok) {
    error = "listen '" + std::string(text) + "': " + error;
    return false;
  }
  config.listen.insert(config.listen.end(), added.listen.begin(), added.listen.end());
  return true;
}

bool build_server_config(const RuntimeSettings& settings, const CommandLineOverrides& overrides,
                         ServerConfig& config, std::string& error) {
  std::vector<std::string> listen = overrides.listen.empty() ? settings.listen : overrides.listen;
  if (listen.empty()) listen.push_back("0.0.0.0");  // kamailio listens on every address by default
  for (const auto& text : listen) {
    if (!add_listen_value(text, settings, config, error)) return false;
  }
  int children = overrides.children.value_or(settings.children.value_or(kDefaultChildren));
  config.children = children > 0 ? children : kDefaultChildren;
  if (settings.tcp_children && *settings.tcp_children > 0) config.tcp_children = *settings.tcp_children;
  config.advertised = {settings.advertised_address, static_cast<std::uint16_t>(settings.advertised_port.value_or(0))};
  if (settings.tcp_connection_lifetime) config.tcp_idle_timeout_seconds = *settings.tcp_connection_lifetime;
  if (overrides.tcp_idle_timeout) config.tcp_idle_timeout_seconds = *overrides.tcp_idle_timeout;
  if (settings.tcp_max_connections) config.tcp_max_connections = *settings.tcp_max_connections;
  config.tcp_max_connections_per_source = overrides.tcp_max_connections_per_source;
  for (const auto& alias : settings.aliases) add_alias(alias, config);
  for (const auto& alias : overrides.aliases) add_alias(alias, config);
  return true;
}

}  // namespace kamc::runtime
