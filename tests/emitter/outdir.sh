#!/bin/bash
# --out DIR: created if missing, one file per policy with stable names;
# generated files no longer produced are removed, files flowpol did not
# write are left alone, and a clash with one is an error that writes nothing.
. "$FLOWPOL_SRC/tests/lib.sh"
. "$FLOWPOL_SRC/tests/emitter/lib.sh"

"$EMIT_FIXTURE" seed.db "$DATA/seed.sql" || fail fixture
"$FLOWPOL" emit --db seed.db --out deep/policies 2>/dev/null || fail "emit into a new directory"
diff -r "$GOLD" deep/policies || fail "output differs"

# foreign files stay; a generated file no longer produced goes
mkdir out
echo "# hand-written, keep me" >out/hand.yaml
printf 'kind: GlobalNetworkPolicy\n' >out/other.yml
echo "notes" >out/README
"$FLOWPOL" emit --db seed.db --out out --granularity namespace 2>/dev/null || fail "emit ns"
[ -f out/flowpol-ns-namespace1.yaml ] || fail "namespace policy missing"
"$FLOWPOL" emit --db seed.db --out out 2>err.txt || fail "emit workload"
grep -q "removed 3 stale" err.txt || fail "stale count: $(cat err.txt)"
[ -e out/flowpol-ns-namespace1.yaml ] && fail "stale generated file kept"
for f in hand.yaml other.yml README; do [ -f "out/$f" ] || fail "foreign $f removed"; done
diff -r -x hand.yaml -x other.yml -x README "$GOLD" out || fail "output differs after switching"

# a file we would write but did not write ourselves: refuse, change nothing
cp -r out before
echo "# my own deny" >out/flowpol-default-deny.yaml
cp out/flowpol-default-deny.yaml mine.yaml
"$FLOWPOL" emit --db seed.db --out out --staged 2>err.txt && fail "overwrote a foreign file"
grep -q "flowpol-default-deny.yaml': exists and was not written by flowpol" err.txt || fail "message: $(cat err.txt)"
cmp out/flowpol-default-deny.yaml mine.yaml || fail "foreign file changed"
grep -q "^kind: GlobalNetworkPolicy" out/flowpol-ntierapp-backend.yaml || fail "a file was rewritten"
# files are written as they are rendered, under hidden temporary names:
# the refused run removed the ones it had written before the clash
[ -z "$(ls -A out | grep '^\.')" ] || fail "temporaries left: $(ls -A out)"
cp before/flowpol-default-deny.yaml out/

# an unchanged rerun rewrites nothing (mtimes stay) and leaves no temporaries
touch -d 2020-01-01 out/*.yaml
"$FLOWPOL" emit --db seed.db --out out 2>/dev/null || fail "rerun"
[ -z "$(find out -name '*.yaml' -newermt 2020-01-02)" ] || fail "rerun rewrote: $(find out -newermt 2020-01-02)"
[ -z "$(ls -A out | grep '^\.')" ] || fail "temporaries left by the rerun"
# a generated file edited by hand with its seal redone is still flowpol's,
# and differs: the rerun writes it back; the others stay untouched
$PY - out/flowpol-ntierapp-backend.yaml <<'PYEOF'
import hashlib, sys
p = sys.argv[1]
t = open(p).read().replace("ports:", "ports: ", 1)
first, rest = t.split("\n", 1)
first = first[:first.rindex(" sha256:")] + " sha256:" + hashlib.sha256(rest.encode()).hexdigest()
open(p, "w").write(first + "\n" + rest)
PYEOF
cmp -s out/flowpol-ntierapp-backend.yaml "$GOLD/flowpol-ntierapp-backend.yaml" && fail "edit not made"
touch -d 2020-01-01 out/flowpol-ntierapp-backend.yaml
"$FLOWPOL" emit --db seed.db --out out 2>/dev/null || fail "rerun after an edit"
cmp out/flowpol-ntierapp-backend.yaml "$GOLD/flowpol-ntierapp-backend.yaml" || fail "edit not undone"
[ "$(find out -name '*.yaml' -newermt 2020-01-02)" = out/flowpol-ntierapp-backend.yaml ] || fail "rewrote: $(find out -newermt 2020-01-02)"

# '-' never touches a directory and writes a stream
"$FLOWPOL" emit --db seed.db --out - >s.yaml 2>/dev/null || fail "stream"
[ "$(grep -c '^---$' s.yaml)" = 8 ] || fail "stream has $(grep -c '^---$' s.yaml) documents"
pass
