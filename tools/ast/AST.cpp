// Names and operator facts of the AST, used by the dump, the printer and
// diagnostics.
#include "kamc/ast/AST.h"

namespace kamc::ast {

const char* exprKindName(ExprKind k) {
  switch (k) {
    case ExprKind::Number: return "Number";
    case ExprKind::String: return "String";
    case ExprKind::PseudoVar: return "PseudoVar";
    case ExprKind::Select: return "Select";
    case ExprKind::Address: return "Address";
    case ExprKind::Keyword: return "Keyword";
    case ExprKind::Call: return "Call";
    case ExprKind::Unary: return "Unary";
    case ExprKind::Cast: return "Cast";
    case ExprKind::Defined: return "Defined";
    case ExprKind::Binary: return "Binary";
    case ExprKind::StrLen: return "StrLen";
    case ExprKind::StrEmpty: return "StrEmpty";
    case ExprKind::SelVal: return "SelVal";
    case ExprKind::Assign: return "AssignValue";
    case ExprKind::BlockValue: return "BlockValue";
  }
  return "?";
}

const char* stmtKindName(StmtKind k) {
  switch (k) {
    case StmtKind::Block: return "Block";
    case StmtKind::If: return "If";
    case StmtKind::Switch: return "Switch";
    case StmtKind::While: return "While";
    case StmtKind::Return: return "Return";
    case StmtKind::Break: return "Break";
    case StmtKind::Exit: return "Exit";
    case StmtKind::Drop: return "Drop";
    case StmtKind::Assign: return "Assign";
    case StmtKind::Call: return "CallStatement";
    case StmtKind::Empty: return "Empty";
  }
  return "?";
}

const char* topKindName(TopKind k) {
  switch (k) {
    case TopKind::LoadModule: return "LoadModule";
    case TopKind::LoadPath: return "LoadPath";
    case TopKind::CfgEngine: return "CfgEngine";
    case TopKind::Modparam: return "Modparam";
    case TopKind::GlobalParam: return "GlobalParam";
    case TopKind::Flags: return "Flags";
    case TopKind::Route: return "Route";
    case TopKind::Empty: return "Empty";
  }
  return "?";
}

const char* routeKindName(RouteKind k) {
  switch (k) {
    case RouteKind::Request: return "request";
    case RouteKind::Named: return "named";
    case RouteKind::Failure: return "failure";
    case RouteKind::OnReply: return "onreply";
    case RouteKind::Reply: return "reply";
    case RouteKind::Branch: return "branch";
    case RouteKind::OnSend: return "onsend";
    case RouteKind::Event: return "event";
  }
  return "?";
}

const char* binaryOpSpelling(BinaryOp op) {
  switch (op) {
    case BinaryOp::Mul: return "*";
    case BinaryOp::Div: return "/";
    case BinaryOp::Mod: return "mod";
    case BinaryOp::Plus: return "+";
    case BinaryOp::Minus: return "-";
    case BinaryOp::Gt: return ">";
    case BinaryOp::Lt: return "<";
    case BinaryOp::Ge: return ">=";
    case BinaryOp::Le: return "<=";
    case BinaryOp::Eq: return "==";
    case BinaryOp::Ne: return "!=";
    case BinaryOp::Match: return "=~";
    case BinaryOp::StrEq: return "eq";
    case BinaryOp::StrNe: return "ne";
    case BinaryOp::IntEq: return "ieq";
    case BinaryOp::IntNe: return "ine";
    case BinaryOp::ShiftRight: return ">>";
    case BinaryOp::ShiftLeft: return "<<";
    case BinaryOp::BitXor: return "^";
    case BinaryOp::BitAnd: return "&";
    case BinaryOp::BitOr: return "|";
    case BinaryOp::LogicalAnd: return "&&";
    case BinaryOp::LogicalOr: return "||";
  }
  return "?";
}

const char* unaryOpSpelling(UnaryOp op) {
  switch (op) {
    case UnaryOp::Not: return "!";
    case UnaryOp::BitNot: return "~";
    case UnaryOp::Negate: return "-";
  }
  return "?";
}

// cfg.y's %left lines, loosest first: || && | & ^ << >> (== != =~ eq ne ieq
// ine) (> < >= <=) (+ -) (* / mod).
int binaryPrecedence(BinaryOp op) {
  switch (op) {
    case BinaryOp::LogicalOr: return 1;
    case BinaryOp::LogicalAnd: return 2;
    case BinaryOp::BitOr: return 3;
    case BinaryOp::BitAnd: return 4;
    case BinaryOp::BitXor: return 5;
    case BinaryOp::ShiftLeft: return 6;
    case BinaryOp::ShiftRight: return 7;
    case BinaryOp::Eq: case BinaryOp::Ne: case BinaryOp::Match: case BinaryOp::StrEq:
    case BinaryOp::StrNe: case BinaryOp::IntEq: case BinaryOp::IntNe: return 8;
    case BinaryOp::Gt: case BinaryOp::Lt: case BinaryOp::Ge: case BinaryOp::Le: return 9;
    case BinaryOp::Plus: case BinaryOp::Minus: return 10;
    case BinaryOp::Mul: case BinaryOp::Div: case BinaryOp::Mod: return 11;
  }
  return 0;
}

std::string LoadModuleItem::moduleName() const {
  std::string_view name = path.value;
  size_t slash = name.rfind('/');
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  if (name.size() > 3 && name.substr(name.size() - 3) == ".so") name.remove_suffix(3);
  return std::string(name);
}

}  // namespace kamc::ast
