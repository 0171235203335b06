/*
 * libFuzzer harness for the Calico selector parser (policy/selector.c).
 * Input: selector text, optionally followed by a NUL byte and label lines
 * "key=value\n". Beyond "no crash", it checks that the canonical form
 * parses again and matches the same labels, and that printing reaches a
 * fixed point by the second round: as in Calico, "!(!x)" prints as "!!x",
 * which parses (by '!' parity) to x.
 *
 * Built by fp_fuzz_harness (tests/CMakeLists.txt): a libFuzzer program with
 * -DFLOWPOL_FUZZ=ON, and always a replay of the saved corpus under ctest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/labels.h"
#include "policy/selector.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct labels l = LABELS_INIT;
	struct sel *s = NULL, *s2 = NULL, *s3 = NULL;
	char *text, *canon = NULL, *canon2 = NULL, *canon3 = NULL;
	size_t n = strnlen((const char *)data, size);

	if (size > 4096)
		return 0;
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (n < size) {
		/* Labels after the NUL; bad lines are simply skipped. */
		char *p = text + n + 1;

		while (*p) {
			char *nl = strchr(p, '\n');

			if (nl)
				*nl = '\0';
			(void)labels_parse_pair(&l, p);
			if (!nl)
				break;
			p = nl + 1;
		}
	}
	(void)labels_set(&l, "app", "web");
	if (sel_parse(text, &s, NULL) == 0) {
		int m = sel_match(s, &l);

		canon = sel_format(s);
		if (canon == NULL)
			goto out;
		if (sel_parse(canon, &s2, NULL) != 0) {
			fprintf(stderr, "canonical form does not parse: %s: %s\n",
			    canon, fp_errmsg());
			abort();
		}
		if ((canon2 = sel_format(s2)) == NULL ||
		    sel_parse(canon2, &s3, NULL) != 0 ||
		    (canon3 = sel_format(s3)) == NULL)
			goto out;
		if (strcmp(canon2, canon3) != 0) {
			fprintf(stderr, "canonical form not stable: %s / %s\n",
			    canon2, canon3);
			abort();
		}
		if (sel_match(s2, &l) != m || sel_match(s3, &l) != m) {
			fprintf(stderr, "canonical form matches differently\n");
			abort();
		}
		if (sel_prefix(s2, "pcns.") == 0)
			(void)sel_match(s2, &l);
	}
out:
	free(canon);
	free(canon2);
	free(canon3);
	sel_free(s);
	sel_free(s2);
	sel_free(s3);
	labels_release(&l);
	free(text);
	return 0;
}

