#!/usr/bin/env python3
"""Every modparam of every installed Kamailio module is in the catalog, with
its type, and the catalog has no parameter a module does not export.

The facts come from the modules themselves, without running their code: each
module's .so holds `struct module_exports exports` (sr_module.h), whose
`params` member points at a null-terminated `param_export_t` array of
{char *name; modparam_t type; void *param_pointer}. In a position-independent
.so those pointers are stored as R_X86_64_RELATIVE relocations, so this reads
the ELF file: the dynamic symbol `exports`, the relocation addends, and the
strings they point to (x86-64 only, as the packaged modules are).

Type mapping, as docs/catalog.md states it: PARAM_INT -> int,
PARAM_STRING/PARAM_STR -> str, both under one name -> int|str, the
PARAM_USE_FUNC bit -> func. Exits 1 listing every difference; with --print
MODULE it prints the module's params as catalog lines instead.
"""
import argparse
import glob
import os
import re
import struct
import sys

MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules"

PARAM_STRING, PARAM_INT, PARAM_STR, PARAM_VAR = 1, 2, 4, 8
PARAM_USE_FUNC = 1 << 31
R_X86_64_64, R_X86_64_RELATIVE = 1, 8


class Elf:
    """The few parts of a 64-bit little-endian ELF shared object we need."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = f.read()
        d = self.data
        if d[:4] != b"\x7fELF" or d[4] != 2 or d[5] != 1:
            raise ValueError("%s: not a 64-bit little-endian ELF file" % path)
        shoff, = struct.unpack_from("<Q", d, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 0x3A)
        self.sections = []
        for i in range(shnum):
            name, stype, _, addr, off, size, link, _, _, entsize = struct.unpack_from(
                "<IIQQQQIIQQ", d, shoff + i * shentsize)
            self.sections.append(dict(name=name, type=stype, addr=addr, off=off, size=size,
                                      link=link, entsize=entsize))
        names = self.sections[shstrndx]
        for s in self.sections:
            s["name"] = self.cstring_at(names["off"] + s["name"])
        self.relocs = {}  # address -> value after relocation (RELATIVE addend or symbol)
        self.symbols = {}  # dynamic symbol name -> (value, index)
        dynsym = next(s for s in self.sections if s["name"] == ".dynsym")
        dynstr = self.sections[dynsym["link"]]
        sym_by_index = []
        for i in range(dynsym["size"] // 24):
            name, _, _, _, value, _ = struct.unpack_from("<IBBHQQ", d, dynsym["off"] + i * 24)
            sname = self.cstring_at(dynstr["off"] + name)
            sym_by_index.append(value)
            if sname:
                self.symbols[sname] = value
        for s in self.sections:
            if s["type"] != 4:  # SHT_RELA
                continue
            for i in range(s["size"] // 24):
                offset, info, addend = struct.unpack_from("<QQq", d, s["off"] + i * 24)
                rtype, sym = info & 0xFFFFFFFF, info >> 32
                if rtype == R_X86_64_RELATIVE:
                    self.relocs[offset] = addend
                elif rtype == R_X86_64_64:
                    self.relocs[offset] = sym_by_index[sym] + addend

    def cstring_at(self, off):
        end = self.data.index(b"\0", off)
        return self.data[off:end].decode("latin-1")

    def file_offset(self, addr):
        """addr's offset in the file; None in .bss, which holds zeros (an
        all-zero table such as an empty params[] is placed there)."""
        for s in self.sections:
            if s["addr"] <= addr < s["addr"] + s["size"] and s["addr"]:
                return None if s["type"] == 8 else s["off"] + addr - s["addr"]  # SHT_NOBITS
        raise ValueError("address 0x%x is in no section" % addr)

    def unpack(self, fmt, addr):
        off = self.file_offset(addr)
        return 0 if off is None else struct.unpack_from(fmt, self.data, off)[0]

    def pointer(self, addr):
        """The pointer stored at addr once the dynamic linker has relocated it."""
        if addr in self.relocs:
            return self.relocs[addr]
        return self.unpack("<Q", addr)

    def u32(self, addr):
        return self.unpack("<I", addr)

    def string(self, addr):
        return self.cstring_at(self.file_offset(addr))


def exported_params(path):
    """[(name, type bits)] of a module's param_export_t table, in table order."""
    elf = Elf(path)
    exports = elf.symbols.get("exports")
    if exports is None:
        raise ValueError("%s: no 'exports' symbol" % path)
    params = elf.pointer(exports + 24)  # name, dlflags (+pad), cmds, params
    out = []
    while params:
        name = elf.pointer(params)
        if not name:
            break
        out.append((elf.string(name), elf.u32(params + 8)))
        params += 24
    return out


