#!/usr/bin/env bash
# The scale series: every step of the pipeline on generated clusters of
# growing size, timed with /usr/bin/time (elapsed seconds, peak RSS), with
# the ratio of each step's time at the largest size to its time at the
# smallest beside the ratio of the inputs.
#
# usage: bench/scale.sh [BUILD_DIR] [PODS...]     (default 10000 50000 150000)
#
# Each size has PODS pods in Deployments of 10 replicas (PODS/10 workloads),
# PODS/30 nodes, 100 flow rows per pod over one day, and a rollout of every
# tenth Deployment between the two snapshots (bench/learner-gen.py, fixed
# seed). Correctness at scale is checked here, not in tests: an unchanged
# emit rerun must be byte-identical to the first run, and explain must give
# diff's verdict on a sample of edges (all allowed with no drift; the edges
# of a namespace whose policies were removed, denied). SCALE_SAMPLE sets the
# sample (default 30 edges, plus a third as many from the drifted
# namespace): every explain reads the whole policy directory, so on a busy
# machine a smaller sample keeps the largest size within reach.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-release}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 50000 150000)
. "$src/bench/lib.sh"
bench_build "$build"
fp=$build/flowpol
export FLOWPOL=$fp
work=$(mktemp -d /tmp/flowpol-bench-scale.XXXXXX)
trap 'rm -rf "$work"' EXIT
now=2026-11-27T00:00:00Z

echo "flowpol scale benchmark ($(nproc) cores, $(uname -r), $(date -u +%Y-%m-%d))"
declare -A secs rss cpu
steps=()
# step LABEL CMD...: measure CMD and keep its figures for the ratio table.
step() {
	local label=$1
	shift
	measure "$label" "$@"
	read -r secs["$label,$size"] rss["$label,$size"] cpu["$label,$size"] <"$work/time.txt"
	case " ${steps[*]} " in *" $label "*) ;; *) steps+=("$label") ;; esac
}
check() {
	if "$@"; then :; else echo "  CHECK FAILED: $*"; fails=$((fails + 1)); fi
}
fails=0
sample=${SCALE_SAMPLE:-30}

for size in "${sizes[@]}"; do
	d=$work/$size
	mkdir -p "$d"
	flows=$((size * 100))
	nodes=$((size / 30))
	echo
	echo "== $size pods, $((size / 10)) workloads, $nodes nodes, $flows flow rows"
	/usr/bin/python3 "$src/bench/learner-gen.py" "$d" "$size" "$flows" 1 10 "$nodes" | sed 's/^/  /'
	export FLOWPOL_DB=$d/flows.db
	step inventory-1 "$fp" inventory --at 2026-11-25T22:00:00Z "$d/snap1.json"
	step inventory-2 "$fp" inventory --at 2026-11-26T12:00:00Z "$d/snap2.json"
	rm -f "$d/snap1.json" "$d/snap2.json"
	step learn "$fp" learn
	echo "  $("$fp" edges | tail -n +2 | wc -l) edges"
	step emit "$fp" emit --out "$d/p"
	echo "  $(ls "$d/p" | wc -l) files, $(du -sm "$d/p" | cut -f1) MiB"
	cp -a "$d/p" "$d/p.first"
	step emit-unchanged "$fp" emit --out "$d/p"
	check diff -r -q "$d/p.first" "$d/p"
	rm -rf "$d/p.first"
	step diff-no-drift "$fp" diff --policies "$d/p" --now "$now"
	check grep -q ' 0 of ' "$work/out.txt"
	step graph "$fp" graph
	step report "$fp" report --policies "$d/p"
	# Drift: one namespace's policies removed.
	rm -f "$d"/p/flowpol-team-000-*.yaml
	step diff-drift "$fp" diff --policies "$d/p" --now "$now" --format json
	cp "$work/out.txt" "$d/drift.json"
	# explain agrees with diff on a sample of edges between workloads.
	"$fp" edges | awk -F'\t' 'NR > 1 && $1 ~ /^team-/ && $2 ~ /^team-/' >"$d/tt.tsv"
	{ awk 'NR % 997 == 1' "$d/tt.tsv" | head -n "$sample"
	  grep -E '(^|\t)team-000/' "$d/tt.tsv" | awk 'NR % 7 == 1' |
		head -n $(((sample + 2) / 3)); } >"$d/sample.tsv"
	while IFS=$'\t' read -r s t proto port _; do
		rc=0
		"$fp" explain --policies "$d/p" "$s" "$t" "$proto/$port" >/dev/null 2>&1 || rc=$?
		denied=$(/usr/bin/python3 - "$d/drift.json" "$s" "$t" "$proto" "$port" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
_, s, t, proto, port = sys.argv[1:]
def edges(o):
    if isinstance(o, dict):
        if o.get("src") == s and o.get("dst") == t and str(o.get("port")) == port:
            yield o
        for v in o.values():
            yield from edges(v)
    elif isinstance(o, list):
        for v in o:
            yield from edges(v)
print(1 if any(True for _ in edges(doc.get("denied", doc))) else 0)
PY
)
		check [ "$rc" = "$denied" ]
	done <"$d/sample.tsv"
	echo "  explain matched diff on $(wc -l <"$d/sample.tsv") sampled edges"
	rm -rf "$d"
done

first=${sizes[0]}
last=${sizes[${#sizes[@]} - 1]}
echo
echo "| step | $(printf '%s pods | ' "${sizes[@]}")time ratio $last/$first (inputs $((last / first))x) |"
echo "|---|$(printf -- '---|' "${sizes[@]}")---|"
for s in "${steps[@]}"; do
	row="| $s |"
	for size in "${sizes[@]}"; do
		row+=" $(printf '%.1f s (cpu %.1f s), %d MiB' "${secs[$s,$size]}" "${cpu[$s,$size]}" $((${rss[$s,$size]} / 1024))) |"
	done
	row+=" $(echo "scale=1; ${secs[$s,$last]} / (${secs[$s,$first]} + 0.001)" | bc -l)x |"
	echo "$row"
done
[ "$fails" -eq 0 ] || { echo "$fails checks failed"; exit 1; }
