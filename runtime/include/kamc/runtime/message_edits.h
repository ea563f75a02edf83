// Pending changes to a received message (Kamailio's "lumps"): the original buffer is never
// modified; insertions and deletions by offset are applied once, when a copy is sent.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kamc::runtime {

class MessageEdits {
 public:
  void insert(std::size_t offset, std::string text);
  void remove(std::size_t offset, std::size_t length);
  void replace(std::size_t offset, std::size_t length, std::string text);
  bool empty() const { return edits_.empty(); }
  // True when a deletion covers `offset` (e.g. a header already removed by remove_hf).
  bool is_removed(std::size_t offset) const;

  // The original with every edit applied. Edits at the same offset keep their order;
  // overlapping deletions are merged, so removing a header twice is harmless.
  std::string apply(std::string_view original) const;
  // Only original[begin, end) with the edits that start inside it, e.g. one header line
  // copied into a locally generated reply.
  std::string apply_range(std::string_view original, std::size_t begin, std::size_t end) const;

 private:
  struct Edit {
    std::size_t offset = 0;
    std::size_t delete_length = 0;
    std::string insert_text;
  };
  std::vector<Edit> edits_;
};

}  // namespace kamc::runtime
