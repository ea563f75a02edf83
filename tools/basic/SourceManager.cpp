// Line tables are built once per buffer; lookups are a binary search.
#include "kamc/basic/SourceManager.h"

#include "kamc/basic/Limits.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

namespace kamc {

SourceManager::SourceManager() { files_.emplace_back(); }

FileId SourceManager::addBuffer(std::string path, std::string content,
                                SourceLocation includedAt) {
  auto f = std::make_unique<SourceFile>();
  f->path = std::move(path);
  f->content = std::move(content);
  f->includedAt = includedAt;
  f->lineStarts.push_back(0);
  for (size_t nl = f->content.find('\n'); nl != std::string::npos;
       nl = f->content.find('\n', nl + 1))
    f->lineStarts.push_back(static_cast<uint32_t>(nl + 1));
  files_.push_back(std::move(f));
  return static_cast<FileId>(files_.size() - 1);
}

namespace {

// Plain POSIX reads: a short-lived tool such as kamc -E should not pay for
// iostream's locale machinery on every start (about 0.2 ms here).
// Reading stops one byte past `limit`: a pipe may never end.
enum class ReadOutcome { Read, CannotOpen, TooLarge };

ReadOutcome readWholeFile(const std::string& path, size_t limit, std::string& content) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ReadOutcome::CannotOpen;
  // Read straight into the string, sized from fstat, so a config costs no
  // bounce buffer; the loop still handles files that grow or pipes (size 0).
  struct stat st {};
  size_t capacity = ::fstat(fd, &st) == 0 && st.st_size > 0 ? size_t(st.st_size) + 1 : 4096;
  content.assign(std::min(capacity, limit + 1), '\0');
  size_t used = 0;
  for (;;) {
    if (used > limit) {
      ::close(fd);
      return ReadOutcome::TooLarge;
    }
    if (used == content.size()) content.resize(std::min(content.size() * 2, limit + 1));
    ssize_t n = ::read(fd, content.data() + used, content.size() - used);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return ReadOutcome::CannotOpen;  // e.g. EISDIR for a directory
    }
    used += static_cast<size_t>(n);
  }
  ::close(fd);
  content.resize(used);
  return ReadOutcome::Read;
}

}  // namespace

std::string FileOverlay::normalize(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(path, ec);
  return (ec ? std::filesystem::path(path) : p).lexically_normal().string();
}

void FileOverlay::set(const std::string& path, std::string content) {
  std::string key = normalize(path);
  for (auto& [k, v] : buffers_)
    if (k == key) {
      v = std::move(content);
      return;
    }
  buffers_.emplace_back(std::move(key), std::move(content));
}

void FileOverlay::erase(const std::string& path) {
  std::string key = normalize(path);
  std::erase_if(buffers_, [&](const auto& b) { return b.first == key; });
}

const std::string* FileOverlay::find(const std::string& path) const {
  if (buffers_.empty()) return nullptr;
  std::string key = normalize(path);
  for (const auto& [k, v] : buffers_)
    if (k == key) return &v;
  return nullptr;
}

std::optional<FileId> SourceManager::addFile(const std::string& path,
                                             SourceLocation includedAt,
                                             std::string* refusal) {
  if (overlay_)
    if (const std::string* buffer = overlay_->find(path)) return addBuffer(path, *buffer, includedAt);
  std::string content;
  switch (readWholeFile(path, limits::kMaxIncludeBytes, content)) {
    case ReadOutcome::Read: return addBuffer(path, std::move(content), includedAt);
    case ReadOutcome::TooLarge:
      if (refusal)
        *refusal = "is larger than kamc's limit of " + std::to_string(limits::kMaxIncludeBytes >> 20) +
                   " MB for a config file";
      return std::nullopt;
    case ReadOutcome::CannotOpen: return std::nullopt;
  }
  return std::nullopt;
}

SourceLocation SourceManager::location(FileId id, uint32_t offset) const {
  const SourceFile& f = file(id);
  auto it = std::upper_bound(f.lineStarts.begin(), f.lineStarts.end(), offset);
  uint32_t lineIndex = static_cast<uint32_t>(it - f.lineStarts.begin()) - 1;
  return {id, lineIndex + 1, offset - f.lineStarts[lineIndex] + 1};
}

std::string_view SourceManager::lineText(FileId id, uint32_t line) const {
  const SourceFile& f = file(id);
  if (line == 0 || line > f.lineStarts.size()) return {};
  uint32_t begin = f.lineStarts[line - 1];
  uint32_t end = line < f.lineStarts.size() ? f.lineStarts[line] - 1
                                            : static_cast<uint32_t>(f.content.size());
  std::string_view text(f.content.data() + begin, end - begin);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

uint32_t SourceManager::offsetOf(SourceLocation loc) const {
  const SourceFile& f = file(loc.file);
  if (loc.line == 0 || loc.line > f.lineStarts.size()) return f.content.size();
  return f.lineStarts[loc.line - 1] + loc.column - 1;
}

}  // namespace kamc
