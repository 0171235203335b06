#!/usr/bin/env bash
# `flowpol explain` on the seed's own policies (label specs, no database):
# the verdict, exit status and the deciding policy and rule per direction;
# policy directories; and file:line errors for bad policy files.
set -u
. "$(dirname "$0")/../lib.sh"

D="$FLOWPOL_SRC/tests/data/policy"
SEED="$FLOWPOL_SRC/samples/seed/calico-policies.yaml"
NS1_BUSY="ns:namespace1,nslabel:name=namespace1,app=busybox"
NS1_NGINX="ns:namespace1,nslabel:name=namespace1,app=nginx"
NS2_NGINX="ns:namespace2,nslabel:name=namespace2,app=nginx"
FRONT="ns:ntierapp,app=frontend"
BACK="ns:ntierapp,app=backend"

# section NAME FILE: the lines of one direction's block.
section() { awk -v s="$1:" '$1 == s {p = 1; print; next} /^[a-z]/ {p = 0} p' "$2"; }

# namespace1 -> namespace1: intra-namespace policy, both sides.
"$FLOWPOL" explain --policies "$SEED" "$NS1_BUSY" "$NS1_NGINX" tcp/80 >out.txt
rc=$?; [ $rc -eq 0 ] || fail "ns1 intra: exit $rc, want 0"
grep -qx 'verdict: allowed' out.txt || fail "ns1 intra verdict: $(cat out.txt)"
section egress out.txt >eg.txt
section ingress out.txt >in.txt
grep -q '^  policy: GlobalNetworkPolicy allow-namespace1-intra-communication (' eg.txt || fail "egress policy: $(cat eg.txt)"
grep -q '^  rule: egress\[0\] (.*samples/seed/calico-policies.yaml:73): Allow destination.selector="projectcalico.org/namespace == .namespace1."' eg.txt || fail "egress rule: $(cat eg.txt)"
grep -q '^  policy: GlobalNetworkPolicy allow-namespace1-intra-communication (' in.txt || fail "ingress policy: $(cat in.txt)"
grep -q '^  rule: ingress\[0\] (.*:69): Allow source.selector=' in.txt || fail "ingress rule: $(cat in.txt)"
grep -q '^  tier: default$' in.txt || fail "tier: $(cat in.txt)"

# namespace1 -> namespace2: egress allowed, ingress denied by deny-all.
"$FLOWPOL" explain --policies "$SEED" "$NS1_BUSY" "$NS2_NGINX" tcp/80 >out.txt
rc=$?; [ $rc -eq 1 ] || fail "ns1->ns2: exit $rc, want 1"
grep -qx 'verdict: denied' out.txt || fail "ns1->ns2 verdict"
section egress out.txt | grep -q 'policy: GlobalNetworkPolicy allow-namespace1-to-namespace2 ' || fail "ns1->ns2 egress: $(cat out.txt)"
section ingress out.txt >in.txt
grep -qx 'ingress: denied' in.txt || fail "ns1->ns2 ingress: $(cat in.txt)"
grep -q 'policy: GlobalNetworkPolicy deny-all (.*:3)' in.txt || fail "ns1->ns2 deny-all: $(cat in.txt)"
grep -q 'rule: ingress\[0\] (.*:12): Deny$' in.txt || fail "ns1->ns2 deny rule: $(cat in.txt)"

# ntierapp frontend -> backend: the two namespaced NetworkPolicies.
"$FLOWPOL" explain --policies "$SEED" "$FRONT" "$BACK" tcp/80 >out.txt || fail "front->back exit $?"
grep -q 'policy: NetworkPolicy ntierapp/allow-frontend-to-backend ' out.txt || fail "front->back egress: $(cat out.txt)"
grep -q 'policy: NetworkPolicy ntierapp/allow-backend-from-frontend ' out.txt || fail "front->back ingress: $(cat out.txt)"
# backend -> frontend: deny-all on both sides.
expect_exit 1 "$FLOWPOL" explain --policies "$SEED" "$BACK" "$FRONT" tcp/80 >out.txt
[ "$(grep -c 'policy: GlobalNetworkPolicy deny-all' out.txt)" -eq 2 ] || fail "back->front: $(cat out.txt)"

# DNS: allow-dns with all(); kube-system is exempt from deny-all, so TCP
# 53 to kube-dns ends at the default tier's end (allow-dns applied).
"$FLOWPOL" explain --policies "$SEED" "$FRONT" ns:kube-system,k8s-app=kube-dns udp/53 >out.txt || fail "dns exit $?"
[ "$(grep -c 'policy: GlobalNetworkPolicy allow-dns ' out.txt)" -eq 2 ] || fail "dns: $(cat out.txt)"
expect_exit 1 "$FLOWPOL" explain --policies "$SEED" "$FRONT" ns:kube-system,k8s-app=kube-dns tcp/53 >out.txt
grep -q 'decided by: end of tier default' out.txt || fail "tcp dns: $(cat out.txt)"
# An external destination: only the pod side is evaluated.
expect_exit 1 "$FLOWPOL" explain --policies "$SEED" "$FRONT" 192.0.2.10 tcp/443 >out.txt
grep -qx 'ingress: not evaluated' out.txt || fail "external: $(cat out.txt)"

