#!/usr/bin/env bash
# The traffic scenario (samples/traffic/): a committed inventory and capture
# holding every class of real-cluster traffic. learn gives exactly the
# committed edges and workloads: probes from a pod's own node make no edge
# (host_local), a remote node is node:IP, hostNetwork node-exporter is a
# marked workload reached on its node's port, ClusterIPs resolve to their
# backends at the target port (named, and from an EndpointSlice) with IPVS
# double logging counted once, the API server is service:default/kubernetes,
# NodeLocal DNS (link-local address and kube-dns ClusterIP) is the
# node-local-dns workload, a finished CronJob pod is attributed, cloud
# metadata stays exact egress, IPv6 link-local and ND never become edges.
set -u
. "$(dirname "$0")/../lib.sh"
S=$FLOWPOL_SRC/samples/traffic

"$FLOWPOL" inventory --at 2026-12-01T10:30:00Z "$S/inventory.yaml" >/dev/null || fail "inventory exited $?"
"$FLOWPOL" collect --pcap "$S/capture.pcap" --node node-a >/dev/null 2>&1 || fail "collect exited $?"
"$FLOWPOL" learn >learn.txt 2>learn.err || fail "learn exited $?: $(cat learn.err)"
grep -q "^learn: 11 pods in 9 workloads (0 merged); 21 flows: 21 resolved, 0 ambiguous, 0 unknown; 13 edges$" learn.txt ||
	fail "learn summary: $(cat learn.txt)"
grep -q "^learn: 4 flows from a pod's own node need no rule" learn.txt || fail "host-local summary: $(cat learn.txt)"
grep -q "^learn: 3 IPv6 link-local or neighbour discovery flows skipped" learn.txt || fail "link-local summary"
grep -q "^learn: dns: NodeLocal DNSCache: workload kube-system/node-local-dns (DaemonSet node-local-dns) at 169.254.20.10,10.96.0.10,fd00:96::10$" learn.txt ||
	fail "dns finding: $(cat learn.txt)"
"$FLOWPOL" edges | cut -f1-5 >edges.tsv || fail "edges exited $?"
diff -u "$S/edges.tsv" edges.tsv || fail "edges differ from samples/traffic/edges.tsv"
"$FLOWPOL" workloads >workloads.tsv || fail "workloads exited $?"
diff -u "$S/workloads.tsv" workloads.tsv || fail "workloads differ from samples/traffic/workloads.tsv"
# No node address becomes a peer of its own pods; none is named unknown.
grep -q "^node:10\.0\.0\.1	" edges.tsv && fail "node-a's probes became an edge"
grep -q "unknown:" edges.tsv && fail "an address stayed unknown"
[ "$(sqlite3 "$FLOWPOL_DB" "SELECT node || ' ' || dst || ' ' || port || ' ' || connections FROM host_local ORDER BY node")" = "node-a shop/web 8080 6
node-b shop/cart 8081 3" ] || fail "host-local traffic: $(sqlite3 "$FLOWPOL_DB" "SELECT * FROM host_local")"
[ "$(sqlite3 "$FLOWPOL_DB" "SELECT group_concat(namespace || '/' || name) FROM (SELECT * FROM workload_notes WHERE host_network = 1 ORDER BY 1, 2)")" = \
	"kube-system/node-local-dns,monitoring/node-exporter" ] || fail "hostNetwork workloads"
# IPVS: the connection logged at the ClusterIP and at the pod counts once
# (2 over IPv4, 1 over IPv6).
[ "$(sqlite3 "$FLOWPOL_DB" "SELECT connections FROM edges WHERE src = 'shop/web' AND dst = 'shop/cart'")" = 3 ] ||
	fail "IPVS double logging counted twice"
# Who backs each Service port over the period (what emit needs for a
# LoadBalancer's clients).
[ "$(sqlite3 "$FLOWPOL_DB" "SELECT group_concat(name || ' ' || type || ' ' || workload || ' ' || port, ';') FROM (SELECT * FROM service_backends ORDER BY 1, 2, 4, 5, 6)")" = \
	"kube-dns ClusterIP kube-system/coredns 53;kube-dns ClusterIP kube-system/coredns 53;cart ClusterIP shop/cart 8081;frontend LoadBalancer shop/frontend 8443;web ClusterIP shop/web 8080" ] ||
	fail "service backends: $(sqlite3 "$FLOWPOL_DB" "SELECT * FROM service_backends")"
# Re-running learn gives the same model.
"$FLOWPOL" learn >/dev/null || fail "second learn"
"$FLOWPOL" edges | cut -f1-5 | cmp -s - edges.tsv || fail "second learn changed the edges"
pass
