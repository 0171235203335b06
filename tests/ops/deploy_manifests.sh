#!/usr/bin/env bash
# samples/deploy/ holds valid, consistent Kubernetes objects, valid against
# Kubernetes 1.36's own OpenAPI schema (strict: unknown fields are errors),
# that apply in file order and whose commands exist in this build of flowpol.
set -u
. "$(dirname "$0")/../lib.sh"
SCHEMA=$FLOWPOL_SRC/tests/data/k8s-openapi/v1.36.json
check() { /usr/bin/python3 "$FLOWPOL_SRC/tests/tools/check_manifests.py" "$FLOWPOL" "$1" "$SCHEMA"; }
check "$FLOWPOL_SRC/samples/deploy" || fail "manifest problems (above)"
# The checker must notice each kind of breakage.
broken() { # NAME SED-EXPR FILE [RENAME-TO]: a copy with one change must fail naming WANT
	rm -rf bad && mkdir bad && cp "$FLOWPOL_SRC"/samples/deploy/* bad/
	sed -i "$2" "bad/$3"
	[ $# -lt 5 ] || mv "bad/$3" "bad/$5"
	if check bad >out.txt; then fail "checker accepted: $1"; fi
	grep -q -- "$4" out.txt || fail "checker did not say '$4' for $1: $(cat out.txt)"
}
broken "a collector with SYS_ADMIN" 's/add: \["NET_ADMIN"\]/add: ["NET_ADMIN", "SYS_ADMIN"]/' \
	10-collector-daemonset.yaml "SYS_ADMIN"
broken "a misspelt field" 's/initialDelaySeconds: 15/initialDelaySecond: 15/' \
	10-collector-daemonset.yaml "'initialDelaySecond' was unexpected"
broken "a string for an integer" 's/replicas: 1/replicas: "one"/' \
	20-inventory-watcher.yaml "spec.replicas: 'one' is not of type 'integer'"
broken "the namespace applied last" 's/x/x/' 00-namespace.yaml \
	"10-collector-daemonset.yaml#0: applied before its namespace 'flowpol'" 99-namespace.yaml
broken "no Pod Security label" '/pod-security.kubernetes.io\/enforce:/d' 00-namespace.yaml \
	"pod-security.kubernetes.io/enforce: privileged"
broken "a role wider than the watcher" 's/"services"\]/"services", "secrets"]/' \
	20-inventory-watcher.yaml "grants core/secrets"
broken "a missing ConfigMap key" 's/key: policy-dir/key: policy-folder/' \
	30-diff-cronjob.yaml "ConfigMap flowpol-config has no key policy-folder"
broken "no seccomp profile" '/type: RuntimeDefault/d' 30-diff-cronjob.yaml "seccompProfile RuntimeDefault"
broken "a flowpol option that does not exist" 's/--watch \$pipes/--follow $pipes/' \
	inventory-watch.sh "has no option --follow"
# The image ships the script the watcher runs, and kubectl not from Debian.
grep -q "^COPY samples/deploy/inventory-watch.sh /usr/local/bin/flowpol-inventory-watch$" \
	"$FLOWPOL_SRC/samples/deploy/Dockerfile" || fail "Dockerfile does not install the watcher script"
grep -q "kubernetes-client" <(grep -v '^#' "$FLOWPOL_SRC/samples/deploy/Dockerfile") &&
	fail "Dockerfile installs Debian's kubectl 1.20"
[ -f "$FLOWPOL_SRC/.dockerignore" ] || fail "no .dockerignore"
pass
