# Learner tests (issue 3).
fp_script_test(learner_seed learner/seed.sh)
fp_script_test(learner_identity learner/identity.sh)
fp_script_test(learner_rollout learner/rollout.sh)
fp_script_test(learner_seed_e2e learner/seed_e2e.sh)
fp_script_test(learner_malformed learner/malformed.sh)
fp_script_test(learner_formats learner/formats.sh)
