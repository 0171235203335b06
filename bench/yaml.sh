#!/usr/bin/env bash
# The bounded YAML reader (common/yamlread.c) on hostile and large inputs,
# through the real commands: `explain --policies FILE` (the policy reader)
# and `inventory FILE` (inventory import). Prints wall time, peak RSS, exit
# status and the message of each run. OLD=path/to/an/older/flowpol runs the
# small cases with it too (capped at 60 s each), for comparison.
#   bash bench/yaml.sh
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
. "$src/bench/lib.sh"
bdir=${BENCH_BUILD:-$src/build-bench}
[ -n "${BENCH_NO_BUILD:-}" ] || bench_build "$bdir"
FLOWPOL=$bdir/flowpol
work=$(mktemp -d /tmp/flowpol-bench-yaml.XXXXXX)
trap 'rm -rf "$work"' EXIT
gen() { /usr/bin/python3 "$src/bench/yaml-gen.py" "$@"; }
run() {	# LABEL BINARY policies|inventory FILE
	local label=$1 bin=$2 how=$3 f=$4
	if [ "$how" = policies ]; then
		measure "$label" timeout 60 "$bin" explain --policies "$f" \
			10.0.0.1 10.0.0.2 tcp/80
	else
		rm -f "$work/i.db"
		measure "$label" timeout 60 "$bin" inventory --db "$work/i.db" \
			--at 2026-01-01T00:00:00Z "$f"
	fi
	sed -n '1s/^/    /p' "$work/err.txt" | cut -c1-150
}
for n in 40000 100000; do
	gen flowmap "$n" >"$work/flowmap-$n.yaml"
	run "policy {a: x $n" "$FLOWPOL" policies "$work/flowmap-$n.yaml"
	run "inventory {a: x $n" "$FLOWPOL" inventory "$work/flowmap-$n.yaml"
done
gen flowseq 40000 >"$work/flowseq.yaml"
run "policy [ x 40000" "$FLOWPOL" policies "$work/flowseq.yaml"
gen labels 100000 >"$work/labels-100k.yaml"
run "policy 100,000 keys" "$FLOWPOL" policies "$work/labels-100k.yaml"
gen labels 10000 >"$work/labels-10k.yaml"
run "policy 10,000 keys" "$FLOWPOL" policies "$work/labels-10k.yaml"
gen dupkey 9999 >"$work/dup-10k.yaml"
run "policy 9,999 keys + a repeat" "$FLOWPOL" policies "$work/dup-10k.yaml"
gen invlabels 100000 >"$work/inv-100k.json"
run "inventory 100,000 keys" "$FLOWPOL" inventory "$work/inv-100k.json"
gen policies 2000 >"$work/policies.yaml"
echo "    ($(du -h "$work/policies.yaml" | cut -f1) of policies)"
run "policy 2,000 policies" "$FLOWPOL" policies "$work/policies.yaml"
if [ -n "${OLD:-}" ]; then
	for n in 2000 5000 10000; do
		gen flowmap "$n" >"$work/old-$n.yaml"
		run "OLD policy {a: x $n" "$OLD" policies "$work/old-$n.yaml"
	done
	gen labels 5000 >"$work/old-labels.yaml"
	run "OLD policy 5,000 keys" "$OLD" policies "$work/old-labels.yaml"
fi
