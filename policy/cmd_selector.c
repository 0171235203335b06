#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "common/cli.h"
#include "common/err.h"
#include "common/labels.h"
#include "policy/selector.h"
#include "common/banned.h"

static const char selector_usage[] =
    "usage: flowpol selector [--canonical] EXPR [KEY=VALUE...]\n"
    "\n"
    "Evaluate the Calico selector EXPR against the labels given as\n"
    "KEY=VALUE arguments (split at the first '='; an empty value is allowed).\n"
    "Prints 'match' or 'no match'. With --canonical, prints Calico's\n"
    "canonical form of EXPR instead and exits 0 if it parses.\n"
    "Use '--' before an EXPR that starts with '-'.\n"
    "\n"
    "Exit status: 0 match, 1 no match, 2 invalid selector or usage error\n"
    "(the message gives the byte position of the error).\n";

int
cmd_selector(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "canonical", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct labels l = LABELS_INIT;
	struct sel *s = NULL;
	int c, canonical = 0, ret = FP_EXIT_ERR, i;

	while ((c = fp_getopt(argc, argv, "+h", opts)) != -1) {
		switch (c) {
		case 'h':
			return fp_cli_help(selector_usage);
		case 'c':
			canonical = 1;
			break;
		default:
			return fp_cli_bad_option("selector", selector_usage, opts, argv);
		}
	}
	if (optind >= argc)
		return fp_cli_usage_error("selector", selector_usage,
		    "missing selector expression");
	if (sel_parse(argv[optind], &s, NULL) < 0) {
		fp_error_prefix("selector");
		ret = fp_report();
		goto out;
	}
	for (i = optind + 1; i < argc; i++) {
		if (labels_parse_pair(&l, argv[i]) < 0) {
			fp_error_prefix("selector");
			ret = fp_report();
			goto out;
		}
	}
	if (canonical) {
		char *t = sel_format(s);

		if (t == NULL) {
			ret = fp_fail("selector: out of memory");
			goto out;
		}
		printf("%s\n", t);
		free(t);
		ret = FP_EXIT_OK;
		goto out;
	}
	if (sel_match(s, &l)) {
		puts("match");
		ret = FP_EXIT_OK;
	} else {
		puts("no match");
		ret = FP_EXIT_NO;
	}
out:
	sel_free(s);
	labels_release(&l);
	return ret;
}
