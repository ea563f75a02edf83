// Kamailio's expression types and constant folding (kamc/ast/ExprType.h),
// checked on expressions parsed from real config text.
#include <gtest/gtest.h>

#include "kamc/ast/ExprType.h"
#include "kamc/frontend/Pipeline.h"

using namespace kamc;
using ast::ConstValue;
using ast::ValueType;

namespace {

// Parses `$var(r) = <expr>;` and keeps the tree alive for the expression.
struct ParsedExpr {
  frontend::Compilation unit;
  const ast::Expr* expr = nullptr;
};

std::unique_ptr<ParsedExpr> parse(const std::string& expr) {
  auto p = std::make_unique<ParsedExpr>(
      frontend::parse(frontend::ConfigInput::inMemory("t.cfg", "request_route { $var(r) = " + expr + "; }\n"), {}));
  EXPECT_FALSE(p->unit.diags.hasErrors()) << expr;
  auto& route = static_cast<const ast::RouteItem&>(*p->unit.config->items.back());
  p->expr = static_cast<const ast::AssignStmt&>(*route.body->body.at(0)).value.get();
  return p;
}

ConstValue intConst(int32_t v) { return {ValueType::Int, v, {}}; }
ConstValue strConst(std::string s) { return {ValueType::Str, 0, std::move(s)}; }

std::optional<ConstValue> folded(const std::string& expr) { return ast::foldConstant(*parse(expr)->expr).value; }

std::string mismatchOf(const std::string& expr) {
  auto p = parse(expr);
  std::optional<ast::TypeMismatch> m = ast::checkTypes(*p->expr);
  if (!m) return "ok";
  return std::string(ast::valueTypeName(m->found)) + " instead of " + ast::valueTypeName(m->expected) + " at " +
         m->operand->text;
}

}  // namespace

TEST(ExprType, PlusTakesTheTypeOfItsLeftOperand) {
  EXPECT_EQ(mismatchOf("1 + 2 + \"3\""), "str instead of int at \"3\"");
  EXPECT_EQ(mismatchOf("\"3\" + 1 + 2"), "ok");
  EXPECT_EQ(folded("\"3\" + 1 + 2"), strConst("312"));
  EXPECT_EQ(folded("1 + 2 * 3"), intConst(7));
}

TEST(ExprType, ModIsTheModuloOperatorAndWorksOnIntegers) {
  EXPECT_EQ(folded("7 mod 3"), intConst(1));
  EXPECT_EQ(folded("-7 mod 3"), intConst(-1));
  EXPECT_EQ(mismatchOf("7 mod \"3\""), "str instead of int at \"3\"");
}

TEST(ExprType, StringOperatorsRefuseAnIntOnTheLeft) {
  EXPECT_EQ(mismatchOf("1 eq 1"), "int instead of str at 1");
  // Mixed types are reported first, at the right operand, as Kamailio does.
  EXPECT_EQ(mismatchOf("1 eq \"1\""), "str instead of int at \"1\"");
  EXPECT_EQ(mismatchOf("\"1\" eq 1"), "ok");
  EXPECT_EQ(mismatchOf("strlen(5)"), "int instead of str at 5");
}

TEST(ExprType, EqualityComparesAsTheLeftOperand) {
  EXPECT_EQ(mismatchOf("10 == \"10\""), "str instead of int at \"10\"");
  EXPECT_EQ(folded("\"10\" == 10"), intConst(1));
  EXPECT_EQ(folded("\"010\" == 10"), intConst(0));  // compared as strings
  EXPECT_EQ(folded("(int)\"010\" == 10"), intConst(1));
}

TEST(ExprType, RuntimeValuesAreNeitherTypedNorFolded) {
  EXPECT_EQ(mismatchOf("$var(x) + \"a\""), "ok");
  EXPECT_EQ(ast::staticType(*parse("$var(x) + 1")->expr), ValueType::Dynamic);
  EXPECT_FALSE(folded("$var(x) + 1"));
  EXPECT_FALSE(ast::isConstant(*parse("1 + $var(x)")->expr));
}

TEST(ExprType, IntegersWrapAt32Bits) {
  EXPECT_EQ(folded("2147483647 + 1"), intConst(INT32_MIN));
  EXPECT_EQ(folded("1 << 33"), intConst(2));
  EXPECT_EQ(folded("-7 / 2"), intConst(-3));
}

TEST(ExprType, CastsAndLiteralsFoldAsKamailioConvertsThem) {
  // The same rules as the runtime's (kamc/semantics), checked against kamailio 5.6 by
  // tests/codegen/conversions.cfg.
  EXPECT_EQ(folded("(int)\"4294967297\""), intConst(0));  // str2sint overflows: 0
  EXPECT_EQ(folded("(int)\"2147483648\""), intConst(0));
  EXPECT_EQ(folded("(int)\"0x1ffffffff\""), intConst(-1));  // hex keeps the low 32 bits
  EXPECT_EQ(folded("0x1ffffffff + 0"), intConst(-1));
  EXPECT_EQ(folded("4294967297 + 0"), intConst(1));  // a decimal literal is atoi's
  EXPECT_EQ(folded("010 + 0"), intConst(8));          // octal
}

TEST(ExprType, DivisionByZeroIsAFoldingError) {
  auto p = parse("1 / 0");
  ast::FoldResult r = ast::foldConstant(*p->expr);
  EXPECT_FALSE(r.value);
  EXPECT_EQ(r.error, "division by zero");
}

TEST(ExprType, StringsConvertToIntegersAsKamailioDoes) {
  EXPECT_EQ(folded("(int)\"0x1f\""), intConst(31));
  EXPECT_EQ(folded("(int)\"12abc\""), intConst(0));
  EXPECT_EQ(folded("(int)\"-42\""), intConst(-42));
  EXPECT_EQ(folded("(int)\"99999999999\""), intConst(0));
  EXPECT_EQ(folded("(str)-5 + \"x\""), strConst("-5x"));
}

TEST(ExprType, MatchIsCaseInsensitiveExtendedRegex) {
  EXPECT_EQ(folded("\"ABC\" =~ \"^a(b|x)c$\""), intConst(1));
  EXPECT_EQ(folded("\"abc\" =~ \"^b\""), intConst(0));
  EXPECT_FALSE(folded("\"abc\" =~ \"(\""));
}

TEST(ExprType, BuiltinsFold) {
  EXPECT_EQ(folded("strlen(\"abc\")"), intConst(3));
  EXPECT_EQ(folded("strempty(\"\")"), intConst(1));
  EXPECT_EQ(folded("selval(0, \"a\", \"b\")"), strConst("b"));
  EXPECT_EQ(folded("1 && 0 || 5"), intConst(1));
}
