# Shared by the script tests: sourced, never run.
# Every test runs in its own scratch directory, removed on exit.
: "${FLOWPOL:?FLOWPOL must name the built binary}"
FLOWPOL_SRC=${FLOWPOL_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "/tmp/flowpol-${TEST_NAME}.XXXXXX")
cd "$WORK" || exit 2
export FLOWPOL_DB="$WORK/flowpol.db"
_cleanups=()
at_exit() { _cleanups+=("$*"); }
_run_cleanups() {
	local i
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do eval "${_cleanups[i]}" || true; done
	rm -rf "$WORK"
}
trap _run_cleanups EXIT

fail() { echo "FAIL $TEST_NAME: $*" >&2; exit 1; }
pass() { echo "PASS $TEST_NAME"; exit 0; }

# A test that needs root and network namespaces calls this first. Without
# them it says why and exits 77 (CTest: skipped), unless the run demands
# them (FLOWPOL_REQUIRE_ROOT=1, set by .ci/run), where that is a failure.
need_root_netns() {
	local why=""
	if [ "$(id -u)" -ne 0 ]; then why="needs root";
	elif ! command -v ip >/dev/null; then why="needs iproute2";
	elif ! command -v nft >/dev/null; then why="needs nftables";
	elif ! ip netns add "fpchk$$" 2>/dev/null; then why="cannot create network namespaces";
	else ip netns del "fpchk$$"; fi
	if [ -n "$why" ]; then
		if [ "${FLOWPOL_REQUIRE_ROOT:-0}" = 1 ]; then fail "cannot run: $why"; fi
		echo "SKIP $TEST_NAME: $why" >&2
		exit 77
	fi
}

# expect_exit WANT cmd... : run, compare exit status.
expect_exit() {
	local want=$1; shift
	"$@"; local rc=$?
	[ "$rc" -eq "$want" ] || fail "'$*' exited $rc, want $want"
}

# bg NAME NS cmd... : run cmd in network namespace NS in the background,
# output in NAME.out and NAME.err, its PID in $pid_NAME; killed at exit.
bg() {
	local name=$1 ns=$2; shift 2
	ip netns exec "$ns" "$@" >"$name.out" 2>"$name.err" &
	eval "pid_$name=$!"
	at_exit "kill $! 2>/dev/null; wait $! 2>/dev/null"
}

# wait_for WHAT cmd... : poll cmd up to 10 s; fail naming WHAT.
wait_for() {
	local what=$1 i; shift
	for i in $(seq 100); do "$@" && return 0; sleep 0.1; done
	fail "timed out waiting for $what"
}
