// Specification of the preprocessor: each directive, each error, and the
// source map from output positions back to the original file:line:col.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "kamc/preprocess/Preprocessor.h"
#include "kamc/preprocess/Subst.h"

namespace fs = std::filesystem;
using namespace kamc;

namespace {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "kamc-pp-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string write(const std::string& name, const std::string& content) const {
    fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct Run {
  SourceManager sm;
  DiagnosticEngine diags;
  PreprocessResult result;

  std::vector<std::string> rules() const {
    std::vector<std::string> out;
    for (const Diagnostic& d : diags.diagnostics()) out.push_back(d.rule);
    return out;
  }
  const Diagnostic* find(const std::string& rule) const {
    for (const Diagnostic& d : diags.diagnostics())
      if (d.rule == rule) return &d;
    return nullptr;
  }
  // Where the first occurrence of `needle` in the output came from.
  MappedLocation origin(const std::string& needle) const {
    size_t at = result.text.find(needle);
    EXPECT_NE(at, std::string::npos) << "'" << needle << "' not in output:\n" << result.text;
    return result.map.lookup(static_cast<uint32_t>(at), sm);
  }
  std::string fileOf(const SourceLocation& loc) const {
    return fs::path(sm.file(loc.file).path).filename().string();
  }
};

std::unique_ptr<Run> preprocess(const std::string& text, PreprocessMode mode = PreprocessMode::Expand,
                                std::vector<std::string> defines = {}, size_t maxDefines = 256,
                                const std::string& name = "test.cfg") {
  auto run = std::make_unique<Run>();
  PreprocessOptions opts;
  opts.mode = mode;
  opts.commandLineDefines = std::move(defines);
  opts.maxDefines = maxDefines;
  run->result = preprocessText(name, text, opts, run->sm, run->diags);
  return run;
}

std::unique_ptr<Run> preprocessPath(const std::string& path, PreprocessMode mode = PreprocessMode::Expand) {
  auto run = std::make_unique<Run>();
  PreprocessOptions opts;
  opts.mode = mode;
  run->result = preprocessFile(path, opts, run->sm, run->diags);
  return run;
}

// ------------------------------------------------------------- directives

TEST(Define, ReplacesIdentifiersWithTheirValue) {
  auto r = preprocess("#!define PORT 5060\nport=PORT\n");
  EXPECT_EQ(r->result.text, "\nport=5060\n");
  EXPECT_TRUE(r->diags.diagnostics().empty());
}

TEST(Define, BangBangFormWorksLikeHashBang) {
  auto r = preprocess("!!define PORT 5060\nport=PORT\n");
  EXPECT_EQ(r->result.text, "\nport=5060\n");
}

TEST(Define, NeverTouchesStringsOrComments) {
  auto r = preprocess("#!define X 1\nx=\"X\" # X\n/* X */ y='X' X\n");
  EXPECT_EQ(r->result.text, "\nx=\"X\" # X\n/* X */ y='X' 1\n");
}

TEST(Define, DoesNotReplaceCoreKeywords) {
  // "route" is a keyword in Kamailio's lexer, so the keyword rule wins.
  auto r = preprocess("#!define route nope\nroute { }\n");
  EXPECT_EQ(r->result.text, "\nroute { }\n");
}

TEST(Define, DoesNotReplaceInsidePseudoVariablesOrSelects) {
  auto r = preprocess("#!define x 1\n$var(x) = $x + @x.x + x;\n");
  EXPECT_EQ(r->result.text, "\n$var(x) = $x + @x.x + 1;\n");
}

TEST(Define, WithoutValueRemovesTheName) {
  auto r = preprocess("#!define EMPTY\na EMPTY b\n");
  EXPECT_EQ(r->result.text, "\na  b\n");
}

TEST(Define, ValuesAreRescannedForOtherDefines) {
  auto r = preprocess("#!define HOST 10.0.0.1\n#!define ADDR udp:HOST:5060\nlisten=ADDR\n");
  EXPECT_EQ(r->result.text, "\n\nlisten=udp:10.0.0.1:5060\n");
}

TEST(Define, MultiLineValueJoinsContinuationLines) {
  auto r = preprocess("#!define MSG \"a\" \\\n+ \"b\"\nx = MSG;\n");
  EXPECT_EQ(r->result.text, "\n\nx = \"a\" + \"b\";\n");
}

TEST(Define, TrydefKeepsTheFirstValue) {
  auto r = preprocess("#!define A 1\n#!trydef A 2\n#!trydefine B 3\nA B\n");
  EXPECT_EQ(r->result.text, "\n\n\n1 3\n");
  EXPECT_TRUE(r->diags.diagnostics().empty());
}

TEST(Define, RedefineReplacesTheValue) {
  auto r = preprocess("#!define A 1\n#!redefine A 2\n#!redef C 4\nA C\n");
  EXPECT_EQ(r->result.text, "\n\n\n2 4\n");
  EXPECT_TRUE(r->diags.diagnostics().empty());
}

TEST(Define, CommandLineDefinesComeFirst) {
  auto r = preprocess("#!ifdef WITH_X\nx=Y\n#!endif\n", PreprocessMode::Expand,
                      {"WITH_X", "Y=42"});
  EXPECT_EQ(r->result.text, "\nx=42\n\n");
}

TEST(Define, CoreVersionDefinesExist) {
  auto r = preprocess("#!ifdef KAMAILIO_5_6\nfive six\n#!endif\n#!ifdef KAMAILIO_5_6_3\nexact\n#!endif\n");
  EXPECT_NE(r->result.text.find("five six"), std::string::npos);
  EXPECT_NE(r->result.text.find("exact"), std::string::npos);
}

TEST(Define, EnvironmentVariables) {
  setenv("KAMC_TEST_ENV", "envvalue", 1);
  unsetenv("KAMC_TEST_UNSET");
  auto r = preprocess("#!defenv E=KAMC_TEST_ENV\n#!defenvs Q=KAMC_TEST_ENV\n"
                      "#!trydefenv T=KAMC_TEST_UNSET\nE Q\n#!ifdef T\nno\n#!endif\n");
  EXPECT_EQ(r->result.text, "\n\n\nenvvalue \"envvalue\"\n\n\n\n");
}

TEST(Conditionals, IfdefIfndefElseEndif) {
  auto r = preprocess("#!define A\n#!ifdef A\na\n#!else\nnot a\n#!endif\n"
                      "#!ifndef B\nnot b\n#!else\nb\n#!endif\n");
  EXPECT_NE(r->result.text.find("a\n"), std::string::npos);
  EXPECT_EQ(r->result.text.find("not a"), std::string::npos);
  EXPECT_NE(r->result.text.find("not b"), std::string::npos);
  EXPECT_EQ(r->result.text.find("\nb\n"), std::string::npos);
}

TEST(Conditionals, NestInsideSkippedRegions) {
  auto r = preprocess("#!ifdef NO\n#!ifdef KAMAILIO_5\ninner\n#!else\nelse\n#!endif\n#!endif\nout\n");
  EXPECT_EQ(r->result.text.find("inner"), std::string::npos);
  EXPECT_EQ(r->result.text.find("else"), std::string::npos);
  EXPECT_NE(r->result.text.find("out"), std::string::npos);
  EXPECT_TRUE(r->diags.diagnostics().empty());
}

TEST(Subst, RewritesStringsButNotIdentifiers) {
  auto r = preprocess("#!subst \"/DOMAIN/example.com/g\"\nx=\"sip:DOMAIN\" DOMAIN\n");
  EXPECT_EQ(r->result.text, "\nx=\"sip:example.com\" DOMAIN\n");
}

TEST(Subst, IgnoreCaseAndGlobalFlags) {
  auto r = preprocess("#!subst \"/ab/X/i\"\n#!subst \"/c/Y/g\"\ns=\"AB ab cc\"\n");
  EXPECT_EQ(r->result.text, "\n\ns=\"X ab YY\"\n");
}

TEST(Subst, SubstdefDefinesTheNameAndRewritesStrings) {
  auto r = preprocess("#!substdef \"!MY_IP!10.1.1.1!g\"\nlisten=MY_IP s=\"MY_IP\"\n");
  EXPECT_EQ(r->result.text, "\nlisten=10.1.1.1 s=\"10.1.1.1\"\n");
}

TEST(Define, KeywordNamesAreNeverReplacedEvenBySubstdef) {
  // "NAME" is a keyword of the listen syntax in Kamailio's lexer.
  auto r = preprocess("#!substdef \"/NAME/value/\"\nx=NAME\n");
  EXPECT_EQ(r->result.text, "\nx=NAME\n");
}

TEST(Subst, StackedRepetitionsAreRefusedBeforeRegcompBlowsUp) {
  // Found by fuzz_preprocess: glibc's regcomp copies "x+" as "xx*", so 32 stacked
  // '+' took minutes and gigabytes.
  auto r = preprocess("#!subst \"/example.com" + std::string(32, '+') + "/x/\"\ns=\"a\"\n");
  ASSERT_EQ(r->diags.diagnostics().size(), 1u);
  EXPECT_NE(r->diags.diagnostics()[0].message.find("repeats too much"), std::string::npos)
      << r->diags.diagnostics()[0].message;
}

TEST(Subst, SubstdefsQuotesTheDefineValue) {
  auto r = preprocess("#!substdefs \"/MYNAME/value/\"\nx=MYNAME\n");
  EXPECT_EQ(r->result.text, "\nx=\"value\"\n");
}

TEST(SubstExpr, BackReferencesAndEscapes) {
  std::string error;
  auto se = SubstExpr::parse("/([a-z]+)@([a-z]+)/\\2:\\1\\t/", &error);
  ASSERT_TRUE(se) << error;
  EXPECT_EQ(se->apply("x user@host y").value_or("none"), "x host:user\t y");
  EXPECT_FALSE(se->apply("nothing here").has_value());
}

TEST(CfgPrint, KeepsDirectiveLinesAndDoesNotSubstitute) {
  auto r = preprocess("#!define A 1\n#!subst \"/a/b/\"\nx=A \"a\"\n#!ifdef A\nyes\n#!endif\n",
                      PreprocessMode::CfgPrint);
  EXPECT_EQ(r->result.text, "#!define A 1\n#!subst \"/a/b/\"\nx=A \"a\"\nyes\n");
}

TEST(CfgPrint, EchoesIndentationBeforeConsumedDirectives) {
  auto r = preprocess("  #!ifdef KAMAILIO_5\nx\n#!endif\n", PreprocessMode::CfgPrint);
  EXPECT_EQ(r->result.text, "  x\n");
}

TEST(CfgPrint, LoadmoduleDefinesModuleName) {
  auto r = preprocess("loadmodule \"tm.so\"\n#!ifdef MOD_tm\ntm\n#!endif\n", PreprocessMode::CfgPrint);
  EXPECT_EQ(r->result.text, "loadmodule \"tm.so\"\ntm\n");
}

TEST(CfgPrint, UnknownHashBangWordsAreComments) {
  auto r = preprocess("#!whatever here\n#!KAMAILIO\n", PreprocessMode::CfgPrint);
  EXPECT_EQ(r->result.text, "#!whatever here\n#!KAMAILIO\n");
  EXPECT_TRUE(r->diags.diagnostics().empty());
}

TEST(Include, StatementAndDirectiveFormsResolveBesideTheIncludingFile) {
  TempDir dir;
  dir.write("sub/a.cfg", "in a\ninclude_file \"b.cfg\"\n");
  dir.write("sub/b.cfg", "in b\n");
  std::string main = dir.write("main.cfg", "start\n#!include_file \"sub/a.cfg\"\nend\n");
  auto r = preprocessPath(main);
  EXPECT_EQ(r->result.text, "start\nin a\nin b\n\n\nend\n");
  EXPECT_TRUE(r->diags.diagnostics().empty());
}

TEST(Include, ImportOfMissingFileIsSkipped) {
  TempDir dir;
  std::string main = dir.write("main.cfg", "import_file \"nope.cfg\"\nok\n");
  auto r = preprocessPath(main);
  EXPECT_EQ(r->result.text, "\nok\n");
  EXPECT_TRUE(r->diags.diagnostics().empty());
}

// ------------------------------------------------------------- errors

TEST(Errors, IncludeOfMissingFileStopsWithItsLocation) {
  TempDir dir;
  std::string main = dir.write("main.cfg", "a\n  include_file \"nope.cfg\"\nnot reached\n");
  auto r = preprocessPath(main);
  const Diagnostic* d = r->find("kamc-include-not-found");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->loc.line, 2u);
  EXPECT_EQ(d->loc.column, 16u);
  EXPECT_TRUE(r->result.stoppedEarly);
  EXPECT_EQ(r->result.text.find("not reached"), std::string::npos);
}

