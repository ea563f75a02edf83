// Pseudo-variables as Kamailio reads them. In the script, $name(inner) and
// $(...) must name a variable of the core or of a module loaded above, with
// valid transformations (kamailio -c refuses the config otherwise), while a
// plain $name or $name[i] that is no such variable silently becomes an AVP.
// Inside format-string arguments kamailio -c parses nothing, but the
// module's fixup does at start-up and fails on the same mistakes.
#include <cctype>
#include <set>

#include "LintSupport.h"
#include "TransformationParams.h"
#include "kamc/ast/AstWalk.h"
#include "kamc/lint/Lint.h"

namespace kamc::lint {
namespace {

using ast::PseudoVariable;

// Why a pseudo-variable does not resolve, and which rule says so.
struct PvProblem {
  std::string message;
  const LoadedModule* loadedLater = nullptr;
  bool moduleMissing = false;  // its module is not loaded (above the use)
  bool aboutTransformation = false;
  std::string missingModule = {};  // not loaded anywhere: the loadmodule fix adds it
  // "$rU.x" in a string: the first `length` bytes ("$rU") respelt ("$(rU)").
  size_t respellLength = 0;
  std::string respelling = {};
};

std::string_view ruleFor(const PvProblem& p) {
  if (p.moduleMissing) return "kamc-module-not-loaded";
  return p.aboutTransformation ? "kamc-unknown-transformation" : "kamc-unknown-pv";
}

std::vector<std::string_view> pvNames() {
  std::vector<std::string_view> names;
  for (const catalog::PseudoVariableInfo& p : catalog::allPseudoVariables()) names.push_back(p.name);
  return names;
}

class PvJudge {
 public:
  explicit PvJudge(const ModuleSet& modules) : modules_(modules) {}

  // The catalog row Kamailio would use at `order`, or null.
  const catalog::PseudoVariableInfo* resolve(const PseudoVariable& pv, size_t order) const {
    for (const catalog::PseudoVariableInfo& p : catalog::pseudoVariablesNamed(pv.className))
      if (available(p.module, order)) return &p;
    return nullptr;
  }

  std::optional<PvProblem> judge(const PseudoVariable& pv, size_t order) const {
    if (pv.serAvp) return std::nullopt;
    std::optional<PvProblem> problem = judgeName(pv, order);
    if (problem) return problem;
    for (const ast::Transformation& t : pv.transformations)
      if ((problem = judgeTransformation(pv, t, order))) return problem;
    return std::nullopt;
  }

 private:
  bool available(std::string_view module, size_t order) const {
    return module == "core" || modules_.loadedBefore(module, order);
  }

  std::optional<PvProblem> judgeName(const PseudoVariable& pv, size_t order) const {
    auto rows = catalog::pseudoVariablesNamed(pv.className);
    if (rows.empty()) {
      if (modules_.opaqueBefore(order)) return std::nullopt;
      std::string message = "unknown pseudo-variable $" + pv.className;
      // In a string, "$ru." is the name "ru.": pv_parse_spec takes '.' and '?' into names.
      size_t stop = pv.className.find_first_of(".?");
      std::string before = pv.className.substr(0, stop);
      if (stop != std::string::npos && stop > 0 && !catalog::pseudoVariablesNamed(before).empty()) {
        message += ": Kamailio reads '" + pv.className.substr(stop, 1) + "' as part of the name; write $(" + before +
                   ")" + pv.className.substr(stop) + " to end it before";
        PvProblem p{message};
        p.respellLength = 1 + before.size();
        p.respelling = "$(" + before + ")";
        return p;
      }
      static const std::vector<std::string_view> names = pvNames();
      std::string guess = closestName(pv.className, names);
      if (!guess.empty()) message += "; did you mean $" + guess + "?";
      return PvProblem{message};
    }
    const catalog::PseudoVariableInfo* row = resolve(pv, order);
    if (!row) return notLoaded("pseudo-variable $" + pv.className, rows[0].module);
    if (row->takesName && !pv.inner)
      return PvProblem{"$" + pv.className + " needs a name in parentheses: $" + pv.className + "(name)"};
    if (!row->takesName && pv.inner)
      return PvProblem{"$" + pv.className + " takes no name in parentheses"};
    return std::nullopt;
  }

