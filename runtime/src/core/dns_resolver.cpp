// RFC 3263 next-hop resolution: SRV through libresolv, A/AAAA through getaddrinfo.
#include "dns_resolver.h"

#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <numeric>
#include <random>

#include "kamc/runtime/log.h"

namespace kamc::runtime {

namespace {

constexpr std::uint16_t kSipPort = 5060;
constexpr std::uint16_t kSipsPort = 5061;

std::uint16_t read_u16(const unsigned char* data) {
  return static_cast<std::uint16_t>((data[0] << 8) | data[1]);
}

}  // namespace

std::optional<std::vector<SrvRecord>> parse_srv_response(std::span<const unsigned char> packet) {
  if (packet.size() > static_cast<std::size_t>(INT_MAX)) return std::nullopt;
  ns_msg message;
  if (ns_initparse(packet.data(), static_cast<int>(packet.size()), &message) != 0) return std::nullopt;
  if (ns_msg_getflag(message, ns_f_rcode) != ns_r_noerror) return std::nullopt;
  std::vector<SrvRecord> records;
  int answers = ns_msg_count(message, ns_s_an);
  for (int i = 0; i < answers; ++i) {
    ns_rr record;
    if (ns_parserr(&message, ns_s_an, i, &record) != 0) return std::nullopt;
    if (ns_rr_type(record) != ns_t_srv || ns_rr_class(record) != ns_c_in) continue;
    const unsigned char* data = ns_rr_rdata(record);
    int length = ns_rr_rdlen(record);
    if (length < 7) return std::nullopt;  // priority, weight, port and at least the root name
    SrvRecord srv;
    srv.priority = read_u16(data);
    srv.weight = read_u16(data + 2);
    srv.port = read_u16(data + 4);
    char target[NS_MAXDNAME];
    int used = dn_expand(ns_msg_base(message), ns_msg_end(message), data + 6, target, sizeof target);
    if (used < 0 || used > length - 6) return std::nullopt;
    srv.target = target;
    records.push_back(std::move(srv));
  }
  return records;
}

std::vector<SrvRecord> order_srv_records(std::vector<SrvRecord> records, SrvSelection selection,
                                         const RandomUpTo& random) {
  if (selection == SrvSelection::HighestWeightFirst) {
    std::stable_sort(records.begin(), records.end(), [](const SrvRecord& a, const SrvRecord& b) {
      return a.priority != b.priority ? a.priority < b.priority : a.weight > b.weight;
    });
    return records;
  }
  std::stable_sort(records.begin(), records.end(),
                   [](const SrvRecord& a, const SrvRecord& b) { return a.priority < b.priority; });
  std::vector<SrvRecord> ordered;
  ordered.reserve(records.size());
  auto group_begin = records.begin();
  while (group_begin != records.end()) {
    auto group_end = std::find_if(group_begin, records.end(),
                                  [&](const SrvRecord& r) { return r.priority != group_begin->priority; });
    std::vector<SrvRecord> group(std::make_move_iterator(group_begin), std::make_move_iterator(group_end));
    // RFC 2782: zero weights first, so that they get their small chance when the draw is 0.
    std::stable_partition(group.begin(), group.end(), [](const SrvRecord& r) { return r.weight == 0; });
    while (!group.empty()) {
      std::uint32_t sum = std::accumulate(group.begin(), group.end(), std::uint32_t{0},
                                          [](std::uint32_t total, const SrvRecord& r) { return total + r.weight; });
      std::uint32_t draw = std::min(random(sum), sum);
      std::size_t chosen = group.size() - 1;
      std::uint32_t running = 0;
      for (std::size_t i = 0; i < group.size(); ++i) {
        running += group[i].weight;
        if (running >= draw) {
          chosen = i;
          break;
        }
      }
      ordered.push_back(std::move(group[chosen]));
      group.erase(group.begin() + static_cast<std::ptrdiff_t>(chosen));
    }
    group_begin = group_end;
  }
  return ordered;
}

std::string srv_query_name(std::string_view host, Protocol protocol, bool secure) {
  std::string_view prefix = secure ? "_sips._tcp." : protocol == Protocol::Tcp ? "_sip._tcp." : "_sip._udp.";
  return std::string(prefix) + std::string(host);
}

std::optional<SocketAddress> resolve_sip_destination(const SipDestination& destination, NameLookup& lookup,
                                                     SrvSelection selection, const RandomUpTo& random) {
  if (destination.host.empty()) return std::nullopt;
  std::uint16_t default_port = destination.secure ? kSipsPort : kSipPort;
  if (auto literal = SocketAddress::from_ip(destination.host, destination.port.value_or(default_port))) {
    return literal;
  }
  if (!destination.port) {
    auto records = order_srv_records(
        lookup.srv_records(srv_query_name(destination.host, destination.protocol, destination.secure)), selection,
        random);
    for (const auto& record : records) {
      if (record.target.empty()) continue;  // "." : no such service at this target
      if (auto address = lookup.address(record.target)) {
        address->set_port(record.port);
        return address;
      }
    }
  }
  auto address = lookup.address(std::string(destination.host));
  if (address) address->set_port(destination.port.value_or(default_port));
  return address;
}

// ---- process-wide settings ---------------------------------------------------------------

namespace {

std::atomic<SrvSelection> g_srv_selection{SrvSelection::HighestWeightFirst};

struct NameserverOverride {
  std::mutex mutex;
  std::optional<sockaddr_in> address;
  std::atomic<unsigned> generation{0};
  std::once_flag environment_read;
};

NameserverOverride& nameserver_override() {
  static NameserverOverride instance;
  return instance;
}

bool store_nameserver(const std::optional<SocketAddress>& nameserver) {
  NameserverOverride& state = nameserver_override();
  if (nameserver && nameserver->family() != AF_INET) {
    log_message(L_ERR, "the test DNS nameserver must be an IPv4 address");
    return false;
  }
  std::lock_guard lock(state.mutex);
  state.address.reset();
  if (nameserver) {
    sockaddr_in v4{};
    std::memcpy(&v4, nameserver->data(), sizeof v4);
    state.address = v4;
  }
  state.generation.fetch_add(1);
  return true;
}

void read_environment_once() {
  std::call_once(nameserver_override().environment_read, [] {
    const char* text = std::getenv("KAMC_RT_DNS_NAMESERVER");
    if (!text || !*text) return;
    std::string_view value(text);
    std::size_t colon = value.rfind(':');
    std::optional<SocketAddress> address;
    if (colon != std::string_view::npos) {
      std::uint16_t port = 0;
      std::string_view digits = value.substr(colon + 1);
      auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
      if (error == std::errc() && end == digits.data() + digits.size() && port != 0) {
        address = SocketAddress::from_ip(value.substr(0, colon), port);
      }
    }
    if (!address) {
      log_format(L_ERR, "KAMC_RT_DNS_NAMESERVER='%s' is not IPv4:PORT; using resolv.conf", text);
      return;
    }
    log_format(L_INFO, "DNS queries go to %s (KAMC_RT_DNS_NAMESERVER)", address->to_string().c_str());
    store_nameserver(address);
  });
}

// One resolver state per thread: res_n* functions are thread-safe only on separate states.
class ThreadResolver {
 public:
  ThreadResolver() = default;
  ThreadResolver(const ThreadResolver&) = delete;
  ThreadResolver& operator=(const ThreadResolver&) = delete;
  ~ThreadResolver() { close(); }

