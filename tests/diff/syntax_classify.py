#!/usr/bin/env python3
"""cfgcheck against the real `kamailio -c` on the corpus: the parser and the
overall accept/reject verdict.

Each corpus folder is copied with installable module paths (see
kamailio_oracle.py); both tools read the copy. A file is *module-dependent*
when kamailio still cannot load one of its modules (not packaged for Debian,
or not a Kamailio 5.6 module): its result says nothing about the config, so
it is reported apart.

The parser verdict sorts kamailio's result into:
  accepted      kamailio exits 0
  not-syntax    kamailio fails, but not with a grammar error (kamc must parse)
  syntax        kamailio reports "syntax error" at some line (kamc must
                reject it at the same line)
  preprocessor  kamailio stops before parsing (missing include, ...); kamc
                must stop with a preprocessor error too
and the overall verdict compares cfgcheck's exit status (0 / not 0) with
kamailio's (accepted / rejected). `kamailio -c` stops after parsing, before
module fixups; when it accepts a file cfgcheck rejects, kamailio is started
for a few seconds on a loopback port, and a start-up that fails in a fixup
counts as kamailio rejecting the file (the line is printed as evidence).

etc__kamailio.cfg is also judged (verdict only) under each documented
-A WITH_* define and the combinations cfgprint_diff.py uses.

Prints the figures and every disagreement. --fail-on accepted: only accepted
files must parse; --fail-on verdict: also every module-independent verdict
must agree; --fail-on all: everything. Exits 1 if kamailio is missing.
"""
import argparse
import os
import re
import sys
import tempfile

from cfgprint_diff import COMBOS, WITH_DEFINES
from kamailio_oracle import (cfgcheck_errors, installable_copy, kamailio_binary, kamailio_check,
                             startup_fixup_failure)


def preprocessor_rules(rules_def):
    """The rule ids of the Preprocessor section of Rules.def."""
    rules, inside = set(), False
    for line in open(rules_def, encoding="utf-8"):
        if line.startswith("// "):
            inside = line.strip() == "// Preprocessor"
        m = re.match(r'KAMC_RULE\("([^"]+)"', line)
        if m and inside:
            rules.add(m.group(1))
    return rules


def parser_verdict(result):
    if result.accepted:
        return "accepted", None
    line = result.syntax_error_line()
    if line:
        return "syntax", line
    if result.stopped_before_parsing():
        return "preprocessor", None
    return "not-syntax", None


def percent(n, total):
    return 100.0 * n / total if total else 100.0


class Tally:
    def __init__(self):
        self.counts = {"accepted": 0, "not-syntax": 0, "syntax": 0, "preprocessor": 0}
        self.parsed = self.same_line = 0
        self.independent = self.independent_agree = self.dependent = self.dependent_agree = 0
        self.parse_disagreements, self.verdict_disagreements = [], []
        self.dependent_disagreements, self.startup_evidence = [], []
        self.failing_parse = 0
        self.define_sets = 0


def judge_verdict(t, label, path, result, rc, errors, kamailio, defines=()):
    agree = result.accepted == (rc == 0)
    if result.accepted and rc != 0:
        failure = startup_fixup_failure(kamailio, path, defines)
        if failure:
            agree = True
            t.startup_evidence.append("%s: %s:%d [%s]; kamailio start-up: %s" % (
                label, errors[0][1], errors[0][2], errors[0][0], failure[:160]))
    if result.module_dependent:
        t.dependent += 1
        t.dependent_agree += agree
        if not agree:
            t.dependent_disagreements.append(label)
        return
    t.independent += 1
    t.independent_agree += agree
    if agree:
        return
    if errors:
        what = "kamailio accepts, cfgcheck: %s:%d: %s [%s]" % (errors[0][1], errors[0][2], errors[0][3], errors[0][0])
    else:
        what = "kamailio rejects (%s), cfgcheck accepts" % (result.errors[0][:160] if result.errors else "?")
    t.verdict_disagreements.append("%s: %s" % (label, what))


