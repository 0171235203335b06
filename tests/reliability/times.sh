#!/usr/bin/env bash
# --at from the future (year 9999) is refused naming the option, so the
# database is not poisoned: a later import still works. Impossible dates
# (2026-02-30) are refused, not read as 2026-03-02.
set -u
. "$(dirname "$0")/../lib.sh"
inv=$FLOWPOL_SRC/samples/seed/inventory.json
"$FLOWPOL" inventory --at 9999-12-31T23:59:59Z "$inv" >/dev/null 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "--at 9999 exited $rc"
grep -q "^flowpol: inventory: option --at: time '9999-12-31T23:59:59Z' is .* in the future" err.txt || fail "message: $(head -1 err.txt)"
expect_exit 0 "$FLOWPOL" inventory --at 2026-11-26T10:00:00Z "$inv" >/dev/null
"$FLOWPOL" inventory --at 2026-02-30T00:00:00Z "$inv" >/dev/null 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "--at 2026-02-30 exited $rc"
grep -q "option --at: time '2026-02-30T00:00:00Z': 2026-02 has 28 days" err.txt || fail "message: $(head -1 err.txt)"
expect_exit 0 "$FLOWPOL" inventory --at now "$inv" >/dev/null
pass
