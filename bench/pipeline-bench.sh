#!/usr/bin/env bash
# The review and cron steps on a large learned model: emit, a diff with no
# drift, a diff after a change, graph and report, on the learner benchmark's
# generated cluster (10,000 pods, 1,000,000 flow rows by default).
# usage: bench/pipeline-bench.sh [BUILD_DIR] [PODS] [FLOWS]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-release}
pods=${2:-10000}
flows=${3:-1000000}
. "$src/bench/lib.sh"
bench_build "$build"
fp=$build/flowpol
export FLOWPOL=$fp
work=$(mktemp -d /tmp/flowpol-bench-pipeline.XXXXXX)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$src/bench/learner-gen.py" "$work" "$pods" "$flows" >/dev/null
export FLOWPOL_DB=$work/flows.db
"$fp" inventory --at 2026-11-25T22:00:00Z "$work/snap1.json" >/dev/null
"$fp" inventory --at 2026-11-26T12:00:00Z "$work/snap2.json" >/dev/null
"$fp" learn >/dev/null
echo "flowpol pipeline benchmark: $pods pods, $flows flow rows, $("$fp" edges | wc -l) edges ($(nproc) cores, $(uname -r))"
measure "emit --out (first)" "$fp" emit --out "$work/policies"
echo "  $(ls "$work/policies" | wc -l) files, $(du -sm "$work/policies" | cut -f1) MiB"
measure "emit --out (unchanged)" "$fp" emit --out "$work/policies"
measure "diff (no drift)" "$fp" diff --policies "$work/policies" --now 2026-11-27T00:00:00Z
# Drift: the committed set lacks one namespace's policies.
rm "$work"/policies/flowpol-team-000-*.yaml
measure "diff (one namespace missing)" "$fp" diff --policies "$work/policies" --now 2026-11-27T00:00:00Z
measure "diff --format json" "$fp" diff --policies "$work/policies" --format json --now 2026-11-27T00:00:00Z
measure "graph" "$fp" graph
if "$fp" report --help >/dev/null 2>&1; then
	measure "report" "$fp" report --policies "$work/policies"
fi
