// Module instances (parameters and init state per Runtime) and lookups over the
// built-in modules' export records.
#include "module.h"

#include <stdexcept>

#include "kamc/catalog/Catalog.h"
#include "kamc/runtime/log.h"

namespace kamc::runtime {

ModuleInstance::ModuleInstance(const ModuleExports& exports, Runtime& runtime)
    : exports_(&exports), runtime_(&runtime) {
  for (const ParamExport& param : exports.params) {
    const catalog::ParamInfo* info = catalog::findParam(exports.name, param.name);
    ParamValue value;
    value.is_int = !info || info->type != catalog::ParamType::Str;
    value.number = param.number;
    value.text = std::string(param.text);
    params_.push_back(std::move(value));
  }
}

const ParamValue& ModuleInstance::param(std::string_view name) const {
  for (std::size_t i = 0; i < exports_->params.size(); ++i) {
    if (exports_->params[i].name == name) return params_[i];
  }
  throw std::logic_error("module " + std::string(exports_->name) + " exports no parameter " + std::string(name));
}

long long ModuleInstance::param_number(std::string_view name) const { return param(name).number; }
const std::string& ModuleInstance::param_text(std::string_view name) const { return param(name).text; }

bool ModuleInstance::set_param(std::string_view name, const ParamValue& value, std::string& error) {
  std::string where = "modparam(\"" + std::string(exports_->name) + "\", \"" + std::string(name) + "\")";
  const catalog::ParamInfo* info = catalog::findParam(exports_->name, name);
  if (!info) {
    error = where + ": module " + std::string(exports_->name) + " has no parameter '" + std::string(name) + "'";
    return false;
  }
  catalog::ParamType given = value.is_int ? catalog::ParamType::Int : catalog::ParamType::Str;
  if (!catalog::paramAccepts(info->type, given)) {
    error = where + ": the parameter takes " + (info->type == catalog::ParamType::Int ? "an integer" : "a string") +
            ", not " + (value.is_int ? "an integer" : "a string");
    return false;
  }
  for (std::size_t i = 0; i < exports_->params.size(); ++i) {
    if (exports_->params[i].name != name) continue;
    params_[i] = value;
    return true;
  }
  log_format(L_WARN, "%s is not implemented by the kamc runtime and has no effect", where.c_str());
  return true;
}

std::size_t module_index(const ModuleExports& exports) {
  auto modules = builtin_modules();
  for (std::size_t i = 0; i < modules.size(); ++i) {
    if (modules[i] == &exports) return i;
  }
  throw std::logic_error("module " + std::string(exports.name) + " is not built in");
}

const ModuleExports* find_module(std::string_view name) {
  for (const ModuleExports* module : builtin_modules()) {
    if (module->name == name) return module;
  }
  return nullptr;
}

}  // namespace kamc::runtime
