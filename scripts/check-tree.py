#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Structural checks of the repository, run by `make check` (Documentation/vns.rst "Code map").

  layers   the module's files (rust/vns) form no import cycle (read from every `crate::<module>` path),
           and sys/ uses nothing of the module but itself and vns-core (`crate::vcore`);
  sizes    no source file over 500 lines (tests and the STM32 port included; generated files excepted);
  refs     nothing in the repository points outside it (the old external contract, by path or section);
  shim     the `extern "C"` declarations in rust/vns/sys/shim.rs match the prototypes of
           rust/vns/vns_shim.h, name by name and argument by argument, and the shared structs have the
           same fields in the same order.

Prints one "ok - tree: ..." or "not ok - tree: ..." line per check, then "tree: N passed, N failed".
"""
import os
import re
import subprocess
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
MODULE = os.path.join(TOP, 'rust', 'vns')
MAX_LINES = 500
SOURCE_EXT = ('.rs', '.c', '.h', '.py', '.sh')
GENERATED = ('Cargo.lock',)


def module_files():
    """(module name, path) of every Rust file of the module; sys/* is one module, `sys`."""
    out = []
    for root, _, files in os.walk(MODULE):
        for f in sorted(files):
            if not f.endswith('.rs'):
                continue
            path = os.path.join(root, f)
            rel = os.path.relpath(path, MODULE)
            name = 'sys' if rel.startswith('sys' + os.sep) else rel[:-3]
            if name == 'vns_main':
                name = 'crate'
            out.append((name, path))
    return out


def check_layers():
    edges = {}
    errors = []
    for name, path in module_files():
        text = open(path).read()
        # `use crate::{a, b::c}` lists and inline `crate::x::...` paths.
        deps = set(re.findall(r'crate::([a-z_][a-z0-9_]*)', text))
        for block in re.findall(r'use crate::\{(.*?)\};', text, re.S):
            deps |= set(re.findall(r'^\s*([a-z_][a-z0-9_]*)\b', block, re.M))
        deps.discard(name)
        deps -= {'self', 'super', 'vcore'}
        if name == 'sys':
            bad = sorted(d for d in deps if d != 'sys')
            if bad:
                errors.append('%s: sys/ uses crate::%s' % (os.path.relpath(path, TOP), ', crate::'.join(bad)))
            deps = set()
        edges.setdefault(name, set()).update(d for d in deps if d != 'sys')
    # Cycles, by depth-first search.
    state = {}
    stack = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(edges.get(n, ())):
            if state.get(m) == 1:
                errors.append('import cycle: ' + ' -> '.join(stack[stack.index(m):] + [m]))
            elif m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(edges):
        if n not in state:
            visit(n)
    return errors


def tracked_files():
    out = subprocess.run(['git', '-C', TOP, 'ls-files', '--cached', '--others', '--exclude-standard'],
                         capture_output=True, text=True, check=True).stdout.split()
    return [f for f in out if os.path.isfile(os.path.join(TOP, f))]


def check_sizes():
    errors = []
    for f in tracked_files():
        if not f.endswith(SOURCE_EXT) or os.path.basename(f) in GENERATED:
            continue
        n = sum(1 for _ in open(os.path.join(TOP, f), errors='replace'))
        if n > MAX_LINES:
            errors.append('%s: %d lines (at most %d)' % (f, n, MAX_LINES))
    return errors


def check_refs():
    errors = []
    # The old external contract, by path or by its section signs.
    pattern = re.compile('|'.join(map(re.escape, ['..' + '/shared', 'shared' + '/spec', 'vns-v1' + '.md',
                                                  'spec ' + '\u00a7'])))
    for f in tracked_files():
        try:
            text = open(os.path.join(TOP, f)).read()
        except UnicodeDecodeError:
            continue
        for i, line in enumerate(text.splitlines(), 1):
            if pattern.search(line):
                errors.append('%s:%d: points outside the repository' % (f, i))
    return errors


C_TYPES = {
    'int': 'c_int', 'unsigned int': 'c_uint', 'long': 'c_long', 'bool': 'bool', 'u32': 'u32', 'u64': 'u64', 's32': 'i32',
    'void': '()', 'char *': '*mut c_char', 'const char *': '*const c_char',
}


def c_type(t):
    t = ' '.join(t.replace('*', ' * ').split())
    t = re.sub(r'\s+\*', ' *', t).replace('* ', '*')
    if t in C_TYPES:
        return C_TYPES[t]
    if t.endswith('*'):
        base = t[:-1].strip()
        const = base.startswith('const ')
        base = base[6:] if const else base
        name = {'struct task_struct': 'RawTask', 'struct vns_uts': 'RawUts', 'struct vns_task_facts': 'RawTaskFacts',
                'struct vns_hooks': 'RawHooks', 'struct vns_timespec': 'RawTimespec',
                'struct vns_task_access': 'RawTaskAccess', 'struct vns_anon_ops': 'RawAnonOps',
                'struct file': 'RawFile', 'struct file *': '*mut RawFile', 'void *': '*mut c_void',
                'void': 'c_void'}.get(base, base)
        return ('*const ' if const else '*mut ') + name
    return t


def check_shim():
    errors = []
    header = open(os.path.join(MODULE, 'vns_shim.h')).read()
    c_protos = {}
    for ret, name, args in re.findall(r'^([\w ]+?\*?)\s*(vns_shim_\w+)\(([^)]*)\);', header, re.M):
        params = [] if args.strip() == 'void' else [a.strip() for a in args.split(',')]
        types = [c_type(re.sub(r'\s*\b\w+$', '', p)) for p in params]
        c_protos[name] = (c_type(ret.strip()), types)
    shim = open(os.path.join(MODULE, 'sys', 'shim.rs')).read()
    rust = {}
    for name, args, ret in re.findall(r'fn (vns_shim_\w+)\(([^)]*)\)(?:\s*->\s*([^;]+))?;', shim):
        params = [a.strip() for a in args.split(',') if a.strip()]
        types = [p.split(':', 1)[1].strip() for p in params]
        rust[name] = ((ret or '()').strip(), types)
    # The structs the two sides share: the same fields, in the same order.
    for c_name, r_name in (('vns_task_facts', 'RawTaskFacts'), ('vns_opener', 'RawOpener'),
                           ('vns_hooks', 'RawHooks'), ('vns_timespec', 'RawTimespec'),
                           ('vns_task_access', 'RawTaskAccess'), ('vns_anon_ops', 'RawAnonOps')):
        m = re.search(r'struct %s \{(.*?)\};' % c_name, header, re.S)
        r = re.search(r'struct %s \{(.*?)\n\}' % r_name, shim, re.S)
        if not m or not r:
            errors.append('struct %s / %s: not found' % (c_name, r_name))
            continue
        c_fields = []
        for decl in re.sub(r'/\*.*?\*/', '', m.group(1), flags=re.S).split(';'):
            fp = re.search(r'\(\*(\w+)\)', decl)
            names = [fp.group(1)] if fp else re.findall(r'(\w+)\s*(?:\[\d+\])?\s*(?:,|$)', decl.strip())
            c_fields += [n for n in names if n]
        r_fields = re.findall(r'pub\(super\) (\w+):', r.group(1))
        if c_fields != r_fields:
            errors.append('struct %s %s, %s %s' % (c_name, c_fields, r_name, r_fields))
    for name in sorted(set(c_protos) | set(rust)):
        if name not in rust:
            errors.append('%s: in vns_shim.h, not declared in sys/shim.rs' % name)
        elif name not in c_protos:
            errors.append('%s: declared in sys/shim.rs, not in vns_shim.h' % name)
        elif c_protos[name] != rust[name]:
            errors.append('%s: C %s, Rust %s' % (name, c_protos[name], rust[name]))
    return errors


def main():
    checks = [('no import cycle, sys/ depends only downward', check_layers),
              ('no source file over %d lines' % MAX_LINES, check_sizes),
              ('no reference outside the repository', check_refs),
              ('sys/shim.rs matches vns_shim.h', check_shim)]
    passed = failed = 0
    for title, fn in checks:
        errors = fn()
        if errors:
            failed += 1
            print('not ok - tree: ' + title)
            for e in errors:
                print('    ' + e)
        else:
            passed += 1
            print('ok - tree: ' + title)
    print('tree: %d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
