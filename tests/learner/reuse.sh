# Sourced by identity.sh and watch.sh: the reuse scenario's model, however
# its inventory arrived (snapshots or a watch stream). Checks the ownership
# intervals in $FLOWPOL_DB, then adds the flows and learns.
reuse_learn() { # WHAT (names the import in messages)
	local got want
	# Ownership intervals: cache-0 from its creation to the first snapshot
	# without it; batch-1 to its deletionTimestamp; worker open.
	got=$(sqlite3 "$FLOWPOL_DB" "SELECT p.name, datetime(e.valid_from/1000000, 'unixepoch'),
		coalesce(datetime(e.valid_to/1000000, 'unixepoch'), 'open')
		FROM endpoints e JOIN pods p ON p.uid = e.owner WHERE length(e.ip) = 4 ORDER BY e.ip, e.valid_from")
	want="api-5c4b3a2d1-xz12q|2026-11-21 08:00:00|open
cache-0|2026-11-21 09:00:00|2026-11-21 12:00:00
worker-6c7d8e9f5-m2n3b|2026-11-21 11:30:00|open
batch-1|2026-11-21 09:00:00|2026-11-21 10:35:00"
	[ "$got" = "$want" ] || fail "$1: endpoint intervals:
$got"
	/usr/bin/python3 "$FLOWPOL_SRC/tests/learner/flowrows.py" "$FLOWPOL_DB" <"$D/reuse-flows.txt" ||
		fail "$1: inserting flows"
	"$FLOWPOL" learn >learn.txt || fail "$1: learn exited $?"
	# node-a's InternalIP calling api on node-a is host-local: no edge.
	grep -q "16 flows: 10 resolved, 2 ambiguous, 4 unknown; 11 edges" learn.txt ||
		fail "$1: learn summary: $(cat learn.txt)"
	[ "$(sqlite3 "$FLOWPOL_DB" "SELECT node, dst, proto, port, connections FROM host_local")" = "node-a|shop2/api|6|8080|2" ] ||
		fail "$1: host-local traffic: $(sqlite3 "$FLOWPOL_DB" "SELECT * FROM host_local")"
}
