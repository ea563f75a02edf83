// Owns every file kamc reads and turns byte offsets into line:column pairs.
// Each inclusion of a file gets its own FileId, so a location always knows the
// include chain that led to it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kamc {

using FileId = uint32_t;
constexpr FileId kNoFile = 0;

// A position in an original file: 1-based line and column (bytes, a tab is one
// column, as Kamailio counts them).
struct SourceLocation {
  FileId file = kNoFile;
  uint32_t line = 0;
  uint32_t column = 0;

  bool valid() const { return file != kNoFile; }
  bool operator==(const SourceLocation&) const = default;
};

struct SourceFile {
  std::string path;          // as named by the user or the include directive
  std::string content;
  SourceLocation includedAt; // where this file was included; invalid for roots
  std::vector<uint32_t> lineStarts;
};

class SourceManager {
 public:
  SourceManager();

  // Registers text under a name; used for files and for virtual buffers such
  // as "<command line>" (the -A defines).
  FileId addBuffer(std::string path, std::string content,
                   SourceLocation includedAt = {});
  // Reads a file from disk; nullopt if it cannot be read.
  std::optional<FileId> addFile(const std::string& path,
                                SourceLocation includedAt = {});

  const SourceFile& file(FileId id) const { return *files_.at(id); }
  SourceLocation location(FileId id, uint32_t offset) const;
  std::string_view lineText(FileId id, uint32_t line) const;
  // Offset of a line:column pair, used by tests and the language server.
  uint32_t offsetOf(SourceLocation loc) const;

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;  // index 0 is unused
};

}  // namespace kamc
