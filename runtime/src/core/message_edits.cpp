// Applying edits in one pass over the original buffer.
#include "kamc/runtime/message_edits.h"

#include <algorithm>

namespace kamc::runtime {

void MessageEdits::insert(std::size_t offset, std::string text) { edits_.push_back({offset, 0, std::move(text)}); }

void MessageEdits::insert_deferred(std::size_t offset, std::shared_ptr<const DeferredText> text) {
  edits_.push_back({offset, 0, {}, std::move(text)});
}

void MessageEdits::remove(std::size_t offset, std::size_t length) { edits_.push_back({offset, length, {}}); }

void MessageEdits::replace(std::size_t offset, std::size_t length, std::string text) {
  edits_.push_back({offset, length, std::move(text)});
}

bool MessageEdits::is_removed(std::size_t offset) const {
  return std::any_of(edits_.begin(), edits_.end(), [offset](const Edit& edit) {
    return edit.delete_length > 0 && offset >= edit.offset && offset < edit.offset + edit.delete_length;
  });
}

std::string MessageEdits::apply_range(std::string_view original, std::size_t begin, std::size_t end) const {
  MessageEdits inside;
  for (const auto& edit : edits_) {
    if (edit.offset >= begin && edit.offset < end) {
      std::size_t length = std::min(edit.delete_length, end - edit.offset);
      inside.edits_.push_back({edit.offset - begin, length, edit.insert_text, edit.deferred});
    }
  }
  return inside.apply(original.substr(begin, end - begin));
}

std::string MessageEdits::apply(std::string_view original, const SendSockets* sockets) const {
  std::vector<const Edit*> ordered;
  ordered.reserve(edits_.size());
  std::size_t growth = 0;
  for (const auto& edit : edits_) {
    ordered.push_back(&edit);
    growth += edit.insert_text.size();
  }
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const Edit* a, const Edit* b) { return a->offset < b->offset; });
  std::string out;
  out.reserve(original.size() + growth);
  std::size_t copied_up_to = 0;  // everything before this offset is emitted or deleted
  for (const Edit* edit : ordered) {
    std::size_t offset = std::min(edit->offset, original.size());
    if (offset > copied_up_to) {
      out.append(original.substr(copied_up_to, offset - copied_up_to));
      copied_up_to = offset;
    }
    out += edit->insert_text;
    if (edit->deferred && sockets) out += edit->deferred->render(*sockets);
    std::size_t delete_end = std::min(original.size(), offset + edit->delete_length);
    copied_up_to = std::max(copied_up_to, delete_end);
  }
  if (copied_up_to < original.size()) out.append(original.substr(copied_up_to));
  return out;
}

}  // namespace kamc::runtime
