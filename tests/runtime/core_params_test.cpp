// Core parameters of the cfg as kamc_rt_set_core_param takes them and as the program maps
// them onto the server, the logger and the resolver: tcp_children, advertised_address,
// advertised_port, log_facility, dns_srv_lb.
#include <syslog.h>

#include <gtest/gtest.h>

#include <string>

#include "dns_resolver.h"
#include "kamc/runtime/log.h"
#include "kamc/runtime/runtime.h"
#include "kamc/runtime/server_config.h"

using namespace kamc::runtime;

namespace {

class CoreParams : public ::testing::Test {
 protected:
  // 0 when accepted, else -1 with the message in `error`.
  int set(const std::string& name, const std::string& value) {
    error[0] = '\0';
    return kamc_rt_set_core_param(to_abi(&runtime), name.c_str(), value.c_str(), value.size(), error, sizeof error);
  }
  ServerConfig server_config(const CommandLineOverrides& overrides = {}) {
    ServerConfig config;
    std::string message;
    EXPECT_TRUE(build_server_config(runtime.settings(), overrides, config, message)) << message;
    return config;
  }

  Runtime runtime;
  char error[256] = {};
};

}  // namespace

// ---- tcp_children ---------------------------------------------------------------------------

TEST_F(CoreParams, TcpChildrenDefaultsToChildren) {
  ASSERT_EQ(set("children", "4"), 0);
  ServerConfig config = server_config();
  EXPECT_EQ(config.children, 4);
  EXPECT_FALSE(config.tcp_children) << "unset: the server sizes the TCP workers as children";
}

TEST_F(CoreParams, TcpChildrenIsSeparateFromChildren) {
  ASSERT_EQ(set("children", "2"), 0);
  ASSERT_EQ(set("tcp_children", "6"), 0);
  CommandLineOverrides dash_n;
  dash_n.children = 3;
  ServerConfig config = server_config(dash_n);
  EXPECT_EQ(config.children, 3) << "-n overrides children";
  EXPECT_EQ(config.tcp_children, 6) << "and leaves tcp_children alone, as in Kamailio";
}

TEST_F(CoreParams, TcpChildrenZeroMeansAsManyAsChildren) {
  ASSERT_EQ(set("tcp_children", "0"), 0);
  EXPECT_FALSE(server_config().tcp_children);
}

TEST_F(CoreParams, TcpChildrenMustBeANumber) {
  EXPECT_EQ(set("tcp_children", "many"), -1);
  EXPECT_STREQ(error, "tcp_children: 'many' is not a valid number");
}

// ---- tcp_max_connections --------------------------------------------------------------------

TEST_F(CoreParams, TcpMaxConnectionsReachesTheServerConfig) {
  EXPECT_EQ(server_config().tcp_max_connections, 2048) << "Kamailio's default";
  ASSERT_EQ(set("tcp_max_connections", "100"), 0);
  EXPECT_EQ(server_config().tcp_max_connections, 100);
  EXPECT_FALSE(server_config().tcp_max_connections_per_source) << "unset: half of the total";
  CommandLineOverrides per_source;
  per_source.tcp_max_connections_per_source = 7;
  EXPECT_EQ(server_config(per_source).tcp_max_connections_per_source, 7);
}

// ---- advertised_address / advertised_port ---------------------------------------------------

TEST_F(CoreParams, AdvertisedAddressAndPortReachTheServerConfig) {
  ASSERT_EQ(set("advertised_address", "sip.example.com"), 0);
  ASSERT_EQ(set("advertised_port", "5999"), 0);
  ServerConfig config = server_config();
  EXPECT_EQ(config.advertised.host, "sip.example.com");
  EXPECT_EQ(config.advertised.port, 5999);
}

TEST_F(CoreParams, AdvertisedPortMustBeAPort) {
  EXPECT_EQ(set("advertised_port", "70000"), -1);
  EXPECT_STREQ(error, "advertised_port: '70000' is not a valid number");
  EXPECT_EQ(set("advertised_port", "0"), -1);
  EXPECT_STREQ(error, "advertised_port: 0 is not a port");
}

TEST_F(CoreParams, ListenWithAdvertiseFromTheCfgReachesTheServerConfig) {
  ASSERT_EQ(set("listen", "udp:127.0.0.1:5080 advertise 203.0.113.5:5999 name \"pub\""), 0);
  ServerConfig config = server_config();
  ASSERT_EQ(config.listen.size(), 1u);
  EXPECT_EQ(config.listen[0].advertised.host, "203.0.113.5");
  EXPECT_EQ(config.listen[0].name, "pub");
}

