// The registrar's rules (registrar_logic.*) on plain records, and usrloc's SQLite store
// on real database files, including one made from Kamailio's own schema files.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "registrar_logic.h"
#include "usrloc_store.h"

namespace {

using namespace kamc::runtime;
using registrar::ContactSpec;
using registrar::RegError;
using registrar::RegisterRequest;
using registrar::RegistrarSettings;

constexpr std::int64_t kNow = 1'700'000'000;

RegisterRequest request_with(std::vector<std::string> uris, std::uint32_t cseq = 1, std::string call_id = "c1") {
  RegisterRequest request;
  request.aor = "alice";
  request.call_id = std::move(call_id);
  request.cseq = cseq;
  for (auto& uri : uris) request.contacts.push_back(ContactSpec{uri});
  return request;
}

registrar::SaveResult save(usrloc::Record& record, const RegisterRequest& request,
                           const RegistrarSettings& settings = {}, std::int64_t now = kNow) {
  return registrar::apply_register(record, request, settings, usrloc::Settings{}, 0, now);
}

TEST(RegistrarLogic, NewContactsGetDefaultExpiresAndOrderByQ) {
  usrloc::Record record{"alice", {}};
  auto request = request_with({"sip:a@1.2.3.4", "sip:b@1.2.3.4"});
  request.contacts[1].q_param = "0.7";
  auto result = save(record, request);
  ASSERT_EQ(result.error, RegError::Fine);
  ASSERT_EQ(record.bindings.size(), 2u);
  EXPECT_EQ(record.bindings[0].contact, "sip:b@1.2.3.4");  // q 0.7 before unspecified
  EXPECT_EQ(record.bindings[1].expires, kNow + 3600);
  EXPECT_NE(record.bindings[0].ruid, record.bindings[1].ruid);
}

TEST(RegistrarLogic, ExpiresIsRaisedToMinimumAndCappedAtMaximum) {
  RegistrarSettings settings;
  settings.max_expires = 1000;
  usrloc::Record record{"alice", {}};
  auto request = request_with({"sip:a@x", "sip:b@x"});
  request.contacts[0].expires_param = "5";
  request.contacts[1].expires_param = "99999";
  save(record, request, settings);
  ASSERT_EQ(record.bindings.size(), 2u);
  EXPECT_EQ(record.bindings[0].expires, kNow + 60);
  EXPECT_EQ(record.bindings[1].expires, kNow + 1000);
  settings.min_expires_mode = true;
  usrloc::Record other{"alice", {}};
  EXPECT_EQ(save(other, request, settings).error, RegError::LowExpires);
  EXPECT_TRUE(other.bindings.empty());
}

TEST(RegistrarLogic, CallIdAndCSeqRules) {
  usrloc::Record record{"alice", {}};
  save(record, request_with({"sip:a@x"}, 5));
  EXPECT_EQ(save(record, request_with({"sip:a@x"}, 4)).error, RegError::InvalidCSeq);
  // The same CSeq soon after is a retransmission: accepted, nothing changes.
  EXPECT_EQ(save(record, request_with({"sip:a@x"}, 5)).error, RegError::Fine);
  // ... but not after cseq_delay.
  EXPECT_EQ(save(record, request_with({"sip:a@x"}, 5), {}, kNow + 60).error, RegError::InvalidCSeq);
  // Another Call-ID may use any CSeq.
  EXPECT_EQ(save(record, request_with({"sip:a@x"}, 1, "other")).error, RegError::Fine);
  EXPECT_EQ(record.bindings.at(0).call_id, "other");
}

TEST(RegistrarLogic, ZeroExpiresAndStarRemove) {
  usrloc::Record record{"alice", {}};
  save(record, request_with({"sip:a@x", "sip:b@x"}));
  auto remove = request_with({"sip:a@x"}, 2);
  remove.contacts[0].expires_param = "0";
  EXPECT_EQ(save(record, remove).code, 3);
  ASSERT_EQ(record.bindings.size(), 1u);
  RegisterRequest star = request_with({}, 3);
  star.star = true;
  EXPECT_EQ(save(record, star).code, 3);
  EXPECT_TRUE(record.bindings.empty());
}

TEST(RegistrarLogic, MaxContacts) {
  RegistrarSettings settings;
  settings.max_contacts = 2;
  usrloc::Record record{"alice", {}};
  EXPECT_EQ(save(record, request_with({"sip:a@x", "sip:b@x", "sip:c@x"}), settings).error, RegError::TooMany);
  EXPECT_TRUE(record.bindings.empty());
  save(record, request_with({"sip:a@x", "sip:b@x"}), settings);
  EXPECT_EQ(save(record, request_with({"sip:c@x"}, 2), settings).error, RegError::TooMany);
  EXPECT_EQ(record.bindings.size(), 2u);
}

TEST(RegistrarLogic, ReplaceAllKeepsOnlyTheNewContact) {
  usrloc::Record record{"alice", {}};
  save(record, request_with({"sip:a@x", "sip:b@x"}));
  registrar::apply_register(record, request_with({"sip:c@x"}, 2), {}, usrloc::Settings{},
                            registrar::kSaveReplaceAll, kNow);
  ASSERT_EQ(record.bindings.size(), 1u);
  EXPECT_EQ(record.bindings[0].contact, "sip:c@x");
}

TEST(RegistrarLogic, PathReceivedSetsReceivedAndNatFlag) {
  RegistrarSettings settings;
  settings.nat_bflag = 6;
  usrloc::Record record{"alice", {}};
  auto request = request_with({"sip:a@10.0.0.1"});
  request.path = "<sip:edge.example;lr;received=sip:1.2.3.4:5070>";
  request.path_received = "sip:1.2.3.4:5070";
  save(record, request, settings);
  ASSERT_EQ(record.bindings.size(), 1u);
  EXPECT_EQ(record.bindings[0].received, "sip:1.2.3.4:5070");
  EXPECT_EQ(record.bindings[0].path, request.path);
  EXPECT_EQ(record.bindings[0].cflags, 1u << 6);
}

TEST(RegistrarLogic, ContactHeaderAsKamailioWritesIt) {
  usrloc::Binding a{.contact = "sip:a@x", .received = "sip:9.9.9.9:5060", .expires = kNow + 100, .q = 500};
  usrloc::Binding b{.contact = "sip:b@x", .expires = kNow + 20};
  usrloc::Binding gone{.contact = "sip:c@x", .expires = kNow - 1};
  EXPECT_EQ(registrar::contact_header({a, b, gone}, RegistrarSettings{}, kNow),
            "Contact: <sip:a@x>;q=0.5;expires=100;received=\"sip:9.9.9.9:5060\", <sip:b@x>;expires=20\r\n");
  EXPECT_EQ(registrar::contact_header({gone}, RegistrarSettings{}, kNow), "");
}

TEST(RegistrarLogic, QValues) {
  EXPECT_EQ(registrar::q_text(-1), "");
  EXPECT_EQ(registrar::q_text(1000), "1");
  EXPECT_EQ(registrar::q_text(0), "0");
  EXPECT_EQ(registrar::q_text(50), "0.05");
  EXPECT_EQ(registrar::q_text(123), "0.123");
  EXPECT_EQ(registrar::parse_q("0.5"), 500);
  EXPECT_EQ(registrar::parse_q("1"), 1000);
  EXPECT_EQ(registrar::parse_q("1.000"), 1000);
  EXPECT_EQ(registrar::parse_q(".25"), 250);
  EXPECT_FALSE(registrar::parse_q("1.5"));
  EXPECT_FALSE(registrar::parse_q("0.1234"));
  EXPECT_FALSE(registrar::parse_q("x"));
}

TEST(RegistrarLogic, AddressOfRecord) {
  RegistrarSettings settings;
  RegError error = RegError::Fine;
  EXPECT_EQ(registrar::extract_aor("sip:Alice%40Home@Example.COM", settings, error), "alice@home");
  settings.use_domain = true;
  EXPECT_EQ(registrar::extract_aor("sip:Alice@Example.COM", settings, error), "alice@example.com");
  settings.case_sensitive = true;
  EXPECT_EQ(registrar::extract_aor("sip:Alice@Example.COM", settings, error), "Alice@example.com");
  EXPECT_FALSE(registrar::extract_aor("not a uri", settings, error));
  EXPECT_EQ(error, RegError::AorParse);
  EXPECT_FALSE(registrar::extract_aor("sip:a%4@x", settings, error));  // a broken escape
}

TEST(RegistrarLogic, FirstRouteUri) {
  EXPECT_EQ(registrar::first_route_uri("<sip:p1.example;lr>,<sip:p2.example;lr>"), "sip:p1.example;lr");
  EXPECT_EQ(registrar::first_route_uri("sip:p1.example;lr"), "sip:p1.example");
}

// ---- the SQLite store ---------------------------------------------------------------

class LocationStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("kamc-usrloc-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string url() const { return "sqlite:///" + (dir_ / "location.db").string(); }
  std::filesystem::path dir_;
};

usrloc::Change change_for(const std::string& aor, std::vector<usrloc::Binding> upserts) {
  usrloc::Change change;
  change.aor = aor;
  change.upserts = std::move(upserts);
  return change;
}

TEST_F(LocationStoreTest, CreatesKamailiosSchemaAndRoundTrips) {
  std::string error;
  auto store = usrloc::open_location_store(url(), error);
  ASSERT_TRUE(store) << error;
  ASSERT_TRUE(store->prepare_table("location", error)) << error;
  usrloc::Binding binding{.ruid = "r1", .contact = "sip:a@x", .path = "<sip:p;lr>", .expires = kNow + 100,
                          .q = 250, .call_id = "c", .cseq = 7, .cflags = 64, .user_agent = "ua",
                          .socket = "udp:127.0.0.1:5060", .last_modified = kNow};
  auto change = change_for("alice", {binding});
  ASSERT_TRUE(store->apply("location", false, {&change}, error)) << error;
  std::vector<usrloc::Record> records;
  ASSERT_TRUE(store->load("location", false, records, error)) << error;
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].aor, "alice");
  ASSERT_EQ(records[0].bindings.size(), 1u);
  EXPECT_EQ(records[0].bindings[0], binding);
  usrloc::Change removal;
  removal.aor = "alice";
  removal.deleted_ruids = {"r1"};
  ASSERT_TRUE(store->apply("location", false, {&removal}, error)) << error;
  records.clear();
  ASSERT_TRUE(store->load("location", false, records, error));
  EXPECT_TRUE(records.empty());
}

