#!/usr/bin/env bash
# diff judges what will be enforced: a staged rollout (emit --staged) with
# one workload's allow policy missing. Plain diff reports no drift (staged
# policies never enforce) but says how many staged policies it left out;
# diff --staged evaluates them as if enforced and reports the edge that
# enforcing would deny, as explain --staged does; JSON says both.
set -u
. "$(dirname "$0")/../lib.sh"
S=$FLOWPOL_SRC/samples/seed
"$FLOWPOL" collect --pcap "$S/capture.pcap" --node staging-node-1 >/dev/null 2>&1 || fail "collect"
"$FLOWPOL" inventory --at 2026-11-26T10:00:00Z "$S/inventory.json" >/dev/null 2>&1 || fail "inventory"
"$FLOWPOL" learn >/dev/null 2>&1 || fail "learn"
"$FLOWPOL" emit --staged --out pol 2>/dev/null || fail "emit --staged"
rm pol/flowpol-ntierapp-backend.yaml || fail "rm"
n=$(ls pol | wc -l)

"$FLOWPOL" diff --policies pol --no-proposals >plain.txt; rc=$?
[ "$rc" -eq 0 ] || fail "plain diff exited $rc"
grep -qx "$n staged policies ignored: staged policies never enforce; --staged evaluates them as if enforced" plain.txt ||
	fail "plain diff does not say what it ignored: $(cat plain.txt)"

"$FLOWPOL" diff --policies pol --no-proposals --staged >staged.txt; rc=$?
[ "$rc" -eq 1 ] || fail "diff --staged exited $rc, want 1 (drift)"
grep -q "^flowpol diff: 1 of 6 observed edges would be denied" staged.txt || fail "summary: $(head -1 staged.txt)"
grep -qx "$n staged policies evaluated as if enforced (--staged)" staged.txt || fail "staged note: $(cat staged.txt)"
grep -q "ingress ntierapp/frontend -> ntierapp/backend tcp/80" staged.txt || fail "denied edge: $(cat staged.txt)"

"$FLOWPOL" explain --policies pol --staged ntierapp/frontend ntierapp/backend tcp/80 >explain.txt; rc=$?
[ "$rc" -eq 1 ] || fail "explain --staged exited $rc: $(cat explain.txt)"

"$FLOWPOL" diff --policies pol --no-proposals --staged --format json >staged.json
/usr/bin/python3 -c 'import json,sys
s = json.load(open(sys.argv[1]))["summary"]
assert s["staged_evaluated"] is True and s["staged_policies"] == int(sys.argv[2]) and s["denied_edges"] == 1, s' \
	staged.json "$n" || fail "json summary"
"$FLOWPOL" diff --policies pol --no-proposals --format markdown >plain.md
grep -qx "$n staged policies ignored: staged policies never enforce; --staged evaluates them as if enforced" plain.md ||
	fail "markdown does not say what it ignored"
pass
