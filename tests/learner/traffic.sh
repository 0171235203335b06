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
# Then emit gives the committed policies (samples/traffic/policies), valid
# against the CRDs, with no node address outside the node set; diff right
# after emit finds no drift; the engine allows every observed flow (and
# probes from a pod's new node, a new load balancer client) and denies
# what was not seen; rescheduling the pods changes nothing and replacing
# the nodes changes only the node set. report names the DNS found and
# what each load balancer's clients become; after emit --strict, diff
# --strict lists a left-out workload's edges apart, not as drift.
set -u
. "$(dirname "$0")/../lib.sh"
S=$FLOWPOL_SRC/samples/traffic

"$FLOWPOL" inventory --at 2026-12-01T10:30:00Z "$S/inventory.yaml" >/dev/null || fail "inventory exited $?"
"$FLOWPOL" collect --pcap "$S/capture.pcap" --node node-a >/dev/null 2>&1 || fail "collect exited $?"
"$FLOWPOL" learn >learn.txt 2>learn.err || fail "learn exited $?: $(cat learn.err)"
grep -q "^learn: 11 pods in 9 workloads (0 merged); 21 flows: 21 resolved, 0 ambiguous, 0 unknown; 13 edges (period: the first flow to the last flow)$" learn.txt ||
	fail "learn summary: $(cat learn.txt)"
grep -q "^learn: 4 flows from a pod's own node need no rule" learn.txt || fail "host-local summary: $(cat learn.txt)"
grep -q "^learn: 3 IPv6 link-local or neighbour discovery flows skipped" learn.txt || fail "link-local summary"
grep -q "^learn: dns: NodeLocal DNSCache: workload kube-system/node-local-dns (DaemonSet node-local-dns) at 169.254.20.10,10.96.0.10,fd00:96::10$" learn.txt ||
	fail "dns finding: $(cat learn.txt)"
