#!/usr/bin/env python3
"""Checks catalog facts against the real kamailio -c, the oracle.

kamailio -c resolves module functions while parsing, with their argument
count and the route block they are in, and sets modparams with their type.
So for a sample of modules this writes one config per route block type that
calls every catalogued function at every catalogued arity, plus one call
with one argument too many, and compares what kamailio refuses with what
the catalog says. It also sets every modparam of those modules with an int
and with a string, and every core parameter with a value of its type.

Fails loudly when kamailio is missing: the catalog must not drift unseen."""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

MODULE_DIR = '/usr/lib/x86_64-linux-gnu/kamailio/modules'
# The modules etc/kamailio.cfg loads plus other widely used ones.
SAMPLE = ['sl', 'tm', 'tmx', 'rr', 'pv', 'maxfwd', 'usrloc', 'registrar', 'textops',
          'textopsx', 'siputils', 'xlog', 'sanity', 'ctl', 'acc', 'counters', 'auth',
          'auth_db', 'permissions', 'alias_db', 'speeddial', 'domain', 'presence',
          'presence_xml', 'nathelper', 'rtpproxy', 'rtpengine', 'htable', 'pike',
          'debugger', 'kex', 'corex', 'jsonrpcs', 'path', 'exec', 'dispatcher',
          'dialog', 'uac', 'dialplan', 'sqlops', 'avpops', 'cfgutils', 'ipops',
          'topoh', 'uac_redirect', 'outbound', 'pua', 'utils', 'db_mysql', 'xhttp']
ROUTE_BITS = {'REQUEST_ROUTE': 1, 'FAILURE_ROUTE': 2, 'TM_ONREPLY_ROUTE': 4, 'BRANCH_ROUTE': 8,
              'ONSEND_ROUTE': 16, 'ERROR_ROUTE': 32, 'LOCAL_ROUTE': 64, 'CORE_ONREPLY_ROUTE': 128,
              'BRANCH_FAILURE_ROUTE': 256, 'ONEVENT_ROUTE': 512, 'ONREPLY_ROUTE': 4 | 128,
              'EVENT_ROUTE': 1 | 512, 'ANY_ROUTE': 0xFFFFFFFF}
EVENT = 1 | 512
# The block types whose mask kamailio -c checks, with their bits.
BLOCKS = [('request_route', 1), ('failure_route[f1]', 2), ('onreply_route[r1]', 4),
          ('onreply_route', 128), ('branch_route[b1]', 8), ('onsend_route', 16),
          ('event_route[kamc:check]', EVENT)]
CORE_VALUES = {'int': '1', 'sint': '-1', 'bool': 'yes', 'string': '"x"', 'name': 'x',
               'listen': 'udp:127.0.0.1:5099', 'hosts': 'udp:127.0.0.1:5099', 'ip': '127.0.0.1'}
# Values of the wrong type, each refused by kamailio -c ("number expected",
# "string value expected", ...): a bare word for a number, a number for a
# string, a negative number where the grammar has NUMBER and not intno.
CORE_WRONG_VALUES = {'int': ['kamc_word', '-1', '"1"'], 'bool': ['kamc_word', '-1'], 'sint': ['kamc_word'],
                     'string': ['kamc_word', '1'], 'name': ['1'], 'listen': ['udp:127.0.0.1:kamc_word'],
                     'hosts': ['udp:127.0.0.1:kamc_word', 'udp:127.0.0.1:5099 advertise 127.0.0.2']}
CORE_SPECIAL = {'log_facility': 'LOG_LOCAL0', 'tcp_poll_method': 'epoll_lt', 'tos': 'IPTOS_LOWDELAY',
                'tls_method': 'TLSv1', 'udp_mtu_try_proto': 'tcp'}
# Refused for their value, not their name or type (checked by hand).
CORE_VALUE_REFUSED = {'ipv6_hex_style', 'user', 'uid', 'group', 'gid', 'tcp_source_ipv6',
                      'enable_sctp', 'cfgengine', 'auto_bind_ipv6'}


def mask_value(text):
    v = 0
    for s in text.split('|'):
        v |= ROUTE_BITS.get(s, 0)
    return v


def allows(mask, block):
    return (mask & block) == block or (block == EVENT and mask & EVENT) != 0


def read_catalog(data_dir):
    modules, core_params = {}, []
    for path in sorted(glob.glob(os.path.join(data_dir, '*.cat'))):
        name = os.path.basename(path)[:-4]
        mod = modules.setdefault(name, {'functions': [], 'params': []})
        for line in open(path, encoding='utf-8'):
            f = line.split()
            if not f:
                continue
            if f[0] == 'function':
                lo, _, hi = f[2].partition('-')
                mod['functions'].append((f[1], int(lo), int(hi or lo), mask_value(f[4])))
            elif f[0] == 'param':
                mod['params'].append((f[1], f[2]))
            elif f[0] == 'coreparam':
                alias = next((x[6:] for x in f if x.startswith('alias=')), f[1])
                core_params.append((f[1], f[2], alias))
    return modules, core_params


