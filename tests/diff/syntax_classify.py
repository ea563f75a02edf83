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
                reject it at the same line, with any error)
  directives    kamailio counts more #!ifdef than #!endif or the reverse and
                fails without a line; kamc must report a preprocessor error
  preprocessor  kamailio stops before parsing (missing include, ...); kamc
                must stop with a preprocessor error too
A parser disagreement kamc has on purpose is recorded in
syntax_differences.txt with the construct and the evidence: `newer` when
kamc accepts syntax that Kamailio 5.6 rejects but newer Kamailio (6.x)
accepts, `unreached` when Kamailio stops at an earlier error before the
construct kamc rejects. The figures printed are parsed / rejected as
kamailio / newer syntax accepted.

The overall verdict compares cfgcheck's exit status (0 / not 0) with
kamailio's (accepted / rejected). `kamailio -c` stops after parsing, before
module fixups; when it accepts a file cfgcheck rejects, kamailio is started
for a few seconds on a loopback port, and a start-up that fails in a fixup
counts as kamailio rejecting the file (the line is printed as evidence).

etc__kamailio.cfg is also judged (verdict only) under each documented
-A WITH_* define and the combinations cfgprint_diff.py uses.

Prints the figures and every disagreement. --fail-on accepted: only accepted
files must parse; --fail-on verdict: also every module-independent verdict
must agree; --fail-on all: also every parser disagreement must be recorded,
and every record must still occur. Exits 1 if kamailio is missing.
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


KINDS = ("newer", "unreached")


def recorded_differences(path):
    """{label: (kind, construct, evidence)} from syntax_differences.txt."""
    records = {}
    for number, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f.strip() for f in line.split(" | ")]
        if len(fields) != 4 or fields[0] not in KINDS or not all(fields):
            sys.exit("%s:%d: expected KIND | LABEL | CONSTRUCT | EVIDENCE, KIND one of %s" %
                     (path, number, ", ".join(KINDS)))
        records[fields[1]] = tuple(fields[:1] + fields[2:])
    return records


def parser_verdict(result):
    if result.accepted:
        return "accepted", None
    line = result.syntax_error_line()
    if line:
        return "syntax", line
    if result.stopped_before_parsing():
        return "preprocessor", None
    if result.unbalanced_directives():
        return "directives", None
    return "not-syntax", None


def percent(n, total):
    return 100.0 * n / total if total else 100.0


class Tally:
    def __init__(self):
        self.counts = {"accepted": 0, "not-syntax": 0, "syntax": 0, "directives": 0, "preprocessor": 0}
        self.parsed = self.same_line = self.same_directives = self.same_preprocessor = 0
        self.parse_labels = []  # (label, kind of disagreement) in the order of parse_disagreements
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


def judge_parse(t, label, f, verdict, line, errors, pp_rules):
    syntax = [e for e in errors if e[0] == "kamc-syntax"]
    pp = [e for e in errors if e[0] in pp_rules]

    def disagree(kind, text):
        t.parse_disagreements.append("%s: %s" % (label, text))
        t.parse_labels.append((label, kind))

    if verdict in ("accepted", "not-syntax"):
        if syntax or pp:
            t.failing_parse += verdict == "accepted"
            e = (syntax or pp)[0]
            disagree("rejects", "kamailio %s, kamc reports %s:%d: %s" % (verdict, e[1], e[2], e[3]))
        else:
            t.parsed += 1
    elif verdict == "preprocessor":
        if pp:
            t.same_preprocessor += 1
        else:
            disagree("rejects", "kamailio stops before parsing, kamc does not")
    elif verdict == "directives":
        if pp:
            t.same_directives += 1
        else:
            disagree("rejects", "kamailio counts unbalanced #!ifdef/#!endif, kamc reports no preprocessor error")
    elif [e for e in errors if e[2] == line and e[1] == f]:
        t.same_line += 1
    elif syntax:
        disagree("rejects", "kamailio syntax error at line %d, kamc at line %d: %s" % (line, syntax[0][2], syntax[0][3]))
    elif errors:
        disagree("rejects", "kamailio syntax error at line %d, kamc rejects it elsewhere" % line)
    else:
        disagree("accepts", "kamailio syntax error at line %d, kamc accepts it" % line)


