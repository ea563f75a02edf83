// The ANTLR error listener maps each offending token back to the original
// text; everything ANTLR-specific stays inside this file.
#include "kamc/syntax/SyntaxCheck.h"

#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "AstBuilder.h"
#include "kamc/basic/Limits.h"
#include "NestingLimit.h"
#include "KamailioLexer.h"
#include "SyntaxMessages.h"
#include "KamailioParser.h"
#include "antlr4-runtime.h"

namespace kamc {
namespace {

class MappedErrorListener : public antlr4::BaseErrorListener {
 public:
  MappedErrorListener(const PreprocessResult& pp, const SourceManager& sm, DiagnosticEngine& diags,
                      const SyntaxCheckOptions& opts)
      : pp_(pp), sm_(sm), diags_(diags), maxErrors_(opts.maxErrors), textEndsEarly_(opts.textEndsEarly) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t, size_t,
                   const std::string& msg, std::exception_ptr) override {
    if (textEndsEarly_ && (!offending || offending->getType() == antlr4::Token::EOF)) return;
    ++count_;
    size_t offset = offending ? offending->getStartIndex() : pp_.text.size();
    offsets_.push_back(offset);
    if (count_ > maxErrors_) return;
    std::string text = msg;
    if (auto* parser = dynamic_cast<antlr4::Parser*>(recognizer); parser && offending)
      text = operatorMessage(*parser, offending, msg);
    report(offset, text);
  }

  size_t count() const { return count_; }
  // Where each error was found (also those past maxErrors), in pp.text.
  const std::vector<size_t>& offsets() const { return offsets_; }

 private:
  void report(size_t offset, const std::string& text) {
    // INVALID_INDEX is the runtime's marker for "no position" (e.g. at EOF).
    if (offset == INVALID_INDEX || offset > pp_.text.size()) offset = pp_.text.size();
    MappedLocation at = pp_.map.lookup(static_cast<uint32_t>(offset), sm_);
    pp_.map.addExpansionNotes(diags_.report("kamc-syntax", at.loc, text), at.expansion);
  }

  SourceLocation locationAt(size_t offset) const {
    return pp_.map.lookup(static_cast<uint32_t>(std::min(offset, pp_.text.size())), sm_).loc;
  }
  SourceLocation locationOf(const antlr4::Token* t) const { return locationAt(t->getStartIndex()); }

  // "12:5", or "other.cfg:12:5" when that place is in another file than the error.
  std::string where(SourceLocation loc, const antlr4::Token* errorToken) const {
    std::string lineCol = std::to_string(loc.line) + ":" + std::to_string(loc.column);
    if (!loc.valid() || loc.file == locationOf(errorToken).file) return lineCol;
    return sm_.file(loc.file).path + ":" + lineCol;
  }
  std::string where(const antlr4::Token* t, const antlr4::Token* errorToken) const {
    return where(locationOf(t), errorToken);
  }
  // Just after t: where a missing ';' belongs.
  std::string whereAfter(const antlr4::Token* t, const antlr4::Token* errorToken) const {
    return where(locationAt(t->getStopIndex() + 1), errorToken);
  }

  std::string quoted(const antlr4::Token* t) const {
    if (t->getType() == antlr4::Token::EOF) return "end of file";
    return "'" + pp_.text.substr(t->getStartIndex(), t->getStopIndex() + 1 - t->getStartIndex()) + "'";
  }

  std::string unclosedNote(antlr4::TokenStream& tokens, const antlr4::Token* opener,
                           const antlr4::Token* errorToken) const {
    return "missing '" + closingBracketFor(opener) + "' to close " + describeOpener(tokens, opener) +
           " opened at " + where(opener, errorToken);
  }

