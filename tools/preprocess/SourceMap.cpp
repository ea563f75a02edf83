// Segments are appended in output order, so lookup is a binary search.
#include "kamc/preprocess/SourceMap.h"

#include <algorithm>
#include <iterator>
#include <string>

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

const MapSegment* SourceMap::segmentAt(uint32_t outOffset) const {
  auto it = std::upper_bound(segments_.begin(), segments_.end(), outOffset,
                             [](uint32_t off, const MapSegment& s) { return off < s.outStart; });
  return it == segments_.begin() ? nullptr : &*(it - 1);
}

MappedLocation SourceMap::lookup(uint32_t outOffset, const SourceManager& sm) const {
  const MapSegment* found = segmentAt(outOffset);
  if (!found) return {};
  const MapSegment& seg = *found;
  // Past the end of a segment (e.g. at EOF) maps to just after its last byte.
  uint32_t delta = std::min(outOffset - seg.outStart, seg.length);
  if (seg.file == kNoFile) return {{}, seg.expansion};
  return {sm.location(seg.file, seg.fileOffset + delta), seg.expansion};
}

namespace {

// Clang's -fmacro-backtrace-limit default: a define that nests itself 64 deep
// would otherwise bury the error under 64 notes.
constexpr size_t kMaxExpansionNotes = 6;

// Keeps the outermost and innermost notes of a long chain, and says how many
// were left out between them.
void elideMiddle(std::vector<DiagnosticNote>& chain) {
  if (chain.size() <= kMaxExpansionNotes) return;
  size_t keepOuter = kMaxExpansionNotes / 2, keepInner = kMaxExpansionNotes - keepOuter;
  size_t skipped = chain.size() - keepOuter - keepInner;
  DiagnosticNote gap{chain[keepOuter].loc,
                     "(" + std::to_string(skipped) + " more #!define expansions in between)"};
  chain.erase(chain.begin() + keepOuter, chain.end() - keepInner);
  chain.insert(chain.begin() + keepOuter, std::move(gap));
}

}  // namespace

void SourceMap::addExpansionNotes(Diagnostic& d, int expansion) const {
  if (expansion < 0 || size_t(expansion) >= expansions_.size()) return;
  // Walking out from the innermost define: each level's note points into its
  // own body (where the offending text, or the next define, is written), and
  // the next level's spelling is this level's use site.
  std::vector<DiagnosticNote> chain;
  SourceLocation spelling = d.loc;
  const DefineExpansion* outermost = nullptr;
  for (int e = expansion; e >= 0 && size_t(e) < expansions_.size(); e = expansions_[e].parent) {
    outermost = &expansions_[e];
    chain.push_back({spelling.valid() ? spelling : outermost->definedAt,
                     "expanded from #!define " + outermost->name});
    spelling = outermost->useSite;
  }
  std::reverse(chain.begin(), chain.end());  // clang's order: outermost first
  elideMiddle(chain);
  d.loc = outermost->useSite;
  // The finding covers the define's name where it is used.
  d.end = d.loc.valid() ? SourceLocation{d.loc.file, d.loc.line, d.loc.column + uint32_t(outermost->name.size())}
                        : SourceLocation{};
  d.notes.insert(d.notes.begin(), std::make_move_iterator(chain.begin()), std::make_move_iterator(chain.end()));
}

}  // namespace kamc
