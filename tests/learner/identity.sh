#!/usr/bin/env bash
# Time-aware identity: an IP reused by another pod is attributed to the right
# pod in each period; flows before a pod existed or after it is gone are not
# guessed; two owners in one flow's span are ambiguous; nodes, hostNetwork
# pods, external and in-cluster-unknown peers; --cluster-cidr.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/reuse.sh"
D=$FLOWPOL_SRC/tests/data/learner

"$FLOWPOL" inventory --at 2026-11-21T10:00:00Z "$D/reuse-1.json" >/dev/null || fail "inventory 1"
"$FLOWPOL" inventory --at 2026-11-21T12:00:00Z "$D/reuse-2.yaml" >/dev/null || fail "inventory 2"
# Snapshots are imported in time order.
"$FLOWPOL" inventory --at 2026-11-21T11:00:00Z "$D/reuse-1.json" 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "out-of-order snapshot exited $rc"
grep -q "^flowpol: inventory: snapshot time 2026-11-21T11:00:00Z is before the latest snapshot 2026-11-21T12:00:00Z" err.txt ||
	fail "out-of-order message: $(cat err.txt)"
reuse_learn snapshots
"$FLOWPOL" edges | cut -f1-5 >edges.txt || fail "edges exited $?"
cat >want.txt <<'X'
src	dst	proto	port	connections
external:10.43.7.7	shop2/api	tcp	8080	1
shop2/api	external:2001:db8::1	udp	53	1
shop2/api	external:93.184.216.34	tcp	443	3
shop2/api	node:192.168.10.11	tcp	9100	1
shop2/api	shop2/api	icmp	8/0	1
shop2/batch-1	shop2/api	tcp	8080	1
shop2/cache	shop2/api	tcp	8080	3
shop2/worker	shop2/api	tcp	8080	5
unknown:10.42.0.50	shop2/api	tcp	8080	2
unknown:10.42.0.60	shop2/api	tcp	8080	1
unknown:10.42.0.99	shop2/api	tcp	8080	1
X
diff -u want.txt edges.txt || fail "edges"
# What was set aside, and why.
got=$(sqlite3 "$FLOWPOL_DB" "SELECT reason, flows, datetime(first_seen/1000000, 'unixepoch') FROM unresolved ORDER BY ip, reason")
want="ambiguous|1|2026-11-21 11:45:00
unknown|2|2026-11-21 08:30:00
ambiguous|1|2026-11-21 10:34:00
unknown|1|2026-11-21 10:40:00
unknown|1|2026-11-21 12:14:00"
[ "$got" = "$want" ] || fail "unresolved:
$got"
"$FLOWPOL" status --now 2026-11-21T13:00:00Z >status.txt || fail "status exited $?"
grep -q "^shop2	16	10	2	4	2026-11-21T12:30:00Z	1800$" status.txt || fail "status: $(cat status.txt)"
# hostNetwork node-exporter is a workload, marked so; it owns no address.
[ "$(sqlite3 "$FLOWPOL_DB" "SELECT name FROM workload_notes WHERE host_network = 1")" = node-exporter ] ||
	fail "hostNetwork node-exporter is not a marked workload"
# The learning period limits flows and pods: before worker existed.
"$FLOWPOL" learn --until 2026-11-21T11:00:00Z >learn2.txt || fail "learn --until"
grep -q "7 flows: 3 resolved, 1 ambiguous, 3 unknown" learn2.txt || fail "learn --until summary: $(cat learn2.txt)"
"$FLOWPOL" workloads | grep -q worker && fail "worker listed before it existed"
# --cluster-cidr replaces the inferred ranges: 10.43.7.7 becomes unknown.
"$FLOWPOL" learn --cluster-cidr 10.0.0.0/8 --cluster-cidr fd00::/8 >/dev/null || fail "learn --cluster-cidr"
"$FLOWPOL" edges | grep -q "^unknown:10.43.7.7	shop2/api" || fail "--cluster-cidr not applied"
"$FLOWPOL" learn --cluster-cidr 10.0.0.0/99 2>err.txt; [ $? -eq 2 ] || fail "bad --cluster-cidr accepted"
grep -q "cluster-cidr: '10.0.0.0/99' is not a CIDR" err.txt || fail "bad cidr message: $(cat err.txt)"
# No inventory to infer ranges from: private addresses are unknown, with a note.
"$FLOWPOL" inventory --db empty.db --at 2026-11-21T09:00:00Z - <<<'{"kind": "List", "items": []}' >/dev/null || fail "empty inventory"
printf '%s\n' "2026-11-21T12:10:00Z n 10.42.0.20 93.184.216.34 tcp 443 3" |
	/usr/bin/python3 "$FLOWPOL_SRC/tests/learner/flowrows.py" empty.db || fail "flows"
"$FLOWPOL" learn --db empty.db >/dev/null 2>err.txt || fail "learn without inventory"
grep -q "gives no cluster ranges" err.txt || fail "no note: $(cat err.txt)"
"$FLOWPOL" edges --db empty.db | grep -q "^unknown:10.42.0.20	external:93.184.216.34	tcp	443	3	" || fail "private/external split"
pass