TEST(Errors, EleventhIncludeLevelIsRefusedWithTheChain) {
  TempDir dir;
  for (int i = 1; i <= 11; ++i)
    dir.write("d" + std::to_string(i) + ".cfg",
              "level" + std::to_string(i) + "\ninclude_file \"d" + std::to_string(i + 1) + ".cfg\"\n");
  dir.write("d12.cfg", "level12\n");
  std::string main = dir.write("main.cfg", "include_file \"d1.cfg\"\n");
  auto r = preprocessPath(main);
  const Diagnostic* d = r->find("kamc-include-depth");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(r->fileOf(d->loc), "d10.cfg");  // d10 tries to open the 11th level
  EXPECT_NE(r->result.text.find("level10"), std::string::npos);
  EXPECT_EQ(r->result.text.find("level11"), std::string::npos);
  std::string text = renderText(*d, r->sm);
  EXPECT_NE(text.find("In file included from"), std::string::npos);
  EXPECT_NE(text.find("main.cfg:1:1"), std::string::npos);
}

TEST(Errors, IncludeNameMustBeDoubleQuoted) {
  for (const char* bad : {"include_file 'single.cfg'\n", "include_file bare.cfg\n",
                          "include_file \"\"\n"}) {
    auto r = preprocess(bad);
    const Diagnostic* d = r->find("kamc-include-name");
    ASSERT_NE(d, nullptr) << bad;
    EXPECT_EQ(d->loc.column, 14u) << bad;
    EXPECT_TRUE(r->result.stoppedEarly);
  }
}