TEST_F(CoreParams, ABadListenOptionFailsTheServerConfig) {
  ASSERT_EQ(set("listen", "udp:127.0.0.1:5080 advertise"), 0);
  ServerConfig config;
  std::string message;
  EXPECT_FALSE(build_server_config(runtime.settings(), {}, config, message));
  EXPECT_EQ(message, "listen 'udp:127.0.0.1:5080 advertise': 'advertise' without a value");
}

// ---- log_facility ---------------------------------------------------------------------------

TEST(LogFacility, KamailiosNamesMapToSyslogFacilities) {
  const std::pair<const char*, int> expected[] = {
      {"LOG_DAEMON", LOG_DAEMON}, {"LOG_LOCAL0", LOG_LOCAL0}, {"LOG_LOCAL1", LOG_LOCAL1}, {"LOG_LOCAL2", LOG_LOCAL2},
      {"LOG_LOCAL3", LOG_LOCAL3}, {"LOG_LOCAL4", LOG_LOCAL4}, {"LOG_LOCAL5", LOG_LOCAL5}, {"LOG_LOCAL6", LOG_LOCAL6},
      {"LOG_LOCAL7", LOG_LOCAL7}, {"LOG_USER", LOG_USER},     {"LOG_AUTHPRIV", LOG_AUTHPRIV}, {"log_local3", LOG_LOCAL3},
  };
  for (auto [name, facility] : expected) {
    int found = -1;
    EXPECT_TRUE(log_facility_from_name(name, found)) << name;
    EXPECT_EQ(found, facility) << name;
  }
}

TEST(LogFacility, OtherNamesAreNotFacilities) {
  int found = -1;
  EXPECT_FALSE(log_facility_from_name("LOG_LOCAL8", found));
  EXPECT_FALSE(log_facility_from_name("LOCAL0", found));
  EXPECT_FALSE(log_facility_from_name("", found));
}

TEST_F(CoreParams, LogFacilityIsKeptForTheLogger) {
  ASSERT_EQ(set("log_facility", "LOG_LOCAL5"), 0);
  EXPECT_EQ(runtime.settings().log_facility, LOG_LOCAL5);
}

TEST_F(CoreParams, AnUnknownLogFacilityIsAStartUpError) {
  EXPECT_EQ(set("log_facility", "LOG_NOWHERE"), -1);
  EXPECT_STREQ(error,
               "log_facility: 'LOG_NOWHERE' is not a syslog facility (LOG_DAEMON, LOG_LOCAL0 ... LOG_LOCAL7, "
               "LOG_USER, ...; see syslog(3))");
}

// ---- dns_srv_lb -----------------------------------------------------------------------------

TEST_F(CoreParams, DnsSrvLbSelectsWeightedRandomSrvOrder) {
  ASSERT_EQ(set("dns_srv_lb", "1"), 0);
  apply_process_settings(runtime.settings());
  EXPECT_EQ(srv_selection(), SrvSelection::WeightedRandom);
  ASSERT_EQ(set("dns_srv_lb", "off"), 0);
  apply_process_settings(runtime.settings());
  EXPECT_EQ(srv_selection(), SrvSelection::HighestWeightFirst);
}

TEST_F(CoreParams, WithoutDnsSrvLbTheHeaviestSrvTargetComesFirst) {
  set_srv_selection(SrvSelection::WeightedRandom);
  apply_process_settings(runtime.settings());
  EXPECT_EQ(srv_selection(), SrvSelection::HighestWeightFirst);
}

TEST_F(CoreParams, DnsSrvLbMustBeABoolean) {
  EXPECT_EQ(set("dns_srv_lb", "sometimes"), -1);
  EXPECT_STREQ(error, "dns_srv_lb: 'sometimes' is not yes/no");
}

// ---- the catalog's spellings ----------------------------------------------------------------

TEST_F(CoreParams, AnAliasSetsItsCanonicalParameter) {
  ASSERT_EQ(set("dns_srv_loadbalancing", "yes"), 0) << error;
  ASSERT_TRUE(runtime.settings().dns_srv_lb.has_value());
  EXPECT_TRUE(*runtime.settings().dns_srv_lb);
}

TEST_F(CoreParams, AParameterWithoutEffectIsAcceptedAndABadValueOfOneWithEffectIsNot) {
  EXPECT_EQ(set("dns_try_naptr", "no"), 0) << error;  // in the catalog, no effect here
  EXPECT_EQ(set("children", "many"), -1);
  EXPECT_NE(std::string(error).find("children"), std::string::npos) << error;
}
