// The module level of lowering: one function per route block, the handles the
// routes fix up, and kamc_cfg_load, which replays the config's global part
// (parameters, modules, modparams) into the runtime and registers the routes.
#include "kamc/codegen/CodeGen.h"

#include <llvm/IR/Verifier.h>
#include <llvm/Support/SHA256.h>
#include <llvm/Support/raw_ostream.h>

#include <filesystem>

#include "Lowering.h"
#include "kamc/ast/AstWalk.h"

namespace kamc::codegen {

ModuleLowering::ModuleLowering(llvm::LLVMContext& c, llvm::Module& mod, const SourceManager& s, const SourceMap& mp,
                               DiagnosticEngine& d)
    : ctx(c), module(mod), abi(mod), sm(s), map(mp), diags(d) {}

void ModuleLowering::unsupported(const ast::Node& at, std::string message) {
  Diagnostic& d = diags.report("kamc-codegen-unsupported", at.loc, std::move(message));
  map.addExpansionNotes(d, at.expansion);
}

std::string ModuleLowering::where(const ast::Node& at) const {
  if (!at.loc.valid()) return "";
  return sm.file(at.loc.file).path + ":" + std::to_string(at.loc.line) + ":" + std::to_string(at.loc.column) + ": ";
}

llvm::Constant* ModuleLowering::stringConstant(std::string_view text) {
  auto [it, inserted] = strings_.try_emplace(std::string(text), nullptr);
  if (inserted) {
    llvm::Constant* data = llvm::ConstantDataArray::getString(ctx, text, /*AddNull=*/true);
    auto* global = new llvm::GlobalVariable(module, data->getType(), true, llvm::GlobalValue::PrivateLinkage, data,
                                            ".str");
    global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    global->setAlignment(llvm::Align(1));
    it->second = global;
  }
  return it->second;
}

llvm::GlobalVariable* ModuleLowering::newHandle(Fixup::Kind kind, const std::string& text, const ast::Node& at) {
  auto* handle = new llvm::GlobalVariable(module, abi.ptr, false, llvm::GlobalValue::InternalLinkage,
                                          llvm::ConstantPointerNull::get(abi.ptr), "handle");
  fixups.push_back({kind, handle, text, {}, where(at)});
  return handle;
}

llvm::GlobalVariable* ModuleLowering::pvHandle(const std::string& text, const ast::Node& at) {
  auto it = pvHandles_.find(text);
  if (it != pvHandles_.end()) return it->second;
  return pvHandles_[text] = newHandle(Fixup::Pv, text, at);
}

llvm::GlobalVariable* ModuleLowering::regexHandle(const std::string& pattern, bool ignoreCase, const ast::Node& at) {
  auto key = std::make_pair(pattern, ignoreCase);
  auto it = regexHandles_.find(key);
  if (it != regexHandles_.end()) return it->second;
  llvm::GlobalVariable* handle = newHandle(Fixup::Regex, pattern, at);
  fixups.back().ignoreCase = ignoreCase;
  return regexHandles_[key] = handle;
}

llvm::GlobalVariable* ModuleLowering::callHandle(const std::string& name, std::vector<ArgLiteral> args,
                                                 const ast::Node& at) {
  llvm::GlobalVariable* handle = newHandle(Fixup::Call, name, at);
  fixups.back().args = std::move(args);
  return handle;
}

namespace {

// abi.h's enum kamc_rt_route_kind.
int abiRouteKind(ast::RouteKind kind) {
  switch (kind) {
    case ast::RouteKind::Request: return KAMC_RT_ROUTE_REQUEST;
    case ast::RouteKind::Named: return KAMC_RT_ROUTE_NAMED;
    case ast::RouteKind::Reply: return KAMC_RT_ROUTE_REPLY;
    case ast::RouteKind::OnReply: return KAMC_RT_ROUTE_ONREPLY;
    case ast::RouteKind::Failure: return KAMC_RT_ROUTE_FAILURE;
    case ast::RouteKind::Branch: return KAMC_RT_ROUTE_BRANCH;
    case ast::RouteKind::OnSend: return KAMC_RT_ROUTE_ONSEND;
    case ast::RouteKind::Event: return KAMC_RT_ROUTE_EVENT;
  }
  return 0;
}

std::string routeSymbol(const ast::RouteItem& r) {
  std::string name = r.routeKind == ast::RouteKind::Request ? "request_route" : r.keyword;
  if (r.name) name += "[" + r.name->value + "]";
  return name;
}

// The value of a global parameter as the runtime wants it: a lone string without
// its quotes, anything else as written.
std::string paramValue(const ast::GlobalParamItem& p) {
  if (p.value.size() == 1 && p.value[0].kind == ast::ParamAtom::String) return p.value[0].value;
  return p.valueText;
}

class ConfigLowering {
 public:
  ConfigLowering(ModuleLowering& m, const ast::Config& config) : m_(m), config_(config) {}