  std::optional<PvProblem> judgeTransformation(const PseudoVariable& pv, const ast::Transformation& t,
                                               size_t order) const {
    std::string_view module;
    std::vector<std::string_view> names;
    for (const catalog::TransformationInfo& info : catalog::allTransformations()) {
      if (info.className != t.className) continue;
      module = info.module;
      names.push_back(info.name);
    }
    auto problem = [&](std::string message) {
      PvProblem p{std::move(message)};
      p.aboutTransformation = true;
      return p;
    };
    if (module.empty()) {
      if (modules_.opaqueBefore(order)) return std::nullopt;
      return problem("unknown transformation class '" + t.className + "' in " + t.text + " of " + pv.text);
    }
    if (!available(module, order)) {
      std::optional<PvProblem> p = notLoaded("transformation " + t.text, module);
      p->aboutTransformation = true;
      return p;
    }
    // Every module compares transformation names ignoring case ({s.Len}).
    std::string name = t.name;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const catalog::TransformationInfo* info = catalog::findTransformation(t.className, name);
    if (!info) {
      std::string message = "unknown transformation " + t.text + ": class '" + t.className + "' has no '" + t.name + "'";
      std::string guess = closestName(name, names);
      if (!guess.empty()) message += "; did you mean {" + t.className + "." + guess + "}?";
      return problem(message);
    }
    TransformationParams params = readTransformationParams(*info, t);
    if (!params.error.empty()) return problem(params.error);
    for (const TransformationParam& param : params.params)
      if (param.pv && !param.pv->serAvp)
        if (std::optional<PvProblem> p = judge(*param.pv, order)) return p;
    return std::nullopt;
  }

  std::optional<PvProblem> notLoaded(const std::string& what, std::string_view module) const {
    PvProblem p;
    p.moduleMissing = true;
    if (const LoadedModule* later = modules_.loadedAnywhere(module)) {
      p.message = what + " comes from module " + std::string(module) + ", which is loaded only further down";
      p.loadedLater = later;
    } else {
      p.message = what + " comes from module " + std::string(module) + ", which is not loaded; " + loadHint(module);
      p.missingModule = module;
    }
    return p;
  }

  const ModuleSet& modules_;
};

// A plain $name or $name[i] in the script: Kamailio's lexer reads it as an
// AVP when no pseudo-variable of that name exists (and always with [i]).
bool isAvpSpelling(const PseudoVariable& pv) { return !pv.parenthesized && !pv.inner && !pv.serAvp; }

class PvChecker {
 public:
  PvChecker(const LintContext& ctx, const ModuleSet& modules) : ctx_(ctx), modules_(modules), judge_(modules) {}

  void checkRoute(const ast::RouteItem& route, size_t order) {
    order_ = order;
    ast::AstVisitor v;
    v.onStatement = [&](const ast::Statement& s) {
      if (s.kind == ast::StmtKind::Assign) assignTargets_.insert(static_cast<const ast::AssignStmt&>(s).target.get());
    };
    v.onExpr = [&](const ast::Expr& e) {
      if (e.kind == ast::ExprKind::Assign) assignTargets_.insert(static_cast<const ast::AssignExpr&>(e).target.get());
      if (e.kind == ast::ExprKind::PseudoVar) checkScriptPv(static_cast<const ast::PseudoVarExpr&>(e));
      if (e.kind == ast::ExprKind::Call) checkFormatArguments(static_cast<const ast::CallExpr&>(e));
    };
    ast::walk(route.body.get(), v);
  }

 private:
  void checkScriptPv(const ast::PseudoVarExpr& e) {
    const PseudoVariable& pv = e.pv;
    if (isAvpSpelling(pv)) return checkAvpSpelling(e);
    if (std::optional<PvProblem> p = judge_.judge(pv, order_)) {
      report(ruleFor(*p), e, *p, " (kamailio -c refuses the config)");
      return;
    }
    if (assignTargets_.count(&e)) checkWritable(e);
  }

