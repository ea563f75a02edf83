// The AST the parser hands downstream: precedence as in cfg.y, every
// pseudo-variable form, every route block kind, locations through defines,
// and errors (never crashes) on malformed input.
#include <gtest/gtest.h>

#include <random>

#include "kamc/ast/AstJson.h"
#include "kamc/ast/AstPrinter.h"
#include "kamc/frontend/Pipeline.h"

using namespace kamc;
using namespace kamc::ast;

namespace {

struct Parsed : frontend::Compilation {
  const Config& config() const { return *Compilation::config; }
  std::string firstError() const {
    for (const Diagnostic& d : diags.diagnostics())
      if (d.severity == Severity::Error) return d.message;
    return "";
  }
};

std::unique_ptr<Parsed> parse(const std::string& text) {
  frontend::PipelineOptions options;
  options.keepGoing = true;  // as cfgcheck: the parser meets even text the preprocessor cut short
  return std::make_unique<Parsed>(frontend::parse(frontend::ConfigInput::inMemory("t.cfg", text), options));
}

// Prefix notation of an expression: (&& a (== b 1)).
std::string sexpr(const Expr* e) {
  if (!e) return "<null>";
  switch (e->kind) {
    case ExprKind::Binary: {
      auto* b = static_cast<const BinaryExpr*>(e);
      return std::string("(") + binaryOpSpelling(b->op) + " " + sexpr(b->lhs.get()) + " " +
             sexpr(b->rhs.get()) + ")";
    }
    case ExprKind::Unary: {
      auto* u = static_cast<const UnaryExpr*>(e);
      return std::string("(") + unaryOpSpelling(u->op) + " " + sexpr(u->operand.get()) + ")";
    }
    case ExprKind::Cast: return "(" + e->text + " " + sexpr(static_cast<const CastExpr*>(e)->operand.get()) + ")";
    case ExprKind::Defined: return "(defined " + sexpr(static_cast<const DefinedExpr*>(e)->operand.get()) + ")";
    case ExprKind::Call: return static_cast<const CallExpr*>(e)->callee;
    default: return e->text;
  }
}

// The condition of the first statement of request_route.
std::string conditionOf(const std::string& condition) {
  auto p = parse("request_route { if " + condition + " { exit; } }");
  EXPECT_EQ(p->syntaxErrors, 0u) << p->firstError();
  if (p->config().items.empty()) return "<no items>";
  auto& route = static_cast<const RouteItem&>(*p->config().items[0]);
  if (route.body->body.empty()) return "<no statements>";
  return sexpr(static_cast<const IfStmt&>(*route.body->body[0]).condition.get());
}

const PseudoVariable& pvOf(const Parsed& p) {
  auto& route = static_cast<const RouteItem&>(*p.config().items.at(0));
  auto& assign = static_cast<const AssignStmt&>(*route.body->body.at(0));
  return static_cast<const PseudoVarExpr&>(*assign.value).pv;
}

}  // namespace

TEST(AstPrecedence, LogicalAndBindsTighterThanOr) {
  EXPECT_EQ(conditionOf("($a || $b && $c)"), "(|| $a (&& $b $c))");
}

TEST(AstPrecedence, MultiplicationBindsTighterThanAddition) {
  EXPECT_EQ(conditionOf("(1 + 2 * 3 > 4)"), "(> (+ 1 (* 2 3)) 4)");
}

TEST(AstPrecedence, BitwiseOperatorsBindLooserThanComparisons) {
  // cfg.y lists | & ^ << >> above the comparisons, unlike C.
  EXPECT_EQ(conditionOf("($a == 1 & 2)"), "(& (== $a 1) 2)");
  EXPECT_EQ(conditionOf("($a | $b & $c)"), "(| $a (& $b $c))");
}

TEST(AstPrecedence, UnaryOperatorsBindTightest) {
  EXPECT_EQ(conditionOf("(!$a == 1)"), "(== (! $a) 1)");
  EXPECT_EQ(conditionOf("((int)$a + 1 > 2)"), "(> (+ ((int) $a) 1) 2)");
  EXPECT_EQ(conditionOf("(defined $a && $b)"), "(&& (defined $a) $b)");
}

