// Per-message state and the per-worker $var table.
#include "kamc/runtime/message_context.h"

#include "kamc/runtime/runtime.h"
#include "kamc/sip/well_formed.h"

namespace kamc::runtime {

MessageContext::MessageContext(const Runtime& runtime_in, std::string_view buffer_in, ReceiveInfo received_in,
                               Transport* transport_in)
    : runtime(runtime_in), buffer(buffer_in), received(std::move(received_in)), transport(transport_in) {}

const sip::ParseResult& MessageContext::parse(sip::FramingMode mode) {
  parse_result = sip::parse_and_check(buffer, message, mode);
  return parse_result;
}

std::string_view MessageContext::request_uri() const {
  if (new_request_uri) return *new_request_uri;
  return message.request_uri_text();
}

std::size_t MessageContext::offset_of(std::string_view part) const {
  return static_cast<std::size_t>(part.data() - buffer.data());
}

std::string_view MessageContext::keep(std::string text) {
  scratch_.push_back(std::move(text));
  return scratch_.back();
}

std::size_t MessageContext::runtime_var_count() const { return runtime.var_count(); }

std::vector<StoredValue>& worker_vars(std::size_t count) {
  thread_local std::vector<StoredValue> vars;
  if (vars.size() < count) vars.resize(count);
  return vars;
}

}  // namespace kamc::runtime