def catalog_types(rows):
    """{name: (type, func)} from param_export_t rows, as the catalog writes them."""
    merged = {}
    for name, bits in rows:
        kinds = set()
        if bits & PARAM_INT:
            kinds.add("int")
        if bits & (PARAM_STRING | PARAM_STR | PARAM_VAR):
            kinds.add("str")
        types, func = merged.get(name, (set(), False))
        merged[name] = (types | kinds, func or bool(bits & PARAM_USE_FUNC))
    return {n: ("int|str" if t == {"int", "str"} else next(iter(t)), f) for n, (t, f) in merged.items()}


def read_catalog(data_dir):
    """{module: {name: (type, func)}} from the .cat files."""
    catalog = {}
    for path in glob.glob(os.path.join(data_dir, "*.cat")):
        module = None
        for line in open(path, encoding="utf-8"):
            fields = re.sub(r'\s*"[^"]*"\s*$', "", line).split()
            if not fields or fields[0].startswith("#"):
                continue
            if fields[0] == "module":
                module = fields[1]
                catalog.setdefault(module, {})
            elif fields[0] == "param":
                catalog[module][fields[1]] = (fields[2], "func" in fields[3:])
    return catalog


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="tools/catalog/data")
    ap.add_argument("--modules", default=MODULES)
    ap.add_argument("--print", metavar="MODULE", help="print MODULE's params as catalog lines")
    a = ap.parse_args()
    if a.print:
        for name, (ptype, func) in catalog_types(exported_params(os.path.join(a.modules, a.print + ".so"))).items():
            print("param %-30s %s%s" % (name, ptype, " func" if func else ""))
        return 0
    paths = sorted(glob.glob(os.path.join(a.modules, "*.so")))
    if not paths:
        print("no Kamailio modules in %s: the oracle is missing" % a.modules)
        return 1
    catalog = read_catalog(a.data)
    problems = []
    checked = params = 0
    unreadable = []
    for path in paths:
        module = os.path.basename(path)[:-3]
        try:
            exported = catalog_types(exported_params(path))
        except ValueError as e:
            # app_perl builds its exports at run time: nothing to read.
            unreadable.append(module)
            if module in catalog:
                problems.append("%s: in the catalog, but its params cannot be read: %s" % (module, e))
            continue
        if module not in catalog:
            if exported:
                problems.append("%s: module not in the catalog (exports %d params)" % (module, len(exported)))
            continue
        checked += 1
        params += len(exported)
        have = catalog[module]
        for name, (ptype, func) in sorted(exported.items()):
            if name not in have:
                problems.append("%s: param %s %s%s is missing" % (module, name, ptype, " func" if func else ""))
            elif have[name] != (ptype, func):
                problems.append("%s: param %s is %s%s in the module, %s%s in the catalog" % (
                    module, name, ptype, " func" if func else "", have[name][0], " func" if have[name][1] else ""))
        for name in sorted(set(have) - set(exported)):
            problems.append("%s: param %s is in the catalog, the module does not export it" % (module, name))
    for p in problems:
        print(p)
    print("%d installed modules, %d params: %d differences from the catalog%s" % (
        checked, params, len(problems), " (no static exports: %s)" % " ".join(unreadable) if unreadable else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