TEST(AstPrecedence, PrefixOperatorsBeforeAKeywordTakeTheWholeComparison) {
  // cfg.y reads `method == "X"` as one operand (exp_elem), so the operator
  // written before the keyword applies to the comparison, unlike for $a.
  EXPECT_EQ(conditionOf("(!method == \"INVITE\")"), "(! (== method \"INVITE\"))");
  EXPECT_EQ(conditionOf("(not uri =~ \"^sip:1\" && $a)"), "(&& (! (=~ uri \"^sip:1\")) $a)");
  EXPECT_EQ(conditionOf("(!src_ip == myself)"), "(! (== src_ip myself))");
  EXPECT_EQ(conditionOf("(!msg:len > 1000)"), "(! (> msg:len 1000))");
  EXPECT_EQ(conditionOf("(- src_port < 2)"), "(- (< src_port 2))");
  EXPECT_EQ(conditionOf("((int)!proto == 1)"), "((int) (! (== proto 1)))");
  EXPECT_EQ(conditionOf("($a && !method == \"A\" + \"B\")"), "(&& $a (! (== method (+ \"A\" \"B\"))))");
  EXPECT_EQ(conditionOf("(1 + !method == \"A\")"), "(+ 1 (! (== method \"A\")))");
  // Parentheses keep the operator where it is written.
  EXPECT_EQ(conditionOf("((!method) == \"A\")"), "(== (! method) \"A\")");
  EXPECT_EQ(conditionOf("(!(method == \"A\"))"), "(! (== method \"A\"))");
  // Only comparisons: other operators keep ANTLR's precedence.
  EXPECT_EQ(conditionOf("(!method + 1)"), "(+ (! method) 1)");
}

TEST(AstPrecedence, AKeywordComparisonUnderAPrefixOperatorSpansItsText) {
  auto p = parse("request_route {\n  if (!method == \"A\") { exit; }\n}\n");
  ASSERT_EQ(p->syntaxErrors, 0u) << p->firstError();
  auto& route = static_cast<const RouteItem&>(*p->config().items[0]);
  auto& cond = static_cast<const UnaryExpr&>(*static_cast<const IfStmt&>(*route.body->body[0]).condition);
  auto& comparison = *cond.operand;
  EXPECT_EQ(comparison.loc.column, 8u);
  EXPECT_EQ(p->pp.text.substr(comparison.range.begin, comparison.range.end - comparison.range.begin),
            "method == \"A\"");
  // The condition's own range has the parentheses of `if (...)`.
  EXPECT_EQ(p->pp.text.substr(cond.range.begin, cond.range.end - cond.range.begin), "(!method == \"A\")");
  // Printed back, it reads the same.
  EXPECT_NE(printConfig(p->config()).find("!method == \"A\""), std::string::npos);
}

TEST(AstPrecedence, BinaryOperatorsAssociateLeft) {
  EXPECT_EQ(conditionOf("($a - $b - $c)"), "(- (- $a $b) $c)");
  EXPECT_EQ(conditionOf("($a mod 2 eq \"0\")"), "(eq (mod $a 2) \"0\")");
}

TEST(AstPrecedence, WordOperatorsKeepTheirSpelling) {
  auto p = parse("request_route { if ($a and not $b) { exit; } }");
  auto& route = static_cast<const RouteItem&>(*p->config().items[0]);
  auto& cond = static_cast<const BinaryExpr&>(*static_cast<const IfStmt&>(*route.body->body[0]).condition);
  EXPECT_EQ(cond.op, BinaryOp::LogicalAnd);
  EXPECT_EQ(cond.text, "and");
  EXPECT_NE(printConfig(p->config()).find("$a and not $b"), std::string::npos);
}

struct PvCase {
  const char* text;
  const char* className;
  const char* inner;  // null: none
  const char* index;  // null: none
  size_t transformations;
};

class AstPseudoVariables : public ::testing::TestWithParam<PvCase> {};

