#!/usr/bin/env bash
# Every file emit writes is created exclusively, never through a symlink,
# inside --out; the new set is written whole before any file is renamed
# into place, stale files are removed last; a file is flowpol's only if the
# digest in its header matches its content.
set -u
. "$(dirname "$0")/../lib.sh"
: "${EMIT_FIXTURE:?}"
GOLD=$FLOWPOL_SRC/samples/seed/policies
NSGOLD=$FLOWPOL_SRC/samples/seed/policies-namespace
"$EMIT_FIXTURE" seed.db "$FLOWPOL_SRC/tests/data/emitter/seed.sql" || fail "fixture"

# 1. A symlink planted at the temporary name older releases used
# (<file>.tmp.<pid>; exec keeps the shell's pid) is never written through.
mkdir out
echo "precious" >victim
bash -c 'for f in "$1"/*.yaml; do :; done
	for n in $(ls "$2"); do ln -s "$3" "out/$n.tmp.$$"; done
	exec "$4" emit --db seed.db --out out' sh out "$GOLD" "$WORK/victim" "$FLOWPOL" 2>err.txt ||
	fail "emit with planted symlinks exited $?: $(cat err.txt)"
[ "$(cat victim)" = precious ] || fail "emit wrote through a planted symlink"
for f in "$GOLD"/*.yaml; do cmp -s "$f" "out/$(basename "$f")" || fail "$(basename "$f") not written"; done
# ... nor through one at a policy's own name: refused, target untouched.
mkdir out2
ln -s "$WORK/victim" out2/flowpol-allow-dns.yaml
expect_exit 2 "$FLOWPOL" emit --db seed.db --out out2 2>/dev/null
[ "$(cat victim)" = precious ] || fail "emit wrote through a symlink at a policy name"

# 2. A hand-written file with a copied header line, and a generated file
# edited by hand, are not flowpol's: never removed as stale.
{ head -1 "$GOLD/flowpol-allow-dns.yaml"; echo "# mine"; echo "kind: NetworkPolicy"; } >out/my-policy.yaml
sed 's/^  order: 200$/  order: 250/' "$GOLD/flowpol-allow-dns.yaml" >out/edited-copy.yaml
expect_exit 0 "$FLOWPOL" emit --db seed.db --out out 2>err.txt
grep -q "removed 0 stale" err.txt || fail "emit: $(cat err.txt)"
[ -f out/my-policy.yaml ] && [ -f out/edited-copy.yaml ] || fail "a file that is not flowpol's was removed"
# A real generated file of an earlier run (digest matches) is stale: removed.
cp "$GOLD/flowpol-allow-dns.yaml" out/flowpol-old.yaml
expect_exit 0 "$FLOWPOL" emit --db seed.db --out out 2>err.txt
[ ! -e out/flowpol-old.yaml ] || fail "a stale generated file was kept"
rm out/my-policy.yaml out/edited-copy.yaml

# 3. Disk full in the middle of emit: the old set stays whole, no
# temporary file is left, exit 2 naming the file.
command -v unshare >/dev/null && [ "$(id -u)" -eq 0 ] || {
	[ "${FLOWPOL_REQUIRE_ROOT:-0}" = 1 ] && fail "needs root and unshare for the disk-full case"
	echo "SKIP $TEST_NAME: disk full needs root" >&2; exit 77; }
export FLOWPOL WORK
unshare -m bash -c '
	mkdir -p "$WORK/small" && mount -t tmpfs -o size=256k tmpfs "$WORK/small" || exit 3
	"$FLOWPOL" emit --db "$WORK/seed.db" --out "$WORK/small/pol" 2>/dev/null || exit 4
	# Fill the filesystem to a few KiB short of what the namespace set needs.
	dd if=/dev/zero of="$WORK/small/fill" bs=1k 2>/dev/null
	rm "$WORK/small/fill"; dd if=/dev/zero of="$WORK/small/fill" bs=1k count=$(( $(df -k --output=avail "$WORK/small" | tail -1) - 6 )) 2>/dev/null
	"$FLOWPOL" emit --db "$WORK/seed.db" --granularity namespace --out "$WORK/small/pol" 2>"$WORK/full.err"; echo $? >"$WORK/full.rc"
	cp -r "$WORK/small/pol" "$WORK/after"; ls -A "$WORK/small/pol" >"$WORK/after.ls"' || fail "disk-full setup ($?)"
[ "$(cat full.rc)" = 2 ] || fail "emit on a full disk exited $(cat full.rc): $(cat full.err)"
grep -q "No space left on device; nothing was changed" full.err || fail "message: $(cat full.err)"
diff -r "$GOLD" after || fail "a failed emit changed the old set"
grep -q '^\.' after.ls && fail "temporary files left: $(cat after.ls)"
pass
