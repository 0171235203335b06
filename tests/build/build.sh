#!/bin/bash
# The build a user or packager runs (doc/architecture.md, "Building"):
#   - a plain configure has no -Werror;
#   - with -DBUILD_TESTING=OFF the tool builds where cmocka is absent (it is
#     hidden from pkg-config here), and BUILD_TESTING=ON then says what is
#     missing;
#   - `cmake --install` puts bin/flowpol and share/man/man1/flowpol.1 under
#     the prefix, and the installed page renders;
#   - the default build type (-O2) compiles without warnings, tests included
#     (test_evaluate is the one that warned at -O2).
# One build directory serves every step. A sanitizer build skips this: the
# plain run checks it.
. "$FLOWPOL_SRC/tests/lib.sh"
if [ -n "${FLOWPOL_BUILD:-}" ] && grep -q '^SANITIZE:STRING=.\+' "$FLOWPOL_BUILD/CMakeCache.txt" 2>/dev/null; then
	echo "SKIP $TEST_NAME: checked by the plain build's run" >&2
	exit 77
fi
SRC=$FLOWPOL_SRC

# A plain configure: no -Werror anywhere.
cmake -S "$SRC" -B plain -DBUILD_TESTING=OFF >plain.log 2>&1 || fail "plain configure: $(cat plain.log)"
grep -q '^FLOWPOL_WERROR:BOOL=OFF' plain/CMakeCache.txt || fail "FLOWPOL_WERROR is not off by default"
grep -q '^CMAKE_BUILD_TYPE:STRING=RelWithDebInfo' plain/CMakeCache.txt || fail "no default build type"
if grep -rq --include=flags.make -e -Werror plain; then fail "a plain build compiles with -Werror"; fi
rm -rf plain

# pkg-config that knows every library but cmocka
mkdir nocmocka
for d in $(pkg-config --variable pc_path pkg-config | tr : ' '); do
	[ -d "$d" ] || continue
	for pc in "$d"/*.pc; do
		[ -e "$pc" ] && [ "$(basename "$pc")" != cmocka.pc ] && [ ! -e "nocmocka/$(basename "$pc")" ] &&
			ln -s "$pc" nocmocka/
	done
done
PKG_CONFIG_LIBDIR=$WORK/nocmocka pkg-config --exists cmocka && fail "could not hide cmocka"
PKG_CONFIG_LIBDIR=$WORK/nocmocka pkg-config --exists sqlite3 yaml-0.1 libnetfilter_log ||
	fail "hiding cmocka hid the tool's libraries too"

PKG_CONFIG_LIBDIR=$WORK/nocmocka cmake -S "$SRC" -B b -DBUILD_TESTING=OFF -DFLOWPOL_WERROR=ON \
	>conf.log 2>&1 || fail "configure without cmocka: $(cat conf.log)"
cmake --build b -j2 >build.log 2>&1 || fail "build without cmocka: $(tail -30 build.log)"
[ ! -e b/tests ] || fail "BUILD_TESTING=OFF still configured tests/"
cmake --install b --prefix "$WORK/inst" >install.log 2>&1 || fail "install: $(cat install.log)"
[ -x inst/bin/flowpol ] || fail "install: no bin/flowpol: $(find inst)"
cmp -s "$SRC/doc/flowpol.1" inst/share/man/man1/flowpol.1 || fail "install: no share/man/man1/flowpol.1: $(find inst)"
inst/bin/flowpol help >/dev/null || fail "the installed flowpol does not run"
MANWIDTH=80 man -l inst/share/man/man1/flowpol.1 2>/dev/null | grep -q '^SYNOPSIS' ||
	fail "the installed man page does not render"

# Asking for the tests without cmocka says what to do.
if PKG_CONFIG_LIBDIR=$WORK/nocmocka cmake -S "$SRC" -B b -DBUILD_TESTING=ON >conf.log 2>&1; then
	fail "tests configured without cmocka"
fi
grep -q 'cmocka not found' conf.log && grep -q 'BUILD_TESTING=OFF' conf.log || fail "no hint without cmocka: $(cat conf.log)"

# With cmocka, the same directory builds the tests at -O2, warnings as errors.
cmake -S "$SRC" -B b -DBUILD_TESTING=ON >conf.log 2>&1 || fail "configure with cmocka: $(cat conf.log)"
cmake --build b -j2 --target test_evaluate >build.log 2>&1 || fail "test_evaluate at -O2: $(grep -A5 -m3 'error' build.log)"
pass
