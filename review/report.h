#ifndef FLOWPOL_REVIEW_REPORT_H
#define FLOWPOL_REVIEW_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "common/cli.h"

#include "store/store.h"

/*
 * The pull-request report (`flowpol report`): Markdown for a pull request
 * that adds or changes the generated policies. Nothing is kept between
 * runs: what changed is measured against the committed policy directory
 * (--policies: the last merged pull request), so a report works on a fresh
 * or read-only database. The summary stays under REPORT_BODY_MAX characters
 * at any cluster size (lists are cut at a fixed number of rows and the rest
 * counted); the long tables follow in <details> when everything fits a
 * pull-request body, or go to a file of their own.
 */

struct report_opts {
	const char *policies;	/* committed directory to compare, or NULL */
	const char *details;	/* write the details there, or NULL */
	const char *const *namespaces;	/* only edges with an end in one */
	size_t nnamespaces;
	int have_since;
	int64_t since;		/* with have_since: "new" = first_seen >= since */
	int have_now;
	int64_t now;		/* for "time since"; else the clock */
};

/*
 * Write the report for the store st (only read) to out. Everything is
 * built first: on error nothing is written. 0 or -1 (fp_error).
 */
int report_write(struct store *st, const struct report_opts *opts, FILE *out);

#endif
