// Finding the nodes under a position.
#include "kamc/sema/NodeAt.h"

#include "kamc/ast/AstWalk.h"

namespace kamc::sema {
namespace {

bool contains(const ast::Node& n, uint32_t offset) {
  return n.range.begin <= offset && offset <= n.range.end && n.range.end > n.range.begin;
}

const ast::Word* wordAt(const ast::TopItem& item, uint32_t offset) {
  auto pick = [&](const ast::Word& w) { return contains(w, offset) ? &w : nullptr; };
  switch (item.kind) {
    case ast::TopKind::LoadModule: return pick(static_cast<const ast::LoadModuleItem&>(item).path);
    case ast::TopKind::Modparam: {
      auto& m = static_cast<const ast::ModparamItem&>(item);
      if (const ast::Word* w = pick(m.modules)) return w;
      return pick(m.param);
    }
    case ast::TopKind::Route: {
      auto& r = static_cast<const ast::RouteItem&>(item);
      return r.name ? pick(*r.name) : nullptr;
    }
    default: return nullptr;
  }
}

}  // namespace

std::optional<uint32_t> preprocessedOffset(const SourceMap& map, FileId file, uint32_t fileOffset) {
  for (const MapSegment& s : map.segments())
    if (s.file == file && s.expansion < 0 && fileOffset >= s.fileOffset && fileOffset <= s.fileOffset + s.length)
      return s.outStart + (fileOffset - s.fileOffset);
  return std::nullopt;
}

const ast::CallExpr* NodePath::enclosingCall() const {
  for (auto it = exprs.rbegin(); it != exprs.rend(); ++it)
    if ((*it)->kind == ast::ExprKind::Call) return static_cast<const ast::CallExpr*>(*it);
  return nullptr;
}

NodePath nodeAt(const ast::Config& config, uint32_t offset) {
  NodePath path;
  for (const ast::TopItemPtr& item : config.items) {
    if (!contains(*item, offset)) continue;
    path.item = item.get();
    path.word = wordAt(*item, offset);
    // The value of a modparam is an expression of the item itself.
    if (item->kind == ast::TopKind::Modparam) {
      const ast::Expr* value = static_cast<const ast::ModparamItem&>(*item).value.get();
      if (value && contains(*value, offset)) path.exprs.push_back(value);
    }
    if (item->kind != ast::TopKind::Route) break;
    ast::AstVisitor v;
    v.onStatement = [&](const ast::Statement& s) {
      if (contains(s, offset)) path.statements.push_back(&s);
    };
    v.onExpr = [&](const ast::Expr& e) {
      if (contains(e, offset)) path.exprs.push_back(&e);
    };
    ast::walk(static_cast<const ast::RouteItem&>(*item).body.get(), v);
    break;
  }
  return path;
}

}  // namespace kamc::sema
