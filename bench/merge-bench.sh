#!/usr/bin/env bash
# merge at cluster scale: N per-node databases of ROWS distinct flow rows
# each (as a node's collector writes them: one day of 10-minute windows)
# merged into one by a single `flowpol merge` pass, timed with
# /usr/bin/time (elapsed seconds, peak RSS), for each N given.
#
# usage: bench/merge-bench.sh [BUILD_DIR] [ROWS] [N...]   (default 3000; 50 500 5000)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-release}
rows=${2:-3000}
shift 2 || shift $# || true
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(50 500 5000)
. "$src/bench/lib.sh"
bench_build "$build"
fp=$build/flowpol
work=$(mktemp -d /tmp/flowpol-bench-merge.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "flowpol merge benchmark: $rows flow rows per node ($(nproc) cores, $(uname -r), $(date -u +%Y-%m-%d))"
# A schema-complete empty database made by flowpol itself, then one copy per
# node filled with that node's rows.
echo '{"kind":"List","items":[]}' | "$fp" inventory --db "$work/empty.db" --at @1795644000 - >/dev/null
max=0
for n in "${counts[@]}"; do [ "$n" -gt "$max" ] && max=$n; done
/usr/bin/python3 - "$work" "$max" "$rows" <<'PY'
import os, random, shutil, sqlite3, sys
work, n, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
T0 = 1795651200
for i in range(n):
    rnd = random.Random(i)
    path = os.path.join(work, "node-%05d.db" % i)
    shutil.copyfile(os.path.join(work, "empty.db"), path)
    con = sqlite3.connect(path)
    con.execute("DELETE FROM snapshots")
    node = "node-%05d" % i
    pod_base = 0x0AF40000 + (i << 8)       # this node's pod range
    out = set()
    while len(out) < rows:
        w = T0 + rnd.randrange(144) * 600
        src = (pod_base + rnd.randrange(1, 100)).to_bytes(4, "big")
        dst = (0x0AF40000 + rnd.randrange(1 << 16)).to_bytes(4, "big")
        out.add((w, node, src, dst, 6, rnd.choice([80, 443, 8080, 5432])))
    con.executemany("INSERT INTO flows VALUES (?, ?, ?, ?, ?, ?, 1, ?1 * 1000000, ?1 * 1000000)",
                    sorted(out))
    con.executemany("INSERT INTO health(window_start, node, window_len, received, decoded)"
                    " VALUES (?, ?, 600, 1000, 1000)", [(T0 + k * 600, node) for k in range(144)])
    con.commit()
    con.close()
PY
for n in "${counts[@]}"; do
	rm -f "$work/out.db"
	files=()
	for ((i = 0; i < n; i++)); do files+=("$work/node-$(printf %05d "$i").db"); done
	measure "merge $n files" "$fp" merge "$work/out.db" "${files[@]}"
	got=$(/usr/bin/python3 -c "import sqlite3,sys;print(sqlite3.connect(sys.argv[1]).execute('select count(*) from flows').fetchone()[0])" "$work/out.db")
	echo "  $got flow rows, $(du -m "$work/out.db" | cut -f1) MiB"
	[ "$got" -eq $((n * rows)) ] || { echo "  CHECK FAILED: expected $((n * rows)) rows"; exit 1; }
done
