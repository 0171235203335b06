#ifndef FLOWPOL_TESTS_EMITTER_GEN_H
#define FLOWPOL_TESTS_EMITTER_GEN_H

#include "store/store.h"

/*
 * Generated clusters for the emitter's tests: random namespaces, workloads,
 * pod labels and traffic from a fixed seed, written into a store as the
 * learner would (namespaces, pods, workloads, edges). The same seed gives
 * the same cluster on every platform (own PRNG, no libc rand).
 *
 * A pod rollout of the same cluster (new pod names, uids, hashes, nodes,
 * counts and times) is written when rollout is non-zero.
 */
struct gen_info {
	int nworkloads;
	int nedges;
};

int gen_cluster(struct store *st, unsigned seed, struct gen_info *info);
int gen_cluster_rollout(struct store *st, unsigned seed, int rollout,
    struct gen_info *info);

#endif