TEST(Errors, UnclosedIfdefPointsAtTheOpeningLine) {
  auto r = preprocess("a\n\n   #!ifdef X\nb\n");
  const Diagnostic* d = r->find("kamc-unclosed-ifdef");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->loc.line, 3u);
  EXPECT_EQ(d->loc.column, 4u);
}

TEST(Errors, ElseAndEndifWithoutIfdef) {
  auto r = preprocess("#!else\n#!endif\n");
  EXPECT_EQ(r->rules(), (std::vector<std::string>{"kamc-unmatched-else", "kamc-unmatched-endif"}));
  EXPECT_EQ(r->find("kamc-unmatched-endif")->loc.line, 2u);
}

TEST(Errors, MalformedSubstExpressions) {
  for (const char* bad : {"#!subst \"/a(/b/\"\n", "#!subst \"/a/b/q\"\n", "#!subst \"/a\"\n",
                          "#!subst \"/ab\"\n", "#!subst 42\n"}) {
    auto r = preprocess(bad);
    const Diagnostic* d = r->find("kamc-bad-subst");
    ASSERT_NE(d, nullptr) << bad;
    EXPECT_EQ(d->loc.line, 1u) << bad;
  }
}

TEST(Errors, DashInDefineNameIsRefused) {
  auto r = preprocess("\n#!define MY-NAME 1\nrest\n");
  const Diagnostic* d = r->find("kamc-invalid-define-name");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->loc.line, 2u);
  EXPECT_EQ(d->loc.column, 10u);
  EXPECT_TRUE(r->result.stoppedEarly);
}

