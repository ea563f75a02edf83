#!/usr/bin/env python3
"""Differential test: `kamc -E` against the real `kamailio --cfg-print`.

Runs both on every corpus config, on etc__kamailio.cfg under the -A WITH_*
combinations its header documents, and on our own edge-case configs in
tests/diff/cases/. The output must be byte-identical. When kamailio stops on
an error (exit 255), kamc must fail too. Fails loudly if kamailio is missing.
"""
import argparse
import os
import shutil
import subprocess
import sys

WITH_DEFINES = [
    "WITH_DEBUG", "WITH_MYSQL", "WITH_AUTH", "WITH_IPAUTH", "WITH_USRLOCDB",
    "WITH_PRESENCE", "WITH_MSGREBUILD", "WITH_NAT", "WITH_NATSIPPING",
    "WITH_RTPENGINE", "WITH_PSTN", "WITH_ALIASDB", "WITH_SPEEDDIAL",
    "WITH_MULTIDOMAIN", "WITH_TLS", "WITH_JSONRPC", "WITH_ANTIFLOOD",
    "WITH_BLOCK3XX", "WITH_BLOCK401407", "WITH_VOICEMAIL", "WITH_ACCDB",
    "WITH_HTABLE",
]
# Combinations an operator actually runs, as the header describes them.
COMBOS = [
    ["WITH_MYSQL", "WITH_AUTH"],
    ["WITH_MYSQL", "WITH_AUTH", "WITH_USRLOCDB"],
    ["WITH_MYSQL", "WITH_AUTH", "WITH_IPAUTH", "WITH_USRLOCDB", "WITH_NAT"],
    ["WITH_MYSQL", "WITH_PRESENCE", "WITH_NAT", "WITH_NATSIPPING"],
    ["WITH_DEBUG", "WITH_TLS", "WITH_ANTIFLOOD", "WITH_JSONRPC"],
    ["WITH_MYSQL", "WITH_AUTH", "WITH_PSTN", "WITH_ALIASDB", "WITH_SPEEDDIAL",
     "WITH_MULTIDOMAIN"],
    ["WITH_MYSQL", "WITH_ACCDB", "WITH_VOICEMAIL", "WITH_BLOCK3XX", "WITH_BLOCK401407"],
    ["WITH_NAT", "WITH_RTPENGINE", "WITH_MSGREBUILD", "WITH_HTABLE"],
    WITH_DEFINES,
]


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def compare(kamc, kamailio, path, defines):
    cwd = os.path.dirname(path)
    name = os.path.basename(path)
    args = []
    for d in defines:
        args += ["-A", d]
    krc, kout, _ = run([kamailio, "--cfg-print", "-f", name] + args, cwd)
    mrc, mout, merr = run([kamc, "-E", name] + args, cwd)
    label = name + ("" if not defines else " -A " + " -A ".join(defines))
    problems = []
    if kout != mout:
        i = first_difference(kout, mout)
        problems.append("output differs at byte %d: kamailio %r vs kamc %r" %
                        (i, kout[max(0, i - 20):i + 40], mout[max(0, i - 20):i + 40]))
    if krc != 0 and mrc == 0:
        problems.append("kamailio failed (exit %d) but kamc succeeded" % krc)
    if mrc not in (0, 1):
        problems.append("kamc exit code %d (stderr: %s)" % (mrc, merr.decode(errors="replace")[:300]))
    return label, krc, problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kamc", required=True)
    ap.add_argument("--corpus", action="append", default=[])
    ap.add_argument("--cases", help="directory of our own edge-case configs")
    ap.add_argument("--min-files", type=int, default=100)
    a = ap.parse_args()
    a.kamc = os.path.abspath(a.kamc)

    kamailio = shutil.which("kamailio") or (
        "/usr/sbin/kamailio" if os.path.exists("/usr/sbin/kamailio") else None)
    if not kamailio:
        print("FAIL: the kamailio binary is not installed; this differential test needs it "
              "(run .ci/install-deps.sh)")
        return 1

    jobs = []
    for corpus in a.corpus:
        if not os.path.isdir(corpus):
            print("FAIL: corpus directory %s is missing" % corpus)
            return 1
        for f in sorted(os.listdir(corpus)):
            if f == "SOURCE.txt":
                continue
            path = os.path.join(corpus, f)
            jobs.append((path, []))
            if f == "etc__kamailio.cfg":
                jobs += [(path, [d]) for d in WITH_DEFINES]
                jobs += [(path, c) for c in COMBOS]
    if a.cases:
        for f in sorted(os.listdir(a.cases)):
            if f.endswith(".cfg"):
                jobs.append((os.path.join(a.cases, f), []))

    compared = failures = kamailio_errors = 0
    for path, defines in jobs:
        label, krc, problems = compare(a.kamc, kamailio, path, defines)
        compared += 1
        kamailio_errors += krc != 0
        if problems:
            failures += 1
            print("MISMATCH %s" % label)
            for p in problems:
                print("    " + p)
    print("compared %d configs/define sets (%d where kamailio stopped on an error): "
          "%d identical, %d mismatches" % (compared, kamailio_errors, compared - failures,
                                            failures))
    if compared < a.min_files:
        print("FAIL: fewer than %d comparisons" % a.min_files)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
