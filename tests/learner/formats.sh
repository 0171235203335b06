#!/usr/bin/env bash
# One parser for kubectl's JSON and YAML (escapes such as \u003c, long and
# folded annotation values, block scalars, one object or a List, several
# documents); workloads of every controller kind with minimal selectors;
# dual-stack pods; merging of Deployments that share all labels.
set -u
. "$(dirname "$0")/../lib.sh"
D=$FLOWPOL_SRC/tests/data/learner
at=2026-11-20T12:00:00Z

"$FLOWPOL" inventory --db y.db --at $at "$D/cluster.yaml" >/dev/null || fail "yaml import"
"$FLOWPOL" inventory --db j.db --at $at "$D/cluster.json" >/dev/null || fail "json import"
grep -q 'u003c' "$D/cluster.json" || fail "fixture lost its escapes"
for t in snapshots namespaces nodes pods pod_labels endpoints services networks; do
	a=$(sqlite3 y.db "SELECT * FROM $t ORDER BY 1, 2, 3" | sed 's/cluster\.yaml/X/')
	b=$(sqlite3 j.db "SELECT * FROM $t ORDER BY 1, 2, 3" | sed 's/cluster\.json/X/')
	[ "$a" = "$b" ] || fail "table $t differs between YAML and JSON"
done
# The same objects as separate YAML documents on stdin, one at a time.
/usr/bin/python3 -c '
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
sys.stdout.write(yaml.safe_dump_all(d["items"], sort_keys=True))' "$D/cluster.yaml" >docs.yaml
"$FLOWPOL" inventory --db d.db --at $at - <docs.yaml >/dev/null || fail "multi-document stdin import"
a=$(sqlite3 y.db "SELECT uid, labels FROM pods ORDER BY uid")
[ "$a" = "$(sqlite3 d.db "SELECT uid, labels FROM pods ORDER BY uid")" ] || fail "documents differ from the List"
"$FLOWPOL" learn --allow-empty --db y.db >learn.txt 2>notes.txt || fail "learn exited $?"
grep -q "^flowpol: learn: namespace 'legacy': no stable label set tells Deployment/api-v1,Deployment/api-v2 apart: merged into workload 'api-v1+api-v2' (selector app == 'api')$" notes.txt ||
	fail "merge notice: $(cat notes.txt)"
# A Job with no label of its own is never silently widened: learn names the
# workloads its selector also selects and the label to add.
grep -q "^flowpol: learn: namespace 'shop': no label set selects workload 'migrate-v3' alone: its selector projectcalico.org/serviceaccount == 'default' also selects debug,log-agent,node-exporter,report; add a label such as app.kubernetes.io/name: migrate-v3 to its pod template$" notes.txt ||
	fail "inexact notice: $(cat notes.txt)"
[ "$(sqlite3 y.db "SELECT also_selects FROM workload_notes WHERE name = 'migrate-v3'")" = "debug,log-agent,node-exporter,report" ] ||
	fail "also_selects"
"$FLOWPOL" workloads --db y.db >w.tsv || fail "workloads"
cat >want.tsv <<'X'
namespace	name	kind	selector	pods
legacy	api-v1+api-v2	Deployment	app == 'api'	2
shop	db	StatefulSet	app.kubernetes.io/name == 'postgres'	2
shop	debug	Pod	run == 'debug'	1
shop	log-agent	DaemonSet	name == 'log-agent'	1
shop	migrate-v3	Job	projectcalico.org/serviceaccount == 'default'	1
shop	node-exporter	DaemonSet	app.kubernetes.io/name == 'node-exporter'	1
shop	report	CronJob	app == 'report'	1
shop	web	Deployment	track == 'stable'	2
shop	web-canary	Deployment	track == 'canary'	1
X
diff -u want.tsv w.tsv || fail "workloads of every controller kind"
# A finished Job pod owned its IP until it finished (the snapshot, without
# a finishedAt) and is a workload; hostNetwork pods own no IP (their node's).
[ "$(sqlite3 y.db "SELECT count(*) FROM endpoints e JOIN pods p ON p.uid = e.owner WHERE p.name = 'node-exporter-m4n5b'")" = 0 ] ||
	fail "hostNetwork pod owns an IP"
[ "$(sqlite3 y.db "SELECT count(*) FROM endpoints e JOIN pods p ON p.uid = e.owner WHERE p.name = 'migrate-v3-9xk2l' AND e.valid_to IS NOT NULL AND e.gone_at IS NOT NULL")" = 1 ] ||
	fail "finished Job pod: its IP's run is not closed"
[ "$(sqlite3 y.db "SELECT count(*) FROM endpoints WHERE owner_kind = 'node'")" = 5 ] || fail "dual-stack node addresses (InternalIP and ExternalIP)"
[ "$(sqlite3 y.db "SELECT name FROM workload_notes WHERE host_network = 1")" = node-exporter ] ||
	fail "hostNetwork workload not marked"
[ "$(sqlite3 y.db "SELECT members FROM workload_notes WHERE name = 'api-v1+api-v2'")" = "Deployment/api-v1,Deployment/api-v2" ] || fail "members"
# Dual stack: the IPv4 and IPv6 addresses of a pod are one workload.
printf '%s\n' "2026-11-20T12:05:00Z node-a 10.42.0.31 10.42.1.21 tcp 5432 2" \
	"2026-11-20T12:06:00Z node-a fd00:42::31 fd00:42:0:1::21 tcp 5432 3" \
	"2026-11-20T12:07:00Z node-b fd00:42:0:1::31 fd00:42::21 tcp 5432 1" \
	"2026-11-20T12:08:00Z node-b fd00:10::12 fd00:42::31 tcp 8080 1" \
	"2026-11-20T12:09:00Z node-a fd00:42::99 fd00:42::31 tcp 8080 1" |
	/usr/bin/python3 "$FLOWPOL_SRC/tests/learner/flowrows.py" y.db || fail "flows"
"$FLOWPOL" learn --db y.db >/dev/null 2>&1 || fail "learn with flows"
"$FLOWPOL" edges --db y.db | cut -f1-5 >e.tsv
cat >want.tsv <<'X'
src	dst	proto	port	connections
node:fd00:10::12	shop/web	tcp	8080	1
shop/web	shop/db	tcp	5432	6
unknown:fd00:42::99	shop/web	tcp	8080	1
X
diff -u want.tsv e.tsv || fail "dual-stack edges"
[ "$(sqlite3 y.db "SELECT nodes FROM edges WHERE dst = 'shop/db'")" = "node-a,node-b" ] || fail "edge nodes"
# --volatile-label: the track label is no longer usable, so web and
# web-canary share every stable label and are merged.
"$FLOWPOL" learn --db y.db --volatile-label 'bad key!' 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "learn --volatile-label with a bad key exited $rc"
grep -q "option --volatile-label: 'bad key!' is not a label key" err.txt ||
	fail "bad --volatile-label: $(cat err.txt)"
"$FLOWPOL" learn --db y.db --volatile-label track >/dev/null 2>notes.txt || fail "learn --volatile-label"
"$FLOWPOL" workloads --db y.db | grep -q "^shop	web+web-canary	Deployment	app.kubernetes.io/name == 'web'	3$" ||
	fail "--volatile-label: $("$FLOWPOL" workloads --db y.db)"
pass
