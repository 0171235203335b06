# Sourced by the review tests: the dual-stack cluster of
# tests/data/review/ (inventory + flow rows) learned into $FLOWPOL_DB.
D=$FLOWPOL_SRC/tests/data/review
NOW=2026-11-20T13:00:00Z

dualstack_learn() { # [extra flow rows file]
	"$FLOWPOL" inventory --at 2026-11-20T12:00:00Z "$D/dualstack.yaml" >/dev/null 2>err.txt ||
		fail "inventory: $(cat err.txt)"
	cat "$D/dualstack-flows.txt" "$@" |
		/usr/bin/python3 "$FLOWPOL_SRC/tests/learner/flowrows.py" "$FLOWPOL_DB" ||
		fail "inserting flows"
	"$FLOWPOL" learn >learn.txt 2>err.txt || fail "learn: $(cat err.txt)"
}
