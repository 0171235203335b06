#!/bin/bash
# Comments cite files in the repository: no reference to the notes the
# project started from (DESIGN.md, API-NOTES.md, SELECTOR-GRAMMAR.md,
# DATAPLANE-NOTES.md, STYLE.md), every doc/ file cited exists, and every
# "doc/calico-semantics.md N" or "doc/selector-grammar.md N" names a
# section that page has.
. "$FLOWPOL_SRC/tests/lib.sh"
cd "$FLOWPOL_SRC" || fail "no source tree"
files() {
	find common store collector learner policy emitter review tests scripts bench calico samples doc \
		-type f \( -name '*.[ch]' -o -name '*.sh' -o -name '*.py' -o -name '*.md' -o -name '*.cmake' \
		-o -name CMakeLists.txt -o -name '*.1' \) -not -path 'tests/data/*' -not -path 'tests/corpus/*'
	ls ./*.c ./*.h ./*.md CMakeLists.txt .ci/run
}
files | sort >"$WORK/files.txt"
if xargs grep -nE 'DESIGN\.md|API-NOTES|SELECTOR-GRAMMAR|DATAPLANE-NOTES|STYLE\.md' <"$WORK/files.txt" \
	| grep -v '^tests/build/docrefs.sh:' >"$WORK/stale.txt"; then
	fail "cites notes that are not in the repository:
$(cat "$WORK/stale.txt")"
fi
bad=""
for f in $(xargs grep -ohE 'doc/[a-z0-9-]+\.(md|1)' <"$WORK/files.txt" | sort -u); do
	[ -f "$f" ] || bad="$bad $f"
done
[ -z "$bad" ] || fail "cites missing doc files:$bad"
# Section numbers: "doc/PAGE.md 2.1" (also "2.3, 7" and "1-2": the first).
xargs grep -ohE 'doc/(calico-semantics|selector-grammar)\.md,? [0-9]+(\.[0-9]+)?' <"$WORK/files.txt" |
	sed 's/,//' | sort -u >"$WORK/refs.txt"
[ -s "$WORK/refs.txt" ] || fail "found no section references (the pattern is stale)"
while read -r page sec; do
	grep -qE "^#+ ${sec//./\\.}\.? " "$page" || bad="$bad $page:$sec"
done <"$WORK/refs.txt"
[ -z "$bad" ] || fail "cites sections that do not exist:$bad"
pass
