// abi.h as LLVM declarations. Each function's LLVM type is derived from its C
// declaration in abi.h (the one place the ABI is spelled), so the two cannot drift.
#include <type_traits>

#include "Lowering.h"

namespace kamc::codegen {

namespace {

// The LLVM type of one C parameter or result type of the ABI: plain C scalars and
// pointers only, as abi.h promises.
template <class T>
llvm::Type* llvmTypeOf(llvm::LLVMContext& c) {
  if constexpr (std::is_void_v<T>) {
    return llvm::Type::getVoidTy(c);
  } else if constexpr (std::is_pointer_v<T>) {
    return llvm::PointerType::getUnqual(c);
  } else {
    static_assert(std::is_integral_v<T>, "abi.h uses only integers and pointers");
    return llvm::IntegerType::get(c, sizeof(T) * 8);
  }
}

template <class F>
struct AbiSignature;
template <class R, class... Args>
struct AbiSignature<R(Args...)> {
  static llvm::FunctionType* get(llvm::LLVMContext& c) {
    return llvm::FunctionType::get(llvmTypeOf<R>(c), {llvmTypeOf<Args>(c)...}, false);
  }
};

}  // namespace

#define KAMC_ABI_DECLARE(name) m.getOrInsertFunction(#name, AbiSignature<decltype(name)>::get(c))

AbiDecls::AbiDecls(llvm::Module& m) {
  llvm::LLVMContext& c = m.getContext();
  ptr = llvm::PointerType::getUnqual(c);
  i32 = llvm::Type::getInt32Ty(c);
  i64 = llvm::Type::getInt64Ty(c);
  static_assert(sizeof(kamc_rt_value) == 32 && sizeof(kamc_rt_arg) == 32, "the struct layouts below");
  value = llvm::StructType::create(c, {i32, i64, ptr, i64}, "kamc_rt_value");
  arg = llvm::StructType::create(c, {i32, i64, ptr, i64}, "kamc_rt_arg");
  registerRoute = KAMC_ABI_DECLARE(kamc_rt_register_route);
  fixupCall = KAMC_ABI_DECLARE(kamc_rt_fixup_call);
  fixupPv = KAMC_ABI_DECLARE(kamc_rt_fixup_pv);
  fixupRegex = KAMC_ABI_DECLARE(kamc_rt_fixup_regex);
  errorPrefix = KAMC_ABI_DECLARE(kamc_rt_error_prefix);
  setCoreParam = KAMC_ABI_DECLARE(kamc_rt_set_core_param);
  loadModule = KAMC_ABI_DECLARE(kamc_rt_load_module);
  setModparam = KAMC_ABI_DECLARE(kamc_rt_set_modparam);
  initModules = KAMC_ABI_DECLARE(kamc_rt_init_modules);
  callFunction = KAMC_ABI_DECLARE(kamc_rt_call_function);
  getPv = KAMC_ABI_DECLARE(kamc_rt_get_pv);
  setPv = KAMC_ABI_DECLARE(kamc_rt_set_pv);
  isMyself = KAMC_ABI_DECLARE(kamc_rt_is_myself);
  drop = KAMC_ABI_DECLARE(kamc_rt_drop);
  strToInt = KAMC_ABI_DECLARE(kamc_rt_str_to_int);
  intToStr = KAMC_ABI_DECLARE(kamc_rt_int_to_str);
  concat = KAMC_ABI_DECLARE(kamc_rt_concat);
  strEqual = KAMC_ABI_DECLARE(kamc_rt_str_equal);
  strEqualIcase = KAMC_ABI_DECLARE(kamc_rt_str_equal_icase);
  ipMatches = KAMC_ABI_DECLARE(kamc_rt_ip_matches);
  regexMatch = KAMC_ABI_DECLARE(kamc_rt_regex_match);
  regexMatchDynamic = KAMC_ABI_DECLARE(kamc_rt_regex_match_dynamic);
  setRetcode = KAMC_ABI_DECLARE(kamc_rt_set_retcode);
  logScriptError = KAMC_ABI_DECLARE(kamc_rt_log_script_error);
}

#undef KAMC_ABI_DECLARE

}  // namespace kamc::codegen
