/*
 * libFuzzer harness for the inventory parser: any bytes as one kubectl or
 * calicoctl output file. A refusal must come with a message naming the
 * input; an acceptance must leave objects that store cleanly (not tried
 * here: storing needs a database).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "learner/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inv *inv = NULL;
	struct inv_counts n;

	if (inv_new(&inv) < 0)
		abort();
	fp_error_clear();
	if (inv_parse(inv, "fuzz", (const char *)data, size) < 0) {
		if (strncmp(fp_errmsg(), "inventory: 'fuzz': ", 19) != 0)
			abort();	/* every refusal names the input */
	} else {
		inv_counts(inv, &n);
	}
	inv_free(inv);
	return 0;
}
