#!/bin/bash
# emit on a large learned model: 50 namespaces, 2,000 workloads, 50,000
# edges (10% to external addresses, many ports per pair). Prints wall time
# and peak RSS of a first emit into an empty directory and of a rerun that
# changes nothing. Needs a build (bash scripts/test.sh).
#   bash bench/emit.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
work=$(mktemp -d /tmp/flowpol-bench-emit.XXXXXX)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$here/emit-gen.py" 50 2000 50000 >"$work/model.sql"
"$build/tests/emit_fixture" "$work/m.db" "$work/model.sql"
/usr/bin/time -f "first emit: %e s, %M KB peak RSS" "$build/flowpol" emit --db "$work/m.db" --out "$work/out" 2>&1 | grep -v '^flowpol'
/usr/bin/time -f "unchanged rerun: %e s, %M KB peak RSS" "$build/flowpol" emit --db "$work/m.db" --out "$work/out" 2>&1 | grep -v '^flowpol'
echo "files: $(ls "$work/out" | wc -l), $(du -sh "$work/out" | cut -f1)"
