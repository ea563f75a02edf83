// Module scope and call resolution, as Kamailio looks names up while it reads
// the config.
#include "kamc/sema/Modules.h"

#include <algorithm>

namespace kamc::sema {

using catalog::FunctionInfo;

ModuleSet::ModuleSet(const ast::Config& config) {
  const ast::TopItem *first = nullptr, *lastLoad = nullptr;
  for (const ast::TopItemPtr& item : config.items) {
    if (!item->loc.valid() || item->expansion >= 0) continue;
    if (!first) first = item.get();
    if (item->kind == ast::TopKind::LoadModule) lastLoad = item.get();
  }
  if (lastLoad)
    newLoadmoduleAt_ = {lastLoad->loc.file, lastLoad->loc.line + 1, 1};
  else if (first)
    newLoadmoduleAt_ = {first->loc.file, first->loc.line, 1};
  for (size_t i = 0; i < config.items.size(); ++i) {
    if (config.items[i]->kind != ast::TopKind::LoadModule) continue;
    auto& item = static_cast<const ast::LoadModuleItem&>(*config.items[i]);
    // loadmodulex paths may hold variables: the module is known only at start-up.
    if (item.extended || item.path.value.find('$') != std::string::npos) {
      opaqueOrders_.push_back(i);
      continue;
    }
    LoadedModule m{item.moduleName(), nullptr, &item, i};
    m.info = catalog::findModule(m.name);
    // A module 5.6 no longer has is not loaded at all: it exports nothing,
    // and Kamailio reports the names that were its own as unknown.
    if (!m.info && !catalog::findRemovedModule(m.name)) opaqueOrders_.push_back(i);
    modules_.push_back(std::move(m));
  }
}

const LoadedModule* ModuleSet::loadedBefore(std::string_view name, size_t order) const {
  for (const LoadedModule& m : modules_)
    if (m.order < order && m.name == name) return &m;
  return nullptr;
}

const LoadedModule* ModuleSet::loadedAnywhere(std::string_view name) const {
  for (const LoadedModule& m : modules_)
    if (m.name == name) return &m;
  return nullptr;
}

bool ModuleSet::opaqueBefore(size_t order) const {
  return std::any_of(opaqueOrders_.begin(), opaqueOrders_.end(), [&](size_t o) { return o < order; });
}

CallResolution resolveCall(const ast::CallExpr& call, const ModuleSet& modules, size_t order) {
  using Status = CallResolution::Status;
  CallResolution r;
  if (!call.hasParens && catalog::findCoreKeyword(call.callee)) {
    r.status = Status::Keyword;
    return r;
  }
  std::vector<const FunctionInfo*> core, loaded, elsewhere;
  for (const FunctionInfo& f : catalog::functionsNamed(call.callee)) {
    if (f.module == "core")
      core.push_back(&f);
    else if (modules.loadedBefore(f.module, order))
      loaded.push_back(&f);
    else
      elsewhere.push_back(&f);
  }
  // Core names are tokens of Kamailio's grammar: they shadow module exports.
  std::vector<const FunctionInfo*>& candidates = !core.empty() ? core : loaded;
  if (!candidates.empty()) {
    for (const FunctionInfo* f : candidates)
      if (f->acceptsArgCount(call.args.size())) r.rows.push_back(f);
    r.status = r.rows.empty() ? Status::WrongArgCount : Status::Found;
    if (r.rows.empty()) r.rows = candidates;
    return r;
  }
  if (!elsewhere.empty()) {
    r.status = Status::NotLoaded;
    r.rows = elsewhere;
    return r;
  }
  r.status = modules.opaqueBefore(order) ? Status::Opaque : Status::Unknown;
  return r;
}

namespace {

const ast::CallExpr* bareName(const ast::Expr* e) {
  if (!e || e->kind != ast::ExprKind::Call || e->parenthesized) return nullptr;
  auto& call = static_cast<const ast::CallExpr&>(*e);
  return call.hasParens ? nullptr : &call;
}

// cfg.y's host: ID, host.ID, host-ID. Collects the words that kamc parsed as calls.
bool collectHostWords(const ast::Expr* e, std::vector<const ast::CallExpr*>& words) {
  if (const ast::CallExpr* name = bareName(e)) {
    words.push_back(name);
    return true;
  }
  if (!e || e->parenthesized) return false;
  if (e->kind == ast::ExprKind::Address)
    return static_cast<const ast::AddressExpr&>(*e).addressKind == ast::AddressKind::Host;
  if (e->kind != ast::ExprKind::Binary) return false;
  auto& minus = static_cast<const ast::BinaryExpr&>(*e);
  return minus.op == ast::BinaryOp::Minus && collectHostWords(minus.lhs.get(), words) &&
         collectHostWords(minus.rhs.get(), words);
}

}  // namespace

std::vector<const ast::CallExpr*> bareValueWords(const ast::Expr& e) {
  if (e.kind != ast::ExprKind::Binary) return {};
  auto& b = static_cast<const ast::BinaryExpr&>(e);
  switch (b.op) {  // cfg.y's strop
    case ast::BinaryOp::Eq: case ast::BinaryOp::Ne: case ast::BinaryOp::StrEq: case ast::BinaryOp::StrNe:
    case ast::BinaryOp::Match: break;
    default: return {};
  }
  const ast::CallExpr* keywordName = bareName(b.lhs.get());
  const catalog::CoreKeywordInfo* keyword = keywordName ? catalog::findCoreKeyword(keywordName->callee) : nullptr;
  if (!keyword || !keyword->takesBareWord) return {};
  std::vector<const ast::CallExpr*> words;
  if (keyword->type == catalog::KeywordType::Ip) {
    if (!collectHostWords(b.rhs.get(), words)) return {};
  } else if (const ast::CallExpr* word = bareName(b.rhs.get())) {
    words.push_back(word);
  }
  return words;
}

size_t orderOf(const ast::Config& config, const ast::TopItem& item) {
  for (size_t i = 0; i < config.items.size(); ++i)
    if (config.items[i].get() == &item) return i;
  return config.items.size();
}

}  // namespace kamc::sema
