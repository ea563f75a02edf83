#!/usr/bin/env python3
"""Build-time generator: reads the catalog data files (data/*.cat) and writes
the C++ tables that kamc_catalog compiles. Stdlib only. Any malformed line
stops the build with file:line, so a bad edit never reaches the tables.

Usage: gen_catalog.py OUTPUT.inc DATAFILE...
The line format is described in docs/catalog.md."""
import os
import re
import shlex
import sys

MAX_ARGS = 6  # Kamailio: MAX_ACTIONS - 2 parameters per module function
ROUTE_BITS = {
    'REQUEST_ROUTE': 1 << 0, 'FAILURE_ROUTE': 1 << 1, 'TM_ONREPLY_ROUTE': 1 << 2,
    'BRANCH_ROUTE': 1 << 3, 'ONSEND_ROUTE': 1 << 4, 'ERROR_ROUTE': 1 << 5,
    'LOCAL_ROUTE': 1 << 6, 'CORE_ONREPLY_ROUTE': 1 << 7, 'BRANCH_FAILURE_ROUTE': 1 << 8,
    'ONEVENT_ROUTE': 1 << 9,
    'ONREPLY_ROUTE': (1 << 2) | (1 << 7), 'EVENT_ROUTE': (1 << 0) | (1 << 9),
    'ANY_ROUTE': 0xFFFFFFFF,
}
ARG_KINDS = {'string': 'String', 'spv': 'Spv', 'int': 'Int', 'pvar': 'Pvar',
             'route': 'Route', 'regex': 'Regex', 'any': 'Any'}
PARAM_TYPES = {'int': 'Int', 'str': 'Str', 'int|str': 'IntOrStr'}
ASSIGN = {'str': 'String', 'int': 'Int', 'any': 'Any'}
CORE_TYPES = {'int': 'Int', 'sint': 'SignedInt', 'bool': 'Bool', 'string': 'String', 'name': 'StringOrName',
              'listen': 'Listen', 'hosts': 'HostList', 'ip': 'Ip', 'special': 'Special'}
KEYWORD_TYPES = {'str': 'Str', 'int': 'Int', 'ip': 'Ip', 'proto': 'Proto', 'special': 'Special'}
# native: planned/implemented by kamc's runtime; bare: the grammar also takes
# the name without "()"; shell: the first argument is run as a shell command;
# profile: the first argument names a dialog profile, looked up at start-up.
FUNCTION_FLAGS = ('native', 'bare', 'shell', 'profile')
KEYWORD_FLAGS = ('onsend', 'bareword')
MAX_REPLACEMENTS = 2  # Catalog.h kMaxReplacements
TR_PARAM_KINDS = {'int': 'Int', 'uint': 'Count', 'str': 'Str', 'text': 'Text', 'char': 'Char', 'sep': 'Separator',
                  'anysep': 'AnySeparator', 'subst': 'Subst'}
PV_FORM = re.compile(r'^\$([^()\[\]\s]+)(\(name\))?(\[index\])?$')


class DataError(Exception):
    pass


