#ifndef FLOWPOL_REVIEW_PEERS_H
#define FLOWPOL_REVIEW_PEERS_H

#include <stddef.h>

#include "policy/evaluate.h"
#include "store/model.h"

/*
 * What a learned edge's peer stands for when policy judges it: the one way
 * diff and report model a workload, so that both give every edge the same
 * verdict.
 *
 * A workload is every distinct (namespace, service account, label set) its
 * pods (not hostNetwork) were seen with, the pod's latest labels and every
 * set pod_labels kept: one state each, with the addresses of the state's
 * pod with the lowest uid, IPv4 and IPv6 apart. A node, external or
 * unknown address is one state with that address.
 *
 * An edge is evaluated for every pair of states, in every address family
 * it can have been seen in: the family of an address peer or of ICMP and
 * ICMPv6; between two workloads, each family both states have an address
 * in (a dual-stack pod is all of its addresses). A direction is denied when
 * any of those combinations is.
 */

struct rv_state {
	struct pe_endpoint ep;	/* prepared, bound when a set was given; its
				   ip is chosen per family at evaluation */
	struct fp_ip addr[2];	/* [0] IPv4, [1] IPv6 */
	int has[2];
};

struct rv_peer {
	char *text;		/* as the edges table names it */
	struct model_peer mp;	/* parsed; mp.text is text */
	struct rv_state *states;
	size_t nstates;		/* 0: a workload without pods */
};

/*
 * Load the peer named text from the model; bind its endpoints to ps when
 * not NULL. p is filled (release with rv_peer_release, also on error).
 * 0 or -1 (fp_error).
 */
int rv_peer_load(struct model *m, const struct pe_policyset *ps,
    const char *text, struct rv_peer *p);
void rv_peer_release(struct rv_peer *p);

/* What one direction of an edge came to, over every combination. */
struct rv_dir {
	size_t denied;			/* combinations denied */
	struct pe_decision first;	/* of the first combination */
	struct pe_decision first_denied;/* of the first denied one */
};

struct rv_eval {
	size_t combos;
	struct rv_dir eg, in;
};

/* Called with every decision made (to see which rules were used). */
typedef void rv_decision_fn(const struct pe_decision *d, int ingress,
    void *arg);

/*
 * Evaluate the edge src -> dst proto/port (ICMP as type * 256 + code) in
 * every combination; flags as pe_evaluate's. each may be NULL.
 */
void rv_eval_edge(const struct pe_policyset *ps, const struct rv_peer *src,
    const struct rv_peer *dst, int proto, int port, int flags,
    rv_decision_fn *each, void *arg, struct rv_eval *out /* OUT */);

/* The decision to show for a direction: the first denial, else the first. */
const struct pe_decision *rv_dir_decision(const struct rv_dir *d);

/* Whether some state of p is an endpoint policy pidx of its bound set
 * applies to. */
int rv_peer_selected(const struct rv_peer *p, size_t pidx);

#endif
