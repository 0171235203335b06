#!/bin/bash
# Each emit option, checked on its output and, where it changes what is
# allowed, with the least-privilege proof.
. "$FLOWPOL_SRC/tests/lib.sh"
. "$FLOWPOL_SRC/tests/emitter/lib.sh"

"$EMIT_FIXTURE" seed.db "$DATA/seed.sql" || fail fixture
"$EMIT_FIXTURE" --generate 4 g4.db || fail fixture
kinds() { grep -h '^kind:' "$1"/*.yaml | sort | uniq -c | tr -s ' ' | sed 's/^ //'; }

# --help, usage errors, a missing or foreign database
expect_exit 0 "$FLOWPOL" emit --help >help.txt
grep -q -- "--enforce-namespace" help.txt || fail "--help lacks options"
for bad in "--granularity pod" "--bogus" "--staged --enforce-namespace namespace1" "extra-arg" "--out"; do
	# shellcheck disable=SC2086
	"$FLOWPOL" emit --db seed.db $bad >out.txt 2>err.txt; rc=$?
	[ $rc = 2 ] || fail "'$bad' exited $rc, want 2"
	grep -q "^flowpol: emit: " err.txt || fail "'$bad': message: $(cat err.txt)"
	[ -s out.txt ] && fail "'$bad' wrote to stdout"
done
"$FLOWPOL" emit --db nosuch.db 2>err.txt && fail "missing db accepted"
grep -q "nosuch.db" err.txt || fail "missing db not named: $(cat err.txt)"
[ -e nosuch.db ] && fail "emit created a database"
# A DNS selector that is not UTF-8: named with its byte, not "yaml emitter
# failed" (é is fine).
"$FLOWPOL" emit --db seed.db --dns-selector $'k8s-app == \'dns\xff\'' >out.txt 2>err.txt; rc=$?
[ $rc = 2 ] || fail "non-UTF-8 --dns-selector exited $rc, want 2"
grep -q "^flowpol: emit: --dns-selector: byte 15: not valid UTF-8$" err.txt ||
	fail "non-UTF-8 --dns-selector: message: $(head -1 err.txt)"
[ -s out.txt ] && fail "non-UTF-8 --dns-selector wrote to stdout"
expect_exit 0 "$FLOWPOL" emit --db seed.db --dns-selector $'k8s-app == \'d\xc3\xa9ns\'' >out.txt 2>/dev/null
grep -q $'k8s-app == \'d\xc3\xa9ns\'' out.txt || fail "UTF-8 --dns-selector not written"
# A store with flows that learn never ran on: exit 2 and nothing written,
# not a bare default deny that would drop every call.
"$FLOWPOL" collect --db unlearned.db --pcap "$FLOWPOL_SRC/samples/seed/capture.pcap" 2>/dev/null || fail "collect"
"$FLOWPOL" emit --db unlearned.db --out unl >out.txt 2>err.txt; rc=$?
[ $rc = 2 ] || fail "emit on an unlearned store exited $rc, want 2"
grep -q "^flowpol: emit: store 'unlearned.db': nothing learned yet: run 'flowpol learn' first$" err.txt ||
	fail "unlearned store: message: $(cat err.txt)"
[ -e unl ] && fail "emit on an unlearned store wrote files"
echo "not a database" >junk.db
expect_exit 2 "$FLOWPOL" emit --db junk.db 2>/dev/null
expect_exit 2 "$FLOWPOL" emit --db seed.db --enforce-namespace kube-system 2>err.txt
grep -q "exempt" err.txt || fail "exempt enforce: $(cat err.txt)"
expect_exit 2 "$FLOWPOL" emit --db seed.db --exempt-namespace 'Bad_NS' 2>/dev/null
many=()
for n in $(seq 30); do many+=(--exempt-namespace "a-rather-long-namespace-name-$n"); done
expect_exit 2 "$FLOWPOL" emit --db seed.db "${many[@]}" 2>err.txt
grep -q "more than Calico's 1024" err.txt || fail "long selector: $(cat err.txt)"
expect_exit 2 "$FLOWPOL" emit --db seed.db --dns-selector "k8s-app = 'x'" 2>err.txt
grep -q "dns-selector" err.txt || fail "bad dns selector: $(cat err.txt)"

# --granularity namespace: the golden coarse variant, proven at namespace level
"$FLOWPOL" emit --db seed.db --out ns --granularity namespace 2>/dev/null || fail "emit ns"
diff -r "$FLOWPOL_SRC/samples/seed/policies-namespace" ns || fail "namespace golden differs"
grep -q 'selector: "app' ns/*.yaml && fail "namespace granularity names workloads"
P --db seed.db --policies ns --granularity namespace >p.txt 2>&1 || fail "ns proof: $(cat p.txt)"
"$FLOWPOL" emit --db g4.db --out ns4 --granularity namespace 2>/dev/null || fail "emit ns4"
P --db g4.db --policies ns4 --granularity namespace >p.txt 2>&1 || fail "ns4 proof: $(cat p.txt)"

# --exempt-namespace: kube-system no longer exempt. coredns gets the
# default deny, a learned policy and the DNS ingress layer.
"$FLOWPOL" emit --db seed.db --out ex --exempt-namespace kube-public 2>/dev/null || fail "emit ex"
[ -f ex/flowpol-kube-system-coredns.yaml ] || fail "no policy for coredns"
[ -f ex/flowpol-allow-dns-ingress.yaml ] || fail "no DNS ingress layer"
grep -q "namespace not in {'kube-public'}" ex/flowpol-default-deny.yaml || fail "exempt list not used"
P --db seed.db --policies ex --exempt kube-public >p.txt 2>&1 || fail "exempt proof: $(cat p.txt)"
"$FLOWPOL" emit --db g4.db --out ex4 --exempt-namespace '' 2>/dev/null || fail "emit ex4"
grep -q "orchestrator == 'k8s'\"" ex4/flowpol-default-deny.yaml || fail "no-exemption selector"
P --db g4.db --policies ex4 --exempt '' >p.txt 2>&1 || fail "no-exemption proof: $(cat p.txt)"
# the default list, given explicitly, is the default
"$FLOWPOL" emit --db seed.db --out exd --exempt-namespace kube-system --exempt-namespace calico-system \
	--exempt-namespace tigera-operator --exempt-namespace gatekeeper-system \
	--exempt-namespace kube-public --exempt-namespace kube-node-lease 2>/dev/null || fail "emit exd"
diff -r "$GOLD" exd || fail "explicit default exempt list differs"

# --dns-selector: the same selector as found changes nothing; another one
# is used for the DNS layer, and port 53 to coredns becomes learned rules
"$FLOWPOL" emit --db seed.db --out d1 --dns-selector "k8s-app == 'kube-dns'" 2>/dev/null || fail "emit d1"
diff -r "$GOLD" d1 || fail "--dns-selector with the found selector changed the output"
"$FLOWPOL" emit --db seed.db --out d2 --dns-selector "k8s-app in {'kube-dns', 'node-local-dns'}" 2>/dev/null ||
	fail "emit d2"
grep -q "selector: \"k8s-app in {'kube-dns', 'node-local-dns'}\"" d2/flowpol-allow-dns.yaml || fail "dns selector not used"
grep -q "protocol: UDP" d2/flowpol-ntierapp-frontend.yaml || fail "learned DNS rule missing"
P --db seed.db --policies d2 --dns kube-system/coredns >p.txt 2>&1 || fail "dns proof: $(cat p.txt)"
# no kube-dns in the inventory: the default, with a note
"$EMIT_FIXTURE" nodns.db "$DATA/seed.sql" "$DATA/no-kube-dns.sql" || fail fixture
"$FLOWPOL" emit --db nodns.db --out nodns 2>err.txt || fail "emit nodns"
grep -q "no pods labelled k8s-app=kube-dns" err.txt || fail "no note: $(cat err.txt)"
grep -q "selector: \"k8s-app == 'kube-dns'\"" nodns/flowpol-allow-dns.yaml || fail "default DNS selector"

# --staged: every policy staged, so nothing is enforced
"$FLOWPOL" emit --db seed.db --out st --staged 2>/dev/null || fail "emit st"
[ "$(kinds st)" = "8 kind: StagedGlobalNetworkPolicy" ] || fail "staged kinds: $(kinds st)"
P --db seed.db --policies st --staged >p.txt 2>&1 || fail "staged proof: $(cat p.txt)"
# ... and is otherwise the same set
for f in "$GOLD"/*.yaml; do
	diff <(sed 's/StagedGlobalNetworkPolicy/GlobalNetworkPolicy/; /^# Allows/d; 1d' "st/$(basename "$f")") \
		<(sed '/^# Allows/d; 1d' "$f") >/dev/null || fail "staged $(basename "$f") differs beyond its kind"
done

# --enforce-namespace: the deny is enforced in those namespaces, staged elsewhere
"$FLOWPOL" emit --db seed.db --out en --enforce-namespace namespace1 --enforce-namespace ntierapp 2>en.txt ||
	fail "emit en"
! grep -q "no learned workload" en.txt || fail "enforced namespaces with workloads were flagged: $(cat en.txt)"
# A namespace no workload was learned in (a typo, most often) is named.
"$FLOWPOL" emit --db seed.db --out - --enforce-namespace namespce1 >/dev/null 2>typo.txt || fail "emit typo"
grep -q "^flowpol: emit: --enforce-namespace namespce1: no learned workload" typo.txt ||
	fail "unknown enforced namespace not reported: $(cat typo.txt)"
grep -q "^kind: GlobalNetworkPolicy" en/flowpol-default-deny.yaml || fail "enforced deny kind"
grep -q "namespace in {'namespace1', 'ntierapp'}" en/flowpol-default-deny.yaml || fail "enforced deny selector"
grep -q "^kind: StagedGlobalNetworkPolicy" en/flowpol-default-deny-staged.yaml || fail "staged deny kind"
grep -q "not in {'calico-system', 'gatekeeper-system', 'kube-node-lease', 'kube-public', 'kube-system', 'namespace1', 'ntierapp', 'tigera-operator'}" \
	en/flowpol-default-deny-staged.yaml || fail "staged deny selector"
grep -q "^kind: StagedGlobalNetworkPolicy" en/flowpol-namespace2-nginx-deployment.yaml || fail "namespace2 not staged"
grep -q "^kind: GlobalNetworkPolicy" en/flowpol-namespace1-nginx-deployment.yaml || fail "namespace1 not enforced"
P --db seed.db --policies en --enforce namespace1,ntierapp >p.txt 2>&1 || fail "enforce proof: $(cat p.txt)"
ns4=$($PY -c "import sqlite3; print(sqlite3.connect('g4.db').execute(
	\"SELECT min(namespace) FROM workloads WHERE namespace LIKE 'team-%'\").fetchone()[0])")
"$FLOWPOL" emit --db g4.db --out en4 --enforce-namespace "$ns4" 2>/dev/null || fail "emit en4"
P --db g4.db --policies en4 --enforce "$ns4" >p.txt 2>&1 || fail "enforce proof g4: $(cat p.txt)"
V --flowpol ns ns4 ex ex4 d2 st en en4 nodns >v.txt 2>&1 || fail "invalid: $(cat v.txt)"
pass
