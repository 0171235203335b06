#!/bin/bash
# The seed's golden policies from the real pipeline: the capture recorded
# from the kernel (samples/seed/capture.pcap) -> collect -> inventory
# (samples/seed/inventory.json) -> learn -> emit, byte for byte against
# samples/seed/policies/, and the same files pass the proof.
. "$FLOWPOL_SRC/tests/lib.sh"
. "$FLOWPOL_SRC/tests/emitter/lib.sh"
S=$FLOWPOL_SRC/samples/seed

"$FLOWPOL" collect --pcap "$S/capture.pcap" --node staging-node-1 >/dev/null 2>err.txt ||
	fail "collect: $(cat err.txt)"
"$FLOWPOL" inventory --at 2026-11-26T10:00:00Z "$S/inventory.json" >/dev/null 2>err.txt ||
	fail "inventory: $(cat err.txt)"
"$FLOWPOL" learn >/dev/null 2>err.txt || fail "learn: $(cat err.txt)"
"$FLOWPOL" emit --out out 2>err.txt || fail "emit: $(cat err.txt)"
diff -r "$GOLD" out || fail "pipeline output differs from samples/seed/policies"
"$FLOWPOL" emit --out ns --granularity namespace 2>/dev/null || fail "emit ns"
diff -r "$S/policies-namespace" ns || fail "namespace granularity differs"
P --db "$FLOWPOL_DB" --policies out \
	--compare "$FLOWPOL_SRC/samples/seed/calico-policies.yaml" >proof.txt 2>&1 || fail "proof: $(cat proof.txt)"
grep -q "emit_engine_check: [0-9]* probes, 8 policies, 0 counterexamples, 0 undecided" proof.txt ||
	fail "engine proof: $(cat proof.txt)"
pass
