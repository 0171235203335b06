#!/usr/bin/env bash
# Learner benchmark: inventory import and learn on a generated cluster of
# 10,000 pods (two snapshots, a rollout between) and 1,000,000 flow rows.
# Targets: learn <= 10 s and <= 1 GiB peak RSS on the 2-core dev machine.
# usage: bench/learner-bench.sh [BUILD_DIR] [PODS] [FLOWS]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-release}
pods=${2:-10000}
flows=${3:-1000000}
. "$src/bench/lib.sh"
bench_build "$build"
export FLOWPOL=$build/flowpol
work=$(mktemp -d /tmp/flowpol-bench-learner.XXXXXX)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$src/bench/learner-gen.py" "$work" "$pods" "$flows"
t0=2026-11-25T22:00:00Z
t1=2026-11-26T12:00:00Z
echo "flowpol learner benchmark: $pods pods, $flows flow rows ($(nproc) cores, $(uname -r))"
measure "inventory (snapshot 1)" "$FLOWPOL" inventory --db "$work/flows.db" --at $t0 "$work/snap1.json"
measure "inventory (snapshot 2)" "$FLOWPOL" inventory --db "$work/flows.db" --at $t1 "$work/snap2.json"
measure "learn" "$FLOWPOL" learn --db "$work/flows.db"
measure "learn (again, replaces)" "$FLOWPOL" learn --db "$work/flows.db"
measure "edges --format tsv" "$FLOWPOL" edges --db "$work/flows.db"
echo "edges: $(($(wc -l <"$work/out.txt") - 1)), db $(du -m "$work/flows.db" | cut -f1) MiB"
