#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks Documentation/: every Documentation/**/*.rst is parsed by docutils (a real reST parser, plain
# docutils: no Sphinx roles or directives) with warnings as errors, and must be listed in
# Documentation/index.rst (which must name no file that does not exist). Prints one "ok - docs: FILE" /
# "not ok - docs: FILE" line per file, with the parser's messages below a failure, and last
# "docs: N passed, N failed"; exits non-zero on any failure. Installs nothing: python3-docutils comes from
# scripts/setup.sh.
#
#   scripts/docs-check.sh [DOCDIR]     (default: Documentation/ next to this script's directory)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
docdir=${1:-$here/../Documentation}

if ! python3 -c 'import docutils.core' 2>/dev/null; then
	echo "not ok - docs: python3 with docutils is needed (Debian: python3-docutils, installed by 'make setup')"
	echo "docs: 0 passed, 1 failed"
	exit 1
fi
if [ ! -d "$docdir" ]; then
	echo "not ok - docs: no directory $docdir"
	echo "docs: 0 passed, 1 failed"
	exit 1
fi

exec python3 - "$(cd "$docdir" && pwd)" <<'PY'
import io
import os
import re
import sys

import docutils.core
import docutils.utils

docdir = sys.argv[1]
files = sorted(
    os.path.relpath(os.path.join(d, f), docdir)
    for d, _, names in os.walk(docdir)
    for f in names
    if f.endswith(".rst")
)

# The names index.rst lists: every token that ends in ".rst" (a relative path), wherever it appears.
listed = set()
index = os.path.join(docdir, "index.rst")
if os.path.isfile(index):
    with open(index, encoding="utf-8") as f:
        listed = set(re.findall(r"(?<![\w./-])([\w./-]+\.rst)\b", f.read()))

settings = {
    # Report every warning (level 2) and above, and collect them all rather than stop at the first.
    "report_level": 2,
    "halt_level": 5,
    # Literal blocks are not highlighted: no dependency on pygments.
    "syntax_highlight": "none",
    # Nothing outside the file is read or passed through.
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "input_encoding": "utf-8",
    "_disable_config": True,
}

passed = failed = 0
for rel in files:
    path = os.path.join(docdir, rel)
    problems = []
    stream = io.StringIO()
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        docutils.core.publish_doctree(
            text,
            source_path=path,
            settings_overrides=dict(settings, warning_stream=stream),
        )
    except (docutils.utils.SystemMessage, UnicodeDecodeError, OSError) as e:
        problems.append(str(e))
    problems += [l for l in stream.getvalue().splitlines() if l.strip()]
    if rel != "index.rst" and rel not in listed:
        problems.append(f"{rel}: not listed in Documentation/index.rst")
    if problems:
        failed += 1
        print(f"not ok - docs: {rel}")
        for p in problems:
            print(f"    {p}")
    else:
        passed += 1
        print(f"ok - docs: {rel}")

# index.rst itself must exist and name only files that exist.
if "index.rst" not in files:
    failed += 1
    print("not ok - docs: index.rst (missing)")
else:
    missing = sorted(n for n in listed if not os.path.isfile(os.path.join(docdir, n)))
    if missing:
        failed += 1
        print("not ok - docs: index.rst lists files that do not exist")
        for n in missing:
            print(f"    {n}")

print(f"docs: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
