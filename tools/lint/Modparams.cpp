// modparam("module", "name", value) as Kamailio applies it while reading the
// file: the module part is a case-insensitive regular expression over the
// modules loaded so far, each matching module must export the parameter,
// and the value must have the parameter's type (Kamailio converts neither
// way: "1000" is refused for an int parameter).
#include <map>
#include <regex>

#include "LintSupport.h"
#include "kamc/lint/Lint.h"

namespace kamc::lint {
namespace {

catalog::ParamType valueType(const ast::Expr& value) {
  return value.kind == ast::ExprKind::Number ? catalog::ParamType::Int : catalog::ParamType::Str;
}

const char* typeWords(catalog::ParamType t) {
  switch (t) {
    case catalog::ParamType::Int: return "an integer";
    case catalog::ParamType::Str: return "a string";
    case catalog::ParamType::IntOrStr: return "an integer or a string";
  }
  return "";
}

class ModparamChecker {
 public:
  ModparamChecker(const LintContext& ctx, const ModuleSet& modules) : ctx_(ctx), modules_(modules) {}

  void check(const ast::ModparamItem& item, size_t order) {
    if (!item.value) return;
    std::optional<std::regex> re = moduleRegex(item.modules.value);
    if (!re) {
      ctx_.report("kamc-module-not-loaded", item.modules,
                  "the module name '" + item.modules.value +
                      "' of this modparam is not a valid regular expression, so it matches no module");
      return;
    }
    bool matched = false;
    for (const LoadedModule& m : modules_.modules()) {
      if (m.order >= order || !std::regex_match(m.name, *re)) continue;
      matched = true;
      if (m.info) checkParam(item, m);
    }
    if (!matched && !modules_.opaqueBefore(order)) notLoaded(item, *re);
  }

 private:
  void checkParam(const ast::ModparamItem& item, const LoadedModule& m) {
    const catalog::ParamInfo* p = catalog::findParam(m.name, item.param.value);
    if (!p) return unknownParam(item, m);
    catalog::ParamType given = valueType(*item.value);
    if (!catalog::paramAccepts(p->type, given)) {
      std::string hint = given == catalog::ParamType::Str ? "; write the number without quotes" : "; quote the value";
      ctx_.report("kamc-modparam-type", *item.value,
                  "parameter '" + item.param.value + "' of module " + m.name + " takes " + typeWords(p->type) +
                      ", not " + typeWords(given) + hint + " (Kamailio converts neither way)");
    }
    if (!p->repeatable) checkRepeated(item, m);
  }

  void unknownParam(const ast::ModparamItem& item, const LoadedModule& m) {
    std::vector<std::string_view> names;
    for (const catalog::ParamInfo& p : m.info->params) names.push_back(p.name);
    std::string message = "module " + m.name + " has no parameter '" + item.param.value + "'";
    std::string guess = closestName(item.param.value, names);
    if (!guess.empty()) message += "; did you mean '" + guess + "'?";
    Diagnostic& d =
        ctx_.report("kamc-unknown-modparam", item.param, message + " (Kamailio: \"Can't set module parameter\")");
    // The name inside its quotes, when written as it reads (one literal, no escape).
    const ast::Word& w = item.param;
    if (!guess.empty() && w.expansion < 0 && w.text.size() == w.value.size() + 2 && w.text.front() == w.text.back())
      d.fixes.push_back({"Change to '" + guess + "'", {w.loc.file, w.loc.line, w.loc.column + 1},
                         {w.loc.file, w.loc.line, w.loc.column + 1 + uint32_t(w.value.size())}, guess});
  }

  void notLoaded(const ast::ModparamItem& item, const std::regex& re) {
    for (const LoadedModule& m : modules_.modules()) {
      if (!std::regex_match(m.name, re)) continue;
      Diagnostic& d = ctx_.report("kamc-module-not-loaded", item.modules,
                                  "modparam for module " + m.name +
                                      ", which is loaded only further down; Kamailio sets parameters as it "
                                      "reads the file, so move the loadmodule above this line");
      d.notes.push_back({m.item->loc, "module " + m.name + " is loaded here"});
      return;
    }
    std::string message = "modparam for '" + item.modules.value + "', but no loaded module matches";
    bool known = catalog::findModule(item.modules.value) != nullptr;
    if (known) message += "; " + loadHint(item.modules.value);
    Diagnostic& d = ctx_.report("kamc-module-not-loaded", item.modules, message + " (Kamailio: \"No module matching\")");
    if (known) d.fixes.push_back(loadmoduleFix(modules_, item.modules.value));
  }

  // A plain parameter keeps its last value: an earlier line is dead.
  void checkRepeated(const ast::ModparamItem& item, const LoadedModule& m) {
    auto key = std::make_pair(m.name, item.param.value);
    auto [it, fresh] = firstSet_.emplace(key, &item);
    if (fresh) return;
    Diagnostic& d = ctx_.report("kamc-duplicate-modparam", item.param,
                                "parameter '" + item.param.value + "' of module " + m.name +
                                    " is set again; only the last value counts");
    d.notes.push_back({it->second->loc, "first set here"});
  }

  const LintContext& ctx_;
  const ModuleSet& modules_;
  std::map<std::pair<std::string, std::string>, const ast::ModparamItem*> firstSet_;
};

}  // namespace

void checkModparams(const LintContext& ctx) {
  ModuleSet modules(ctx.config);
  ModparamChecker checker(ctx, modules);
  for (size_t i = 0; i < ctx.config.items.size(); ++i)
    if (ctx.config.items[i]->kind == ast::TopKind::Modparam)
      checker.check(static_cast<const ast::ModparamItem&>(*ctx.config.items[i]), i);
}

}  // namespace kamc::lint
