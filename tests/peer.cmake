# Peer test suites vendored as data (issue 13): np-guard netpol-analyzer's
# connectivity cases and the Kubernetes e2e network policy cases, evaluated
# with the policy engine through emit_engine_check (tests/emitter.cmake).
fp_script_test(peer_npguard peer/suite.sh npguard)
fp_script_test(peer_k8s_e2e peer/suite.sh k8s-e2e)
