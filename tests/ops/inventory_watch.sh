#!/usr/bin/env bash
# The inventory watcher exactly as 20-inventory-watcher.yaml runs it, as
# PID 1 of its own PID namespace, under Debian's dash and under bash, with a
# stand-in kubectl printing hand-written streams in kubectl's --watch
# --output-watch-events framing (tests/data/ops/watch/), one per kind: all
# kinds land in one database; the pods watch ends and is restarted, and its
# fresh listing closes the pod deleted while no watch ran; a pod that lived
# only between two listings is recorded with its deletion; SIGTERM to PID 1
# stops everything and flowpol exits 0 with what it read stored.
set -u
. "$(dirname "$0")/../lib.sh"
if [ "$(id -u)" -ne 0 ] || ! unshare --pid --fork true 2>/dev/null; then
	[ "${FLOWPOL_REQUIRE_ROOT:-0}" = 1 ] && fail "cannot run: needs root for a PID namespace"
	echo "SKIP $TEST_NAME: needs root for a PID namespace" >&2
	exit 77
fi
command -v dash >/dev/null || fail "dash is missing (scripts/deps.sh installs it)"
DEPLOY=$FLOWPOL_SRC/samples/deploy
mkdir bin && ln -s "$FLOWPOL_SRC/tests/ops/kubectl-standin.sh" bin/kubectl &&
	ln -s "$FLOWPOL" bin/flowpol || fail "setup"
# The container's command, from the manifest.
mapfile -t CMD < <(/usr/bin/python3 -c '
import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    if d and d["kind"] == "Deployment":
        for c in d["spec"]["template"]["spec"]["containers"]:
            if c["name"] == "watch":
                print("\n".join(c["command"]))' "$DEPLOY/20-inventory-watcher.yaml")
[ "${CMD[0]}" = /usr/local/bin/flowpol-inventory-watch ] && [ ${#CMD[@]} -eq 2 ] ||
	fail "unexpected watcher command: ${CMD[*]}"
db_of() { echo "$WORK/$1${CMD[1]}"; }	# the manifest's path, under a scratch root
q() { sqlite3 "$DB" "$1"; }

for sh in dash bash; do
	DB=$(db_of "$sh") && mkdir -p "$(dirname "$DB")" "$WORK/$sh.state" || fail "setup $sh"
	export FAKE_DATA=$FLOWPOL_SRC/tests/data/ops/watch FAKE_STATE=$WORK/$sh.state
	PATH=$WORK/bin:$PATH TMPDIR=$WORK unshare --pid --fork \
		"$sh" "$DEPLOY/inventory-watch.sh" "$DB" >"$sh.out" 2>"$sh.err" &
	upid=$!
	at_exit "kill -KILL $upid 2>/dev/null"
	# PID 1 of the new namespace: unshare's child.
	wait_for "$sh: the watcher to start" grep -q . "/proc/$upid/task/$upid/children"
	init=$(cat "/proc/$upid/task/$upid/children") && init=${init%% *}
	for k in pods namespaces nodes services endpointslices replicasets jobs; do
		wait_for "$sh: the $k watch to go idle" test -e "$FAKE_STATE/$k.idle"
	done
	wait_for "$sh: the last pod event stored" test "$(q "SELECT count(*) FROM pods WHERE name = 'new-5d9c8b7a6-13'" 2>/dev/null)" = 1
	kill -TERM "$init" || fail "$sh: cannot signal PID 1"
	wait "$upid"; rc=$?
	[ "$rc" -eq 0 ] || fail "$sh: the watcher exited $rc after SIGTERM: $(cat "$sh.err")"
	grep -q "^inventory: watched .* (stopped by a signal)$" "$sh.out" ||
		fail "$sh: flowpol did not stop on the signal: $(cat "$sh.out" "$sh.err")"
	[ "$(cat "$FAKE_STATE/pods.list") $(cat "$FAKE_STATE/pods.watch")" = "2 2" ] ||
		fail "$sh: the pods watch was not restarted once"
	grep -q "pods: watch ended (exit 0), restarting" "$sh.err" || fail "$sh: no restart notice: $(cat "$sh.err")"
	# Every kind is in the one database.
	[ "$(q "SELECT labels FROM namespaces")" = "$(printf 'kubernetes.io/metadata.name=shop\nteam=blue')" ] ||
		fail "$sh: namespace: $(q "SELECT * FROM namespaces")"
	[ "$(q "SELECT name FROM nodes")" = node-a ] || fail "$sh: node"
	[ "$(q "SELECT namespace || '/' || name || ' ' || cluster_ips FROM services")" = "shop/web 10.43.0.20" ] ||
		fail "$sh: service: $(q "SELECT * FROM services")"
	[ "$(q "SELECT owner_kind || '/' || owner_name FROM controllers WHERE name = 'web-5d9c8b7a6'")" = Deployment/web ] ||
		fail "$sh: replicaset owner"
	# web stays; gone was deleted while the watch restarted (closed by the
	# second listing); short lived between listings (its DELETED event);
	# new came with the second listing.
	got=$(q "SELECT name, gone_at IS NOT NULL FROM pods ORDER BY name")
	want=$(printf 'gone-5d9c8b7a6-11|1\nnew-5d9c8b7a6-13|0\nshort-5d9c8b7a6-12|1\nweb-5d9c8b7a6-10|0')
	[ "$got" = "$want" ] || fail "$sh: pods: $got"
	[ "$(q "SELECT count(*) FROM endpoints WHERE owner = 'aaaaaaaa-0000-4000-8000-000000000012' AND valid_to IS NOT NULL")" = 1 ] ||
		fail "$sh: the short-lived pod's address was not closed"
	[ "$(q "SELECT count(*) FROM snapshots WHERE kinds = 'Pod'")" = 2 ] ||
		fail "$sh: the two pod listings are not snapshots: $(q "SELECT * FROM snapshots")"
	[ ! -e "/proc/$init" ] || ! grep -q "kubectl\|sleep" "/proc/$init/cmdline" 2>/dev/null || fail "$sh: left processes"
done
pass
