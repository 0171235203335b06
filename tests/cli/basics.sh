#!/usr/bin/env bash
# The command table: help, per-command help, unknown commands, exit codes.
set -u
. "$(dirname "$0")/../lib.sh"

out=$("$FLOWPOL" help) || fail "help exited $?"
for c in collect flows inventory learn workloads edges status emit selector explain diff report graph merge; do
	grep -q "^  $c " <<<"$out" || fail "help does not list '$c'"
	"$FLOWPOL" "$c" --help >/dev/null || fail "'$c --help' exited $?"
done
"$FLOWPOL" frobnicate 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "unknown command exited $rc, want 2"
grep -q "^flowpol: unknown command 'frobnicate'" err.txt || fail "unknown command message: $(cat err.txt)"
"$FLOWPOL" >/dev/null 2>&1; [ $? -eq 2 ] || fail "no command should exit 2"
# An empty --format is a usage error, for every listing command (it used to
# hang). timeout turns a hang into a failure instead of a stuck suite.
for c in flows workloads edges status graph diff; do
	timeout 10 "$FLOWPOL" "$c" --format '' --db "$WORK/none.db" 2>err.txt; rc=$?
	[ $rc -eq 2 ] || fail "'$c --format \'\'' exited $rc, want 2"
	grep -q "^flowpol: $c: option -o/--output: '' is not one of" err.txt || fail "'$c --format \'\'': $(head -1 err.txt)"
done
# An empty database file made by someone else (touch, a FileOrCreate
# hostPath) becomes private like one flowpol creates.
: >pre.db
chmod 0644 pre.db
"$FLOWPOL" collect --db pre.db --pcap "$FLOWPOL_SRC/samples/seed/capture.pcap" 2>err.txt ||
	fail "collect into an empty file exited $?: $(cat err.txt)"
[ "$(stat -c %a pre.db)" = 600 ] || fail "empty file kept mode $(stat -c %a pre.db), want 600"
"$FLOWPOL" --version | grep -q '^flowpol ' || fail "--version"
# One wording for option mistakes in every command: a missing value is named
# as such, an unknown option as unknown; both exit 2.
for c in "collect --group" "flows --format" "inventory --at" "learn --since" \
    "workloads --format" "edges --format" "status --now" "emit --out" \
    "explain --policies" "diff --policies" "report --now" "graph --db"; do
	set -- $c
	"$FLOWPOL" "$@" 2>err.txt; rc=$?
	[ $rc -eq 2 ] || fail "'$c' exited $rc"
	grep -q "^flowpol: $1: option '$2' needs a value$" err.txt || fail "'$c': $(head -1 err.txt)"
	"$FLOWPOL" "$1" --no-such-option 2>err.txt; rc=$?
	[ $rc -eq 2 ] || fail "'$1 --no-such-option' exited $rc"
	grep -q "^flowpol: $1: unknown option '--no-such-option'; see 'flowpol $1 --help'$" err.txt || fail "'$1': $(head -1 err.txt)"
done
pass
