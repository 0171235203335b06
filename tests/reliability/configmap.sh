#!/usr/bin/env bash
# diff --policies on a directory laid out as the kubelet mounts a ConfigMap
# (each file a symlink to ..data/FILE, ..data a symlink to a timestamped
# directory) reads through the links: 0 changed. A link leading outside the
# directory is not followed, and emit, a writer, follows none.
set -u
. "$(dirname "$0")/../lib.sh"
: "${EMIT_FIXTURE:?}"
GOLD=$FLOWPOL_SRC/samples/seed/policies
"$EMIT_FIXTURE" seed.db "$FLOWPOL_SRC/tests/data/emitter/seed.sql" || fail "fixture"
ts=..2026_12_05_01_00_00.123456789
mkdir -p cm/$ts
cp "$GOLD"/*.yaml cm/$ts/
ln -s $ts cm/..data
for f in "$GOLD"/*.yaml; do ln -s "..data/$(basename "$f")" "cm/$(basename "$f")"; done
"$FLOWPOL" diff --db seed.db --policies cm >out.txt 2>err.txt; rc=$?
[ $rc -eq 0 ] || fail "diff on a ConfigMap layout exited $rc: $(cat err.txt)"
grep -q "^Proposed by emit (compared with cm): 0 added, 0 changed, 0 removed$" out.txt ||
	fail "diff: $(grep Proposed out.txt)"

# A link that leaves the directory is not read through.
mkdir outside
cp "$GOLD/flowpol-allow-dns.yaml" outside/
rm cm/flowpol-allow-dns.yaml
ln -s "$WORK/outside/flowpol-allow-dns.yaml" cm/flowpol-allow-dns.yaml
"$FLOWPOL" diff --db seed.db --policies cm >out.txt 2>&1
grep -q "0 added, 1 changed, 0 removed" out.txt || fail "outside link: $(grep Proposed out.txt)"

# emit into the ConfigMap directory: every name is a symlink, a clash.
echo precious >outside/flowpol-allow-dns.yaml
expect_exit 2 "$FLOWPOL" emit --db seed.db --out cm 2>err.txt
grep -q "was not written by flowpol" err.txt || fail "emit: $(cat err.txt)"
[ "$(cat outside/flowpol-allow-dns.yaml)" = precious ] || fail "emit wrote through a symlink"
for f in "$GOLD"/*.yaml; do cmp -s "$f" "cm/$ts/$(basename "$f")" || fail "emit changed $(basename "$f") behind a link"; done
pass
