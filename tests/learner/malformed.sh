#!/usr/bin/env bash
# Malformed kubectl/calicoctl output of each kind: a clear error naming the
# file, the line (or byte offset), the object and the field; exit 2; and a
# failed import stores nothing, keeping what was stored before.
set -u
. "$(dirname "$0")/../lib.sh"
D=$FLOWPOL_SRC/tests/data/learner

"$FLOWPOL" inventory --at 2026-11-21T10:00:00Z "$D/rollout-1.json" >/dev/null || fail "first import"
sqlite3 "$FLOWPOL_DB" .dump >before.sql
n=0
while IFS=$'\t' read -r file want; do
	( cd "$D/bad" && "$FLOWPOL" inventory --db "$FLOWPOL_DB" --at 2026-11-21T12:00:00Z "$file" ) \
		>/dev/null 2>err.txt
	rc=$?
	[ $rc -eq 2 ] || fail "$file: exit $rc, want 2"
	[ "$(cat err.txt)" = "$want" ] || fail "$file: got '$(cat err.txt)', want '$want'"
	n=$((n + 1))
done <"$D/bad-expected.tsv"
[ $n -ge 20 ] || fail "only $n malformed cases"
# Every bad file is refused before anything is written.
sqlite3 "$FLOWPOL_DB" .dump | cmp -s - before.sql || fail "a failed import changed the database"
# A good file and a bad one in one import: nothing of the good one is kept.
"$FLOWPOL" inventory --at 2026-11-21T12:00:00Z "$D/rollout-2.yaml" "$D/bad/bad-pod-ip.json" 2>err.txt
[ $? -eq 2 ] || fail "mixed import did not fail"
sqlite3 "$FLOWPOL_DB" .dump | cmp -s - before.sql || fail "a failed mixed import changed the database"
# stdin is '-'; usage errors exit 2.
"$FLOWPOL" inventory --at 2026-11-21T12:00:00Z - <"$D/bad/missing-kind.yaml" 2>err.txt
[ $? -eq 2 ] || fail "stdin import did not fail"
grep -q "^flowpol: inventory: '-': line 7: object #2: field kind: missing$" err.txt || fail "stdin message: $(cat err.txt)"
"$FLOWPOL" inventory 2>err.txt; [ $? -eq 2 ] || fail "no FILE accepted"
grep -q "no FILE given" err.txt || fail "no FILE message"
"$FLOWPOL" inventory --at yesterday x.json 2>err.txt; [ $? -eq 2 ] || fail "bad --at accepted"
"$FLOWPOL" inventory --at 2026-11-21T12:00:00Z missing.json 2>err.txt; [ $? -eq 2 ] || fail "missing file accepted"
grep -q "^flowpol: inventory: 'missing.json': " err.txt || fail "missing file message: $(cat err.txt)"
pass
