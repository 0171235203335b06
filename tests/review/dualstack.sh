#!/usr/bin/env bash
# Dual-stack pods: right after `flowpol emit --out DIR`, `flowpol diff
# --policies DIR` finds nothing denied, IPv6 edges included (pod to pod over
# IPv4 and IPv6, ICMPv6, a pod to an external IPv6 address): a pod is all
# of its addresses, and an IPv6 edge is judged with the pod's IPv6 address.
# explain agrees whether the pod is named by its name or by its IPv6
# address, and report finds every edge allowed.
set -u
. "$(dirname "$0")/../lib.sh"
. "$FLOWPOL_SRC/tests/review/lib.sh"

dualstack_learn
grep -q "6 flows: 6 resolved, 0 ambiguous, 0 unknown; 5 edges" learn.txt ||
	fail "learn summary: $(cat learn.txt)"
"$FLOWPOL" edges >edges.tsv || fail "edges exited $?"
grep -qP "^shop/web\texternal:2001:db8:1::443\ttcp\t443\t" edges.tsv || fail "no IPv6 external edge: $(cat edges.tsv)"
grep -qP "^shop/web\tshop/db\ticmpv6\t" edges.tsv || fail "no ICMPv6 edge: $(cat edges.tsv)"

"$FLOWPOL" emit --out pol 2>err.txt || fail "emit: $(cat err.txt)"
grep -q "2001:db8:1::443/128" pol/flowpol-shop-web.yaml || fail "emit wrote no IPv6 rule"
"$FLOWPOL" diff --policies pol --now "$NOW" >diff.txt 2>err.txt
rc=$?
[ "$rc" -eq 0 ] || fail "diff right after emit exited $rc: $(cat diff.txt err.txt)"
grep -q "^flowpol diff: 0 of 5 observed edges would be denied" diff.txt || fail "diff: $(cat diff.txt)"
"$FLOWPOL" diff --policies pol --now "$NOW" --format json >diff.json || fail "diff json exited $?"
/usr/bin/python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
assert d["summary"]["edges_checked"] == 5 and d["summary"]["denied_edges"] == 0, d["summary"]
assert d["denied_edges"] == [] and d["unattributed"] == [], d' diff.json || fail "diff json: $(cat diff.json)"

# explain: the pod by name, by its IPv6 address, and its workload agree on
# the IPv6 flow, and name the IPv6 rule emit wrote
n=0
for src in shop/web-5d8f7c9b4d-k2x7p fd00:42::31 shop/web; do
	n=$((n + 1))
	"$FLOWPOL" explain --policies pol "$src" external:2001:db8:1::443 tcp/443 >"ex.txt" 2>err.txt
	rc=$?
	[ "$rc" -eq 0 ] || fail "explain $src exited $rc: $(cat ex.txt err.txt)"
	grep -q "^  endpoint: pod .*(fd00:42::31)$" ex.txt || fail "explain $src: not its IPv6 address: $(cat ex.txt)"
	grep -q "^  rule: egress\[[0-9]*\] .*ipVersion=6 .*destination.nets=\[2001:db8:1::443/128\]" ex.txt ||
		fail "explain $src: not the IPv6 rule: $(cat ex.txt)"
	# the verdict and what decided it, without the endpoints' names
	sed -n '/^verdict/,$p' ex.txt | grep -v "^  endpoint: " >"ex$n.txt"
done
cmp -s ex1.txt ex2.txt || fail "explain by name and by IPv6 address differ: $(diff ex1.txt ex2.txt)"
cmp -s ex1.txt ex3.txt || fail "explain by pod and by workload differ: $(diff ex1.txt ex3.txt)"
# between pods, the source's family picks the other pod's address
"$FLOWPOL" explain --policies pol fd00:42::5 shop/web tcp/8080 >ex.txt || fail "explain pod to pod over IPv6: $(cat ex.txt)"
grep -q "^flow: .*(fd00:42::5) -> pod shop/web (fd00:42::31) tcp/8080$" ex.txt || fail "explain IPv6 pod to pod: $(cat ex.txt)"
"$FLOWPOL" explain --policies pol shop/log-agent 10.42.0.31 tcp/8080 >ex.txt || fail "explain pod to pod over IPv4: $(cat ex.txt)"
grep -q "^flow: pod shop/log-agent (10.42.0.5) -> " ex.txt || fail "explain IPv4 pod to pod: $(cat ex.txt)"

"$FLOWPOL" report --now "$NOW" --no-record >report.md 2>err.txt || fail "report: $(cat err.txt)"
grep -q "^| Edges the generated policies would not allow | 0 |$" report.md || fail "report: edges not allowed"
grep -q "^| egress [0-9]*: tcp/443 to external:2001:db8:1::443 | shop/web -> external:2001:db8:1::443 tcp/443 | 1 |" report.md ||
	fail "report: the IPv6 rule's evidence: $(grep -n 2001 report.md)"
pass
