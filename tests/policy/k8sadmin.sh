#!/usr/bin/env bash
# AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy
# through `flowpol explain`, per Calico version: the tiers they land in,
# priorities, Pass on to the NetworkPolicy tier, the baseline after it,
# fail-closed rules, and objects a release does not enforce left out.
set -u
. "$(dirname "$0")/../lib.sh"

cat >admin.yaml <<'Y'
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: no-bad}
spec:
  priority: 10
  subject: {namespaces: {}}
  ingress:
  - name: deny-bad
    action: Deny
    from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: bad}}}]
  - name: pass-monitoring
    action: Pass
    from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: mon}}}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: db-out}
spec:
  priority: 20
  subject: {pods: {podSelector: {matchLabels: {app: db}}}}
  egress:
  - name: no-nodes
    action: Deny
    to: [{nodes: {matchLabels: {role: db}}}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
  ingress:
  - name: deny-all
    action: Deny
    from: [{namespaces: {}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: mon}}}]}]
Y
WEB=ns:shop,app=web
DB=ns:shop,app=db

x() { # VERSION SRC DST PROTO WANT_EXIT
	"$FLOWPOL" explain --calico-version "$1" --policies admin.yaml "$2" "$3" "$4" >out.txt 2>err.txt
	rc=$?; [ $rc = "$5" ] || fail "$1 $2 -> $3 $4: exit $rc, want $5: $(cat out.txt err.txt)"
}
ingress() { awk '$1 == "ingress:" {p = 1} p' out.txt; }

# 3.31: the admin tier denies bad, passes mon on to the NetworkPolicy.
x 3.31 ns:bad "$WEB" tcp/80 1
ingress | grep -qx '  tier: adminnetworkpolicy' || fail "bad: $(cat out.txt)"
ingress | grep -qx '  policy: AdminNetworkPolicy no-bad (policy.networking.k8s.io, admin.yaml:2), as Calico GlobalNetworkPolicy kanp.adminnetworkpolicy.no-bad' ||
	fail "bad policy: $(cat out.txt)"
x 3.31 ns:mon "$WEB" tcp/80 0
ingress | grep -q '^  policy: NetworkPolicy shop/web ' || fail "mon: $(cat out.txt)"
# Other namespaces: the NetworkPolicy selects web, so its tier drops;
# db has none, so the baseline decides.
x 3.31 ns:other "$WEB" tcp/80 1
ingress | grep -q 'decided by: end of tier default' || fail "other -> web: $(cat out.txt)"
x 3.31 ns:other "$DB" tcp/80 1
ingress | grep -qx '  tier: baselineadminnetworkpolicy' || fail "other -> db: $(cat out.txt)"
# An egress rule to nodes cannot be converted: Deny fails closed.
x 3.31 "$DB" ns:other tcp/80 1
grep -q '^  rule: egress\[0\] (admin.yaml:22): Deny$' out.txt || fail "fail closed: $(cat out.txt)"

# 3.29 has no BaselineAdminNetworkPolicy: left out, with a warning.
x 3.29 ns:other "$DB" tcp/80 0
grep -q "BaselineAdminNetworkPolicy 'default' is not enforced by Calico 3.29: left out" err.txt ||
	fail "3.29 warning: $(cat err.txt)"
# 3.32 has neither: the NetworkPolicy alone decides.
x 3.32 ns:bad "$DB" tcp/80 0
grep -q "AdminNetworkPolicy 'no-bad' is not enforced by Calico 3.32" err.txt || fail "3.32 warning: $(cat err.txt)"

# 3.32: ClusterNetworkPolicy in kube-admin (Admin) or kube-baseline.
cat >cnp.yaml <<'Y'
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: lockdown}
spec:
  tier: Admin
  priority: 5
  subject: {pods: {podSelector: {matchLabels: {app: web}}}}
  ingress:
  - name: no-bad-http
    action: Deny
    from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: bad}}}]
    protocols: [{tcp: {destinationPort: {number: 80}}}]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: floor}
spec:
  tier: Baseline
  priority: 1
  subject: {namespaces: {}}
  ingress:
  - {action: Deny, from: [{pods: {podSelector: {matchLabels: {app: evil}}}}]}
Y
"$FLOWPOL" explain --calico-version 3.32 --policies cnp.yaml ns:bad "$WEB" tcp/80 >out.txt; [ $? = 1 ] || fail "cnp 80"
ingress | grep -qx '  tier: kube-admin' || fail "cnp tier: $(cat out.txt)"
ingress | grep -qx '  policy: ClusterNetworkPolicy lockdown (policy.networking.k8s.io, cnp.yaml:2), as Calico KubernetesClusterNetworkPolicy lockdown' ||
	fail "cnp policy: $(cat out.txt)"
"$FLOWPOL" explain --calico-version 3.32 --policies cnp.yaml ns:bad "$WEB" tcp/81 >out.txt; [ $? = 0 ] || fail "cnp 81: $(cat out.txt)"
"$FLOWPOL" explain --calico-version 3.32 --policies cnp.yaml ns:x,app=evil "$DB" tcp/81 >out.txt; [ $? = 1 ] || fail "cnp floor"
ingress | grep -qx '  tier: kube-baseline' || fail "cnp baseline: $(cat out.txt)"
# ...and 3.31 knows no ClusterNetworkPolicy.
"$FLOWPOL" explain --calico-version 3.31 --policies cnp.yaml ns:bad "$WEB" tcp/80 >out.txt 2>err.txt; [ $? = 0 ] || fail "cnp 3.31"
grep -q "ClusterNetworkPolicy 'lockdown' is not enforced by Calico 3.31" err.txt || fail "cnp 3.31: $(cat err.txt)"
pass
