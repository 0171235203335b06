# Shared by the emitter's script tests: sourced after tests/lib.sh.
: "${EMIT_FIXTURE:?}" "${EMIT_ENGINE_CHECK:?}"
PY=/usr/bin/python3
DATA=$FLOWPOL_SRC/tests/data/emitter
GOLD=$FLOWPOL_SRC/samples/seed/policies

# P ARGS... : the least-privilege proof, twice. emit_proof.py derives the
# probes and their expected verdicts from the model and checks them with
# tests/tools/calico_eval.py (an independent oracle); emit_engine_check runs
# the same probes through the policy engine (policy/evaluate.h), which reads
# the files with its own reader and selector parser. Both must agree.
P() {
	local pols=() prev= a rc=0
	for a in "$@"; do [ "$prev" = --policies ] && pols+=("$a"); prev=$a; done
	$PY "$FLOWPOL_SRC/tests/tools/emit_proof.py" --probes-out probes.tsv \
		--endpoints-out endpoints.tsv "$@" || rc=1
	"$EMIT_ENGINE_CHECK" endpoints.tsv probes.tsv "${pols[@]}" || rc=1
	return $rc
}

# Both proofs found a counterexample (output in broken.txt).
both_caught() {
	grep -q "^counterexample: .*got" broken.txt &&
		grep -q "^emit_engine_check: [0-9]* probes, [0-9]* policies, [1-9][0-9]* counterexamples" broken.txt
}

# V ARGS... : the CRD validator
V() { $PY "$FLOWPOL_SRC/tests/tools/crd_validate.py" "$@"; }
