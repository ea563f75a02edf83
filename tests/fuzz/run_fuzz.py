#!/usr/bin/env python3
"""Runs one libFuzzer target of tests/fuzz for a bounded time on top of its seed corpus
and fails on any crash, leak, sanitizer report, or input slower than --input-timeout
(1 s; ctest gives 10 s, as its runs share the cores with the integration tests).

The seeds are made here from ../shared/corpus (read in place, never copied into the
repository): the configs for the config targets, the RFC 4475/5118 messages for the SIP
targets (their header values for the URI target), and short editor sessions over small
corpus configs for the language server. The work directory keeps the grown corpus, so
`make fuzz` resumes where the last run stopped; the figures of every run are appended to
WORK/runs.jsonl (docs/reliability.md).

Usage: run_fuzz.py BINARY --seconds N --corpus SHARED_CORPUS --work DIR
"""
import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONFIG_TARGETS = {"fuzz_preprocess", "fuzz_parse", "fuzz_cfgcheck", "fuzz_codegen"}
DICTIONARIES = {"fuzz_sip_message": "sip.dict", "fuzz_sip_uri": "sip.dict", "fuzz_lsp_jsonrpc": "jsonrpc.dict"}
URI_HEADERS = re.compile(rb"^(via|v|from|f|to|t|contact|m|route|record-route)\s*:\s*(.*)$", re.I)


def config_files(corpus):
    for folder in ("kamailio", "kamailio-5.6"):
        yield from sorted((corpus / folder).glob("*.cfg*"))


def sip_messages(corpus):
    for folder in ("rfc4475", "rfc5118"):
        yield from sorted((corpus / folder).glob("*.dat"))


def write_seed(seeds, name, data):
    (seeds / name).write_bytes(data)


def uri_seeds(message):
    lines = message.split(b"\n")
    parts = lines[0].split(b" ")
    if len(parts) == 3 and not parts[0].startswith(b"SIP/"):
        yield parts[1]
    for line in lines[1:]:
        match = URI_HEADERS.match(line.rstrip(b"\r"))
        if match:
            yield match.group(2)


def lsp_session(uri, text):
    """One editor session over a config: every feature once, then an edit and a shutdown."""
    position = {"line": 3, "character": 4}
    doc = {"uri": uri}
    messages = [
        {"id": 1, "method": "initialize", "params": {"capabilities": {}}},
        {"method": "initialized", "params": {}},
        {"method": "textDocument/didOpen",
         "params": {"textDocument": {"uri": uri, "languageId": "kamailio", "version": 1, "text": text}}},
    ]
    requests = ["hover", "completion", "definition", "references", "documentHighlight", "signatureHelp",
                "prepareRename", "documentSymbol", "foldingRange", "semanticTokens/full", "formatting",
                "documentLink", "diagnostic", "inlayHint", "codeAction"]
    for number, method in enumerate(requests, start=2):
        params = {"textDocument": doc, "position": position}
        if method == "references":
            params["context"] = {"includeDeclaration": True}
        if method == "formatting":
            params = {"textDocument": doc, "options": {"tabSize": 4, "insertSpaces": True}}
        if method in ("inlayHint", "codeAction"):
            params = {"textDocument": doc, "range": {"start": {"line": 0, "character": 0}, "end": position},
                      "context": {"diagnostics": []}}
        messages.append({"id": number, "method": "textDocument/" + method, "params": params})
    messages.append({"method": "textDocument/didChange",
                     "params": {"textDocument": {"uri": uri, "version": 2},
                                "contentChanges": [{"range": {"start": position, "end": position}, "text": "x"}]}})
    messages += [{"id": 99, "method": "shutdown"}, {"method": "exit"}]
    return "\n".join(json.dumps({"jsonrpc": "2.0", **m}) for m in messages).encode()