TEST(Errors, DuplicateDefineNamesTheFirstDefinition) {
  auto r = preprocess("#!define A 1\n#!define A 2\n");
  const Diagnostic* d = r->find("kamc-duplicate-define");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->loc.line, 2u);
  EXPECT_NE(d->message.find("test.cfg:1"), std::string::npos);
}

TEST(Errors, The257thDefineIsAnError) {
  std::string cfg;
  // Three core defines (KAMAILIO_5, _5_6, _5_6_3) count, as in Kamailio.
  for (int i = 0; i < 253; ++i) cfg += "#!define D" + std::to_string(i) + "\n";
  auto r = preprocess(cfg);
  EXPECT_EQ(r->find("kamc-too-many-defines"), nullptr);
  EXPECT_EQ(r->result.defines.size(), 256u);

  cfg += "#!define ONE_TOO_MANY\n";
  r = preprocess(cfg);
  const Diagnostic* d = r->find("kamc-too-many-defines");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->loc.line, 254u);
  EXPECT_NE(d->message.find("ONE_TOO_MANY"), std::string::npos);
  EXPECT_NE(d->message.find("--max-defines 512"), std::string::npos);

  r = preprocess(cfg, PreprocessMode::Expand, {}, 512);
  EXPECT_EQ(r->find("kamc-too-many-defines"), nullptr);
}

