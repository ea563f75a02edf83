// A state machine that follows Kamailio 5.6's flex lexer (src/core/cfg.lex)
// rule for rule where preprocessing is concerned: the same start states, the
// same longest-match choices, the same quirks (flex's default rule echoes text
// it cannot match, a failed #!define leaves the lexer looking for a name).
// In CfgPrint mode it prints what `kamailio --cfg-print` prints; in Expand mode
// it produces the text the parser sees.
#include "kamc/preprocess/Preprocessor.h"

#include <regex.h>
#include <sys/stat.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "kamc/basic/Limits.h"
#include "kamc/catalog/Catalog.h"
#include "kamc/preprocess/Subst.h"

namespace kamc {
namespace {

bool isEatable(char c) { return c == ' ' || c == '\t' || c == '\b' || c == '\r'; }
bool isLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdStart(char c) { return isLetter(c) || c == '_'; }
bool isIdChar(char c) { return isIdStart(c) || isDigit(c); }

bool startsWith(std::string_view text, size_t pos, std::string_view word) {
  return text.size() - pos >= word.size() && text.compare(pos, word.size(), word) == 0;
}

size_t idLength(std::string_view text, size_t pos) {
  if (pos >= text.size() || !isIdStart(text[pos])) return 0;
  size_t end = pos + 1;
  while (end < text.size() && isIdChar(text[end])) ++end;
  return end - pos;
}

const std::unordered_set<std::string_view>& reservedWords() {
  static const std::unordered_set<std::string_view> words = {
#include "ReservedWords.inc"
  };
  return words;
}

// Kamailio's IPV6ADDR pattern, matched leftmost-longest like flex does.
size_t ipv6Length(std::string_view text, size_t pos) {
  static regex_t re = [] {
    regex_t r;
    regcomp(&r,
            "^(([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}(:[0-9a-fA-F]{1,4}){1,7}"
            "|:(:[0-9a-fA-F]{1,4}){1,7}|([0-9a-fA-F]{1,4}:){1,7}:|::)",
            REG_EXTENDED);
    return r;
  }();
  size_t end = pos;
  while (end < text.size() && end - pos < 64 &&
         (std::isxdigit(static_cast<unsigned char>(text[end])) || text[end] == ':'))
    ++end;
  if (end == pos) return 0;
  std::string candidate(text.substr(pos, end - pos));
  regmatch_t m;
  if (regexec(&re, candidate.c_str(), 1, &m, 0) != 0) return 0;
  return static_cast<size_t>(m.rm_eo);
}

// Where the bytes of a define's value came from.
struct OriginRun {
  uint32_t valueOffset;
  FileId file;
  uint32_t fileOffset;
  bool pinned;  // every byte maps to fileOffset (values kamc built itself)
};

struct DefineBody {
  std::string value;
  std::vector<OriginRun> origin;
};

struct Define {
  std::string name;
  std::shared_ptr<const DefineBody> body;  // null: defined without a value
  SourceLocation definedAt;
};

// The text being lexed: a file, or a define's value being rescanned in place
// of its name (Kamailio unput()s the value into the input).
struct Frame {
  FileId file = kNoFile;
  std::string_view text;
  std::shared_ptr<const DefineBody> body;  // set for define values
  int expansion = -1;
  size_t pos = 0;

  bool atEnd() const { return pos >= text.size(); }
  char peek(size_t ahead = 0) const {
    return pos + ahead < text.size() ? text[pos + ahead] : '\0';
  }
  // (file, offset, pinned) of byte i.
  OriginRun originOf(size_t i) const {
    if (!body) return {0, file, static_cast<uint32_t>(i), false};
    const OriginRun* run = &body->origin.front();
    for (const OriginRun& r : body->origin)
      if (r.valueOffset <= i) run = &r;
    uint32_t delta = run->pinned ? 0 : static_cast<uint32_t>(i) - run->valueOffset;
    return {0, run->file, run->fileOffset + delta, run->pinned};
  }
};

enum class State {
  Initial,  // CFGPRINTMODE in CfgPrint mode, INITIAL in Expand mode
  Comment,
  LineComment,
  DefineId,
  DefineEol,
  DefineData,
  IfdefId,
  IfdefEol,
  IfdefSkip,
  IncludeName,
  ImportName,
  LoadModuleName,
  EnvDefineId,
  EventRouteName,
};

enum class Directive {
  None, Define, TryDef, Redef, Ifdef, Ifndef, Else, Endif, IncludeFile, ImportFile,
  DefEnv, DefEnvs, TryDefEnv, TryDefEnvs, Subst, SubstDef, SubstDefs,
};

// How the text a rule consumed reaches the output.
enum class Emit {
  Text,       // printed by --cfg-print and kept in expanded text
  Directive,  // printed by --cfg-print; only its newlines kept when expanding
  Hidden,     // printed by neither; newlines kept when expanding
  Echo,       // flex's default rule: printed by both, a stray-text warning
};

struct DirectiveMatch {
  Directive kind = Directive::None;
  size_t length = 0;
};

// The "#!word" and "!!word" directives, in the order of Kamailio's rules so
// that equal-length matches resolve the way flex resolves them.
DirectiveMatch matchDirective(std::string_view text, size_t pos, bool allowSubst,
                              bool onlyConditionals) {
  enum class Tail { None, EatPlus, EatStarNewline };
  struct Candidate {
    std::string_view word;
    Tail tail;
    Directive kind;
    bool conditional;
    bool subst;
  };
  static const Candidate candidates[] = {
      {"include_file", Tail::None, Directive::IncludeFile, false, false},
      {"import_file", Tail::None, Directive::ImportFile, false, false},
      {"define", Tail::EatPlus, Directive::Define, false, false},
      {"def", Tail::EatPlus, Directive::Define, false, false},
      {"trydefine", Tail::EatPlus, Directive::TryDef, false, false},
      {"trydef", Tail::EatPlus, Directive::TryDef, false, false},
      {"redefine", Tail::EatPlus, Directive::Redef, false, false},
      {"redef", Tail::EatPlus, Directive::Redef, false, false},
      {"subst", Tail::None, Directive::Subst, false, true},
      {"substdef", Tail::None, Directive::SubstDef, false, true},
      {"substdefs", Tail::None, Directive::SubstDefs, false, true},
      {"ifdef", Tail::EatPlus, Directive::Ifdef, true, false},
      {"ifndef", Tail::EatPlus, Directive::Ifndef, true, false},
      {"else", Tail::EatStarNewline, Directive::Else, true, false},
      {"endif", Tail::EatStarNewline, Directive::Endif, true, false},
      {"defenv", Tail::None, Directive::DefEnv, false, false},
      {"defenvs", Tail::None, Directive::DefEnvs, false, false},
      {"trydefenv", Tail::None, Directive::TryDefEnv, false, false},
      {"trydefenvs", Tail::None, Directive::TryDefEnvs, false, false},
  };
  DirectiveMatch best;
  if (!(startsWith(text, pos, "#!") || startsWith(text, pos, "!!"))) return best;
  for (const Candidate& c : candidates) {
    if (onlyConditionals && !c.conditional) continue;
    if (c.subst && !allowSubst) continue;
    if (!startsWith(text, pos + 2, c.word)) continue;
    size_t end = pos + 2 + c.word.size();
    if (c.tail == Tail::EatPlus) {
      size_t eat = end;
      while (eat < text.size() && isEatable(text[eat])) ++eat;
      if (eat == end) continue;
      end = eat;
    } else if (c.tail == Tail::EatStarNewline) {
      while (end < text.size() && isEatable(text[end])) ++end;
      if (end >= text.size() || text[end] != '\n') continue;
      ++end;
    }
    if (end - pos > best.length) best = {c.kind, end - pos};
  }
  return best;
}

class Preprocessor {
 public:
  Preprocessor(const PreprocessOptions& opts, SourceManager& sm, DiagnosticEngine& diags)
      : opts_(opts), sm_(sm), diags_(diags) {}

