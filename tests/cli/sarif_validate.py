#!/usr/bin/env python3
"""cfgcheck's SARIF output validated by Microsoft's SARIF Multitool (the
schema plus its SARIF rules), on configs with findings of many rules,
include chains and #!define expansions.

The tool comes from npm (@microsoft/sarif-multitool, pinned); it is
installed once into --tool-dir (in the build tree) and reused. Without npm
the test is skipped with exit code 77 and says so; with npm, failing to
install the tool fails the test.

Fails on any error-level result of the validator; prints its warnings.
"""
import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

PACKAGE = "@microsoft/sarif-multitool@5.7.0"
SKIP = 77


def multitool(tool_dir):
    exe = os.path.join(tool_dir, "node_modules", ".bin", "sarif-multitool")
    if os.path.exists(exe):
        return exe
    npm = shutil.which("npm")
    if not npm:
        print("SKIP: npm is not installed, so %s cannot be installed to validate the SARIF output" % PACKAGE)
        return None
    os.makedirs(tool_dir, exist_ok=True)
    p = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", tool_dir, PACKAGE],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
    if p.returncode != 0 or not os.path.exists(exe):
        raise SystemExit("FAIL: npm could not install %s:\n%s" % (PACKAGE, p.stdout.decode(errors="replace")[-2000:]))
    # npm may refuse to run the package's install script, which only sets
    # the executable bit of the bundled binary.
    for root, _, files in os.walk(os.path.join(tool_dir, "node_modules", "@microsoft")):
        for f in files:
            if f == "Sarif.Multitool":
                path = os.path.join(root, f)
                os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return exe


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfgcheck", required=True)
    ap.add_argument("--tool-dir", required=True)
    ap.add_argument("inputs", nargs="+", help="configs or directories for cfgcheck")
    a = ap.parse_args()
    exe = multitool(os.path.abspath(a.tool_dir))
    if not exe:
        return SKIP
    env = dict(os.environ, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT="1", DOTNET_CLI_TELEMETRY_OPTOUT="1")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="kamc-sarif-") as tmp:
        for i, target in enumerate(a.inputs):
            target = os.path.abspath(target)
            cwd = target if os.path.isdir(target) else os.path.dirname(target)
            sarif = os.path.join(tmp, "run%d.sarif" % i)
            with open(sarif, "wb") as out:
                subprocess.run([os.path.abspath(a.cfgcheck), "--format=sarif", target], cwd=cwd, stdout=out,
                               stderr=subprocess.DEVNULL, timeout=300)
            produced = json.load(open(sarif))
            results = sum(len(run.get("results", [])) for run in produced["runs"])
            report = os.path.join(tmp, "run%d.validation.sarif" % i)
            p = subprocess.run([exe, "validate", sarif, "--output", report, "--quiet"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
            if not os.path.exists(report):
                print("FAIL %s: the validator did not run:\n%s" % (target, p.stdout.decode(errors="replace")[-2000:]))
                failures += 1
                continue
            findings = [r for run in json.load(open(report))["runs"] for r in run.get("results", [])]
            errors = [r for r in findings if r.get("level", "warning") == "error"]
            print("%s: %d results in cfgcheck's SARIF; validator: %d errors, %d warnings" %
                  (os.path.relpath(target), results, len(errors), len(findings) - len(errors)))
            for r in findings:
                where = r.get("locations", [{}])[0].get("physicalLocation", {}).get("region", {})
                text = r["message"].get("text") or r["message"].get("id", "")
                print("  %s %s (line %s): %s" % (r.get("level", "warning"), r["ruleId"], where.get("startLine"),
                                                  text[:200]))
            failures += bool(errors)
    print("%d of %d SARIF logs invalid" % (failures, len(a.inputs)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
