#!/usr/bin/env bash
# learn groups the flows of each collection window in memory (issue 15):
# per window and 5-tuple the nodes' rows are one connection group (the
# largest count, every node remembered), and a connection logged both at a
# ClusterIP and at its pod (IPVS) counts once only within its window: the
# ClusterIP record of a window without the pod's record still counts.
# Re-running learn, and learning from a database whose flows were stored
# in another order, gives the same model.
set -u
. "$(dirname "$0")/../lib.sh"
S=$FLOWPOL_SRC/samples/traffic

"$FLOWPOL" inventory --at 2026-12-01T10:30:00Z "$S/inventory.yaml" >/dev/null || fail "inventory exited $?"
cp "$FLOWPOL_DB" empty.db
# shop/web (10.42.0.10) to shop/cart: the pod 10.42.1.20:8081, or the
# Service cart's ClusterIP 10.96.20.30:80 (target port http = 8081).
cat >rows.txt <<'ROWS'
# window 10:40: at the ClusterIP (node-a) and at the pod (node-a 3, node-b 4)
2026-12-01T10:41:00Z node-a 10.42.0.10 10.96.20.30 tcp 80 5 2
2026-12-01T10:41:00Z node-a 10.42.0.10 10.42.1.20 tcp 8081 3 2
2026-12-01T10:41:01Z node-b 10.42.0.10 10.42.1.20 tcp 8081 4 1
# window 10:50: only at the ClusterIP
2026-12-01T10:52:00Z node-a 10.42.0.10 10.96.20.30 tcp 80 2
# window 11:00: only at the pod, from node-b
2026-12-01T11:03:00Z node-b 10.42.0.10 10.42.1.20 tcp 8081 1
# shop/frontend (10.42.0.30): two windows, two nodes in the first
2026-12-01T10:44:00Z node-a 10.42.0.30 10.42.1.20 tcp 8081 6
2026-12-01T10:44:00Z node-b 10.42.0.30 10.42.1.20 tcp 8081 6
2026-12-01T11:05:00Z node-b 10.42.0.30 10.42.1.20 tcp 8081 2
health node-a 2026-12-01T10:40:00Z 10 0 0
health node-b 2026-12-01T10:40:00Z 10 0 0
ROWS
/usr/bin/python3 "$FLOWPOL_SRC/tests/learner/flowrows.py" "$FLOWPOL_DB" <rows.txt || fail "flowrows"
"$FLOWPOL" learn >learn.txt 2>learn.err || fail "learn exited $?: $(cat learn.err)"
grep -q "; 6 flows: 6 resolved, 0 ambiguous, 0 unknown; 2 edges " learn.txt ||
	fail "learn summary: $(cat learn.txt)"
"$FLOWPOL" edges -o tsv | cut -f1-6 >edges.tsv || fail "edges exited $?"
# 4 (10:40: the pod's record wins) + 2 (10:50) + 1 (11:00); 6 + 2.
printf '%s\n' "src	dst	proto	port	connections	first_seen" \
	"shop/frontend	shop/cart	tcp	8081	8	2026-12-01T10:44:00Z" \
	"shop/web	shop/cart	tcp	8081	7	2026-12-01T10:41:00Z" >want.tsv
diff -u want.tsv edges.tsv || fail "edges"
[ "$(sqlite3 "$FLOWPOL_DB" "SELECT group_concat(nodes, ';') FROM (SELECT nodes FROM edges ORDER BY src)")" = \
	"node-a,node-b;node-a,node-b" ] || fail "edge nodes: $(sqlite3 "$FLOWPOL_DB" "SELECT * FROM edges")"
"$FLOWPOL" learn >/dev/null 2>&1 || fail "second learn"
"$FLOWPOL" edges -o tsv | cut -f1-6 | cmp -s - edges.tsv || fail "second learn changed the edges"
# The same rows stored in reverse order: the same model.
cp empty.db "$FLOWPOL_DB"
grep -v '^#' rows.txt | tac | /usr/bin/python3 "$FLOWPOL_SRC/tests/learner/flowrows.py" "$FLOWPOL_DB" || fail "flowrows (reversed)"
"$FLOWPOL" learn >learn2.txt 2>&1 || fail "learn (reversed) exited $?"
cmp -s learn.txt learn2.txt || fail "learn summary differs with the rows reversed"
"$FLOWPOL" edges -o tsv | cut -f1-6 | cmp -s - edges.tsv || fail "the rows' order changed the edges"
pass