def make_seeds(target, corpus, seeds):
    shutil.rmtree(seeds, ignore_errors=True)
    seeds.mkdir(parents=True)
    if target in CONFIG_TARGETS:
        for path in config_files(corpus):
            write_seed(seeds, path.name, path.read_bytes())
    elif target == "fuzz_sip_message":
        for path in sip_messages(corpus):
            data = path.read_bytes()
            write_seed(seeds, path.name + ".udp", b"\xfe" + data)  # every accessor, datagram
            write_seed(seeds, path.name + ".tcp", b"\xff" + data)  # every accessor, stream
    elif target == "fuzz_sip_uri":
        for path in sip_messages(corpus):
            for number, value in enumerate(uri_seeds(path.read_bytes())):
                write_seed(seeds, f"{path.name}.{number}", value)
    elif target == "fuzz_lsp_jsonrpc":
        small = [p for p in config_files(corpus) if p.stat().st_size < 8000][:12]
        for path in small:
            text = path.read_text(errors="replace")
            write_seed(seeds, path.name + ".session", lsp_session("file:///nonexistent/" + path.name, text))
    else:
        sys.exit(f"unknown fuzz target {target}")


def final_stats(output):
    """executions, corpus units and bytes from libFuzzer's last status line and -print_final_stats."""
    stats = {}
    executed = re.search(r"stat::number_of_executed_units:\s*(\d+)", output)
    if executed:
        stats["executions"] = int(executed.group(1))
    status = re.findall(r"#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/(\d+\w*)", output)
    if status:
        _, cov, features, units, size = status[-1]
        stats.update(coverage=int(cov), features=int(features), corpus_units=int(units), corpus_size=size)
    slowest = re.search(r"stat::slowest_unit_time_sec:\s*(\d+)", output)
    if slowest:
        stats["slowest_unit_s"] = int(slowest.group(1))
    rss = re.search(r"stat::peak_rss_mb:\s*(\d+)", output)
    if rss:
        stats["peak_rss_mb"] = int(rss.group(1))
    return stats


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0,
                        help="libFuzzer's -seed: a fixed one (ctest) repeats the same search, 0 picks one")
    parser.add_argument("--input-timeout", type=int, default=1,
                        help="seconds after which one input counts as a hang (CI allows more: its cores are shared)")
    parser.add_argument("--corpus", required=True, help="the shared corpus (../shared/corpus)")
    parser.add_argument("--work", required=True, help="where the grown corpus and crash inputs are kept")
    args = parser.parse_args()
    binary = Path(args.binary)
    target = binary.name
    if not binary.exists():
        # ctest counts 77 as skipped: `make test` builds the fuzzers first, a bare ctest may not.
        print(f"SKIP: {binary} is not built (cmake --build BUILD --target kamc_fuzz_build)")
        return 77
    work = Path(args.work)
    grown, artifacts = work / "corpus", work / "artifacts"
    grown.mkdir(parents=True, exist_ok=True)
    artifacts.mkdir(parents=True, exist_ok=True)
    make_seeds(target, Path(args.corpus), work / "seeds")
    command = [str(binary), f"-max_total_time={args.seconds}", f"-timeout={args.input_timeout}", "-rss_limit_mb=2048",
               "-print_final_stats=1", f"-artifact_prefix={artifacts}/", str(grown), str(work / "seeds")]
    if args.seed:
        command.insert(1, f"-seed={args.seed}")
    if target in DICTIONARIES:
        command.insert(1, f"-dict={HERE / DICTIONARIES[target]}")
    elif target in CONFIG_TARGETS:
        command.insert(1, f"-dict={HERE / 'cfg.dict'}")
    started = time.monotonic()
    # libFuzzer stops itself at max_total_time; the margin covers loading the seeds.
    run = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
                         timeout=args.seconds + 300)
    stats = final_stats(run.stdout)
    stats.update(target=target, seconds=round(time.monotonic() - started, 1), exit_code=run.returncode,
                 date=time.strftime("%Y-%m-%d %H:%M:%S"))
    with open(work / "runs.jsonl", "a") as log:
        log.write(json.dumps(stats) + "\n")
    print(json.dumps(stats))
    if run.returncode != 0:
        print(run.stdout[-20000:])
        print(f"FAIL: {target} found a problem; the input is in {artifacts}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