  bool run(const CodegenOptions& options) {
    scanConfig();
    declareRoutes();
    for (const auto& [route, fn] : routes_) RouteLowering(m_, fn).lowerBody(*route->body);
    if (m_.diags.hasErrors()) return false;
    defineLoadFunction();
    defineVersion(options.versionText);
    return true;
  }

 private:
  void scanConfig() {
    m_.modules = std::make_unique<sema::ModuleSet>(config_);
    m_.itemCount = config_.items.size();
    for (const ast::TopItemPtr& item : config_.items) {
      if (item->kind == ast::TopKind::Route) {
        ast::walk(static_cast<const ast::RouteItem&>(*item).body.get(),
                  {nullptr, [&](const ast::Expr& e) {
                     if (e.kind != ast::ExprKind::PseudoVar) return;
                     const auto& cls = static_cast<const ast::PseudoVarExpr&>(e).pv.className;
                     if (cls == "rc" || cls == "retcode") m_.tracksRetcode = true;
                   }});
      }
    }
  }

  void declareRoutes() {
    auto* type = llvm::FunctionType::get(m_.abi.i32, {m_.abi.ptr}, false);
    std::set<std::string> seen;
    for (const ast::TopItemPtr& item : config_.items) {
      if (item->kind != ast::TopKind::Route) continue;
      const auto& route = static_cast<const ast::RouteItem&>(*item);
      std::string symbol = routeSymbol(route);
      if (route.routeKind == ast::RouteKind::Event || route.routeKind == ast::RouteKind::OnSend) {
        m_.unsupported(route, symbol + ": the kamc runtime has no " +
                                  (route.routeKind == ast::RouteKind::Event ? "event routes" : "onsend_route") + " yet");
        continue;
      }
      if (!seen.insert(symbol).second) {
        m_.unsupported(route, symbol + " is defined twice");
        continue;
      }
      auto* fn = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage, symbol, m_.module);
      routes_.emplace_back(&route, fn);
      if (route.routeKind == ast::RouteKind::Named && route.name) m_.namedRoutes[route.name->value] = fn;
    }
  }

  // kamc_cfg_load(rt, error, error_size): 0, or -1 with the config position in error.
  void defineLoadFunction() {
    AbiDecls& abi = m_.abi;
    auto* type = llvm::FunctionType::get(abi.i32, {abi.ptr, abi.ptr, abi.i64}, false);
    load_ = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, "kamc_cfg_load", m_.module);
    rt_ = load_->getArg(0);
    error_ = load_->getArg(1);
    errorSize_ = load_->getArg(2);
    b_ = std::make_unique<llvm::IRBuilder<>>(llvm::BasicBlock::Create(m_.ctx, "entry", load_));
    for (const ast::TopItemPtr& item : config_.items) replayTopItem(*item);
    // Every module's init, with its parameters as set, before any route or fixup.
    llvm::Value* initialised = b_->CreateCall(abi.initModules, {rt_, error_, errorSize_});
    failUnless(b_->CreateICmpEQ(initialised, b_->getInt32(0)), "");
    for (const auto& [route, fn] : routes_) {
      llvm::Value* name = route->name ? m_.stringConstant(route->name->value)
                                      : static_cast<llvm::Value*>(llvm::ConstantPointerNull::get(abi.ptr));
      llvm::Value* rc = b_->CreateCall(abi.registerRoute,
                                       {rt_, b_->getInt32(abiRouteKind(route->routeKind)), name, fn});
      failUnless(b_->CreateICmpEQ(rc, b_->getInt32(0)), m_.where(*route) + routeSymbol(*route) +
                                                            ": the runtime refused this route block");
    }
    for (const Fixup& fixup : m_.fixups) replayFixup(fixup);
    b_->CreateRet(b_->getInt32(0));
  }

