#!/usr/bin/env bash
# inventory --watch keeps every complete object that arrived before a
# framing error (even in the same read), and on SIGTERM exits 0 after
# committing what was complete.
set -u
. "$(dirname "$0")/../lib.sh"
pods() { sqlite3 "$FLOWPOL_DB" "SELECT count(*) FROM pods" 2>/dev/null; }
python3 -c 'import json,sys
items = [i for i in json.load(open(sys.argv[1]))["items"] if i["kind"] == "Pod"][:3]
for i, it in enumerate(items):
    open("obj%d.json" % i, "w").write(json.dumps({"type": "ADDED", "object": it}, indent=2) + "\n")' \
	"$FLOWPOL_SRC/samples/seed/inventory.json"

# 1. Two good objects and a framing error in one read.
cat obj0.json obj1.json >bad.json
echo 'not json at all' >>bad.json
"$FLOWPOL" inventory --watch --at 2026-11-26T10:00:00Z bad.json >/dev/null 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "framing error exited $rc"
grep -q "expected '{' to start an object" err.txt || fail "message: $(cat err.txt)"
[ "$(pods)" = 2 ] || fail "$(pods) pods stored, want the 2 before the framing error"

# 2. SIGTERM while waiting on a pipe, with half an object pending.
rm -f "$FLOWPOL_DB"
mkfifo pipe
"$FLOWPOL" inventory --watch --at 2026-11-26T10:00:00Z pipe >out.txt 2>err.txt &
pid=$!
at_exit "kill $pid 2>/dev/null"
exec 3>pipe
cat obj0.json obj1.json obj2.json >&3
head -c 40 obj0.json >&3
pods_are() { [ "$(pods)" = "$1" ]; }
wait_for "3 pods stored" pods_are 3
kill -TERM $pid
wait $pid; rc=$?
exec 3>&-
[ $rc -eq 0 ] || fail "SIGTERM: exit $rc, want 0: $(cat err.txt)"
grep -q "stopped by a signal; every complete object was stored (the one arriving was not complete)" err.txt ||
	fail "message: $(cat err.txt)"
[ "$(pods)" = 3 ] || fail "after SIGTERM: $(pods) pods"
pass
