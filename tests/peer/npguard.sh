#!/usr/bin/env bash
# np-guard netpol-analyzer's connectivity cases (tests/data/peer/npguard,
# see its README) through the policy engine; the count passed is printed.
set -u
. "$(dirname "$0")/../lib.sh"
D=$FLOWPOL_SRC/tests/data/peer/npguard
/usr/bin/python3 "$FLOWPOL_SRC/tests/tools/npguard_cases.py" "$EMIT_ENGINE_CHECK" "$D" \
	"$D/KNOWN-DIFFERENCES.tsv" >out.txt 2>&1
rc=$?
cat out.txt
[ $rc = 0 ] || fail "$(grep -v '^pass\|^calico' out.txt)"
grep -q '^npguard: \([0-9]*\) of \1 cases passed' out.txt || fail "not every case passed"
pass
