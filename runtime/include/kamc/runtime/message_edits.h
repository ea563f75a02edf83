// Pending changes to a received message (Kamailio's "lumps"): the original buffer is never
// modified; insertions and deletions by offset are applied once, when a copy is sent.
// Some insertions depend on where the copy goes (rr's Record-Route, path's Path name the
// sending socket): those are typed deferred texts, rendered when the socket is known, as
// Kamailio resolves its conditional lumps at send time.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kamc/runtime/socket_address.h"

namespace kamc::runtime {

struct ListenSocket;

// The sockets a forwarded request involves: where it arrived and where it leaves from.
struct SendSockets {
  const ListenSocket& received_on;
  Protocol received_protocol;
  const ListenSocket& sent_from;
};

// Text whose final form is only known at send time.
class DeferredText {
 public:
  virtual ~DeferredText() = default;
  virtual std::string render(const SendSockets& sockets) const = 0;
};

class MessageEdits {
 public:
  void insert(std::size_t offset, std::string text);
  // Inserted as `text` renders for the sockets given to apply(); nothing without them
  // (a local reply, which never carries these lines).
  void insert_deferred(std::size_t offset, std::shared_ptr<const DeferredText> text);
  void remove(std::size_t offset, std::size_t length);
  void replace(std::size_t offset, std::size_t length, std::string text);
  bool empty() const { return edits_.empty(); }
  // True when a deletion covers `offset` (e.g. a header already removed by remove_hf).
  bool is_removed(std::size_t offset) const;

  // The original with every edit applied. Edits at the same offset keep their order;
  // overlapping deletions are merged, so removing a header twice is harmless.
  std::string apply(std::string_view original, const SendSockets* sockets = nullptr) const;
  // Only original[begin, end) with the edits that start inside it, e.g. one header line
  // copied into a locally generated reply.
  std::string apply_range(std::string_view original, std::size_t begin, std::size_t end) const;

 private:
  struct Edit {
    std::size_t offset = 0;
    std::size_t delete_length = 0;
    std::string insert_text;
    std::shared_ptr<const DeferredText> deferred;
  };
  std::vector<Edit> edits_;
};

}  // namespace kamc::runtime