TEST(Errors, RecursiveDefineIsReportedNotLooped) {
  auto r = preprocess("#!define LOOP a LOOP\nx LOOP\n");
  ASSERT_NE(r->find("kamc-recursive-define"), nullptr);
}

TEST(Errors, UnterminatedStringAndComment) {
  EXPECT_NE(preprocess("x = \"abc\n")->find("kamc-unterminated"), nullptr);
  EXPECT_NE(preprocess("/* open\n")->find("kamc-unterminated"), nullptr);
}

TEST(Errors, MissingEnvironmentVariable) {
  unsetenv("KAMC_TEST_UNSET");
  auto r = preprocess("#!defenv X=KAMC_TEST_UNSET\n");
  ASSERT_NE(r->find("kamc-missing-env"), nullptr);
}

// ------------------------------------------------------------- source map

TEST(SourceMap, PlainTextMapsToItself) {
  auto r = preprocess("a\n  listen=udp:1.2.3.4\n");
  MappedLocation m = r->origin("listen");
  EXPECT_EQ(m.loc.line, 2u);
  EXPECT_EQ(m.loc.column, 3u);
  EXPECT_EQ(m.expansion, -1);
}

TEST(SourceMap, ThroughIncludes) {
  TempDir dir;
  dir.write("inc.cfg", "\n\n    included_token\n");
  std::string main = dir.write("main.cfg", "#!define A 1\ninclude_file \"inc.cfg\"\nafter_token\n");
  auto r = preprocessPath(main);
  MappedLocation in = r->origin("included_token");
  EXPECT_EQ(r->fileOf(in.loc), "inc.cfg");
  EXPECT_EQ(in.loc.line, 3u);
  EXPECT_EQ(in.loc.column, 5u);
  EXPECT_EQ(r->sm.file(in.loc.file).includedAt.line, 2u);
  MappedLocation after = r->origin("after_token");
  EXPECT_EQ(r->fileOf(after.loc), "main.cfg");
  EXPECT_EQ(after.loc.line, 3u);
}

TEST(SourceMap, ThroughMultiLineDefinesToTheBodyLine) {
  auto r = preprocess("#!define BODY first \\\n   second \\\n third\n\nx BODY\n");
  EXPECT_NE(r->result.text.find("first    second  third"), std::string::npos) << r->result.text;
  MappedLocation second = r->origin("second");
  EXPECT_EQ(second.loc.line, 2u);
  EXPECT_EQ(second.loc.column, 4u);
  ASSERT_GE(second.expansion, 0);
  const DefineExpansion& x = r->result.map.expansions()[second.expansion];
  EXPECT_EQ(x.name, "BODY");
  EXPECT_EQ(x.useSite.line, 5u);
  EXPECT_EQ(x.useSite.column, 3u);
  EXPECT_EQ(x.definedAt.line, 1u);
  MappedLocation third = r->origin("third");
  EXPECT_EQ(third.loc.line, 3u);
  EXPECT_EQ(third.loc.column, 2u);
}

