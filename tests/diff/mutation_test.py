#!/usr/bin/env python3
"""Mutation test: take corpus configs that kamailio and cfgcheck both accept,
inject one mistake, and check that both reject the mutant.

Mutations (each applied once per config where it applies, at a place chosen
deterministically from kamc's AST, `kamc --dump-ast`):
  function-typo       two letters of a module function's name swapped
  extra-argument      one argument more than any module exports the function with
  dropped-route       a route[X] block that route(X) calls, blanked out
  unknown-core-param  a line `no_such_core_param=1` before the first item
  dropped-loadmodule  the loadmodule of a module whose functions are called
  modparam-typo       two letters of a modparam's parameter name swapped

`kamailio -c` stops after parsing; when it accepts a mutant, kamailio is
started for a few seconds and a failed fixup (route "X" not found...) counts
as its rejection, printed with the evidence. When that start stops earlier,
in a module's initialisation (a database it cannot reach), kamailio cannot
judge the mutant here: it is listed and not counted. Prints the agreement per
mutation and overall, and lists every disagreement; exits 1 on any.
"""
import argparse
import glob
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

from kamailio_oracle import cfgcheck_errors, installable_copy, kamailio_binary, kamailio_check, startup


class Catalog:
    """Function names, arities and modparams from tools/catalog/data."""

    def __init__(self, data_dir):
        self.arities = {}  # function name -> set of argument counts (any module)
        self.module_of = {}  # module function name -> module
        self.params = {}  # module -> set of parameter names
        self.core = set()
        for path in glob.glob(os.path.join(data_dir, "*.cat")):
            module = None
            for line in open(path, encoding="utf-8"):
                f = line.split()
                if not f or f[0].startswith("#"):
                    continue
                if f[0] == "module":
                    module = f[1]
                elif f[0] == "function":
                    lo, _, hi = f[2].partition("-")
                    self.arities.setdefault(f[1], set()).update(range(int(lo), int(hi or lo) + 1))
                    if module == "core":
                        self.core.add(f[1])
                    else:
                        self.module_of.setdefault(f[1], module)
                elif f[0] == "param":
                    self.params.setdefault(module, set()).add(f[1])

    def is_module_function(self, name):
        return name in self.module_of and name not in self.core


def walk(node):
    """Every JSON object of the AST, parents first."""
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v)


def in_main_file(node, name):
    loc = node.get("loc", {})
    return loc.get("file") == name and "expandedFrom" not in loc


def offset_of(text, line, col):
    lines = text.split("\n")
    return sum(len(l) + 1 for l in lines[:line - 1]) + col - 1