  void replayTopItem(const ast::TopItem& item) {
    AbiDecls& abi = m_.abi;
    switch (item.kind) {
      case ast::TopKind::GlobalParam: {
        const auto& p = static_cast<const ast::GlobalParamItem&>(item);
        std::string value = paramValue(p);
        llvm::Value* rc = b_->CreateCall(abi.setCoreParam, {rt_, m_.stringConstant(p.name), m_.stringConstant(value),
                                                            b_->getInt64(value.size()), error_, errorSize_});
        failUnless(b_->CreateICmpEQ(rc, b_->getInt32(0)), m_.where(p));
        break;
      }
      case ast::TopKind::LoadModule: {
        const auto& lm = static_cast<const ast::LoadModuleItem&>(item);
        b_->CreateCall(abi.loadModule, {rt_, m_.stringConstant(lm.moduleName())});
        break;
      }
      case ast::TopKind::Modparam: replayModparam(static_cast<const ast::ModparamItem&>(item)); break;
      case ast::TopKind::Flags:
        m_.unsupported(item, "flag declarations (flags/bool/avpflags) are not supported by kamc yet");
        break;
      case ast::TopKind::CfgEngine:
        m_.unsupported(item, "cfgengine: kamc compiles native cfg routes only, not KEMI scripts");
        break;
      default: break;  // loadpath/mpath: modules are the runtime's, found by name
    }
  }

  void replayModparam(const ast::ModparamItem& p) {
    ArgLiteral value;
    if (p.value && p.value->kind == ast::ExprKind::Number) {
      value.isInt = true;
      value.number = static_cast<const ast::NumberExpr&>(*p.value).value;
    } else if (p.value && p.value->kind == ast::ExprKind::String) {
      value.text = static_cast<const ast::StringExpr&>(*p.value).value;
    } else if (p.value) {
      value.text = p.value->text;
    }
    llvm::Value* arg = argArray({value});
    llvm::Value* rc = b_->CreateCall(m_.abi.setModparam, {rt_, m_.stringConstant(p.modules.value),
                                                          m_.stringConstant(p.param.value), arg, error_, errorSize_});
    failUnless(b_->CreateICmpEQ(rc, b_->getInt32(0)), m_.where(p));
  }

  void replayFixup(const Fixup& fixup) {
    AbiDecls& abi = m_.abi;
    llvm::Value* text = m_.stringConstant(fixup.text);
    llvm::Value* handle = nullptr;
    switch (fixup.kind) {
      case Fixup::Pv: handle = b_->CreateCall(abi.fixupPv, {rt_, text, error_, errorSize_}); break;
      case Fixup::Regex:
        handle = b_->CreateCall(abi.fixupRegex, {rt_, text, b_->getInt64(fixup.text.size()),
                                                 b_->getInt32(fixup.ignoreCase ? 1 : 0), error_, errorSize_});
        break;
      case Fixup::Call:
        handle = b_->CreateCall(abi.fixupCall, {rt_, text, argArray(fixup.args),
                                                b_->getInt32(static_cast<int>(fixup.args.size())), error_, errorSize_});
        break;
    }
    b_->CreateStore(handle, fixup.handle);
    failUnless(b_->CreateIsNotNull(handle), fixup.where);
  }

