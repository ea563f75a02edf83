// tm's building blocks on their own: the per-worker timer queue, branch ids, reply
// priorities (best-response selection), request matching (RFC 3261 17.2.3 and the RFC
// 2543 fallback), the transaction table and the tm module parameters.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "kamc/runtime/runtime.h"
#include "timer_queue.h"
#include "tm_transaction.h"

using namespace kamc::runtime;
using namespace kamc::runtime::tm;

namespace {

// A transport that only counts what would be sent; timers need one to run.
class CountingTransport final : public Transport {
 public:
  bool send(const SendTarget&, std::string_view) override { return true; }
};

std::vector<int> g_fired;

void record_tag(const std::shared_ptr<void>&, int tag, Transport&) { g_fired.push_back(tag); }

TimerQueue::Clock::time_point at(int ms) { return TimerQueue::Clock::time_point{} + std::chrono::milliseconds(ms); }

TEST(TimerQueue, RunsDueEntriesEarliestFirstAndKeepsTheRest) {
  g_fired.clear();
  TimerQueue queue;
  auto owner = std::make_shared<int>(0);
  queue.schedule(at(30), owner, record_tag, 30);
  queue.schedule(at(10), owner, record_tag, 10);
  queue.schedule(at(20), owner, record_tag, 20);
  CountingTransport transport;
  EXPECT_EQ(queue.run_due(at(25), transport), 2u);
  EXPECT_EQ(g_fired, (std::vector<int>{10, 20}));
  EXPECT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue.run_due(at(30), transport), 1u);
  EXPECT_EQ(g_fired.back(), 30);
}

TEST(TimerQueue, AnEntryWhoseOwnerIsGoneDoesNothing) {
  g_fired.clear();
  TimerQueue queue;
  auto owner = std::make_shared<int>(0);
  queue.schedule(at(5), owner, record_tag, 1);
  owner.reset();  // the transaction was freed: its timers must not run
  CountingTransport transport;
  EXPECT_EQ(queue.run_due(at(10), transport), 0u);
  EXPECT_TRUE(g_fired.empty());
  EXPECT_EQ(queue.size(), 0u);
}

TEST(TimerQueue, WaitTimeIsZeroWhenDueAndCappedWhenFarOrEmpty) {
  TimerQueue queue;
  EXPECT_EQ(queue.milliseconds_until_next(at(0), 1000), 1000);
  auto owner = std::make_shared<int>(0);
  queue.schedule(at(250), owner, record_tag, 0);
  EXPECT_EQ(queue.milliseconds_until_next(at(100), 1000), 150);
  EXPECT_EQ(queue.milliseconds_until_next(at(300), 1000), 0);
  EXPECT_EQ(queue.milliseconds_until_next(at(100), 50), 50);
}

TimerQueue* g_queue = nullptr;
void reschedule_now(const std::shared_ptr<void>& owner, int tag, Transport&) {
  g_queue->schedule(at(0), owner, reschedule_now, tag);  // a handler that never stops
}

TEST(TimerQueue, AHandlerReschedulingItselfCannotHoldTheLoop) {
  TimerQueue queue;
  g_queue = &queue;
  auto owner = std::make_shared<int>(0);
  queue.schedule(at(0), owner, reschedule_now, 0);
  CountingTransport transport;
  EXPECT_EQ(queue.run_due(at(0), transport, 10), 10u);
  EXPECT_EQ(queue.size(), 1u);
}

TEST(BranchId, RoundTripsAndNamesTheTransaction) {
  std::string id = make_branch_id(0x1fff, 0xabcdef12345ULL, 7);
  EXPECT_TRUE(id.starts_with("z9hG4bK"));
  auto parsed = parse_branch_id(id);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->bucket, 0x1fffu);
  EXPECT_EQ(parsed->id, 0xabcdef12345ULL);
  EXPECT_EQ(parsed->branch, 7);
}

TEST(BranchId, ForeignAndMangledBranchesAreNotOurs) {
  for (std::string_view branch : {"z9hG4bKsl0123456789abcdef", "z9hG4bK776asdhds", "z9hG4bKkt", "z9hG4bKkt1.2",
                                  "z9hG4bKkt1.2.", "z9hG4bKkt1.2.-3", "z9hG4bKkt1.2.3x", "z9hG4bKktzz.1.0",
                                  "z9hG4bKkt1.99999999999999999999999.0", ""}) {
    EXPECT_FALSE(parse_branch_id(branch)) << branch;
  }
}

TEST(ReplyPriority, FollowsRfc3261BestResponseAsKamailioOrdersIt) {
  EXPECT_LT(reply_priority(200), reply_priority(603));  // 2xx first
  EXPECT_LT(reply_priority(603), reply_priority(302));  // then 6xx
  EXPECT_LT(reply_priority(302), reply_priority(486));  // 3xx before 4xx
  EXPECT_LT(reply_priority(486), reply_priority(500));  // 4xx before 5xx
  EXPECT_LT(reply_priority(407), reply_priority(404));  // authentication challenges first among 4xx
  EXPECT_LT(reply_priority(401), reply_priority(408));
  EXPECT_LT(reply_priority(408), reply_priority(480));
  EXPECT_LT(reply_priority(500), reply_priority(180));  // a provisional never wins
}

