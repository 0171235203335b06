#!/usr/bin/env bash
# flowpol diff error paths: usage, missing or malformed policies (named by
# file and line, also deep in a directory), bad databases. All exit 2 and
# leave the database as it was.
set -u
. "$(dirname "$0")/../lib.sh"
S=$FLOWPOL_SRC/samples/seed

"$FLOWPOL" diff --help >help.txt || fail "--help exited $?"
for o in --db --policies --since --stale-after --now --format; do
	grep -q -- "$o" help.txt || fail "--help does not list $o"
done

"$FLOWPOL" inventory --at 2026-11-26T10:00:00Z "$S/inventory.json" >/dev/null || fail "inventory exited $?"
/usr/bin/python3 "$FLOWPOL_SRC/tests/learner/flowrows.py" "$FLOWPOL_DB" \
	<"$FLOWPOL_SRC/tests/data/learner/seed-flows.txt" || fail "flow rows"
"$FLOWPOL" learn >/dev/null || fail "learn exited $?"
"$FLOWPOL" emit --out pol 2>/dev/null || fail "emit exited $?"
sum=$(sqlite3 "$FLOWPOL_DB" "SELECT count(*), sum(connections) FROM edges")

# err WANT_REGEX args...: exit 2, one message naming the problem.
err() {
	local want=$1; shift
	"$FLOWPOL" diff "$@" >out.txt 2>err.txt; local rc=$?
	[ "$rc" -eq 2 ] || fail "'diff $*' exited $rc, want 2: $(cat err.txt)"
	grep -Eq "$want" err.txt || fail "'diff $*': message '$(cat err.txt)' lacks /$want/"
	[ ! -s out.txt ] || fail "'diff $*' printed a report on error"
}

err "policies is required" --now 2026-11-26T14:00:00Z
err "flowpol: diff: .*'nope'" --policies nope
err "unexpected argument 'extra'" --policies pol extra
err "output.*'yaml'" --policies pol --format yaml
err "stale-after" --policies pol --stale-after soon
err "since" --policies pol --since yesterday
err "no policy files" --policies "$(mkdir -p empty && echo empty)"

# A malformed policy, deep in the tree: file and line.
mkdir -p tree/a/b && cp pol/*.yaml tree/
cat >tree/a/b/broken.yaml <<'X'
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: broken
spec:
  selector: "app == 'x'"
  ingress:
  - action: Allow
    source:
      selector: "app == "
X
err "tree/a/b/broken.yaml:10" --policies tree
# Not YAML at all.
printf 'kind: [unclosed\n' >tree/a/b/broken.yaml
err "tree/a/b/broken.yaml:[0-9]+" --policies tree
# An unknown field is refused, not ignored.
printf 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: x\nspec:\n  selektor: all()\n' >tree/a/b/broken.yaml
err "tree/a/b/broken.yaml:6" --policies tree

# Bad databases: not SQLite, missing (never created).
echo "not a database" >bad.db
err "bad.db" --db bad.db --policies pol
err "missing.db" --db missing.db --policies pol
[ ! -e missing.db ] || fail "diff created the missing database"
# A store with flows that learn never ran on: exit 2, not "no drift".
"$FLOWPOL" collect --db unlearned.db --pcap "$S/capture.pcap" 2>/dev/null || fail "collect exited $?"
err "diff: store 'unlearned.db': nothing learned yet: run 'flowpol learn' first" \
	--db unlearned.db --policies pol --now 2026-11-26T14:00:00Z

# Nothing stored was touched; the good run still works.
[ "$(sqlite3 "$FLOWPOL_DB" "SELECT count(*), sum(connections) FROM edges")" = "$sum" ] || fail "edges changed"
expect_exit 0 "$FLOWPOL" diff --policies pol --now 2026-11-26T14:00:00Z >/dev/null
pass