def cxx_string(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def split_fields(line):
    """Whitespace-separated fields; a final double-quoted field is the doc."""
    try:
        fields = shlex.split(line, posix=True)
    except ValueError as e:
        raise DataError(str(e))
    doc = ''
    if line.rstrip().endswith('"'):
        doc = fields.pop()
    return fields, doc


def take_option(fields, key):
    """Removes a key=value field and returns the value ('' when absent)."""
    for f in fields:
        if f.startswith(key + '='):
            fields.remove(f)
            return f[len(key) + 1:]
    return ''


def parse_mask(text):
    mask = 0
    for sym in text.split('|'):
        if sym == '0':
            continue
        if sym not in ROUTE_BITS:
            raise DataError('unknown route type %r' % sym)
        mask |= ROUTE_BITS[sym]
    return mask


def parse_arity(text):
    m = re.fullmatch(r'(\d)(?:-(\d))?', text)
    if not m:
        raise DataError('arity must be N or N-M, got %r' % text)
    lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
    if lo > hi or hi > MAX_ARGS:
        raise DataError('arity out of range 0..%d: %r' % (MAX_ARGS, text))
    return lo, hi


def parse_kinds(text, lo, hi):
    if text == '-':
        # A variable-arity row with no listed kinds accepts anything.
        return ['any'] * hi if lo != hi else []
    kinds = text.split(',')
    if len(kinds) != hi:
        raise DataError('%d argument kinds for arity %d' % (len(kinds), hi))
    for k in kinds:
        if k not in ARG_KINDS:
            raise DataError('unknown argument kind %r' % k)
    return kinds


def parse_function(module, fields, doc):
    if len(fields) < 5:
        raise DataError('function needs: NAME ARITY KINDS ROUTES')
    name, arity, kinds, routes = fields[1:5]
    flags = fields[5:]
    alias = take_option(flags, 'alias')
    unknown = [f for f in flags if f not in FUNCTION_FLAGS]
    if unknown:
        raise DataError('unknown function flag(s) %s' % unknown)
    lo, hi = parse_arity(arity)
    if 'bare' in flags and (module != 'core' or lo != 0):
        raise DataError('only core functions without arguments may be bare')
    return dict(module=module, name=name, lo=lo, hi=hi, kinds=parse_kinds(kinds, lo, hi),
                mask=parse_mask(routes), native='native' in flags, alias=alias,
                bare='bare' in flags, shell='shell' in flags, profile='profile' in flags, doc=doc)


def take_default(fields, value_type):
    """Removes a default=VALUE field and returns VALUE as a cfg literal ('' when
    absent): an int or a bool (yes/no) as written, a string in double quotes
    (default='' is the empty string, written "")."""
    for f in fields:
        if f.startswith('default='):
            fields.remove(f)
            value = f[len('default='):]
            if value_type == 'int':
                if not re.fullmatch(r'-?[0-9]+', value):
                    raise DataError('the default of an int must be an integer: %r' % value)
                return value
            if value_type == 'int|str' and re.fullmatch(r'-?[0-9]+', value):
                return value
            if value_type == 'bool':
                if value not in ('yes', 'no'):
                    raise DataError('the default of a bool is yes or no: %r' % value)
                return value
            if '\n' in value:
                raise DataError('a default is one line')
            return '"' + value.replace('\\', '\\\\').replace('"', '\\"') + '"'
    return ''


def parse_param(module, fields, doc):
    if len(fields) < 3:
        raise DataError('param needs: NAME TYPE [func] [dburl[=SWITCH]] [default=VALUE]')
    if fields[2] not in PARAM_TYPES:
        raise DataError('unknown param type %r' % fields[2])
    flags = fields[3:]
    default = take_default(flags, fields[2])
    db_switch = take_option(flags, 'dburl')
    db_url = db_switch != '' or 'dburl' in flags
    flags = [f for f in flags if f != 'dburl']
    if [f for f in flags if f != 'func'] or len(flags) > 1:
        raise DataError('param needs: NAME TYPE [func] [dburl[=SWITCH]] [default=VALUE]')
    if db_url and fields[2] != 'str':
        raise DataError('a dburl param must be a str param')
    return dict(module=module, name=fields[1], type=fields[2], func='func' in flags, doc=doc,
                db_url=db_url, db_switch=db_switch, default=default)


def parse_pv(module, fields, doc):
    from_message = fields[-1] == 'msg'
    if from_message:
        fields = fields[:-1]
    if len(fields) != 3:
        raise DataError('pv needs: FORM ACCESS [msg]')
    m = PV_FORM.match(fields[1])
    if not m:
        raise DataError('pv form must be $name, $name(name), $name[index] or both: %r' % fields[1])
    access = fields[2]
    if access != 'ro' and not (access.startswith('rw:') and access[3:] in ASSIGN):
        raise DataError('pv access must be ro or rw:str|int|any, got %r' % access)
    return dict(module=module, name=m.group(1), inner=bool(m.group(2)), index=bool(m.group(3)),
                assign=access[3:] if access != 'ro' else '', msg=from_message, doc=doc)


def parse_tr(module, fields, doc):
    if len(fields) != 4:
        raise DataError('tr needs: CLASS NAME PARAMS')
    kinds = [] if fields[3] == '-' else fields[3].split(',')
    required = 0
    for i, k in enumerate(kinds):
        optional = k.endswith('?')
        if k.rstrip('?') not in TR_PARAM_KINDS:
            raise DataError('transformation parameter must be one of %s: %r' % (', '.join(TR_PARAM_KINDS), k))
        if not optional:
            if required != i:
                raise DataError('a required parameter follows an optional one')
            required += 1
    return dict(module=module, cls=fields[1], name=fields[2], min=required, max=len(kinds),
                kinds=[k.rstrip('?') for k in kinds], doc=doc)


def parse_coreparam(fields, doc):
    alias = take_option(fields, 'alias')
    if len(fields) < 3 or fields[2] not in CORE_TYPES:
        raise DataError('coreparam needs: NAME TYPE [alias=NAME] [default=VALUE]')
    default = take_default(fields, {'int': 'int', 'sint': 'int', 'bool': 'bool'}.get(fields[2], 'str'))
    if len(fields) != 3:
        raise DataError('coreparam needs: NAME TYPE [alias=NAME] [default=VALUE]')
    if alias and default:
        raise DataError('an alias takes the default of the name it aliases')
    return dict(name=fields[1], type=fields[2], alias=alias, doc=doc, default=default)


def parse_keyword(fields, doc):
    alias = take_option(fields, 'alias')
    flags = [f for f in fields[3:] if f in KEYWORD_FLAGS]
    fields = [f for f in fields if f not in KEYWORD_FLAGS]
    if len(fields) != 3 or fields[2] not in KEYWORD_TYPES:
        raise DataError('keyword needs: NAME TYPE [onsend] [bareword] [alias=NAME]')
    if 'bareword' in flags and fields[2] not in ('str', 'ip'):
        raise DataError('only str and ip keywords take a bare word as their value')
    return dict(name=fields[1], type=fields[2], onsend='onsend' in flags, bareword='bareword' in flags,
                alias=alias, doc=doc)


def parse_removed(fields, doc):
    if len(fields) != 3:
        raise DataError('removed needs: NAME REPLACEMENTS (comma list or -)')
    replacements = [] if fields[2] == '-' else fields[2].split(',')
    if len(replacements) > MAX_REPLACEMENTS:
        raise DataError('at most %d replacements' % MAX_REPLACEMENTS)
    return dict(name=fields[1], replacements=replacements, doc=doc)


def read_file(path, cat):
    module = None
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            try:
                fields, doc = split_fields(line)
                kind = fields[0]
                if kind == 'module':
                    if module or len(fields) != 2:
                        raise DataError('one "module NAME" line per file')
                    module = fields[1]
                    cat['modules'].append(dict(name=module, doc=doc, file=os.path.basename(path)))
                elif kind == 'coreparam':
                    cat['coreparams'].append(parse_coreparam(fields, doc))
                elif kind == 'keyword':
                    cat['keywords'].append(parse_keyword(fields, doc))
                elif kind == 'removed':
                    cat['removed'].append(parse_removed(fields, doc))
                elif kind in ('function', 'param', 'pv', 'tr'):
                    if not module:
                        raise DataError('%s before the "module" line' % kind)
                    parser = {'function': parse_function, 'param': parse_param,
                              'pv': parse_pv, 'tr': parse_tr}[kind]
                    cat[kind].append(parser(module, fields, doc))
                else:
                    raise DataError('unknown record %r' % kind)
            except DataError as e:
                raise SystemExit('%s:%d: error: %s' % (path, lineno, e))


def check(cat):
    """Whole-catalog rules that no single line can break."""
    seen = {}
    for f in cat['function']:
        for n in range(f['lo'], f['hi'] + 1):
            key = (f['module'], f['name'], n)
            if key in seen:
                raise SystemExit('error: %s exports %s with %d arguments twice' % key)
            seen[key] = True
    names = [m['name'] for m in cat['modules']]
    if len(set(names)) != len(names):
        raise SystemExit('error: a module is defined in two files')
    for table, key in (('coreparams', 'name'), ('keywords', 'name')):
        items = [x[key] for x in cat[table]]
        dup = {x for x in items if items.count(x) > 1}
        if dup:
            raise SystemExit('error: duplicate %s: %s' % (table, sorted(dup)))
    for p in cat['coreparams']:
        if p['alias'] and p['alias'] not in {q['name'] for q in cat['coreparams']}:
            raise SystemExit('error: coreparam %s aliases unknown %s' % (p['name'], p['alias']))
    int_params = {(p['module'], p['name']) for p in cat['param'] if p['type'] == 'int'}
    for p in cat['param']:
        if p['db_switch'] and (p['module'], p['db_switch']) not in int_params:
            raise SystemExit('error: %s param %s: dburl=%s names no int param of the module' % (
                p['module'], p['name'], p['db_switch']))
    for r in cat['removed']:
        if r['name'] in names:
            raise SystemExit('error: removed module %s is a module of the catalog' % r['name'])
        for m in r['replacements']:
            if m not in names:
                raise SystemExit('error: removed module %s names unknown replacement %s' % (r['name'], m))


def emit(cat, out):
    # Core first, then modules by name: stable order for iteration and spans.
    modules = sorted(cat['modules'], key=lambda m: (m['name'] != 'core', m['name']))
    order = {m['name']: i for i, m in enumerate(modules)}
    w = []
    w.append('// Generated by tools/catalog/gen_catalog.py from tools/catalog/data. Do not edit.')
    fns = sorted(cat['function'], key=lambda f: order[f['module']])  # stable: file order kept
    prms = sorted(cat['param'], key=lambda p: order[p['module']])
    pvs = sorted(cat['pv'], key=lambda p: order[p['module']])
    trs = sorted(cat['tr'], key=lambda t: order[t['module']])

    w.append('inline constexpr FunctionInfo kFunctions[] = {')
    for f in fns:
        kinds = ', '.join('ArgKind::' + ARG_KINDS[k] for k in f['kinds'])
        w.append('  {%s, %s, %d, %d, {{%s}}, 0x%Xu, %s, %s, %s, %s, %s, %s},' % (
            cxx_string(f['module']), cxx_string(f['name']), f['lo'], f['hi'], kinds, f['mask'],
            'true' if f['native'] else 'false', cxx_string(f['alias']), cxx_string(f['doc']),
            'true' if f['bare'] else 'false', 'true' if f['shell'] else 'false',
            'true' if f['profile'] else 'false'))
    w.append('};')
    w.append('inline constexpr ParamInfo kParams[] = {')
    for p in prms:
        w.append('  {%s, %s, ParamType::%s, %s, %s, %s, %s, %s},' % (
            cxx_string(p['module']), cxx_string(p['name']), PARAM_TYPES[p['type']],
            'true' if p['func'] else 'false', cxx_string(p['doc']),
            'true' if p['db_url'] else 'false', cxx_string(p['db_switch']), cxx_string(p['default'])))
    w.append('};')
    w.append('inline constexpr PseudoVariableInfo kPseudoVariables[] = {')
    for p in pvs:
        w.append('  {%s, %s, %s, %s, PvAssign::%s, %s, %s},' % (
            cxx_string(p['module']), cxx_string(p['name']), 'true' if p['inner'] else 'false',
            'true' if p['index'] else 'false', ASSIGN.get(p['assign'], 'None'), cxx_string(p['doc']),
            'true' if p['msg'] else 'false'))
    w.append('};')
    w.append('inline constexpr TransformationInfo kTransformations[] = {')
    for t in trs:
        kinds = ', '.join('TrParamKind::' + TR_PARAM_KINDS[k] for k in t['kinds'])
        w.append('  {%s, %s, %s, %d, %d, {{%s}}, %s},' % (
            cxx_string(t['module']), cxx_string(t['cls']), cxx_string(t['name']), t['min'], t['max'],
            kinds, cxx_string(t['doc'])))
    w.append('};')

    def span_of(items, name):
        idx = [i for i, x in enumerate(items) if x['module'] == name]
        return (idx[0], len(idx)) if idx else (0, 0)

    w.append('inline constexpr ModuleInfo kModules[] = {')
    for m in modules:
        parts = []
        for arr, items in (('kFunctions', fns), ('kParams', prms), ('kPseudoVariables', pvs),
                           ('kTransformations', trs)):
            start, count = span_of(items, m['name'])
            parts.append('std::span(%s).subspan(%d, %d)' % (arr, start, count))
        w.append('  {%s, %s, %s},' % (cxx_string(m['name']), cxx_string(m['doc']), ', '.join(parts)))
    w.append('};')

    # Name-sorted indexes: lookups are binary searches, tables stay in file order.
    def index(name, items, key):
        order_ = sorted(range(len(items)), key=lambda i: (key(items[i]), i))
        w.append('inline constexpr std::uint16_t %s[] = {%s};' % (
            name, ', '.join(str(i) for i in order_) or '0'))
    assert len(fns) < 65536 and len(pvs) < 65536
    index('kFunctionsByName', fns, lambda f: f['name'])
    index('kPseudoVariablesByName', pvs, lambda p: p['name'])
    index('kModulesByName', modules, lambda m: m['name'])

    cps = sorted(cat['coreparams'], key=lambda p: p['name'])
    w.append('inline constexpr CoreParamInfo kCoreParams[] = {')
    for p in cps:
        w.append('  {%s, CoreValueType::%s, %s, %s, %s},' % (
            cxx_string(p['name']), CORE_TYPES[p['type']], cxx_string(p['alias']), cxx_string(p['doc']),
            cxx_string(p['default'])))
    w.append('};')
    kws = sorted(cat['keywords'], key=lambda k: k['name'])
    w.append('inline constexpr CoreKeywordInfo kCoreKeywords[] = {')
    for k in kws:
        w.append('  {%s, KeywordType::%s, %s, %s, %s, %s},' % (
            cxx_string(k['name']), KEYWORD_TYPES[k['type']], 'true' if k['onsend'] else 'false',
            cxx_string(k['alias']), cxx_string(k['doc']), 'true' if k['bareword'] else 'false'))
    w.append('};')
    rms = sorted(cat['removed'], key=lambda r: r['name'])
    w.append('inline constexpr RemovedModuleInfo kRemovedModules[] = {')
    for r in rms:
        w.append('  {%s, {{%s}}, %d, %s},' % (
            cxx_string(r['name']), ', '.join(cxx_string(m) for m in r['replacements']),
            len(r['replacements']), cxx_string(r['doc'])))
    w.append('};')
    text = '\n'.join(w) + '\n'
    # Rewrite only on change so an unchanged catalog does not recompile.
    if os.path.exists(out) and open(out, encoding='utf-8').read() == text:
        return
    with open(out, 'w', encoding='utf-8') as f:
        f.write(text)


def main(argv):
    if len(argv) < 3:
        raise SystemExit('usage: gen_catalog.py OUTPUT.inc DATAFILE...')
    cat = {k: [] for k in ('modules', 'function', 'param', 'pv', 'tr', 'coreparams', 'keywords', 'removed')}
    for path in sorted(argv[2:]):
        read_file(path, cat)
    check(cat)
    emit(cat, argv[1])


if __name__ == '__main__':
    main(sys.argv)