def judge_parse(t, label, f, verdict, line, errors, pp_rules, fail_on):
    syntax = [e for e in errors if e[0] == "kamc-syntax"]
    pp = [e for e in errors if e[0] in pp_rules]
    semantic = [e for e in errors if e[0] != "kamc-syntax" and e[0] not in pp_rules]
    if verdict in ("accepted", "not-syntax"):
        if syntax or pp:
            t.failing_parse += verdict == "accepted" or fail_on == "all"
            e = (syntax or pp)[0]
            t.parse_disagreements.append("%s: kamailio %s, kamc reports %s:%d: %s" % (label, verdict, e[1], e[2], e[3]))
        else:
            t.parsed += 1
    elif verdict == "preprocessor":
        if not pp:
            t.parse_disagreements.append("%s: kamailio stops before parsing, kamc does not" % label)
    elif [e for e in syntax + semantic if e[2] == line and e[1] == f]:
        t.same_line += 1
    elif syntax:
        t.parse_disagreements.append("%s: kamailio syntax error at line %d, kamc at line %d: %s" %
                                     (label, line, syntax[0][2], syntax[0][3]))
    else:
        t.parse_disagreements.append("%s: kamailio syntax error at line %d, kamc %s" %
                                     (label, line, "rejects it elsewhere" if errors else "accepts it"))


def report(t, fail_on):
    total = sum(t.counts.values())
    print("corpus: %d files; kamailio: %d accepted, %d rejected for non-syntax reasons, "
          "%d syntax errors, %d stopped in preprocessing (module paths made installable)" %
          (total, t.counts["accepted"], t.counts["not-syntax"], t.counts["syntax"], t.counts["preprocessor"]))
    print("parser: parsed %d, syntax errors rejected at kamailio's line %d" % (t.parsed, t.same_line))
    print("verdict agreement (cfgcheck exit 0 <=> kamailio accepts) on files whose result does not "
          "depend on a missing module (%d of them etc__kamailio.cfg under -A defines): %d of %d (%.1f%%)" %
          (t.define_sets, t.independent_agree, t.independent, percent(t.independent_agree, t.independent)))
    print("module-dependent files (kamailio cannot load a module that is not installed or not a 5.6 "
          "module): %d, verdicts equal on %d; all: %d of %d (%.1f%%)" %
          (t.dependent, t.dependent_agree, t.independent_agree + t.dependent_agree, t.independent + t.dependent,
           percent(t.independent_agree + t.dependent_agree, t.independent + t.dependent)))
    for d in t.startup_evidence:
        print("agree (kamailio -c accepts, start-up fails) " + d)
    for d in t.verdict_disagreements:
        print("DISAGREE verdict " + d)
    for d in t.parse_disagreements:
        print("DISAGREE parse " + d)
    for d in t.dependent_disagreements:
        print("module-dependent, verdicts differ: " + d)
    if fail_on == "all":
        failing = len(t.parse_disagreements) + len(t.verdict_disagreements)
    elif fail_on == "verdict":
        failing = t.failing_parse + len(t.verdict_disagreements)
    else:
        failing = t.failing_parse
    print("%d verdict and %d parse disagreements, %d failing (--fail-on %s)" %
          (len(t.verdict_disagreements), len(t.parse_disagreements), failing, fail_on))
    return failing


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfgcheck", required=True)
    ap.add_argument("--rules-def", required=True, help="tools/basic/include/kamc/basic/Rules.def")
    ap.add_argument("--corpus", action="append", default=[])
    ap.add_argument("--fail-on", default="all", choices=["all", "verdict", "accepted"])
    a = ap.parse_args()
    cfgcheck = os.path.abspath(a.cfgcheck)
    kamailio = kamailio_binary()
    if not kamailio:
        print("FAIL: the kamailio binary is not installed; this test needs it")
        return 1
    pp_rules = preprocessor_rules(a.rules_def)
    t = Tally()
    with tempfile.TemporaryDirectory(prefix="kamc-corpus-") as tmp:
        for corpus in a.corpus:
            copy = installable_copy(corpus, tmp)
            for f in sorted(os.listdir(copy)):
                path = os.path.join(copy, f)
                if f == "SOURCE.txt" or not os.path.isfile(path):
                    continue
                label = os.path.basename(corpus.rstrip("/")) + "/" + f
                result = kamailio_check(kamailio, path)
                verdict, line = parser_verdict(result)
                t.counts[verdict] += 1
                rc, errors = cfgcheck_errors(cfgcheck, path)
                judge_verdict(t, label, path, result, rc, errors, kamailio)
                judge_parse(t, label, f, verdict, line, errors, pp_rules, a.fail_on)
                if f == "etc__kamailio.cfg":
                    for defines in [[d] for d in WITH_DEFINES] + COMBOS:
                        rc, errors = cfgcheck_errors(cfgcheck, path, defines)
                        result = kamailio_check(kamailio, path, defines)
                        t.define_sets += 1
                        judge_verdict(t, "%s -A %s" % (label, " -A ".join(defines)), path, result, rc, errors,
                                      kamailio, defines)
    return 1 if report(t, a.fail_on) else 0


if __name__ == "__main__":
    sys.exit(main())