TEST_F(LocationStoreTest, UseDomainSplitsTheAddressOfRecord) {
  std::string error;
  auto store = usrloc::open_location_store(url(), error);
  ASSERT_TRUE(store && store->prepare_table("location", error)) << error;
  auto change = change_for("bob@example.com", {usrloc::Binding{.ruid = "r2", .contact = "sip:b@y"}});
  ASSERT_TRUE(store->apply("location", true, {&change}, error)) << error;
  usrloc::Record record;
  ASSERT_TRUE(store->load_one("location", true, "bob@example.com", record, error)) << error;
  ASSERT_EQ(record.bindings.size(), 1u);
  EXPECT_EQ(record.bindings[0].contact, "sip:b@y");
}

TEST_F(LocationStoreTest, WorksOnADatabaseMadeFromKamailiosSchemaFiles) {
  std::filesystem::path schema(KAMC_KAMAILIO_SQLITE_SCHEMA);
  if (!std::filesystem::exists(schema / "usrloc-create.sql")) GTEST_SKIP() << "kamailio-sqlite-modules not installed";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "location.db").c_str(), &db), SQLITE_OK);
  for (const char* file : {"standard-create.sql", "usrloc-create.sql"}) {
    std::ifstream in(schema / file);
    std::stringstream sql;
    sql << in.rdbuf();
    ASSERT_EQ(sqlite3_exec(db, sql.str().c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << file;
  }
  // A row as Kamailio 5.6's db_sqlite writes it: times as Julian days, q -1.0.
  ASSERT_EQ(sqlite3_exec(db,
                         "INSERT INTO location (ruid, username, contact, expires, q, callid, cseq, last_modified, "
                         "user_agent, socket) VALUES ('k1', 'zed', 'sip:zed@1.2.3.4', 2461378.5, -1.0, 'cz', 3, "
                         "2461378.0, 'phone', 'udp:127.0.0.1:5060')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  std::string error;
  auto store = usrloc::open_location_store(url(), error);
  ASSERT_TRUE(store && store->prepare_table("location", error)) << error;
  std::vector<usrloc::Record> records;
  ASSERT_TRUE(store->load("location", false, records, error)) << error;
  ASSERT_EQ(records.size(), 1u);
  const usrloc::Binding& zed = records[0].bindings.at(0);
  EXPECT_EQ(zed.contact, "sip:zed@1.2.3.4");
  EXPECT_EQ(zed.q, usrloc::kQUnspecified);
  EXPECT_EQ(zed.expires, static_cast<std::int64_t>((2461378.5 - 2440587.5) * 86400));
  EXPECT_EQ(zed.cseq, 3u);
}

TEST_F(LocationStoreTest, RefusesAnotherTableVersionAndOtherSchemes) {
  std::string error;
  auto store = usrloc::open_location_store(url(), error);
  ASSERT_TRUE(store && store->prepare_table("location", error)) << error;
  store.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "location.db").c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "UPDATE version SET table_version=8 WHERE table_name='location'", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  store = usrloc::open_location_store(url(), error);
  ASSERT_TRUE(store);
  EXPECT_FALSE(store->prepare_table("location", error));
  EXPECT_NE(error.find("invalid table version 8"), std::string::npos) << error;
  // Port 1 on loopback: nothing listens, so the connect is refused at once.
  EXPECT_FALSE(usrloc::open_location_store("mysql://u:secret@127.0.0.1:1/kamailio", error));
  EXPECT_NE(error.find("cannot connect to MySQL"), std::string::npos) << error;
  EXPECT_EQ(error.find("secret"), std::string::npos) << error;
  EXPECT_FALSE(usrloc::open_location_store("postgres://u:secret@127.0.0.1:1/kamailio", error));
  EXPECT_NE(error.find("cannot connect to PostgreSQL"), std::string::npos) << error;
  EXPECT_EQ(error.find("secret"), std::string::npos) << error;
  EXPECT_FALSE(usrloc::open_location_store("oracle://u:secret@db/kamailio", error));
  EXPECT_NE(error.find("is not supported"), std::string::npos) << error;
  EXPECT_FALSE(usrloc::open_location_store("location.db", error));
  EXPECT_FALSE(store->prepare_table("bad name;", error));
}

}  // namespace