  res_state get() {
    read_environment_once();
    NameserverOverride& override_state = nameserver_override();
    unsigned generation = override_state.generation.load();
    if (ready_ && generation == generation_) return &state_;
    close();
    std::memset(&state_, 0, sizeof state_);
    if (res_ninit(&state_) != 0) {
      log_message(L_ERR, "res_ninit failed: no DNS SRV lookups");
      return nullptr;
    }
    ready_ = true;
    generation_ = generation;
    std::lock_guard lock(override_state.mutex);
    if (override_state.address) {
      state_.nscount = 1;
      state_.nsaddr_list[0] = *override_state.address;
      state_.retrans = 1;
      state_.retry = 2;
    }
    return &state_;
  }

 private:
  void close() {
    if (ready_) res_nclose(&state_);
    ready_ = false;
  }

  struct __res_state state_ {};
  bool ready_ = false;
  unsigned generation_ = 0;
};

class SystemNameLookup final : public NameLookup {
 public:
  std::vector<SrvRecord> srv_records(const std::string& name) override {
    thread_local ThreadResolver resolver;
    thread_local std::vector<unsigned char> answer(NS_MAXMSG);
    res_state state = resolver.get();
    if (!state) return {};
    int length = res_nsearch(state, name.c_str(), ns_c_in, ns_t_srv, answer.data(), static_cast<int>(answer.size()));
    if (length < 0) {
      log_format(L_DBG, "no SRV records for %s", name.c_str());
      return {};
    }
    auto records = parse_srv_response(std::span(answer.data(), std::min<std::size_t>(length, answer.size())));
    if (!records) {
      log_format(L_WARN, "malformed DNS answer for the SRV records of %s", name.c_str());
      return {};
    }
    return std::move(*records);
  }

  std::optional<SocketAddress> address(const std::string& name) override {
    for (int family : {AF_INET, AF_INET6}) {
      addrinfo hints{};
      hints.ai_family = family;
      hints.ai_socktype = SOCK_DGRAM;
      addrinfo* results = nullptr;
      if (getaddrinfo(name.c_str(), nullptr, &hints, &results) != 0 || !results) continue;
      SocketAddress address = SocketAddress::from_sockaddr(results->ai_addr, results->ai_addrlen);
      freeaddrinfo(results);
      return address;
    }
    return std::nullopt;
  }
};

std::uint32_t thread_random_up_to(std::uint32_t bound) {
  thread_local std::mt19937 generator{std::random_device{}()};
  return std::uniform_int_distribution<std::uint32_t>(0, bound)(generator);
}

}  // namespace

NameLookup& system_name_lookup() {
  static SystemNameLookup lookup;
  return lookup;
}

std::optional<SocketAddress> resolve_sip_destination(const SipDestination& destination) {
  return resolve_sip_destination(destination, system_name_lookup(), srv_selection(), thread_random_up_to);
}

void set_srv_selection(SrvSelection selection) { g_srv_selection.store(selection); }

SrvSelection srv_selection() { return g_srv_selection.load(); }

bool set_dns_nameserver(const std::optional<SocketAddress>& nameserver) {
  read_environment_once();
  return store_nameserver(nameserver);
}

}  // namespace kamc::runtime
