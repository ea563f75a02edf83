#!/usr/bin/env python3
"""Classifies the corpus with the real `kamailio -c` and checks kamc's parser
(through cfgcheck, which reports preprocessor and syntax errors).

For every corpus config, kamailio 5.6 is run as `kamailio -c -L <modules>`
from the file's folder, and its verdict is sorted into:
  accepted      kamailio exits 0
  not-syntax    kamailio fails, but for modules, parameters or other checks
                that are not grammar errors (kamc must parse the file)
  syntax        kamailio reports "syntax error" at some line (kamc must
                reject it at the same line, or the file is recorded in
                syntax-exceptions.txt with the construct kamc accepts on purpose)
  preprocessor  kamailio stops before parsing (missing include, ...); kamc
                must stop with a preprocessor error too
Prints the figures and every disagreement; exits 1 on any disagreement or
if kamailio is missing.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules"
PARSE_ERROR = re.compile(r"parse error in config file .*?, line (\d+), column [^:]*: (.*)$")
KAMC_ERROR = re.compile(r"^(.*?):(\d+):(\d+): error: (.*) \[(kamc-[a-z-]+)\]$")
# cfgcheck's semantic rules: they say nothing about whether the file parses,
# but an error of theirs at kamailio's line is the same rejection (kamailio
# reports unknown core parameters as grammar errors).
SEMANTIC_RULES = {"kamc-undefined-route", "kamc-duplicate-route", "kamc-unknown-core-param"}


def kamailio_verdict(kamailio, path):
    cwd, name = os.path.split(path)
    p = subprocess.run([kamailio, "-c", "-L", MODULES, "-f", name], cwd=cwd,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    out = p.stdout.decode(errors="replace")
    if p.returncode == 0:
        return "accepted", None
    syntax_lines = []
    for line in out.splitlines():
        m = PARSE_ERROR.search(line)
        if m and "syntax error" in m.group(2):
            syntax_lines.append(int(m.group(1)))
    if syntax_lines:
        return "syntax", min(syntax_lines)
    if "cannot open included file" in out or "ERROR: bad config file" not in out:
        return "preprocessor", None
    return "not-syntax", None


def cfgcheck_verdict(kamc, path):
    cwd, name = os.path.split(path)
    p = subprocess.run([kamc, "--color=never", name], cwd=cwd,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    errors = []
    for line in p.stderr.decode(errors="replace").splitlines():
        m = KAMC_ERROR.match(line)
        if m:
            errors.append((m.group(5), os.path.basename(m.group(1)), int(m.group(2)), m.group(4)))
    return p.returncode, errors


def load_exceptions(path):
    exceptions = {}
    if path and os.path.exists(path):
        for line in open(path):
            line = line.strip()
            if line and not line.startswith("#"):
                name, _, why = line.partition(":")
                exceptions[name.strip()] = why.strip()
    return exceptions


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfgcheck", required=True)
    ap.add_argument("--corpus", action="append", default=[])
    ap.add_argument("--exceptions")
    ap.add_argument("--fail-on", default="all", choices=["all", "accepted"],
                    help="accepted: only files kamailio accepts must agree; the other "
                         "disagreements are printed as pending work")
    a = ap.parse_args()
    kamc = os.path.abspath(a.cfgcheck)
    kamailio = shutil.which("kamailio") or "/usr/sbin/kamailio"
    if not os.path.exists(kamailio):
        print("FAIL: the kamailio binary is not installed; this test needs it")
        return 1
    exceptions = load_exceptions(a.exceptions)

    counts = {"accepted": 0, "not-syntax": 0, "syntax": 0, "preprocessor": 0}
    parsed = rejected_same_line = newer_syntax = verdicts_agree = 0
    disagreements = []
    failing = 0
    for corpus in a.corpus:
        for f in sorted(os.listdir(corpus)):
            if f == "SOURCE.txt":
                continue
            path = os.path.join(corpus, f)
            label = os.path.basename(corpus) + "/" + f
            verdict, line = kamailio_verdict(kamailio, path)
            counts[verdict] += 1
            rc, errors = cfgcheck_verdict(kamc, path)
            syntax = [e for e in errors if e[0] == "kamc-syntax"]
            semantic = [e for e in errors if e[0] in SEMANTIC_RULES]
            pp = [e for e in errors if e[0] != "kamc-syntax" and e[0] not in SEMANTIC_RULES]
            verdicts_agree += (verdict == "accepted") == (rc == 0)
            if verdict in ("accepted", "not-syntax"):
                if syntax or pp:
                    failing += verdict == "accepted" or a.fail_on == "all"
                    e = (syntax or pp)[0]
                    disagreements.append("%s: kamailio %s, kamc reports %s:%d: %s" %
                                         (label, verdict, e[1], e[2], e[3]))
                else:
                    parsed += 1
            elif verdict == "preprocessor":
                if not pp:
                    disagreements.append("%s: kamailio stops before parsing, kamc does not" % label)
            else:
                same = [e for e in syntax + semantic if e[2] == line and e[1] == f]
                if same:
                    rejected_same_line += 1
                elif f in exceptions:
                    newer_syntax += 1
                elif syntax:
                    disagreements.append("%s: kamailio syntax error at line %d, kamc at line %d: %s" %
                                         (label, line, syntax[0][2], syntax[0][3]))
                else:
                    disagreements.append("%s: kamailio syntax error at line %d, kamc accepts it" %
                                         (label, line))
    total = sum(counts.values())
    print("corpus: %d files; kamailio: %d accepted, %d rejected for non-syntax reasons, "
          "%d syntax errors, %d stopped in preprocessing" %
          (total, counts["accepted"], counts["not-syntax"], counts["syntax"], counts["preprocessor"]))
    print("kamc: parsed %d, rejected-as-kamailio (same line) %d, newer-syntax-accepted %d" %
          (parsed, rejected_same_line, newer_syntax))
    print("cfgcheck verdict (exit 0 / not 0) equals kamailio's (accepted / rejected) on %d of %d "
          "files (%.1f%%; module-dependent rejections are not separated out yet)" %
          (verdicts_agree, total, 100.0 * verdicts_agree / max(total, 1)))
    for d in disagreements:
        print("DISAGREE " + d)
    if a.fail_on == "all":
        failing = len(disagreements)
    print("%d disagreements, %d failing (--fail-on %s)" % (len(disagreements), failing, a.fail_on))
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