TEST_P(AstPseudoVariables, AreSplitIntoTheirParts) {
  const PvCase& c = GetParam();
  auto p = parse(std::string("request_route { $var(out) = ") + c.text + "; }");
  ASSERT_EQ(p->syntaxErrors, 0u) << c.text << ": " << p->firstError();
  const PseudoVariable& pv = pvOf(*p);
  EXPECT_EQ(pv.text, c.text);
  EXPECT_EQ(pv.className, c.className);
  EXPECT_EQ(pv.inner.has_value(), c.inner != nullptr);
  if (c.inner && pv.inner) {
    EXPECT_EQ(*pv.inner, c.inner);
  }
  EXPECT_EQ(pv.index.has_value(), c.index != nullptr);
  if (c.index && pv.index) {
    EXPECT_EQ(*pv.index, c.index);
  }
  EXPECT_EQ(pv.transformations.size(), c.transformations);
}

INSTANTIATE_TEST_SUITE_P(
    EveryForm, AstPseudoVariables,
    ::testing::Values(PvCase{"$rU", "rU", nullptr, nullptr, 0},
                      PvCase{"$var(x)", "var", "x", nullptr, 0},
                      PvCase{"$avp(s:x)", "avp", "s:x", nullptr, 0},
                      PvCase{"$avp(i:3)", "avp", "i:3", nullptr, 0},
                      PvCase{"$hdr(Via)[1]", "hdr", "Via", "1", 0},
                      PvCase{"$(hdr(Via)[*])", "hdr", "Via", "*", 0},
                      PvCase{"$(rU{s.tolower}{s.len})", "rU", nullptr, nullptr, 2},
                      PvCase{"$xavp(a=>b)", "xavp", "a=>b", nullptr, 0},
                      PvCase{"$sht(t=>$rU)", "sht", "t=>$rU", nullptr, 0},
                      PvCase{"$T_branch_idx", "T_branch_idx", nullptr, nullptr, 0},
                      PvCase{"$(avp(x)[$var(i)]{s.substr,1,2})", "avp", "x", "$var(i)", 1},
                      PvCase{"$?", "?", nullptr, nullptr, 0},
                      // Inside $( ), pv_parse_spec reads the name: '.' belongs to it.
                      PvCase{"$(err.class)", "err.class", nullptr, nullptr, 0},
                      PvCase{"$(msg.len{s.int})", "msg.len", nullptr, nullptr, 1},
                      PvCase{"$T_req($hdr(X))", "T_req", "$hdr(X)", nullptr, 0},
                      // SER's AVP spellings, read by the lexer.
                      PvCase{"$f.uid", "avp", "f.uid", nullptr, 0},
                      PvCase{"$tu.fwd_target[1]", "avp", "tu.fwd_target", "1", 0}));

TEST(AstPseudoVariables, APlainNameInTheScriptEndsBeforeADotAsInKamailio) {
  // cfg.lex ends $err at the '.', and nothing in cfg.y takes the rest.
  auto p = parse("request_route { if ($err.class == 1) { exit; } }\n");
  EXPECT_GE(p->syntaxErrors, 1u);
}

TEST(AstPseudoVariables, NamesInStringsTakeDotsAsPvParseSpecDoes) {
  FormatParse f = parseFormat("$err.class at $ru. by $var(x). $(fU). $T_req($hdr(X)) $f.uid $?\n");
  ASSERT_EQ(f.errors.size(), 0u);
  std::vector<std::string> names, literals;
  for (const FormatPart& part : f.parts) {
    if (part.isVariable) names.push_back(part.pv->className);
    else literals.push_back(part.literal);
  }
  // "$ru." is the (unknown) name "ru."; $var(x) and $(fU) end at their ')'.
  EXPECT_EQ(names, (std::vector<std::string>{"err.class", "ru.", "var", "fU", "T_req", "f.uid", "?"}));
  EXPECT_EQ(literals, (std::vector<std::string>{" at ", " by ", ". ", ". ", " ", " ", "\n"}));
  // No SER AVP spelling inside strings: pv_parse_spec looks "f.uid" up as a name.
  EXPECT_FALSE(f.parts[10].pv->serAvp);
  PseudoVariableParse p = parsePseudoVariable("$rU.x", PvContext::String);
  ASSERT_TRUE(p.pv);
  EXPECT_EQ(p.pv->className, "rU.x");
  EXPECT_EQ(p.length, 5u);
}