  std::string operatorMessage(antlr4::Parser& parser, antlr4::Token* offending, const std::string& msg) {
    using P = grammar::KamailioParser;
    antlr4::TokenStream& tokens = *parser.getTokenStream();
    antlr4::misc::IntervalSet expected = parser.getExpectedTokens();
    const antlr4::Token* previous = previousVisibleToken(tokens, offending);
    // A forgotten ';' is reported at the next token, where Kamailio reports
    // it ("bad command: missing ';'?"), naming the place the ';' belongs.
    bool endsLine = previous && (msg.rfind("missing ", 0) == 0 || previous->getLine() < offending->getLine());
    if (expected.size() == 1 && expected.contains(static_cast<size_t>(P::SEMICOLON)) && endsLine)
      return "missing ';' after " + quoted(previous) + " at " + whereAfter(previous, offending) + ", before " +
             quoted(offending);
    if (offending->getType() == P::MAX_LEN)
      return "'max_len' is a reserved word in Kamailio (cfg.lex has a token for it that no rule of the grammar "
             "takes), so it cannot be used as a name or a value; write the number";
    if (offending->getType() == P::LBRACE &&
        (expected.contains(static_cast<size_t>(P::IF)) || expected.contains(static_cast<size_t>(P::CASE))))
      return "unexpected '{': Kamailio has no block statement; braces only follow if, else and while "
             "(kamailio: \"bad command\")";
    if (msg.rfind("missing ", 0) == 0 && expected.size() == 1) {
      size_t closer = static_cast<size_t>(expected.getMinElement());
      if (const antlr4::Token* opener = innermostUnclosed(tokens, offending->getTokenIndex(), closer))
        return unclosedNote(tokens, opener, offending) + ", before " + quoted(offending);
    }
    if (offending->getType() == antlr4::Token::EOF) {
      if (const antlr4::Token* opener = innermostUnclosed(tokens, offending->getTokenIndex(), 0))
        return "unexpected end of file: " + unclosedNote(tokens, opener, offending);
    }
    std::string wanted = describeExpected(expected, parser.getVocabulary());
    if (msg.rfind("no viable alternative", 0) == 0 || wanted.empty())
      return "unexpected " + quoted(offending) + " here";
    return "unexpected " + quoted(offending) + "; expected " + wanted;
  }

