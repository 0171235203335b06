#!/usr/bin/env bash
# A database is input, not code: a planted trigger, a view standing in for a
# table and a crafted label are refused (exit 2, named), and nothing of them
# runs or reaches a selector. A published (merge) copy uses the rollback
# journal.
set -u
. "$(dirname "$0")/../lib.sh"
seed=$FLOWPOL_SRC/samples/seed
sql() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()' "$@"; }
q() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$@"; }

expect_exit 0 "$FLOWPOL" inventory --db good.db --at 2026-11-26T10:00:00Z "$seed/inventory.json" >/dev/null
expect_exit 0 "$FLOWPOL" collect --db good.db --node n1 --pcap "$seed/capture.pcap"
expect_exit 0 "$FLOWPOL" learn --db good.db >/dev/null
edges=$(q good.db "SELECT count(*) FROM edges")
[ "$edges" -gt 0 ] || fail "no edges learned"

# A trigger that deletes every edge when a flow is written: collect refuses
# the database, the edges stay.
cp good.db trig.db
sql trig.db "CREATE TRIGGER wipe AFTER INSERT ON flows BEGIN DELETE FROM edges; END;"
"$FLOWPOL" collect --db trig.db --node n1 --reimport --pcap "$seed/capture.pcap" 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "collect on a database with a planted trigger exited $rc"
grep -q "trigger 'wipe' is not part of flowpol's schema" err.txt || fail "message: $(cat err.txt)"
[ "$(q trig.db "SELECT count(*) FROM edges")" = "$edges" ] || fail "the planted trigger ran"

# A recursive trigger would hang collect: refused as well, at once.
cp good.db rec.db
sql rec.db "CREATE TRIGGER loop AFTER UPDATE ON meta BEGIN UPDATE meta SET value = value || 'x'; END;"
expect_exit 2 "$FLOWPOL" collect --db rec.db --node n1 --reimport --pcap "$seed/capture.pcap" 2>/dev/null

# A node database whose flows is an endless view, injecting rows under
# another node's name: merge refuses it and leaves the output as it was.
cp good.db view.db
sql view.db "DROP TABLE flows; CREATE VIEW flows AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x AS window_start, 'victim' AS node, x'0a000001' AS src, x'0a000002' AS dst, 6 AS proto, 80 AS dport, 1 AS packets, 0 AS first_seen, 0 AS last_seen FROM c;"
expect_exit 0 "$FLOWPOL" merge out.db good.db
before=$(q out.db "SELECT count(*) FROM flows")
"$FLOWPOL" merge out.db view.db 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "merge of a view input exited $rc"
grep -q "view.db': view 'flows' is not part of flowpol's schema" err.txt || fail "message: $(cat err.txt)"
[ "$(q out.db "SELECT count(*) FROM flows")" = "$before" ] || fail "merge output changed"
[ "$(q out.db "SELECT count(*) FROM flows WHERE node = 'victim'")" = 0 ] || fail "rows injected"
for cmd in learn status workloads; do
	expect_exit 2 "$FLOWPOL" $cmd --db view.db >/dev/null 2>&1
done
# The merge output is published: rollback journal, not WAL.
[ "$(q out.db "PRAGMA journal_mode")" = delete ] || fail "merge output is not in rollback-journal mode"

# A crafted pod_labels row whose value would widen a selector: learn
# refuses it, naming the pod, and no selector is written.
cp good.db lbl.db
uid=$(q lbl.db "SELECT uid FROM pods ORDER BY uid LIMIT 1")
sql lbl.db "INSERT INTO pod_labels VALUES ('$uid', 'app=frontend'' || has(projectcalico.org/namespace) || app == ''' || char(10), 0, 0);"
"$FLOWPOL" learn --db lbl.db >/dev/null 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "learn on a crafted label exited $rc"
grep -q "pod_labels of pod uid '$uid'.*not a valid label value" err.txt || fail "message: $(cat err.txt)"
[ "$(q lbl.db "SELECT count(*) FROM workloads WHERE selector LIKE '%has(%'")" = 0 ] ||
	fail "a crafted label reached a selector"
pass
