// What route code sees at load time: the route table and the handles produced by fixups
// (function calls, pseudo-variables, format strings), plus the server's own addresses.
// Filled in once before the workers start and read-only afterwards, so workers share it
// without locks.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kamc/runtime/abi.h"
#include "kamc/runtime/local_addresses.h"
#include "kamc/runtime/pseudo_variables.h"
#include "kamc/runtime/settings.h"

namespace kamc::runtime {

struct FunctionCall;
struct CompiledRegex;
class BackgroundTasks;
class MessageContext;
class ModuleInstance;

class Runtime {
 public:
  Runtime();
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  LocalAddresses& local_addresses() { return local_addresses_; }
  const LocalAddresses& local_addresses() const { return local_addresses_; }

  bool register_route(int kind, std::string_view name, kamc_rt_route_fn fn, std::string& error);
  kamc_rt_route_fn request_route() const { return request_route_; }
  kamc_rt_route_fn reply_route() const { return reply_route_; }
  // Named routes get a handle when first referenced, so a call may precede the definition.
  int named_route_handle(std::string_view name);
  kamc_rt_route_fn named_route(int handle) const;
  bool check_routes(std::string& error) const;

  // tm's routes (onreply_route[NAME], failure_route[NAME], branch_route[NAME]): one name
  // space per kind; handles work like named_route_handle's. kind is a KAMC_RT_ROUTE_*.
  int tm_route_handle(int kind, std::string_view name);
  kamc_rt_route_fn tm_route(int kind, int handle) const;
  // The built-in modules as this runtime holds them (module.h), indexed by
  // module_index(). A module's state is its own to synchronise, so workers reach it
  // through a const Runtime.
  ModuleInstance& module(std::size_t index) const { return *modules_[index]; }
  std::size_t module_count() const { return modules_.size(); }
  // loadmodule "NAME": false when no built-in module has that name.
  bool load_module(std::string_view name);
  // modparam(module, name, value) for a built-in module: the catalog's type is checked,
  // an unknown name is an error, a known one the module does not implement a warning.
  // Modules the runtime does not provide keep their parameters in settings() only.
  bool set_modparam(std::string_view module, std::string_view name, const kamc_rt_arg& value, std::string& error);
  // Every module's init, once, after the parameters and before the first fixup. The
  // fixup and route calls run it themselves when the loader did not (C++ route code).
  bool init_modules(std::string& error);
  // The process-wide background threads and periodic jobs (background_tasks.h).
  BackgroundTasks& background() const { return *background_; }
  // A fixup of a function that may suspend its message sets this; workers then run
  // each message on a fiber of its own (message_fiber.h). Load time only.
  void set_routes_may_suspend() { routes_may_suspend_ = true; }
  bool routes_may_suspend() const { return routes_may_suspend_; }
  // `-c`: the config is loaded and fixed up only to be checked. Modules then open no
  // database connection (kamailio -c runs no mod_init, so it needs no database either).
  void set_config_check(bool on) { config_check_ = on; }
  bool config_check() const { return config_check_; }
  // Each worker thread calls this once before it serves messages.
  void init_worker(int worker) const;
  // The modules' message hooks: a received reply the core reply route did not drop
  // (true when a module took it), and the end of request_route for a request.
  bool offer_reply_to_modules(MessageContext& reply) const;
  void request_route_done(MessageContext& request) const;

  const FunctionCall* fixup_call(std::string_view name, std::span<const kamc_rt_arg> args, std::string& error);
  const PvSpec* fixup_pv(std::string_view name, std::string& error);
  const Format* fixup_format(std::string_view text, std::string& error);
  // The core parameter log_prefix as a format (init_modules parses it); null when unset.
  const Format* log_prefix_format() const { return log_prefix_format_; }
  // `=~` with a constant pattern: compiled once (Kamailio's flags), shared by workers.
  const CompiledRegex* fixup_regex(std::string_view pattern, bool ignore_case, std::string& error);
  VarSlots& var_slots() { return var_slots_; }
  std::size_t var_count() const { return var_slots_.size(); }

  // Core parameters, modules and modparams the config's init code set.
  RuntimeSettings& settings() { return settings_; }
  const RuntimeSettings& settings() const { return settings_; }

  // A convenience for C++ route code and tests: fixup_call with string arguments;
  // throws std::runtime_error when the fixup fails (load time only).
  const FunctionCall& fixup_or_throw(std::string_view name, std::vector<std::string> args = {});

 private:
  struct NamedRoute {
    std::string name;
    kamc_rt_route_fn fn = nullptr;
  };
  LocalAddresses local_addresses_;
  bool config_check_ = false;
  const Format* log_prefix_format_ = nullptr;
  kamc_rt_route_fn request_route_ = nullptr;
  kamc_rt_route_fn reply_route_ = nullptr;
  std::vector<NamedRoute> named_routes_;
  std::vector<NamedRoute> tm_routes_[3];  // onreply, failure, branch
  std::unique_ptr<BackgroundTasks> background_;
  bool routes_may_suspend_ = false;
  std::vector<std::unique_ptr<ModuleInstance>> modules_;
  bool modules_initialized_ = false;
  // Handles are pointers into these; unique_ptr keeps them stable as the vectors grow.
  std::vector<std::unique_ptr<FunctionCall>> calls_;
  std::vector<std::unique_ptr<PvSpec>> pvs_;
  std::vector<std::unique_ptr<Format>> formats_;
  std::vector<std::unique_ptr<CompiledRegex>> regexes_;
  VarSlots var_slots_;
  RuntimeSettings settings_;
};

inline kamc_rt_runtime* to_abi(Runtime* runtime) { return reinterpret_cast<kamc_rt_runtime*>(runtime); }
inline Runtime* from_abi(kamc_rt_runtime* runtime) { return reinterpret_cast<Runtime*>(runtime); }

}  // namespace kamc::runtime
