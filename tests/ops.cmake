fp_script_test(ops_deploy_manifests ops/deploy_manifests.sh)
fp_script_test(ops_merge ops/merge.sh)
fp_script_test(ops_report ops/report.sh)
fp_script_test(ops_graph ops/graph.sh)
