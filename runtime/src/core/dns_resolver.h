// Next-hop names to addresses as RFC 3263 4.1/4.2 and Kamailio 5.6 with its defaults do it
// (dns_try_naptr = no, dns_srv_lb = off): SRV records through libresolv, addresses through
// getaddrinfo. The record parsing, the SRV ordering and the resolution steps are pure
// functions over a NameLookup, so they are tested without a network.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kamc/runtime/socket_address.h"

namespace kamc::runtime {

struct SrvRecord {
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
  std::uint16_t port = 0;
  std::string target;  // without the trailing dot; "" for the root ("service not available")

  bool operator==(const SrvRecord&) const = default;
};

// The SRV records in the answer section of a DNS response (wire format, RFC 1035 4.1);
// other record types, e.g. a CNAME in front, are skipped. nullopt for a packet that does
// not parse or whose response code is an error.
std::optional<std::vector<SrvRecord>> parse_srv_response(std::span<const unsigned char> packet);

// How SRV records of equal priority are ordered.
//  - HighestWeightFirst: Kamailio's default (dns_srv_lb = 0): the heavier first, the
//    answer's order between equal weights.
//  - WeightedRandom: RFC 2782's selection (Kamailio's dns_srv_lb = 1): zero weights
//    placed first, then each next record drawn with a probability proportional to its
//    weight.
enum class SrvSelection { HighestWeightFirst, WeightedRandom };

// A uniformly distributed number in [0, bound]; injected so that tests are repeatable.
using RandomUpTo = std::function<std::uint32_t(std::uint32_t bound)>;

// Lowest priority first (RFC 2782); within a priority as `selection` says. `random` is
// only called for WeightedRandom.
std::vector<SrvRecord> order_srv_records(std::vector<SrvRecord> records, SrvSelection selection,
                                         const RandomUpTo& random);

// "_sip._udp.HOST", "_sip._tcp.HOST", or "_sips._tcp.HOST" for a sips: URI (RFC 3263 4.2).
std::string srv_query_name(std::string_view host, Protocol protocol, bool secure);

// Where names are looked up; the system one in production, a table in tests.
class NameLookup {
 public:
  virtual ~NameLookup() = default;
  // The SRV records of `name` as the server returned them; empty when there are none or
  // the query failed.
  virtual std::vector<SrvRecord> srv_records(const std::string& name) = 0;
  // The first address of `name`: A records first, then AAAA (Kamailio's dns_try_ipv6
  // default). Port 0. nullopt when it has neither.
  virtual std::optional<SocketAddress> address(const std::string& name) = 0;
};

// SRV through res_nsearch with one resolver state per thread (the resolver functions are
// not thread-safe on a shared state); addresses through getaddrinfo, so /etc/hosts counts.
NameLookup& system_name_lookup();

struct SipDestination {
  std::string_view host;              // a name, or an IP address (IPv6 with or without brackets)
  std::optional<std::uint16_t> port;  // nullopt: the URI had none
  Protocol protocol = Protocol::Udp;
  bool secure = false;                // sips: URI
};

// RFC 3263 as Kamailio 5.6 applies it:
//  - an IP address is used as is (port 5060, 5061 for sips, when none is given);
//  - a name with an explicit port: its A, then AAAA record;
//  - a name without a port: the SRV records of srv_query_name() in `selection` order, the
//    first whose target has an address wins, with the record's port; when none does (no
//    records, or no target resolves) the name's own A/AAAA on 5060 (5061), as Kamailio
//    falls back even where RFC 3263 would stop.
// NAPTR is not queried: Kamailio's dns_try_naptr is off by default.
std::optional<SocketAddress> resolve_sip_destination(const SipDestination& destination, NameLookup& lookup,
                                                     SrvSelection selection, const RandomUpTo& random);

// resolve_sip_destination with the system lookup, the process-wide selection and a
// per-thread random generator.
std::optional<SocketAddress> resolve_sip_destination(const SipDestination& destination);

// The process-wide SRV selection (Kamailio's dns_srv_lb); HighestWeightFirst unless set.
void set_srv_selection(SrvSelection selection);
SrvSelection srv_selection();

// For tests only: send the system lookup's DNS queries to this IPv4 address and port
// instead of resolv.conf's nameservers (short timeouts: 1 s, 2 tries). nullopt restores
// resolv.conf. The environment variable KAMC_RT_DNS_NAMESERVER="127.0.0.1:PORT", read at
// the first lookup, sets the same for a whole process (the harness in an integration test).
// Threads pick the change up at their next lookup.
bool set_dns_nameserver(const std::optional<SocketAddress>& nameserver);

}  // namespace kamc::runtime
