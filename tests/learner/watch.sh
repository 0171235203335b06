#!/usr/bin/env bash
# inventory --watch: the object stream `kubectl get pods,namespaces,nodes -A
# -o json --watch --output-watch-events` prints (adds, label changes,
# deletes, IP reuse) gives the same ownership intervals, and so the same
# edges, as the equivalent snapshots; a bad object keeps what came before.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/reuse.sh"
D=$FLOWPOL_SRC/tests/data/learner

# Objects one after another, pretty-printed, as kubectl prints them.
stream() { # FILE [wrap TYPE] [only NAME] [relabel]
	/usr/bin/python3 - "$@" <<'X'
import json, sys, yaml
f, args = sys.argv[1], sys.argv[2:]
d = yaml.safe_load(open(f))
for it in d["items"]:
    if "only" in args and it["metadata"]["name"] != args[args.index("only") + 1]:
        continue
    if "relabel" in args:
        it["metadata"]["labels"]["team"] = "blue"
    if "wrap" in args:
        it = {"type": args[args.index("wrap") + 1], "object": it}
    print(json.dumps(it, indent=4, sort_keys=True).replace("<", "\\u003c"))
X
}
stream "$D/reuse-1.json" wrap ADDED >s1.json
"$FLOWPOL" inventory --watch --at 2026-11-21T10:00:00Z s1.json >out.txt || fail "watch 1"
grep -q "^inventory: watched 6 objects in 1 batches$" out.txt || fail "watch 1 summary: $(cat out.txt)"
stream "$D/reuse-2.yaml" wrap ADDED only worker-6c7d8e9f5-m2n3b |
	"$FLOWPOL" inventory --watch --at 2026-11-21T11:30:00Z >/dev/null || fail "watch 2 (stdin)"
stream "$D/reuse-1.json" wrap DELETED only cache-0 >s3.json
stream "$D/reuse-1.json" wrap DELETED only batch-1 >>s3.json
"$FLOWPOL" inventory --watch --at 2026-11-21T12:00:00Z s3.json >/dev/null || fail "watch 3"
# Without event wrappers, a MODIFIED object (a label change) as plain JSON.
stream "$D/reuse-1.json" only api-5c4b3a2d1-xz12q relabel |
	"$FLOWPOL" inventory --watch --at 2026-11-21T12:30:00Z >/dev/null || fail "watch 4"
[ "$(sqlite3 "$FLOWPOL_DB" "SELECT count(*) FROM pod_labels WHERE uid = 'aaaaaaaa-0000-4000-8000-000000000020'")" = 2 ] ||
	fail "label change not kept as a second label set"
[ "$(sqlite3 "$FLOWPOL_DB" "SELECT count(*) FROM snapshots")" = 0 ] || fail "watch events made snapshots"
reuse_learn watch
# The same model as from the two snapshots.
"$FLOWPOL" inventory --db snap.db --at 2026-11-21T10:00:00Z "$D/reuse-1.json" >/dev/null &&
	"$FLOWPOL" inventory --db snap.db --at 2026-11-21T12:00:00Z "$D/reuse-2.yaml" >/dev/null &&
	/usr/bin/python3 "$FLOWPOL_SRC/tests/learner/flowrows.py" snap.db <"$D/reuse-flows.txt" &&
	"$FLOWPOL" learn --db snap.db >/dev/null || fail "snapshot model"
"$FLOWPOL" edges | cmp -s - <("$FLOWPOL" edges --db snap.db) || fail "watched edges differ from snapshot edges"
# A YAML stream ("---" between objects); a bad object stops the watch but
# keeps the objects before it; a truncated object is an error.
printf 'kind: Namespace\nmetadata:\n  name: good-1\n---\nkind: Namespace\nmetadata:\n  name: Bad\n---\nkind: Namespace\nmetadata:\n  name: never\n' |
	"$FLOWPOL" inventory --watch 2>err.txt >/dev/null
[ $? -eq 2 ] || fail "bad YAML object did not fail"
grep -q "^flowpol: inventory: '-': line 7: object Namespace #1: field metadata.name: 'Bad' is not a valid name" err.txt ||
	fail "YAML watch message: $(cat err.txt)"
printf '{"kind": "Namespace", "metadata": {"name": "good-2"}}\n{"kind": "Namespace",\n "metadata": {"name": "x_y"}}\n' |
	"$FLOWPOL" inventory --watch 2>err.txt >/dev/null
[ $? -eq 2 ] || fail "bad JSON object did not fail"
grep -q "^flowpol: inventory: '-': line 3: object Namespace #1: field metadata.name: 'x_y'" err.txt ||
	fail "JSON watch message: $(cat err.txt)"
[ "$(sqlite3 "$FLOWPOL_DB" "SELECT group_concat(name) FROM namespaces WHERE name LIKE 'good-%' OR name = 'never'")" = "good-1,good-2" ] ||
	fail "objects before the bad one were not kept"
printf '{"kind": "Namespace", "metadata": {"name": "cut"' | "$FLOWPOL" inventory --watch 2>err.txt >/dev/null
[ $? -eq 2 ] || fail "truncated stream accepted"
grep -q "the stream ends inside an object" err.txt || fail "truncated message: $(cat err.txt)"
pass
