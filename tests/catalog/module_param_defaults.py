#!/usr/bin/env python3
"""Every modparam default in the catalog (`default=` in data/*.cat) is the
value the installed module starts with, read from its .so without running it.

A param_export_t row is {char *name; modparam_t type; void *param_pointer}
(see module_params_audit.py, which reads the same tables). For a PARAM_INT
the pointer is the int variable; for PARAM_STRING a `char *` and for
PARAM_STR a `str` whose first member is the `char *`. The variable's initial
bytes are in the file (.data), or zeros (.bss). A string default of '' also
matches a NULL pointer (the docs say "" for an unset string). Exits 1 listing
every difference; a default for a param of a module not installed, or one
set through a function (PARAM_USE_FUNC: no variable to read), is a difference
too, so every default stated has been checked.
"""
import argparse
import os
import shlex
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from module_params_audit import MODULES, PARAM_INT, PARAM_STR, PARAM_STRING, PARAM_USE_FUNC, Elf  # noqa: E402


def catalog_defaults(data_dir):
    """{(module, param): (type, default as written)} for the lines with a default."""
    out = {}
    for name in sorted(os.listdir(data_dir)):
        if not name.endswith(".cat"):
            continue
        module = None
        for line in open(os.path.join(data_dir, name), encoding="utf-8"):
            fields = shlex.split(line) if line.strip() and not line.lstrip().startswith("#") else []
            if fields and fields[0] == "module":
                module = fields[1]
            if len(fields) < 3 or fields[0] != "param":
                continue
            for f in fields[3:]:
                if f.startswith("default="):
                    out[(module, fields[1])] = (fields[2], f[len("default="):])
    return out


def initial_values(path):
    """{param: ('int', n) | ('str', text or None) | ('func', None)} of a module."""
    elf = Elf(path)
    row = elf.pointer(elf.symbols["exports"] + 24)
    values = {}
    while row:
        name = elf.pointer(row)
        if not name:
            break
        bits, target = elf.u32(row + 8), elf.pointer(row + 16)
        if bits & PARAM_USE_FUNC:
            value = ("func", None)
        elif bits & PARAM_INT:
            value = ("int", struct.unpack("<i", struct.pack("<I", elf.u32(target)))[0])
        elif bits & (PARAM_STRING | PARAM_STR):
            text = elf.pointer(target)
            value = ("str", elf.string(text) if text else None)
        else:
            value = ("func", None)
        values.setdefault(elf.string(name), value)
        row += 24
    return values


def difference(stated, value):
    """Why the catalog's default is not the module's value, or None."""
    kind, actual = value
    if kind == "func":
        return "is set through a function: no initial value to check"
    if kind == "int":
        try:  # as Kamailio reads a number: a leading 0 is octal (ctl's mode 0600)
            number = int(stated, 8) if len(stated) > 1 and stated.lstrip("-").startswith("0") else int(stated)
            ok = number % 2**32 == actual % 2**32
        except ValueError:
            return "is an int param, the catalog's default %r is not an integer" % stated
        return None if ok else "starts as %d, the catalog says %s" % (actual, stated)
    if actual == stated or (actual is None and stated == ""):
        return None
    return "starts as %r, the catalog says %r" % (actual, stated)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="tools/catalog/data")
    ap.add_argument("--modules", default=MODULES)
    a = ap.parse_args()
    defaults = catalog_defaults(a.data)
    problems, cache = [], {}
    for (module, param), (_, stated) in sorted(defaults.items()):
        path = os.path.join(a.modules, module + ".so")
        if not os.path.exists(path):
            problems.append("%s: not installed, cannot check the default of %s" % (module, param))
            continue
        if module not in cache:
            cache[module] = initial_values(path)
        if param not in cache[module]:
            problems.append("%s: exports no param %s" % (module, param))
            continue
        why = difference(stated, cache[module][param])
        if why:
            problems.append("%s: param %s %s" % (module, param, why))
    for p in problems:
        print(p)
    print("%d defaults in %d modules: %d differences from the installed modules" % (
        len(defaults), len(cache), len(problems)))
    return 1 if problems or not defaults else 0


if __name__ == "__main__":
    sys.exit(main())
