#!/usr/bin/env bash
# flowpol graph on the seed model: one cluster per namespace with its
# workloads, every learned edge an arrow labelled proto/port (--dns), DNS
# folded by default, --namespace, Mermaid, the same bytes every run, a
# missing database refused; Graphviz's dot renders the seed and a generated
# 100-workload cluster without a message; at 2,000 workloads Mermaid folds
# per namespace within Mermaid's limits and says so.
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

"$FLOWPOL" graph --dns >g1.dot 2>err.txt || fail "graph exited $?: $(cat err.txt)"
"$FLOWPOL" graph --dns --format dot >g2.dot || fail "graph --format dot exited $?"
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

command -v dot >/dev/null || fail "Graphviz's dot is missing (scripts/deps.sh installs graphviz)"
dot -Tsvg g1.dot >g.svg 2>err.txt || fail "dot rejects the graph: $(cat err.txt)"
grep -q "<svg" g.svg || fail "dot made no SVG"
[ ! -s err.txt ] || fail "dot: $(cat err.txt)"

# DNS folded by default: no arrow on port 53 to the DNS workload, a count on it.
"$FLOWPOL" graph >d.dot || fail "graph (DNS folded)"
ndns=$(tail -n +2 edges.tsv | awk -F'\t' '$2 == "kube-system/coredns" && $4 == 53' | wc -l)
[ "$ndns" -ge 3 ] || fail "the seed has only $ndns DNS edges"
grep -q -- '-> "kube-system/coredns"' d.dot && fail "a DNS arrow was drawn"
grep -qF "\"kube-system/coredns\" [label=\"coredns\nDeployment\nDNS from $ndns edges (folded)\"" d.dot ||
	fail "DNS count: $(grep coredns d.dot)"
grep -qx "  // $ndns DNS edges folded into their DNS workloads (--dns draws them)" d.dot || fail "fold comment"

# --namespace: only arrows with an end there; the other end's workload drawn.
"$FLOWPOL" graph --namespace ntierapp --namespace namespace2 >n.dot || fail "graph --namespace"
grep ' -> ' n.dot | grep -v '"ntierapp/\|"namespace2/' && fail "--namespace drew other arrows"
grep -q '"ntierapp/frontend" -> "ntierapp/backend"' n.dot || fail "--namespace lost an arrow"
grep -q '"namespace1/busybox-deployment" -> "namespace2/nginx-deployment"' n.dot ||
	fail "--namespace lost an arrow into namespace2"
"$FLOWPOL" graph --namespace ntierapp >n1.dot || fail "graph --namespace ntierapp"
[ "$(grep -c '^  subgraph ' n1.dot)" -eq 1 ] || fail "--namespace ntierapp drew other namespaces"
dot -Tsvg n.dot >/dev/null 2>err.txt && [ ! -s err.txt ] || fail "dot on --namespace: $(cat err.txt)"
expect_exit 2 "$FLOWPOL" graph --namespace 'Not_A_Namespace' >/dev/null 2>&1

# Mermaid: the same arrows, one subgraph per namespace.
"$FLOWPOL" graph --dns --format mermaid >g.mmd || fail "graph --format mermaid"
head -1 g.mmd | grep -qx "flowchart LR" || fail "not a Mermaid flowchart"
[ "$(grep -c -- ' -->|' g.mmd)" -eq "$npairs" ] || fail "Mermaid arrows"
[ "$(grep -c '^  subgraph s[0-9]*\["' g.mmd)" -eq "$nns" ] || fail "Mermaid subgraphs"
grep -q '\["backend<br/>Deployment"\]' g.mmd || fail "Mermaid node label"
grep -q -- '-->|"tcp/80<br/>tcp/8443"|' g.mmd || fail "Mermaid edge label"

# A generated cluster of 100 workloads renders with dot, no message.
"$PY" "$FLOWPOL_SRC/bench/emit-gen.py" 10 100 200 >m100.sql && "$EMIT_FIXTURE" m100.db m100.sql ||
	fail "100-workload model"
"$FLOWPOL" graph --db m100.db >m100.dot || fail "graph of 100 workloads"
dot -Tsvg m100.dot >m100.svg 2>err.txt || fail "dot exited $?"
[ ! -s err.txt ] || fail "dot on 100 workloads: $(head -3 err.txt)"
[ "$(grep -c " -> " m100.dot)" -gt 150 ] || fail "the 100-workload graph is too small"

# 2,000 workloads: Mermaid folds per namespace within its limits, and says so.
"$PY" "$FLOWPOL_SRC/bench/emit-gen.py" 50 2000 6000 >m2k.sql && "$EMIT_FIXTURE" m2k.db m2k.sql ||
	fail "2,000-workload model"
"$FLOWPOL" graph --db m2k.db --format mermaid >m2k.mmd 2>err.txt || fail "mermaid of 2,000 workloads: $(cat err.txt)"
grep -q "^flowpol: graph: [0-9]* arrows are more than Mermaid draws (500 edges, 50000 characters): folded per namespace into [0-9]* arrows, of which only the biggest are drawn (--namespace shows the rest)$" err.txt ||
	fail "folding not said: $(cat err.txt)"
grep -q "^  %% folded per namespace: .*; the [0-9]* smallest of [0-9]* namespace arrows (at most [0-9]* workload arrows each) left out$" m2k.mmd ||
	fail "folding not said in the graph: $(sed -n 2p m2k.mmd)"
[ "$(grep -c -- ' -->|' m2k.mmd)" -le 500 ] || fail "folded graph over 500 edges"
[ "$(wc -c <m2k.mmd)" -le 50000 ] || fail "folded graph over 50,000 characters"
grep -q '^  n[0-9]*\["ns001"\]$' m2k.mmd || fail "no namespace node"
# One namespace of the same cluster fits without folding.
"$FLOWPOL" graph --db m2k.db --format mermaid --namespace ns001 >ns1.mmd 2>err.txt || fail "mermaid --namespace"
[ ! -s err.txt ] && ! grep -q "folded per namespace" ns1.mmd || fail "one namespace was folded"
pass
