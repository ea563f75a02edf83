// Checks of top-level items against the module catalog: core parameter
// names and loaded module names.
#include "CoreParamValues.h"
#include "LintSupport.h"
#include "kamc/catalog/Catalog.h"
#include "kamc/lint/Lint.h"

namespace kamc::lint {
namespace {

// group.var and group[1].var are custom (config framework) parameters,
// declared by the config itself or a module; only plain names are core.
bool isPlainName(const std::string& name) { return name.find_first_of(".[") == std::string::npos; }

void checkGlobalParam(const LintContext& ctx, const ast::GlobalParamItem& p) {
  if (p.name.empty() || !isPlainName(p.name)) return;
  if (const catalog::CoreParamInfo* info = catalog::findCoreParam(p.name)) return checkCoreParamValue(ctx, p, *info);
  ctx.report("kamc-unknown-core-param", p,
             "unknown core parameter '" + p.name + "'; Kamailio 5.6 refuses to start with it");
}

void checkLoadModule(const LintContext& ctx, const ast::LoadModuleItem& m) {
  // loadmodulex paths may hold variables evaluated at start-up.
  if (m.extended || m.path.value.empty() || m.path.value.find('$') != std::string::npos) return;
  std::string name = m.moduleName();
  if (catalog::findModule(name)) return;
  if (const catalog::RemovedModuleInfo* removed = catalog::findRemovedModule(name)) {
    Diagnostic& d = ctx.report("kamc-removed-module", m,
                               "module '" + name + "' does not exist in Kamailio 5.6 (" + std::string(removed->doc) +
                                   "); Kamailio refuses to start (\"could not find module\")");
    std::vector<std::string> loads;
    for (std::string_view r : removed->replacements()) loads.push_back("loadmodule \"" + std::string(r) + ".so\"");
    if (!loads.empty())
      d.notes.push_back({m.loc, "use " + joinWords(loads, "or") + " instead"});
    return;
  }
  ctx.report("kamc-unknown-module", m,
             "module '" + name + "' is not a Kamailio 5.6 module known to kamc; its functions and "
             "parameters cannot be checked");
}

}  // namespace

void checkCatalogItems(const LintContext& ctx) {
  for (const ast::TopItemPtr& item : ctx.config.items) {
    if (item->kind == ast::TopKind::GlobalParam)
      checkGlobalParam(ctx, static_cast<const ast::GlobalParamItem&>(*item));
    else if (item->kind == ast::TopKind::LoadModule)
      checkLoadModule(ctx, static_cast<const ast::LoadModuleItem&>(*item));
  }
}

}  // namespace kamc::lint
