// abi.h as LLVM declarations: the only place codegen spells the runtime's names.
#include "Lowering.h"

namespace kamc::codegen {

AbiDecls::AbiDecls(llvm::Module& m) {
  llvm::LLVMContext& c = m.getContext();
  ptr = llvm::PointerType::getUnqual(c);
  i32 = llvm::Type::getInt32Ty(c);
  i64 = llvm::Type::getInt64Ty(c);
  llvm::Type* voidTy = llvm::Type::getVoidTy(c);
  value = llvm::StructType::create(c, {i32, i64, ptr, i64}, "kamc_rt_value");
  arg = llvm::StructType::create(c, {i32, i64, ptr, i64}, "kamc_rt_arg");
  auto fn = [&](const char* name, llvm::Type* result, std::initializer_list<llvm::Type*> params) {
    return m.getOrInsertFunction(name, llvm::FunctionType::get(result, params, false));
  };
  registerRoute = fn("kamc_rt_register_route", i32, {ptr, i32, ptr, ptr});
  fixupCall = fn("kamc_rt_fixup_call", ptr, {ptr, ptr, ptr, i32, ptr, i64});
  fixupPv = fn("kamc_rt_fixup_pv", ptr, {ptr, ptr, ptr, i64});
  fixupRegex = fn("kamc_rt_fixup_regex", ptr, {ptr, ptr, i64, i32, ptr, i64});
  errorPrefix = fn("kamc_rt_error_prefix", voidTy, {ptr, i64, ptr});
  setCoreParam = fn("kamc_rt_set_core_param", i32, {ptr, ptr, ptr, i64, ptr, i64});
  loadModule = fn("kamc_rt_load_module", i32, {ptr, ptr});
  setModparam = fn("kamc_rt_set_modparam", i32, {ptr, ptr, ptr, ptr, ptr, i64});
  callFunction = fn("kamc_rt_call_function", i32, {ptr, ptr});
  getPv = fn("kamc_rt_get_pv", i32, {ptr, ptr, ptr});
  setPv = fn("kamc_rt_set_pv", i32, {ptr, ptr, ptr});
  isMyself = fn("kamc_rt_is_myself", i32, {ptr, ptr, i64});
  drop = fn("kamc_rt_drop", i32, {ptr});
  strToInt = fn("kamc_rt_str_to_int", i32, {ptr, i64});
  intToStr = fn("kamc_rt_int_to_str", voidTy, {ptr, i32, ptr});
  concat = fn("kamc_rt_concat", voidTy, {ptr, ptr, i64, ptr, i64, ptr});
  strEqual = fn("kamc_rt_str_equal", i32, {ptr, i64, ptr, i64});
  strEqualIcase = fn("kamc_rt_str_equal_icase", i32, {ptr, i64, ptr, i64});
  ipMatches = fn("kamc_rt_ip_matches", i32, {ptr, i64, ptr, i64});
  regexMatch = fn("kamc_rt_regex_match", i32, {ptr, ptr, i64});
  regexMatchDynamic = fn("kamc_rt_regex_match_dynamic", i32, {ptr, ptr, i64, ptr, i64});
  setRetcode = fn("kamc_rt_set_retcode", voidTy, {ptr, i32});
  logScriptError = fn("kamc_rt_log_script_error", voidTy, {ptr, ptr, ptr, i32});
}

}  // namespace kamc::codegen
