// Every call as Kamailio resolves it while reading the file: the function
// must be exported by the core or by a module loaded above the call, with
// that many arguments, for the type of the block it is written in.
#include <algorithm>
#include <cctype>
#include <set>

#include "LintSupport.h"
#include "kamc/ast/AstWalk.h"
#include "kamc/lint/Lint.h"

namespace kamc::lint {
namespace {

using Status = CallResolution::Status;

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// Every function name of the catalog, for did-you-mean.
const std::vector<std::string_view>& allFunctionNames() {
  static const std::vector<std::string_view> names = [] {
    std::set<std::string_view> unique;
    for (const catalog::FunctionInfo& f : catalog::allFunctions())
      if (f.routeMask != 0) unique.insert(f.name);
    return std::vector<std::string_view>(unique.begin(), unique.end());
  }();
  return names;
}

std::vector<std::string> modulesOf(const std::vector<const catalog::FunctionInfo*>& rows) {
  std::vector<std::string> names;
  for (const catalog::FunctionInfo* f : rows)
    if (std::find(names.begin(), names.end(), f->module) == names.end()) names.emplace_back(f->module);
  return names;
}

// A known function that is not part of the core grammar (unknown names have
// their own finding).
bool isModuleFunction(const CallResolution& r) {
  switch (r.status) {
    case Status::Found:
    case Status::WrongArgCount: return r.rows.front()->module != "core";
    case Status::NotLoaded: return true;
    default: return false;
  }
}

class CallChecker {
 public:
  CallChecker(const LintContext& ctx, const ModuleSet& modules) : ctx_(ctx), modules_(modules) {}

  void checkRoute(const ast::RouteItem& route, size_t order) {
    route_ = &route;
    order_ = order;
    ast::AstVisitor v;
    v.onExpr = [&](const ast::Expr& e) {
      // Pre-order: a comparison is seen before the words on its right.
      for (const ast::CallExpr* word : bareValueWords(e)) valueWords_.insert(word);
      if (e.kind == ast::ExprKind::Call) checkCall(static_cast<const ast::CallExpr&>(e));
    };
    ast::walk(route.body.get(), v);
  }

 private:
  void checkCall(const ast::CallExpr& call) {
    if (routeNames_.count(&call) || valueWords_.count(&call)) return;
    CallResolution r = resolveCall(call, modules_, order_);
    switch (r.status) {
      case Status::Keyword: return checkOnsendOnlyKeyword(call);
      case Status::Opaque: return;
      case Status::Unknown: return unknown(call);
      case Status::NotLoaded: return notLoaded(call, r);
      case Status::WrongArgCount: return wrongArgCount(call, r);
      case Status::Found: break;
    }
    bool isCore = r.rows.front()->module == "core";
    if (!call.hasParens && !std::any_of(r.rows.begin(), r.rows.end(), [](auto* f) { return f->bareAllowed; }))
      reportCall("kamc-missing-parens", call,
                  quoted(call.callee) + " is a function: write " + call.callee +
                      "() (Kamailio stops with \"'('')' expected (function call)\")");
    checkRouteType(call, r);
    checkOpensipsSaveFlags(call, r);
    noteRouteNameArguments(call, r, isCore);
    if (!isCore) checkArgumentsHaveNoCalls(call);
  }

  // cfg.y's onsend_check: snd_ip and to_ip are refused while parsing any other block,
  // named routes included (the other snd_/to_ keywords parse everywhere).
  void checkOnsendOnlyKeyword(const ast::CallExpr& call) {
    if (call.callee != "snd_ip" && call.callee != "to_ip") return;
    if (kamailioRouteType(*route_) == catalog::OnSendRoute) return;
    ctx_.report("kamc-route-type", call,
                quoted(call.callee) + " cannot be used in " + routeLabel(*route_) +
                    " (Kamailio: \"" + call.callee + " allowed only in onsend_routes\")");
  }

