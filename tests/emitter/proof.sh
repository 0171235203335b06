#!/bin/bash
# Least privilege, proven with a Calico evaluator: the emitted set allows
# every learned edge and denies every other workload pair, address and
# port probed, for the seed and for generated clusters (fixed seeds), in
# both granularities. The seed's output is strictly tighter than the
# seed's hand-written policies. The proof must catch a broken policy.
#
# Each proof runs twice, through an independent oracle and through the
# policy engine (P in tests/emitter/lib.sh).
. "$FLOWPOL_SRC/tests/lib.sh"
. "$FLOWPOL_SRC/tests/emitter/lib.sh"

"$EMIT_FIXTURE" seed.db "$DATA/seed.sql" || fail fixture
P --db seed.db --policies "$FLOWPOL_SRC/samples/seed/policies" \
	--compare "$FLOWPOL_SRC/samples/seed/calico-policies.yaml" >seed.txt 2>&1 ||
	fail "seed proof: $(cat seed.txt)"
grep -q "0 counterexamples" seed.txt || fail "seed proof: $(cat seed.txt)"
grep -q "emit_engine_check: 1[0-9]* probes, 8 policies, 0 counterexamples, 0 undecided" seed.txt ||
	fail "engine proof of the seed: $(cat seed.txt)"
grep -q "learned call wl:namespace1/busybox-deployment -> wl:namespace2/nginx-deployment" seed.txt ||
	fail "expected the hand-written set to miss busybox -> namespace2 nginx"
tail -3 seed.txt

for s in 1 2 3 4 5 6 7 8 9 10 11 12; do
	"$EMIT_FIXTURE" --generate "$s" "g$s.db" || fail fixture
	"$FLOWPOL" emit --db "g$s.db" --out "g$s" 2>/dev/null || fail "emit g$s"
	P --db "g$s.db" --policies "g$s" >"g$s.txt" 2>&1 || fail "cluster $s: $(head -20 "g$s.txt")"
	if [ $((s % 3)) = 0 ]; then
		"$FLOWPOL" emit --db "g$s.db" --out "n$s" --granularity namespace 2>/dev/null || fail "emit n$s"
		P --db "g$s.db" --policies "n$s" --granularity namespace >"n$s.txt" 2>&1 ||
			fail "cluster $s, namespace granularity: $(head -20 "n$s.txt")"
	fi
done
tail -qn2 g*.txt

# the proof is not vacuous. (a) An exempt pod labelled like busybox and a
# pod outside kube-system labelled like kube-dns: the learned policies do
# not change, the fake DNS pod gets nobody's DNS, and a rule without its
# namespaceSelector lets the busybox look-alike in.
"$EMIT_FIXTURE" extra.db "$DATA/seed.sql" "$DATA/seed-extra.sql" || fail fixture
"$FLOWPOL" emit --db extra.db --out extra 2>/dev/null || fail "emit extra"
# only the fake DNS pod's own (empty) policy is new
diff -r -x flowpol-ntierapp-fake-dns.yaml "$FLOWPOL_SRC/samples/seed/policies" extra ||
	fail "idle pods changed the output"
grep -q "^  types:" extra/flowpol-ntierapp-fake-dns.yaml || fail "fake-dns policy missing"
grep -q "action" extra/flowpol-ntierapp-fake-dns.yaml && fail "fake-dns policy allows something"
P --db extra.db --policies extra >extra.txt 2>&1 || fail "extra proof: $(cat extra.txt)"
sed -i '/namespaceSelector/d' extra/flowpol-namespace1-nginx-deployment.yaml
P --db extra.db --policies extra >broken.txt 2>&1 && fail "proof missed a rule without namespaceSelector"
grep -q "counterexample: wl:kube-system/debug-busybox -> wl:namespace1/nginx-deployment proto 6 port 80: want deny, got allow" broken.txt ||
	fail "wrong counterexample: $(cat broken.txt)"
grep -q "counterexample: wl:kube-system/debug-busybox -> wl:namespace1/nginx-deployment proto 6 port 80: want deny, engine says allow" broken.txt ||
	fail "engine: wrong counterexample: $(cat broken.txt)"
# (b) a learned policy missing: its observed traffic is denied
cp -r g2 broken
rm "$(grep -l 'action: Allow' broken/flowpol-team-*.yaml | head -1)"
P --db g2.db --policies broken >broken.txt 2>&1 && fail "proof missed a missing policy"
grep -q "want allow, got deny" broken.txt || fail "wrong counterexample: $(head broken.txt)"
both_caught || fail "not caught by both: $(cat broken.txt)"
# (c) one rule's ports widened where only one side has policy (node -> pod)
cp -r g3 broken3
/usr/bin/python3 - broken3 <<'PY' || fail "mutation (c) found nothing to widen"
import glob, sys, yaml
for f in sorted(glob.glob(sys.argv[1] + "/flowpol-team-*.yaml")):
    text = open(f).read()
    doc = yaml.safe_load(text)
    for r in doc["spec"].get("ingress", []):
        src = r.get("source", {})
        if ("nets" in src or "flowpol/node-set" in src.get("selector", "")) and \
                "ports" in r.get("destination", {}):
            r["destination"]["ports"] = ["1:65535"]
            open(f, "w").write(yaml.safe_dump(doc))
            sys.exit(0)
sys.exit(1)
PY
P --db g3.db --policies broken3 >broken.txt 2>&1 && fail "proof missed a widened port"
grep -q "want deny, got allow" broken.txt || fail "wrong counterexample: $(head broken.txt)"
both_caught || fail "not caught by both: $(cat broken.txt)"
pass
