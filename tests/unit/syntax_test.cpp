// The grammar accepts the language's constructs and reports syntax errors at
// their original position, through includes and defines.
#include <gtest/gtest.h>

#include "kamc/frontend/Pipeline.h"
#include "kamc/syntax/SyntaxCheck.h"

using namespace kamc;

namespace {

struct Checked : frontend::Compilation {
  size_t errors() const { return syntaxErrors; }
};

std::unique_ptr<Checked> check(const std::string& text) {
  frontend::PipelineOptions options;
  options.keepGoing = true;  // as cfgcheck: the parser meets even text the preprocessor cut short
  return std::make_unique<Checked>(frontend::parse(frontend::ConfigInput::inMemory("t.cfg", text), options));
}

TEST(Grammar, AcceptsEveryBlockKindAndStatement) {
  auto c = check(R"(#!KAMAILIO
debug=2
listen=udp:127.0.0.1:5060 advertise 10.0.0.1:5080
alias="example.com"
group.var = 1 desc "a custom parameter"
flags FLAG_A : 1, FLAG_B
loadmodule "tm.so"
modparam("tm|sl", "fr_timer", 5000)
modparam("auth", "calculate_ha1", yes)
request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if ($rU =~ "^[0-9]+$" && (int)$var(x) + 2 * 3 >= 7 || !defined $avp(s:y)) { drop; }
  $var(s) = "a" + $rU + "b";
  $(avp(i:3)[*]) = $hdr(Via)[1];
  switch ($rm) {
    case "INVITE": route(RELAY); break;
    default: xlog("L_INFO", "other $rm\n");
  }
  while ($var(i) < 10) { $var(i) = $var(i) + 1; }
  if (src_ip == 10.0.0.0/8 && uri == myself && proto == UDP) return 1;
  force_send_socket(udp:127.0.0.1:5060);
  route(RELAY);
}
route[RELAY] { t_relay(); exit; }
failure_route[FAIL] { return; }
branch_route[BR] { ; }
onreply_route { ; }
onreply_route[R1] { drop; }
reply_route { ; }
onsend_route { ; }
event_route[tm:local-request] { ; }
route["QUOTED"] { ; }
)");
  EXPECT_EQ(c->errors(), 0u);
  for (const Diagnostic& d : c->diags.diagnostics()) ADD_FAILURE() << renderText(d, c->sm);
}

TEST(Grammar, MissingSemicolonIsReportedAtTheNextTokenAsKamailioDoes) {
  auto c = check("request_route {\n  if (x) route(A)\n  else exit;\n}\n");
  ASSERT_GE(c->errors(), 1u);
  const Diagnostic& d = c->diags.diagnostics().front();
  EXPECT_EQ(d.rule, "kamc-syntax");
  // kamailio -c: "line 3, column 3-6: bad command: missing ';'?"
  EXPECT_EQ(d.loc.line, 3u);
  EXPECT_EQ(d.loc.column, 3u);
  // The message still says where the ';' belongs: right after route(A).
  EXPECT_EQ(d.message, "missing ';' after ')' at 2:18, before 'else'");
}

TEST(Grammar, MaxLenIsAReservedWordAsInKamailio) {
  // cfg.lex has a MAX_LEN token that no rule of cfg.y takes.
  auto c = check("request_route {\n  if (msg:len >= max_len) { drop; }\n}\n");
  ASSERT_GE(c->errors(), 1u);
  const Diagnostic& d = c->diags.diagnostics().front();
  EXPECT_EQ(d.loc.line, 2u);
  EXPECT_EQ(d.loc.column, 18u);
  EXPECT_NE(d.message.find("'max_len' is a reserved word"), std::string::npos) << d.message;
  EXPECT_GE(check("max_len=4096\nrequest_route { drop; }\n")->errors(), 1u);
  EXPECT_GE(check("request_route { if (len_gt(max_len)) { drop; } }\n")->errors(), 1u);
  // Inside strings, pseudo-variables and selects it is an ordinary word.
  EXPECT_EQ(check("modparam(\"x\", \"max_len\", 1)\n"
                  "request_route { $var(max_len) = $max_len + @max_len; xlog(\"max_len\"); }\n")->errors(),
            0u);
}

