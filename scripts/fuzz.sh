#!/usr/bin/env bash
# Fuzz every parser for a bounded time under clang with ASan + UBSan
# (libFuzzer): selector, policy reader, inventory, pcap, NFLOG decoder.
# FUZZ_SECONDS per harness (default 30: about 3 minutes in all on 2 cores).
# Each harness starts from its saved corpus (tests/corpus/NAME, replayed by
# the normal test run) in a scratch copy. An input that crashes, leaks or
# runs longer than FUZZ_TIMEOUT seconds is copied into tests/corpus/NAME/
# (commit it with the fix: the normal test run then replays it) and the
# script fails.
set -eu
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-30}
timeout=${FUZZ_TIMEOUT:-10}
build=${BUILD_DIR:-build-fuzz}
command -v clang >/dev/null || { echo "fuzz: clang is missing: bash scripts/deps.sh" >&2; exit 2; }
harnesses="selector policy inventory pcap decode"
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DFLOWPOL_FUZZ=ON >/dev/null
targets=""
for h in $harnesses; do targets="$targets fuzz_$h"; done
cmake --build "$build" -j2 --target $targets
work=$(mktemp -d /tmp/flowpol-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=""
for h in $harnesses; do
	mkdir -p "$work/$h/corpus" "$work/$h/found"
	cp tests/corpus/$h/* "$work/$h/corpus/" 2>/dev/null || true
	dict=()
	[ -f tests/fuzz/fuzz_$h.dict ] && dict=(-dict=tests/fuzz/fuzz_$h.dict)
	echo "== fuzz $h: ${secs}s"
	if ! "$build/tests/fuzz_$h" -max_total_time="$secs" -timeout="$timeout" \
	    -rss_limit_mb=2048 -print_final_stats=1 "${dict[@]}" \
	    -artifact_prefix="$work/$h/found/" "$work/$h/corpus" >"$work/$h.log" 2>&1; then
		tail -40 "$work/$h.log" >&2
		failed="$failed $h"
	fi
	grep -E "^stat::number_of_executed_units|^Done [0-9]+ runs" "$work/$h.log" || true
	for f in "$work/$h/found"/*; do
		[ -e "$f" ] || continue
		name=$(basename "$f")
		cp "$f" "tests/corpus/$h/$name"
		echo "fuzz $h: kept tests/corpus/$h/$name" >&2
	done
done
if [ -n "$failed" ]; then
	echo "fuzz: failures in:$failed (inputs kept in tests/corpus/)" >&2
	exit 1
fi
echo "fuzz: no crash, leak or hang in $harnesses"