  const PreprocessResult& pp_;
  const SourceManager& sm_;
  DiagnosticEngine& diags_;
  size_t maxErrors_;
  bool textEndsEarly_;
  size_t count_ = 0;
  std::vector<size_t> offsets_;
};

// ANTLR's input stream decodes UTF-8 and counts code points. Widening every
// byte to its own code point keeps any byte sequence (Latin-1 comments,
// broken UTF-8) readable and makes token indices equal byte offsets.
std::string bytesAsCodePoints(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (unsigned char c : text) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

// The two-stage strategy ANTLR's authors recommend: SLL prediction is much
// faster and decides every valid config the same way as full LL; only when
// it fails (a syntax error, or an input SLL cannot decide) is the input
// parsed again with full LL and error recovery, which give the messages.
grammar::KamailioParser::ConfigContext* parseTwoStage(grammar::KamailioParser& parser,
                                                      antlr4::CommonTokenStream& tokens,
                                                      MappedErrorListener& listener) {
  auto* interpreter = parser.getInterpreter<antlr4::atn::ParserATNSimulator>();
  interpreter->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser.removeErrorListeners();
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  try {
    return parser.config();
  } catch (const antlr4::ParseCancellationException&) {
  }
  tokens.seek(0);
  parser.reset();
  parser.addErrorListener(&listener);
  parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
  interpreter->setPredictionMode(antlr4::atn::PredictionMode::LL);
  return parser.config();
}

// How much of the text to parse: all of it, or, after the preprocessor
// stopped early, the text before the string or pseudo-variable it found
// unterminated (it copies the rest raw; the lexer sees a stray quote or '$').
size_t parsedLength(const std::string& text, const SyntaxCheckOptions& opts) {
  if (!opts.textEndsEarly) return text.size();
  antlr4::ANTLRInputStream input(bytesAsCodePoints(text));
  grammar::KamailioLexer lexer(&input);
  lexer.removeErrorListeners();
  for (std::unique_ptr<antlr4::Token> t = lexer.nextToken(); t->getType() != antlr4::Token::EOF;
       t = lexer.nextToken()) {
    if (t->getType() != grammar::KamailioLexer::UNEXPECTED_CHAR) continue;
    std::string c = t->getText();
    if (c == "\"" || c == "'" || c == "$") return t->getStartIndex();
  }
  return text.size();
}

// An error found at a token inside an item makes the item incomplete even
// where the recovery left no mark in the tree (a missing ';' before '}').
void markItemsHoldingErrors(ParseResult& result, std::vector<size_t> errorOffsets) {
  std::sort(errorOffsets.begin(), errorOffsets.end());
  auto& incomplete = result.incompleteItems;
  std::unordered_map<const ast::TopItem*, size_t> known;
  for (size_t i = 0; i < incomplete.size(); ++i) known.emplace(incomplete[i].item, i);
  for (const ast::TopItemPtr& item : result.config->items) {
    auto first = std::lower_bound(errorOffsets.begin(), errorOffsets.end(), size_t{item->range.begin});
    auto last = std::lower_bound(first, errorOffsets.end(), size_t{item->range.end});
    if (first == last) continue;
    const auto* route =
        item->kind == ast::TopKind::Route ? static_cast<const ast::RouteItem*>(item.get()) : nullptr;
    auto [at, added] = known.emplace(item.get(), incomplete.size());
    if (added) {
      incomplete.push_back({item.get(), true, {}});
      if (route && route->body)
        for (const ast::StmtPtr& s : route->body->body) incomplete.back().wholeStatements.push_back(s.get());
    }
    ParseResult::IncompleteItem& marked = incomplete[at->second];
    // An error in a route's header: its name is not known for sure.
    if (!route || !route->body || *first < route->body->range.begin) {
      marked.headerWhole = false;
      marked.wholeStatements.clear();
    }
    // An error at a statement's first token belongs to what comes before it
    // (the ';' missing there); one further in, to the statement.
    auto& whole = marked.wholeStatements;
    whole.erase(std::remove_if(whole.begin(), whole.end(),
                               [&](const ast::Statement* s) {
                                 auto error = std::upper_bound(first, last, size_t{s->range.begin});
                                 return error != last && *error < s->range.end;
                               }),
                whole.end());
  }
}

// kamc's limits on one token (limits::kMaxNameLength, kMaxStringLength): each
// overlong token is an error at its start, so that no later pass meets one. At
// most ten are reported; a file full of them needs only the first to be fixed.
size_t reportOverlongTokens(antlr4::CommonTokenStream& tokens, const PreprocessResult& pp, const SourceManager& sm,
                            DiagnosticEngine& diags) {
  using L = grammar::KamailioLexer;
  size_t found = 0;
  for (antlr4::Token* token : tokens.getTokens()) {
    if (token->getType() == antlr4::Token::EOF) break;
    size_t length = token->getStopIndex() + 1 - token->getStartIndex();
    bool isString = token->getType() == L::STRING;
    size_t limit = isString ? limits::kMaxStringLength : limits::kMaxNameLength;
    if (length <= limit || token->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
    if (++found > 10) continue;
    MappedLocation at = pp.map.lookup(static_cast<uint32_t>(token->getStartIndex()), sm);
    std::string what = isString ? "a string of " : "a name of ";
    pp.map.addExpansionNotes(diags.report("kamc-syntax", at.loc,
                                          what + std::to_string(length) + " bytes is longer than kamc's limit of " +
                                              std::to_string(limit) + " bytes"),
                             at.expansion);
  }
  return found;
}

// The lexer's and parser's DFA caches are static, shared by every instance;
// the 4.9 runtime mutates them without complete locking (antlr/antlr4#3332,
// fixed in 4.9.3), so concurrent parses could corrupt them. One at a time:
// the whole parse, since the tree and its prediction contexts die with the parser.
std::mutex& parseLock() {
  static std::mutex lock;
  return lock;
}

}  // namespace

ParseResult parseConfig(const PreprocessResult& pp, const SourceManager& sm,
                        DiagnosticEngine& diags, const SyntaxCheckOptions& opts) {
  std::lock_guard<std::mutex> lock(parseLock());
  std::string_view parsed = std::string_view(pp.text).substr(0, parsedLength(pp.text, opts));
  antlr4::ANTLRInputStream input(bytesAsCodePoints(parsed));
  grammar::KamailioLexer lexer(&input);
  antlr4::CommonTokenStream tokens(&lexer);
  NestingLimitedParser parser(&tokens);
  MappedErrorListener listener(pp, sm, diags, opts);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&listener);
  ParseResult result;
  // Too deep a nesting ends the parse with one error and an empty config:
  // no pass downstream sees a tree deeper than the limit.
  auto tooDeep = [&](size_t offset) {
    MappedLocation at = pp.map.lookup(static_cast<uint32_t>(std::min(offset, pp.text.size())), sm);
    pp.map.addExpansionNotes(diags.report("kamc-syntax", at.loc, nestingMessage()), at.expansion);
    result.config = std::make_unique<ast::Config>();
    result.syntaxErrors = listener.count() + 1;
    result.lost = LostItems::all();
    return std::move(result);
  };
  grammar::KamailioParser::ConfigContext* tree = nullptr;
  try {
    tree = parseTwoStage(parser, tokens, listener);
  } catch (const NestingTooDeep& deep) {
    return tooDeep(deep.tokenStart);
  }
  if (antlr4::ParserRuleContext* deep = firstTooDeep(tree)) return tooDeep(deep->getStart()->getStartIndex());
  AstBuilder builder(pp, sm, diags, tokens);
  result.config = builder.build(tree);
  result.syntaxErrors = listener.count() + builder.errorCount() + reportOverlongTokens(tokens, pp, sm, diags);
  result.incompleteItems = builder.incompleteItems();
  result.lost = builder.lostItems();
  markItemsHoldingErrors(result, listener.offsets());
  return result;
}

namespace {

// Counts the lexer's errors (an unterminated string in the slice, say).
class CountingListener : public antlr4::BaseErrorListener {
 public:
  void syntaxError(antlr4::Recognizer*, antlr4::Token*, size_t, size_t, const std::string&,
                   std::exception_ptr) override {
    ++count;
  }
  size_t count = 0;
};

}  // namespace

ast::TopItemPtr parseTopItem(const PreprocessResult& pp, const SourceManager& sm, size_t begin, size_t end) {
  if (begin >= end || end > pp.text.size()) return nullptr;
  std::lock_guard<std::mutex> lock(parseLock());
  antlr4::ANTLRInputStream input(bytesAsCodePoints(std::string_view(pp.text).substr(begin, end - begin)));
  grammar::KamailioLexer lexer(&input);
  CountingListener lexErrors;
  lexer.removeErrorListeners();
  lexer.addErrorListener(&lexErrors);
  antlr4::CommonTokenStream tokens(&lexer);
  NestingLimitedParser parser(&tokens);
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser.removeErrorListeners();
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  grammar::KamailioParser::TopStatementContext* tree = nullptr;
  try {
    tree = parser.topStatement();
  } catch (const antlr4::ParseCancellationException&) {
    return nullptr;
  } catch (const NestingTooDeep&) {
    return nullptr;  // the whole parse reports it
  }
  if (lexErrors.count || tokens.LA(1) != antlr4::Token::EOF || firstTooDeep(tree)) return nullptr;
  DiagnosticEngine scratch;
  AstBuilder builder(pp, sm, scratch, tokens, begin);
  ast::TopItemPtr item = builder.buildItem(tree);
  if (builder.errorCount() || !scratch.diagnostics().empty()) return nullptr;
  return item;
}

bool isLayoutOnly(std::string_view text) {
  std::lock_guard<std::mutex> lock(parseLock());
  antlr4::ANTLRInputStream input(bytesAsCodePoints(text));
  grammar::KamailioLexer lexer(&input);
  CountingListener errors;
  lexer.removeErrorListeners();
  lexer.addErrorListener(&errors);
  return lexer.nextToken()->getType() == antlr4::Token::EOF && errors.count == 0;
}

}  // namespace kamc
