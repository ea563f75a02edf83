// Line tables are built once per buffer; lookups are a binary search.
#include "kamc/basic/SourceManager.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace kamc {

SourceManager::SourceManager() { files_.emplace_back(); }

FileId SourceManager::addBuffer(std::string path, std::string content,
                                SourceLocation includedAt) {
  auto f = std::make_unique<SourceFile>();
  f->path = std::move(path);
  f->content = std::move(content);
  f->includedAt = includedAt;
  f->lineStarts.push_back(0);
  for (uint32_t i = 0; i < f->content.size(); ++i)
    if (f->content[i] == '\n') f->lineStarts.push_back(i + 1);
  files_.push_back(std::move(f));
  return static_cast<FileId>(files_.size() - 1);
}

std::optional<FileId> SourceManager::addFile(const std::string& path,
                                             SourceLocation includedAt) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return addBuffer(path, text.str(), includedAt);
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
