# Shared by the collector benchmarks: an optimised build in build-bench/.
# Sourced, never run.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bdir=${BENCH_BUILD:-$src/build-bench}
if [ -z "${BENCH_NO_BUILD:-}" ]; then
	cmake -S "$src" -B "$bdir" -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build "$bdir" -j"$(nproc)" --target flowpol fptraffic >/dev/null
fi
FLOWPOL=$bdir/flowpol
FPTRAFFIC=$bdir/tests/fptraffic
work=$(mktemp -d /tmp/flowpol-bench.XXXXXX)
_cleanups=()
at_exit() { _cleanups+=("$*"); }
_run_cleanups() {
	local i
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do eval "${_cleanups[i]}" || true; done
	rm -rf "$work"
}
trap _run_cleanups EXIT
