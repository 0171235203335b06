fp_script_test(ops_deploy_manifests ops/deploy_manifests.sh)
fp_script_test(ops_merge ops/merge.sh)
