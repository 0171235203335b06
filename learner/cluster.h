#ifndef FLOWPOL_CLUSTER_H
#define FLOWPOL_CLUSTER_H

#include <stddef.h>
#include <stdio.h>

#include "common/labels.h"

/*
 * Workloads and their selectors.
 *
 * Controller of a pod (its workload is namespace + controller):
 *   ReplicaSet R   -> the ReplicaSet's own owner when the inventory had the
 *                     ReplicaSet object; else Deployment R minus "-HASH"
 *                     when the pod's pod-template-hash is HASH; else R.
 *   Job J          -> the Job's owner (CronJob) when known; else CronJob
 *                     NAME when J is NAME-<8 or more digits> (the scheduled
 *                     minute a CronJob appends); else Job J.
 *   StatefulSet, DaemonSet, any other owner kind -> that owner.
 *   no owner       -> the bare Pod itself.
 * Two controllers of different kinds with one name in a namespace: the
 * later kind in alphabetical order gets "-<kind>" appended.
 *
 * Selector: the smallest set of stable labels that every label set of every
 * pod of the workload has and no label set of any other pod of its
 * namespace has (all snapshots of the period). Stable labels are the pod's
 * labels minus the volatile keys (cluster_default_volatile plus the
 * user's), minus pcns./pcsa./projectcalico.org/ keys (Calico drops or sets
 * those), plus projectcalico.org/serviceaccount=<sa> which Calico adds to
 * every endpoint (doc/calico-semantics.md 7), as a last resort. Among sets
 * of one size, the first in preference order wins: cluster_preferred keys
 * in that order, then other keys alphabetically, then the service account.
 * Text: `k == 'v'` joined with " && " in that order; `all()` when empty.
 *
 * Merging: when all common stable labels of workload A appear on a pod of
 * workload B and B's on a pod of A, no selector tells them apart: they are
 * merged into one workload named "A+B" (kind "K1+K2" when the kinds
 * differ; "A+N-more" when the joined names would pass 120 characters),
 * repeatedly, and a note says so. When only A's labels appear on
 * B (B has a label A lacks), B keeps its exact selector and A gets all its
 * common labels with exact = 0 (it also matches B's pods), with a note:
 * merging would widen B's policy too. Pods that were only ever seen
 * Succeeded/Failed have no endpoint for a selector to match and are left
 * out (learner/graph.c).
 */

extern const char *const cluster_default_volatile[];
extern const char *const cluster_preferred[];

struct cl_ctrl {
	const char *ns, *kind, *name, *owner_kind, *owner_name;
};

struct cl_pod {
	/* IN: borrowed; must outlive cluster_build's output */
	const char *uid, *ns, *name, *owner_kind, *owner_name, *sa;
	const struct labels *states;	/* each distinct label set seen */
	size_t nstates;
	/* OUT */
	const char *ctrl_kind;		/* points into static text or the input */
	char ctrl_name[256];
	size_t wl;			/* index into the workloads */
};

struct cl_workload {
	char *ns, *name, *kind, *selector, *members;	/* owned */
	size_t pods;
	int exact;		/* 0: the selector also matches other pods */
};

struct cl_opts {
	const char *const *volatile_keys;	/* extra volatile keys */
	size_t nvolatile;
	FILE *notes;				/* merge notices; may be NULL */
};

/*
 * Group pods into workloads, merge inseparable ones, find selectors.
 * ctrls (any order) are ReplicaSet/Job owners from the inventory.
 * *out is malloc'd, sorted by (namespace, name); free with cluster_free.
 * *nmerged counts workloads that absorbed others. 0 or -1 (fp_error).
 */
int cluster_build(struct cl_pod *pods, size_t npods, const struct cl_ctrl *ctrls,
    size_t nctrls, const struct cl_opts *o, struct cl_workload **out,
    size_t *nout, size_t *nmerged);
void cluster_free(struct cl_workload *w, size_t n);

#endif
