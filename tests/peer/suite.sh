#!/usr/bin/env bash
# A peer suite vendored as data, through the policy engine; prints the
# count of cases passed.
#   suite.sh npguard   np-guard netpol-analyzer's connectivity cases
#                      (tests/data/peer/npguard, see its README)
#   suite.sh k8s-e2e   Kubernetes e2e network policy cases, transcribed by
#                      hand (tests/data/peer/k8s-e2e/cases.yaml)
set -u
. "$(dirname "$0")/../lib.sh"
D=$FLOWPOL_SRC/tests/data/peer
case $1 in
npguard) args=(npguard_cases.py "$EMIT_ENGINE_CHECK" "$D/npguard" "$D/npguard/KNOWN-DIFFERENCES.tsv") ;;
k8s-e2e) args=(k8s_e2e_cases.py "$EMIT_ENGINE_CHECK" "$D/k8s-e2e/cases.yaml") ;;
*) fail "unknown suite '$1'" ;;
esac
/usr/bin/python3 "$FLOWPOL_SRC/tests/tools/${args[0]}" "${args[@]:1}" >out.txt 2>&1
rc=$?
cat out.txt
[ $rc = 0 ] || fail "$(grep -v '^pass\|^calico' out.txt)"
grep -q "^$1: \([0-9]*\) of \1 cases passed" out.txt || fail "not every case passed"
pass
