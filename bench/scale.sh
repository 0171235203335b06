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
# namespace), explained in one `explain --batch` run.
# SCALE_DATA=DIR keeps each size's generated inputs (snapshots and flow
# rows) in DIR/PODS and reuses them on the next run while the generator is
# unchanged: generating 150,000 pods takes minutes of its own.
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
	stamp="$(sha256sum "$src/bench/learner-gen.py" | cut -c1-16) $size $flows $nodes"
	keep=${SCALE_DATA:+$SCALE_DATA/$size}
	if [ -n "$keep" ] && [ "$(cat "$keep/stamp" 2>/dev/null)" = "$stamp" ]; then
		echo "  generated inputs reused from $keep"
	else
		/usr/bin/python3 "$src/bench/learner-gen.py" "$d" "$size" "$flows" 1 10 "$nodes" | sed 's/^/  /'
		if [ -n "$keep" ]; then
			mkdir -p "$keep"
			cp "$d/snap1.json" "$d/snap2.json" "$d/flows.db" "$keep/"
			echo "$stamp" >"$keep/stamp"
		fi
	fi
	[ -z "$keep" ] || cp "$keep/snap1.json" "$keep/snap2.json" "$keep/flows.db" "$d/"
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
	awk -F'\t' '{print $1, $2, $3 "/" $4}' "$d/sample.tsv" >"$d/batch.txt"
	step explain-batch "$fp" explain --policies "$d/p" --batch "$d/batch.txt"
	check /usr/bin/python3 - "$d/drift.json" "$d/sample.tsv" "$work/out.txt" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
denied = set()
def walk(o):
    if isinstance(o, dict):
        if "src" in o and "dst" in o and "port" in o:
            denied.add((o["src"], o["dst"], str(o["port"])))
        for v in o.values():
            walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(doc.get("denied", doc))
sample = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.strip()]
verdicts = [l.split()[1] for l in open(sys.argv[3]) if l.startswith("verdict: ")]
if len(verdicts) != len(sample):
    sys.exit("%d verdicts for %d sampled edges" % (len(verdicts), len(sample)))
bad = 0
for (s, t, proto, port, *_), v in zip(sample, verdicts):
    want = "denied" if (s, t, port) in denied else "allowed"
    if v != want:
        print("  explain says %s, diff %s: %s -> %s %s/%s" % (v, want, s, t, proto, port))
        bad += 1
sys.exit(1 if bad else 0)
PY
	echo "  explain matched diff on $(wc -l <"$d/sample.tsv") sampled edges"
	rm -rf "$d"
done

first=${sizes[0]}
last=${sizes[${#sizes[@]} - 1]}
echo
# The issue's targets at the largest size: every command under 60 s and
# 2 GiB; an unchanged emit rerun and a no-drift diff under 10 s.
echo "| step | $(printf '%s pods | ' "${sizes[@]}")time ratio $last/$first (inputs $((last / first))x) | target at $last |"
echo "|---|$(printf -- '---|%.0s' "${sizes[@]}")---|---|"
for s in "${steps[@]}"; do
	row="| $s |"
	for size in "${sizes[@]}"; do
		row+=" $(printf '%.1f s (cpu %.1f s), %d MiB' "${secs[$s,$size]}" "${cpu[$s,$size]}" $((${rss[$s,$size]} / 1024))) |"
	done
	row+=" $(echo "scale=1; ${secs[$s,$last]} / (${secs[$s,$first]} + 0.001)" | bc -l)x |"
	case $s in emit-unchanged|diff-no-drift) limit=10 ;; *) limit=60 ;; esac
	if [ "$(echo "${secs[$s,$last]} < $limit" | bc -l)" = 1 ] &&
		[ "${rss[$s,$last]}" -lt $((2048 * 1024)) ]; then
		row+=" met (< $limit s, < 2 GiB) |"
	else
		row+=" missed (< $limit s, < 2 GiB) |"
	fi
	echo "$row"
done
[ "$fails" -eq 0 ] || { echo "$fails checks failed"; exit 1; }
