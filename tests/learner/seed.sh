#!/usr/bin/env bash
# The seed scenario: samples/seed/inventory.json (kubectl get ... -o json at
# 10:00) plus flow rows that mirror the seed capture's traffic plan give the
# six workloads of sampleworkloads.yaml plus kube-dns, with app == '...'
# selectors, exactly the planned edges, and a re-run gives the same model.
set -u
. "$(dirname "$0")/../lib.sh"
D=$FLOWPOL_SRC/tests/data/learner
S=$FLOWPOL_SRC/samples/seed

"$FLOWPOL" inventory --at 2026-11-26T10:00:00Z "$S/inventory.json" >out.txt || fail "inventory exited $?"
grep -q "8 pods, 0 workload endpoints, 7 namespaces, 1 nodes, 5 services" out.txt || fail "inventory summary: $(cat out.txt)"
/usr/bin/python3 "$FLOWPOL_SRC/tests/learner/flowrows.py" "$FLOWPOL_DB" <"$D/seed-flows.txt" || fail "inserting flows"
"$FLOWPOL" learn >learn.txt 2>learn.err || fail "learn exited $?: $(cat learn.err)"
[ ! -s learn.err ] || fail "learn warned: $(cat learn.err)"
# kube-proxy (hostNetwork) is a workload too.
grep -q "^learn: 8 pods in 8 workloads (0 merged); 10 flows: 10 resolved, 0 ambiguous, 0 unknown; 6 edges (period: the first flow to the last flow)$" learn.txt ||
	fail "learn summary: $(cat learn.txt)"
"$FLOWPOL" workloads >workloads.tsv || fail "workloads exited $?"
diff -u "$S/workloads.tsv" workloads.tsv || fail "workloads differ from samples/seed/workloads.tsv"
"$FLOWPOL" edges >edges.tsv || fail "edges exited $?"
diff -u "$D/seed-edges.tsv" edges.tsv || fail "edges differ from the plan"
# The traffic plan, independently of the golden file: exactly these edges.
cut -f1-5 edges.tsv >got.txt
cat >want.txt <<'X'
src	dst	proto	port	connections
namespace1/busybox-deployment	kube-system/coredns	udp	53	2
namespace1/busybox-deployment	namespace1/nginx-deployment	tcp	80	3
namespace1/busybox-deployment	namespace2/nginx-deployment	tcp	80	2
namespace2/busybox-deployment	kube-system/coredns	udp	53	2
ntierapp/frontend	kube-system/coredns	udp	53	2
ntierapp/frontend	ntierapp/backend	tcp	80	4
X
diff -u want.txt got.txt || fail "edges are not the traffic plan"
# hostNetwork kube-proxy is a workload, marked so (Calico gives it no
# endpoint); pods.workload is set.
[ "$(sqlite3 "$FLOWPOL_DB" "SELECT namespace || '/' || name FROM workload_notes WHERE host_network = 1")" = kube-system/kube-proxy ] ||
	fail "hostNetwork kube-proxy is not a marked workload"
[ "$(sqlite3 "$FLOWPOL_DB" "SELECT workload FROM pods WHERE name LIKE 'nginx-deployment-%' AND namespace = 'namespace2'")" = namespace2/nginx-deployment ] ||
	fail "pods.workload not filled"
[ "$(sqlite3 "$FLOWPOL_DB" "SELECT labels FROM namespaces WHERE name = 'ntierapp'")" = "$(printf 'kubernetes.io/metadata.name=ntierapp\nname=ntierapp')" ] ||
	fail "namespace labels: $(sqlite3 "$FLOWPOL_DB" "SELECT labels FROM namespaces WHERE name = 'ntierapp'")"
# Re-runnable: the same database gives byte-identical output.
"$FLOWPOL" learn >/dev/null || fail "second learn exited $?"
"$FLOWPOL" workloads | cmp -s - workloads.tsv || fail "workloads changed on re-run"
"$FLOWPOL" edges | cmp -s - edges.tsv || fail "edges changed on re-run"
# JSON forms parse and say the same.
"$FLOWPOL" workloads --format json | /usr/bin/python3 -c '
import json, sys
w = json.load(sys.stdin)["items"]
assert len(w) == 8, w
assert {"namespace": "ntierapp", "name": "backend", "kind": "Deployment", "selector": "app == '"'"'backend'"'"'", "pods": 1, "members": ["Deployment/backend"], "exact": True, "host_network": False} in w, w
assert [x["name"] for x in w if x["host_network"]] == ["kube-proxy"], w
' || fail "workloads --format json"
"$FLOWPOL" edges --format json | /usr/bin/python3 -c '
import json, sys
e = json.load(sys.stdin)["items"]
assert len(e) == 6 and all(x["nodes"] == ["staging-node-1"] for x in e), e
assert e[-1]["src"] == "ntierapp/frontend" and e[-1]["port"] == 80 and e[-1]["connections"] == 4, e[-1]
' || fail "edges --format json"
# status: coverage per namespace and collector loss.
"$FLOWPOL" status --now 2026-11-26T14:00:00Z >status.txt || fail "status exited $?"
grep -q "^kube-system	5	5	0	0	2026-11-26T13:01:00Z	3540$" status.txt || fail "status kube-system: $(cat status.txt)"
grep -q "^namespace1	5	5	0	0	2026-11-26T12:20:00Z	6000$" status.txt || fail "status namespace1: $(cat status.txt)"
grep -q "^staging-node-1	6	17	0	0	0.000$" status.txt || fail "status collector: $(cat status.txt)"
# Loss is reported for the learning period only.
"$FLOWPOL" learn --until 2026-11-26T12:00:00Z >/dev/null || fail "learn --until"
"$FLOWPOL" status | grep -q "^staging-node-1	3	9	0	0	0.000$" || fail "status in period: $("$FLOWPOL" status)"
"$FLOWPOL" learn >/dev/null || fail "learn again"
"$FLOWPOL" status --format json | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["namespaces"]) == 4 and d["collector"][0]["received"] == 17, d' ||
	fail "status --format json"
pass
