// Maps every byte of preprocessor output back to the original file, line and
// column, through includes and #!define expansions (multi-line ones too).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kamc/basic/Diagnostics.h"
#include "kamc/basic/SourceManager.h"

namespace kamc {

// One use of a #!define: which name, where it was used and where it was defined.
struct DefineExpansion {
  std::string name;
  SourceLocation useSite;
  SourceLocation definedAt;
  int parent = -1;  // the expansion this use sits in, for nested defines
};

// A run of output bytes that are consecutive bytes of one original buffer.
struct MapSegment {
  uint32_t outStart = 0;
  uint32_t length = 0;
  FileId file = kNoFile;  // kNoFile: text kamc generated itself
  uint32_t fileOffset = 0;
  int expansion = -1;     // index into expansions(), -1 outside any define
};

struct MappedLocation {
  SourceLocation loc;
  int expansion = -1;
};

class SourceMap {
 public:
  void append(uint32_t outStart, uint32_t length, FileId file,
              uint32_t fileOffset, int expansion);
  int addExpansion(DefineExpansion e);

  MappedLocation lookup(uint32_t outOffset, const SourceManager& sm) const;
  // The segment holding output byte outOffset (the last one, past the end);
  // null before the first.
  const MapSegment* segmentAt(uint32_t outOffset) const;
  const std::vector<DefineExpansion>& expansions() const { return expansions_; }
  // For a diagnostic located in text of the given expansion (d.loc is where
  // the text is written in a define body): moves it to where the outermost
  // define is used, as Kamailio reports it, and adds one "expanded from
  // #!define X" note per level, outermost first, each at the spot in that
  // define's body the text comes from (clang's macro backtrace; a long chain
  // keeps its first and last three). No change for expansion -1.
  void addExpansionNotes(Diagnostic& d, int expansion) const;
  const std::vector<MapSegment>& segments() const { return segments_; }

 private:
  std::vector<MapSegment> segments_;
  std::vector<DefineExpansion> expansions_;
};

}  // namespace kamc
