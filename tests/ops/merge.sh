#!/usr/bin/env bash
# merge: per-node databases with overlapping windows give the same traffic as
# one collector that saw everything, without double counting; re-merging is
# idempotent; a bad input leaves the output as it was.
set -u
. "$(dirname "$0")/../lib.sh"
seed=$FLOWPOL_SRC/samples/seed/capture.pcap
py=/usr/bin/python3

# Node a hosts every client and sees all connections leave; node b hosts the
# namespace2 pods and sees the connections that arrive there a second time.
n=$($py "$FLOWPOL_SRC/tests/tools/pcap_select.py" "$seed" b.pcap 10.244.2.0/24) || fail "split"
[ "$n" -gt 0 ] || fail "no namespace2 events in the seed capture"
expect_exit 0 "$FLOWPOL" collect --db a.db --node node-a --pcap "$seed"
expect_exit 0 "$FLOWPOL" collect --db b.db --node node-b --pcap b.pcap
expect_exit 0 "$FLOWPOL" collect --db one.db --node node-a --pcap "$seed"

expect_exit 0 "$FLOWPOL" merge merged.db a.db b.db
"$FLOWPOL" flows --db merged.db > merged.tsv
cat <("$FLOWPOL" flows --db a.db) <("$FLOWPOL" flows --db b.db | tail -n +2) | sort > parts.tsv
sort merged.tsv > merged.sorted
diff -u parts.tsv merged.sorted || fail "merged rows are not the union of the node rows"

# Across nodes a connection seen twice counts once: per window and 5-tuple
# the largest node count, which must equal the single collector's rows.
q="SELECT window_start, hex(src), hex(dst), proto, dport, max(packets)
   FROM flows GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"
$py -c "import sqlite3,sys; [print(*r, sep='\t') for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])]" merged.db "$q" > m.txt
$py -c "import sqlite3,sys; [print(*r, sep='\t') for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])]" one.db "$q" > o.txt
[ -s o.txt ] || fail "single collector stored nothing"
diff -u o.txt m.txt || fail "merged traffic differs from one collector's"
grep -q node-b merged.tsv || fail "node b rows missing"

# Idempotent: merging the same inputs again (and the output into itself) changes nothing.
expect_exit 0 "$FLOWPOL" merge merged.db a.db b.db a.db
expect_exit 0 "$FLOWPOL" merge merged.db merged.db
"$FLOWPOL" flows --db merged.db | diff -u merged.tsv - || fail "re-merge changed the flows"

# Any number of inputs in one pass (SQLite's ATTACH would stop at ten):
# 24 copies of the two node databases merge to the same rows.
many=()
for i in $(seq 1 12); do cp a.db "a$i.db"; cp b.db "b$i.db"; many+=("a$i.db" "b$i.db"); done
expect_exit 0 "$FLOWPOL" merge many.db "${many[@]}"
"$FLOWPOL" flows --db many.db | diff -u merged.tsv - || fail "merging 24 inputs differs from merging 2"

# Central learning: the inventory database and the node databases merge into
# one model equal to the seed's, each cross-node connection counted once.
expect_exit 0 "$FLOWPOL" inventory --db inv.db --at 2026-11-26T10:00:00Z \
	"$FLOWPOL_SRC/samples/seed/inventory.json" >/dev/null
expect_exit 0 "$FLOWPOL" merge cluster.db inv.db a.db b.db
expect_exit 0 "$FLOWPOL" merge cluster.db inv.db b.db
expect_exit 0 "$FLOWPOL" learn --db cluster.db >/dev/null
"$FLOWPOL" workloads --db cluster.db | diff -u "$FLOWPOL_SRC/samples/seed/workloads.tsv" - ||
	fail "workloads learned from the merge differ from the seed's"
"$FLOWPOL" edges --db cluster.db | cut -f1-5 >edges.tsv
cut -f1-5 "$FLOWPOL_SRC/samples/seed/edges.tsv" | diff -u - edges.tsv ||
	fail "edges learned from the merge differ from the seed's (double counting?)"
[ "$(sqlite3 cluster.db 'SELECT count(*) FROM snapshots' 2>/dev/null ||
   $py -c "import sqlite3;print(sqlite3.connect('cluster.db').execute('select count(*) from snapshots').fetchone()[0])")" = 1 ] ||
	fail "the inventory snapshot was merged more than once"

# A foreign input: exit 2, named, and the output untouched.
echo "not a database at all, clearly not SQLite......................................" > junk.db
"$FLOWPOL" merge merged.db a.db junk.db 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "merge with a foreign input exited $rc"
grep -q "junk.db" err.txt || fail "error does not name the input: $(cat err.txt)"
"$FLOWPOL" flows --db merged.db | diff -u merged.tsv - || fail "failed merge changed the output"
expect_exit 2 "$FLOWPOL" merge merged.db 2>/dev/null
# A bad input does not leave a new, empty output behind.
"$FLOWPOL" merge fresh.db a.db junk.db 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "merge into a new output with a foreign input exited $rc"
[ ! -e fresh.db ] || fail "a failed merge created fresh.db"
pass
