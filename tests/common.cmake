fp_unit_test(test_store test_store.c)
fp_unit_test(test_common test_common.c)
fp_unit_test(test_yamlread test_yamlread.c)
fp_script_test(cli_basics cli/basics.sh)
