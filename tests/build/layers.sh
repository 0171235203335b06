#!/bin/bash
# scripts/check-layers.sh passes on the tree, and fails, naming the file and
# line, on each kind of violation planted in a copy of it.
. "$FLOWPOL_SRC/tests/lib.sh"
CHECK=$FLOWPOL_SRC/scripts/check-layers.sh

bash "$CHECK" "$FLOWPOL_SRC" >out.txt 2>&1 || fail "the tree breaks its floors: $(cat out.txt)"

# plant DESCRIPTION WANT FILE LINE: a fresh copy of the sources with LINE
# appended to FILE must fail the check with a message matching WANT.
copy_tree() {
	local d
	rm -rf tree && mkdir tree
	for d in common store collector learner policy emitter review; do
		cp -r "$FLOWPOL_SRC/$d" tree/
	done
	cp "$FLOWPOL_SRC"/*.c "$FLOWPOL_SRC"/*.h tree/
}
plant() {
	local what=$1 want=$2 file=$3 line=$4
	copy_tree
	echo "$line" >>"tree/$file"
	if bash "$CHECK" tree >out.txt 2>&1; then fail "$what: not caught"; fi
	grep -qF -- "$want" out.txt || fail "$what: wrong message: $(cat out.txt)"
}
plant "an include from a floor above" \
	'common/err.c:' common/err.c '#include "store/store.h"'
plant "the engine including a part above it" \
	'emitter/ (floor 4) is above policy/ (floor 3)' policy/selector.c '#include "emitter/emit.h"'
plant "collector and learner" \
	'collector/ and learner/ must not know each other' collector/decode.c '#include "learner/graph.h"'
plant "the engine and the store" \
	'the policy engine must not know the store' policy/evaluate.c '#include "store/store.h"'
plant "SQLite in the engine" \
	'includes <sqlite3.h>' policy/reader.c '#include <sqlite3.h>'
plant "a header of main.c" \
	'from the top' learner/graph.c '#include "flowpol_main.h"'
# Two folders of one floor: one may use the other (learner/ the engine's
# selectors), but not both ways.
copy_tree
echo '#include "policy/selector.h"' >>tree/learner/cluster.c
bash "$CHECK" tree >out.txt 2>&1 || fail "one way on one floor refused: $(cat out.txt)"
echo '#include "learner/graph.h"' >>tree/policy/reader.c
if bash "$CHECK" tree >out.txt 2>&1; then fail "mutual includes: not caught"; fi
grep -q "learner/ and policy/ include each other" out.txt || fail "mutual: $(cat out.txt)"
pass