// ---- matching -----------------------------------------------------------------------------

struct ParsedRequest {
  std::string text;
  kamc::sip::SipMessage message;
  RequestKey key;
  explicit ParsedRequest(std::string sip) : text(std::move(sip)) {
    EXPECT_TRUE(message.parse(text).ok());
    EXPECT_TRUE(extract_request_key(message, key));
  }
};

std::string request(std::string_view method, std::string_view via, std::string_view ruri = "sip:bob@example.com",
                    std::string_view to_tag = "", int cseq = 1) {
  return std::string(method) + " " + std::string(ruri) + " SIP/2.0\r\nVia: " + std::string(via) +
         "\r\nFrom: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>" +
         (to_tag.empty() ? "" : ";tag=" + std::string(to_tag)) + "\r\nCall-ID: match-1\r\nCSeq: " +
         std::to_string(cseq) + " " + std::string(method) + "\r\nContent-Length: 0\r\n\r\n";
}

std::shared_ptr<Transaction> stored(const Runtime& runtime, const ParsedRequest& request) {
  auto transaction = std::make_shared<Transaction>(runtime, 0, 1);
  transaction->request = request.text;
  transaction->key = request.key;  // views into request.text, which outlives the test
  transaction->is_invite = request.key.method == "INVITE";
  return transaction;
}

constexpr std::string_view kVia = "SIP/2.0/UDP client.example.com:5062;branch=z9hG4bKabc";

TEST(Matching, Rfc3261RetransmissionAndAckMatchByBranchSentByAndMethod) {
  Runtime runtime;
  ParsedRequest invite(request("INVITE", kVia));
  auto transaction = stored(runtime, invite);
  EXPECT_TRUE(transaction->matches(ParsedRequest(request("INVITE", kVia)).key, MatchAs::SameMethod));
  ParsedRequest ack(request("ACK", kVia, "sip:bob@example.com", "t9"));
  EXPECT_TRUE(transaction->matches(ack.key, MatchAs::SameMethod));  // the ACK for a negative reply
  ParsedRequest other_port(request("INVITE", "SIP/2.0/UDP client.example.com:5063;branch=z9hG4bKabc"));
  EXPECT_FALSE(transaction->matches(other_port.key, MatchAs::SameMethod));
  ParsedRequest other_branch(request("INVITE", "SIP/2.0/UDP client.example.com:5062;branch=z9hG4bKabd"));
  EXPECT_FALSE(transaction->matches(other_branch.key, MatchAs::SameMethod));
  ParsedRequest bye(request("BYE", kVia));
  EXPECT_FALSE(transaction->matches(bye.key, MatchAs::SameMethod));  // same branch, other method
}

TEST(Matching, CancelFindsTheInviteItCancelsButNotItself) {
  Runtime runtime;
  ParsedRequest invite(request("INVITE", kVia));
  auto transaction = stored(runtime, invite);
  ParsedRequest cancel(request("CANCEL", kVia));
  EXPECT_TRUE(transaction->matches(cancel.key, MatchAs::CanceledInvite));
  EXPECT_FALSE(transaction->matches(cancel.key, MatchAs::SameMethod));
}

TEST(Matching, Rfc2543ClientsAreMatchedByTheirOldTransactionKeys) {
  Runtime runtime;
  constexpr std::string_view kOldVia = "SIP/2.0/UDP old.example.com:5060";
  ParsedRequest invite(request("INVITE", kOldVia));
  ASSERT_FALSE(invite.key.is_rfc3261());
  auto transaction = stored(runtime, invite);
  EXPECT_TRUE(transaction->matches(ParsedRequest(request("INVITE", kOldVia)).key, MatchAs::SameMethod));
  ParsedRequest ack(request("ACK", kOldVia, "sip:bob@example.com", "t9"));
  EXPECT_TRUE(transaction->matches(ack.key, MatchAs::SameMethod));
  ParsedRequest other_uri(request("INVITE", kOldVia, "sip:carol@example.com"));
  EXPECT_FALSE(transaction->matches(other_uri.key, MatchAs::SameMethod));
  ParsedRequest next_cseq(request("INVITE", kOldVia, "sip:bob@example.com", "", 2));
  EXPECT_FALSE(transaction->matches(next_cseq.key, MatchAs::SameMethod));
  // A 3261 request never matches a 2543 transaction and the other way round.
  EXPECT_FALSE(transaction->matches(ParsedRequest(request("INVITE", kVia)).key, MatchAs::SameMethod));
}