  void checkAvpSpelling(const ast::PseudoVarExpr& e) {
    const PseudoVariable& pv = e.pv;
    if (pv.index && judge_.resolve(pv, order_)) {
      std::string meant = "$(" + pv.className + "[" + *pv.index + "])";
      Diagnostic& d = ctx_.report("kamc-implicit-avp", e,
                                  pv.text + " is read as the AVP $avp(" + pv.className + ")[" + *pv.index +
                                      "], not as the pseudo-variable: Kamailio takes $name[i] for an AVP; write " +
                                      meant);
      if (d.end.valid() && pv.transformations.empty()) d.fixes.push_back({"Change to " + meant, e.loc, d.end, meant});
      return;
    }
    if (pv.index) return;  // $x[i] of no pseudo-variable: an AVP, as meant
    if (std::optional<PvProblem> p = judge_.judge(pv, order_)) {
      report("kamc-implicit-avp", e, *p, "; Kamailio reads " + pv.text + " as the AVP $avp(" + pv.className + ")");
      return;
    }
    if (assignTargets_.count(&e)) checkWritable(e);
  }

  void checkWritable(const ast::PseudoVarExpr& e) {
    const catalog::PseudoVariableInfo* row = judge_.resolve(e.pv, order_);
    if (!row || row->writable()) return;
    ctx_.report("kamc-readonly-pv", e,
                e.pv.text + " is read-only and cannot be assigned (kamailio -c: \"read only pvar in assignment "
                            "left side\")");
  }

  // Format-string arguments (kind spv) are parsed by the module at start-up.
  void checkFormatArguments(const ast::CallExpr& call) {
    CallResolution r = resolveCall(call, modules_, order_);
    if (r.status != CallResolution::Status::Found) return;
    std::span<const catalog::ArgKind> kinds = r.rows.front()->kinds();
    for (size_t i = 0; i < call.args.size() && i < kinds.size(); ++i) {
      if (kinds[i] != catalog::ArgKind::Spv || call.args[i]->kind != ast::ExprKind::String) continue;
      auto& text = static_cast<const ast::StringExpr&>(*call.args[i]);
      std::string suffix = " (in a format argument of '" + call.callee +
                           "': kamailio -c does not look, but the module's start-up fixup fails on it)";
      ast::FormatParse format = ast::parseFormat(text.value);
      for (const ast::FormatPart& part : format.parts) {
        if (!part.isVariable || part.pv->serAvp) continue;
        std::optional<PvProblem> p = judge_.judge(*part.pv, order_);
        if (!p) continue;
        Diagnostic& d = report("kamc-bad-format", text, *p, suffix);
        // The fix needs the variable's column: the literal must be written as
        // decoded (no escape, no line break) up to the end of the name.
        size_t upTo = part.offset + p->respellLength;
        bool plain = text.expansion < 0 && text.text.size() > upTo + 1 && text.value.size() >= upTo &&
                     text.text.compare(1, upTo, text.value, 0, upTo) == 0 &&
                     text.value.find('\n') >= upTo;
        if (plain && p->respellLength) {
          SourceLocation at{text.loc.file, text.loc.line, text.loc.column + 1 + uint32_t(part.offset)};
          d.fixes.push_back({"Change to " + p->respelling, at, {at.file, at.line, at.column + uint32_t(p->respellLength)},
                             p->respelling});
        }
      }
      // pv_parse_format refuses a '$' that starts no pseudo-variable ("a $ b").
      for (const auto& [offset, error] : format.errors)
        report("kamc-bad-format", text,
               PvProblem{"'$' at character " + std::to_string(offset + 1) + " of the format starts no "
                         "pseudo-variable (" + error + "); write $$ for a '$'"},
               suffix);
    }
  }

  Diagnostic& report(std::string_view rule, const ast::Node& at, const PvProblem& p, const std::string& suffix) {
    Diagnostic& d = ctx_.report(rule, at, p.message + suffix);
    if (p.loadedLater) d.notes.push_back({p.loadedLater->item->loc, "the module is loaded here"});
    if (!p.missingModule.empty()) d.fixes.push_back(loadmoduleFix(modules_, p.missingModule));
    return d;
  }

  const LintContext& ctx_;
  const ModuleSet& modules_;
  PvJudge judge_;
  size_t order_ = 0;
  std::set<const ast::Expr*> assignTargets_;
};

}  // namespace

void checkPseudoVariables(const LintContext& ctx) {
  ModuleSet modules(ctx.config);
  PvChecker checker(ctx, modules);
  for (size_t i = 0; i < ctx.config.items.size(); ++i)
    if (ctx.config.items[i]->kind == ast::TopKind::Route)
      checker.checkRoute(static_cast<const ast::RouteItem&>(*ctx.config.items[i]), i);
}

}  // namespace kamc::lint
