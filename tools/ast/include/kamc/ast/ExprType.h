// Static types and constant folding of script expressions, with Kamailio
// 5.6's rules (src/core/rvalue.c), so that cfgcheck reports the type errors
// kamailio -c reports and codegen folds constants to the values Kamailio
// computes. Integers are Kamailio's C `int`: 32 bits, wrapping.
//
// How Kamailio types an expression: a number is int, a string or select is
// str, a pseudo-variable or AVP is known only at run time; a function call,
// a comparison of a core keyword (method == "X", src_ip == 1.2.3.4) and a
// { block } are int. `+` takes the type of its left operand (int addition
// or string concatenation); `mod`, `-`, `*`, `/`, bit, logical and ordering
// operators need ints; `eq`, `ne` and `=~` need strings; `==`/`!=` compare
// as the left operand's type. Mixing is refused only where both types are
// known at parse time, and never for a str on the left and an int on the
// right (which Kamailio converts).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "kamc/ast/AST.h"

namespace kamc::ast {

enum class ValueType {
  Dynamic,  // known only at run time: pseudo-variables, AVPs, selval
  Int,
  Str,
};
const char* valueTypeName(ValueType t);  // "int", "str", "dynamic"

// The type Kamailio gives an expression (rve_guess_type).
ValueType staticType(const Expr& e);

// An operand whose type Kamailio refuses, as in "bad expression: type
// mismatch: str instead of int".
struct TypeMismatch {
  const Expr* operand = nullptr;  // the operand of the wrong type
  const Expr* expression = nullptr;  // the operation that refuses it
  ValueType found = ValueType::Dynamic;
  ValueType expected = ValueType::Dynamic;
  std::string reason;  // "'+' takes the type of its left operand"
};

// The first mismatch in the order Kamailio's parser meets them (innermost
// operations first, left to right), or nullopt when Kamailio accepts e.
std::optional<TypeMismatch> checkTypes(const Expr& e);

// A constant: an int or a str.
struct ConstValue {
  ValueType type = ValueType::Int;
  int32_t intValue = 0;
  std::string strValue;

  // Kamailio's conversions: a str is an int when it is a decimal (with a
  // sign) or 0x hex number that fits, else 0 ("" is 0); an int is its
  // decimal spelling.
  int32_t asInt() const;
  std::string asStr() const;
  bool operator==(const ConstValue&) const = default;
};

// True when e has no run-time part (rve_is_constant).
bool isConstant(const Expr& e);

struct FoldResult {
  std::optional<ConstValue> value;  // empty when not constant, or on error
  std::string error;                // "division by zero", "bad regular expression ..."
};
// Evaluates a constant expression as Kamailio does at start-up
// (rval_expr_eval); not constant -> no value and no error.
FoldResult foldConstant(const Expr& e);

}  // namespace kamc::ast
