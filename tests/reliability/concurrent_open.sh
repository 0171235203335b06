#!/usr/bin/env bash
# Many writers, one truth: 8 processes (2 collect --pcap of the same
# capture, 2 inventory --watch, 2 learn, 2 flows) open one fresh database
# at once, 50 times. No process fails, and the database is complete: its
# schema passes the check, the capture is stored exactly once, the
# inventory whole. (learn and flows, which do not create a database, start
# as soon as the file exists: for them a missing database is an error and
# must stay one. A new database appears complete, linked into place, so
# no opener can see it half-made.)
set -u
. "$(dirname "$0")/../lib.sh"
seed=$FLOWPOL_SRC/samples/seed
q() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$@"; }
python3 -c 'import json,sys
for it in json.load(open(sys.argv[1]))["items"]:
    print(json.dumps({"type": "ADDED", "object": it}))' "$seed/inventory.json" >watch.json
at=2026-11-26T10:00:00Z
expect_exit 0 "$FLOWPOL" collect --db ref.db --node n1 --pcap "$seed/capture.pcap"
expect_exit 0 "$FLOWPOL" inventory --db ref.db --watch --at $at watch.json >/dev/null
flows=$(q ref.db "SELECT count(*) || ' ' || sum(packets) FROM flows")
pods=$(q ref.db "SELECT count(*) FROM pods")
learn_opts=
"$FLOWPOL" learn --help 2>&1 | grep -q -- --allow-empty && learn_opts=--allow-empty

for i in $(seq 50); do
	db=$WORK/r$i.db
	pids=()
	for k in 1 2; do
		"$FLOWPOL" collect --db "$db" --node n1 --pcap "$seed/capture.pcap" 2>>"c$i" & pids+=($!)
		"$FLOWPOL" inventory --db "$db" --watch --at $at watch.json >/dev/null 2>>"i$i" & pids+=($!)
		( until [ -e "$db" ]; do sleep 0.002; done; exec "$FLOWPOL" learn --db "$db" $learn_opts >/dev/null 2>>"l$i" ) & pids+=($!)
		( until [ -e "$db" ]; do sleep 0.002; done; exec "$FLOWPOL" flows --db "$db" >/dev/null 2>>"f$i" ) & pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || fail "run $i: a process exited $?: $(cat c$i i$i l$i f$i | grep -v 'replayed' | head -3)"
	done
	# Warnings of learn about what it has not seen yet are fine; nothing
	# about opening the store may appear.
	if grep -hE "store '|schema|not a flowpol|locked|migrat" "c$i" "i$i" "l$i" "f$i" | grep -q .; then
		fail "run $i: $(grep -hE "store '|schema|not a flowpol|locked|migrat" c$i i$i l$i f$i | head -3)"
	fi
	"$FLOWPOL" flows --db "$db" >/dev/null || fail "run $i: database incomplete"
	ls "$db".new.* >/dev/null 2>&1 && fail "run $i: a temporary database was left behind"
done
# Every database holds the capture exactly once and the whole inventory.
python3 - "$flows" "$pods" r*.db <<'X' || fail "a database is not complete"
import sqlite3, sys
flows, pods = sys.argv[1], sys.argv[2]
for db in sys.argv[3:]:
    c = sqlite3.connect(db)
    f = c.execute("SELECT count(*) || ' ' || sum(packets) FROM flows").fetchone()[0]
    p = str(c.execute("SELECT count(*) FROM pods").fetchone()[0])
    if (f, p) != (flows, pods):
        sys.exit(f"{db}: flows {f} (want {flows}), pods {p} (want {pods})")
X
pass
