// Suspending a message (suspension.h) on a real server with one worker: while one
// message waits for background work, the worker serves others; the suspended route
// resumes at the call with its own $var values; a timeout ends the wait and runs its
// cleanup; and the background threads run periodic jobs off the workers.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "background_tasks.h"
#include "kamc/runtime/server.h"
#include "runtime_test_support.h"
#include "suspension.h"

using namespace kamc::runtime;
using namespace std::chrono_literals;

namespace {

// request_route {
//   $var(who) = $rU;
//   if ($rU == "slow") { <background work of 400 ms>; }
//   if ($rU == "hang") { <background work of 1 s, timeout 200 ms> -> 504 on timeout }
//   sl_send_reply("200", "$var(who)");
// }
struct SuspendRoute {
  const PvSpec* who = nullptr;
  const PvSpec* user = nullptr;
  const kamc_rt_call* reply_who = nullptr;
  const kamc_rt_call* reply_timeout = nullptr;
} g_route;
std::atomic<int> g_timeouts_cleaned{0};

int suspend_route(kamc_rt_msg* msg) {
  MessageContext& context = from_abi(msg);
  PvValue user = get_pv(context, *g_route.user);
  set_pv(context, *g_route.who, user);
  if (user.text == "slow") {
    await_background(context, [] { std::this_thread::sleep_for(400ms); }, 5000ms);
  } else if (user.text == "hang") {
    AwaitResult result = await_background(
        context, [] { std::this_thread::sleep_for(1s); }, 200ms, [] { ++g_timeouts_cleaned; });
    if (result == AwaitResult::TimedOut) return kamc_rt_call_function(msg, g_route.reply_timeout);
  }
  return kamc_rt_call_function(msg, g_route.reply_who);
}

class Suspension : public ::testing::Test {
 protected:
  void SetUp() override {
    runtime_.set_routes_may_suspend();
    std::string error;
    g_route.who = runtime_.fixup_pv("$var(who)", error);
    g_route.user = runtime_.fixup_pv("$rU", error);
    ASSERT_NE(g_route.who, nullptr) << error;
    g_route.reply_who = reinterpret_cast<const kamc_rt_call*>(&runtime_.fixup_or_throw("sl_send_reply", {"200", "$var(who)"}));
    g_route.reply_timeout =
        reinterpret_cast<const kamc_rt_call*>(&runtime_.fixup_or_throw("sl_send_reply", {"504", "Timed Out"}));
    ASSERT_EQ(kamc_rt_register_route(to_abi(&runtime_), KAMC_RT_ROUTE_REQUEST, nullptr, suspend_route), 0);
    ServerConfig config;
    config.children = 1;  // one worker: only suspension lets it serve two messages at once
    config.listen.push_back(*parse_listen_spec("udp:127.0.0.1:0", error));
    server_ = std::make_unique<Server>(runtime_, config);
    ASSERT_TRUE(server_->open(error)) << error;
    server_->start();
    client_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in any{};
    any.sin_family = AF_INET;
    any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(client_, reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
  }
  void TearDown() override {
    if (server_) server_->stop();
    ::close(client_);
  }

  void send(const std::string& user) {
    std::string text = "OPTIONS sip:" + user + "@127.0.0.1 SIP/2.0\r\n"
                       "Via: SIP/2.0/UDP 127.0.0.1:9;rport;branch=z9hG4bK-" + user + "\r\n"
                       "From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:" + user + "@127.0.0.1>\r\n"
                       "Call-ID: " + user + "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    const SocketAddress& to = runtime_.local_addresses().sockets().front().address;
    ASSERT_EQ(::sendto(client_, text.data(), text.size(), 0, to.data(), to.size()), static_cast<ssize_t>(text.size()));
  }
  // The status line of the next reply, or "" after `limit`.
  std::string next_status(std::chrono::milliseconds limit) {
    pollfd pfd{client_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(limit.count())) != 1) return {};
    char buffer[4096];
    ssize_t size = ::recv(client_, buffer, sizeof buffer, 0);
    std::string reply(buffer, size > 0 ? static_cast<std::size_t>(size) : 0);
    return reply.substr(0, reply.find("\r\n"));
  }

  Runtime runtime_;
  std::unique_ptr<Server> server_;
  int client_ = -1;
};

TEST_F(Suspension, TheWorkerServesOtherMessagesWhileOneWaits) {
  auto start = std::chrono::steady_clock::now();
  send("slow");
  send("fast");
  EXPECT_EQ(next_status(2s), "SIP/2.0 200 fast");  // answered while "slow" waits
  EXPECT_LT(std::chrono::steady_clock::now() - start, 300ms);
  // Resumed at the call, with its own $var(who) although "fast" set it meanwhile.
  EXPECT_EQ(next_status(2s), "SIP/2.0 200 slow");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 400ms);
}

TEST_F(Suspension, ATimeoutEndsTheWaitAndRunsItsCleanupFirst) {
  int cleaned = g_timeouts_cleaned.load();
  auto start = std::chrono::steady_clock::now();
  send("hang");
  EXPECT_EQ(next_status(2s), "SIP/2.0 504 Timed Out");
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 200ms);
  EXPECT_LT(waited, 1500ms);
  EXPECT_EQ(g_timeouts_cleaned.load(), cleaned + 1);
  send("fast");
  EXPECT_EQ(next_status(2s), "SIP/2.0 200 fast");
}

TEST(BackgroundTasks, PostedTasksRunOffTheCallingThread) {
  BackgroundTasks tasks(1);
  std::atomic<bool> ran{false};
  std::thread::id where;
  tasks.post([&] {
    where = std::this_thread::get_id();
    ran = true;
  });
  for (int i = 0; i < 200 && !ran; ++i) std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(ran);
  EXPECT_NE(where, std::this_thread::get_id());
}

TEST(BackgroundTasks, PeriodicJobsRepeatWithoutOverlapUntilCancelled) {
  BackgroundTasks tasks(2);
  std::atomic<int> runs{0};
  std::atomic<int> running{0};
  std::atomic<bool> overlapped{false};
  std::uint64_t id = tasks.every(10ms, [&] {
    if (++running > 1) overlapped = true;
    std::this_thread::sleep_for(15ms);  // longer than the interval
    --running;
    ++runs;
  });
  for (int i = 0; i < 200 && runs < 4; ++i) std::this_thread::sleep_for(5ms);
  tasks.cancel(id);
  int after_cancel = runs.load();
  std::this_thread::sleep_for(60ms);
  EXPECT_GE(after_cancel, 4);
  EXPECT_LE(runs.load(), after_cancel + 1);  // at most the run under way finishes
  EXPECT_FALSE(overlapped);
}

TEST(BackgroundTasks, StopDropsWhatHasNotStartedAndRefusesMore) {
  BackgroundTasks tasks(1);
  std::atomic<int> runs{0};
  tasks.post([&] { std::this_thread::sleep_for(50ms); ++runs; });
  for (int i = 0; i < 10; ++i) tasks.post([&] { ++runs; });
  std::this_thread::sleep_for(10ms);
  tasks.stop();
  EXPECT_LE(runs.load(), 1);
  EXPECT_FALSE(tasks.post([&] { ++runs; }));
}

}  // namespace
