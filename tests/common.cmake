fp_unit_test(test_store test_store.c)
fp_unit_test(test_model test_model.c)
fp_unit_test(test_common test_common.c)
fp_unit_test(test_yamlread test_yamlread.c)
fp_script_test(cli_basics cli/basics.sh)
fp_script_test(cli_output cli/output.sh)
fp_script_test(cli_globals cli/globals.sh)
fp_script_test(cli_readme cli/readme.sh)
# A database written by the previous release migrates forward
# (tests/data/store/README.md).
fp_script_test(store_old_release store/old_release.sh)
