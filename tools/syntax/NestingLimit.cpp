#include "NestingLimit.h"

#include <utility>
#include <vector>

#include "kamc/basic/Limits.h"

namespace kamc {
namespace {

bool nests(size_t ruleIndex) {
  return ruleIndex == grammar::KamailioParser::RuleExpr || ruleIndex == grammar::KamailioParser::RuleStatement;
}

}  // namespace

void NestingLimitedParser::check(antlr4::ParserRuleContext* localctx, size_t ruleIndex) {
  if (!nests(ruleIndex)) return;
  size_t depth = 1;
  for (antlr4::tree::ParseTree* p = localctx->parent; p; p = p->parent) {
    auto* rule = dynamic_cast<antlr4::ParserRuleContext*>(p);
    if (rule && nests(rule->getRuleIndex()) && ++depth > limits::kMaxNesting) {
      antlr4::Token* at = getCurrentToken();
      throw NestingTooDeep{at ? at->getStartIndex() : 0};
    }
  }
}

void NestingLimitedParser::enterRule(antlr4::ParserRuleContext* localctx, size_t state, size_t ruleIndex) {
  check(localctx, ruleIndex);
  grammar::KamailioParser::enterRule(localctx, state, ruleIndex);
}

void NestingLimitedParser::enterRecursionRule(antlr4::ParserRuleContext* localctx, size_t state,
                                              size_t ruleIndex, int precedence) {
  check(localctx, ruleIndex);
  grammar::KamailioParser::enterRecursionRule(localctx, state, ruleIndex, precedence);
}

antlr4::ParserRuleContext* firstTooDeep(antlr4::ParserRuleContext* root) {
  if (!root) return nullptr;
  // Depth-first, children in reverse so that the first node found is the
  // first in the text; each entry carries its nesting level.
  std::vector<std::pair<antlr4::tree::ParseTree*, size_t>> pending{{root, 0}};
  while (!pending.empty()) {
    auto [node, depth] = pending.back();
    pending.pop_back();
    auto* rule = dynamic_cast<antlr4::ParserRuleContext*>(node);
    if (!rule) continue;
    if (nests(rule->getRuleIndex()) && ++depth > limits::kMaxNesting) return rule;
    for (auto it = rule->children.rbegin(); it != rule->children.rend(); ++it) pending.emplace_back(*it, depth);
  }
  return nullptr;
}

std::string nestingMessage() {
  return "expressions and statements nest deeper than " + std::to_string(limits::kMaxNesting) +
         " levels (kamc's limit: parentheses, unary operators, the terms of an operator chain, nested "
         "calls and if/else-if/while bodies each count one level)";
}

}  // namespace kamc
