// Kamailio's expression typing (rve_guess_type, rve_check_type) and constant
// evaluation (rval_expr_eval) over kamc's AST. Each AST node is first mapped
// to the operation Kamailio's parser builds for it; the rules then follow
// src/core/rvalue.c of Kamailio 5.6.
#include "kamc/ast/ExprType.h"

#include <climits>
#include <regex>

#include "kamc/semantics/Conversions.h"

namespace kamc::ast {
namespace {

// The operation classes of Kamailio's rval_expr, as far as typing goes.
enum class Op {
  Literal,     // number or string constant
  Runtime,     // pseudo-variable, AVP: type known at run time
  Select,      // @select: a str, not constant
  Action,      // function call, ($x = e), { block }: an int, not constant
  Condition,   // method == "X", src_ip == 1.2.3.4 ...: Kamailio's own comparison, an int
  IntUnary,    // - ~ !
  IntBinary,   // * / mod - | & ^ << >> && || < > <= >= ieq ine
  Plus,        // + : the type of the left operand
  Equality,    // == != : compare as the left operand's type
  StrBinary,   // eq ne =~
  StrUnary,    // strlen strempty defined: a str operand
  IntCast,
  StrCast,
  SelVal,      // selval(c, a, b): not typed by Kamailio
};

const BinaryExpr& asBinary(const Expr& e) { return static_cast<const BinaryExpr&>(e); }

// Kamailio's grammar parses `KEYWORD op value` (method, uri, src_ip, proto,
// myself...) and comparisons with an address as its own condition, not as a
// typed rvalue. In kamc's tree a keyword is a call without parentheses, and
// `!method == "X"` is already !(method == "X"), as in Kamailio.
bool isConditionOperand(const Expr& e) {
  if (e.kind == ExprKind::Keyword || e.kind == ExprKind::Address) return true;
  return e.kind == ExprKind::Call && !static_cast<const CallExpr&>(e).hasParens;
}

bool isComparison(BinaryOp op) {
  switch (op) {
    case BinaryOp::Gt: case BinaryOp::Lt: case BinaryOp::Ge: case BinaryOp::Le:
    case BinaryOp::Eq: case BinaryOp::Ne: case BinaryOp::Match:
    case BinaryOp::StrEq: case BinaryOp::StrNe: case BinaryOp::IntEq: case BinaryOp::IntNe: return true;
    default: return false;
  }
}

// `e == $null` is Kamailio's "not defined e" (and != is "defined").
bool comparesWithNull(const BinaryExpr& b) {
  if (b.op != BinaryOp::Eq && b.op != BinaryOp::Ne && b.op != BinaryOp::IntEq && b.op != BinaryOp::IntNe &&
      b.op != BinaryOp::StrNe && b.op != BinaryOp::StrEq)
    return false;
  return b.rhs && b.rhs->kind == ExprKind::PseudoVar &&
         static_cast<const PseudoVarExpr&>(*b.rhs).pv.className == "null" &&
         !static_cast<const PseudoVarExpr&>(*b.rhs).pv.inner;
}

Op binaryOp(const BinaryExpr& b) {
  if (isComparison(b.op) && b.lhs && b.rhs && (isConditionOperand(*b.lhs) || isConditionOperand(*b.rhs)))
    return Op::Condition;
  if (comparesWithNull(b)) return Op::StrUnary;
  switch (b.op) {
    case BinaryOp::Plus: return Op::Plus;
    case BinaryOp::Eq:
    case BinaryOp::Ne: return Op::Equality;
    case BinaryOp::StrEq:
    case BinaryOp::StrNe:
    case BinaryOp::Match: return Op::StrBinary;
    default: return Op::IntBinary;
  }
}

Op opOf(const Expr& e) {
  switch (e.kind) {
    case ExprKind::Number:
    case ExprKind::String: return Op::Literal;
    case ExprKind::PseudoVar: return Op::Runtime;
    case ExprKind::Select: return Op::Select;
    case ExprKind::Unary: return Op::IntUnary;
    case ExprKind::Cast: return static_cast<const CastExpr&>(e).cast == CastKind::Int ? Op::IntCast : Op::StrCast;
    case ExprKind::Defined:
    case ExprKind::StrLen:
    case ExprKind::StrEmpty: return Op::StrUnary;
    case ExprKind::SelVal: return Op::SelVal;
    case ExprKind::Binary: return binaryOp(asBinary(e));
    case ExprKind::Keyword:
    case ExprKind::Address: return Op::Condition;
    case ExprKind::Call:
    case ExprKind::Assign:
    case ExprKind::BlockValue: return Op::Action;
  }
  return Op::Action;
}

// The operands Kamailio types, in source order.
std::vector<const Expr*> operandsOf(const Expr& e) {
  switch (e.kind) {
    case ExprKind::Unary: return {static_cast<const UnaryExpr&>(e).operand.get()};
    case ExprKind::Cast: return {static_cast<const CastExpr&>(e).operand.get()};
    case ExprKind::Defined: return {static_cast<const DefinedExpr&>(e).operand.get()};
    case ExprKind::Binary:
      if (comparesWithNull(asBinary(e))) return {asBinary(e).lhs.get()};
      return {asBinary(e).lhs.get(), asBinary(e).rhs.get()};
    case ExprKind::StrLen:
    case ExprKind::StrEmpty:
    case ExprKind::SelVal: {
      std::vector<const Expr*> out;
      for (const ExprPtr& a : static_cast<const BuiltinCallExpr&>(e).args) out.push_back(a.get());
      return out;
    }
    default: return {};
  }
}

bool known(ValueType t) { return t != ValueType::Dynamic; }

// Both types known, different, and not the str-left/int-right mix Kamailio converts.
bool mixes(ValueType left, ValueType right) {
  return known(left) && known(right) && left != right && !(left == ValueType::Str && right == ValueType::Int);
}

// The operator as written: "+", "mod", "eq", "strlen", "defined".
std::string spelling(const Expr& e) {
  if (e.kind == ExprKind::Defined) return "defined";
  if (e.kind == ExprKind::Binary && comparesWithNull(asBinary(e))) return asBinary(e).text + " $null";
  return e.text;
}

std::string reasonFor(const Expr& e, Op op, ValueType expected) {
  std::string name = "'" + spelling(e) + "'";
  switch (op) {
    case Op::Plus: return name + " takes the type of its left operand";
    case Op::Equality: return name + " compares as the type of its left operand";
    case Op::StrBinary:
      return expected == ValueType::Str ? name + " compares strings" : name + " compares as the type of its left operand";
    case Op::StrUnary: return name + " works on a string";
    default: return name + " works on integers";
  }
}

std::optional<TypeMismatch> mismatch(const Expr& whole, const Expr* operand, ValueType found, ValueType expected) {
  return TypeMismatch{operand, &whole, found, expected, reasonFor(whole, opOf(whole), expected)};
}

// The check Kamailio's mk_rve1/mk_rve2 make when it builds this operation
// (its operands were checked when they were built).
std::optional<TypeMismatch> checkOperation(const Expr& e, const std::vector<const Expr*>& operands) {
  if (operands.empty() || !operands[0]) return std::nullopt;
  ValueType t1 = staticType(*operands[0]);
  ValueType t2 = operands.size() > 1 && operands[1] ? staticType(*operands[1]) : ValueType::Dynamic;
  switch (opOf(e)) {
    case Op::IntUnary:
    case Op::IntBinary:
      if (t1 == ValueType::Str) return mismatch(e, operands[0], t1, ValueType::Int);
      if (t2 == ValueType::Str) return mismatch(e, operands[1], t2, ValueType::Int);
      return std::nullopt;
    case Op::Plus:
    case Op::Equality:
      if (mixes(t1, t2)) return mismatch(e, operands[1], t2, t1);
      return std::nullopt;
    case Op::StrBinary:
      if (mixes(t1, t2)) return mismatch(e, operands[1], t2, t1);
      if (t1 == ValueType::Int) return mismatch(e, operands[0], t1, ValueType::Str);
      return std::nullopt;
    case Op::StrUnary:
      if (t1 == ValueType::Int) return mismatch(e, operands[0], t1, ValueType::Str);
      return std::nullopt;
    default: return std::nullopt;
  }
}

// ------------------------------------------------------------------ folding

using Fold = FoldResult;

Fold intValue(int64_t v) { return {ConstValue{ValueType::Int, static_cast<int32_t>(static_cast<uint32_t>(v)), {}}, {}}; }
Fold strValue(std::string s) { return {ConstValue{ValueType::Str, 0, std::move(s)}, {}}; }
Fold failure(std::string why) { return {std::nullopt, std::move(why)}; }

// 32-bit two's-complement arithmetic without undefined behaviour.
int32_t wrap(uint32_t v) { return static_cast<int32_t>(v); }

Fold foldIntBinary(BinaryOp op, int32_t a, int32_t b) {
  uint32_t ua = static_cast<uint32_t>(a), ub = static_cast<uint32_t>(b);
  switch (op) {
    case BinaryOp::Plus: return intValue(wrap(ua + ub));
    case BinaryOp::Minus: return intValue(wrap(ua - ub));
    case BinaryOp::Mul: return intValue(wrap(ua * ub));
    case BinaryOp::Div:
    case BinaryOp::Mod:
      if (b == 0) return failure(op == BinaryOp::Div ? "division by zero" : "modulo by zero");
      if (a == INT32_MIN && b == -1) return failure("integer overflow: INT_MIN divided by -1");
      return intValue(op == BinaryOp::Div ? a / b : a % b);
    case BinaryOp::BitOr: return intValue(a | b);
    case BinaryOp::BitAnd: return intValue(a & b);
    case BinaryOp::BitXor: return intValue(a ^ b);
    // C leaves shifts by 32 or more undefined; x86-64, where Kamailio runs, uses the low 5 bits.
    case BinaryOp::ShiftLeft: return intValue(wrap(ua << (ub & 31)));
    case BinaryOp::ShiftRight: return intValue(a >> (ub & 31));
    case BinaryOp::Gt: return intValue(a > b);
    case BinaryOp::Lt: return intValue(a < b);
    case BinaryOp::Ge: return intValue(a >= b);
    case BinaryOp::Le: return intValue(a <= b);
    case BinaryOp::Eq:
    case BinaryOp::IntEq: return intValue(a == b);
    case BinaryOp::Ne:
    case BinaryOp::IntNe: return intValue(a != b);
    default: return failure("not an integer operation");
  }
}

// Kamailio matches =~ with POSIX extended, case-insensitive regexec.
Fold foldMatch(const std::string& subject, const std::string& pattern) {
  try {
    std::regex re(pattern, std::regex::extended | std::regex::icase | std::regex::nosubs);
    return intValue(std::regex_search(subject, re));
  } catch (const std::regex_error&) {
    return failure("bad regular expression \"" + pattern + "\"");
  }
}

Fold fold(const Expr& e);

Fold foldBinary(const BinaryExpr& b) {
  if (comparesWithNull(b)) {  // a constant is always defined
    bool isDefined = b.op == BinaryOp::Ne || b.op == BinaryOp::IntNe || b.op == BinaryOp::StrNe;
    return intValue(isDefined ? 1 : 0);
  }
  Fold left = fold(*b.lhs);
  if (!left.value) return left;
  if (b.op == BinaryOp::LogicalAnd || b.op == BinaryOp::LogicalOr) {
    bool l = left.value->asInt() != 0;
    if (l == (b.op == BinaryOp::LogicalOr)) return intValue(l);  // short circuit
    Fold right = fold(*b.rhs);
    return right.value ? intValue(right.value->asInt() != 0) : right;
  }
  Fold right = fold(*b.rhs);
  if (!right.value) return right;
  const ConstValue &l = *left.value, &r = *right.value;
  switch (b.op) {
    case BinaryOp::Plus:
      if (l.type == ValueType::Str) return strValue(l.strValue + r.asStr());
      return foldIntBinary(b.op, l.intValue, r.asInt());
    case BinaryOp::Eq:
    case BinaryOp::Ne:
      if (l.type == ValueType::Str) return intValue((l.strValue == r.asStr()) == (b.op == BinaryOp::Eq));
      return foldIntBinary(b.op, l.intValue, r.asInt());
    case BinaryOp::StrEq: return intValue(l.asStr() == r.asStr());
    case BinaryOp::StrNe: return intValue(l.asStr() != r.asStr());
    case BinaryOp::Match: return foldMatch(l.asStr(), r.asStr());
    default: return foldIntBinary(b.op, l.asInt(), r.asInt());
  }
}

Fold fold(const Expr& e) {
  switch (e.kind) {
    case ExprKind::Number: return intValue(static_cast<const NumberExpr&>(e).value);
    case ExprKind::String: return strValue(static_cast<const StringExpr&>(e).value);
    case ExprKind::Unary: {
      auto& u = static_cast<const UnaryExpr&>(e);
      Fold v = fold(*u.operand);
      if (!v.value) return v;
      uint32_t x = static_cast<uint32_t>(v.value->asInt());
      switch (u.op) {
        case UnaryOp::Negate: return intValue(wrap(0u - x));
        case UnaryOp::BitNot: return intValue(wrap(~x));
        case UnaryOp::Not: return intValue(x == 0);
      }
      break;
    }
    case ExprKind::Cast: {
      auto& c = static_cast<const CastExpr&>(e);
      Fold v = fold(*c.operand);
      if (!v.value) return v;
      return c.cast == CastKind::Int ? intValue(v.value->asInt()) : strValue(v.value->asStr());
    }
    case ExprKind::Defined: return intValue(1);
    case ExprKind::StrLen:
    case ExprKind::StrEmpty: {
      auto& s = static_cast<const BuiltinCallExpr&>(e);
      Fold v = fold(*s.args.at(0));
      if (!v.value) return v;
      std::string text = v.value->asStr();
      return intValue(e.kind == ExprKind::StrLen ? static_cast<int64_t>(text.size()) : text.empty());
    }
    case ExprKind::SelVal: {
      auto& s = static_cast<const BuiltinCallExpr&>(e);
      Fold c = fold(*s.args.at(0));
      if (!c.value) return c;
      return fold(*s.args.at(c.value->asInt() ? 1 : 2));
    }
    case ExprKind::Binary: return foldBinary(asBinary(e));
    default: break;
  }
  return {};
}

}  // namespace

const char* valueTypeName(ValueType t) {
  switch (t) {
    case ValueType::Int: return "int";
    case ValueType::Str: return "str";
    case ValueType::Dynamic: return "dynamic";
  }
  return "";
}

ValueType staticType(const Expr& e) {
  switch (opOf(e)) {
    case Op::Literal: return e.kind == ExprKind::Number ? ValueType::Int : ValueType::Str;
    case Op::Runtime: return ValueType::Dynamic;
    case Op::Select:
    case Op::StrCast: return ValueType::Str;
    case Op::Plus: {
      const Expr* left = asBinary(e).lhs.get();
      return left ? staticType(*left) : ValueType::Dynamic;
    }
    case Op::SelVal: return ValueType::Dynamic;
    default: return ValueType::Int;
  }
}

std::optional<TypeMismatch> checkTypes(const Expr& e) {
  std::vector<const Expr*> operands = operandsOf(e);
  // Kamailio's parser builds (and checks) the operands first.
  for (const Expr* operand : operands)
    if (operand)
      if (std::optional<TypeMismatch> m = checkTypes(*operand)) return m;
  if (opOf(e) == Op::Condition && e.kind == ExprKind::Binary) return std::nullopt;
  return checkOperation(e, operands);
}

bool isConstant(const Expr& e) {
  switch (opOf(e)) {
    case Op::Literal: return true;
    case Op::Runtime:
    case Op::Select:
    case Op::Action:
    case Op::Condition: return false;
    default: break;
  }
  for (const Expr* operand : operandsOf(e))
    if (!operand || !isConstant(*operand)) return false;
  return true;
}

FoldResult foldConstant(const Expr& e) {
  if (!isConstant(e)) return {};
  return fold(e);
}

// Kamailio's rval_get_int, shared with the runtime (kamc/semantics).
int32_t ConstValue::asInt() const { return type == ValueType::Int ? intValue : semantics::stringToInt(strValue); }

std::string ConstValue::asStr() const { return type == ValueType::Str ? strValue : std::to_string(intValue); }

}  // namespace kamc::ast
