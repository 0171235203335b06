#!/usr/bin/env bash
# A capture's rows, health and replay marker land in one transaction. The
# interleaving that used to double-count is forced: the collector stops at
# the moment it writes the marker (test hook FLOWPOL_TEST_MARKER_HOOK) while
# a learn and a plain SQLite writer try to write; they cannot (the rows and
# the marker are one transaction), the collect succeeds, and a re-run is
# skipped: counts equal one replay. Killed at that moment, nothing is
# stored and the re-run stores exactly one replay. A capture changed in its
# middle is not taken for one already replayed.
set -u
. "$(dirname "$0")/../lib.sh"
seed=$FLOWPOL_SRC/samples/seed/capture.pcap
q() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$@"; }
total="SELECT count(*) || ' ' || coalesce(sum(packets), 0) FROM flows"

expect_exit 0 "$FLOWPOL" collect --db ref.db --node n1 --pcap "$seed"
want=$(q ref.db "$total")

# 1. Another writer at the marker: held off; one replay stored, re-run skipped.
FLOWPOL_TEST_MARKER_HOOK=$WORK/hook "$FLOWPOL" collect --db race.db --node n1 --pcap "$seed" >c.out 2>c.err &
cpid=$!
at_exit "kill $cpid 2>/dev/null"
wait_for "the collector to reach the marker" test -e hook
FLOWPOL_BUSY_TIMEOUT_MS=100 "$FLOWPOL" learn --db race.db >/dev/null 2>l.err; rc=$?
[ $rc -eq 2 ] && grep -q "locked" l.err || fail "learn wrote between the rows and the marker (rc $rc: $(cat l.err))"
python3 -c 'import sqlite3,sys
c = sqlite3.connect(sys.argv[1], timeout=0.1, isolation_level=None)
try:
    c.execute("BEGIN IMMEDIATE"); sys.exit(1)
except sqlite3.OperationalError as e:
    sys.exit(0 if "locked" in str(e) else 2)' race.db || fail "another connection took the write lock at the marker"
rm hook
wait $cpid || fail "collect exited $?: $(cat c.err)"
[ ! -s c.err ] || fail "collect said: $(cat c.err)"
expect_exit 0 "$FLOWPOL" collect --db race.db --node n1 --pcap "$seed" 2>again.err
grep -q "already replayed into this database" again.err || fail "re-run: $(cat again.err)"
[ "$(q race.db "$total")" = "$want" ] || fail "counts $(q race.db "$total"), want $want"

# 2. Killed at the marker: nothing stored; the re-run stores one replay.
FLOWPOL_TEST_MARKER_HOOK=$WORK/hook "$FLOWPOL" collect --db kill.db --node n1 --pcap "$seed" 2>/dev/null &
cpid=$!
wait_for "the collector to reach the marker" test -e hook
kill -9 $cpid; wait $cpid 2>/dev/null; rm -f hook
[ "$(q kill.db "$total")" = "0 0" ] || fail "a killed replay left rows: $(q kill.db "$total")"
expect_exit 0 "$FLOWPOL" collect --db kill.db --node n1 --pcap "$seed"
[ "$(q kill.db "$total")" = "$want" ] || fail "after kill and re-run: $(q kill.db "$total"), want $want"

# 3. Same size, same first and last MiB, one byte changed in the middle:
# replayed, not skipped. The padding is 16 records of 200 KB of zeros
# (within the snap length): NFLOG-malformed events, counted in health, in
# a valid capture.
python3 - "$seed" mid-a.pcap mid-b.pcap <<'X'
import struct, sys
src = open(sys.argv[1], "rb").read()
rec = lambda b: struct.pack("<IIII", 1764151200, 0, len(b), len(b)) + b
pads = [bytearray(200000) for _ in range(16)]
open(sys.argv[2], "wb").write(src + b"".join(rec(bytes(p)) for p in pads))
pads[8][100000] = 1
open(sys.argv[3], "wb").write(src + b"".join(rec(bytes(p)) for p in pads))
X
expect_exit 0 "$FLOWPOL" collect --db mid.db --node n1 --pcap mid-a.pcap 2>/dev/null
expect_exit 0 "$FLOWPOL" collect --db mid.db --node n1 --pcap mid-b.pcap 2>mid.err
grep -q "already replayed" mid.err && fail "a capture changed in the middle was skipped as already replayed"
[ "$(q mid.db "SELECT count(*) FROM meta WHERE key LIKE 'replayed:%'")" = 2 ] || fail "two captures, not two markers"
pass
