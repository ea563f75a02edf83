// Kamailio 5.6's transformation parameter readers (pv_trans.c: _tr_parse_nparam,
// _tr_parse_sparam(x), the s.select and param.* separators; textops' re.subst),
// one per catalog parameter kind. Neither reads escapes: the one escape is
// s.select's "\t"-style separator.
#include "TransformationParams.h"

namespace kamc::lint {
namespace {

using catalog::TrParamKind;

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\n'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

class ParamReader {
 public:
  ParamReader(const catalog::TransformationInfo& info, const ast::Transformation& t)
      : info_(info), text_(t.text), end_(t.text.size() - 1) {}

  TransformationParams read() {
    // The name ends at the first ',' or '}'.
    size_t p = text_.find_first_of(",}", 1);
    for (size_t i = 0;; ++i) {
      if (p >= end_) {
        if (i < info_.minParams) return fail(countWords() + ", not " + std::to_string(i) + " in " + text_);
        return std::move(out_);
      }
      if (text_[p] != ',')
        return fail(head() + ": unexpected '" + std::string(1, text_[p]) + "' after " + (i ? paramWord(i) : "the name") +
                    " in " + text_);
      if (i == info_.maxParams) return fail(countWords() + ", but a ',' follows " + (i ? "the last one" : "the name") + " in " + text_);
      p = readParam(info_.paramKinds[i], p + 1);
      if (!out_.error.empty()) return std::move(out_);
      while (p < end_ && isBlank(text_[p])) ++p;
    }
  }

 private:
  // Reads the parameter starting at p; returns where it ends.
  size_t readParam(TrParamKind kind, size_t p) {
    size_t start = p;
    TransformationParam param;
    if (kind == TrParamKind::Char) {
      // The one character after ',' whatever it is, or a \\ \n \r \t escape.
      if (p >= end_) return failAt("needs one separator character after ','");
      size_t len = 1;
      if (text_[p] == '\\') {
        if (p + 1 >= end_ || std::string_view("\\nrt").find(text_[p + 1]) == std::string_view::npos)
          return failAt("the separator's escapes are \\\\, \\n, \\r and \\t");
        len = 2;
      }
      out_.params.push_back({text_.substr(p, len), std::nullopt});
      return p + len;
    }
    while (p < end_ && isBlank(text_[p])) ++p;
    if (text_[p] == '$') {
      ast::PseudoVariableParse pv =
          ast::parsePseudoVariable(std::string_view(text_).substr(p, end_ - p), ast::PvContext::String);
      if (!pv.pv) return failAt("has a malformed pseudo-variable: " + pv.error);
      param.text = pv.pv->text;
      param.pv = std::move(pv.pv);
      p += pv.length;
      if (kind == TrParamKind::Separator) return failAt("needs a separator of one character, not " + param.text);
      out_.params.push_back(std::move(param));
      return p;
    }
    switch (kind) {
      case TrParamKind::Int:
      case TrParamKind::Count: {
        if (text_[p] != '+' && text_[p] != '-' && !isDigit(text_[p]))
          return failAt("needs a number or a pseudo-variable as " + paramWord(out_.params.size() + 1));
        bool negative = text_[p] == '-';
        if (!isDigit(text_[p]))
          for (++p; p < end_ && isBlank(text_[p]);) ++p;
        size_t digits = p;
        while (p < end_ && isDigit(text_[p])) ++p;
        bool zero = text_.find_first_not_of('0', digits) >= p;
        if (kind == TrParamKind::Count && negative && !zero)
          return failAt("refuses a negative " + paramWord(out_.params.size() + 1));
        break;
      }
      case TrParamKind::Subst: {
        int depth = 0;
        for (; p < end_; ++p) {
          if (text_[p] == '{') ++depth;
          else if (text_[p] == '}' && depth-- == 0) break;
        }
        if (p == start) return failAt("needs a subst expression");
        break;
      }
      default:  // Str, Text, Separator, AnySeparator
        while (p < end_ && text_[p] != '\t' && text_[p] != '\n' && text_[p] != ',' && text_[p] != '}') ++p;
        if ((kind == TrParamKind::Text || kind == TrParamKind::AnySeparator) && p < end_ && text_[p] == ',') ++p;
        if ((kind == TrParamKind::Separator || kind == TrParamKind::AnySeparator) && p - start != 1)
          return failAt("needs a separator of exactly one character, not '" + text_.substr(start, p - start) + "'");
        break;
    }
    param.text = text_.substr(start, p - start);
    out_.params.push_back(std::move(param));
    return p;
  }

  std::string head() const { return "transformation {" + std::string(info_.className) + "." + std::string(info_.name) + "}"; }

  std::string countWords() const {
    std::string range = info_.minParams == info_.maxParams
                            ? std::to_string(info_.minParams)
                            : std::to_string(info_.minParams) + " to " + std::to_string(info_.maxParams);
    return head() + " takes " + range + " parameter" + (info_.maxParams == 1 ? "" : "s");
  }

  static std::string paramWord(size_t n) { return "parameter " + std::to_string(n); }

  TransformationParams fail(std::string message) {
    out_.error = std::move(message);
    return std::move(out_);
  }
  size_t failAt(const std::string& message) {
    out_.error = head() + ": " + message + " in " + text_;
    return end_;
  }

  const catalog::TransformationInfo& info_;
  const std::string& text_;
  size_t end_;  // the closing '}'
  TransformationParams out_;
};

}  // namespace

TransformationParams readTransformationParams(const catalog::TransformationInfo& info,
                                              const ast::Transformation& t) {
  return ParamReader(info, t).read();
}

}  // namespace kamc::lint
