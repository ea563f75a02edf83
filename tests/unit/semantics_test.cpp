// Kamailio 5.6's conversions as the semantics library gives them; the values are the
// ones kamailio produced for tests/codegen/conversions.cfg.
#include <gtest/gtest.h>

#include "kamc/semantics/Conversions.h"
#include "kamc/semantics/RegexLimits.h"

namespace {

using namespace kamc::semantics;

TEST(Semantics, StringToIntIsDecimalThenHexElseZero) {
  EXPECT_EQ(stringToInt(""), 0);
  EXPECT_EQ(stringToInt("-5"), -5);
  EXPECT_EQ(stringToInt("+5"), 5);
  EXPECT_EQ(stringToInt("007"), 7);
  EXPECT_EQ(stringToInt("2147483647"), 2147483647);
  EXPECT_EQ(stringToInt("2147483648"), 0);  // str2sint overflows: no wrap-around
  EXPECT_EQ(stringToInt("4294967297"), 0);
  EXPECT_EQ(stringToInt("0x10"), 16);
  EXPECT_EQ(stringToInt("0X10"), 16);
  EXPECT_EQ(stringToInt("0x1ffffffff"), -1);  // hexstr2int keeps the low 32 bits
  EXPECT_EQ(stringToInt("0x123456789"), 591751049);
  EXPECT_EQ(stringToInt("-0x10"), 0);
  EXPECT_EQ(stringToInt(" 5"), 0);
  EXPECT_EQ(stringToInt("12abc"), 0);
  EXPECT_EQ(stringToInt("0x"), 0);
}

TEST(Semantics, DecimalToIntIsStr2sint) {
  EXPECT_EQ(decimalToInt("-2147483648"), -2147483648);
  EXPECT_FALSE(decimalToInt("-2147483649"));
  EXPECT_FALSE(decimalToInt("0x10"));
  EXPECT_FALSE(decimalToInt("5 "));
  EXPECT_FALSE(decimalToInt("+-5"));
}

TEST(Semantics, NumberLiteralsFollowTheCfgLexer) {
  EXPECT_EQ(numberLiteral("4294967297"), 1);  // atoi: modulo 2^32
  EXPECT_EQ(numberLiteral("99999999999"), 1215752191);
  EXPECT_EQ(numberLiteral("010"), 8);
  EXPECT_EQ(numberLiteral("0777"), 511);
  EXPECT_EQ(numberLiteral("11010b"), 26);
  EXPECT_EQ(numberLiteral("0xffffffff"), -1);
  EXPECT_EQ(numberLiteral("09"), 9);
  EXPECT_FALSE(numberLiteral("12a"));
}

TEST(Semantics, DoubleQuotedEscapesAndTheNulThatEndsTheString) {
  EXPECT_EQ(decodeDoubleQuoted(R"(a\tb\n)"), "a\tb\n");
  EXPECT_EQ(decodeDoubleQuoted(R"(\q)"), "\\q");
  EXPECT_EQ(decodeDoubleQuoted(R"(\x41\101)"), "AA");
  EXPECT_EQ(decodeDoubleQuoted(R"(\1)"), "\\1");  // one octal digit is not an escape
  EXPECT_EQ(decodeDoubleQuoted(R"(a\000b)"), "a");
}

TEST(RegexLimits, RealPatternsPassAndStackedOrNestedRepetitionsAreRefused) {
  for (const char* real : {"^(\\+|00)[1-9][0-9]{6,14}$", "^sip:[0-9]{3,}@", "(INVITE|ACK|BYE)", "[[:alpha:]]+[]x]*",
                           "^\\(ab\\)\\{1,3\\}$"}) {
    EXPECT_EQ(regexTooComplex(real, true), std::nullopt) << real;
    EXPECT_LT(estimatedRegexNodes(real, true), 200u) << real;
  }
  EXPECT_LT(estimatedRegexNodes("(x{100}){100}", true), kMaxRegexNodes);
  for (std::string bad : {"a" + std::string(32, '+'), std::string("((x{100}){100}){100}"),
                          std::string("(a{1000}){1000}"), std::string("x{32767}{32767}")})
    EXPECT_NE(regexTooComplex(bad, true), std::nullopt) << bad;
  EXPECT_NE(regexTooComplex("\\(\\(x\\{100\\}\\)\\{100\\}\\)\\{100\\}", false), std::nullopt);
  // Unbalanced text is regcomp's to refuse; the estimate only has to end.
  EXPECT_EQ(regexTooComplex("((((", true), std::nullopt);
  EXPECT_EQ(regexTooComplex("[abc", true), std::nullopt);
}

TEST(RegexLimits, CompileBoundedRegexGivesTheReasonOrACompiledPattern) {
  regex_t re;
  EXPECT_EQ(compileBoundedRegex(re, "^a+b$", REG_EXTENDED), "");
  EXPECT_EQ(regexec(&re, "aab", 0, nullptr, 0), 0);
  regfree(&re);
  EXPECT_NE(compileBoundedRegex(re, "a(", REG_EXTENDED), "");
  EXPECT_NE(compileBoundedRegex(re, "a" + std::string(40, '+'), REG_EXTENDED).find("repeats too much"),
            std::string::npos);
}

}  // namespace
