#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""vns's KUnit results from a guest's kernel log, read by the kernel's own parser.

    scripts/kunit-results.py --kunit LINUX/tools/testing/kunit/kunit.py LOG

The module's #[kunit_tests] suites run at every insmod, so the log holds one KTAP document per load. Each
distinct document whose suites are vns's (named vns*) goes through `kunit.py parse --json`; the kernel's own
boot-time suites are not vns's tests. Prints one TAP line per test case, "ok 0 SUITE.CASE" or
"not ok 0 SUITE.CASE": each case once, failed if any of its runs failed (or was skipped in one and not run in
another: a case missing from a later load counts as failed). Exits 1 when a document cannot be parsed.
"""
import argparse
import json
import re
import subprocess
import sys
import tempfile

TOP_RESULT = re.compile(r'^(not )?ok [0-9]+ ')
PLAN = re.compile(r'^1\.\.([0-9]+)')


def documents(lines):
    """Yields each top-level KTAP document: from "KTAP version 1" to its plan's last result."""
    doc, plan, seen = None, None, 0
    for line in lines:
        line = line.rstrip('\n')
        if line == 'KTAP version 1':
            if doc is not None:
                yield doc          # cut short (the next load began): the parser reports it
            doc, plan, seen = [line], None, 0
            continue
        if doc is None:
            continue
        doc.append(line)
        if plan is None:
            m = PLAN.match(line)
            if m:
                plan = int(m.group(1))
            continue
        if TOP_RESULT.match(line):
            seen += 1
            if seen == plan:
                yield doc
                doc = None
    if doc is not None:
        yield doc


def cases(group, prefix=''):
    """(SUITE.CASE, STATUS) for each case of a kunit_json group, suites nested in groups."""
    name = group.get('name', '')
    for case in group.get('test_cases', []):
        yield f'{name}.{case["name"]}', case['status']
    for sub in group.get('sub_groups', []):
        yield from cases(sub)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--kunit', required=True, help='tools/testing/kunit/kunit.py of the 7.3 tree')
    ap.add_argument('log')
    args = ap.parse_args()
    with open(args.log, errors='backslashreplace') as f:
        docs = [d for d in documents(f) if any(re.match(r'^\s+# Subtest: vns', l) for l in d)]
    unique = list(dict.fromkeys('\n'.join(d) + '\n' for d in docs))
    results, order, bad = {}, [], 0
    for text in unique:
        with tempfile.NamedTemporaryFile('w', suffix='.ktap') as src, \
                tempfile.NamedTemporaryFile('r', suffix='.json') as out:
            src.write(text)
            src.flush()
            run = subprocess.run([sys.executable, args.kunit, 'parse', '--json=' + out.name, src.name],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            try:
                tree = json.load(out)
            except ValueError:
                print(run.stdout, end='')
                print(f'kunit-results: kunit.py parse gave no JSON (exit {run.returncode})')
                bad += 1
                continue
        for name, status in cases(tree):
            name = name.split('.', 1)[1] if name.startswith('KUnit Test Group.') else name
            if name not in results:
                order.append(name)
                results[name] = []
            results[name].append(status)
    for name in order:
        runs = results[name]
        fail = any(s in ('FAIL', 'ERROR') for s in runs) or len(runs) < len(unique)
        skip = all(s == 'SKIP' for s in runs)
        print(f'{"not ok" if fail else "ok"} 0 {name}{" # SKIP" if skip and not fail else ""}')
    print(f'kunit-results: {len(docs)} loads, {len(unique)} distinct documents, {len(order)} cases',
          file=sys.stderr)
    return 1 if bad or not docs else 0


if __name__ == '__main__':
    sys.exit(main())
