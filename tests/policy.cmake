# Policy engine: selectors, policy reader, evaluation, explain.
fp_unit_test(test_selector test_selector.c)
fp_script_test(policy_selector_vectors policy/selector_vectors.sh)
fp_unit_test(test_evaluate test_evaluate.c)