  // save("location", "p2v"): OpenSIPS' letters where Kamailio takes a number. kamc
  // runs them with their OpenSIPS meaning (registrar.cpp); Kamailio's fixup refuses them
  // at start-up, although kamailio -c passes.
  void checkOpensipsSaveFlags(const ast::CallExpr& call, const CallResolution& r) {
    const catalog::FunctionInfo& row = *r.rows.front();
    if (row.module != "registrar" || row.name != "save" || call.args.size() < 2) return;
    const ast::Expr& flags = *call.args[1];
    if (flags.kind != ast::ExprKind::String) return;
    const std::string& text = static_cast<const ast::StringExpr&>(flags).value;
    if (text.empty() || std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '$') return;
    Diagnostic& d = ctx_.report("kamc-opensips-syntax", flags,
                                "save() flags " + quoted(text) +
                                    " are OpenSIPS syntax: Kamailio takes a number here and refuses to start on them "
                                    "(save_fixup(): bad flags <" + text + ">)");
    d.notes.push_back({flags.loc, "kamc applies the OpenSIPS meaning (p0/p1/p2: path off/lazy/strict, v: use received, m: memory "
                  "only, r: no reply); for a portable config set registrar's use_path, path_mode and "
                  "path_use_received modparams instead"});
  }

  // route(NAME) takes a bare route name; a module function does not, since
  // Kamailio reads a bare name in its arguments as a function call.
  void noteRouteNameArguments(const ast::CallExpr& call, const CallResolution& r, bool isCore) {
    std::span<const catalog::ArgKind> kinds = r.rows.front()->kinds();
    for (size_t i = 0; i < call.args.size() && i < kinds.size(); ++i) {
      const ast::Expr& arg = *call.args[i];
      if (kinds[i] != catalog::ArgKind::Route || arg.kind != ast::ExprKind::Call) continue;
      auto& name = static_cast<const ast::CallExpr&>(arg);
      if (name.hasParens) continue;
      routeNames_.insert(&name);
      if (!isCore)
        ctx_.report("kamc-call-in-argument", name,
                    "Kamailio reads the bare name " + quoted(name.callee) + " as a function call, which is not "
                        "allowed inside the arguments of " + quoted(call.callee) + "; write the route name as a "
                        "string: \"" + name.callee + "\"");
    }
  }

  // Kamailio's parser stops at the token after a bare name that needs '()',
  // so findings about such a name are reported there, with a note at the name.
  Diagnostic& reportCall(std::string_view rule, const ast::CallExpr& call, std::string message) {
    if (call.hasParens || !call.nextToken) return ctx_.report(rule, call, std::move(message));
    Diagnostic& d = ctx_.report(rule, *call.nextToken, std::move(message));
    d.notes.push_back({call.loc, quoted(call.callee) + " is written here, without '()'"});
    return d;
  }

  void unknown(const ast::CallExpr& call) {
    std::string message = "unknown function " + quoted(call.callee) + ": neither the core nor any Kamailio 5.6 module exports it";
    std::string guess = closestName(call.callee, allFunctionNames());
    if (!guess.empty()) {
      message += "; did you mean " + quoted(guess);
      const catalog::FunctionInfo& f = *catalog::functionsNamed(guess).begin();
      if (f.module != "core" && !modules_.loadedBefore(f.module, order_))
        message += " (module " + std::string(f.module) + ", not loaded)";
      message += "?";
    }
    if (!call.hasParens)
      message += " (Kamailio reads a bare name as a function call: is it a #!define that is not defined here?)";
    Diagnostic& d = reportCall("kamc-unknown-function", call, message);
    if (!guess.empty() && call.expansion < 0)
      d.fixes.push_back({"Change to " + quoted(guess), call.loc,
                         {call.loc.file, call.loc.line, call.loc.column + uint32_t(call.callee.size())}, guess});
  }

