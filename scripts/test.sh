#!/usr/bin/env bash
# Build and run every test. SANITIZE=address,undefined for a sanitizer build.
# The end-to-end tests need root and network namespaces; without them they
# report "skipped" with the reason (FLOWPOL_REQUIRE_ROOT=1 makes that fail).
set -eu
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
args=(-DCMAKE_BUILD_TYPE=Debug -DFLOWPOL_WERROR=ON)
if [ -n "${SANITIZE:-}" ]; then
	build=${BUILD_DIR:-build-san}
	args+=(-DSANITIZE="$SANITIZE")
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fi
cmake -S . -B "$build" "${args[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" "$@"
