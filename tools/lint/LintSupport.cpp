// Module scope, call resolution and route-type names shared by the checks.
#include "LintSupport.h"

#include <algorithm>
#include <set>

namespace kamc::lint {

using catalog::FunctionInfo;

namespace {

// The functions that name a route block, and the kind they name.
struct RouteNamingFunction {
  std::string_view name;
  ast::RouteKind kind;
  std::string_view eventPrefix;  // t_on_branch_failure names event_route[tm:branch-failure:X]
};
constexpr RouteNamingFunction kRouteNamers[] = {
    {"route", ast::RouteKind::Named, ""},
    {"t_on_failure", ast::RouteKind::Failure, ""},
    {"t_on_branch", ast::RouteKind::Branch, ""},
    {"t_on_reply", ast::RouteKind::OnReply, ""},
    {"t_on_branch_failure", ast::RouteKind::Event, "tm:branch-failure:"},
};

}  // namespace

const char* kindWords(ast::RouteKind k) {
  switch (k) {
    case ast::RouteKind::Named: return "route";
    case ast::RouteKind::Failure: return "failure_route";
    case ast::RouteKind::Branch: return "branch_route";
    case ast::RouteKind::OnReply: return "onreply_route";
    case ast::RouteKind::Event: return "event_route";
    default: return "route";
  }
}

std::optional<RouteReference> referenceOf(const ast::CallExpr& call) {
  for (const RouteNamingFunction& f : kRouteNamers) {
    if (call.callee != f.name || call.args.size() != 1) continue;
    const ast::Expr& arg = *call.args[0];
    RouteReference ref{&call, {f.kind, ""}};
    if (arg.kind == ast::ExprKind::String) {
      ref.target.second = static_cast<const ast::StringExpr&>(arg).value;
      ref.dynamic = ref.target.second.find('$') != std::string::npos;
    } else if (arg.kind == ast::ExprKind::Call && !static_cast<const ast::CallExpr&>(arg).hasParens) {
      ref.target.second = static_cast<const ast::CallExpr&>(arg).callee;
    } else if (arg.kind == ast::ExprKind::Number) {
      ref.target.second = arg.text;  // SER-era route(1) / route[1]
    } else {
      ref.dynamic = true;
    }
    if (!f.eventPrefix.empty()) ref.target.second = std::string(f.eventPrefix) + ref.target.second;
    return ref;
  }
  return std::nullopt;
}

ModuleSet::ModuleSet(const ast::Config& config) {
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
    if (!m.info) opaqueOrders_.push_back(i);
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

std::string loadHint(std::string_view module) {
  return "add loadmodule \"" + std::string(module) + ".so\"";
}

namespace {

// Edits between two names, a swap of neighbours counting as one (xlgo -> xlog).
size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string joinWords(const std::vector<std::string>& words, std::string_view lastJoin) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " " + std::string(lastJoin) + " " : ", ";
    out += words[i];
  }
  return out;
}

std::string closestName(std::string_view name, const std::vector<std::string_view>& candidates) {
  // A typo is one or two edits; more than that suggests nonsense.
  size_t limit = name.size() < 6 ? 1 : 2;
  std::string_view best;
  size_t bestDistance = limit + 1;
  for (std::string_view c : candidates) {
    if (c == name) continue;
    size_t d = editDistance(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return std::string(best);
}

catalog::RouteType kamailioRouteType(const ast::RouteItem& route) {
  using ast::RouteKind;
  switch (route.routeKind) {
    case RouteKind::Request:
    case RouteKind::Named: return catalog::RequestRoute;
    case RouteKind::Failure: return catalog::FailureRoute;
    case RouteKind::OnReply:
      // onreply_route and onreply_route[0] are the core reply route.
      return !route.name || route.name->value == "0" ? catalog::CoreOnReplyRoute : catalog::TmOnReplyRoute;
    case RouteKind::Reply: return catalog::CoreOnReplyRoute;
    case RouteKind::Branch: return catalog::BranchRoute;
    case RouteKind::OnSend: return catalog::OnSendRoute;
    case RouteKind::Event: return catalog::EventRoute;
  }
  return catalog::RequestRoute;
}

std::string routeLabel(const ast::RouteItem& route) {
  std::string label = route.keyword;
  if (route.name) label += "[" + route.name->value + "]";
  return label;
}

std::string allowedBlocks(catalog::RouteMask mask) {
  using namespace catalog;
  constexpr RouteMask kEveryBlock = (OnEventRoute << 1) - 1;  // every bit Kamailio defines
  if (mask == AnyRoute) return "any route block";
  if ((mask & kEveryBlock) == (kEveryBlock & ~OnSendRoute)) return "every block but onsend_route";
  if (mask == 0) return "no route block (it is an API for other modules)";
  struct Word {
    RouteMask bits;
    const char* words;
  };
  // Combined bits first, so ONREPLY_ROUTE reads as one word.
  static constexpr Word kWords[] = {
      {RequestRoute, "request_route"},
      {FailureRoute, "failure_route"},
      {OnReplyRoute, "onreply_route"},
      {TmOnReplyRoute, "onreply_route[name]"},
      {CoreOnReplyRoute, "reply_route"},
      {BranchRoute, "branch_route"},
      {OnSendRoute, "onsend_route"},
      {OnEventRoute, "event_route"},
      {ErrorRoute, "event_route[core:error]"},
      {LocalRoute, "event_route[tm:local-request]"},
      {BranchFailureRoute, "event_route[tm:branch-failure]"},
  };
  std::vector<std::string> words;
  RouteMask left = mask;
  for (const Word& w : kWords) {
    if ((left & w.bits) != w.bits) continue;
    words.push_back(w.words);
    left &= ~w.bits;
  }
  return joinWords(words, "and");
}

size_t orderOf(const ast::Config& config, const ast::TopItem& item) {
  for (size_t i = 0; i < config.items.size(); ++i)
    if (config.items[i].get() == &item) return i;
  return config.items.size();
}

std::string argCountWords(const std::vector<const FunctionInfo*>& rows) {
  std::set<size_t> counts;
  for (const FunctionInfo* f : rows)
    for (size_t n = f->minArgs; n <= f->maxArgs; ++n) counts.insert(n);
  std::vector<std::string> words;
  for (size_t n : counts) words.push_back(std::to_string(n));
  bool one = counts.size() == 1 && *counts.begin() == 1;
  return joinWords(words, "or") + (one ? " argument" : " arguments");
}

}  // namespace kamc::lint
