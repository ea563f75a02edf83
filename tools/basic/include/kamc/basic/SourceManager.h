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

// Editor buffers that stand in for files on disk: the language server's open
// documents. Keys are absolute, lexically normal paths, so "a/../b.cfg" and
// the editor's "/ws/b.cfg" name the same buffer.
class FileOverlay {
 public:
  void set(const std::string& path, std::string content);
  void erase(const std::string& path);
  // The buffer for a path as a tool names it (relative to the current
  // directory, or absolute), or null when the disk is to be read.
  const std::string* find(const std::string& path) const;
  static std::string normalize(const std::string& path);

 private:
  std::vector<std::pair<std::string, std::string>> buffers_;
};

class SourceManager {
 public:
  SourceManager();

  // Registers text under a name; used for files and for virtual buffers such
  // as "<command line>" (the -A defines).
  FileId addBuffer(std::string path, std::string content,
                   SourceLocation includedAt = {});
  // Reads a file from the overlay or else from disk; nullopt if it cannot be
  // read. A file (or pipe: /dev/zero never ends) longer than
  // limits::kMaxIncludeBytes is refused too, with the reason in *refusal.
  std::optional<FileId> addFile(const std::string& path,
                                SourceLocation includedAt = {},
                                std::string* refusal = nullptr);
  // Open editor buffers to read before the disk; the overlay must outlive
  // the files added after this call.
  void setOverlay(const FileOverlay* overlay) { overlay_ = overlay; }
  size_t fileCount() const { return files_.size() - 1; }

  const SourceFile& file(FileId id) const { return *files_.at(id); }
  SourceLocation location(FileId id, uint32_t offset) const;
  std::string_view lineText(FileId id, uint32_t line) const;
  // Offset of a line:column pair, used by tests and the language server.
  uint32_t offsetOf(SourceLocation loc) const;

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;  // index 0 is unused
  const FileOverlay* overlay_ = nullptr;
};

}  // namespace kamc
