#!/usr/bin/env bash
# samples/deploy/ holds valid, consistent Kubernetes objects whose commands
# exist in this build of flowpol.
set -u
. "$(dirname "$0")/../lib.sh"
/usr/bin/python3 "$FLOWPOL_SRC/tests/tools/check_manifests.py" "$FLOWPOL" \
	"$FLOWPOL_SRC/samples/deploy" || fail "manifest problems (above)"
# The checker must notice a broken manifest: a collector with an extra capability.
mkdir bad && cp "$FLOWPOL_SRC"/samples/deploy/*.yaml bad/
sed -i 's/add: \["NET_ADMIN"\]/add: ["NET_ADMIN", "SYS_ADMIN"]/' bad/collector-daemonset.yaml
if /usr/bin/python3 "$FLOWPOL_SRC/tests/tools/check_manifests.py" "$FLOWPOL" bad >out.txt; then
	fail "checker accepted a collector with SYS_ADMIN"
fi
grep -q "SYS_ADMIN" out.txt || fail "checker did not name the capability: $(cat out.txt)"
pass