TEST(AstPseudoVariables, TransformationsKeepClassNameAndParameters) {
  auto p = parse("request_route { $var(out) = $(ru{param.value,transport}{s.substr,0,$var(n)}); }");
  ASSERT_EQ(p->syntaxErrors, 0u) << p->firstError();
  const PseudoVariable& pv = pvOf(*p);
  ASSERT_EQ(pv.transformations.size(), 2u);
  EXPECT_EQ(pv.transformations[0].className, "param");
  EXPECT_EQ(pv.transformations[0].name, "value");
  EXPECT_EQ(pv.transformations[0].params, std::vector<std::string>{"transport"});
  EXPECT_EQ(pv.transformations[1].params, (std::vector<std::string>{"0", "$var(n)"}));
}

TEST(AstPseudoVariables, FormatStringsSplitIntoLiteralsAndVariables) {
  // (see also NamesInStringsTakeDotsAsPvParseSpecDoes)
  FormatParse f = parseFormat("user $rU@$(rd{s.tolower}) costs $$5\n");
  ASSERT_EQ(f.errors.size(), 0u);
  ASSERT_EQ(f.parts.size(), 5u);
  EXPECT_EQ(f.parts[0].literal, "user ");
  EXPECT_EQ(f.parts[1].pv->className, "rU");
  EXPECT_EQ(f.parts[2].literal, "@");
  EXPECT_EQ(f.parts[3].pv->transformations.size(), 1u);
  EXPECT_EQ(f.parts[4].literal, " costs $5\n");  // "$$" is an escaped '$'
}

TEST(AstPseudoVariables, MalformedFormatVariablesAreReportedWithTheirOffset) {
  FormatParse f = parseFormat("a $(rU{s.len} b");
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].first, 2u);
}

TEST(AstRoutes, EveryBlockKindIsRecognised) {
  auto p = parse(R"(route { exit; }
route[NAMED] { exit; }
route["QUOTED"] { exit; }
request_route { exit; }
failure_route[FAIL] { exit; }
branch_route[BR] { exit; }
onreply_route { exit; }
onreply_route[RPL] { exit; }
reply_route { exit; }
onsend_route { exit; }
event_route[htable:mod-init] { exit; }
)");
  ASSERT_EQ(p->syntaxErrors, 0u) << p->firstError();
  std::vector<std::string> seen;
  for (const TopItemPtr& item : p->config().items) {
    auto& r = static_cast<const RouteItem&>(*item);
    seen.push_back(std::string(routeKindName(r.routeKind)) + ":" + (r.name ? r.name->value : "-"));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"request:-", "named:NAMED", "named:QUOTED", "request:-",
                                            "failure:FAIL", "branch:BR", "onreply:-", "onreply:RPL",
                                            "reply:-", "onsend:-", "event:htable:mod-init"}));
}

TEST(AstStatements, EveryStatementKindIsBuilt) {
  auto p = parse(R"(request_route {
  ;
  if ($a) exit; else drop;
  while ($i < 3) { $i = $i + 1; }
  switch ($rm) { case "A": break; default: return 1; }
  return;
  t_relay();
}
)");
  ASSERT_EQ(p->syntaxErrors, 0u) << p->firstError();
  auto& body = static_cast<const RouteItem&>(*p->config().items[0]).body->body;
  std::vector<std::string> kinds;
  for (const StmtPtr& s : body) kinds.push_back(stmtKindName(s->kind));
  EXPECT_EQ(kinds, (std::vector<std::string>{"Empty", "If", "While", "Switch", "Return", "CallStatement"}));
  // Braces after if, else and while are the branch's Block.
  EXPECT_EQ(static_cast<const WhileStmt&>(*body[2]).body->kind, StmtKind::Block);
  auto& sw = static_cast<const SwitchStmt&>(*body[3]);
  ASSERT_EQ(sw.cases.size(), 2u);
  EXPECT_NE(sw.cases[0].value, nullptr);
  EXPECT_EQ(sw.cases[1].value, nullptr);
}