TEST(SourceMap, NestedDefineExpansionsKeepTheirChain) {
  auto r = preprocess("#!define INNER deep\n#!define OUTER a INNER\nOUTER\n");
  MappedLocation m = r->origin("deep");
  EXPECT_EQ(m.loc.line, 1u);
  EXPECT_EQ(m.loc.column, 16u);
  ASSERT_GE(m.expansion, 0);
  const auto& xs = r->result.map.expansions();
  EXPECT_EQ(xs[m.expansion].name, "INNER");
  ASSERT_GE(xs[m.expansion].parent, 0);
  EXPECT_EQ(xs[xs[m.expansion].parent].name, "OUTER");
}

TEST(SourceMap, CommandLineDefineValues) {
  auto r = preprocess("x=V\n", PreprocessMode::Expand, {"V=cmdvalue"});
  MappedLocation m = r->origin("cmdvalue");
  EXPECT_EQ(r->sm.file(m.loc.file).path, "<command line>");
  EXPECT_EQ(m.loc.column, 3u);
}

// Issue 19: as clang does for macros (and Kamailio reports the use line), a
// finding in text a define produced is located where the define is used,
// with one "expanded from #!define X" note per level, outermost first, each
// at the spot of that define's body the text comes from.
TEST(DefineOrigins, AnErrorInADefineIsReportedAtItsUse) {
  auto r = preprocess("#!define BAD \"open\n\nx BAD\n");
  const Diagnostic* d = r->find("kamc-unterminated");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->loc.line, 3u);
  EXPECT_EQ(d->loc.column, 3u);
  EXPECT_EQ(d->end.line, 3u);
  EXPECT_EQ(d->end.column, 6u);  // the underline covers the name BAD
  ASSERT_EQ(d->notes.size(), 1u);
  EXPECT_EQ(d->notes[0].message, "expanded from #!define BAD");
  EXPECT_EQ(d->notes[0].loc.line, 1u);
  EXPECT_EQ(d->notes[0].loc.column, 14u);
}

TEST(DefineOrigins, NestedDefinesGiveOneNotePerLevelOutermostFirst) {
  auto r = preprocess("#!define INNER \"open\n#!define OUTER a INNER\nx OUTER\n");
  ASSERT_EQ(r->diags.diagnostics().size(), 1u);
  EXPECT_EQ(renderText(r->diags.diagnostics()[0], r->sm),
            "test.cfg:3:3: error: missing closing '\"' for the string that starts here [kamc-unterminated]\n"
            "  x OUTER\n"
            "    ^\n"
            "test.cfg:2:18: note: expanded from #!define OUTER\n"
            "  #!define OUTER a INNER\n"
            "                   ^\n"
            "test.cfg:1:16: note: expanded from #!define INNER\n"
            "  #!define INNER \"open\n"
            "                 ^\n");
}

TEST(DefineOrigins, AFindingOnALaterLineOfAMultiLineDefinePointsAtThatLine) {
  auto r = preprocess("#!define BODY first \\\n   second \\\n third\n\nx BODY\n");
  MappedLocation third = r->origin("third");
  Diagnostic d{"kamc-syntax", Severity::Error, third.loc, "example", {}};
  r->result.map.addExpansionNotes(d, third.expansion);
  EXPECT_EQ(d.loc.line, 5u);
  EXPECT_EQ(d.loc.column, 3u);
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0].loc.line, 3u);
  EXPECT_EQ(d.notes[0].loc.column, 2u);
}

TEST(DefineOrigins, ExpansionNotesComeBeforeTheFindingsOwnNotes) {
  auto r = preprocess("#!define A deep\nx A\n");
  MappedLocation deep = r->origin("deep");
  Diagnostic d{"kamc-syntax", Severity::Error, deep.loc, "example", {{deep.loc, "own note"}}};
  r->result.map.addExpansionNotes(d, deep.expansion);
  ASSERT_EQ(d.notes.size(), 2u);
  EXPECT_EQ(d.notes[0].message, "expanded from #!define A");
  EXPECT_EQ(d.notes[1].message, "own note");
}

