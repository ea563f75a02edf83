// The state shared by the lowering of one config: the ABI declarations, the
// load-time fixups every route collects, and the per-route lowering of statements
// and expressions (StmtLowering.cpp, ExprLowering.cpp).
#pragma once

#include "kamc/runtime/abi.h"
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "kamc/ast/AST.h"
#include "kamc/basic/Diagnostics.h"
#include "kamc/sema/Modules.h"
#include "kamc/preprocess/SourceMap.h"

namespace kamc::codegen {

// abi.h's constants and types as LLVM sees them.
constexpr int kValueNull = KAMC_RT_VAL_NULL, kValueStr = KAMC_RT_VAL_STR, kValueInt = KAMC_RT_VAL_INT;
constexpr int kArgInt = KAMC_RT_ARG_INT, kArgStr = KAMC_RT_ARG_STR;

// The runtime ABI (runtime/include/kamc/runtime/abi.h) as declarations.
struct AbiDecls {
  explicit AbiDecls(llvm::Module& m);
  llvm::PointerType* ptr;
  llvm::IntegerType* i32;
  llvm::IntegerType* i64;
  llvm::StructType* value;  // kamc_rt_value {int flags; long long number; const char* text; size_t length}
  llvm::StructType* arg;    // kamc_rt_arg {int kind; long long number; const char* text; size_t length}
  // load time
  llvm::FunctionCallee registerRoute, fixupCall, fixupPv, fixupRegex, errorPrefix;
  llvm::FunctionCallee setCoreParam, loadModule, setModparam, initModules;
  // per message
  llvm::FunctionCallee callFunction, getPv, setPv, isMyself, drop;
  llvm::FunctionCallee strToInt, intToStr, concat, strEqual, strEqualIcase, ipMatches;
  llvm::FunctionCallee regexMatch, regexMatchDynamic, setRetcode, logScriptError;
};

struct StrValue {
  llvm::Value* data;    // ptr
  llvm::Value* length;  // i64
};

// An expression's value, typed at compile time where Kamailio's rules allow:
// literals and integer operators are Int, string literals and concatenation of a
// string are Str, pseudo-variables are Dynamic (a kamc_rt_value in memory whose
// flags say int, str or null per message).
enum class ValueKind { Int, Str, Dynamic };
struct TypedValue {
  ValueKind kind = ValueKind::Int;
  llvm::Value* number = nullptr;  // Int: i32
  StrValue text{};                // Str
  llvm::Value* slot = nullptr;    // Dynamic: ptr to a kamc_rt_value
};

// A literal function argument as the runtime's fixup wants it.
struct ArgLiteral {
  bool isInt = false;
  long long number = 0;
  std::string text;
};

// Load-time work the routes need: one handle global per distinct fixup.
struct Fixup {
  enum Kind { Pv, Regex, Call } kind;
  llvm::GlobalVariable* handle;
  std::string text;  // pv name, regex pattern or function name
  std::vector<ArgLiteral> args;
  std::string where;  // "file:line:col: " for the load-time error
  bool ignoreCase = true;  // Regex: `=~` ignores case, switch regex labels do not
};

class ModuleLowering {
 public:
  ModuleLowering(llvm::LLVMContext& ctx, llvm::Module& module, const SourceManager& sm, const SourceMap& map,
                 DiagnosticEngine& diags);

  llvm::LLVMContext& ctx;
  llvm::Module& module;
  AbiDecls abi;
  const SourceManager& sm;
  const SourceMap& map;
  DiagnosticEngine& diags;

  // The config's modules, for resolving calls as lint does (sema::resolveCall).
  std::unique_ptr<sema::ModuleSet> modules;
  size_t itemCount = 0;  // calls resolve as at the end of the config: lint already checked the load order
  bool tracksRetcode = false;  // the config reads $rc/$retcode
  std::vector<Fixup> fixups;
  std::map<std::string, llvm::Function*> namedRoutes;

  void unsupported(const ast::Node& at, std::string message);
  std::string where(const ast::Node& at) const;
  // A NUL-terminated private constant; equal strings share one.
  llvm::Constant* stringConstant(std::string_view text);
  llvm::GlobalVariable* pvHandle(const std::string& text, const ast::Node& at);
  llvm::GlobalVariable* regexHandle(const std::string& pattern, bool ignoreCase, const ast::Node& at);
  llvm::GlobalVariable* callHandle(const std::string& name, std::vector<ArgLiteral> args, const ast::Node& at);