def sort_parse_disagreements(t, records, corpora):
    """Splits the parser disagreements into recorded ones (by kind) and
    unrecorded ones; a record that no longer occurs is stale."""
    t.recorded = {kind: [] for kind in KINDS}
    t.unrecorded, seen = [], set()
    for text, (label, how) in zip(t.parse_disagreements, t.parse_labels):
        record = records.get(label)
        # Only kamc accepting can be newer syntax; only kamc rejecting can be unreached.
        if record and (record[0] == "newer") == (how == "accepts"):
            t.recorded[record[0]].append("%s [%s: %s]" % (text, record[0], record[1]))
            seen.add(label)
        else:
            t.unrecorded.append(text)
    t.stale = [label for label in records if label not in seen and label.split("/")[0] in corpora]


def report(t, fail_on):
    total = sum(t.counts.values())
    print("corpus: %d files; kamailio: %d accepted, %d rejected for non-syntax reasons, "
          "%d syntax errors, %d unbalanced #!ifdef, %d stopped in preprocessing (module paths made installable)" %
          (total, t.counts["accepted"], t.counts["not-syntax"], t.counts["syntax"], t.counts["directives"],
           t.counts["preprocessor"]))
    print("parser: parsed %d / rejected as kamailio %d / newer syntax accepted %d "
          "(rejected as kamailio: %d syntax errors at kamailio's line, %d unbalanced #!ifdef, %d preprocessing; "
          "%d recorded as unreached by kamailio)" %
          (t.parsed, t.same_line + t.same_directives + t.same_preprocessor, len(t.recorded["newer"]),
           t.same_line, t.same_directives, t.same_preprocessor, len(t.recorded["unreached"])))
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
    for kind in KINDS:
        for d in t.recorded[kind]:
            print("recorded parse difference " + d)
    for d in t.unrecorded:
        print("DISAGREE parse " + d)
    for label in t.stale:
        print("STALE record in syntax_differences.txt, the difference no longer occurs: " + label)
    for d in t.dependent_disagreements:
        print("module-dependent, verdicts differ: " + d)
    if fail_on == "all":
        failing = len(t.unrecorded) + len(t.stale) + len(t.verdict_disagreements)
    elif fail_on == "verdict":
        failing = t.failing_parse + len(t.verdict_disagreements)
    else:
        failing = t.failing_parse
    print("%d verdict and %d parse disagreements (%d of them recorded), %d failing (--fail-on %s)" %
          (len(t.verdict_disagreements), len(t.parse_disagreements), len(t.parse_disagreements) - len(t.unrecorded),
           failing, fail_on))
    return failing


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfgcheck", required=True)
    ap.add_argument("--rules-def", required=True, help="tools/basic/include/kamc/basic/Rules.def")
    ap.add_argument("--corpus", action="append", default=[])
    ap.add_argument("--fail-on", default="all", choices=["all", "verdict", "accepted"])
    ap.add_argument("--differences", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                          "syntax_differences.txt"),
                    help="the parser disagreements kamc has on purpose")
    a = ap.parse_args()
    records = recorded_differences(a.differences)
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
                judge_parse(t, label, f, verdict, line, errors, pp_rules)
                if f == "etc__kamailio.cfg":
                    for defines in [[d] for d in WITH_DEFINES] + COMBOS:
                        rc, errors = cfgcheck_errors(cfgcheck, path, defines)
                        result = kamailio_check(kamailio, path, defines)
                        t.define_sets += 1
                        judge_verdict(t, "%s -A %s" % (label, " -A ".join(defines)), path, result, rc, errors,
                                      kamailio, defines)
    sort_parse_disagreements(t, records, {os.path.basename(c.rstrip("/")) for c in a.corpus})
    return 1 if report(t, a.fail_on) else 0


if __name__ == "__main__":
    sys.exit(main())