TEST(AstStatements, RegexCaseLabelsAreMarkedDumpedAndPrintedBack) {
  auto p = parse(R"(request_route {
  switch ($rU) {
    case /"^0049": xlog("de"); break;
    case "123":
    case /("^00" + "1"):
    default: ;
  }
}
)");
  ASSERT_EQ(p->syntaxErrors, 0u) << p->firstError();
  auto& sw = static_cast<const SwitchStmt&>(*static_cast<const RouteItem&>(*p->config().items[0]).body->body[0]);
  ASSERT_EQ(sw.cases.size(), 4u);
  EXPECT_TRUE(sw.cases[0].isRegex);
  EXPECT_EQ(sw.cases[0].value->text, "\"^0049\"");
  EXPECT_FALSE(sw.cases[1].isRegex);
  EXPECT_TRUE(sw.cases[2].isRegex);
  EXPECT_TRUE(sw.cases[2].value->parenthesized);
  EXPECT_FALSE(sw.cases[3].isRegex);
  std::string json = dumpJson(p->config(), p->sm, nullptr, {false, -1});
  EXPECT_NE(json.find(R"("kind":"Case","regex":true,"value":{"kind":"String")"), std::string::npos) << json;
  EXPECT_EQ(json.find(R"("kind":"Default","regex")"), std::string::npos) << json;
  std::string printed = printConfig(p->config());
  EXPECT_NE(printed.find("case /\"^0049\":"), std::string::npos) << printed;
  EXPECT_NE(printed.find("case /(\"^00\" + \"1\"):"), std::string::npos) << printed;
  EXPECT_NE(printed.find("case \"123\":"), std::string::npos) << printed;
  auto again = parse(printed);
  ASSERT_EQ(again->syntaxErrors, 0u) << again->firstError();
  EXPECT_EQ(dumpJson(again->config(), again->sm, nullptr, {false, -1}), json);
}

TEST(AstTopLevel, ParamsModulesAndFlagsKeepTheirValues) {
  auto p = parse(R"(listen=udp:[::1]:5060 advertise 1.2.3.4:5080
group.var = 3 desc "custom"
loadmodule "tm.so"
modparam("acc|auth_db", "db_url", "mysql://x")
modparam("tm", "fr_timer", -1)
flags FLAG_A : 1, FLAG_B
)");
  ASSERT_EQ(p->syntaxErrors, 0u) << p->firstError();
  auto& items = p->config().items;
  ASSERT_EQ(items.size(), 6u);
  auto& listen = static_cast<const GlobalParamItem&>(*items[0]);
  EXPECT_EQ(listen.name, "listen");
  EXPECT_EQ(listen.valueText, "udp:[::1]:5060 advertise 1.2.3.4:5080");
  auto& custom = static_cast<const GlobalParamItem&>(*items[1]);
  EXPECT_EQ(custom.name, "group.var");
  ASSERT_TRUE(custom.description.has_value());
  EXPECT_EQ(custom.description->value, "custom");
  EXPECT_EQ(static_cast<const LoadModuleItem&>(*items[2]).path.value, "tm.so");
  EXPECT_EQ(static_cast<const ModparamItem&>(*items[3]).modules.value, "acc|auth_db");
  EXPECT_EQ(static_cast<const NumberExpr&>(*static_cast<const ModparamItem&>(*items[4]).value).value, -1);
  auto& flags = static_cast<const FlagsItem&>(*items[5]);
  ASSERT_EQ(flags.flags.size(), 2u);
  EXPECT_EQ(flags.flags[0].bit, 1);
  EXPECT_FALSE(flags.flags[1].bit.has_value());
}

TEST(AstLiterals, StringsAndNumbersAreDecodedAsKamailioDoes) {
  auto p = parse("request_route { $var(a) = \"x\\ty\\x41\\101\" 'raw\\n'; $var(b) = 0x1f + 101b + yes; }");
  ASSERT_EQ(p->syntaxErrors, 0u) << p->firstError();
  auto& body = static_cast<const RouteItem&>(*p->config().items[0]).body->body;
  auto& s = static_cast<const StringExpr&>(*static_cast<const AssignStmt&>(*body[0]).value);
  EXPECT_EQ(s.value, "x\tyAAraw\\n");
  auto& sum = static_cast<const BinaryExpr&>(*static_cast<const AssignStmt&>(*body[1]).value);
  auto& inner = static_cast<const BinaryExpr&>(*sum.lhs);
  EXPECT_EQ(static_cast<const NumberExpr&>(*inner.lhs).value, 31);
  EXPECT_EQ(static_cast<const NumberExpr&>(*inner.rhs).value, 5);
  EXPECT_EQ(static_cast<const NumberExpr&>(*sum.rhs).value, 1);
}

