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

# '-' never touches a directory and writes a stream
"$FLOWPOL" emit --db seed.db --out - >s.yaml 2>/dev/null || fail "stream"
[ "$(grep -c '^---$' s.yaml)" = 8 ] || fail "stream has $(grep -c '^---$' s.yaml) documents"
pass
