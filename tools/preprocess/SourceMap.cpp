// Segments are appended in output order, so lookup is a binary search.
#include "kamc/preprocess/SourceMap.h"

#include <algorithm>

namespace kamc {

void SourceMap::append(uint32_t outStart, uint32_t length, FileId file,
                       uint32_t fileOffset, int expansion) {
  if (length == 0) return;
  if (!segments_.empty()) {
    MapSegment& last = segments_.back();
    bool contiguous = last.outStart + last.length == outStart && last.file == file &&
                      last.expansion == expansion &&
                      last.fileOffset + last.length == fileOffset;
    if (contiguous) {
      last.length += length;
      return;
    }
  }
  segments_.push_back({outStart, length, file, fileOffset, expansion});
}

int SourceMap::addExpansion(DefineExpansion e) {
  expansions_.push_back(std::move(e));
  return static_cast<int>(expansions_.size() - 1);
}

MappedLocation SourceMap::lookup(uint32_t outOffset, const SourceManager& sm) const {
  auto it = std::upper_bound(
      segments_.begin(), segments_.end(), outOffset,
      [](uint32_t off, const MapSegment& s) { return off < s.outStart; });
  if (it == segments_.begin()) return {};
  const MapSegment& seg = *(it - 1);
  // Past the end of a segment (e.g. at EOF) maps to just after its last byte.
  uint32_t delta = std::min(outOffset - seg.outStart, seg.length);
  if (seg.file == kNoFile) return {{}, seg.expansion};
  return {sm.location(seg.file, seg.fileOffset + delta), seg.expansion};
}

void SourceMap::addExpansionNotes(Diagnostic& d, int expansion) const {
  for (int e = expansion; e >= 0 && size_t(e) < expansions_.size(); e = expansions_[e].parent) {
    const DefineExpansion& x = expansions_[e];
    d.notes.push_back({x.definedAt, "expanded from #!define " + x.name});
    d.notes.push_back({x.useSite, "where " + x.name + " is used"});
  }
}

}  // namespace kamc