  PreprocessResult run(FileId mainFile);

 private:
  bool printing() const { return opts_.mode == PreprocessMode::CfgPrint; }

  // Output.
  void emit(const Frame& f, size_t pos, size_t len, Emit how);
  void emitBytes(const Frame& f, size_t pos, size_t len);
  void emitGenerated(std::string_view text);
  void emitPinned(const Frame& f, size_t pos, std::string_view text);

  // Locations and diagnostics.
  SourceLocation locationAt(const Frame& f, size_t pos) const;
  Diagnostic& report(std::string_view rule, const Frame& f, size_t pos, std::string msg);
  void stop() { stopped_ = true; }

  // The lexer.
  void runFrame(Frame& f);
  void step(Frame& f);
  void stepInitial(Frame& f);
  void stepComment(Frame& f);
  void stepLineComment(Frame& f);
  void stepDefineId(Frame& f);
  void stepDefineEol(Frame& f);
  void stepDefineData(Frame& f);
  void stepIfdefId(Frame& f);
  void stepIfdefEol(Frame& f);
  void stepIfdefSkip(Frame& f);
  void stepFileName(Frame& f, bool import);
  void stepLoadModuleName(Frame& f);
  void stepEnvDefineId(Frame& f);
  void stepEventRouteName(Frame& f);
  std::optional<std::string_view> stepBlanksThenWord(Frame& f, Emit how);
  void echoOne(Frame& f);
  void openComment(Frame& f);

  // Directives.
  void beginDirective(Frame& f, DirectiveMatch d);
  void conditional(Frame& f, Directive kind, size_t length);
  void substDirective(Frame& f, Directive kind, size_t length);
  void includeFile(Frame& f, size_t nameStart, size_t nameLen, bool import);
  void defineModule(std::string_view token);

  // Expand-mode tokens.
  bool scanString(Frame& f);
  bool scanPseudoVariable(Frame& f);
  void scanSelect(Frame& f);
  void scanIdentifier(Frame& f);
  std::optional<std::string> applySubsts(const std::string& value) const;
  std::optional<std::string> corePvValue(const PreprocessPv& pv) const;
  bool reportUnevaluable(const Frame& f, size_t pos, const std::string& expr,
                         const std::vector<const PreprocessPv*>& pvs);
  void expandDefine(Frame& f, const Define& d, size_t idLen);

  // The define table (Kamailio's pp_define, pp_define_set, pp_lookup).
  const Define* lookup(std::string_view name) const;
  bool addDefine(std::string_view name, int type, SourceLocation at, std::string* error);
  void setDefineValue(std::shared_ptr<const DefineBody> body);
  void addCoreDefines();
  bool addCommandLineDefines();

  // #!ifdef state (pp_ifdef_stack, pp_sptr, the level counter).
  void updateSkipState();

  const PreprocessOptions& opts_;
  SourceManager& sm_;
  DiagnosticEngine& diags_;
  PreprocessResult result_;

  State state_ = State::Initial;
  bool stopped_ = false;
  int commentNest_ = 0;
  unsigned includeDepth_ = 0;
  unsigned expansionDepth_ = 0;
  size_t expandedBytes_ = 0;  // define bodies expanded so far, limits::kMaxExpansionBytes
  size_t includedBytes_ = 0;  // files included so far, limits::kMaxIncludedBytesTotal
  size_t includedFiles_ = 0;  // limits::kMaxIncludes
  size_t lastEchoEnd_ = SIZE_MAX;
  const Frame* lastEchoFrame_ = nullptr;

  std::vector<Define> defines_;
  std::unordered_map<std::string, size_t> defineIndex_;
  int defineType_ = 0;    // 0 define, 1 trydef, 2 redef
  long pendingDefine_ = -1;  // index whose value comes next; -2: ignored trydef
  DefineBody pendingBody_;

  struct OpenConditional {
    bool active;
    SourceLocation at;
  };
  std::vector<OpenConditional> ifdefs_;
  std::optional<OpenConditional> pendingIfdef_;  // between "#!ifdef" and its name
  int ifdefLevel_ = 0;

