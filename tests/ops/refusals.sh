#!/usr/bin/env bash
# flowpol refuses to lie about an empty or silent learning period:
# - learn with no flow in its period exits 2 naming the period and the
#   first and last flow times the database holds, and keeps the previous
#   model; --allow-empty learns the empty model and says which period;
# - a workload never seen talking is isolated by the default deny but named
#   on stderr; --exempt-silent leaves it out of every policy (checked with
#   flowpol's own selector engine), the other workloads stay covered, and a
#   set of silent workloads too large for one Calico selector is refused.
set -u
. "$(dirname "$0")/../lib.sh"
S=$FLOWPOL_SRC/samples/seed
"$FLOWPOL" collect --pcap "$S/capture.pcap" --node staging-node-1 >/dev/null 2>err.txt ||
	fail "collect: $(cat err.txt)"
"$FLOWPOL" inventory --at 2026-11-26T10:00:00Z "$S/inventory.json" \
	"$FLOWPOL_SRC/tests/data/ops/silent-pod.json" >/dev/null 2>err.txt || fail "inventory: $(cat err.txt)"
"$FLOWPOL" learn >learn.txt 2>err.txt || fail "learn: $(cat err.txt)"
grep -q "; 6 edges (period: the first flow to the last flow)$" learn.txt || fail "learn: $(cat learn.txt)"
"$FLOWPOL" edges >edges.tsv || fail "edges"

# --- an empty period ------------------------------------------------------
"$FLOWPOL" learn --since 2026-12-01T00:00:00Z >out.txt 2>err.txt
[ $? -eq 2 ] || fail "learn of an empty period did not exit 2"
[ "$(cat err.txt)" = "flowpol: learn: no flows from 2026-12-01T00:00:00Z to the last flow: the database holds 6 flows from 2026-11-26T11:25:04Z to 2026-11-26T11:25:04Z; choose --since/--until in that range, or give --allow-empty to learn a model that allows nothing" ] ||
	fail "message: $(cat err.txt)"
[ ! -s out.txt ] || fail "a refused learn printed a summary"
"$FLOWPOL" edges | cmp -s - edges.tsv || fail "the refused learn changed the model"
"$FLOWPOL" inventory --db empty.db "$S/inventory.json" >/dev/null 2>&1; "$FLOWPOL" learn --db empty.db 2>err.txt
[ $? -eq 2 ] && grep -q "the database holds no flows at all" err.txt || fail "no flows at all: $(cat err.txt)"
"$FLOWPOL" learn --until 2026-11-26T11:00:00Z --allow-empty >out.txt 2>err.txt ||
	fail "--allow-empty exited $?: $(cat err.txt)"
grep -q "; 0 flows: .*; 0 edges (period: the first flow to 2026-11-26T11:00:00Z)$" out.txt ||
	fail "--allow-empty summary: $(cat out.txt)"
"$FLOWPOL" learn >/dev/null 2>&1 || fail "relearn"

# --- a silent workload ------------------------------------------------------
"$FLOWPOL" emit --out isolate >/dev/null 2>err.txt || fail "emit: $(cat err.txt)"
grep -qx "flowpol: emit: workload namespace1/idle: never seen talking in the learned period: the default deny isolates it (--exempt-silent leaves it out)" err.txt ||
	fail "emit did not name the silent workload: $(cat err.txt)"
[ "$(grep -c "never seen talking" err.txt)" -eq 1 ] || fail "other workloads called silent: $(cat err.txt)"
"$FLOWPOL" emit --exempt-silent --out exempt >/dev/null 2>err.txt || fail "emit --exempt-silent: $(cat err.txt)"
grep -q "namespace1/idle: never seen talking in the learned period: left out of the default deny" err.txt ||
	fail "--exempt-silent did not say so: $(cat err.txt)"
sel_of() { sed -n 's/^  selector: "\(.*\)"$/\1/p' "$1"; }
IDLE="projectcalico.org/orchestrator=k8s projectcalico.org/namespace=namespace1 app=idle"
BUSY="projectcalico.org/orchestrator=k8s projectcalico.org/namespace=namespace1 app=busybox"
# shellcheck disable=SC2086
"$FLOWPOL" selector "$(sel_of isolate/flowpol-default-deny.yaml)" $IDLE || fail "default deny does not select idle"
for f in exempt/*.yaml; do
	# shellcheck disable=SC2086
	"$FLOWPOL" selector "$(sel_of "$f")" $IDLE && fail "$f selects the silent workload"
done
# shellcheck disable=SC2086
"$FLOWPOL" selector "$(sel_of exempt/flowpol-default-deny.yaml)" $BUSY || fail "exempt: busybox left out too"
[ ! -e exempt/flowpol-namespace1-idle.yaml ] || fail "a rule-less policy still selects the silent workload"
diff -r -x 'flowpol-default-deny.yaml' -x 'flowpol-allow-dns.yaml' -x 'flowpol-namespace1-idle.yaml' \
	isolate exempt >/dev/null || fail "--exempt-silent changed the learned policies"
# Namespace granularity: the namespace policy leaves the silent workload out.
"$FLOWPOL" emit --exempt-silent --granularity namespace --out ns >/dev/null 2>&1 || fail "ns granularity"
# shellcheck disable=SC2086
"$FLOWPOL" selector "$(sel_of ns/flowpol-ns-namespace1.yaml)" $IDLE && fail "namespace policy selects idle"

# Too many silent workloads for one selector: refused, nothing written.
/usr/bin/python3 - "$FLOWPOL_SRC/tests/data/ops/silent-pod.json" many.json <<'X' || fail "many.json"
import copy, json, sys
pod = json.load(open(sys.argv[1]))
items = []
for i in range(20):
    p = copy.deepcopy(pod)
    name = f"quiet-reporting-service-{i:02d}"
    p["metadata"].update(name=f"{name}-6c5d4b3a2f-x7k2p", uid=f"0e0e0e0e-0000-4000-8000-0000000001{i:02d}",
                         labels={"app": name, "pod-template-hash": "6c5d4b3a2f"})
    p["metadata"]["ownerReferences"][0]["name"] = f"{name}-6c5d4b3a2f"
    p["status"]["podIP"] = p["status"]["podIPs"][0]["ip"] = f"10.244.1.{100 + i}"
    items.append(p)
json.dump({"apiVersion": "v1", "kind": "List", "items": items}, open(sys.argv[2], "w"))
X
"$FLOWPOL" inventory --at 2026-11-26T10:00:00Z many.json >/dev/null 2>err.txt || fail "inventory many: $(cat err.txt)"
"$FLOWPOL" learn >/dev/null 2>&1 || fail "learn many"
"$FLOWPOL" emit --exempt-silent --out toomany >/dev/null 2>err.txt
[ $? -eq 2 ] || fail "21 silent workloads did not fail"
grep -q "^flowpol: emit: --exempt-silent: leaving the 21 silent workloads out of the default deny makes its selector [0-9]* characters, more than Calico's 1024: exempt their namespaces (--exempt-namespace) instead, or let the default deny isolate them$" err.txt ||
	fail "limit message: $(cat err.txt)"
[ ! -e toomany ] || fail "a refused emit wrote files"
pass
