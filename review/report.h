#ifndef FLOWPOL_REVIEW_REPORT_H
#define FLOWPOL_REVIEW_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

/*
 * The pull-request report (`flowpol report`): Markdown describing what was
 * learned, how complete the learning is, and the evidence behind every
 * policy `flowpol emit` would write with its default options.
 *
 * State between runs lives in the store's meta table under "report.*":
 *   report.run       how many recorded runs there were (decimal)
 *   report.model_at  the newest edge last_seen at that run (unix µs, or "")
 *   report.now       the --now of that run, when one was given
 *   report.edges     the edges reported then, one "src\tdst\tproto\tport\n"
 *                    line each, sorted by byte value
 *   report.digest    fnv1a64 of report.edges, 16 hex digits
 * A run compares the current edges with report.edges ("new" and "gone")
 * and, unless told not to record, replaces them.
 */

struct report_opts {
	const char *policies;	/* committed directory to compare, or NULL */
	int have_since;
	int64_t since;		/* with have_since: "new" = first_seen >= since */
	int have_now;
	int64_t now;		/* for "time since"; else the clock */
	int record;		/* store this run's edges in meta */
	int calico_version;	/* policy/calver.h; 0: what the committed
				   files record, else the default */
};

/*
 * Write the report for the store st (opened writable when opts->record)
 * to out. Everything is built first: on error nothing is written to out
 * and nothing is recorded. 0 or -1 (fp_error).
 */
int report_write(struct store *st, const struct report_opts *opts, FILE *out);

#endif
