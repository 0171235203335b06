# Policy engine: selectors, policy reader, evaluation, explain.
fp_unit_test(test_selector test_selector.c)
fp_script_test(policy_selector_vectors policy/selector_vectors.sh)
fp_unit_test(test_reader test_reader.c)
fp_unit_test(test_evaluate test_evaluate.c)
fp_unit_test(test_k8snp test_k8snp.c)
fp_unit_test(test_calver test_calver.c)
fp_script_test(policy_explain policy/explain.sh)
fp_script_test(policy_k8snp policy/k8snp.sh)
fp_script_test(policy_k8sadmin policy/k8sadmin.sh)

# Fuzz harnesses for the selector parser and the policy reader.
fp_fuzz_harness(selector)
fp_fuzz_harness(policy)

# flowpol diff (issue 6): the cron-style end-to-end run, error paths, and
# grouping/ordering at unit level.
fp_unit_test(test_diff test_diff.c)
fp_script_test(policy_diff_cron policy/diff_cron.sh)
fp_script_test(policy_diff_errors policy/diff_errors.sh)