"$FLOWPOL" edges | cut -f1-5 >edges.tsv || fail "edges exited $?"
diff -u "$S/edges.tsv" edges.tsv || fail "edges differ from samples/traffic/edges.tsv"
"$FLOWPOL" workloads >workloads.tsv || fail "workloads exited $?"
diff -u "$S/workloads.tsv" workloads.tsv || fail "workloads differ from samples/traffic/workloads.tsv"
# workloads marks the hostNetwork ones (json and yaml carry host_network).
[ "$("$FLOWPOL" workloads -o json | /usr/bin/python3 -c '
import json, sys
print(",".join(w["namespace"] + "/" + w["name"] for w in json.load(sys.stdin)["items"] if w["host_network"]))')" = \
	"kube-system/node-local-dns,monitoring/node-exporter" ] || fail "workloads -o json does not mark hostNetwork"
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
# emit: the committed policies, valid against Calico's CRDs (the node set
# included), and no node address pinned in any rule.
"$FLOWPOL" emit --out out 2>emit.err || fail "emit: $(cat emit.err)"
diff -r "$S/policies" out || fail "emit differs from samples/traffic/policies"
/usr/bin/python3 "$FLOWPOL_SRC/tests/tools/crd_validate.py" --flowpol out >v.txt 2>&1 ||
	fail "CRD validation: $(cat v.txt)"
grep -q "^crd_validate: 9 documents, 0 invalid" v.txt || fail "validation: $(cat v.txt)"
grep -l "10\.0\.0\.[12]/32\|fd00:10::[12]/128" out/*.yaml | grep -qv flowpol-nodes.yaml &&
	fail "a node address outside the node set"
[ -e out/flowpol-monitoring-node-exporter.yaml ] && fail "a policy for a hostNetwork workload"
grep -q "node-exporter: never seen talking" emit.err && fail "a hostNetwork workload its peers call counted as silent"
# diff right after emit: no drift.
"$FLOWPOL" diff --policies out >diff.txt || fail "diff after emit exited $?: $(cat diff.txt)"
# The engine's proof: what must be allowed and what must be denied.
X() { # WANT SRC DST PROTO/PORT [REASON]
	local want=$1 rc
	shift
	"$FLOWPOL" explain --policies out "$@" >x.txt 2>&1; rc=$?
	case $want in
	allow) [ $rc -eq 0 ] || fail "explain $*: want allowed: $(cat x.txt)" ;;
	deny) [ $rc -eq 1 ] || fail "explain $*: want denied: $(cat x.txt)" ;;
	esac
}
X allow node:10.0.0.2 shop/cart tcp/8081	# a probe from cart's own node
grep -q "decided by: host to local workload" x.txt || fail "host-local reason: $(cat x.txt)"
X allow node:10.0.0.1 shop/web tcp/8080
X allow node:fd00:10::2 shop/web tcp/8080	# the remote node, IPv6
X allow shop/web shop/cart tcp/8081
X allow batch/report shop/cart tcp/8081
X allow shop/frontend shop/web tcp/8080
X allow monitoring/prometheus monitoring/node-exporter tcp/9100
X allow monitoring/prometheus node:10.0.0.2 tcp/9100
X allow shop/web 169.254.20.10 udp/53
X allow shop/cart 10.96.0.10 udp/53
X allow ops/operator service:default/kubernetes tcp/6443
X allow external:198.51.100.7 shop/frontend tcp/8443
X allow external:198.51.100.99 shop/frontend tcp/8443	# a new client
X allow external:2001:db8:77::1 shop/frontend tcp/8443
X allow shop/cart 169.254.169.254 tcp/80
X deny node:10.0.0.1 shop/cart tcp/8081	# a remote node, a port it never called
X deny node:10.0.0.2 shop/web tcp/8081
X deny external:198.51.100.7 shop/web tcp/8080	# not behind a load balancer
X deny shop/web service:default/kubernetes tcp/6443	# not an observed caller
X deny batch/report service:default/kubernetes tcp/6443
X deny shop/web shop/cart tcp/8082	# unobserved ports
X deny shop/frontend shop/web tcp/8443
X deny monitoring/prometheus node:10.0.0.1 tcp/9101
X deny external:198.51.100.7 shop/frontend tcp/8444
X deny shop/web 169.254.169.254 tcp/80
X deny shop/web 10.96.0.10 udp/54
# Stability: the pods moved to the other node (new names and addresses,
# probes from their new nodes) give the same bytes; replacing both nodes
# changes the node set only.
for m in reschedule replace-nodes; do
	/usr/bin/python3 "$FLOWPOL_SRC/tests/learner/traffic_variant.py" $m "$S" $m.yaml $m.txt ||
		fail "$m: variant"
	/usr/bin/python3 "$FLOWPOL_SRC/tests/tools/nflog_events.py" $m.pcap <$m.txt || fail "$m: capture"
	"$FLOWPOL" inventory --db $m.db --at 2026-12-01T10:30:00Z $m.yaml >/dev/null || fail "$m: inventory"
	"$FLOWPOL" collect --db $m.db --pcap $m.pcap --node node-a >/dev/null 2>&1 || fail "$m: collect"
	"$FLOWPOL" learn --db $m.db >/dev/null || fail "$m: learn"
	"$FLOWPOL" emit --db $m.db --out $m 2>/dev/null || fail "$m: emit"
done
diff -r out reschedule || fail "rescheduling the pods changed the policies"
[ "$(diff -rq out replace-nodes)" = "Files out/flowpol-nodes.yaml and replace-nodes/flowpol-nodes.yaml differ" ] ||
	fail "replacing the nodes: $(diff -r out replace-nodes)"
# After the reschedule, cart's probes come from node-a: allowed, unpoliced.
"$FLOWPOL" explain --db reschedule.db --policies out node:10.0.0.1 shop/cart tcp/8081 >x.txt ||
	fail "probe from cart's new node: $(cat x.txt)"
"$FLOWPOL" diff --db reschedule.db --policies out >/dev/null || fail "diff after the reschedule"
# emit --strict leaves out batch/report when its pods lose their own label
# (its selector falls back to the service account, which batch/worker
# shares): plain diff calls its edge drift; diff --strict lists it as left
# out by emit, exits 0 and proposes nothing.
/usr/bin/python3 -c '
import sys, yaml, copy
d = yaml.safe_load(open(sys.argv[1]))
for it in d["items"]:
    if it["kind"] == "Pod" and it["metadata"]["name"].startswith("report-"):
        del it["metadata"]["labels"]["app"]
        w = copy.deepcopy(it)
w["metadata"].update(name="worker", uid="uid-batch-worker", labels={"app": "worker"})
del w["metadata"]["ownerReferences"]
w["status"] = {"phase": "Running", "podIP": "10.42.1.80", "podIPs": [{"ip": "10.42.1.80"}]}
d["items"].append(w)
yaml.safe_dump(d, sys.stdout, sort_keys=True)' "$S/inventory.yaml" >inexact.yaml || fail "inexact variant"
"$FLOWPOL" inventory --db strict.db --at 2026-12-01T10:30:00Z inexact.yaml >/dev/null || fail "strict: inventory"
"$FLOWPOL" collect --db strict.db --pcap "$S/capture.pcap" --node node-a >/dev/null 2>&1 || fail "strict: collect"
"$FLOWPOL" learn --db strict.db >/dev/null 2>&1 || fail "strict: learn"
"$FLOWPOL" emit --db strict.db --strict --out strict 2>/dev/null || fail "strict: emit"
[ -e strict/flowpol-batch-report.yaml ] && fail "emit --strict wrote batch/report's policy"
"$FLOWPOL" diff --db strict.db --policies strict >strict1.txt; rc=$?
[ $rc -eq 1 ] || fail "plain diff of a --strict set: want drift (1), got $rc"
"$FLOWPOL" diff --db strict.db --strict --policies strict >strict2.txt || fail "diff --strict exited $?: $(cat strict2.txt)"
grep -q "^flowpol diff: 0 of 13 observed edges would be denied" strict2.txt || fail "diff --strict: $(head -1 strict2.txt)"
grep -A1 "^Left out by emit (--strict" strict2.txt | grep -qx "  batch/report -> shop/cart tcp/8081" ||
	fail "diff --strict: left out: $(cat strict2.txt)"
grep -q "^Proposed by emit (compared with strict): 0 added, 0 changed, 0 removed" strict2.txt || fail "diff --strict proposals"
# report names the DNS learn found, with its evidence (the same text), and
# what each load balancer's clients become: kept addresses under Local,
# node addresses (the node set) under Cluster.
"$FLOWPOL" report --no-record >report.md || fail "report exited $?"
grep -qxF "| Cluster DNS | $(sed -n 's/^learn: dns: //p' learn.txt) |" report.md || fail "report's DNS: $(grep DNS report.md)"
grep -q "^- shop/frontend (externalTrafficPolicy: Local): clients keep their addresses; .* from anywhere outside the cluster's pod and service ranges\.$" report.md ||
	fail "report's load balancer (Local): $(cat report.md)"
sed 's/externalTrafficPolicy: Local/externalTrafficPolicy: Cluster/' "$S/inventory.yaml" >etp-cluster.yaml
cp "$FLOWPOL_DB" etp.db
"$FLOWPOL" inventory --db etp.db --at 2026-12-01T10:31:00Z etp-cluster.yaml >/dev/null || fail "inventory (Cluster)"
"$FLOWPOL" report --db etp.db --no-record >etp.md || fail "report (Cluster) exited $?"
grep -q "^- shop/frontend (externalTrafficPolicy: Cluster): kube-proxy translates its clients to node addresses, so they arrive as nodes and are covered by the node set" etp.md ||
	fail "report's load balancer (Cluster): $(grep -A3 'Load balancers' etp.md)"
pass