TEST(TransactionTable, ARetransmissionFindsTheTransactionInsertedFirst) {
  Runtime runtime;
  TransactionTable table(64);
  ParsedRequest invite(request("INVITE", kVia));
  auto first = std::make_shared<Transaction>(runtime, table.bucket_of(invite.key), table.next_id());
  first->request = invite.text;
  first->key = invite.key;
  first->is_invite = true;
  EXPECT_EQ(table.insert_or_find(first, 10), first);
  auto second = std::make_shared<Transaction>(runtime, table.bucket_of(invite.key), table.next_id());
  second->key = invite.key;
  second->is_invite = true;
  EXPECT_EQ(table.insert_or_find(second, 10), first);
  EXPECT_EQ(table.size(), 1u);
  EXPECT_EQ(table.find(invite.key, MatchAs::SameMethod), first);
  EXPECT_EQ(table.find_by_branch({first->bucket, first->id, 0}), first);
  EXPECT_EQ(table.find_by_branch({first->bucket, first->id + 100, 0}), nullptr);
  EXPECT_EQ(table.find_by_branch({1u << 30, first->id, 0}), nullptr);  // a bucket out of range
  table.remove(*first);
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.find(invite.key, MatchAs::SameMethod), nullptr);
}

TEST(TransactionTable, RefusesNewTransactionsWhenFull) {
  Runtime runtime;
  TransactionTable table(8);
  std::vector<std::unique_ptr<ParsedRequest>> requests;
  for (int i = 0; i < 3; ++i) {
    requests.push_back(std::make_unique<ParsedRequest>(
        request("INVITE", "SIP/2.0/UDP c.example.com;branch=z9hG4bK" + std::to_string(i))));
    auto transaction = std::make_shared<Transaction>(runtime, table.bucket_of(requests.back()->key), table.next_id());
    transaction->key = requests.back()->key;
    transaction->is_invite = true;
    auto result = table.insert_or_find(transaction, 2);
    if (i < 2) {
      EXPECT_EQ(result, transaction);
    } else {
      EXPECT_EQ(result, nullptr);
    }
  }
  EXPECT_EQ(table.size(), 2u);
}

TEST(TmParams, ModparamsSetTimersWhenTheModuleIsInitialised) {
  Runtime runtime;
  std::string error;
  kamc_rt_arg two_seconds{KAMC_RT_ARG_INT, 2000, nullptr, 0};
  EXPECT_TRUE(runtime.set_modparam("tm", "fr_inv_timer", two_seconds, error)) << error;
  kamc_rt_arg zero{KAMC_RT_ARG_INT, 0, nullptr, 0};
  EXPECT_TRUE(runtime.set_modparam("tm", "auto_inv_100", zero, error));
  kamc_rt_arg reason{KAMC_RT_ARG_STR, 0, "wait", 4};
  EXPECT_TRUE(runtime.set_modparam("tm", "auto_inv_100_reason", reason, error)) << error;
  ASSERT_TRUE(runtime.init_modules(error)) << error;
  const tm::TmParams& params = tm::layer_of(runtime).params;
  EXPECT_EQ(params.fr_inv_timer_ms, 2000);
  EXPECT_EQ(params.fr_timer_ms, 30000);  // Kamailio's default
  EXPECT_FALSE(params.auto_inv_100);
  EXPECT_EQ(params.auto_inv_100_reason, "wait");
}

TEST(TmParams, AValueOfTheWrongTypeIsRefusedAsKamailioDoes) {
  Runtime runtime;
  std::string error;
  kamc_rt_arg text{KAMC_RT_ARG_STR, 0, "250", 3};
  EXPECT_FALSE(runtime.set_modparam("tm", "retr_timer1", text, error));
  EXPECT_NE(error.find("takes an integer"), std::string::npos) << error;
  kamc_rt_arg number{KAMC_RT_ARG_INT, 1, nullptr, 0};
  EXPECT_FALSE(runtime.set_modparam("tm", "auto_inv_100_reason", number, error));
  EXPECT_NE(error.find("takes a string"), std::string::npos) << error;
}

TEST(TmParams, UnknownParametersAreErrorsAndUnimplementedOnesAreAccepted) {
  Runtime runtime;
  std::string error;
  kamc_rt_arg zero{KAMC_RT_ARG_INT, 0, nullptr, 0};
  EXPECT_FALSE(runtime.set_modparam("tm", "no_such_timer", zero, error));
  EXPECT_NE(error.find("has no parameter 'no_such_timer'"), std::string::npos) << error;
  EXPECT_TRUE(runtime.set_modparam("tm", "failure_reply_mode", zero, error));  // in the catalog: a warning
  EXPECT_TRUE(runtime.set_modparam("registrar", "default_expires", zero, error));  // not provided: kept aside
}

TEST(TmParams, AnOutOfRangeTimerFailsTheModuleInit) {
  Runtime runtime;
  std::string error;
  kamc_rt_arg zero{KAMC_RT_ARG_INT, 0, nullptr, 0};
  EXPECT_TRUE(runtime.set_modparam("tm", "fr_timer", zero, error));
  EXPECT_FALSE(runtime.init_modules(error));
  EXPECT_NE(error.find("fr_timer"), std::string::npos) << error;
}

}  // namespace
