#!/usr/bin/env bash
# flowpol graph on the seed model: one cluster per namespace with its
# workloads, every learned edge an arrow labelled proto/port, the same bytes
# every run, only DOT accepted, a missing database refused. Parsed by dot
# when graphviz happens to be installed.
set -u
. "$(dirname "$0")/../lib.sh"
S=$FLOWPOL_SRC/samples/seed
PY=/usr/bin/python3

"$FLOWPOL" collect --pcap "$S/capture.pcap" --node staging-node-1 >/dev/null 2>err.txt ||
	fail "collect: $(cat err.txt)"
"$FLOWPOL" inventory --at 2026-11-26T10:00:00Z "$S/inventory.json" >/dev/null 2>err.txt ||
	fail "inventory: $(cat err.txt)"
"$FLOWPOL" learn >/dev/null 2>err.txt || fail "learn: $(cat err.txt)"

# More than the seed: a second port on an existing pair (one arrow, two
# label lines) and peers that are not workloads.
"$PY" - "$FLOWPOL_DB" <<'EOF' || fail "adding edges"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executemany("INSERT INTO edges VALUES (?, ?, ?, ?, 1, 1795692304000000, "
              "1795692304000000, 'staging-node-1')", [
    ("ntierapp/frontend", "ntierapp/backend", 6, 8443),
    ("ntierapp/frontend", "external:192.0.2.10", 6, 443),
    ("node:10.224.0.4", "ntierapp/backend", 6, 8080),
    ("unknown:10.244.9.9", "namespace1/nginx-deployment", 1, 8 << 8),
])
c.commit()
EOF

"$FLOWPOL" graph >g1.dot 2>err.txt || fail "graph exited $?: $(cat err.txt)"
"$FLOWPOL" graph --format dot >g2.dot || fail "graph --format dot exited $?"
cmp -s g1.dot g2.dot || fail "two runs differ"
head -1 g1.dot | grep -qx "digraph flowpol {" || fail "not a digraph"
tail -1 g1.dot | grep -qx "}" || fail "graph not closed"

# One cluster per namespace that has workloads, each workload inside its own.
"$FLOWPOL" workloads >workloads.tsv || fail "workloads exited $?"
nns=0
for ns in $(tail -n +2 workloads.tsv | cut -f1 | sort -u); do
	[ "$(grep -cxF "  subgraph \"cluster_$ns\" {" g1.dot)" -eq 1 ] || fail "cluster of $ns not exactly once"
	nns=$((nns + 1))
done
[ "$nns" -ge 4 ] || fail "seed has only $nns namespaces"
[ "$(grep -c '^  subgraph ' g1.dot)" -eq "$nns" ] || fail "clusters for namespaces without workloads"
tail -n +2 workloads.tsv | while IFS=$'\t' read -r ns name kind sel pods; do
	awk -v c="  subgraph \"cluster_$ns\" {" -v n="    \"$ns/$name\" [" \
	    '$0 == c {on = 1; next} on && /^  }$/ {on = 0} on && index($0, n) == 1 {found = 1}
	     END {exit !found}' g1.dot || fail "workload $ns/$name not in cluster_$ns"
done || exit 1

# Every edge an arrow, its label holding the edge's proto/port.
"$FLOWPOL" edges >edges.tsv || fail "edges exited $?"
nedges=$(($(wc -l <edges.tsv) - 1))
[ "$nedges" -ge 10 ] || fail "only $nedges edges"
tail -n +2 edges.tsv | while IFS=$'\t' read -r src dst proto port rest; do
	line=$(grep -F "  \"$src\" -> \"$dst\" [label=\"" g1.dot)
	[ "$(printf '%s\n' "$line" | grep -c .)" -eq 1 ] || fail "arrow $src -> $dst not exactly once"
	lbl=${line#*label=\"}
	lbl=${lbl%%\"*}
	printf '%s' "$lbl" | sed 's/\\n/\n/g' | grep -qx "$proto${port:+/$port}" ||
		fail "arrow $src -> $dst: label '$lbl' lacks $proto/$port"
done || exit 1
grep -qF '"ntierapp/frontend" -> "ntierapp/backend" [label="tcp/80\ntcp/8443"];' g1.dot ||
	fail "two ports on one pair: $(grep 'frontend" -> "ntierapp/backend' g1.dot)"
npairs=$(tail -n +2 edges.tsv | cut -f1,2 | sort -u | wc -l)
[ "$(grep -c ' -> ' g1.dot)" -eq "$npairs" ] || fail "arrows for pairs without edges"
grep -qF '"external:192.0.2.10" [shape=octagon];' g1.dot || fail "external peer"
grep -qF '"node:10.224.0.4" [shape=box];' g1.dot || fail "node peer"
grep -qF '"unknown:10.244.9.9" [shape=diamond, color=red];' g1.dot || fail "unknown peer"

# Only DOT; a missing database is an error.
"$FLOWPOL" graph --format json >out.txt 2>err.txt
[ $? -eq 2 ] || fail "--format json: want exit 2"
[ -s err.txt ] || fail "--format json: no message"
# A graph that could not be written (full disk) is an error.
"$FLOWPOL" graph >/dev/full 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "graph to a full disk exited $rc, want 2"
grep -q "^flowpol: graph: writing the output: " err.txt || fail "write error: $(cat err.txt)"
"$FLOWPOL" graph --db "$WORK/missing.db" >out.txt 2>err.txt
[ $? -eq 2 ] || fail "missing database: want exit 2"
grep -q "no such database" err.txt || fail "missing database: $(cat err.txt)"
[ ! -e "$WORK/missing.db" ] || fail "graph created the database"
"$FLOWPOL" graph --help | grep -q "^usage: flowpol graph" || fail "--help"

if command -v dot >/dev/null; then
	dot -Tsvg g1.dot >g.svg 2>err.txt || fail "dot rejects the graph: $(cat err.txt)"
	grep -q "<svg" g.svg || fail "dot made no SVG"
fi
pass
