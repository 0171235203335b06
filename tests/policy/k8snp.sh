#!/usr/bin/env bash
# `flowpol explain` over two --policies paths: the cluster's Kubernetes
# NetworkPolicy (kubectl's List, JSON) and a Calico set ahead of it; the
# object named with file and line, the side that decided, the name per
# --calico-version, and the warning for a named port calicoctl refuses.
set -u
. "$(dirname "$0")/../lib.sh"

cat >cluster.json <<'J'
{"apiVersion": "v1", "kind": "List", "items": [
 {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
  "metadata": {"name": "web", "namespace": "shop"},
  "spec": {"podSelector": {"matchLabels": {"app": "web"}},
           "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "front"}}}],
                        "ports": [{"port": 8080}]}]}}]}
J
mkdir flowpol
cat >flowpol/deny-db.yaml <<'Y'
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-db}
spec:
  order: 10
  selector: app == 'web'
  types: [Ingress]
  ingress:
  - action: Deny
    protocol: TCP
    destination: {ports: [5432, HTTP]}
Y
WEB="ns:shop,app=web"
FRONT="ns:shop,app=front"

"$FLOWPOL" explain --policies cluster.json --policies flowpol "$FRONT" "$WEB" tcp/8080 >out.txt 2>err.txt
rc=$?; [ $rc -eq 0 ] || fail "front -> web 8080: exit $rc: $(cat out.txt err.txt)"
grep -qx '  policy: NetworkPolicy shop/web (networking.k8s.io/v1, cluster.json:2), as Calico KubernetesNetworkPolicy shop/web' out.txt ||
	fail "object not named: $(cat out.txt)"
grep -qx 'ingress decided by: --policies cluster.json' out.txt || fail "side: $(cat out.txt)"
grep -q "^flowpol: explain: warning: flowpol/deny-db.yaml:11: spec.ingress\[0\].destination.ports\[1\]: named port 'HTTP' is not a Kubernetes port name" err.txt ||
	fail "named port warning: $(cat err.txt)"

# The Calico policy at order 10 decides before the Kubernetes one at 1000.
"$FLOWPOL" explain --policies cluster.json --policies flowpol "$FRONT" "$WEB" tcp/5432 >out.txt 2>/dev/null
rc=$?; [ $rc -eq 1 ] || fail "front -> web 5432: exit $rc, want 1"
grep -qx 'ingress decided by: --policies flowpol' out.txt || fail "side 5432: $(cat out.txt)"

# Another pod is dropped at the end of the default tier, where a policy
# of each side applied.
"$FLOWPOL" explain --policies cluster.json --policies flowpol "ns:shop,app=x" "$WEB" tcp/8080 >out.txt 2>/dev/null
rc=$?; [ $rc -eq 1 ] || fail "x -> web: exit $rc, want 1"
grep -qx 'ingress decided by: --policies cluster.json, --policies flowpol' out.txt ||
	fail "side end of tier: $(cat out.txt)"

# Up to 3.31 Calico names it knp.default.web.
"$FLOWPOL" explain --calico-version 3.31 --policies cluster.json "$FRONT" "$WEB" tcp/8080 >out.txt ||
	fail "3.31: $(cat out.txt)"
grep -qx '  policy: NetworkPolicy shop/web (networking.k8s.io/v1, cluster.json:2), as Calico NetworkPolicy shop/knp.default.web' out.txt ||
	fail "3.31 name: $(cat out.txt)"

"$FLOWPOL" explain --calico-version 3.27 --policies cluster.json "$FRONT" "$WEB" tcp/8080 >out.txt 2>err.txt
[ $? = 2 ] || fail "3.27 accepted"
grep -qx "flowpol: explain: --calico-version: calico version '3.27': want 3.28 to 3.33" err.txt || fail "3.27: $(cat err.txt)"
pass
