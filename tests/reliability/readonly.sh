#!/usr/bin/env bash
# Read commands work on a database in a place they cannot write: a
# read-only bind mount (inside unshare -m; root ignores file modes, a
# read-only filesystem it does not) and another user's directory (as an
# unprivileged user, via setpriv). With a -wal file present the message
# says exactly why it cannot be read. (status is compared by its run only:
# its ages count from now.)
set -u
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null && command -v setpriv >/dev/null || {
	[ "${FLOWPOL_REQUIRE_ROOT:-0}" = 1 ] && fail "needs root, unshare and setpriv"
	echo "SKIP $TEST_NAME: needs root, unshare and setpriv" >&2; exit 77; }
seed=$FLOWPOL_SRC/samples/seed
mkdir data ro
expect_exit 0 "$FLOWPOL" inventory --db data/x.db --at 2026-11-26T10:00:00Z "$seed/inventory.json" >/dev/null
expect_exit 0 "$FLOWPOL" collect --db data/x.db --node n1 --pcap "$seed/capture.pcap"
expect_exit 0 "$FLOWPOL" learn --db data/x.db >/dev/null
[ ! -e data/x.db-wal ] || fail "a -wal file stayed after the writers exited"
# (Read on a copy: a reader in a writable place leaves -wal and -shm files.)
cp data/x.db want.db
for c in flows workloads edges status graph; do "$FLOWPOL" $c --db want.db >want.$c || fail "$c"; done
"$FLOWPOL" emit --db want.db --out - >want.emit || fail "emit"
cmds='for c in flows workloads edges status graph; do "$FLOWPOL" $c --db "$1" >got.$c || exit 3; done
	"$FLOWPOL" emit --db "$1" --out - >got.emit || exit 3'

# 1. A read-only bind mount, in a private mount namespace.
export FLOWPOL
unshare -m bash -c "mount --bind data ro && mount -o remount,bind,ro ro &&
	touch ro/probe 2>/dev/null && exit 4; $cmds" sh ro/x.db; rc=$?
[ $rc -ne 4 ] || fail "the bind mount is writable"
[ $rc -eq 0 ] || fail "a read command failed on a read-only mount (rc $rc)"
for c in flows workloads edges graph emit; do cmp -s want.$c got.$c || fail "$c differs on the read-only mount"; done
[ ! -e data/x.db-shm ] || fail "a -shm file was created"

# 2. As an unprivileged user in a directory owned by root.
chmod 755 "$WORK" data; chmod 644 data/x.db; rm -f got.*
chmod 777 "$WORK"
setpriv --reuid=65534 --regid=65534 --clear-groups bash -c "$cmds" sh data/x.db; rc=$?
[ $rc -eq 0 ] || fail "a read command failed as an unprivileged user (rc $rc)"
for c in flows workloads edges graph emit; do cmp -s want.$c got.$c || fail "$c differs as another user"; done

# 3. A -wal file that cannot be read without a -shm: said exactly.
: > data/x.db-wal
setpriv --reuid=65534 --regid=65534 --clear-groups "$FLOWPOL" flows --db data/x.db >/dev/null 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "flows with an unreadable -wal exited $rc"
grep -q "has a write-ahead log ('data/x.db-wal') and its directory is not writable" err.txt ||
	fail "message: $(cat err.txt)"
pass
