// Route registration and the load-time fixups behind the kamc_rt_fixup_* ABI calls.
#include "kamc/runtime/runtime.h"

#include <stdexcept>

#include "background_tasks.h"
#include "compiled_regex.h"
#include "functions.h"
#include "kamc/runtime/log.h"
#include "module.h"

namespace kamc::runtime {

namespace {

// Index into tm_routes_ for a tm route kind, -1 for other kinds.
int tm_route_slot(int kind) {
  switch (kind) {
    case KAMC_RT_ROUTE_ONREPLY: return 0;
    case KAMC_RT_ROUTE_FAILURE: return 1;
    case KAMC_RT_ROUTE_BRANCH: return 2;
    default: return -1;
  }
}

constexpr const char* kTmRouteBlock[] = {"onreply_route", "failure_route", "branch_route"};

}  // namespace

Runtime::Runtime() : background_(std::make_unique<BackgroundTasks>()) {
  for (const ModuleExports* exports : builtin_modules()) {
    modules_.push_back(std::make_unique<ModuleInstance>(*exports, *this));
  }
  modules_.front()->loaded = true;  // the core
}

Runtime::~Runtime() {
  // Periodic jobs stop first, so that a module's destroy (a final flush) runs alone.
  background_->stop();
  if (!modules_initialized_) return;
  for (auto it = modules_.rbegin(); it != modules_.rend(); ++it) {
    if ((*it)->exports().destroy) (*it)->exports().destroy(**it);
  }
}

bool Runtime::load_module(std::string_view name) {
  for (auto& module : modules_) {
    if (module->exports().name != name) continue;
    module->loaded = true;
    return true;
  }
  return false;
}

bool Runtime::init_modules(std::string& error) {
  if (modules_initialized_) return true;
  modules_initialized_ = true;
  if (!settings_.log_prefix.empty()) {
    // As Kamailio: a log_prefix it cannot parse is reported, and lines go without it.
    std::string prefix_error;
    log_prefix_format_ = fixup_format(settings_.log_prefix, prefix_error);
    if (!log_prefix_format_) log_format(L_ERR, "log_prefix: %s", prefix_error.c_str());
  }
  // Every built-in module is initialised, loaded or not: its functions stay callable
  // from C++ route code and tests that never say loadmodule (cfgcheck and kamc -c
  // refuse a config that calls a function of a module it did not load).
  for (auto& module : modules_) {
    if (module->exports().init && !module->exports().init(*module, error)) {
      error = "module " + std::string(module->exports().name) + ": " + error;
      return false;
    }
  }
  return true;
}

bool Runtime::offer_reply_to_modules(MessageContext& reply) const {
  for (const auto& module : modules_) {
    if (module->exports().reply_received && module->exports().reply_received(reply)) return true;
  }
  return false;
}

void Runtime::request_route_done(MessageContext& request) const {
  for (const auto& module : modules_) {
    if (module->exports().request_route_done) module->exports().request_route_done(request);
  }
}

void Runtime::init_worker(int worker) const {
  for (const auto& module : modules_) {
    if (module->exports().child_init) module->exports().child_init(*module, worker);
  }
}

bool Runtime::register_route(int kind, std::string_view name, kamc_rt_route_fn fn, std::string& error) {
  if (!fn) {
    error = "route function is null";
    return false;
  }
  auto set_unique = [&](kamc_rt_route_fn& slot, std::string_view what) {
    if (slot) {
      error = std::string(what) + " is already registered";
      return false;
    }
    slot = fn;
    return true;
  };
  switch (kind) {
    case KAMC_RT_ROUTE_REQUEST: return set_unique(request_route_, "request_route");
    case KAMC_RT_ROUTE_REPLY: return set_unique(reply_route_, "reply_route");
    case KAMC_RT_ROUTE_NAMED: {
      NamedRoute& route = named_routes_[static_cast<std::size_t>(named_route_handle(name))];
      return set_unique(route.fn, "route[" + std::string(name) + "]");
    }
    case KAMC_RT_ROUTE_ONREPLY:
    case KAMC_RT_ROUTE_FAILURE:
    case KAMC_RT_ROUTE_BRANCH: {
      if (name.empty()) {
        error = std::string(kTmRouteBlock[tm_route_slot(kind)]) + " needs a name";
        return false;
      }
      int slot = tm_route_slot(kind);
      NamedRoute& route = tm_routes_[slot][static_cast<std::size_t>(tm_route_handle(kind, name))];
      return set_unique(route.fn, std::string(kTmRouteBlock[slot]) + "[" + std::string(name) + "]");
    }
    default:
      // onsend/event routes need the event machinery: refused loudly.
      error = "route kind " + std::to_string(kind) + " is not supported by this runtime yet";
      return false;
  }
}

int Runtime::named_route_handle(std::string_view name) {
  for (std::size_t i = 0; i < named_routes_.size(); ++i) {
    if (named_routes_[i].name == name) return static_cast<int>(i);
  }
  named_routes_.push_back({std::string(name), nullptr});
  return static_cast<int>(named_routes_.size() - 1);
}

kamc_rt_route_fn Runtime::named_route(int handle) const {
  if (handle < 0 || static_cast<std::size_t>(handle) >= named_routes_.size()) return nullptr;
  return named_routes_[static_cast<std::size_t>(handle)].fn;
}

int Runtime::tm_route_handle(int kind, std::string_view name) {
  int slot = tm_route_slot(kind);
  if (slot < 0 || name.empty()) return -1;
  auto& routes = tm_routes_[slot];
  for (std::size_t i = 0; i < routes.size(); ++i) {
    if (routes[i].name == name) return static_cast<int>(i);
  }
  routes.push_back({std::string(name), nullptr});
  return static_cast<int>(routes.size() - 1);
}

kamc_rt_route_fn Runtime::tm_route(int kind, int handle) const {
  int slot = tm_route_slot(kind);
  if (slot < 0 || handle < 0 || static_cast<std::size_t>(handle) >= tm_routes_[slot].size()) return nullptr;
  return tm_routes_[slot][static_cast<std::size_t>(handle)].fn;
}

bool Runtime::check_routes(std::string& error) const {
  for (const auto& route : named_routes_) {
    if (!route.fn) {
      error = "route[" + route.name + "] is called but never defined";
      return false;
    }
  }
  for (int slot = 0; slot < 3; ++slot) {
    for (const auto& route : tm_routes_[slot]) {
      if (!route.fn) {
        error = std::string(kTmRouteBlock[slot]) + "[" + route.name + "] is used but never defined";
        return false;
      }
    }
  }
  return true;
}

bool Runtime::set_modparam(std::string_view module, std::string_view name, const kamc_rt_arg& value,
                           std::string& error) {
  const ModuleExports* exports = find_module(module);
  if (!exports) {
    log_format(L_INFO, "modparam(\"%.*s\", \"%.*s\"): module not provided by the kamc runtime",
               static_cast<int>(module.size()), module.data(), static_cast<int>(name.size()), name.data());
    return true;
  }
  if (modules_initialized_) {
    error = "modparam(\"" + std::string(module) + "\", ...) after the modules were initialised";
    return false;
  }
  ParamValue param;
  param.is_int = value.kind == KAMC_RT_ARG_INT;
  param.number = value.number;
  if (!param.is_int) param.text.assign(value.text ? value.text : "", value.text ? value.length : 0);
  return modules_[module_index(*exports)]->set_param(name, param, error);
}

const FunctionCall* Runtime::fixup_call(std::string_view name, std::span<const kamc_rt_arg> args, std::string& error) {
  if (!init_modules(error)) return nullptr;
  const catalog::FunctionInfo* row = native_row(name, args.size(), error);
  if (!row) return nullptr;
  const FunctionExport* entry = find_function(row->module, row->name);
  if (!entry) {  // a catalog row marked native without a body: runtime.CatalogConsistency catches it
    error = std::string(row->module) + "." + std::string(name) + "() is marked native but has no runtime body";
    return nullptr;
  }
  auto call = std::make_unique<FunctionCall>();
  call->entry = entry;
  call->module = find_module(row->module);
  call->row = row;
  call->runtime = this;
  for (std::size_t index = 0; index < args.size(); ++index) {
    const kamc_rt_arg& arg = args[index];
    FixedArg fixed;
    if (arg.kind != KAMC_RT_ARG_INT) fixed.written.assign(arg.text ? arg.text : "", arg.text ? arg.length : 0);
    if (arg.kind == KAMC_RT_ARG_INT) {
      fixed.is_int = true;
      fixed.number = arg.number;
    } else if (literal_argument(*row, index)) {
      fixed.is_literal = true;
    } else {
      auto format = Format::parse(fixed.written, var_slots_, error);
      if (!format) return nullptr;
      fixed.format = std::move(*format);
    }
    call->args.push_back(std::move(fixed));
  }
  if (entry->fixup && !entry->fixup(*call, error)) return nullptr;
  calls_.push_back(std::move(call));
  return calls_.back().get();
}

const PvSpec* Runtime::fixup_pv(std::string_view name, std::string& error) {
  auto spec = parse_pv(name, var_slots_, error);
  if (!spec) return nullptr;
  pvs_.push_back(std::make_unique<PvSpec>(std::move(*spec)));
  return pvs_.back().get();
}

const Format* Runtime::fixup_format(std::string_view text, std::string& error) {
  auto format = Format::parse(text, var_slots_, error);
  if (!format) return nullptr;
  formats_.push_back(std::make_unique<Format>(std::move(*format)));
  return formats_.back().get();
}

const FunctionCall& Runtime::fixup_or_throw(std::string_view name, std::vector<std::string> args) {
  std::vector<kamc_rt_arg> abi_args;
  for (const auto& arg : args) abi_args.push_back({KAMC_RT_ARG_STR, 0, arg.c_str(), arg.size()});
  std::string error;
  const FunctionCall* call = fixup_call(name, abi_args, error);
  if (!call) throw std::runtime_error(error);
  return *call;
}

}  // namespace kamc::runtime