  void notLoaded(const ast::CallExpr& call, const CallResolution& r) {
    std::vector<std::string> modules = modulesOf(r.rows);
    for (const std::string& m : modules) {
      if (const LoadedModule* later = modules_.loadedAnywhere(m)) {
        Diagnostic& d = reportCall(
            "kamc-module-not-loaded", call,
            quoted(call.callee) + " comes from module " + m +
                ", which is loaded only further down; Kamailio looks functions up as it reads the "
                "file, so move the loadmodule above this line");
        d.notes.push_back({later->item->loc, "module " + m + " is loaded here"});
        return;
      }
    }
    std::string who = modules.size() == 1 ? "module " + modules[0] : "modules " + joinWords(modules, "or");
    Diagnostic& d = reportCall("kamc-module-not-loaded", call,
                               quoted(call.callee) + " comes from " + who + ", which is not loaded; " +
                                   loadHint(modules[0]) + " (Kamailio: \"unknown command, missing loadmodule?\")");
    for (const std::string& m : modules) d.fixes.push_back(loadmoduleFix(modules_, m));
  }

  void wrongArgCount(const ast::CallExpr& call, const CallResolution& r) {
    size_t given = call.args.size();
    reportCall("kamc-wrong-arg-count", call,
                quoted(call.callee) + " takes " + argCountWords(r.rows) + ", not " + std::to_string(given) +
                    " (Kamailio: \"failed to find command " + call.callee + " (params " + std::to_string(given) +
                    ")\")");
  }

  // Kamailio checks the route mask while parsing: a named route counts as
  // request_route there (calls through route() are the RouteTypes check's).
  void checkRouteType(const ast::CallExpr& call, const CallResolution& r) {
    catalog::RouteType type = kamailioRouteType(*route_);
    catalog::RouteMask mask = 0;
    for (const catalog::FunctionInfo* f : r.rows) {
      if (f->allowedIn(type)) return;
      mask |= f->routeMask;
    }
    std::string where = routeLabel(*route_);
    if (route_->routeKind == ast::RouteKind::Named) where += ", which Kamailio checks as a request_route";
    bool isCore = r.rows.front()->module == "core";
    const char* kamailioSays = isCore ? "command not allowed in onsend_route" : "Command cannot be used in the block";
    ctx_.report("kamc-route-type", call,
                quoted(call.callee) + " cannot be used in " + where + ": module " + std::string(r.rows.front()->module) +
                    " allows it in " + allowedBlocks(mask) + " (Kamailio: \"" + kamailioSays + "\")");
  }

  // Kamailio refuses a module function call inside another one's arguments.
  void checkArgumentsHaveNoCalls(const ast::CallExpr& outer) {
    ast::AstVisitor v;
    v.onExpr = [&](const ast::Expr& e) {
      if (e.kind != ast::ExprKind::Call) return;
      auto& inner = static_cast<const ast::CallExpr&>(e);
      CallResolution r = resolveCall(inner, modules_, order_);
      if (!isModuleFunction(r) || !nestedReported_.insert(&inner).second) return;
      ctx_.report("kamc-call-in-argument", inner,
                  "function " + quoted(inner.callee) + " is called inside the arguments of " + quoted(outer.callee) +
                      "; Kamailio does not allow it: store the result in a variable first");
    };
    for (const ast::ExprPtr& arg : outer.args) ast::walk(arg.get(), v);
  }

  const LintContext& ctx_;
  const ModuleSet& modules_;
  const ast::RouteItem* route_ = nullptr;
  size_t order_ = 0;
  std::set<const ast::CallExpr*> nestedReported_;
  std::set<const ast::CallExpr*> routeNames_;  // bare route names, judged by their call
  std::set<const ast::CallExpr*> valueWords_;  // method == INVITE, src_ip == localhost
};

}  // namespace

void checkFunctionCalls(const LintContext& ctx) {
  ModuleSet modules(ctx.config);
  CallChecker checker(ctx, modules);
  for (size_t i = 0; i < ctx.config.items.size(); ++i)
    if (ctx.config.items[i]->kind == ast::TopKind::Route)
      checker.checkRoute(static_cast<const ast::RouteItem&>(*ctx.config.items[i]), i);
}

}  // namespace kamc::lint