TEST(DefineOrigins, TextOutsideAnyDefineKeepsItsLocationAndNotes) {
  auto r = preprocess("#!define A deep\nx A plain\n");
  MappedLocation plain = r->origin("plain");
  Diagnostic d{"kamc-syntax", Severity::Error, plain.loc, "example", {}};
  r->result.map.addExpansionNotes(d, plain.expansion);
  EXPECT_EQ(d.loc.line, 2u);
  EXPECT_EQ(d.loc.column, 5u);
  EXPECT_TRUE(d.notes.empty());
  EXPECT_FALSE(d.end.valid());
}

TEST(DefineOrigins, ALongChainKeepsItsThreeOutermostAndThreeInnermostLevels) {
  std::string cfg = "#!define D0 \"open\n";
  for (int i = 1; i <= 9; ++i) cfg += "#!define D" + std::to_string(i) + " D" + std::to_string(i - 1) + "\n";
  cfg += "x D9\n";
  auto r = preprocess(cfg);
  const Diagnostic* d = r->find("kamc-unterminated");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->loc.line, 11u);
  EXPECT_EQ(d->loc.column, 3u);
  std::vector<std::string> messages;
  for (const DiagnosticNote& n : d->notes) messages.push_back(n.message);
  EXPECT_EQ(messages, (std::vector<std::string>{
                          "expanded from #!define D9", "expanded from #!define D8", "expanded from #!define D7",
                          "(4 more #!define expansions in between)", "expanded from #!define D2",
                          "expanded from #!define D1", "expanded from #!define D0"}));
  EXPECT_EQ(d->notes[0].loc.line, 10u);  // D8 in D9's body
  EXPECT_EQ(d->notes[0].loc.column, 13u);
  EXPECT_EQ(d->notes[6].loc.line, 1u);  // the quote in D0's body
  EXPECT_EQ(d->notes[6].loc.column, 13u);
}

TEST(DefineOrigins, ACommandLineDefineNotesItsValueInTheCommandLineBuffer) {
  auto r = preprocess("x=V\n", PreprocessMode::Expand, {"V=\"open"});
  const Diagnostic* d = r->find("kamc-unterminated");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(r->fileOf(d->loc), "test.cfg");
  EXPECT_EQ(d->loc.line, 1u);
  EXPECT_EQ(d->loc.column, 3u);
  ASSERT_EQ(d->notes.size(), 1u);
  EXPECT_EQ(r->sm.file(d->notes[0].loc.file).path, "<command line>");
  EXPECT_EQ(d->notes[0].loc.column, 3u);
}

TEST(DefineOrigins, ADefineFromAnIncludedFileIsNotedInThatFile) {
  TempDir dir;
  dir.write("defs.cfg", "\n#!define BAD \"open\n");
  std::string main = dir.write("main.cfg", "include_file \"defs.cfg\"\n\n  x = BAD\n");
  auto r = preprocessPath(main);
  const Diagnostic* d = r->find("kamc-unterminated");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(r->fileOf(d->loc), "main.cfg");
  EXPECT_EQ(d->loc.line, 3u);
  EXPECT_EQ(d->loc.column, 7u);
  ASSERT_EQ(d->notes.size(), 1u);
  EXPECT_EQ(r->fileOf(d->notes[0].loc), "defs.cfg");
  EXPECT_EQ(d->notes[0].loc.line, 2u);
  EXPECT_EQ(d->notes[0].loc.column, 14u);
}

TEST(Render, GccStyleWithCaretAndRuleId) {
  auto r = preprocess("a\n #!else\n");
  ASSERT_EQ(r->diags.diagnostics().size(), 1u);
  std::string text = renderText(r->diags.diagnostics()[0], r->sm);
  EXPECT_EQ(text,
            "test.cfg:2:2: error: #!else without an open #!ifdef or #!ifndef [kamc-unmatched-else]\n"
            "   #!else\n"
            "   ^\n");
}

