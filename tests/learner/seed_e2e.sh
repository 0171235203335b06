#!/usr/bin/env bash
# End to end on the real seed capture: collect --pcap -> inventory -> learn
# gives samples/seed/workloads.tsv and samples/seed/edges.tsv byte for byte.
set -u
. "$(dirname "$0")/../lib.sh"
S=$FLOWPOL_SRC/samples/seed

"$FLOWPOL" collect --pcap "$S/capture.pcap" --node staging-node-1 >/dev/null 2>err.txt ||
	fail "collect exited $?: $(cat err.txt)"
"$FLOWPOL" inventory --at 2026-11-26T10:00:00Z "$S/inventory.json" >/dev/null || fail "inventory exited $?"
"$FLOWPOL" learn >learn.txt 2>err.txt || fail "learn exited $?: $(cat err.txt)"
grep -q "6 flows: 6 resolved, 0 ambiguous, 0 unknown; 6 edges" learn.txt || fail "learn: $(cat learn.txt)"
"$FLOWPOL" workloads >workloads.tsv || fail "workloads exited $?"
diff -u "$S/workloads.tsv" workloads.tsv || fail "workloads differ from samples/seed/workloads.tsv"
"$FLOWPOL" edges >edges.tsv || fail "edges exited $?"
diff -u "$S/edges.tsv" edges.tsv || fail "edges differ from samples/seed/edges.tsv"
# The six workloads of sampleworkloads.yaml, each selected by its app label.
for w in namespace1/busybox-deployment:busybox namespace1/nginx-deployment:nginx \
    namespace2/busybox-deployment:busybox namespace2/nginx-deployment:nginx \
    ntierapp/frontend:frontend ntierapp/backend:backend; do
	ns=${w%%/*}; rest=${w#*/}; name=${rest%%:*}; app=${w##*:}
	grep -q "^$ns	$name	Deployment	app == '$app'	1$" workloads.tsv || fail "workload $w missing"
done
pass