TEST(AstLocations, NodesPointAtTheOriginalTextThroughDefines) {
  auto p = parse("#!define RELAY route(R)\nrequest_route {\n  xlog(\"x\");\n  RELAY;\n}\nroute[R] { exit; }\n");
  ASSERT_EQ(p->syntaxErrors, 0u) << p->firstError();
  auto& body = static_cast<const RouteItem&>(*p->config().items[0]).body->body;
  EXPECT_EQ(body[0]->loc.line, 3u);
  EXPECT_EQ(body[0]->loc.column, 3u);
  // A node inside a define points at the define's text (line 1, column 16)
  // and records the expansion, whose use site is line 4.
  EXPECT_EQ(body[1]->loc.line, 1u);
  EXPECT_EQ(body[1]->loc.column, 16u);
  ASSERT_GE(body[1]->expansion, 0);
  const DefineExpansion& x = p->pp.map.expansions()[body[1]->expansion];
  EXPECT_EQ(x.name, "RELAY");
  EXPECT_EQ(x.useSite.line, 4u);
  std::string json = dumpJson(p->config(), p->sm, &p->pp.map.expansions());
  EXPECT_NE(json.find("\"expandedFrom\": \"RELAY\""), std::string::npos);
}

TEST(AstErrors, PlusEqualsIsRefusedWithAHint) {
  auto p = parse("request_route { $var(a) += 1; }");
  EXPECT_GT(p->syntaxErrors, 0u);
  EXPECT_NE(p->firstError().find("'+=' is not an assignment operator"), std::string::npos);
}

TEST(AstErrors, MalformedInputGivesErrorsNotCrashes) {
  const char* inputs[] = {
      "request_route {",  "request_route { if ($a { exit; } }", "route[X] { \"unterminated }",
      "/* never closed",  "}}}}", "request_route { $(rU{s.len ; }", "modparam(\"tm\", ",
      "request_route { xlog(\"L_INFO\" \"a\"); ", "\x01\x02\xff\xfe{(\"",
  };
  for (const char* text : inputs) {
    auto p = parse(text);
    EXPECT_TRUE(p->diags.hasErrors()) << "no error for: " << text;
  }
}

// Whatever the input, the parser returns: either with errors, or with a tree
// whose printed form parses again cleanly.
void expectErrorsOrAPrintableTree(const std::string& text) {
  auto p = parse(text);
  if (p->diags.hasErrors()) return;
  auto again = parse(printConfig(p->config()));
  EXPECT_FALSE(again->diags.hasErrors()) << "accepted but not printable: " << text;
}

TEST(AstErrors, RandomBytesAndTruncationsGiveErrorsOrValidTrees) {
  std::string sample = R"(loadmodule "tm.so"
request_route { if (is_method("INVITE") && $rU =~ "^[0-9]+$") { t_relay(); exit; }
  switch ($rm) { case "A": route(R); break; } }
route[R] { $var(x) = $(rU{s.substr,1,2}) + "a"; }
)";
  for (size_t cut = 0; cut < sample.size(); cut += 3) expectErrorsOrAPrintableTree(sample.substr(0, cut));
  std::mt19937 rng(4475);  // fixed seed: a failure reproduces
  const std::string alphabet = "{}()[];=\"'$#/*!&|+-<>~ \nabcroute_if0123456789.:";
  for (int round = 0; round < 200; ++round) {
    std::string text;
    for (int i = 0; i < 80; ++i) text.push_back(alphabet[rng() % alphabet.size()]);
    expectErrorsOrAPrintableTree(text);
    expectErrorsOrAPrintableTree(sample + text);
  }
}
