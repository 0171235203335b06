#!/bin/bash
# A database written by the previous release opens with this flowpol,
# migrates forward and reads the same as a fresh one. The fixture
# tests/data/store/seed-b01fb52.db is the seed pipeline run by release
# b01fb52 (how: tests/data/store/README.md). Every schema change adds the
# database of the release before it (doc/architecture.md).
. "$FLOWPOL_SRC/tests/lib.sh"
S=$FLOWPOL_SRC/samples/seed
NOW=2026-11-27T00:00:00Z

seed() { # seed DB: the seed pipeline, as the fixture was made
	FLOWPOL_DB=$1 "$FLOWPOL" collect --pcap "$S/capture.pcap" --node staging-node-1 &&
	FLOWPOL_DB=$1 "$FLOWPOL" inventory --at 2026-11-26T10:00:00Z "$S/inventory.json" &&
	FLOWPOL_DB=$1 "$FLOWPOL" learn
}
# views DB DIR: everything a user reads from a database, into DIR
views() {
	local c
	mkdir -p "$2"
	for c in flows workloads edges; do
		FLOWPOL_DB=$1 "$FLOWPOL" "$c" >"$2/$c.tsv" 2>"$2/$c.err" || fail "$c on $1: $(cat "$2/$c.err")"
		FLOWPOL_DB=$1 "$FLOWPOL" "$c" --format json >"$2/$c.json" 2>"$2/$c.err" || fail "$c --format json on $1"
	done
	# status says when learn ran: the one line that may differ.
	FLOWPOL_DB=$1 "$FLOWPOL" status --now "$NOW" >"$2/status.raw" 2>"$2/status.err" ||
		fail "status on $1: $(cat "$2/status.err")"
	grep -q '^# learned at ' "$2/status.raw" || fail "status on $1: no 'learned at' line"
	grep -v '^# learned at ' "$2/status.raw" >"$2/status.tsv" && rm "$2/status.raw"
	FLOWPOL_DB=$1 "$FLOWPOL" graph >"$2/graph.dot" 2>"$2/graph.err" || fail "graph on $1"
	FLOWPOL_DB=$1 "$FLOWPOL" emit --out "$2/policies" 2>"$2/emit.err" || fail "emit on $1: $(cat "$2/emit.err")"
	FLOWPOL_DB=$1 "$FLOWPOL" report --no-record --now "$NOW" >"$2/report.md" 2>"$2/report.err" ||
		fail "report on $1: $(cat "$2/report.err")"
	rm -f "$2"/*.err
}

seed fresh.db >/dev/null 2>err.txt || fail "seed pipeline: $(cat err.txt)"
views fresh.db want
diff -r "$FLOWPOL_SRC/samples/seed/policies" want/policies >/dev/null ||
	fail "the fresh seed database does not give the golden policies"

cp "$FLOWPOL_SRC/tests/data/store/seed-b01fb52.db" old.db
chmod 600 old.db
# A writing command migrates the schema. The capture was replayed by the
# old release: it must still be recognised, not counted twice.
FLOWPOL_DB=old.db "$FLOWPOL" collect --pcap "$S/capture.pcap" --node staging-node-1 \
	>/dev/null 2>err.txt || fail "collect on the old database: $(cat err.txt)"
grep -Eq "already|an older flowpol replayed" err.txt || fail "the old release's replay was not recognised: $(cat err.txt)"
[ "$(sqlite3 old.db 'PRAGMA user_version')" = "$(sqlite3 fresh.db 'PRAGMA user_version')" ] ||
	fail "schema version $(sqlite3 old.db 'PRAGMA user_version') not migrated to $(sqlite3 fresh.db 'PRAGMA user_version')"
# The model the old release learned is read by this one (a newer learner
# may learn more, so only the recorded flows must match before learning).
views old.db got
diff -r want/flows.tsv got/flows.tsv && diff want/flows.json got/flows.json ||
	fail "the old release's flows read differently from a fresh database's"
# And learned again by this one.
FLOWPOL_DB=old.db "$FLOWPOL" learn >/dev/null 2>err.txt || fail "learn on the old database: $(cat err.txt)"
rm -rf got && views old.db got
diff -r want got || fail "the old release's database, learned again, differs from a fresh one"
pass
