// Private to kamc_syntax: keeps the ANTLR parse and the parse tree within
// limits::kMaxNesting, so that no recursive pass overflows the stack.
#pragma once

#include <cstddef>

#include "KamailioParser.h"
#include "antlr4-runtime.h"

namespace kamc {

// Thrown out of the parse when expressions and statements nest deeper than
// the limit; `tokenStart` is where the level past the limit starts.
struct NestingTooDeep {
  size_t tokenStart;
};

// The generated parser, refusing to recurse past the limit: each rule entry
// counts the expressions and statements it sits in.
class NestingLimitedParser : public grammar::KamailioParser {
 public:
  using grammar::KamailioParser::KamailioParser;
  void enterRule(antlr4::ParserRuleContext* localctx, size_t state, size_t ruleIndex) override;
  void enterRecursionRule(antlr4::ParserRuleContext* localctx, size_t state, size_t ruleIndex,
                          int precedence) override;

 private:
  void check(antlr4::ParserRuleContext* localctx, size_t ruleIndex);
};

// The first expression or statement (in document order) nested deeper than
// the limit in the finished tree, or null. Left-recursive chains (a + b + c)
// nest in the tree without recursing in the parser; this finds them without
// recursing either.
antlr4::ParserRuleContext* firstTooDeep(antlr4::ParserRuleContext* root);

std::string nestingMessage();

}  // namespace kamc