 private:
  llvm::GlobalVariable* newHandle(Fixup::Kind kind, const std::string& text, const ast::Node& at);
  std::map<std::string, llvm::Constant*> strings_;
  std::map<std::string, llvm::GlobalVariable*> pvHandles_;
  std::map<std::pair<std::string, bool>, llvm::GlobalVariable*> regexHandles_;  // (pattern, ignoreCase)
};

// Lowers one route block into its function. Kamailio's return codes: negative is
// false, 0 stops the script (exit, drop, a function or route returning 0), positive
// is true; a route returns the code of its last statement.
class RouteLowering {
 public:
  RouteLowering(ModuleLowering& m, llvm::Function* fn);
  void lowerBody(const ast::Block& body);

  // statements (StmtLowering.cpp)
  void lowerStatement(const ast::Statement& s);

  // expressions (ExprLowering.cpp)
  TypedValue lowerValue(const ast::Expr& e);
  llvm::Value* lowerInt(const ast::Expr& e);        // i32, Kamailio's conversion
  llvm::Value* lowerCondition(const ast::Expr& e);  // i1: the int value > 0
  // An if/while condition: false as well when its evaluation failed.
  llvm::Value* lowerStatementCondition(const ast::Expr& e);
  // A call's return code, after leaving the route when it is 0 (exit).
  llvm::Value* lowerCallCode(const ast::CallExpr& call);

 private:
  // statements
  void lowerIf(const ast::IfStmt& s);
  void lowerSwitch(const ast::SwitchStmt& s);
  void lowerWhile(const ast::WhileStmt& s);
  void lowerExit(const ast::ExitStmt& s);
  void lowerAssign(const ast::Expr& target, const ast::Expr& value);
  void lowerBreak(const ast::Statement& s);

  // expressions
  TypedValue lowerBinary(const ast::BinaryExpr& e);
  TypedValue lowerUnary(const ast::UnaryExpr& e);
  TypedValue lowerPseudoVar(const std::string& text, const ast::Node& at);
  TypedValue lowerSelVal(const ast::BuiltinCallExpr& e);
  TypedValue lowerPlus(const TypedValue& lhs, const TypedValue& rhs);
  llvm::Value* lowerEquality(const ast::Expr& lhs, const ast::Expr& rhs);  // i1
  llvm::Value* lowerSpecialComparison(const ast::Expr& lhs, const ast::Expr& rhs, const std::string& pv);
  llvm::Value* lowerMatchOperand(const ast::Expr& lhs, const ast::Expr& pattern);
  llvm::Value* lowerMatch(StrValue subject, const ast::Expr& pattern);
  llvm::Value* lowerIntOp(ast::BinaryOp op, llvm::Value* a, llvm::Value* b, const ast::Node& at);
  llvm::Value* lowerRouteCall(const ast::CallExpr& call);
  llvm::Value* lowerFunctionCall(const ast::CallExpr& call);
  bool argumentLiteral(const ast::Expr& arg, ArgLiteral& out);

  // conversions
  llvm::Value* toInt(const TypedValue& v);
  StrValue toStr(const TypedValue& v);
  llvm::Value* intValue(int n);
  TypedValue intResult(llvm::Value* i1OrI32);
  StrValue constantStr(std::string_view text);
  llvm::Value* entryAlloca(llvm::Type* type, const char* name);
  llvm::Value* newValueSlot();  // an alloca'd kamc_rt_value in the entry block, free for this statement
  void lowerStatementWithOwnSlots(const ast::Statement& s);
  void storeValue(llvm::Value* slot, const TypedValue& v);
  llvm::Value* loadField(llvm::Value* slot, unsigned field);
  llvm::Value* strEqual(StrValue a, StrValue b, bool ignoreCase);

  // control flow
  llvm::BasicBlock* newBlock(const char* name);
  void leaveIfExit(llvm::Value* code);  // branches to the exit block when code == 0
  void continueInDeadBlock();           // after ret/br, so later statements still lower
  bool terminated() const;

  ModuleLowering& m_;
  llvm::Function* fn_;
  llvm::IRBuilder<> b_;
  llvm::IRBuilder<> entryBuilder_;
  llvm::Value* msg_;
  llvm::Value* last_ = nullptr;  // i32 alloca: the code of the last statement
  // i1 alloca: an expression of the statement being lowered failed (division by zero).
  // Kamailio then skips the assignment and takes the condition as false.
  llvm::Value* failed_ = nullptr;
  llvm::BasicBlock* exitBlock_ = nullptr;
  std::vector<llvm::BasicBlock*> breakTargets_;
  // The value slots made so far; those from slotsInUse_ on are free. A
  // statement's temporaries are dead once it is done, so the next statement
  // reuses its slots: the frame grows with the largest statement, not the route.
  std::vector<llvm::Value*> valueSlots_;
  size_t slotsInUse_ = 0;
};

}  // namespace kamc::codegen