  // A constant kamc_rt_arg array (null when empty).
  llvm::Value* argArray(const std::vector<ArgLiteral>& args) {
    AbiDecls& abi = m_.abi;
    if (args.empty()) return llvm::ConstantPointerNull::get(abi.ptr);
    std::vector<llvm::Constant*> rows;
    for (const ArgLiteral& a : args) {
      llvm::Constant* text = a.isInt ? static_cast<llvm::Constant*>(llvm::ConstantPointerNull::get(abi.ptr))
                                     : m_.stringConstant(a.text);
      rows.push_back(llvm::ConstantStruct::get(
          abi.arg, {b_->getInt32(a.isInt ? kArgInt : kArgStr), b_->getInt64(a.isInt ? a.number : 0), text,
                    b_->getInt64(a.isInt ? 0 : a.text.size())}));
    }
    auto* type = llvm::ArrayType::get(abi.arg, rows.size());
    return new llvm::GlobalVariable(m_.module, type, true, llvm::GlobalValue::PrivateLinkage,
                                    llvm::ConstantArray::get(type, rows), "args");
  }

  // Leaves kamc_cfg_load with -1 unless ok; the message gets the position in front.
  void failUnless(llvm::Value* ok, const std::string& where) {
    llvm::BasicBlock* fail = llvm::BasicBlock::Create(m_.ctx, "fail", load_);
    llvm::BasicBlock* next = llvm::BasicBlock::Create(m_.ctx, "next", load_);
    b_->CreateCondBr(ok, next, fail);
    b_->SetInsertPoint(fail);
    b_->CreateCall(m_.abi.errorPrefix, {error_, errorSize_, m_.stringConstant(where)});
    b_->CreateRet(b_->getInt32(-1));
    b_->SetInsertPoint(next);
  }

  void defineVersion(const std::string& text) {
    llvm::Constant* data = llvm::ConstantDataArray::getString(m_.ctx, text, true);
    new llvm::GlobalVariable(m_.module, data->getType(), true, llvm::GlobalValue::ExternalLinkage, data,
                             "kamc_cfg_version");
  }

  ModuleLowering& m_;
  const ast::Config& config_;
  std::vector<std::pair<const ast::RouteItem*, llvm::Function*>> routes_;
  llvm::Function* load_ = nullptr;
  llvm::Value* rt_ = nullptr;
  llvm::Value* error_ = nullptr;
  llvm::Value* errorSize_ = nullptr;
  std::unique_ptr<llvm::IRBuilder<>> b_;
};

}  // namespace

std::unique_ptr<llvm::Module> lowerConfig(const ast::Config& config, const SourceManager& sm, const SourceMap& map,
                                          DiagnosticEngine& diags, llvm::LLVMContext& context,
                                          const CodegenOptions& options) {
  auto module = std::make_unique<llvm::Module>(options.moduleName, context);
  ModuleLowering lowering(context, *module, sm, map, diags);
  if (!ConfigLowering(lowering, config).run(options)) return nullptr;
  std::string problems;
  llvm::raw_string_ostream out(problems);
  if (llvm::verifyModule(*module, &out)) {
    diags.report("kamc-codegen-unsupported", SourceLocation{}, "internal error: invalid IR generated: " + problems);
    return nullptr;
  }
  return module;
}

std::string versionTextFor(const std::string& cfgPath, std::string_view preprocessedText) {
  auto digest = llvm::SHA256::hash(
      llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t*>(preprocessedText.data()), preprocessedText.size()));
  static const char* hex = "0123456789abcdef";
  std::string text = "built from " + std::filesystem::path(cfgPath).filename().string() + ", preprocessed cfg sha256 ";
  for (uint8_t byte : digest) {
    text += hex[byte >> 4];
    text += hex[byte & 15];
  }
  return text;
}

}  // namespace kamc::codegen
