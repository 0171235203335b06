#!/bin/bash
# The seed scenario's learned model emits exactly samples/seed/policies/,
# byte for byte, as files and as one stream; a rollout changes nothing.
. "$FLOWPOL_SRC/tests/lib.sh"
: "${EMIT_FIXTURE:?}"
DATA=$FLOWPOL_SRC/tests/data/emitter
GOLD=$FLOWPOL_SRC/samples/seed/policies

"$EMIT_FIXTURE" seed.db "$DATA/seed.sql" || fail "fixture"
"$FLOWPOL" emit --db seed.db --out out 2>err || fail "emit: $(cat err)"
diff -r "$GOLD" out || fail "emitted files differ from $GOLD"
[ "$(ls "$GOLD" | wc -l)" -ge 8 ] || fail "golden set too small"

# '-' is the same documents as one stream, layers first, then by name
"$FLOWPOL" emit --db seed.db --out - >stream.yaml 2>err || fail "emit -: $(cat err)"
: >want.yaml
for f in flowpol-default-deny flowpol-allow-dns; do
	printf -- '---\n' >>want.yaml; cat "$GOLD/$f.yaml" >>want.yaml
done
for f in $(ls "$GOLD" | grep -v -e '^flowpol-default-deny.yaml$' -e '^flowpol-allow-dns.yaml$'); do
	printf -- '---\n' >>want.yaml; cat "$GOLD/$f" >>want.yaml
done
cmp stream.yaml want.yaml || fail "stream differs from the files"

# same database twice: same bytes, files untouched
touch -d '2001-01-01' out/*.yaml
"$FLOWPOL" emit --db seed.db --out out 2>err || fail "second emit"
diff -r "$GOLD" out || fail "second emit differs"
[ -z "$(find out -type f -newermt '2001-01-02')" ] || fail "unchanged files were rewritten"

# a rollout: new pod names, hashes, uids, nodes, counts, times
"$EMIT_FIXTURE" rollout.db "$DATA/seed.sql" "$DATA/rollout.sql" || fail "fixture"
"$FLOWPOL" emit --db rollout.db --out rollout 2>err || fail "emit rollout"
diff -r "$GOLD" rollout || fail "a rollout changed the output"

# nothing volatile in the YAML: no pod names, hashes, node names, times
for bad in 5d78c9869d 7c9d8f6b5 4kq2x node-a node-b 1700000 u-bb1; do
	! grep -rq -- "$bad" out || fail "volatile '$bad' in the YAML"
done
pass
