#ifndef FLOWPOL_RESOLVE_H
#define FLOWPOL_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "common/ipaddr.h"

/*
 * Time-aware IP -> owner resolution.
 *
 * Each owner interval [from, to) comes from the endpoints table (see
 * inventory.h for how it is derived from snapshots). A flow row is tested
 * on [first_seen, last_seen], the span in which all its packets were seen
 * (inside its collector window [start, start + len), which is used only
 * when the row's times are unusable): it is tighter than the window and
 * just as sound.
 *
 * For one address of a flow:
 *   - no owner interval overlaps the span: the address is `unknown` when it
 *     lies in a cluster range (pod CIDRs, service ranges, node addresses)
 *     and `external` otherwise;
 *   - the overlapping owners all map to one peer (one workload, or the
 *     node) and together cover the whole span: that peer;
 *   - anything else (two different owners overlap the span, or the one
 *     owner covers only part of it, e.g. a flow that began before a pod was
 *     created): `ambiguous`, set aside and counted, never guessed.
 * Flows before the first snapshot resolve only to pods whose
 * creationTimestamp precedes them; flows after a pod is gone resolve to
 * nothing (unknown) or to the IP's next owner once it exists.
 */

enum rs_class { RS_WORKLOAD, RS_NODE, RS_EXTERNAL, RS_UNKNOWN, RS_AMBIGUOUS };

#define RS_NODE_PEER (-1L)	/* peer id of a node owner */
#define RS_MAXCAND 4

struct rs_result {
	enum rs_class cls;
	long peer;			/* RS_WORKLOAD: workload index */
	long node;			/* RS_WORKLOAD, RS_NODE: the node the
					   owners ran on (or are), -1 unknown */
	long cand[RS_MAXCAND];		/* RS_AMBIGUOUS: workload candidates */
	size_t ncand;
};

struct resolver;

/* The caller frees with resolver_free. 0 or -1 (fp_error). */
int resolver_new(struct resolver **out);
void resolver_free(struct resolver *r);
/* An owner: peer is a workload index or RS_NODE_PEER; to INT64_MAX if open. */
int resolver_add(struct resolver *r, const struct fp_ip *ip, int64_t from,
    int64_t to, long peer);
/*
 * The same with the owner's node (a caller's id, >= 0; -1 unknown): a
 * lookup says which node the owners covering the span ran on when they all
 * agree, so that traffic from a pod's own node can be told apart.
 */
int resolver_add_on(struct resolver *r, const struct fp_ip *ip, int64_t from,
    int64_t to, long peer, long node);
/* A cluster range (duplicates are ignored). */
int resolver_add_net(struct resolver *r, const struct fp_ip *net, int prefix);
size_t resolver_nets(const struct resolver *r, const struct fp_ip **nets,
    const int **prefixes);
/* Sort what was added; call once before lookups. */
void resolver_ready(struct resolver *r);
void resolver_lookup(const struct resolver *r, const struct fp_ip *ip,
    int64_t first, int64_t last, struct rs_result *out);

#endif
