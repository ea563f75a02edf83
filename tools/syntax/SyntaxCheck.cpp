// The ANTLR error listener maps each offending token back to the original
// text; everything ANTLR-specific stays inside this file.
#include "kamc/syntax/SyntaxCheck.h"

#include "AstBuilder.h"
#include "KamailioLexer.h"
#include "KamailioParser.h"
#include "antlr4-runtime.h"

namespace kamc {
namespace {

class MappedErrorListener : public antlr4::BaseErrorListener {
 public:
  MappedErrorListener(const PreprocessResult& pp, const SourceManager& sm, DiagnosticEngine& diags,
                      size_t maxErrors)
      : pp_(pp), sm_(sm), diags_(diags), maxErrors_(maxErrors) {}

  void syntaxError(antlr4::Recognizer*, antlr4::Token* offending, size_t, size_t,
                   const std::string& msg, std::exception_ptr) override {
    ++count_;
    if (count_ > maxErrors_) return;
    size_t offset = offending ? offending->getStartIndex() : pp_.text.size();
    // INVALID_INDEX is the runtime's marker for "no position" (e.g. at EOF).
    if (offset == INVALID_INDEX || offset > pp_.text.size()) offset = pp_.text.size();
    MappedLocation at = pp_.map.lookup(static_cast<uint32_t>(offset), sm_);
    pp_.map.addExpansionNotes(diags_.report("kamc-syntax", at.loc, msg), at.expansion);
  }

  size_t count() const { return count_; }

 private:
  const PreprocessResult& pp_;
  const SourceManager& sm_;
  DiagnosticEngine& diags_;
  size_t maxErrors_;
  size_t count_ = 0;
};

// ANTLR's input stream decodes UTF-8 and counts code points. Widening every
// byte to its own code point keeps any byte sequence (Latin-1 comments,
// broken UTF-8) readable and makes token indices equal byte offsets.
std::string bytesAsCodePoints(const std::string& text) {
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

}  // namespace

ParseResult parseConfig(const PreprocessResult& pp, const SourceManager& sm,
                        DiagnosticEngine& diags, const SyntaxCheckOptions& opts) {
  antlr4::ANTLRInputStream input(bytesAsCodePoints(pp.text));
  grammar::KamailioLexer lexer(&input);
  antlr4::CommonTokenStream tokens(&lexer);
  grammar::KamailioParser parser(&tokens);
  MappedErrorListener listener(pp, sm, diags, opts.maxErrors);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&listener);
  parser.removeErrorListeners();
  parser.addErrorListener(&listener);
  grammar::KamailioParser::ConfigContext* tree = parser.config();
  AstBuilder builder(pp, sm, diags);
  ParseResult result;
  result.config = builder.build(tree);
  result.syntaxErrors = listener.count() + builder.errorCount();
  return result;
}

size_t checkSyntax(const PreprocessResult& pp, const SourceManager& sm, DiagnosticEngine& diags,
                   const SyntaxCheckOptions& opts) {
  return parseConfig(pp, sm, diags, opts).syntaxErrors;
}

}  // namespace kamc
