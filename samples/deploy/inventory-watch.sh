#!/bin/sh
# flowpol inventory watcher: the container command of inventory-watcher.yaml
# (installed as /usr/local/bin/flowpol-inventory-watch by the Dockerfile).
#
# usage: flowpol-inventory-watch DB [KIND...]
#
# kubectl watches one kind per command, so this starts one kubectl per kind,
# each writing into its own named pipe, and one `flowpol inventory --watch`
# reading all the pipes: one process writes the database. For each kind, in
# a loop:
#   1. `kubectl get KIND -A -o json`, a List: flowpol stores it as a
#      snapshot of that kind, which closes what was deleted while no watch
#      ran (a pod that ended during a restart gets no DELETED event);
#   2. `kubectl get KIND -A -o json --watch --output-watch-events`: the
#      objects again as ADDED events, then every change as it happens.
#      The API server ends a watch after its timeout (30 to 60 minutes);
#      kubectl then exits and the loop starts again at 1.
# A List is only sent once kubectl has printed all of it (it is kept in a
# file first), so a failed list never leaves half an object in the pipe.
#
# SIGTERM (and SIGINT) stop every kubectl and flowpol, which stores what
# it has read and exits 0. As PID 1 of a container a shell gets SIGTERM only
# because it traps it here. POSIX sh: runs the same under dash and bash.
set -u

if [ $# -lt 1 ]; then
	echo "usage: flowpol-inventory-watch DB [KIND...]" >&2
	exit 2
fi
db=$1
shift
[ $# -gt 0 ] || set -- pods namespaces nodes services endpointslices replicasets jobs
: "${FLOWPOL_WATCH_RETRY:=5}"	# seconds before retrying a failed kubectl

dir=$(mktemp -d "${TMPDIR:-/tmp}/flowpol-watch.XXXXXX") || exit 2
writers=""
fp=""

# One kind, forever: list, then watch until the server closes the watch.
feed() {
	kind=$1
	kp=""
	trap 'if [ -n "$kp" ]; then kill "$kp" 2>/dev/null; fi; exit 0' TERM INT
	while :; do
		kubectl get "$kind" -A -o json >"$dir/$kind.list" &
		kp=$!
		if wait "$kp"; then
			cat "$dir/$kind.list"
			kubectl get "$kind" -A -o json --watch --output-watch-events &
			kp=$!
			wait "$kp"
			rc=$?
			kp=""
			echo "flowpol-inventory-watch: $kind: watch ended (exit $rc), restarting" >&2
			[ "$rc" -eq 0 ] && continue
		fi
		kp=""
		echo "flowpol-inventory-watch: $kind: kubectl failed, retrying in ${FLOWPOL_WATCH_RETRY}s" >&2
		sleep "$FLOWPOL_WATCH_RETRY" &
		kp=$!
		wait "$kp"
		kp=""
	done
}

# flowpol first: stopped by the signal it stores what it read and says so;
# the feeders' end of the pipes closing first would end it as an end of
# input instead, racing the signal.
stop() {
	trap '' TERM INT
	[ -z "$fp" ] || kill -TERM "$fp" 2>/dev/null
	# shellcheck disable=SC2086
	[ -z "$writers" ] || kill -TERM $writers 2>/dev/null
}
trap stop TERM INT

pipes=""
for kind in "$@"; do
	case $kind in
	*[!a-z0-9.]*|"") echo "flowpol-inventory-watch: '$kind' is not a resource name" >&2; exit 2 ;;
	esac
	mkfifo -m 600 "$dir/$kind" || exit 2
	feed "$kind" >"$dir/$kind" &
	writers="$writers $!"
	pipes="$pipes $dir/$kind"
done
# shellcheck disable=SC2086
flowpol inventory --db="$db" --watch $pipes &
fp=$!
# wait returns early when a trapped signal arrives: wait again for flowpol
# to store what it read and exit.
while :; do
	wait "$fp"
	rc=$?
	kill -0 "$fp" 2>/dev/null || break
done
# A wait cut short by the trapped signal says 128+N even when flowpol exited
# right after it: ask once more for flowpol's own status (127: the shell
# has already given it).
wait "$fp" 2>/dev/null
r=$?
[ "$r" -eq 127 ] || rc=$r
# flowpol ended (a signal, or an error): stop the feeders too.
trap '' TERM INT
# shellcheck disable=SC2086
kill -TERM $writers 2>/dev/null
for w in $writers; do wait "$w" 2>/dev/null; done
rm -rf "$dir"
exit "$rc"
