#ifndef FLOWPOL_REVIEW_DIFF_H
#define FLOWPOL_REVIEW_DIFF_H

#include <stdint.h>
#include <stdio.h>

#include "common/cli.h"
#include "policy/model.h"

/*
 * flowpol diff: the learned model (edges, workloads, pods) against the
 * committed policies, for a scheduled job.
 *
 *   denied     every observed edge (last_seen >= since) that the committed
 *              policies would deny at the source's egress or at the
 *              destination's ingress. A workload side is evaluated for
 *              every distinct (namespace, service account, label set) its
 *              pods were seen with, in every address family the edge can
 *              have (review/peers.h: a dual-stack pod is all of its
 *              addresses); the edge is denied in a direction when any
 *              combination is. report judges edges the same way. Grouped by the workload whose policy
 *              denies it (the source for egress, the destination for
 *              ingress), so an edge denied both ways shows under both.
 *              Edges with an `unknown:` peer (an in-cluster address the
 *              inventory has no owner for) are listed apart as
 *              unattributed: fixing them needs inventory, not policy.
 *   stale      Allow rules that decided no observed edge with
 *              last_seen >= now - stale_after, in either direction, in the
 *              enforced view or (when the set has staged policies) the
 *              staged one. Policies for host endpoints only (doNotTrack,
 *              preDNAT) are left out.
 *   proposed   what `flowpol emit` (default options) would write, compared
 *              file by file with the flowpol-generated files under the
 *              policies path: added, changed (with a unified diff),
 *              removed.
 *   left out   with strict: edges denied only at a workload emit --strict
 *              writes no policy for (its selector also selects other
 *              workloads); listed apart and not counted as denied.
 */

struct store;
struct diff_result;

struct diff_opts {
	int64_t since;		/* INT64_MIN: every edge */
	int64_t now;		/* unix µs */
	int64_t stale_after;	/* µs */
	const char *policies;	/* the --policies path, for proposals */
	int propose;		/* run the emitter and compare */
	int staged;		/* evaluate staged policies as if enforced
				   (a staged rollout is watched before it
				   is enforced); else they only count */
	int strict;		/* the set was emitted with --strict: edges
				   denied only at a workload whose selector
				   also selects others are left out, not
				   denied; proposals run emit --strict */
	/*
	 * When set, diff_run calls it to read ps after the proposals are
	 * built and released, so emit's peak and the policy set's never
	 * add up. 0 or -1 (fp_error). NULL: ps is read already.
	 */
	int (*read_policies)(struct pe_policyset *ps, void *arg);
	void *read_arg;
};

/*
 * Compare. ps must have been read (reader.h), or o->read_policies reads
 * it; diff prepares it. The result
 * points into ps: free the result before releasing ps. *out is malloc'd;
 * free it with diff_result_free. 0 or -1 (fp_error).
 */
int diff_run(struct store *st, struct pe_policyset *ps,
    const struct diff_opts *o, struct diff_result **out);
void diff_result_free(struct diff_result *r);

/* Distinct edges that would be denied (the exit status depends on it). */
size_t diff_denied_edges(const struct diff_result *r);

/* Write the result as FP_FMT_TEXT, FP_FMT_JSON or FP_FMT_MARKDOWN. */
void diff_print(FILE *out, const struct diff_result *r, enum fp_format fmt);

#endif
