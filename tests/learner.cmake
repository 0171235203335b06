# Learner tests (issue 3).
fp_unit_test(test_inventory test_inventory.c)
fp_unit_test(test_learn test_learn.c)
fp_script_test(learner_seed learner/seed.sh)
fp_script_test(learner_identity learner/identity.sh)
fp_script_test(learner_rollout learner/rollout.sh)
fp_script_test(learner_seed_e2e learner/seed_e2e.sh)
fp_script_test(learner_malformed learner/malformed.sh)
fp_script_test(learner_formats learner/formats.sh)

# Fuzzing the inventory parser (see fp_fuzz_harness).
fp_fuzz_harness(inventory)
fp_script_test(learner_watch learner/watch.sh)
fp_script_test(learner_traffic learner/traffic.sh)
fp_script_test(learner_windows learner/windows.sh)
fp_script_test(traffic_e2e e2e/traffic_classes.sh)