TEST(Grammar, ABlockIsNotAStatementOfItsOwn) {
  // cfg.y: `stm: action | '{' actions '}'`, and a block is no action.
  auto c = check("request_route {\n  if (x) {\n  {\n    drop;\n  }\n}\n");
  ASSERT_GE(c->errors(), 1u);
  const Diagnostic& d = c->diags.diagnostics().front();
  EXPECT_EQ(d.loc.line, 3u);
  EXPECT_EQ(d.loc.column, 3u);
  EXPECT_EQ(check("request_route {\n  if (x) { drop; } else { exit; }\n  while (y) { break; }\n}\n")->errors(), 0u);
}

TEST(Grammar, EmptyBlocksAreRejectedAtTheClosingBrace) {
  // cfg.y's `actions` holds at least one statement; `;` is the empty one.
  for (const char* text : {"request_route {\n}\n", "request_route { if (x) { drop; } else {\n} }\n",
                           "route[A] { while (1) {\n} }\n", "request_route { $var(a) = {\n}; }\n"}) {
    auto c = check(text);
    ASSERT_EQ(c->errors(), 1u) << text;
    const Diagnostic& d = c->diags.diagnostics().front();
    EXPECT_EQ(d.loc.line, 2u) << text;
    EXPECT_EQ(d.message.rfind("empty block", 0), 0u) << d.message;
  }
  EXPECT_EQ(check("request_route { ; }\nroute[A] { if (x) { ; } }\n")->errors(), 0u);
  // An empty switch is valid.
  EXPECT_EQ(check("request_route { switch ($rU) { } }\n")->errors(), 0u);
}

TEST(Grammar, RegexCaseLabelsTakeAConstantAfterTheSlash) {
  // cfg.y: CASE SLASH ct_rval COLON actions, beside the plain labels.
  EXPECT_EQ(check("request_route { switch ($rU) {\n  case /\"^0049\": xlog(\"de\"); break;\n"
                  "  case \"123\": break;\n  case /(\"^00\" + \"[1-9]\"):\n  case /5:\n  default: ;\n} }\n")
                ->errors(),
            0u);
  // ct_rval refuses a run-time value (kamailio -c: 'constant expected').
  for (const char* label : {"/$var(re)", "$var(x)", "/\"^\" + $rU"}) {
    auto c = check(std::string("request_route { switch ($rU) {\n  case ") + label + ": break;\n} }\n");
    ASSERT_EQ(c->errors(), 1u) << label;
    const Diagnostic& d = c->diags.diagnostics().front();
    EXPECT_EQ(d.loc.line, 2u) << label;
    EXPECT_NE(d.message.find("must be a constant"), std::string::npos) << d.message;
  }
  // A slash needs a label after it.
  EXPECT_GE(check("request_route { switch ($rU) { case /: break; } }\n")->errors(), 1u);
}

TEST(Grammar, ErrorsInsideDefineValuesPointAtTheUseWithANoteAtTheDefine) {
  auto c = check("#!define BAD ) )\n\nrequest_route {\n  if BAD { }\n}\n");
  ASSERT_GE(c->errors(), 1u);
  const Diagnostic& d = c->diags.diagnostics().front();
  EXPECT_EQ(d.loc.line, 4u);
  EXPECT_EQ(d.loc.column, 6u);
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0].message, "expanded from #!define BAD");
  EXPECT_EQ(d.notes[0].loc.line, 1u);
  EXPECT_EQ(d.notes[0].loc.column, 14u);
}

TEST(Grammar, ColumnsCountBytesAfterNonAsciiText) {
  // Latin-1 and UTF-8 text in comments must neither crash nor shift columns.
  auto c = check("# caf\xc3\xa9 \xe9\xff\nrequest_route { $var(x) = \"\xc3\xa9\" ) }\n");
  ASSERT_GE(c->errors(), 1u);
  EXPECT_EQ(c->diags.diagnostics().front().loc.line, 2u);
  EXPECT_EQ(c->diags.diagnostics().front().loc.column, 32u);
}

