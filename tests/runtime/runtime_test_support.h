// Helpers for runtime tests: a Runtime with listen addresses, and a message context built
// from literal SIP text the way a worker builds one from a datagram.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kamc/runtime/message_context.h"
#include "kamc/runtime/runtime.h"

namespace kamc::runtime::testing {

// A runtime whose own addresses are udp and tcp 127.0.0.1:5080 and udp [::1]:5080.
inline std::unique_ptr<Runtime> make_runtime() {
  auto runtime = std::make_unique<Runtime>();
  runtime->local_addresses().add_listen(Protocol::Udp, *SocketAddress::from_ip("127.0.0.1", 5080));
  runtime->local_addresses().add_listen(Protocol::Tcp, *SocketAddress::from_ip("127.0.0.1", 5080));
  runtime->local_addresses().add_listen(Protocol::Udp, *SocketAddress::from_ip("::1", 5080));
  return runtime;
}

// A parsed message received over UDP from 192.0.2.10:5099 on the first listen socket.
struct ReceivedMessage {
  std::string text;
  std::unique_ptr<MessageContext> context;

  ReceivedMessage(const Runtime& runtime, std::string sip, Protocol protocol = Protocol::Udp) : text(std::move(sip)) {
    ReceiveInfo received;
    received.protocol = protocol;
    received.source = *SocketAddress::from_ip("192.0.2.10", 5099);
    received.local = &runtime.local_addresses().sockets()[protocol == Protocol::Udp ? 0 : 1];
    context = std::make_unique<MessageContext>(runtime, text, received);
    auto mode = protocol == Protocol::Udp ? sip::FramingMode::Datagram : sip::FramingMode::Stream;
    EXPECT_TRUE(context->parse(mode).ok()) << context->parse_result.reason;
  }
  MessageContext& operator*() { return *context; }
  MessageContext* operator->() { return context.get(); }
  kamc_rt_msg* abi() { return to_abi(context.get()); }
  // The message as it would leave after the route's edits.
  std::string edited() const { return context->edits.apply(text); }
};

inline std::string invite(std::string_view extra_headers = "", std::string_view ruri = "sip:bob@biloxi.example.com") {
  return "INVITE " + std::string(ruri) + " SIP/2.0\r\n"
         "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport\r\n"
         "Max-Forwards: 70\r\n"
         "To: Bob <sip:bob@biloxi.example.com>\r\n"
         "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
         "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
         "CSeq: 314159 INVITE\r\n"
         "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
         "User-Agent: kamc-test/1\r\n" +
         std::string(extra_headers) +
         "Content-Type: application/sdp\r\n"
         "Content-Length: 4\r\n"
         "\r\n"
         "v=0\n";
}

// Fixes up a call with string arguments through the ABI and runs it on the message.
inline int call(Runtime& runtime, ReceivedMessage& message, const char* name, std::vector<std::string> args = {}) {
  std::vector<kamc_rt_arg> abi_args;
  for (const auto& arg : args) abi_args.push_back({KAMC_RT_ARG_STR, 0, arg.c_str(), arg.size()});
  char error[256] = {};
  const kamc_rt_call* handle =
      kamc_rt_fixup_call(to_abi(&runtime), name, abi_args.data(), static_cast<int>(abi_args.size()), error, sizeof error);
  EXPECT_NE(handle, nullptr) << error;
  if (!handle) return -100;
  return kamc_rt_call_function(message.abi(), handle);
}

// A transport that keeps what would be sent, for tests of replies and relays.
struct CapturingTransport : Transport {
  std::vector<std::string> sent;
  bool send(const SendTarget&, std::string_view bytes) override {
    sent.emplace_back(bytes);
    return true;
  }
};

// The load-time error of a call of `name` with string arguments, which must not fix up.
inline std::string fixup_error(Runtime& runtime, const char* name, const std::vector<std::string>& args) {
  std::vector<kamc_rt_arg> abi_args;
  for (const auto& arg : args) abi_args.push_back({KAMC_RT_ARG_STR, 0, arg.c_str(), arg.size()});
  char error[256] = {};
  const kamc_rt_call* handle = kamc_rt_fixup_call(to_abi(&runtime), name, abi_args.data(),
                                                  static_cast<int>(abi_args.size()), error, sizeof error);
  EXPECT_EQ(handle, nullptr) << name << " should not fix up";
  return error;
}

// A pseudo-variable handle, which must fix up.
inline const kamc_rt_pv* fixup_pv_ok(Runtime& runtime, const std::string& name) {
  char error[256] = {};
  const kamc_rt_pv* handle = kamc_rt_fixup_pv(to_abi(&runtime), name.c_str(), error, sizeof error);
  EXPECT_NE(handle, nullptr) << name << ": " << error;
  return handle;
}

// The value of a pseudo-variable as text: "<null>", the string, or the integer in decimal.
inline std::string pv_text(ReceivedMessage& message, const kamc_rt_pv* handle) {
  if (!handle) return "<fixup failed>";
  kamc_rt_value value{};
  EXPECT_EQ(kamc_rt_get_pv(message.abi(), handle, &value), 0);
  if (value.flags == KAMC_RT_VAL_NULL) return "<null>";
  if (value.flags & KAMC_RT_VAL_STR) return std::string(value.text, value.length);
  return std::to_string(value.number);
}

inline int set_pv_text(ReceivedMessage& message, const kamc_rt_pv* handle, const std::string& text) {
  kamc_rt_value value{KAMC_RT_VAL_STR, 0, text.data(), text.size()};
  return kamc_rt_set_pv(message.abi(), handle, &value);
}

// Every value of the header `name` in the header section of `message`, joined by '|'.
inline std::string header_values(const std::string& message, const std::string& name) {
  std::string headers = message.substr(0, message.find("\r\n\r\n") + 2);
  std::string found;
  std::string prefix = "\r\n" + name + ": ";
  for (std::size_t pos = 0; (pos = headers.find(prefix, pos)) != std::string::npos;) {
    std::size_t start = pos + prefix.size();
    std::size_t end = headers.find("\r\n", start);
    found += (found.empty() ? "" : "|") + headers.substr(start, end - start);
    pos = end;
  }
  return found;
}

}  // namespace kamc::runtime::testing
