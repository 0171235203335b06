#!/usr/bin/env bash
# A rollout (new ReplicaSet: new pod names, hashes and IPs, one old IP
# reused by the new pods) gives identical workloads and selectors; a
# calicoctl WorkloadEndpoint snapshot gives the same workloads as pods.
set -u
. "$(dirname "$0")/../lib.sh"
D=$FLOWPOL_SRC/tests/data/learner

for n in 1 2; do
	f=$D/rollout-1.json; [ $n = 2 ] && f=$D/rollout-2.yaml
	"$FLOWPOL" inventory --db $n.db --at 2026-11-21T1${n}:00:00Z "$f" >/dev/null || fail "inventory $n"
	"$FLOWPOL" learn --allow-empty --db $n.db >/dev/null || fail "learn $n"
	"$FLOWPOL" workloads --db $n.db >w$n.tsv || fail "workloads $n"
done
cmp -s w1.tsv w2.tsv || fail "rollout changed the workloads: $(diff w1.tsv w2.tsv)"
grep -q "^shop2	web	Deployment	app == 'web'	2$" w1.tsv || fail "web workload: $(cat w1.tsv)"
# Both snapshots in one database: same names and selectors, 4 web pods.
"$FLOWPOL" inventory --db 1.db --at 2026-11-21T12:00:00Z "$D/rollout-2.yaml" >/dev/null || fail "inventory 1+2"
"$FLOWPOL" learn --allow-empty --db 1.db >/dev/null || fail "learn 1+2"
"$FLOWPOL" workloads --db 1.db | cut -f1-4 >both.tsv
cut -f1-4 w1.tsv | cmp -s - both.tsv || fail "workloads across the rollout differ"
[ "$(sqlite3 1.db "SELECT pods FROM workloads WHERE name = 'web'")" = 4 ] || fail "web pods across the rollout"
# The old pods are gone at the second snapshot; 10.42.0.11 passed from
# web-...-abcde to web-...-pqrst, and a flow in the overlap still resolves
# because both owners are the same workload.
[ "$(sqlite3 1.db "SELECT count(*) FROM pods WHERE gone_at IS NOT NULL")" = 2 ] || fail "old pods not gone"
printf '%s\n' "2026-11-21T11:20:00Z node-a 10.42.0.11 10.42.0.20 tcp 8080 1" \
	"2026-11-21T12:20:00Z node-a 10.42.0.13 10.42.0.20 tcp 8080 1" |
	/usr/bin/python3 "$FLOWPOL_SRC/tests/learner/flowrows.py" 1.db || fail "flows"
"$FLOWPOL" learn --db 1.db >learn.txt || fail "learn with flows"
grep -q "2 flows: 2 resolved, 0 ambiguous" learn.txt || fail "rollout flows: $(cat learn.txt)"
[ "$(sqlite3 1.db "SELECT connections FROM edges WHERE src = 'shop2/web' AND dst = 'shop2/api'")" = 2 ] || fail "web -> api edge"
# calicoctl get workloadendpoints -A -o yaml: owners inferred from labels.
"$FLOWPOL" inventory --db wep.db --at 2026-11-21T10:00:00Z "$D/weps-rollout-1.yaml" >out.txt || fail "inventory weps"
grep -q "0 pods, 3 workload endpoints" out.txt || fail "wep summary: $(cat out.txt)"
"$FLOWPOL" learn --allow-empty --db wep.db >/dev/null || fail "learn weps"
# Calico has no endpoint for a hostNetwork pod: the pods' hostNetwork
# workload is the one the endpoints cannot show.
grep -v "	node-exporter	" w1.tsv >w1-weps.tsv
"$FLOWPOL" workloads --db wep.db | cmp -s - w1-weps.tsv || fail "weps give other workloads: $("$FLOWPOL" workloads --db wep.db)"
[ "$(sqlite3 wep.db "SELECT labels FROM pods WHERE name = 'web-7f9c8b6d5-abcde'")" = "$(printf 'app=web\npod-template-hash=7f9c8b6d5\ntier=front')" ] ||
	fail "calico labels kept on the pod"
[ "$(sqlite3 wep.db "SELECT count(*) FROM endpoints WHERE owner = 'aaaaaaaa-0000-4000-8000-000000000020'")" = 2 ] || fail "dual-stack wep"
# Pods and their endpoints in one snapshot are one pod (same uid).
"$FLOWPOL" inventory --db mix.db --at 2026-11-21T10:00:00Z "$D/rollout-1.json" "$D/weps-rollout-1.yaml" >/dev/null || fail "pods + weps"
[ "$(sqlite3 mix.db "SELECT count(*) FROM pods")" = 4 ] || fail "pods + weps count"
pass