// Issue 18: nesting past the limit is one error with a location, not a stack
// overflow; both the parser's recursion (parentheses) and a left-recursive
// chain, which nests only in the tree, are caught.
TEST(Grammar, NestingPastTheLimitIsOneErrorNotACrash) {
  std::string parens = "request_route {\n  if (" + std::string(50000, '(') + "1" + std::string(50000, ')') + ") exit;\n}\n";
  std::string chain = "request_route {\n  if (1";
  for (int i = 0; i < 5000; ++i) chain += " && 1";
  chain += ") exit;\n}\n";
  for (const std::string& text : {parens, chain}) {
    auto c = check(text);
    ASSERT_EQ(c->diags.diagnostics().size(), 1u);
    EXPECT_NE(c->diags.diagnostics()[0].message.find("nest deeper than 1000 levels"), std::string::npos);
    EXPECT_EQ(c->diags.diagnostics()[0].loc.line, 2u);
    EXPECT_GE(c->errors(), 1u);
  }
  // An edited route block parsed alone gives up, so that the whole parse reports it.
  auto c = check(parens);
  size_t begin = c->pp.text.find("request_route");
  EXPECT_EQ(parseTopItem(c->pp, c->sm, begin, c->pp.text.size()), nullptr);
}

TEST(Grammar, NamesAndStringsPastTheLimitAreErrorsAtTheirStart) {
  std::string atName = "request_route {\n  route(" + std::string(1024, 'R') + ");\n}\n";
  std::string pastName = "request_route {\n  route(" + std::string(1025, 'R') + ");\n}\n";
  std::string pastPv = "request_route {\n  $var(" + std::string(1020, 'v') + ") = 1;\n}\n";
  std::string atString = "request_route {\n  xlog(\"" + std::string((1u << 20) - 2, 's') + "\");\n}\n";
  std::string pastString = "request_route {\n  xlog(\"" + std::string((1u << 20) - 1, 's') + "\");\n}\n";
  EXPECT_EQ(check(atName)->errors(), 0u);
  EXPECT_EQ(check(atString)->errors(), 0u);
  for (const std::string& text : {pastName, pastPv, pastString}) {
    auto c = check(text);
    ASSERT_EQ(c->diags.diagnostics().size(), 1u) << text.substr(0, 40);
    const Diagnostic& d = c->diags.diagnostics()[0];
    EXPECT_NE(d.message.find("longer than kamc's limit"), std::string::npos) << d.message;
    EXPECT_EQ(d.loc.line, 2u);
    EXPECT_EQ(d.loc.column, text == pastPv ? 3u : (text == pastName ? 9u : 8u));
    EXPECT_EQ(c->errors(), 1u);
  }
}

TEST(Grammar, UnbalancedBracesAndGarbageNeverCrash) {
  for (const char* bad : {"request_route {", "}}}}", "route[", "if (((", "\x01\x02\xff",
                          "modparam(", "$var(", "\"unterminated"}) {
    auto c = check(bad);
    EXPECT_GE(c->diags.errorCount(), 1u) << bad;
  }
}

}  // namespace

namespace {
std::string firstMessage(const Checked& c) {
  return c.diags.diagnostics().empty() ? "" : c.diags.diagnostics()[0].message;
}
}  // namespace

TEST(SyntaxMessages, UnclosedParenthesisNamesTheIfAndWhereItOpened) {
  auto c = check("request_route {\n  if ($a == 1 {\n    exit;\n  }\n}\n");
  EXPECT_EQ(firstMessage(*c), "missing ')' to close 'if (' opened at 2:6, before '{'");
}

TEST(SyntaxMessages, MissingSemicolonNamesThePlaceAfterThePreviousToken) {
  auto c = check("request_route {\n  xlog(\"a\")\n  exit;\n}\n");
  ASSERT_FALSE(c->diags.diagnostics().empty());
  EXPECT_EQ(firstMessage(*c), "missing ';' after ')' at 2:12, before 'exit'");
  EXPECT_EQ(c->diags.diagnostics()[0].loc.line, 3u);
  EXPECT_EQ(c->diags.diagnostics()[0].loc.column, 3u);
}

TEST(SyntaxMessages, ExpectedTokenSetsAreSaidInWords) {
  auto c = check("route[X] { $var(a) = ; }\n");
  EXPECT_EQ(firstMessage(*c), "unexpected ';'; expected an expression");
}

TEST(SyntaxMessages, EndOfFileInsideABlockNamesTheOpenBrace) {
  auto c = check("request_route {\n  exit;\n");
  EXPECT_EQ(firstMessage(*c), "unexpected end of file: missing '}' to close 'request_route {' opened at 1:15");
}