  std::vector<SubstExpr> substs_;
  Directive envDirective_ = Directive::DefEnv;  // which #!defenv form is pending
  size_t directiveStart_ = 0;
};

// ---------------------------------------------------------------- output

void Preprocessor::emitBytes(const Frame& f, size_t pos, size_t len) {
  if (!f.body) {  // bytes of a file map one to one
    uint32_t outStart = static_cast<uint32_t>(result_.text.size());
    result_.text.append(f.text.substr(pos, len));
    result_.map.append(outStart, static_cast<uint32_t>(len), f.file, static_cast<uint32_t>(pos),
                       f.expansion);
    return;
  }
  size_t i = 0;
  while (i < len) {
    OriginRun o = f.originOf(pos + i);
    size_t run = 1;
    // Extend while the origin stays contiguous.
    while (i + run < len) {
      OriginRun n = f.originOf(pos + i + run);
      if (n.file != o.file || n.pinned != o.pinned ||
          n.fileOffset != o.fileOffset + (o.pinned ? 0 : run))
        break;
      ++run;
    }
    uint32_t outStart = static_cast<uint32_t>(result_.text.size());
    result_.text.append(f.text.substr(pos + i, run));
    if (o.pinned) {
      for (size_t k = 0; k < run; ++k)
        result_.map.append(outStart + k, 1, o.file, o.fileOffset, f.expansion);
    } else {
      result_.map.append(outStart, static_cast<uint32_t>(run), o.file, o.fileOffset,
                         f.expansion);
    }
    i += run;
  }
}

void Preprocessor::emit(const Frame& f, size_t pos, size_t len, Emit how) {
  if (how == Emit::Echo) {
    bool continuing = lastEchoFrame_ == &f && lastEchoEnd_ == pos;
    if (!continuing && f.text[pos] != '\n')
      report("kamc-stray-text", f, pos,
             "Kamailio's lexer matches no rule here and echoes this text to stdout; "
             "remove it");
    lastEchoFrame_ = &f;
    lastEchoEnd_ = pos + len;
  }
  if (printing()) {
    if (how != Emit::Hidden) emitBytes(f, pos, len);
    return;
  }
  if (how == Emit::Text) {
    emitBytes(f, pos, len);
    return;
  }
  // Consumed text keeps its line breaks, so expanded lines stay aligned.
  for (size_t i = 0; i < len; ++i)
    if (f.text[pos + i] == '\n') emitBytes(f, pos + i, 1);
}

void Preprocessor::emitGenerated(std::string_view text) {
  uint32_t outStart = static_cast<uint32_t>(result_.text.size());
  result_.text.append(text);
  result_.map.append(outStart, static_cast<uint32_t>(text.size()), kNoFile, 0, -1);
}

// Text that replaces source bytes (a string rewritten by #!subst): every byte
// maps to where the original token started.
void Preprocessor::emitPinned(const Frame& f, size_t pos, std::string_view text) {
  OriginRun o = f.originOf(pos);
  for (char c : text) {
    result_.map.append(static_cast<uint32_t>(result_.text.size()), 1, o.file, o.fileOffset,
                       f.expansion);
    result_.text.push_back(c);
  }
}

// ---------------------------------------------------------------- diagnostics

SourceLocation Preprocessor::locationAt(const Frame& f, size_t pos) const {
  if (!f.body) return sm_.location(f.file, static_cast<uint32_t>(std::min(pos, f.text.size())));
  if (f.text.empty()) return {};
  OriginRun o = f.originOf(std::min(pos, f.text.size() - 1));
  return o.file == kNoFile ? SourceLocation{} : sm_.location(o.file, o.fileOffset);
}

Diagnostic& Preprocessor::report(std::string_view rule, const Frame& f, size_t pos,
                                 std::string msg) {
  Diagnostic& d = diags_.report(rule, locationAt(f, pos), std::move(msg));
  result_.map.addExpansionNotes(d, f.expansion);
  return d;
}

// ---------------------------------------------------------------- defines

const Define* Preprocessor::lookup(std::string_view name) const {
  auto it = defineIndex_.find(std::string(name));
  return it == defineIndex_.end() ? nullptr : &defines_[it->second];
}

// Kamailio's pp_define(): type 1 (trydef) ignores a known name, type 2
// (redef) clears its value, type 0 refuses it.
bool Preprocessor::addDefine(std::string_view name, int type, SourceLocation at,
                             std::string* error) {
  pendingDefine_ = -1;
  auto it = defineIndex_.find(std::string(name));
  if (it != defineIndex_.end()) {
    if (type == 1) {
      pendingDefine_ = -2;
      return true;
    }
    if (type == 2) {
      pendingDefine_ = static_cast<long>(it->second);
      defines_[it->second].body.reset();
      defines_[it->second].definedAt = at;
      return true;
    }
    const Define& old = defines_[it->second];
    *error = "'" + std::string(name) + "' is already defined";
    if (old.definedAt.valid())
      *error += " (at " + sm_.file(old.definedAt.file).path + ":" +
                std::to_string(old.definedAt.line) + ")";
    *error += "; use #!redefine to change it or #!trydef to keep the first value";
    return false;
  }
  if (defines_.size() >= opts_.maxDefines) {
    *error = "too many defines: '" + std::string(name) + "' would be define number " +
             std::to_string(defines_.size() + 1) + ", over the limit of " +
             std::to_string(opts_.maxDefines) +
             " (Kamailio >= 5.3 allows 512: --max-defines 512 matches newer Kamailio)";
    return false;
  }
  defineIndex_.emplace(std::string(name), defines_.size());
  defines_.push_back({std::string(name), nullptr, at});
  pendingDefine_ = static_cast<long>(defines_.size() - 1);
  return true;
}

void Preprocessor::setDefineValue(std::shared_ptr<const DefineBody> body) {
  if (pendingDefine_ < 0 || !body || body->value.empty()) return;
  defines_[pendingDefine_].body = std::move(body);
}

void Preprocessor::addCoreDefines() {
  // "KAMAILIO_5", "KAMAILIO_5_6", "KAMAILIO_5_6_3": pp_define_core().
  std::string name = "KAMAILIO";
  std::string version = opts_.kamailioVersion;
  size_t start = 0;
  std::string error;
  while (start <= version.size()) {
    size_t dot = version.find('.', start);
    name += "_" + version.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    addDefine(name, 0, {}, &error);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
}

bool Preprocessor::addCommandLineDefines() {
  if (opts_.commandLineDefines.empty()) return true;
  std::string all;
  for (const std::string& d : opts_.commandLineDefines) all += d + "\n";
  FileId cmdline = sm_.addBuffer("<command line>", all);
  uint32_t offset = 0;
  for (const std::string& d : opts_.commandLineDefines) {
    size_t eq = d.find('=');
    std::string name = d.substr(0, eq);
    std::string error;
    SourceLocation at = sm_.location(cmdline, offset);
    if (!addDefine(name, 0, at, &error)) {
      diags_.report("kamc-duplicate-define", at, "-A " + d + ": " + error);
      return false;
    }
    if (eq != std::string::npos && eq + 1 < d.size()) {
      auto body = std::make_shared<DefineBody>();
      body->value = d.substr(eq + 1);
      body->origin.push_back({0, cmdline, offset + static_cast<uint32_t>(eq + 1), false});
      setDefineValue(body);
    }
    offset += static_cast<uint32_t>(d.size() + 1);
  }
  return true;
}

// ---------------------------------------------------------------- driver

PreprocessResult Preprocessor::run(FileId mainFile) {
  result_.mainFile = mainFile;
  result_.text.reserve(sm_.file(mainFile).content.size() + 1024);
  addCoreDefines();
  if (!addCommandLineDefines()) {
    result_.stoppedEarly = true;
    return std::move(result_);
  }
  Frame top{mainFile, sm_.file(mainFile).content, nullptr};
  runFrame(top);
  if (!stopped_) {
    if (state_ == State::Comment)
      diags_.report("kamc-unterminated", locationAt(top, top.text.size()),
                    "the file ends inside a /* comment */ (" + std::to_string(commentNest_) +
                        " still open); close it with */");
    for (const OpenConditional& open : ifdefs_)
      diags_.report("kamc-unclosed-ifdef", open.at,
                    "this #!ifdef/#!ifndef is never closed; add #!endif");
  }
  result_.stoppedEarly = stopped_;
  for (const Define& d : defines_)
    result_.defines.push_back(
        {d.name, d.body != nullptr, d.body ? d.body->value : std::string(), d.definedAt});
  return std::move(result_);
}

void Preprocessor::runFrame(Frame& f) {
  while (!f.atEnd() && !stopped_) step(f);
}

void Preprocessor::step(Frame& f) {
  switch (state_) {
    case State::Initial: return stepInitial(f);
    case State::Comment: return stepComment(f);
    case State::LineComment: return stepLineComment(f);
    case State::DefineId: return stepDefineId(f);
    case State::DefineEol: return stepDefineEol(f);
    case State::DefineData: return stepDefineData(f);
    case State::IfdefId: return stepIfdefId(f);
    case State::IfdefEol: return stepIfdefEol(f);
    case State::IfdefSkip: return stepIfdefSkip(f);
    case State::IncludeName: return stepFileName(f, false);
    case State::ImportName: return stepFileName(f, true);
    case State::LoadModuleName: return stepLoadModuleName(f);
    case State::EnvDefineId: return stepEnvDefineId(f);
    case State::EventRouteName: return stepEventRouteName(f);
  }
}

// flex's default rule: one byte that no rule matches is copied to stdout.
void Preprocessor::echoOne(Frame& f) {
  emit(f, f.pos, 1, Emit::Echo);
  ++f.pos;
}

// ---------------------------------------------------------------- states

// "/*" in INITIAL or inside a comment: Kamailio's comments nest.
void Preprocessor::openComment(Frame& f) {
  emit(f, f.pos, 2, Emit::Text);
  f.pos += 2;
  ++commentNest_;
  state_ = State::Comment;
}

// In CFGPRINTMODE only comments, "#!"/"!!" directives, include_file,
// import_file and loadmodule match more than flex's one-byte print rule, so
// the bytes before the next of them are printed in one go.
bool startsPrintRule(std::string_view t, size_t i) {
  switch (t[i]) {
    case '#': return true;
    case '/': return i + 1 < t.size() && (t[i + 1] == '*' || t[i + 1] == '/');
    case '!': return i + 1 < t.size() && t[i + 1] == '!';
    case 'i': return startsWith(t, i, "include_file") || startsWith(t, i, "import_file");
    case 'l': return startsWith(t, i, "loadmodule");
    default: return false;
  }
}

void Preprocessor::stepInitial(Frame& f) {
  std::string_view t = f.text;
  size_t p = f.pos;
  if (printing() && !startsPrintRule(t, p)) {
    size_t end = p + 1;
    while (end < t.size() && !startsPrintRule(t, end)) ++end;
    emit(f, p, end - p, Emit::Text);
    f.pos = end;
    return;
  }
  if (startsWith(t, p, "/*")) return openComment(f);
  DirectiveMatch d = matchDirective(t, p, !printing(), false);
  if (d.kind != Directive::None) return beginDirective(f, d);

  if (printing()) {
    // In CFGPRINTMODE these words are found anywhere, even inside other words.
    if (startsWith(t, p, "include_file") || startsWith(t, p, "import_file")) {
      bool import = t[p + 1] == 'm';
      emit(f, p, import ? 11 : 12, Emit::Hidden);
      directiveStart_ = p;
      f.pos += import ? 11 : 12;
      state_ = import ? State::ImportName : State::IncludeName;
      return;
    }
    if (startsWith(t, p, "loadmodule")) {
      emit(f, p, 10, Emit::Text);
      f.pos += 10;
      state_ = State::LoadModuleName;
      return;
    }
  }
  if (t[p] == '#' || startsWith(t, p, "//")) {
    size_t len = t[p] == '#' ? 1 : 2;
    emit(f, p, len, Emit::Text);
    f.pos += len;
    state_ = State::LineComment;
    return;
  }
  if (printing()) {
    emit(f, p, 1, Emit::Text);
    ++f.pos;
    return;
  }
  // Expand mode: tokens whose insides a define must not touch.
  char c = t[p];
  if (c == '"' || c == '\'') {
    if (!scanString(f)) stop();
    return;
  }
  if (c == '$') {
    if (!scanPseudoVariable(f)) stop();
    return;
  }
  if (c == '@') return scanSelect(f);
  if (isIdStart(c) || isDigit(c)) return scanIdentifier(f);
  emit(f, p, 1, Emit::Text);
  ++f.pos;
}

void Preprocessor::stepComment(Frame& f) {
  std::string_view t = f.text;
  size_t p = f.pos;
  if (startsWith(t, p, "/*")) {
    openComment(f);
  } else if (startsWith(t, p, "*/")) {
    emit(f, p, 2, Emit::Text);
    f.pos += 2;
    if (--commentNest_ == 0) state_ = State::Initial;
  } else {
    // Only '/' and '*' can begin "/*" or "*/": copy other bytes as a run.
    size_t end = p + 1;
    while (end < t.size() && t[end] != '/' && t[end] != '*') ++end;
    emit(f, p, end - p, Emit::Text);
    f.pos = end;
  }
}

void Preprocessor::stepLineComment(Frame& f) {
  size_t nl = f.text.find('\n', f.pos);
  if (nl == std::string_view::npos) {
    // ".*{CR}" needs the newline: without it flex echoes byte by byte and
    // the state carries over into whatever text comes next.
    emit(f, f.pos, f.text.size() - f.pos, Emit::Text);
    f.pos = f.text.size();
    return;
  }
  emit(f, f.pos, nl + 1 - f.pos, Emit::Text);
  f.pos = nl + 1;
  state_ = State::Initial;
}

void Preprocessor::beginDirective(Frame& f, DirectiveMatch d) {
  size_t p = f.pos;
  directiveStart_ = p;
  switch (d.kind) {
    case Directive::Define:
    case Directive::TryDef:
    case Directive::Redef:
      emit(f, p, d.length, Emit::Directive);
      f.pos += d.length;
      defineType_ = d.kind == Directive::Define ? 0 : d.kind == Directive::TryDef ? 1 : 2;
      state_ = State::DefineId;
      return;
    case Directive::Ifdef:
    case Directive::Ifndef:
    case Directive::Else:
    case Directive::Endif:
      return conditional(f, d.kind, d.length);
    case Directive::IncludeFile:
    case Directive::ImportFile:
      emit(f, p, d.length, Emit::Hidden);
      f.pos += d.length;
      state_ = d.kind == Directive::IncludeFile ? State::IncludeName : State::ImportName;
      return;
    case Directive::DefEnv:
    case Directive::DefEnvs:
    case Directive::TryDefEnv:
    case Directive::TryDefEnvs:
      emit(f, p, d.length, Emit::Directive);
      f.pos += d.length;
      envDirective_ = d.kind;
      state_ = State::EnvDefineId;
      return;
    case Directive::Subst:
    case Directive::SubstDef:
    case Directive::SubstDefs:
      return substDirective(f, d.kind, d.length);
    case Directive::None:
      return;
  }
}

void Preprocessor::stepDefineId(Frame& f) {
  size_t len = idLength(f.text, f.pos);
  if (len == 0) return echoOne(f);
  size_t p = f.pos;
  if (f.peek(len) == '-') {
    emit(f, p, len + 1, Emit::Directive);
    report("kamc-invalid-define-name", f, p,
           "'-' is not allowed in a define name ('" + std::string(f.text.substr(p, len + 1)) +
               "...'); use '_'");
    return stop();
  }
  emit(f, p, len, Emit::Directive);
  f.pos += len;
  std::string error;
  if (!addDefine(f.text.substr(p, len), defineType_, locationAt(f, p), &error)) {
    report(defines_.size() >= opts_.maxDefines && !lookup(f.text.substr(p, len))
               ? "kamc-too-many-defines" : "kamc-duplicate-define",
           f, p, error);
    // Kamailio's lexer returns an error token here and stays in DEFINE_ID,
    // so the next identifier it meets becomes a define name.
    return;
  }
  pendingBody_ = {};
  state_ = State::DefineEol;
}

void Preprocessor::stepDefineEol(Frame& f) {
  char c = f.peek();
  emit(f, f.pos, 1, Emit::Directive);
  if (c == '\n') {
    state_ = State::Initial;
  } else if (!isEatable(c)) {
    pendingBody_ = {};
    OriginRun o = f.originOf(f.pos);
    pendingBody_.origin.push_back({0, o.file, o.fileOffset, o.pinned});
    pendingBody_.value.push_back(c);
    state_ = State::DefineData;
  }
  ++f.pos;
}

void Preprocessor::stepDefineData(Frame& f) {
  if (f.peek() == '\\' && f.peek(1) == '\n') {
    // A continuation line: the backslash-newline is printed, not stored.
    emit(f, f.pos, 2, Emit::Directive);
    f.pos += 2;
    return;
  }
  char c = f.peek();
  emit(f, f.pos, 1, Emit::Directive);
  if (c == '\n') {
    setDefineValue(std::make_shared<DefineBody>(std::move(pendingBody_)));
    pendingBody_ = {};
    state_ = State::Initial;
  } else {
    OriginRun o = f.originOf(f.pos);
    const OriginRun& last = pendingBody_.origin.back();
    uint32_t offset = static_cast<uint32_t>(pendingBody_.value.size());
    bool contiguous = !o.pinned && !last.pinned && last.file == o.file &&
                      last.fileOffset + (offset - last.valueOffset) == o.fileOffset;
    if (!contiguous) pendingBody_.origin.push_back({offset, o.file, o.fileOffset, o.pinned});
    pendingBody_.value.push_back(c);
  }
  ++f.pos;
}

// #!ifdef/#!ifndef/#!else/#!endif: Kamailio's pp_ifdef_type, pp_else, pp_endif.
void Preprocessor::conditional(Frame& f, Directive kind, size_t length) {
  size_t p = f.pos;
  emit(f, p, length, Emit::Hidden);
  f.pos += length;
  if (kind == Directive::Ifdef || kind == Directive::Ifndef) {
    ++ifdefLevel_;
    pendingIfdef_ = OpenConditional{kind == Directive::Ifdef, locationAt(f, p)};
    state_ = State::IfdefId;
    return;
  }
  if (kind == Directive::Endif) --ifdefLevel_;
  if (ifdefs_.empty()) {
    report(kind == Directive::Else ? "kamc-unmatched-else" : "kamc-unmatched-endif", f, p,
           std::string("#!") + (kind == Directive::Else ? "else" : "endif") +
               " without an open #!ifdef or #!ifndef");
    return;
  }
  if (kind == Directive::Else)
    ifdefs_.back().active = !ifdefs_.back().active;
  else
    ifdefs_.pop_back();
  updateSkipState();
}

void Preprocessor::stepIfdefId(Frame& f) {
  size_t len = idLength(f.text, f.pos);
  if (len == 0) return echoOne(f);
  size_t p = f.pos;
  if (f.peek(len) == '-') {
    report("kamc-invalid-define-name", f, p,
           "'-' is not allowed in a define name ('" + std::string(f.text.substr(p, len + 1)) +
               "...'); use '_'");
    return stop();
  }
  emit(f, p, len, Emit::Hidden);
  f.pos += len;
  // ifdef: active when defined; ifndef: active when not defined.
  bool defined = lookup(f.text.substr(p, len)) != nullptr;
  pendingIfdef_->active = pendingIfdef_->active == defined;
  state_ = State::IfdefEol;
}

void Preprocessor::stepIfdefEol(Frame& f) {
  size_t end = f.pos;
  while (end < f.text.size() && isEatable(f.text[end])) ++end;
  if (end >= f.text.size() || f.text[end] != '\n') return echoOne(f);
  emit(f, f.pos, end + 1 - f.pos, Emit::Hidden);
  f.pos = end + 1;
  ifdefs_.push_back(*pendingIfdef_);
  pendingIfdef_.reset();
  updateSkipState();
}

void Preprocessor::updateSkipState() {
  for (const OpenConditional& c : ifdefs_) {
    if (!c.active) {
      state_ = State::IfdefSkip;
      return;
    }
  }
  state_ = State::Initial;
}

void Preprocessor::stepIfdefSkip(Frame& f) {
  DirectiveMatch d = matchDirective(f.text, f.pos, false, true);
  if (d.kind != Directive::None) return conditional(f, d.kind, d.length);
  // Only "#!" or "!!" can end the skipping: jump to the next '#' or '!'.
  size_t end = f.text.find_first_of("#!", f.pos + 1);
  if (end == std::string_view::npos) end = f.text.size();
  if (f.file != kNoFile && !f.body) {
    std::vector<InactiveRange>& inactive = result_.inactive;
    if (!inactive.empty() && inactive.back().file == f.file && inactive.back().end == f.pos)
      inactive.back().end = static_cast<uint32_t>(end);
    else
      inactive.push_back({f.file, static_cast<uint32_t>(f.pos), static_cast<uint32_t>(end)});
  }
  emit(f, f.pos, end - f.pos, Emit::Hidden);
  f.pos = end;
}

// Kamailio's INCLF, CFGPRINTLOADMOD and DEFENV_ID states share one shape:
// "[ \t]*" is eaten, "[^ \t\r\n]+" is the word, anything else is echoed.
// Returns the word once it has been consumed.
std::optional<std::string_view> Preprocessor::stepBlanksThenWord(Frame& f, Emit how) {
  std::string_view t = f.text;
  size_t p = f.pos;
  if (t[p] == ' ' || t[p] == '\t') {
    emit(f, p, 1, how);
    ++f.pos;
    return std::nullopt;
  }
  if (t[p] == '\r' || t[p] == '\n') {
    echoOne(f);
    return std::nullopt;
  }
  size_t end = p;
  while (end < t.size() && t[end] != ' ' && t[end] != '\t' && t[end] != '\r' && t[end] != '\n')
    ++end;
  emit(f, p, end - p, how);
  f.pos = end;
  state_ = State::Initial;
  return t.substr(p, end - p);
}

void Preprocessor::stepFileName(Frame& f, bool import) {
  size_t start = f.pos;
  if (auto name = stepBlanksThenWord(f, Emit::Hidden)) includeFile(f, start, name->size(), import);
}

// sr_push_yy_state(): the name must be in double quotes; it is opened as given
// (relative to the current directory), then beside the including file.
void Preprocessor::includeFile(Frame& f, size_t nameStart, size_t nameLen, bool import) {
  std::string token(f.text.substr(nameStart, nameLen));
  if (!printing())
    if (auto replaced = applySubsts(token)) token = *replaced;
  const char* what = import ? "import_file" : "include_file";
  if (includeDepth_ >= opts_.maxIncludeDepth) {
    report("kamc-include-depth", f, nameStart,
           std::string(what) + " " + token + " goes deeper than " +
               std::to_string(opts_.maxIncludeDepth) +
               " nested includes, Kamailio's limit (the include chain is listed above)");
    return stop();
  }
  if (token.size() >= 128) {
    report("kamc-include-name", f, nameStart, "included file name too long (Kamailio's limit is 127 bytes)");
    return stop();
  }
  if (token.size() < 2 || token.front() != '"' || token.back() != '"') {
    report("kamc-include-name", f, nameStart,
           "the file name after " + std::string(what) + " must be in double quotes: " + token);
    return stop();
  }
  std::string name;
  for (size_t i = 1; i + 1 < token.size(); ++i) {
    char c = token[i];
    if (c == '\\') {
      if (i + 2 == token.size()) {
        report("kamc-include-name", f, nameStart, "invalid escape at the end of " + token);
        return stop();
      }
      char e = token[++i];
      name += e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e;
    } else {
      name += c;
    }
  }
  if (name.empty()) {
    report("kamc-include-name", f, nameStart, "empty file name after " + std::string(what));
    return stop();
  }
  SourceLocation at = locationAt(f, directiveStart_);
  // A device, FIFO or socket would be read without end (/dev/zero) or block
  // (a FIFO); a huge file would be held whole. Checked before opening.
  auto refused = [&](const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return false;  // missing (or an editor's buffer)
    std::string why;
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
      why = "is not a regular file (a device, FIFO or socket)";
    else if (S_ISREG(st.st_mode) && size_t(st.st_size) > limits::kMaxIncludeBytes)
      why = "is " + std::to_string(st.st_size) + " bytes, larger than kamc's limit of " +
            std::to_string(limits::kMaxIncludeBytes >> 20) + " MB for an included file";
    else if (S_ISREG(st.st_mode) && (includedBytes_ += size_t(st.st_size)) > limits::kMaxIncludedBytesTotal)
      why = "would bring the included text past kamc's limit of " +
            std::to_string(limits::kMaxIncludedBytesTotal >> 20) + " MB in all";
    if (why.empty()) return false;
    report("kamc-include-not-found", f, nameStart, std::string(what) + " " + path + " refused: it " + why);
    return true;
  };
  if (includedFiles_ == limits::kMaxIncludes) {
    report("kamc-include-not-found", f, nameStart,
           std::string(what) + " " + name + " refused: more than kamc's limit of " +
               std::to_string(limits::kMaxIncludes) + " included files in all");
    return stop();
  }
  if (refused(name)) return stop();
  std::optional<FileId> child = sm_.addFile(name, at);
  std::string tried = name;
  if (!child && name[0] != '/') {
    FileId current = f.file != kNoFile ? f.file : result_.mainFile;
    const std::string& curPath = sm_.file(current).path;
    size_t slash = curPath.rfind('/');
    if (slash != std::string::npos) {
      tried = curPath.substr(0, slash) + "/" + name;
      if (refused(tried)) return stop();
      child = sm_.addFile(tried, at);
    }
  }
  if (!child) {
    if (import) return;  // import_file of a missing file is skipped
    std::string msg = "cannot open included file " + token;
    if (tried != name) msg += " (also tried " + tried + ")";
    report("kamc-include-not-found", f, nameStart, msg);
    return stop();
  }
  ++includeDepth_;
  ++includedFiles_;
  state_ = State::Initial;
  Frame inner{*child, sm_.file(*child).content, nullptr};
  runFrame(inner);
  --includeDepth_;
}

void Preprocessor::stepLoadModuleName(Frame& f) {
  if (auto name = stepBlanksThenWord(f, Emit::Text)) defineModule(*name);
}

// --cfg-print defines MOD_<name> for every loadmodule it prints
// (ksr_cfg_print_define_module), so "#!ifdef MOD_tm" works in print mode.
void Preprocessor::defineModule(std::string_view token) {
  if (token.size() <= 2) return;
  std::string_view name = token;
  if ((name.front() == '\'' && name.back() == '\'') || (name.front() == '"' && name.back() == '"'))
    name = name.substr(1, name.size() - 2);
  if (name.size() > 3 && name.substr(name.size() - 3) == ".so") name.remove_suffix(3);
  if (token.find('/') != std::string_view::npos) {
    size_t slash = name.rfind('/');
    if (slash != std::string_view::npos) name = name.substr(slash + 1);
  }
  if (name.size() >= 60) {
    emitGenerated("\n# ***** ERROR: too long module name: " + std::string(token) + "\n");
    return;
  }
  std::string error;
  if (!addDefine("MOD_" + std::string(name), 0, {}, &error))
    emitGenerated("\n# ***** ERROR: unable to set cfg define for module: " + std::string(token) +
                  "\n");
}

void Preprocessor::stepEnvDefineId(Frame& f) {
  size_t p = f.pos;
  std::optional<std::string_view> word = stepBlanksThenWord(f, Emit::Directive);
  if (!word) return;

  // NAME or NAME=ENVVAR: define NAME to the variable's value (pp_define_env).
  std::string token(*word);
  size_t eq = token.find('=');
  std::string name = token.substr(0, eq);
  std::string var = eq == std::string::npos ? token : token.substr(eq + 1);
  bool quoted = envDirective_ == Directive::DefEnvs || envDirective_ == Directive::TryDefEnvs;
  bool optional = envDirective_ == Directive::TryDefEnv || envDirective_ == Directive::TryDefEnvs;
  if (eq != std::string::npos && var.empty()) {
    report("kamc-missing-env", f, p, "invalid #!defenv id '" + token + "'");
    return stop();
  }
  const char* value = std::getenv(var.c_str());
  if (!value) {
    if (optional) return;
    report("kamc-missing-env", f, p, "environment variable " + var + " is not set");
    return stop();
  }
  std::string error;
  if (!addDefine(name, 0, locationAt(f, p), &error)) {
    report("kamc-duplicate-define", f, p, error);
    return stop();
  }
  auto body = std::make_shared<DefineBody>();
  body->value = quoted ? "\"" + std::string(value) + "\"" : std::string(value);
  OriginRun o = f.originOf(p);
  body->origin.push_back({0, o.file, o.fileOffset, true});
  setDefineValue(body);
}

void Preprocessor::stepEventRouteName(Frame& f) {
  // event_route[module:name]: the name is one token, never define-replaced.
  char c = f.peek();
  emit(f, f.pos, 1, Emit::Text);
  ++f.pos;
  if (c == ']') state_ = State::Initial;
}

// ---------------------------------------------------------------- expand mode

std::optional<std::string> Preprocessor::applySubsts(const std::string& value) const {
  if (substs_.empty() || value.empty()) return std::nullopt;
  std::string current = value;
  bool changed = false;
  auto pvValue = [this](const PreprocessPv& pv) { return corePvValue(pv); };
  for (const SubstExpr& s : substs_) {
    if (auto out = s.apply(current, pvValue)) {
      current = std::move(*out);
      changed = true;
    }
  }
  if (!changed) return std::nullopt;
  return current;
}

namespace {

std::string quoteString(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

// Decodes one "..." string starting at pos (Kamailio's STRING1 escapes).
// Returns the index after the closing quote, or npos if unterminated.
size_t decodeDoubleQuoted(std::string_view t, size_t pos, std::string& value) {
  size_t i = pos + 1;
  while (i < t.size()) {
    char c = t[i];
    if (c == '"') return i + 1;
    if (c == '\\' && i + 1 < t.size()) {
      char e = t[i + 1];
      switch (e) {
        case 'n': value += '\n'; i += 2; continue;
        case 'r': value += '\r'; i += 2; continue;
        case 'a': value += '\a'; i += 2; continue;
        case 't': value += '\t'; i += 2; continue;
        case '"': value += '"'; i += 2; continue;
        case '\\': value += '\\'; i += 2; continue;
        case '\n': i += 2; continue;  // escaped newline is dropped
        case 'x':
          if (i + 2 < t.size() && std::isxdigit(static_cast<unsigned char>(t[i + 2]))) {
            size_t n = 1;
            if (i + 3 < t.size() && std::isxdigit(static_cast<unsigned char>(t[i + 3]))) n = 2;
            value += static_cast<char>(std::stoi(std::string(t.substr(i + 2, n)), nullptr, 16));
            i += 2 + n;
            continue;
          }
          break;
        default:
          if (e >= '0' && e <= '7') {
            size_t n = 0;
            while (n < 3 && i + 1 + n < t.size() && t[i + 1 + n] >= '0' && t[i + 1 + n] <= '7') ++n;
            if (n >= 2) {  // \[0-7]{2,3}; a lone \1 stays for subst back-references
              value += static_cast<char>(std::stoi(std::string(t.substr(i + 1, n)), nullptr, 8));
              i += 1 + n;
              continue;
            }
          }
      }
    }
    value += c;
    ++i;
  }
  return std::string_view::npos;
}

// Reads a string token at pos: "..." (adjacent ones concatenate, as in
// Kamailio's STR_BETWEEN state) or '...'. end is npos if it is unterminated.
struct StringToken {
  size_t end;
  std::string value;
};

StringToken readString(std::string_view t, size_t start) {
  StringToken tok{std::string_view::npos, {}};
  if (t[start] == '\'') {
    size_t close = t.find('\'', start + 1);
    if (close != std::string_view::npos) {
      tok.value = std::string(t.substr(start + 1, close - start - 1));
      tok.end = close + 1;
    }
    return tok;
  }
  tok.end = decodeDoubleQuoted(t, start, tok.value);
  while (tok.end != std::string_view::npos) {
    size_t next = tok.end;
    while (next < t.size() && (isEatable(t[next]) || t[next] == '\n')) ++next;
    if (next >= t.size() || t[next] != '"') break;
    tok.end = decodeDoubleQuoted(t, next, tok.value);
  }
  return tok;
}

}  // namespace

// Defines never apply inside a string; #!subst rules apply to its value.
bool Preprocessor::scanString(Frame& f) {
  size_t start = f.pos;
  StringToken tok = readString(f.text, start);
  if (tok.end == std::string_view::npos) {
    report("kamc-unterminated", f, start,
           std::string("missing closing ") + (f.text[start] == '"' ? "'\"'" : "\"'\"") +
               " for the string that starts here");
    emit(f, start, f.text.size() - start, Emit::Text);
    f.pos = f.text.size();
    return false;
  }
  if (auto replaced = applySubsts(tok.value))
    emitPinned(f, start, quoteString(*replaced));
  else
    emit(f, start, tok.end - start, Emit::Text);
  f.pos = tok.end;
  return true;
}

// $name, $name(...), $(...) with nested parentheses, $?: one token.
bool Preprocessor::scanPseudoVariable(Frame& f) {
  std::string_view t = f.text;
  size_t start = f.pos;
  size_t p = start + 1;
  if (p < t.size() && t[p] == '?') {
    ++p;
  } else {
    p += idLength(t, p);
    if (p < t.size() && t[p] == '(') {
      int nest = 0;
      for (; p < t.size(); ++p) {
        if (t[p] == '(') ++nest;
        if (t[p] == ')' && --nest == 0) break;
      }
      if (p >= t.size()) {
        report("kamc-unterminated", f, start,
               "missing ')' to close the pseudo-variable that starts here");
        emit(f, start, t.size() - start, Emit::Text);
        f.pos = t.size();
        return false;
      }
      ++p;
    }
  }
  std::string token(t.substr(start, p - start));
  if (auto replaced = applySubsts(token))
    emitPinned(f, start, *replaced);
  else
    emit(f, start, p - start, Emit::Text);
  f.pos = p;
  return true;
}

// @via[1].branch: select names are never define-replaced.
void Preprocessor::scanSelect(Frame& f) {
  std::string_view t = f.text;
  size_t p = f.pos + 1;
  while (p < t.size()) {
    char c = t[p];
    if (isIdChar(c) || c == '.' || c == '[' || c == ']') {
      ++p;
    } else if (c == '"') {
      std::string ignored;
      size_t end = decodeDoubleQuoted(t, p, ignored);
      if (end == std::string_view::npos) break;
      p = end;
    } else {
      break;
    }
  }
  emit(f, f.pos, p - f.pos, Emit::Text);
  f.pos = p;
}

void Preprocessor::scanIdentifier(Frame& f) {
  std::string_view t = f.text;
  size_t p = f.pos;
  size_t len = 0;
  while (p + len < t.size() && isIdChar(t[p + len])) ++len;
  size_t ipv6 = ipv6Length(t, p);
  bool isId = isIdStart(t[p]);
  std::string_view word = t.substr(p, len);
  auto copy = [&](size_t n) {
    emit(f, p, n, Emit::Text);
    f.pos = p + n;
  };
  if (ipv6 > len) return copy(ipv6);
  if (!isId) return copy(len);  // numbers and NUM_ID tokens
  // Keywords with a colon ("uri:host", "msg:len") outmatch the identifier.
  for (std::string_view kw : {"uri:host", "uri:port", "msg:len"})
    if (startsWith(t, p, kw)) return copy(kw.size());
  if (word == "include_file" || word == "import_file") {
    directiveStart_ = p;
    emit(f, p, len, Emit::Hidden);
    f.pos = p + len;
    state_ = word == "import_file" ? State::ImportName : State::IncludeName;
    return;
  }
  if (reservedWords().count(word)) {
    copy(len);
    if (word == "event_route") state_ = State::EventRouteName;
    return;
  }
  const Define* d = lookup(word);
  if (!d) return copy(len);
  expandDefine(f, *d, len);
}

void Preprocessor::expandDefine(Frame& f, const Define& d, size_t idLen) {
  size_t p = f.pos;
  f.pos += idLen;
  if (!d.body) return;  // a define without a value removes the name
  if (expansionDepth_ >= 64) {
    report("kamc-recursive-define", f, p,
           "the expansion of '" + d.name + "' does not end (it contains itself)");
    return stop();
  }
  // Each define may expand to several copies of the previous one, so the text
  // grows exponentially with the chain's length; a budget bounds it (each
  // expansion also costs a source-map entry and tokens, counted as 256 bytes).
  expandedBytes_ += d.body->value.size() + 256;
  if (expandedBytes_ > limits::kMaxExpansionBytes) {
    report("kamc-recursive-define", f, p,
           "the expansion of '" + d.name + "' goes past kamc's limit of " +
               std::to_string(limits::kMaxExpansionBytes >> 20) +
               " MB of expanded #!define text (defines that expand to several copies of another grow "
               "exponentially)");
    return stop();
  }
  DefineExpansion x{d.name, locationAt(f, p), d.definedAt, f.expansion};
  Frame inner{kNoFile, d.body->value, d.body, result_.map.addExpansion(std::move(x))};
  ++expansionDepth_;
  runFrame(inner);
  --expansionDepth_;
}

// The pseudo-variables that have a value while Kamailio reads the config
// (pv_core.c); nullopt is its null. Only those pass reportUnevaluable().
std::optional<std::string> Preprocessor::corePvValue(const PreprocessPv& pv) const {
  using Kind = PreprocessPv::Kind;
  switch (pv.kind) {
    case Kind::Define:
    case Kind::DefineNumber: {
      const Define* d = lookup(pv.name);
      if (!d) return pv.kind == Kind::DefineNumber ? std::optional<std::string>("0") : std::nullopt;
      return d->body ? d->body->value : std::string();
    }
    case Kind::Env:
    case Kind::EnvNumber: {
      const char* value = std::getenv(pv.name.c_str());
      return value ? std::optional<std::string>(value) : std::nullopt;
    }
    case Kind::ReturnCode: return "0";
    case Kind::Marker: return "$";
    case Kind::Null:
    case Kind::Other: return std::nullopt;
  }
  return std::nullopt;
}

// Kamailio parses the pseudo-variables of a subst replacement when it reads
// the directive: a class no module exports, or a malformed one, stops it
// ("bad specifier in replace part"). One it knows it evaluates against a fake
// message, which kamc does not have: only the core's $def, $defn, $env,
// $envn, $rc and $null are evaluated. True when something was reported.
bool Preprocessor::reportUnevaluable(const Frame& f, size_t pos, const std::string& expr,
                                     const std::vector<const PreprocessPv*>& pvs) {
  for (const PreprocessPv* pv : pvs) {
    const catalog::PseudoVariableInfo* info =
        pv->kind == PreprocessPv::Kind::Other ? catalog::findPseudoVariable(pv->className) : nullptr;
    if (!pv->problem.empty() || (pv->kind == PreprocessPv::Kind::Other && !info)) {
      std::string why = !pv->problem.empty() ? pv->problem : "no pseudo-variable $" + pv->className + " exists";
      report("kamc-bad-subst", f, pos,
             "Kamailio refuses '" + pv->text + "' in '" + expr + "': " + why +
                 " (\"bad specifier in replace part\")");
      return true;
    }
    if (info || pv->transformed) {
      std::string source = info ? "comes from module " + std::string(info->module) +
                                      ": Kamailio evaluates it here against a fake message if the module is "
                                      "loaded above, and refuses it otherwise"
                                : "has transformations, which come from modules";
      report("kamc-pp-unsupported", f, pos,
             "'" + pv->text + "' in '" + expr + "' " + source +
                 "; kamc's preprocessor evaluates only $def, $defn, $env, $envn, $rc and $null");
      return true;
    }
  }
  return false;
}

// #!subst "/re/repl/flags", #!substdef "/NAME/value/flags", #!substdefs:
// the directive is followed by a string token, as in Kamailio's grammar.
void Preprocessor::substDirective(Frame& f, Directive kind, size_t length) {
  std::string_view t = f.text;
  size_t p = f.pos;
  size_t q = p + length;
  while (q < t.size() && (isEatable(t[q]) || t[q] == '\n')) ++q;
  if (q >= t.size() || (t[q] != '"' && t[q] != '\'')) {
    emit(f, p, q - p, Emit::Hidden);
    f.pos = q;
    report("kamc-bad-subst", f, p, "a quoted \"/regex/replacement/flags\" must follow this directive");
    return;
  }
  StringToken tok = readString(t, q);
  if (tok.end == std::string_view::npos) {
    f.pos = q;
    scanString(f);  // reports the unterminated string
    return stop();
  }
  emit(f, p, tok.end - p, Emit::Hidden);
  f.pos = tok.end;
  // The expression is a string token, so earlier rules rewrite it first.
  std::string expr = applySubsts(tok.value).value_or(tok.value);
  std::string error;
  auto se = SubstExpr::parse(expr, &error);
  if (!se) {
    report("kamc-bad-subst", f, q, error);
    return;
  }
  if (reportUnevaluable(f, q, expr, se->pseudoVariables())) return;
  substs_.push_back(std::move(*se));
  if (kind == Directive::Subst) return;
  auto parts = splitSubstDef(expr, &error);
  if (!parts) {
    report("kamc-bad-subst", f, q, error);
    return;
  }
  // The define's value is the raw replacement (escapes kept). With a '$' in
  // it, Kamailio reads it as a format (pv_eval_str) and keeps the raw text
  // when that fails, e.g. for the "\$b" that the rule itself read as "$b".
  std::string value = parts->value;
  if (value.find('$') != std::string::npos) {
    std::vector<PreprocessPv> unevaluable;
    auto known = [](const PreprocessPv& pv) {
      return pv.kind != PreprocessPv::Kind::Other || catalog::findPseudoVariable(pv.className) != nullptr;
    };
    auto pvValue = [&](const PreprocessPv& pv) {
      if (pv.kind == PreprocessPv::Kind::Other || pv.transformed) unevaluable.push_back(pv);
      return corePvValue(pv);
    };
    std::optional<std::string> evaluated = evaluateSubstDefValue(value, pvValue, known);
    std::vector<const PreprocessPv*> pvs;
    for (const PreprocessPv& pv : unevaluable) pvs.push_back(&pv);
    if (reportUnevaluable(f, q, expr, pvs)) return;
    if (evaluated) value = std::move(*evaluated);
  }
  if (!addDefine(parts->name, 0, locationAt(f, q), &error)) {
    report("kamc-duplicate-define", f, q, error);
    return;
  }
  auto body = std::make_shared<DefineBody>();
  body->value = kind == Directive::SubstDefs ? "\"" + value + "\"" : value;
  OriginRun o = f.originOf(q);
  body->origin.push_back({0, o.file, o.fileOffset, true});
  setDefineValue(body);
}

PreprocessResult runPreprocessor(FileId main, const PreprocessOptions& opts, SourceManager& sm,
                                 DiagnosticEngine& diags) {
  Preprocessor pp(opts, sm, diags);
  return pp.run(main);
}

}  // namespace

PreprocessResult preprocessFile(const std::string& path, const PreprocessOptions& opts,
                                SourceManager& sm, DiagnosticEngine& diags) {
  std::string refusal;
  std::optional<FileId> main = sm.addFile(path, {}, &refusal);
  if (!main) {
    diags.report("kamc-include-not-found", {},
                 refusal.empty() ? "cannot open config file " + path
                                 : "config file " + path + " refused: it " + refusal);
    PreprocessResult r;
    r.stoppedEarly = true;
    return r;
  }
  return runPreprocessor(*main, opts, sm, diags);
}

PreprocessResult preprocessText(const std::string& name, std::string content,
                                const PreprocessOptions& opts, SourceManager& sm,
                                DiagnosticEngine& diags) {
  FileId main = sm.addBuffer(name, std::move(content));
  return runPreprocessor(main, opts, sm, diags);
}

}  // namespace kamc
