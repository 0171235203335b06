#!/usr/bin/env bash
# Kubernetes e2e network policy cases (tests/data/peer/k8s-e2e/cases.yaml,
# transcribed by hand) through the policy engine; the count passed is
# printed.
set -u
. "$(dirname "$0")/../lib.sh"
/usr/bin/python3 "$FLOWPOL_SRC/tests/tools/k8s_e2e_cases.py" "$EMIT_ENGINE_CHECK" \
	"$FLOWPOL_SRC/tests/data/peer/k8s-e2e/cases.yaml" >out.txt 2>&1
rc=$?
cat out.txt
[ $rc = 0 ] || fail "$(grep -v '^pass' out.txt)"
grep -q '^k8s-e2e: \([0-9]*\) of \1 cases passed' out.txt || fail "not every case passed"
pass
