/*
 * The script --install-rule feeds to nft (golden file), and the allow-list
 * that keeps interface globs from injecting anything into it. The script
 * running against the kernel is tests/e2e/collect_install_rule.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "collector/nftrule.h"
#include "common/err.h"
#include "common/fileio.h"

static void
test_nftrule_script_golden(void **state)
{
	static const char *const globs[] = { "cali*", "azv*" };
	char buf[NFTRULE_SCRIPT_MAX];
	char *want = NULL;
	size_t len;

	(void)state;
	assert_int_equal(fp_read_file(FLOWPOL_TESTDATA
	    "/collector/install-rule.nft", 1 << 20, &want, &len), 0);
	assert_int_equal(nftrule_script(buf, sizeof(buf), 100, globs, 2, 1), 0);
	assert_string_equal(buf, want);
	/* Without replace: only "create", which fails if the table exists. */
	assert_int_equal(nftrule_script(buf, sizeof(buf), 100, globs, 2, 0), 0);
	assert_null(strstr(buf, "delete"));
	assert_string_equal(buf, strstr(want, "create table"));
	free(want);
}

static void
test_nftrule_script_limits(void **state)
{
	static const char *const bad[] = { "cali*", "x\"; flush ruleset" };
	static const char *const one[] = { "cali*" };
	const char *many[NFTRULE_MAX_GLOBS + 1];
	char buf[NFTRULE_SCRIPT_MAX], small[64];
	size_t i;

	(void)state;
	for (i = 0; i < NFTRULE_MAX_GLOBS + 1; i++)
		many[i] = "cali012345678*";
	assert_int_equal(nftrule_script(buf, sizeof(buf), 7, many,
	    NFTRULE_MAX_GLOBS, 0), 0);
	assert_int_equal(nftrule_script(buf, sizeof(buf), 7, many,
	    NFTRULE_MAX_GLOBS + 1, 0), -1);
	assert_int_equal(nftrule_script(buf, sizeof(buf), 7, one, 0, 0), -1);
	assert_int_equal(nftrule_script(buf, sizeof(buf), 7, bad, 2, 0), -1);
	assert_int_equal(nftrule_script(buf, sizeof(buf), 65536, one, 1, 0), -1);
	assert_int_equal(nftrule_script(buf, sizeof(buf), -1, one, 1, 0), -1);
	assert_int_equal(nftrule_script(small, sizeof(small), 7, one, 1, 0), -1);
	assert_non_null(strstr(fp_errmsg(), "longer than"));
}

static void
test_nftrule_glob_check(void **state)
{
	static const char *const good[] = { "cali*", "azv*", "eni*", "gke*",
	    "eth0", "tunl0", "vxlan.calico", "a-b_c.d*", "cali0123456789a",
	    "cali0123456789a*", "x*" };
	static const char *const badg[] = { "", "*", "**", "ca*li", "cali**",
	    "cali;", "cali\"", "cali ", "cali\n", "cali\\*", "cali{", "c@li",
	    "cali0123456789ab", "cali0123456789ab*", "\xc3\xa9*" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (nftrule_glob_check(good[i]) != 0)
			fail_msg("'%s' refused: %s", good[i], fp_errmsg());
	for (i = 0; i < sizeof(badg) / sizeof(badg[0]); i++)
		if (nftrule_glob_check(badg[i]) != -1)
			fail_msg("'%s' accepted", badg[i]);
	/* The message names the glob and the byte offset. */
	assert_int_equal(nftrule_glob_check("cali;x"), -1);
	assert_non_null(strstr(fp_errmsg(), "'cali;x': byte offset 4"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nftrule_script_golden),
		cmocka_unit_test(test_nftrule_script_limits),
		cmocka_unit_test(test_nftrule_glob_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
