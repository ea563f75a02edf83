#!/usr/bin/env python3
"""Small configs written for one behaviour each, judged by the real Kamailio
and by cfgcheck. Each file in verdicts/ states both expected verdicts in its
first comment lines:

  # kamailio: accepts            kamailio -c accepts, and start-up gets past the fixups
  # kamailio: rejects            kamailio -c refuses it
  # kamailio: fails-at-startup   kamailio -c accepts it; starting it fails
  # cfgcheck: clean              no finding at all
  # cfgcheck: RULE LINE ...      exactly these findings (rule id and line), in any order
  # note: TEXT                   (any number) a note cfgcheck must print, word for word

The test fails when kamailio does not give the stated verdict (the case no
longer says what it claims), when cfgcheck's findings differ from the stated
ones, or when cfgcheck's exit code (1 for any error) disagrees with kamailio.
"""
import argparse
import os
import re
import subprocess
import sys

from kamailio_oracle import kamailio_binary, kamailio_check, startup

FINDING = re.compile(r"^(.*?):(\d+):\d+: (error|warning): .* \[(kamc-[a-z-]+)\]$")
HEADER = re.compile(r"^#\s*(kamailio|cfgcheck|note):\s*(.*?)\s*$")
NOTE = re.compile(r"^.*?:\d+:\d+: note: (.*)$")


def expectations(path):
    want, notes = {}, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = HEADER.match(line)
            if m and m.group(1) == "note":
                notes.append(m.group(2))
            elif m:
                want[m.group(1)] = m.group(2)
            elif not line.startswith("#"):
                break
    if "kamailio" not in want or "cfgcheck" not in want:
        raise SystemExit("%s: the first comment lines must state '# kamailio:' and '# cfgcheck:'" % path)
    words = want["cfgcheck"].split()
    if words == ["clean"]:
        findings = []
    elif len(words) % 2 == 0:
        findings = sorted((words[i], int(words[i + 1])) for i in range(0, len(words), 2))
    else:
        raise SystemExit("%s: '# cfgcheck:' takes 'clean' or pairs of RULE LINE" % path)
    return want["kamailio"], findings, notes


def kamailio_verdict(kamailio, path):
    """(verdict, evidence) with verdict accepts / rejects / fails-at-startup."""
    result = kamailio_check(kamailio, path)
    if not result.accepted:
        return "rejects", (result.errors or ["exit status != 0"])[0]
    outcome, line = startup(kamailio, path)
    if outcome == "running":
        return "accepts", ""
    return "fails-at-startup", line


def cfgcheck_findings(cfgcheck, path):
    cwd, name = os.path.split(path)
    p = subprocess.run([cfgcheck, "--color=never", name], cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    findings, notes = [], []
    for line in p.stderr.decode(errors="replace").splitlines():
        m = FINDING.match(line)
        if m and os.path.basename(m.group(1)) == name:
            findings.append((m.group(4), int(m.group(2))))
        m = NOTE.match(line)
        if m:
            notes.append(m.group(1))
    return p.returncode, sorted(findings), notes, p.stderr.decode(errors="replace")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cfgcheck", required=True)
    ap.add_argument("--cases", required=True, help="directory of *.cfg cases")
    ap.add_argument("files", nargs="*", help="only these cases (names in --cases)")
    a = ap.parse_args()
    a.cfgcheck = os.path.abspath(a.cfgcheck)
    kamailio = kamailio_binary()
    if not kamailio:
        print("kamailio is not installed: the oracle is missing")
        return 1
    names = a.files or sorted(f for f in os.listdir(a.cases) if f.endswith(".cfg"))
    failures = 0
    for name in names:
        path = os.path.abspath(os.path.join(a.cases, name))
        want_verdict, want_findings, want_notes = expectations(path)
        verdict, evidence = kamailio_verdict(kamailio, path)
        code, findings, notes, output = cfgcheck_findings(a.cfgcheck, path)
        problems = []
        if verdict != want_verdict:
            problems.append("kamailio %s, the case says %s (%s)" % (verdict, want_verdict, evidence))
        if findings != want_findings:
            problems.append("cfgcheck found %s, the case says %s" % (findings or "nothing", want_findings or "clean"))
        for note in want_notes:
            if note not in notes:
                problems.append("cfgcheck printed no note '%s'" % note)
        if (code == 1) != (verdict != "accepts") or code not in (0, 1):
            problems.append("cfgcheck exits %d while kamailio %s" % (code, verdict))
        if problems:
            failures += 1
            print("FAIL %s:\n  %s" % (name, "\n  ".join(problems)))
            if findings != want_findings or any(n not in notes for n in want_notes):
                print("  " + output.replace("\n", "\n  "))
        else:
            print("ok   %s: kamailio %s%s" % (name, verdict, " (%s)" % evidence if evidence else ""))
    print("%d of %d cases agree with kamailio" % (len(names) - failures, len(names)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