def kamailio_check(workdir, text):
    """Returns (exit code, {line: message}) of kamailio -c on text."""
    path = os.path.join(workdir, 'check.cfg')
    with open(path, 'w') as f:
        f.write(text)
    try:
        p = subprocess.run(['kamailio', '-c', '-f', path], capture_output=True, text=True,
                           timeout=10)
    except subprocess.TimeoutExpired:
        return None, {}
    errors = {int(m.group(1)): m.group(2)
              for m in re.finditer(r'line (\d+), column [\d-]+: (.*)', p.stderr)}
    return p.returncode, errors


def check_functions(workdir, module, functions):
    problems, calls = [], []
    names = sorted({f[0] for f in functions})
    for name in names:
        rows = [f for f in functions if f[0] == name]
        counts = sorted({n for _, lo, hi, _ in rows for n in range(lo, hi + 1)})
        for n in counts:
            expected = lambda block, n=n, rows=rows: any(
                lo <= n <= hi and allows(mask, block) for _, lo, hi, mask in rows)
            calls.append((name, n, expected))
        if max(counts) < 6:  # one argument too many must be refused everywhere
            calls.append((name, max(counts) + 1, lambda block: False))
    for block, bit in BLOCKS:
        head = ['mpath="%s/"' % MODULE_DIR, 'loadmodule "%s.so"' % module, block + ' {']
        body = ['  %s(%s);' % (name, ', '.join(['"1"'] * n)) for name, n, _ in calls]
        tail = ['  drop;', '}', 'failure_route[f1] { drop; }', 'onreply_route[r1] { drop; }',
                'branch_route[b1] { drop; }']
        if block.startswith(('failure_route', 'onreply_route[', 'branch_route')):
            tail = [t for t in tail if not t.startswith(block)]
        code, errors = kamailio_check(workdir, '\n'.join(head + body + tail) + '\n')
        if code is None:
            problems.append('%s: kamailio -c timed out' % module)
            continue
        for i, (name, n, expected) in enumerate(calls):
            accepted = (len(head) + 1 + i) not in errors
            if accepted != expected(bit):
                problems.append('%s.%s with %d args in %s: catalog says %s, kamailio %s' % (
                    module, name, n, block, 'allowed' if expected(bit) else 'refused',
                    'accepts' if accepted else 'refuses (%s)' % errors[len(head) + 1 + i]))
    return problems


def check_params(workdir, module, params):
    problems = []
    refused_as = {}
    for literal, kind in (('1', 'int'), ('"1"', 'str')):
        lines = ['mpath="%s/"' % MODULE_DIR, 'loadmodule "%s.so"' % module]
        lines += ['modparam("%s", "%s", %s)' % (module, p, literal) for p, _ in params]
        lines += ['request_route { drop; }']
        path = os.path.join(workdir, 'params.cfg')
        with open(path, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        err = subprocess.run(['kamailio', '-c', '-f', path], capture_output=True, text=True,
                             timeout=10).stderr
        for p in re.findall(r'parameter <([^>]+)> of type <\d+:\w+> not found', err):
            refused_as.setdefault(p, set()).add(kind)
    for name, declared in params:
        accepted = {'int', 'str'} - refused_as.get(name, set())
        if accepted != set(declared.split('|')):
            problems.append('%s modparam %s: catalog %s, kamailio accepts %s' % (
                module, name, declared, '|'.join(sorted(accepted)) or 'nothing'))
    return problems


def check_core_params(workdir, core_params):
    problems = []
    for name, kind, canonical in core_params:
        if name in CORE_VALUE_REFUSED:
            continue
        value = CORE_SPECIAL.get(canonical, CORE_VALUES.get(kind))
        code, errors = kamailio_check(workdir, '%s = %s\nrequest_route { drop; }\n' % (name, value))
        if code not in (0, None):
            problems.append('core parameter %s = %s refused: %s' % (
                name, value, next(iter(errors.values()), '?')))
        for wrong in CORE_WRONG_VALUES.get(kind, []):
            code, _ = kamailio_check(workdir, '%s = %s\nrequest_route { drop; }\n' % (name, wrong))
            if code == 0:
                problems.append('core parameter %s = %s accepted, but the catalog says %s' % (name, wrong, kind))
    code, _ = kamailio_check(workdir, 'kamc_no_such_param = 1\nrequest_route { drop; }\n')
    if code == 0:
        problems.append('kamailio accepts an unknown core parameter: the check proves nothing')
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    args = ap.parse_args()
    if not shutil.which('kamailio') or not os.path.isdir(MODULE_DIR):
        print('FAIL: kamailio or its modules (%s) are not installed' % MODULE_DIR)
        return 1
    modules, core_params = read_catalog(args.data)
    problems, checked = [], 0
    with tempfile.TemporaryDirectory() as workdir:
        for module in SAMPLE:
            if module not in modules:
                problems.append('module %s is not in the catalog' % module)
                continue
            if not os.path.exists(os.path.join(MODULE_DIR, module + '.so')):
                problems.append('module %s.so is not installed' % module)
                continue
            problems += check_functions(workdir, module, modules[module]['functions'])
            problems += check_params(workdir, module, modules[module]['params'])
            checked += 1
        problems += check_core_params(workdir, core_params)
    for p in problems:
        print('FAIL:', p)
    print('%d modules and %d core parameters checked against kamailio -c' % (checked, len(core_params)))
    print('%d passed, %d failed' % (0 if problems else 1, 1 if problems else 0))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