# Directories: recursive, sorted, only *.yaml/*.yml/*.json.
mkdir -p pol/a/b && cp "$SEED" pol/a/b/seed.yml && cp -r "$D/good" pol/good
"$FLOWPOL" explain --policies pol "$NS1_BUSY" "$NS1_NGINX" tcp/80 >out.txt || fail "dir: exit $? $(cat out.txt)"
grep -q 'allow-namespace1-intra-communication (pol/a/b/seed.yml:60)' out.txt || fail "dir: $(cat out.txt)"
# The staged default deny in good/ only bites with --staged.
expect_exit 1 "$FLOWPOL" explain --policies pol/good --staged ns:shop,app=x ns:shop,app=y tcp/80 >out.txt
[ "$(grep -c 'decided by: end of tier default' out.txt)" -eq 2 ] || fail "staged: $(cat out.txt)"
expect_exit 0 "$FLOWPOL" explain --policies pol/good ns:shop,app=x ns:shop,app=y tcp/80 >out.txt
[ "$(grep -c 'decided by: profile kns.shop' out.txt)" -eq 2 ] || fail "not staged: $(cat out.txt)"
grep -qx 'staged: would be denied if the staged policies were enforced (see --staged)' out.txt || fail "staged note: $(cat out.txt)"

# Bad policy files: exit 2, "flowpol: FILE:LINE: ..." on stderr.
check_err() { # file line pattern
	"$FLOWPOL" explain --policies "$D/bad/$1" "$FRONT" "$BACK" tcp/80 >out.txt 2>err.txt
	local rc=$?
	[ $rc -eq 2 ] || fail "$1: exit $rc, want 2"
	[ ! -s out.txt ] || fail "$1: printed a verdict"
	grep -q "^flowpol: .*bad/$1:$2: $3" err.txt || fail "$1: message: $(cat err.txt)"
}
check_err unknown-field.yaml 10 "spec.ingress\[0\]: unknown field 'sourec'"
check_err unknown-kind.yaml 9 "kind: unsupported kind 'HostEndpoint'"
check_err bad-selector.yaml 12 "spec.egress\[0\].destination: invalid selector 'app = 'db'': position 4: lone '='"
check_err malformed.yaml 8 "found unexpected end of stream"
check_err protocol-case.json 8 "spec.ingress\[0\].protocol: invalid protocol 'tcp'"
# A bad file inside a directory is named with its path.
mkdir -p mixed && cp "$SEED" mixed/a.yaml && cp "$D/bad/unknown-kind.yaml" mixed/b.yaml
expect_exit 2 "$FLOWPOL" explain --policies mixed "$FRONT" "$BACK" tcp/80 2>err.txt
grep -q "^flowpol: explain: mixed/b.yaml:9: kind: unsupported kind" err.txt || fail "dir error: $(cat err.txt)"

# --batch: the same answers as one run per flow, policies read once; exit
# 1 when any flow is denied; a bad line is FILE:LINE and exit 2.
printf '# frontend and backend\n%s %s tcp/80\n\n%s\t%s  tcp/80\n' \
	"$FRONT" "$BACK" "$BACK" "$FRONT" >flows.txt
expect_exit 1 "$FLOWPOL" explain --policies "$SEED" --batch flows.txt >batch.txt
{ "$FLOWPOL" explain --policies "$SEED" "$FRONT" "$BACK" tcp/80; echo
  "$FLOWPOL" explain --policies "$SEED" "$BACK" "$FRONT" tcp/80; } >one.txt
cmp -s batch.txt one.txt || fail "batch differs from single runs: $(diff one.txt batch.txt)"
head -n 2 flows.txt | "$FLOWPOL" explain --policies "$SEED" --batch - >batch.txt ||
	fail "batch of allowed flows: exit $?"
printf '%s %s tcp/80\n%s %s\n' "$FRONT" "$BACK" "$FRONT" "$BACK" >bad.txt
expect_exit 2 "$FLOWPOL" explain --policies "$SEED" --batch bad.txt >/dev/null 2>err.txt
grep -qx "flowpol: explain: bad.txt:2: want SRC DST PROTO\[/PORT\]" err.txt || fail "batch line: $(cat err.txt)"
printf '%s %s tcp/0\n' "$FRONT" "$BACK" >bad.txt
expect_exit 2 "$FLOWPOL" explain --policies "$SEED" --batch bad.txt >/dev/null 2>err.txt
grep -q "^flowpol: explain: bad.txt:1: 'tcp/0': port must be" err.txt || fail "batch port: $(cat err.txt)"
expect_exit 2 "$FLOWPOL" explain --policies "$SEED" --batch flows.txt "$FRONT" 2>/dev/null
expect_exit 2 "$FLOWPOL" explain --policies "$SEED" --batch nonexistent.txt 2>err.txt
grep -q "^flowpol: explain: nonexistent.txt: " err.txt || fail "batch missing file: $(cat err.txt)"

# Usage errors.
expect_exit 2 "$FLOWPOL" explain "$FRONT" "$BACK" tcp/80 2>/dev/null
expect_exit 2 "$FLOWPOL" explain --policies "$SEED" "$FRONT" tcp/80 2>/dev/null
expect_exit 2 "$FLOWPOL" explain --policies "$SEED" "$FRONT" "$BACK" tcp/0 2>/dev/null
expect_exit 2 "$FLOWPOL" explain --policies "$SEED" app=x "$BACK" tcp/80 2>err.txt
grep -q 'needs ns:NAMESPACE' err.txt || fail "spec without ns: $(cat err.txt)"
expect_exit 2 "$FLOWPOL" explain --policies "$SEED" --db nonexistent.db ns1/x "$BACK" tcp/80 2>/dev/null
expect_exit 0 "$FLOWPOL" explain --help >/dev/null
# An answer that could not be written is an error, not a verdict.
expect_exit 2 "$FLOWPOL" explain --policies "$SEED" "$FRONT" "$BACK" tcp/80 >/dev/full 2>err.txt
grep -q "^flowpol: explain: writing the output: " err.txt || fail "write error: $(cat err.txt)"
pass
