// Expressions with Kamailio's rvalue rules (src/core/rvalue.c): 32-bit ints,
// `+` typed by its left operand, `==` comparing as the left operand's type, other
// comparisons and arithmetic on ints, conditions true when the int value is > 0.
#include <array>

#include "Lowering.h"
#include "kamc/catalog/Catalog.h"

namespace kamc::codegen {

namespace {

// The operands of Kamailio's comparison elements and the pseudo-variable that
// reads the same value. They compare strings ignoring case, as Kamailio's comp_str.
struct SpecialOperand {
  std::string_view name;
  std::string_view pv;
};
constexpr std::array<SpecialOperand, 10> kSpecialOperands{{{"method", "$rm"},
                                                           {"uri", "$ru"},
                                                           {"from_uri", "$fu"},
                                                           {"to_uri", "$tu"},
                                                           {"status", "$rs"},
                                                           {"src_ip", "$si"},
                                                           {"dst_ip", "$Ri"},
                                                           {"src_port", "$sp"},
                                                           {"dst_port", "$Rp"},
                                                           {"proto", "$pr"}}};

const ast::CallExpr* bareWord(const ast::Expr& e) {
  if (e.kind != ast::ExprKind::Call) return nullptr;
  const auto& call = static_cast<const ast::CallExpr&>(e);
  return call.hasParens || !call.args.empty() ? nullptr : &call;
}

const SpecialOperand* specialOperand(const ast::Expr& e) {
  const ast::CallExpr* word = bareWord(e);
  if (!word) return nullptr;
  for (const SpecialOperand& s : kSpecialOperands) {
    if (word->callee == s.name) return &s;
  }
  return nullptr;
}

bool isMyself(const ast::Expr& e) {
  const ast::CallExpr* word = bareWord(e);
  return word && word->callee == "myself";
}

}  // namespace

// ---------------------------------------------------------------- values

llvm::Value* RouteLowering::intValue(int n) { return b_.getInt32(static_cast<uint32_t>(n)); }

TypedValue RouteLowering::intResult(llvm::Value* v) {
  if (v->getType()->isIntegerTy(1)) v = b_.CreateZExt(v, m_.abi.i32);
  return {ValueKind::Int, v, {}, nullptr};
}

StrValue RouteLowering::constantStr(std::string_view text) {
  return {m_.stringConstant(text), b_.getInt64(text.size())};
}

llvm::Value* RouteLowering::newValueSlot() {
  if (slotsInUse_ == valueSlots_.size()) valueSlots_.push_back(entryAlloca(m_.abi.value, "value"));
  return valueSlots_[slotsInUse_++];
}

llvm::Value* RouteLowering::loadField(llvm::Value* slot, unsigned field) {
  llvm::Type* types[] = {m_.abi.i32, m_.abi.i64, m_.abi.ptr, m_.abi.i64};
  return b_.CreateLoad(types[field], b_.CreateStructGEP(m_.abi.value, slot, field));
}

void RouteLowering::storeValue(llvm::Value* slot, const TypedValue& v) {
  auto field = [&](unsigned i, llvm::Value* value) { b_.CreateStore(value, b_.CreateStructGEP(m_.abi.value, slot, i)); };
  switch (v.kind) {
    case ValueKind::Int:
      field(0, intValue(kValueInt));
      field(1, b_.CreateSExt(v.number, m_.abi.i64));
      field(2, llvm::ConstantPointerNull::get(m_.abi.ptr));
      field(3, b_.getInt64(0));
      break;
    case ValueKind::Str:
      field(0, intValue(kValueStr));
      field(1, b_.getInt64(0));
      field(2, v.text.data);
      field(3, v.text.length);
      break;
    case ValueKind::Dynamic:
      for (unsigned i = 0; i < 4; ++i) field(i, loadField(v.slot, i));
      break;
  }
}

// Kamailio's rval_get_int: an int as is, a string parsed (non-numbers are 0), null 0.
llvm::Value* RouteLowering::toInt(const TypedValue& v) {
  if (v.kind == ValueKind::Int) return v.number;
  if (v.kind == ValueKind::Str) return b_.CreateCall(m_.abi.strToInt, {v.text.data, v.text.length});
  llvm::Value* flags = loadField(v.slot, 0);
  llvm::Value* isInt = b_.CreateICmpNE(b_.CreateAnd(flags, intValue(kValueInt)), intValue(0));
  llvm::BasicBlock* fromInt = newBlock("int_of_int");
  llvm::BasicBlock* fromStr = newBlock("int_of_str");
  llvm::BasicBlock* done = newBlock("int_done");
  b_.CreateCondBr(isInt, fromInt, fromStr);
  b_.SetInsertPoint(fromInt);
  llvm::Value* a = b_.CreateTrunc(loadField(v.slot, 1), m_.abi.i32);
  b_.CreateBr(done);
  b_.SetInsertPoint(fromStr);  // a null value has no text: str_to_int gives 0
  llvm::Value* c = b_.CreateCall(m_.abi.strToInt, {loadField(v.slot, 2), loadField(v.slot, 3)});
  llvm::BasicBlock* strEnd = b_.GetInsertBlock();
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  llvm::PHINode* phi = b_.CreatePHI(m_.abi.i32, 2);
  phi->addIncoming(a, fromInt);
  phi->addIncoming(c, strEnd);
  return phi;
}

// Kamailio's rval_get_tmp_str: a string as is, an int printed, null "".
StrValue RouteLowering::toStr(const TypedValue& v) {
  if (v.kind == ValueKind::Str) return v.text;
  llvm::Value* tmp = newValueSlot();
  if (v.kind == ValueKind::Int) {
    b_.CreateCall(m_.abi.intToStr, {msg_, v.number, tmp});
    return {loadField(tmp, 2), loadField(tmp, 3)};
  }
  llvm::Value* flags = loadField(v.slot, 0);
  llvm::Value* isStr = b_.CreateICmpNE(b_.CreateAnd(flags, intValue(kValueStr)), intValue(0));
  llvm::Value* isInt = b_.CreateICmpNE(b_.CreateAnd(flags, intValue(kValueInt)), intValue(0));
  llvm::BasicBlock* fromStr = newBlock("str_of_str");
  llvm::BasicBlock* notStr = newBlock("str_not_str");
  llvm::BasicBlock* fromInt = newBlock("str_of_int");
  llvm::BasicBlock* done = newBlock("str_done");
  b_.CreateCondBr(isStr, fromStr, notStr);
  b_.SetInsertPoint(fromStr);
  llvm::Value* text = loadField(v.slot, 2);
  llvm::Value* length = loadField(v.slot, 3);
  b_.CreateBr(done);
  b_.SetInsertPoint(notStr);
  b_.CreateCondBr(isInt, fromInt, done);
  b_.SetInsertPoint(fromInt);
  b_.CreateCall(m_.abi.intToStr, {msg_, b_.CreateTrunc(loadField(v.slot, 1), m_.abi.i32), tmp});
  llvm::Value* intText = loadField(tmp, 2);
  llvm::Value* intLength = loadField(tmp, 3);
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  llvm::PHINode* data = b_.CreatePHI(m_.abi.ptr, 3);
  llvm::PHINode* size = b_.CreatePHI(m_.abi.i64, 3);
  StrValue empty = constantStr("");
  data->addIncoming(text, fromStr);
  size->addIncoming(length, fromStr);
  data->addIncoming(empty.data, notStr);
  size->addIncoming(empty.length, notStr);
  data->addIncoming(intText, fromInt);
  size->addIncoming(intLength, fromInt);
  return {data, size};
}

llvm::Value* RouteLowering::strEqual(StrValue a, StrValue b, bool ignoreCase) {
  llvm::FunctionCallee fn = ignoreCase ? m_.abi.strEqualIcase : m_.abi.strEqual;
  return b_.CreateICmpNE(b_.CreateCall(fn, {a.data, a.length, b.data, b.length}), intValue(0));
}

// ---------------------------------------------------------------- expressions

llvm::Value* RouteLowering::lowerInt(const ast::Expr& e) { return toInt(lowerValue(e)); }

llvm::Value* RouteLowering::lowerCondition(const ast::Expr& e) {
  return b_.CreateICmpSGT(lowerInt(e), intValue(0));
}

llvm::Value* RouteLowering::lowerStatementCondition(const ast::Expr& e) {
  b_.CreateStore(b_.getFalse(), failed_);
  llvm::Value* condition = lowerCondition(e);
  return b_.CreateAnd(condition, b_.CreateNot(b_.CreateLoad(b_.getInt1Ty(), failed_)));
}

TypedValue RouteLowering::lowerValue(const ast::Expr& e) {
  using ast::ExprKind;
  switch (e.kind) {
    case ExprKind::Number:
      return {ValueKind::Int, intValue(static_cast<int>(static_cast<const ast::NumberExpr&>(e).value)), {}, nullptr};
    case ExprKind::String:
      return {ValueKind::Str, nullptr, constantStr(static_cast<const ast::StringExpr&>(e).value), nullptr};
    case ExprKind::PseudoVar: return lowerPseudoVar(static_cast<const ast::PseudoVarExpr&>(e).pv.text, e);
    case ExprKind::Call: {
      if (const SpecialOperand* special = specialOperand(e)) return lowerPseudoVar(std::string(special->pv), e);
      if (isMyself(e)) break;
      llvm::Value* code = lowerCallCode(static_cast<const ast::CallExpr&>(e));
      return intResult(b_.CreateICmpSGT(code, intValue(0)));
    }
    case ExprKind::Keyword:
      if (e.text == "msg:len") return lowerPseudoVar("$ml", e);
      break;
    case ExprKind::Unary: return lowerUnary(static_cast<const ast::UnaryExpr&>(e));
    case ExprKind::Cast: {
      const auto& cast = static_cast<const ast::CastExpr&>(e);
      if (cast.cast == ast::CastKind::Int) return {ValueKind::Int, lowerInt(*cast.operand), {}, nullptr};
      return {ValueKind::Str, nullptr, toStr(lowerValue(*cast.operand)), nullptr};
    }
    case ExprKind::Defined: {
      const ast::Expr& operand = *static_cast<const ast::DefinedExpr&>(e).operand;
      if (operand.kind != ExprKind::PseudoVar) return {ValueKind::Int, intValue(1), {}, nullptr};
      TypedValue v = lowerValue(operand);
      return intResult(b_.CreateICmpNE(loadField(v.slot, 0), intValue(kValueNull)));
    }
    case ExprKind::Binary: return lowerBinary(static_cast<const ast::BinaryExpr&>(e));
    case ExprKind::StrLen:
    case ExprKind::StrEmpty: {
      const auto& builtin = static_cast<const ast::BuiltinCallExpr&>(e);
      if (builtin.args.size() != 1) break;
      llvm::Value* length = toStr(lowerValue(*builtin.args[0])).length;
      if (e.kind == ExprKind::StrEmpty) return intResult(b_.CreateICmpEQ(length, b_.getInt64(0)));
      return {ValueKind::Int, b_.CreateTrunc(length, m_.abi.i32), {}, nullptr};
    }
    case ExprKind::SelVal: return lowerSelVal(static_cast<const ast::BuiltinCallExpr&>(e));
    default: break;
  }
  m_.unsupported(e, "kamc cannot compile this operand yet: '" + e.text + "' (" + ast::exprKindName(e.kind) + ")");
  return {ValueKind::Int, intValue(0), {}, nullptr};
}

TypedValue RouteLowering::lowerPseudoVar(const std::string& text, const ast::Node& at) {
  llvm::Value* slot = newValueSlot();
  b_.CreateStore(llvm::ConstantAggregateZero::get(m_.abi.value), slot);  // null, also if the read fails
  if (text != "$null") {
    llvm::Value* handle = b_.CreateLoad(m_.abi.ptr, m_.pvHandle(text, at));
    b_.CreateCall(m_.abi.getPv, {msg_, handle, slot});
  }
  return {ValueKind::Dynamic, nullptr, {}, slot};
}

TypedValue RouteLowering::lowerUnary(const ast::UnaryExpr& e) {
  llvm::Value* v = lowerInt(*e.operand);
  switch (e.op) {
    case ast::UnaryOp::Not: return intResult(b_.CreateICmpEQ(v, intValue(0)));
    case ast::UnaryOp::Negate: return {ValueKind::Int, b_.CreateSub(intValue(0), v), {}, nullptr};
    case ast::UnaryOp::BitNot: return {ValueKind::Int, b_.CreateNot(v), {}, nullptr};
  }
  return {ValueKind::Int, v, {}, nullptr};
}

TypedValue RouteLowering::lowerSelVal(const ast::BuiltinCallExpr& e) {
  if (e.args.size() != 3) {
    m_.unsupported(e, "selval() takes 3 operands");
    return {ValueKind::Int, intValue(0), {}, nullptr};
  }
  llvm::Value* slot = newValueSlot();
  llvm::BasicBlock* yes = newBlock("selval_yes");
  llvm::BasicBlock* no = newBlock("selval_no");
  llvm::BasicBlock* done = newBlock("selval_done");
  b_.CreateCondBr(lowerCondition(*e.args[0]), yes, no);
  b_.SetInsertPoint(yes);
  storeValue(slot, lowerValue(*e.args[1]));
  b_.CreateBr(done);
  b_.SetInsertPoint(no);
  storeValue(slot, lowerValue(*e.args[2]));
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  return {ValueKind::Dynamic, nullptr, {}, slot};
}

TypedValue RouteLowering::lowerBinary(const ast::BinaryExpr& e) {
  using ast::BinaryOp;
  switch (e.op) {
    case BinaryOp::LogicalAnd:
    case BinaryOp::LogicalOr: {
      bool isAnd = e.op == BinaryOp::LogicalAnd;
      llvm::Value* left = b_.CreateICmpNE(lowerInt(*e.lhs), intValue(0));
      llvm::BasicBlock* start = b_.GetInsertBlock();
      llvm::BasicBlock* right = newBlock(isAnd ? "and_rhs" : "or_rhs");
      llvm::BasicBlock* done = newBlock(isAnd ? "and_done" : "or_done");
      b_.CreateCondBr(left, isAnd ? right : done, isAnd ? done : right);
      b_.SetInsertPoint(right);
      llvm::Value* rightValue = b_.CreateICmpNE(lowerInt(*e.rhs), intValue(0));
      llvm::BasicBlock* rightEnd = b_.GetInsertBlock();
      b_.CreateBr(done);
      b_.SetInsertPoint(done);
      llvm::PHINode* phi = b_.CreatePHI(b_.getInt1Ty(), 2);
      phi->addIncoming(b_.getInt1(!isAnd), start);
      phi->addIncoming(rightValue, rightEnd);
      return intResult(phi);
    }
    case BinaryOp::Eq:
    case BinaryOp::Ne:
    case BinaryOp::Match: {
      // `!method == "X"` arrives as !(method == "X"), Kamailio's grouping.
      llvm::Value* result = e.op == BinaryOp::Match ? lowerMatchOperand(*e.lhs, *e.rhs) : lowerEquality(*e.lhs, *e.rhs);
      return intResult(e.op == BinaryOp::Ne ? b_.CreateNot(result) : result);
    }
    case BinaryOp::StrEq:
    case BinaryOp::StrNe: {
      StrValue a = toStr(lowerValue(*e.lhs));
      StrValue c = toStr(lowerValue(*e.rhs));
      llvm::Value* equal = strEqual(a, c, false);
      return intResult(e.op == BinaryOp::StrEq ? equal : b_.CreateNot(equal));
    }
    case BinaryOp::Plus: {
      TypedValue a = lowerValue(*e.lhs);
      return lowerPlus(a, lowerValue(*e.rhs));
    }
    default: {
      llvm::Value* a = lowerInt(*e.lhs);
      return {ValueKind::Int, lowerIntOp(e.op, a, lowerInt(*e.rhs), e), {}, nullptr};
    }
  }
}

// `+`: an int on the left adds, anything else concatenates (null counts as "").
TypedValue RouteLowering::lowerPlus(const TypedValue& lhs, const TypedValue& rhs) {
  auto concat = [&](StrValue a, StrValue c) -> StrValue {
    llvm::Value* tmp = newValueSlot();
    b_.CreateCall(m_.abi.concat, {msg_, a.data, a.length, c.data, c.length, tmp});
    return {loadField(tmp, 2), loadField(tmp, 3)};
  };
  if (lhs.kind == ValueKind::Int) return {ValueKind::Int, b_.CreateAdd(lhs.number, toInt(rhs)), {}, nullptr};
  if (lhs.kind == ValueKind::Str) return {ValueKind::Str, nullptr, concat(lhs.text, toStr(rhs)), nullptr};
  llvm::Value* slot = newValueSlot();
  llvm::Value* isInt = b_.CreateICmpNE(b_.CreateAnd(loadField(lhs.slot, 0), intValue(kValueInt)), intValue(0));
  llvm::BasicBlock* add = newBlock("plus_int");
  llvm::BasicBlock* join = newBlock("plus_str");
  llvm::BasicBlock* done = newBlock("plus_done");
  b_.CreateCondBr(isInt, add, join);
  b_.SetInsertPoint(add);
  llvm::Value* sum = b_.CreateAdd(b_.CreateTrunc(loadField(lhs.slot, 1), m_.abi.i32), toInt(rhs));
  storeValue(slot, {ValueKind::Int, sum, {}, nullptr});
  b_.CreateBr(done);
  b_.SetInsertPoint(join);
  StrValue left = toStr(lhs);
  storeValue(slot, {ValueKind::Str, nullptr, concat(left, toStr(rhs)), nullptr});
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  return {ValueKind::Dynamic, nullptr, {}, slot};
}

llvm::Value* RouteLowering::lowerMatchOperand(const ast::Expr& lhs, const ast::Expr& pattern) {
  const SpecialOperand* special = specialOperand(lhs);
  TypedValue subject = special ? lowerPseudoVar(std::string(special->pv), lhs) : lowerValue(lhs);
  return lowerMatch(toStr(subject), pattern);
}

// `==` compares as the left operand's type; a null left operand takes the right's.
llvm::Value* RouteLowering::lowerEquality(const ast::Expr& left, const ast::Expr& right) {
  if (const SpecialOperand* special = specialOperand(left)) {
    return lowerSpecialComparison(left, right, std::string(special->pv));
  }
  if (isMyself(right)) {
    StrValue s = toStr(lowerValue(left));
    return b_.CreateICmpSGT(b_.CreateCall(m_.abi.isMyself, {msg_, s.data, s.length}), intValue(0));
  }
  TypedValue lhs = lowerValue(left);
  TypedValue rhs = lowerValue(right);
  if (lhs.kind == ValueKind::Int) return b_.CreateICmpEQ(lhs.number, toInt(rhs));
  if (lhs.kind == ValueKind::Str) return strEqual(lhs.text, toStr(rhs), false);
  llvm::Value* flags = loadField(lhs.slot, 0);
  llvm::BasicBlock* asInt = newBlock("eq_int");
  llvm::BasicBlock* notInt = newBlock("eq_not_int");
  llvm::BasicBlock* asStr = newBlock("eq_str");
  llvm::BasicBlock* asNull = newBlock("eq_null");
  llvm::BasicBlock* done = newBlock("eq_done");
  b_.CreateCondBr(b_.CreateICmpNE(b_.CreateAnd(flags, intValue(kValueInt)), intValue(0)), asInt, notInt);
  b_.SetInsertPoint(asInt);
  llvm::Value* intEqual = b_.CreateICmpEQ(b_.CreateTrunc(loadField(lhs.slot, 1), m_.abi.i32), toInt(rhs));
  llvm::BasicBlock* intEnd = b_.GetInsertBlock();
  b_.CreateBr(done);
  b_.SetInsertPoint(notInt);
  b_.CreateCondBr(b_.CreateICmpNE(b_.CreateAnd(flags, intValue(kValueStr)), intValue(0)), asStr, asNull);
  b_.SetInsertPoint(asStr);
  llvm::Value* strEq = strEqual({loadField(lhs.slot, 2), loadField(lhs.slot, 3)}, toStr(rhs), false);
  llvm::BasicBlock* strEnd = b_.GetInsertBlock();
  b_.CreateBr(done);
  b_.SetInsertPoint(asNull);
  llvm::Value* nullEqual = nullptr;
  if (rhs.kind == ValueKind::Int) {
    nullEqual = b_.CreateICmpEQ(rhs.number, intValue(0));
  } else if (rhs.kind == ValueKind::Str) {
    nullEqual = b_.CreateICmpEQ(rhs.text.length, b_.getInt64(0));
  } else {
    llvm::Value* rightIsInt =
        b_.CreateICmpNE(b_.CreateAnd(loadField(rhs.slot, 0), intValue(kValueInt)), intValue(0));
    llvm::Value* rightZero = b_.CreateICmpEQ(b_.CreateTrunc(loadField(rhs.slot, 1), m_.abi.i32), intValue(0));
    llvm::Value* rightEmpty = b_.CreateICmpEQ(loadField(rhs.slot, 3), b_.getInt64(0));
    nullEqual = b_.CreateSelect(rightIsInt, rightZero, rightEmpty);
  }
  llvm::BasicBlock* nullEnd = b_.GetInsertBlock();
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  llvm::PHINode* phi = b_.CreatePHI(b_.getInt1Ty(), 3);
  phi->addIncoming(intEqual, intEnd);
  phi->addIncoming(strEq, strEnd);
  phi->addIncoming(nullEqual, nullEnd);
  return phi;
}

// method == "INVITE", uri == myself, src_ip == 10.0.0.0/8, proto == UDP, ...
llvm::Value* RouteLowering::lowerSpecialComparison(const ast::Expr& lhs, const ast::Expr& rhs, const std::string& pv) {
  StrValue left = toStr(lowerPseudoVar(pv, lhs));
  if (isMyself(rhs)) {
    return b_.CreateICmpSGT(b_.CreateCall(m_.abi.isMyself, {msg_, left.data, left.length}), intValue(0));
  }
  if (rhs.kind == ast::ExprKind::Address &&
      static_cast<const ast::AddressExpr&>(rhs).addressKind == ast::AddressKind::Ip) {
    StrValue net = constantStr(rhs.text);
    return b_.CreateICmpNE(b_.CreateCall(m_.abi.ipMatches, {left.data, left.length, net.data, net.length}),
                           intValue(0));
  }
  if (rhs.kind == ast::ExprKind::Number) {
    TypedValue number = lowerValue(rhs);
    return b_.CreateICmpEQ(toInt({ValueKind::Str, nullptr, left, nullptr}), number.number);
  }
  if (rhs.kind == ast::ExprKind::Address || bareWord(rhs)) return strEqual(left, constantStr(rhs.text), true);
  return strEqual(left, toStr(lowerValue(rhs)), true);
}

llvm::Value* RouteLowering::lowerMatch(StrValue subject, const ast::Expr& pattern) {
  if (pattern.kind == ast::ExprKind::String) {
    const std::string& text = static_cast<const ast::StringExpr&>(pattern).value;
    llvm::Value* regex = b_.CreateLoad(m_.abi.ptr, m_.regexHandle(text, /*ignoreCase=*/true, pattern));
    return b_.CreateICmpNE(b_.CreateCall(m_.abi.regexMatch, {regex, subject.data, subject.length}), intValue(0));
  }
  StrValue p = toStr(lowerValue(pattern));
  llvm::Value* r = b_.CreateCall(m_.abi.regexMatchDynamic, {msg_, p.data, p.length, subject.data, subject.length});
  return b_.CreateICmpSGT(r, intValue(0));
}

// Integer operators with C int semantics as Kamailio has them; division by zero
// is an error (logged, and the statement's expression fails: failed_) instead of
// undefined behaviour.
llvm::Value* RouteLowering::lowerIntOp(ast::BinaryOp op, llvm::Value* a, llvm::Value* c, const ast::Node& at) {
  using ast::BinaryOp;
  switch (op) {
    case BinaryOp::Minus: return b_.CreateSub(a, c);
    case BinaryOp::Mul: return b_.CreateMul(a, c);
    case BinaryOp::BitAnd: return b_.CreateAnd(a, c);
    case BinaryOp::BitOr: return b_.CreateOr(a, c);
    case BinaryOp::BitXor: return b_.CreateXor(a, c);
    case BinaryOp::ShiftLeft: return b_.CreateShl(a, b_.CreateAnd(c, intValue(31)));
    case BinaryOp::ShiftRight: return b_.CreateAShr(a, b_.CreateAnd(c, intValue(31)));
    case BinaryOp::Gt: return b_.CreateZExt(b_.CreateICmpSGT(a, c), m_.abi.i32);
    case BinaryOp::Lt: return b_.CreateZExt(b_.CreateICmpSLT(a, c), m_.abi.i32);
    case BinaryOp::Ge: return b_.CreateZExt(b_.CreateICmpSGE(a, c), m_.abi.i32);
    case BinaryOp::Le: return b_.CreateZExt(b_.CreateICmpSLE(a, c), m_.abi.i32);
    case BinaryOp::IntEq: return b_.CreateZExt(b_.CreateICmpEQ(a, c), m_.abi.i32);
    case BinaryOp::IntNe: return b_.CreateZExt(b_.CreateICmpNE(a, c), m_.abi.i32);
    case BinaryOp::Div:
    case BinaryOp::Mod: {
      llvm::Value* zero = b_.CreateICmpEQ(c, intValue(0));
      llvm::BasicBlock* bad = newBlock("div_by_zero");
      llvm::BasicBlock* good = newBlock("divide");
      llvm::BasicBlock* done = newBlock("div_done");
      b_.CreateCondBr(zero, bad, good);
      b_.SetInsertPoint(bad);
      b_.CreateCall(m_.abi.logScriptError, {msg_, m_.stringConstant(op == BinaryOp::Div ? "rv div by 0" : "rv mod by 0"),
                                            m_.stringConstant(at.loc.valid() ? m_.sm.file(at.loc.file).path : ""),
                                            intValue(static_cast<int>(at.loc.line))});
      b_.CreateStore(b_.getTrue(), failed_);
      b_.CreateBr(done);
      b_.SetInsertPoint(good);
      // INT_MIN / -1 traps on x86; C's wrap-around result is what Kamailio computes.
      llvm::Value* minusOne = b_.CreateICmpEQ(c, intValue(-1));
      llvm::Value* safeDivisor = b_.CreateSelect(minusOne, intValue(1), c);
      llvm::Value* q = op == BinaryOp::Div ? b_.CreateSDiv(a, safeDivisor) : b_.CreateSRem(a, safeDivisor);
      llvm::Value* result = b_.CreateSelect(minusOne, op == BinaryOp::Div ? b_.CreateSub(intValue(0), a) : intValue(0), q);
      llvm::BasicBlock* goodEnd = b_.GetInsertBlock();
      b_.CreateBr(done);
      b_.SetInsertPoint(done);
      llvm::PHINode* phi = b_.CreatePHI(m_.abi.i32, 2);
      phi->addIncoming(intValue(0), bad);
      phi->addIncoming(result, goodEnd);
      return phi;
    }
    default: break;
  }
  m_.unsupported(at, std::string("operator '") + ast::binaryOpSpelling(op) + "' is not supported on integers");
  return intValue(0);
}

// ---------------------------------------------------------------- calls

llvm::Value* RouteLowering::lowerCallCode(const ast::CallExpr& call) {
  llvm::Value* code = call.callee == "route" ? lowerRouteCall(call) : lowerFunctionCall(call);
  if (m_.tracksRetcode) b_.CreateCall(m_.abi.setRetcode, {msg_, code});
  leaveIfExit(code);
  return code;
}

// route(NAME) is a direct call of the route's function.
llvm::Value* RouteLowering::lowerRouteCall(const ast::CallExpr& call) {
  std::string name;
  if (call.args.size() == 1) {
    const ast::Expr& arg = *call.args[0];
    if (arg.kind == ast::ExprKind::String) name = static_cast<const ast::StringExpr&>(arg).value;
    else if (bareWord(arg) || arg.kind == ast::ExprKind::Number) name = arg.text;
  }
  if (name.empty() || name.find('$') != std::string::npos) {
    m_.unsupported(call, "route() with a name known only at run time is not supported by kamc yet");
    return intValue(1);
  }
  auto it = m_.namedRoutes.find(name);
  if (it == m_.namedRoutes.end()) {
    m_.unsupported(call, "route(" + name + "): there is no route[" + name + "] block");
    return intValue(1);
  }
  return b_.CreateCall(it->second, {msg_});
}

bool RouteLowering::argumentLiteral(const ast::Expr& arg, ArgLiteral& out) {
  switch (arg.kind) {
    case ast::ExprKind::Number:
      out.isInt = true;
      out.number = static_cast<const ast::NumberExpr&>(arg).value;
      return true;
    case ast::ExprKind::String: out.text = static_cast<const ast::StringExpr&>(arg).value; return true;
    case ast::ExprKind::PseudoVar: out.text = static_cast<const ast::PseudoVarExpr&>(arg).pv.text; return true;
    case ast::ExprKind::Address:
    case ast::ExprKind::Keyword: out.text = arg.text; return true;
    case ast::ExprKind::Call:
      if (!bareWord(arg)) return false;
      out.text = static_cast<const ast::CallExpr&>(arg).callee;
      return true;
    case ast::ExprKind::Unary: {
      const auto& u = static_cast<const ast::UnaryExpr&>(arg);
      if (u.op != ast::UnaryOp::Negate || u.operand->kind != ast::ExprKind::Number) return false;
      out.isInt = true;
      out.number = -static_cast<const ast::NumberExpr&>(*u.operand).value;
      return true;
    }
    default: return false;
  }
}

// A module or core function: resolved through the catalog at compile time, fixed
// up by the runtime at load time, called through its handle per message.
llvm::Value* RouteLowering::lowerFunctionCall(const ast::CallExpr& call) {
  const std::string& name = call.callee;
  // Resolved as lint resolves it (core names shadow module exports).
  sema::CallResolution r = sema::resolveCall(call, *m_.modules, m_.itemCount);
  using Status = sema::CallResolution::Status;
  if (r.status != Status::Found) {
    std::string why = r.status == Status::NotLoaded
                          ? name + "() needs loadmodule \"" + std::string(r.rows.front()->module) + ".so\""
                      : r.status == Status::WrongArgCount
                          ? name + "() does not take " + std::to_string(call.args.size()) + " arguments"
                          : "unknown function '" + name + "'";
    m_.unsupported(call, why);
    return intValue(1);
  }
  const catalog::FunctionInfo* chosen = r.rows.front();
  if (!chosen->nativeInRuntime) {
    m_.unsupported(call, name + "() of module " + std::string(chosen->module) +
                             " is not implemented by the kamc runtime yet");
    return intValue(1);
  }
  std::vector<ArgLiteral> args(call.args.size());
  for (std::size_t i = 0; i < call.args.size(); ++i) {
    if (!argumentLiteral(*call.args[i], args[i])) {
      m_.unsupported(*call.args[i], "argument " + std::to_string(i + 1) + " of " + name +
                                        "(): kamc supports strings, numbers and pseudo-variables here, not expressions");
      return intValue(1);
    }
  }
  llvm::Value* handle = b_.CreateLoad(m_.abi.ptr, m_.callHandle(name, std::move(args), call));
  return b_.CreateCall(m_.abi.callFunction, {msg_, handle});
}

}  // namespace kamc::codegen
