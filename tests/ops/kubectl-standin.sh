#!/bin/sh
# A stand-in for kubectl in tests/ops/inventory_watch.sh. It accepts only
# the two calls the watcher makes,
#   kubectl get KIND -A -o json
#   kubectl get KIND -A -o json --watch --output-watch-events
# and prints $FAKE_DATA/KIND.list.N.json or KIND.watch.N.json for the Nth
# such call (an empty List when there is no list file). A watch ends (exit 0,
# as when the API server closes it) when a next listing exists; the last one
# stays open, as a real watch does, after touching $FAKE_STATE/KIND.idle.
set -u
if [ $# -eq 5 ] && [ "$1 $3 $4 $5" = "get -A -o json" ]; then
	mode=list
elif [ $# -eq 7 ] && [ "$1 $3 $4 $5 $6 $7" = "get -A -o json --watch --output-watch-events" ]; then
	mode=watch
else
	echo "kubectl stand-in: unexpected call: kubectl $*" >&2
	exit 1
fi
kind=$2
n=$(cat "$FAKE_STATE/$kind.$mode" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" >"$FAKE_STATE/$kind.$mode"
f=$FAKE_DATA/$kind.$mode.$n.json
if [ -f "$f" ]; then
	cat "$f"
elif [ "$mode" = list ]; then
	printf '{\n    "apiVersion": "v1",\n    "items": [],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n'
fi
if [ "$mode" = watch ] && [ ! -f "$FAKE_DATA/$kind.list.$((n + 1)).json" ]; then
	touch "$FAKE_STATE/$kind.idle"
	exec sleep 3600
fi
exit 0
