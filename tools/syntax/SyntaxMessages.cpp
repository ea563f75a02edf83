// Turns ANTLR's parser errors ("mismatched input ';' expecting {'route',
// PROTO, ...}") into sentences a Kamailio operator reads at a glance:
// "expected an expression before ';'", "missing ')' to close 'if (' opened
// at 12:5", "missing ';' after 'xlog(...)'".
#include "SyntaxMessages.h"

#include <algorithm>
#include <set>

namespace kamc {
namespace {

using grammar::KamailioParser;
using P = KamailioParser;

const std::set<size_t>& expressionStarts() {
  static const std::set<size_t> s{P::STRING, P::NUMBER, P::PVAR, P::LPAREN, P::ID, P::NOT, P::MINUS,
                                  P::SELECT, P::DEFINED, P::INTCAST, P::STRCAST};
  return s;
}

const std::set<size_t>& statementStarts() {
  static const std::set<size_t> s{P::IF, P::SWITCH, P::WHILE, P::RETURN, P::EXIT, P::DROP,
                                  P::PVAR, P::ID, P::SEMICOLON};
  return s;
}

std::string tokenWords(size_t type, const antlr4::dfa::Vocabulary& vocab) {
  switch (type) {
    case antlr4::Token::EOF: return "end of file";
    case P::ID: case P::NUM_ID: return "a name";
    case P::STRING: return "a string";
    case P::NUMBER: return "a number";
    case P::PVAR: return "a pseudo-variable";
    case P::SELECT: return "a select";
    case P::PROTO: return "a protocol";
    case P::BOOL: return "yes or no";
    case P::ADDRESS_FAMILY: return "INET or INET6";
    case P::IPV6ADDR: return "an IPv6 address";
    case P::NOT: return "'!'";
    case P::LOG_AND: return "'&&'";
    case P::LOG_OR: return "'||'";
    default: return vocab.getDisplayName(type);
  }
}

bool containsAll(const std::set<size_t>& have, const std::set<size_t>& wanted) {
  return std::includes(have.begin(), have.end(), wanted.begin(), wanted.end());
}

std::string joinAlternatives(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i) out += i + 1 == words.size() ? " or " : ", ";
    out += words[i];
  }
  return out;
}

bool isOpener(size_t t) { return t == P::LPAREN || t == P::LBRACE || t == P::LBRACK; }
size_t closerOf(size_t opener) {
  return opener == P::LPAREN ? P::RPAREN : opener == P::LBRACE ? P::RBRACE : P::RBRACK;
}

}  // namespace

std::string describeExpected(const antlr4::misc::IntervalSet& expected,
                             const antlr4::dfa::Vocabulary& vocab) {
  std::set<size_t> types;
  for (ssize_t t : expected.toList()) types.insert(static_cast<size_t>(t));
  std::vector<std::string> words;
  if (containsAll(types, statementStarts()) && types.count(P::IF)) {
    words.push_back("a statement");
    for (size_t t : statementStarts()) types.erase(t);
    for (size_t t : {P::BREAK, P::ROUTE, P::SELECT}) types.erase(t);
  } else if (containsAll(types, expressionStarts())) {
    words.push_back("an expression");
    for (size_t t : expressionStarts()) types.erase(t);
    for (size_t t : {P::ROUTE, P::PROTO, P::STAR, P::BOOL, P::ADDRESS_FAMILY, P::STRLEN, P::STREMPTY, P::SELVAL, P::URIHOST,
                     P::URIPORT, P::MSGLEN, P::BIN_NOT, P::LBRACE, P::LBRACK, P::IPV6ADDR})
      types.erase(t);
  }
  for (size_t t : types) {
    if (words.size() == 6) {
      words.push_back("...");
      break;
    }
    words.push_back(tokenWords(t, vocab));
  }
  return joinAlternatives(words);
}

const antlr4::Token* innermostUnclosed(antlr4::TokenStream& tokens, size_t beforeIndex,
                                       size_t wantedCloser) {
  std::vector<const antlr4::Token*> open;
  for (size_t i = 0; i < beforeIndex && i < tokens.size(); ++i) {
    const antlr4::Token* t = tokens.get(i);
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
    size_t type = t->getType();
    if (isOpener(type)) {
      open.push_back(t);
    } else if (!open.empty() && closerOf(open.back()->getType()) == type) {
      open.pop_back();
    }
  }
  for (auto it = open.rbegin(); it != open.rend(); ++it)
    if (wantedCloser == 0 || closerOf((*it)->getType()) == wantedCloser) return *it;
  return nullptr;
}

const antlr4::Token* previousVisibleToken(antlr4::TokenStream& tokens, const antlr4::Token* t) {
  for (ssize_t i = static_cast<ssize_t>(t->getTokenIndex()) - 1; i >= 0; --i) {
    const antlr4::Token* p = tokens.get(static_cast<size_t>(i));
    if (p->getChannel() == antlr4::Token::DEFAULT_CHANNEL) return p;
  }
  return nullptr;
}

std::string closingBracketFor(const antlr4::Token* opener) {
  size_t closer = closerOf(opener->getType());
  return closer == P::RPAREN ? ")" : closer == P::RBRACE ? "}" : "]";
}

std::string describeOpener(antlr4::TokenStream& tokens, const antlr4::Token* opener) {
  static const std::set<size_t> kNamingTokens{P::ID,           P::IF,            P::WHILE,
                                              P::SWITCH,       P::ROUTE,         P::REQUEST_ROUTE,
                                              P::ONREPLY_ROUTE, P::REPLY_ROUTE,  P::ONSEND_ROUTE,
                                              P::ELSE};
  std::string bracket = opener->getText();
  // The nearest visible token before the bracket names the construct.
  const antlr4::Token* before = previousVisibleToken(tokens, opener);
  if (!before) return "'" + bracket + "'";
  if (before->getType() == P::RBRACK) return "'" + bracket + "' of the block";
  if (!kNamingTokens.count(before->getType())) return "'" + bracket + "'";
  return "'" + before->getText() + " " + bracket + "'";
}

}  // namespace kamc
