# Shared by the collector benchmarks: an optimised build in build-bench/.
# Sourced, never run.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bdir=${BENCH_BUILD:-$src/build-bench}
. "$src/bench/lib.sh"
[ -n "${BENCH_NO_BUILD:-}" ] || bench_build "$bdir" fptraffic
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