def matching_close(text, open_at, open_ch, close_ch):
    """Offset of the bracket closing text[open_at], skipping strings and comments."""
    depth, i, quote = 0, open_at, None
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c == "#":
            i = text.find("\n", i)
            if i < 0:
                return None
        elif c == open_ch:
            depth += 1
        elif c == close_ch:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def swapped(name, taken):
    """name with two neighbouring letters swapped, not a name in `taken`."""
    for i in range(len(name) // 2, len(name) - 1):
        if name[i] != name[i + 1] and name[i].isalpha() and name[i + 1].isalpha():
            candidate = name[:i] + name[i + 1] + name[i] + name[i + 2:]
            if candidate not in taken:
                return candidate
    return None


def pick(candidates, seed):
    """A stable choice: the same config always gets the same mutation."""
    if not candidates:
        return None
    return candidates[int(hashlib.sha1(seed.encode()).hexdigest(), 16) % len(candidates)]


class Mutator:
    def __init__(self, catalog, text, ast, name):
        self.catalog, self.text, self.ast, self.name = catalog, text, ast, name
        nodes = list(walk(ast))
        self.calls = [n for n in nodes if n.get("kind") == "Call" and n.get("parens") and in_main_file(n, name)]
        self.items = ast.get("items", [])

    def module_calls(self):
        return [c for c in self.calls if self.catalog.is_module_function(c["callee"])
                and self.text[offset_of(self.text, c["loc"]["line"], c["loc"]["col"]):].startswith(c["callee"])]

    def function_typo(self):
        call = pick(self.module_calls(), self.name + "typo")
        if not call:
            return None
        new = swapped(call["callee"], self.catalog.arities)
        if not new:
            return None
        at = offset_of(self.text, call["loc"]["line"], call["loc"]["col"])
        return self.text[:at] + new + self.text[at + len(call["callee"]):], "%s -> %s" % (call["callee"], new)

    def extra_argument(self):
        calls = [c for c in self.module_calls() if len(c["args"]) + 1 not in self.catalog.arities[c["callee"]]]
        call = pick(calls, self.name + "arg")
        if not call:
            return None
        start = offset_of(self.text, call["loc"]["line"], call["loc"]["col"])
        open_at = self.text.find("(", start)
        close = matching_close(self.text, open_at, "(", ")")
        if close is None:
            return None
        extra = ", 1" if call["args"] else "1"
        return self.text[:close] + extra + self.text[close:], "%s with %d arguments" % (call["callee"], len(call["args"]) + 1)

    def dropped_route(self):
        called = {c["args"][0].get("callee") or c["args"][0].get("value") for c in self.calls
                  if c["callee"] == "route" and len(c["args"]) == 1}
        routes = [i for i in self.items if i.get("kind") == "Route" and i.get("routeKind") == "named"
                  and i.get("name", {}).get("value") in called and in_main_file(i, self.name)]
        route = pick(routes, self.name + "route")
        if not route:
            return None
        start = offset_of(self.text, route["loc"]["line"], route["loc"]["col"])
        close = matching_close(self.text, self.text.find("{", start), "{", "}")
        if close is None:
            return None
        blank = re.sub(r"[^\n]", " ", self.text[start:close + 1])  # lines stay where they were
        return self.text[:start] + blank + self.text[close + 1:], "route[%s] removed" % route["name"]["value"]

    def unknown_core_param(self):
        first = next((i for i in self.items if in_main_file(i, self.name)), None)
        if not first:
            return None
        at = offset_of(self.text, first["loc"]["line"], 1)
        return self.text[:at] + "no_such_core_param=1\n" + self.text[at:], "no_such_core_param=1"

    def dropped_loadmodule(self):
        used = {self.catalog.module_of[c["callee"]] for c in self.module_calls()}
        loads = [i for i in self.items if i.get("kind") == "LoadModule" and in_main_file(i, self.name)
                 and re.sub(r"\.so$", "", os.path.basename(i["path"]["value"])) in used]
        load = pick(loads, self.name + "load")
        if not load:
            return None
        lines = self.text.split("\n")
        lines[load["loc"]["line"] - 1] = "# " + lines[load["loc"]["line"] - 1]
        return "\n".join(lines), "loadmodule %s removed" % load["path"]["value"]

    def modparam_typo(self):
        params = [i for i in self.items if i.get("kind") == "Modparam" and in_main_file(i, self.name)
                  and i["param"]["value"] in self.catalog.params.get(i["modules"]["value"], ())]
        item = pick(params, self.name + "modparam")
        if not item:
            return None
        new = swapped(item["param"]["value"], self.catalog.params[item["modules"]["value"]])
        start = offset_of(self.text, item["loc"]["line"], item["loc"]["col"])
        at = self.text.find(item["param"]["text"], start)
        if not new or at < 0:
            return None
        quote = item["param"]["text"][0]
        return (self.text[:at] + quote + new + quote + self.text[at + len(item["param"]["text"]):],
                "modparam %s -> %s" % (item["param"]["value"], new))


MUTATIONS = ["function_typo", "extra_argument", "dropped_route", "unknown_core_param",
             "dropped_loadmodule", "modparam_typo"]


def base_configs(corpora, tmp, kamailio, cfgcheck):
    """Corpus configs both tools accept, one copy of each distinct text."""
    seen, bases = set(), []
    for corpus in corpora:
        copy = installable_copy(corpus, tmp)
        for f in sorted(os.listdir(copy)):
            path = os.path.join(copy, f)
            if f == "SOURCE.txt" or not os.path.isfile(path):
                continue
            text = open(path, encoding="latin-1").read()
            digest = hashlib.sha1(text.encode("latin-1")).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            if kamailio_check(kamailio, path).accepted and cfgcheck_errors(cfgcheck, path)[0] == 0:
                bases.append((os.path.basename(corpus.rstrip("/")) + "/" + f, path, text))
    return bases


def kamailio_verdict(kamailio, path):
    """("rejects" | "accepts" | "undecided", how). Undecided: -c accepts and
    start-up stops in module initialisation (no database...) before the
    fixups that would judge the mutation."""
    result = kamailio_check(kamailio, path)
    if not result.accepted:
        return "rejects", result.errors[0][:140] if result.errors else "rejected"
    outcome, line = startup(kamailio, path)
    if outcome == "fixup-failed":
        return "rejects", "-c accepts, start-up fails: " + line[:120]
    if outcome == "init-failed":
        return "undecided", "-c accepts, start-up stops before the fixups: " + line[:120]
    return "accepts", "accepts (and starts)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfgcheck", required=True)
    ap.add_argument("--kamc", required=True)
    ap.add_argument("--catalog-data", required=True)
    ap.add_argument("--corpus", action="append", default=[])
    a = ap.parse_args()
    kamailio = kamailio_binary()
    if not kamailio:
        print("FAIL: the kamailio binary is not installed; this test needs it")
        return 1
    cfgcheck, kamc = os.path.abspath(a.cfgcheck), os.path.abspath(a.kamc)
    catalog = Catalog(a.catalog_data)
    per_kind = {m: [0, 0] for m in MUTATIONS}  # agreed, total
    disagreements, startup_evidence, undecided = [], [], []
    with tempfile.TemporaryDirectory(prefix="kamc-mutants-") as tmp:
        bases = base_configs(a.corpus, tmp, kamailio, cfgcheck)
        for label, path, text in bases:
            folder, name = os.path.split(path)
            dump = subprocess.run([kamc, "--dump-ast", name], cwd=folder, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, timeout=60)
            if dump.returncode != 0:
                continue
            mutator = Mutator(catalog, text, json.loads(dump.stdout), name)
            for kind in MUTATIONS:
                mutant = getattr(mutator, kind)()
                if not mutant:
                    continue
                mutated, what = mutant
                mpath = os.path.join(folder, "mutant-" + name)
                with open(mpath, "w", encoding="latin-1") as fh:
                    fh.write(mutated)
                verdict, how = kamailio_verdict(kamailio, mpath)
                rc, errors = cfgcheck_errors(cfgcheck, mpath)
                c_rejects = rc != 0
                os.remove(mpath)
                finding = "%s [%s]" % (errors[0][3][:100], errors[0][0]) if errors else "no error"
                if verdict == "undecided":
                    undecided.append("%s (%s): kamailio %s; cfgcheck: %s" % (label, what, how, finding))
                    continue
                k_rejects = verdict == "rejects"
                per_kind[kind][1] += 1
                if k_rejects and c_rejects:
                    per_kind[kind][0] += 1
                    if how.startswith("-c accepts"):
                        startup_evidence.append("%s (%s): kamailio %s; cfgcheck: %s" % (label, what, how, finding))
                else:
                    disagreements.append("%s (%s): kamailio %s; cfgcheck %s: %s" % (
                        label, what, "rejects: " + how if k_rejects else how,
                        "rejects" if c_rejects else "accepts", finding))
    agreed = sum(v[0] for v in per_kind.values())
    total = sum(v[1] for v in per_kind.values())
    print("mutants of %d configs that kamailio and cfgcheck both accept" % len(bases))
    for kind in MUTATIONS:
        print("  %-20s both reject %d of %d" % (kind.replace("_", "-"), per_kind[kind][0], per_kind[kind][1]))
    print("  not counted: %d (kamailio -c accepts and its start-up stops before the fixups)" % len(undecided))
    print("agreement: %d of %d mutants (%.1f%%)" % (agreed, total, 100.0 * agreed / total if total else 100.0))
    for e in startup_evidence:
        print("agree (kamailio -c accepts, start-up fails) " + e)
    for u in undecided:
        print("not counted (kamailio cannot judge it here) " + u)
    for d in disagreements:
        print("DISAGREE " + d)
    return 1 if disagreements or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
