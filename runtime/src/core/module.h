// A runtime module's export record, modelled on Kamailio's module_exports: its script
// functions (body and fixup; arity, argument kinds and route mask are the catalog's),
// its parameters (default here, type from the catalog), the pseudo-variables it
// registers, and its lifecycle and message hooks. The core knows modules only through
// these records (docs/runtime.md, "Modules").
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "functions.h"
#include "transformations.h"
#include "kamc/runtime/message_context.h"
#include "kamc/runtime/pseudo_variables.h"

namespace kamc::runtime {

class MessageContext;
class ModuleInstance;
class Runtime;

// A modparam the module implements. Its type (int or str) is the catalog's; only the
// default lives here. A string parameter's default is `text`, an int's is `number`.
struct ParamExport {
  std::string_view name;
  long long number = 0;
  std::string_view text = {};
};

// A pseudo-variable class the module registers ($ru, $T_reply_code, $T_req(...)). Its
// syntax (whether it takes "(name)" and "[index]") is the catalog's.
struct PvExport {
  std::string_view name;  // the class name as in the catalog, without '$'
  PvValue (*get)(MessageContext& context, const PvSpec& spec) = nullptr;
  // null: read-only
  bool (*set)(MessageContext& context, const PvSpec& spec, const PvValue& value) = nullptr;
  // Load-time work on the parsed name (a $var slot, a header kind, an inner pv).
  bool (*fixup)(PvSpec& spec, VarSlots& vars, std::string& error) = nullptr;
};

// A transformation the module registers ({s.len}, {re.subst,...}): its parameter grammar
// and its implementation. The catalog must list it for that module.
struct TransformExport {
  std::string_view name;  // "class.name", as the catalog spells them
  TransformParams params;
  TransformKind kind;     // which of the module's transformations `apply` performs
  TransformApply apply;
};

struct ModuleExports {
  std::string_view name;  // as in loadmodule "NAME.so" and in the catalog
  std::span<const FunctionExport> functions = {};
  std::span<const ParamExport> params = {};
  std::span<const PvExport> pseudo_variables = {};
  std::span<const TransformExport> transformations = {};
  // After every modparam is set and before any fixup (Kamailio's mod_init).
  bool (*init)(ModuleInstance& module, std::string& error) = nullptr;
  // Once in each worker thread before it serves (Kamailio's child_init).
  void (*child_init)(ModuleInstance& module, int worker) = nullptr;
  // When the runtime is torn down (Kamailio's destroy).
  void (*destroy)(ModuleInstance& module) = nullptr;
  // A reply arrived and the core reply route did not drop it: true when the module took
  // it (tm: it matched a transaction), so the core does not forward it statelessly.
  bool (*reply_received)(MessageContext& reply) = nullptr;
  // request_route returned (or threw) for this message.
  void (*request_route_done)(MessageContext& request) = nullptr;
};

// A parameter's value in one Runtime: the default until a modparam sets it.
struct ParamValue {
  bool is_int = false;
  long long number = 0;
  std::string text;
};

// One module as one Runtime holds it: its parameter values and the state init made.
class ModuleInstance {
 public:
  ModuleInstance(const ModuleExports& exports, Runtime& runtime);

  const ModuleExports& exports() const { return *exports_; }
  Runtime& runtime() const { return *runtime_; }
  bool loaded = false;  // loadmodule named it

  // By name, at load time (init); an unexported name is a programming error (throws).
  long long param_number(std::string_view name) const;
  const std::string& param_text(std::string_view name) const;
  // modparam(module, name, value): the catalog's type is checked; false and a message
  // for an unknown parameter or a value of the wrong type.
  bool set_param(std::string_view name, const ParamValue& value, std::string& error);

  // Whatever init made (tm: its transaction table); shared by every worker.
  std::shared_ptr<void> state;
  template <class T>
  T& state_as() const {
    return *static_cast<T*>(state.get());
  }

 private:
  const ParamValue& param(std::string_view name) const;
  const ModuleExports* exports_;
  Runtime* runtime_;
  std::vector<ParamValue> params_;  // in the order of exports().params
};

// Every module built into the runtime, core first. Kamailio loads .so files; kamc's
// modules are linked in, and this list is where each one is named once.
std::span<const ModuleExports* const> builtin_modules();
// The position of a module in builtin_modules(), the index of its instance in every
// Runtime and of its per-message state slot.
std::size_t module_index(const ModuleExports& exports);
const ModuleExports* find_module(std::string_view name);
// The classes of the core and of the pv module (pseudo_variables.cpp).
extern const std::array<PvExport, 3> kCorePseudoVariables;
extern const std::array<PvExport, 54> kPvModulePseudoVariables;
// The transformations of the pv module and of textops (transformations.cpp).
extern const std::array<TransformExport, 85> kPvModuleTransformations;
extern const std::array<TransformExport, 1> kTextopsTransformations;

}  // namespace kamc::runtime
