#!/usr/bin/env bash
# Every `flowpol` command line in the README's ```sh blocks runs and exits 0,
# in order, in a scratch directory holding the files the README names (the
# seed's capture and inventory), so no example goes stale. Lines marked
# "# needs: ..." (a cluster, root, kubectl, calicoctl, graphviz) are skipped,
# and a line that calls kubectl, calicoctl or docker must be marked.
set -u
. "$(dirname "$0")/../lib.sh"
S=$FLOWPOL_SRC/samples/seed
unset FLOWPOL_DB
mkdir bin nodes
ln -s "$FLOWPOL" bin/flowpol
export PATH="$WORK/bin:$PATH"
cp "$S/capture.pcap" capture.pcap
cp "$S/inventory.json" snapshot.json
# What the merge example reads: one node's database and an inventory.
flowpol collect --db nodes/node-1.db --node node-1 --pcap capture.pcap >/dev/null || fail "setup: collect"
flowpol inventory --db inventory.db --at 2026-11-26T10:00:00Z snapshot.json >/dev/null || fail "setup: inventory"

awk '/^```sh$/ { on = 1; next } /^```/ { on = 0 } on { print NR "\t" $0 }' \
    "$FLOWPOL_SRC/README.md" >lines.txt
[ -s lines.txt ] || fail "no sh blocks in README.md"
ran=0
while IFS=$'\t' read -r n line; do
	case "$line" in
	*"# needs:"*) continue ;;
	*kubectl*|*calicoctl*|*docker*) fail "README.md:$n calls a cluster tool without '# needs:': $line" ;;
	esac
	grep -Eq '(^|[|(;&] *)flowpol ' <<<"$line" || continue
	bash -o pipefail -c "$line" >out.txt 2>err.txt ||
		fail "README.md:$n exited $?: $line: $(head -3 err.txt)"
	ran=$((ran + 1))
done <lines.txt
# The extraction must have found the examples, not silently nothing.
[ "$ran" -ge 15 ] || fail "only $ran README lines ran"
[ -s policies/flowpol-default-deny.yaml ] && [ -s pr.md ] && [ -s staged/flowpol-default-deny.yaml ] ||
	fail "the README's outputs were not written"
echo "ran $ran README lines"
pass
