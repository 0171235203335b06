# The review commands' tests (diff, report, explain on the read model).
fp_script_test(review_dualstack review/dualstack.sh)
fp_script_test(review_agree review/agree.sh)