TEST(Robustness, ArbitraryBytesNeverCrash) {
  std::string junk;
  uint32_t seed = 12345;
  for (int i = 0; i < 20000; ++i) {
    seed = seed * 1103515245 + 12345;
    static const char alphabet[] = "#!$@()\"'\\/* \n\tabcdefXYZ_019-:[]{}";
    junk += alphabet[(seed >> 16) % (sizeof alphabet - 1)];
  }
  for (PreprocessMode mode : {PreprocessMode::CfgPrint, PreprocessMode::Expand}) {
    auto r = preprocess(junk, mode);
    EXPECT_LE(r->result.text.size(), junk.size() * 4);
  }
}

// Issue 19: the core pseudo-variables in #!subst/#!substdef, with the
// values Kamailio 5.6 gave the same lines (xlog at start-up).
TEST(SubstPseudoVariables, RuleAndDefineTakeTheCoreValues) {
  setenv("KAMC_PP_TEST_USER", "bob", 1);
  unsetenv("KAMC_PP_TEST_UNSET");
  auto r = preprocess(
      "#!define HOST \"example.com\"\n"
      "#!substdef \"/MYHOST/$def(HOST)/\"\n"
      "#!substdefs \"/MYUSER/$env(KAMC_PP_TEST_USER)/\"\n"
      "#!subst \"/THEUSER/$(env(KAMC_PP_TEST_USER))x/g\"\n"
      "a=MYHOST b=MYUSER c=\"MYHOST MYUSER THEUSER THEUSER\"\n");
  EXPECT_TRUE(r->diags.diagnostics().empty());
  // The define keeps HOST's value as written, quotes included.
  EXPECT_EQ(r->result.text, "\n\n\n\na=\"example.com\" b=\"bob\" c=\"\\\"example.com\\\" bob bobx bobx\"\n");
}

TEST(SubstPseudoVariables, NullIsEmptyInARuleAndPrintedInADefine) {
  unsetenv("KAMC_PP_TEST_UNSET");
  // Kamailio: RESULT [] from the rule, "<null>" from the define; $defn of an
  // undefined name and $rc are 0, $$ is a '$'.
  auto r = preprocess(
      "#!substdefs \"/NOENV/$env(KAMC_PP_TEST_UNSET)/\"\n"
      "#!substdef \"/NODEF/$defn(NOPE)$rc/\"\n"
      "x=NOENV \"[NOENV]\" NODEF\n");
  EXPECT_TRUE(r->diags.diagnostics().empty());
  EXPECT_EQ(r->result.text, "\n\nx=\"<null>\" \"[]\" 00\n");
}

TEST(SubstPseudoVariables, AnEscapedDollarKeepsTheDefineRaw) {
  // The rule reads "\$b" as "$b"; the define's value, read as a format, has
  // "$b", which is no pseudo-variable, so Kamailio keeps the raw text.
  auto r = preprocess("#!substdef \"/RAW/a\\$b/\"\nx=\"RAW\" RAW\n");
  EXPECT_TRUE(r->diags.diagnostics().empty());
  EXPECT_EQ(r->result.text, "\nx=\"a$b\" a\\$b\n");
}

TEST(SubstPseudoVariables, WhatKamailioRefusesAndWhatKamcCannotEvaluate) {
  // Refused by Kamailio: "bad specifier in replace part".
  for (const char* bad : {"#!subst \"/X/$nosuchpv/\"\n", "#!substdef \"/X/$(def(A)[0])/\"\n",
                          "#!substdef \"/X/$def()/\"\n", "#!subst \"/X/a$/\"\n", "#!subst \"/X/$rc(x)/\"\n"}) {
    auto r = preprocess(bad);
    EXPECT_EQ(r->rules(), std::vector<std::string>{"kamc-bad-subst"}) << bad;
  }
  // Evaluated by Kamailio against a fake message ($var of pv, $HN of ipops,
  // a transformation): kamc says it cannot.
  for (const char* other : {"#!substdef \"/X/$var(x)/\"\n", "#!subst \"/X/$HN(f)/\"\n",
                            "#!substdef \"/X/$(env(HOME){s.len})/\"\n"}) {
    auto r = preprocess(other);
    EXPECT_EQ(r->rules(), std::vector<std::string>{"kamc-pp-unsupported"}) << other;
  }
}

}  // namespace
