#!/bin/bash
# emit --calico-version: recorded in every file's header, kept by a rerun
# unless given, refused where the release lacks what an option needs; and
# emit --tier: the Tier ahead of default and policies in it, whose default
# deny decides whatever a broader allow in the default tier says.
. "$FLOWPOL_SRC/tests/lib.sh"
. "$FLOWPOL_SRC/tests/emitter/lib.sh"

"$EMIT_FIXTURE" seed.db "$DATA/seed.sql" || fail fixture
version_lines() { grep -h '^# For Calico ' "$1"/*.yaml | sort | uniq -c | tr -s ' ' | sed 's/^ //'; }

"$FLOWPOL" emit --db seed.db --out d 2>/dev/null || fail "emit"
n=$(ls d/*.yaml | wc -l)
[ "$(version_lines d)" = "$n # For Calico 3.33." ] || fail "default version: $(version_lines d)"
"$FLOWPOL" emit --db seed.db --out d --calico-version 3.31 2>/dev/null || fail "emit 3.31"
[ "$(version_lines d)" = "$n # For Calico 3.31." ] || fail "3.31: $(version_lines d)"
# A rerun without the option keeps 3.31; the option changes it.
"$FLOWPOL" emit --db seed.db --out d 2>err.txt || fail "rerun: $(cat err.txt)"
grep -q "removed 0 stale" err.txt || fail "rerun: $(cat err.txt)"
[ "$(version_lines d)" = "$n # For Calico 3.31." ] || fail "rerun changed the version: $(version_lines d)"
# diff's proposals compare with the release the files record: nothing changed.
"$FLOWPOL" diff --db seed.db --policies d --now 2026-11-26T13:00:00Z >diff.txt 2>&1
grep -q "0 added, 0 changed, 0 removed" diff.txt || fail "diff proposals: $(cat diff.txt)"
"$FLOWPOL" emit --db seed.db --out d --calico-version 3.32 2>/dev/null || fail "emit 3.32"
[ "$(version_lines d)" = "$n # For Calico 3.32." ] || fail "3.32: $(version_lines d)"
# Two versions recorded: the user chooses.
sed -i 's/^# For Calico 3.32\./# For Calico 3.30./' d/flowpol-default-deny.yaml
expect_exit 2 "$FLOWPOL" emit --db seed.db --out d 2>err.txt
grep -q "records Calico 3.32, .flowpol-default-deny.yaml. Calico 3.30: give --calico-version" err.txt || fail "mixed: $(cat err.txt)"

expect_exit 2 "$FLOWPOL" emit --db seed.db --calico-version 3.29 --staged 2>err.txt
grep -qx "flowpol: emit: Calico 3.29 has no staged policies (--staged, --enforce-namespace need 3.30 or later)" err.txt ||
	fail "3.29 staged: $(cat err.txt)"
expect_exit 2 "$FLOWPOL" emit --db seed.db --calico-version 3.28 --tier flowpol 2>err.txt
grep -q "Calico 3.28 has no tiers" err.txt || fail "3.28 tier: $(cat err.txt)"
expect_exit 2 "$FLOWPOL" emit --db seed.db --tier kube-admin 2>err.txt
grep -q "a tier Calico 3.33 creates itself" err.txt || fail "kube-admin: $(cat err.txt)"
expect_exit 2 "$FLOWPOL" emit --db seed.db --calico-version 3.34 2>err.txt
grep -q "want 3.28 to 3.33" err.txt || fail "3.34: $(cat err.txt)"

# --tier: the Tier first, every policy in it and named for it.
"$FLOWPOL" emit --db seed.db --out t --tier flowpol 2>/dev/null || fail "emit --tier"
grep -q '^kind: Tier$' t/flowpol.yaml || fail "no Tier"
grep -q '^  order: 100000$' t/flowpol.yaml || fail "Tier order: $(cat t/flowpol.yaml)"
[ "$(grep -L '^  tier: flowpol$' t/flowpol.flowpol-*.yaml)" = "" ] || fail "policies outside the tier"
[ "$(ls t | grep -vc '^flowpol\.')" = 0 ] || fail "names: $(ls t)"
"$FLOWPOL" emit --db seed.db --out - --tier flowpol >s.yaml 2>/dev/null || fail "stream"
[ "$(grep -m1 '^kind:' s.yaml)" = "kind: Tier" ] || fail "stream: the Tier is not first: $(head -5 s.yaml)"

# The interplay: a cluster policy allowing everything in the default tier.
cat >allow-all.yaml <<'Y'
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: allow-all}
spec:
  order: 1
  selector: all()
  types: [Ingress, Egress]
  ingress: [{action: Allow}]
  egress: [{action: Allow}]
Y
SRC="ns:namespace1,nslabel:name=namespace1,app=busybox"
DST="ns:namespace2,nslabel:name=namespace2,app=nginx"
# In the default tier, the broader allow (order 1) wins over flowpol's deny.
"$FLOWPOL" explain --policies allow-all.yaml --policies "$GOLD" "$SRC" "$DST" tcp/81 >ex.txt
[ $? = 0 ] || fail "default tier: not allowed: $(cat ex.txt)"
grep -qx 'egress decided by: --policies allow-all.yaml' ex.txt || fail "default tier side: $(cat ex.txt)"
# In flowpol's own tier, its default deny decides first.
"$FLOWPOL" explain --policies allow-all.yaml --policies t "$SRC" "$DST" tcp/81 >ex.txt
[ $? = 1 ] || fail "own tier: not denied: $(cat ex.txt)"
grep -q 'decided by: end of tier flowpol' ex.txt || fail "own tier: $(cat ex.txt)"
grep -qx 'egress decided by: --policies t' ex.txt || fail "own tier side: $(cat ex.txt)"
pass
