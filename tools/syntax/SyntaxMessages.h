// Private to kamc_syntax: wording of syntax errors in the operator's terms.
#pragma once

#include <string>

#include "KamailioParser.h"
#include "antlr4-runtime.h"

namespace kamc {

// "an expression", "a statement or '}'", "';' or ','"...
std::string describeExpected(const antlr4::misc::IntervalSet& expected,
                             const antlr4::dfa::Vocabulary& vocab);
// The innermost bracket still open before token beforeIndex; only brackets
// that wantedCloser closes, or any kind when it is 0. Null if none.
const antlr4::Token* innermostUnclosed(antlr4::TokenStream& tokens, size_t beforeIndex,
                                       size_t wantedCloser);
// The nearest token before t on the default channel (no layout or comments).
const antlr4::Token* previousVisibleToken(antlr4::TokenStream& tokens, const antlr4::Token* t);
// ")" for "(", "}" for "{", "]" for "[".
std::string closingBracketFor(const antlr4::Token* opener);
// "'if ('", "'xlog ('", "'request_route {'" or just "'('".
std::string describeOpener(antlr4::TokenStream& tokens, const antlr4::Token* opener);

}  // namespace kamc
