#!/usr/bin/env python3
"""didChange -> publishDiagnostics latency of kamc-lsp on a 5,000-line config.

The config is etc__kamailio.cfg (Kamailio 5.6's default) with copies of its
route[...] blocks appended, each copy's names suffixed (route[RELAY_3],
route(RELAY_3)), until it has at least 5,000 lines. One edit toggles a
character of a comment inside the route block nearest the middle of the file; the time is from writing the
didChange to reading the publishDiagnostics of that version, so it includes
the JSON-RPC round trip, preprocessing, parsing and every cfgcheck check.
Also prints the resident memory per open document and the time of one
`kamailio -c` of the same file, which is what NormB/kamailio-lsp pays per check.

Usage: bench/lsp-didchange.py [build dir] [edits]
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "lsp"))
from lsp_client import LspClient, uri  # noqa: E402

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "build"))
EDITS = int(sys.argv[2]) if len(sys.argv) > 2 else 300
SOURCE = os.path.join(here, "..", "..", "shared", "corpus", "kamailio-5.6", "etc__kamailio.cfg")
MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules"


def build_config(lines_wanted=5000):
    with open(SOURCE, encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks, i = [], 0
    while i < len(lines):
        if re.match(r"^route\[\w+\]\s*\{", lines[i]):
            j = i
            while lines[j] != "}":
                j += 1
            blocks.append(lines[i:j + 1])
            i = j
        i += 1
    names = sorted({re.match(r"^route\[(\w+)\]", b[0]).group(1) for b in blocks}, key=len, reverse=True)
    out = list(lines)
    copy = 0
    while len(out) < lines_wanted:
        copy += 1
        for b in blocks:
            text = "\n".join(b)
            for n in names:
                text = re.sub(r"route([\[(])%s([\])])" % n, r"route\g<1>%s_%d\g<2>" % (n, copy), text)
            out.extend(["", "# copy %d" % copy] + text.split("\n"))
    return "\n".join(out) + "\n"


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def measure_edits(server, path, text, edits, debounce_ms, where="route"):
    client = LspClient(server, ["--debounce-ms", str(debounce_ms)], cwd=os.path.dirname(path))
    try:
        client.initialize(os.path.dirname(path))
        client.open(path, text, 1)
        first = client.diagnostics(uri(path), 1, timeout=120)["diagnostics"]
        line = text.split("\n")
        # A comment inside a route block in the middle of the file: typing
        # there, every block after it moves.
        inside = [i for i, l in enumerate(line) if l.startswith("\t#")]
        edit_line = min(inside, key=lambda i: abs(i - len(line) // 2))
        column = 2
        if where == "top":
            # A define's value, used in several items (acc's modparams, the
            # blocks that set the flag): each item whose expanded text changed
            # is parsed again (#!define FLT_ACC 1 <-> 10).
            edit_line = next(i for i, l in enumerate(line) if l.startswith("#!define FLT_ACC 1"))
            column = len(line[edit_line])
        times = []
        for v in range(2, edits + 2):
            ch = "x" if v % 2 == 0 else ""
            old_len = 0 if v % 2 == 0 else 1
            start = time.monotonic()
            client.notify("textDocument/didChange", {
                "textDocument": {"uri": uri(path), "version": v},
                "contentChanges": [{"range": {"start": {"line": edit_line, "character": column},
                                              "end": {"line": edit_line, "character": column + old_len}},
                                    "text": ch if where == "route" else ch.replace("x", "0")}]})
            client.diagnostics(uri(path), v, timeout=60)
            times.append((time.monotonic() - start) * 1000)
        return first, times[10:] if len(times) > 20 else times
    finally:
        client.kill()


def measure_memory(server, path, text, documents=10):
    client = LspClient(server, ["--debounce-ms", "0"], cwd=os.path.dirname(path))
    try:
        client.initialize()
        time.sleep(0.2)
        base = rss_kib(client.proc.pid)
        for k in range(documents):
            p = path.replace(".cfg", "-%d.cfg" % k)
            with open(p, "w", encoding="utf-8") as f:
                f.write(text)
            client.open(p, text, 1)
            client.diagnostics(uri(p), 1, timeout=120)
        after = rss_kib(client.proc.pid)
        return base, after, (after - base) / documents
    finally:
        client.kill()


def kamailio_check_ms(path, runs=5):
    kamailio = shutil.which("kamailio") or "/usr/sbin/kamailio"
    if not os.access(kamailio, os.X_OK):
        return None, "kamailio is not installed"
    r = subprocess.run([kamailio, "-c", "-f", path, "-L", MODULES], capture_output=True, cwd=os.path.dirname(path))
    if r.returncode != 0:
        return None, "kamailio -c rejects the config: " + r.stderr.decode(errors="replace")[-300:]
    times = []
    for _ in range(runs):
        start = time.monotonic()
        subprocess.run([kamailio, "-c", "-f", path, "-L", MODULES], capture_output=True, cwd=os.path.dirname(path))
        times.append((time.monotonic() - start) * 1000)
    return statistics.median(times), ""


def main():
    server = os.path.join(BUILD, "lsp", "kamc-lsp")
    if not os.access(server, os.X_OK):
        sys.exit("not built: " + server)
    text = build_config()
    scratch = tempfile.mkdtemp(prefix="kamc-lsp-bench-")
    try:
        path = os.path.join(scratch, "kamailio.cfg")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        nlines = text.count("\n")
        first, times = measure_edits(server, path, text, EDITS, 0)
        print("config: %d lines, %d bytes; %d diagnostics on open" % (nlines, len(text), len(first)))
        print("didChange->publishDiagnostics, debounce 0 ms, %d edits: median=%.2f ms p99=%.2f ms min=%.2f ms max=%.2f ms"
              % (len(times), statistics.median(times), percentile(times, 99), min(times), max(times)))
        _, whole = measure_edits(server, path, text, 100, 0, "top")
        print("the same, an edit of a define used in several items, %d edits: median=%.2f ms p99=%.2f ms"
              % (len(whole), statistics.median(whole), percentile(whole, 99)))
        _, slow = measure_edits(server, path, text, 60, 10)
        print("didChange->publishDiagnostics, default debounce 10 ms, %d edits: median=%.2f ms p99=%.2f ms"
              % (len(slow), statistics.median(slow), percentile(slow, 99)))
        base, after, per_doc = measure_memory(server, path, text)
        print("resident memory: %d KiB idle, %d KiB with 10 documents open: %.0f KiB per open document"
              % (base, after, per_doc))
        kam, why = kamailio_check_ms(path)
        if kam is None:
            print("kamailio -c: not measured (%s)" % why)
        else:
            print("kamailio -c on the same file: median %.1f ms a run (%.0fx the server's median)"
                  % (kam, kam / statistics.median(times)))
        print("goal: median < 10 ms: %s" % ("MET" if statistics.median(times) < 10 else "NOT MET"))
    finally:
        shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
