#ifndef FLOWPOL_GRAPH_H
#define FLOWPOL_GRAPH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/ipaddr.h"
#include "store/store.h"

/*
 * learn: the whole model in one transaction (re-running replaces it).
 *
 *  1. Pods alive in [since, until] (a finished pod until it finished) are
 *     grouped into workloads with selectors (cluster.h); pods.workload,
 *     controller_kind and controller_name are rewritten. A workload of
 *     hostNetwork pods is marked (workload_notes.host_network): Calico gives
 *     it no endpoint; it is the peer of flows to its node on the ports its
 *     pods declare.
 *  2. Every flow row whose span overlaps the period is resolved on both
 *     sides (resolve.h). Cluster ranges: the --cluster-cidr options when
 *     given; otherwise node podCIDRs, node addresses, and the /16 (IPv4) or
 *     /48 (IPv6) around every pod IP and Service clusterIP of the
 *     inventory, a deliberately wide guess so that an unowned pod address
 *     is reported `unknown`, never allowed as `external`; with nothing to
 *     infer from, the private ranges (10/8, 172.16/12, 192.168/16,
 *     100.64/10, fc00::/7), with a note.
 *  3. Edges: (src peer, dst peer, proto, port) with connections = the sum
 *     of the rows' packets (the collector logs one event per new
 *     connection), first/last seen and the sorted nodes that saw them.
 *     Flows with an ambiguous side make no edge. Besides the owner of the
 *     destination address (resolve.h):
 *     - a Service ClusterIP (captures see it before DNAT) is each workload
 *       with a ready EndpointSlice address (else a selected pod) alive in
 *       the flow's span, at its target port (named ports through the
 *       pods' container ports); a connection also logged at the pod
 *       address (kube-proxy IPVS) counts once;
 *     - default/kubernetes, at its ClusterIP or its EndpointSlice
 *       addresses and ports, is the peer "service:default/kubernetes";
 *     - with a node-local-dns DaemonSet, port 53 at 169.254.20.10 or the
 *       kube-dns ClusterIP is the node-local-dns workload (not DNATed);
 *     - a node address on a port a hostNetwork pod of that node declares
 *       is that pod's workload.
 *     Traffic from a pod's own node to it (kubelet probes) makes no edge:
 *     Calico never polices host-to-local-workload traffic; it is counted in
 *     host_local. IPv6 link-local traffic and ICMPv6 ND/MLD are skipped.
 *  4. Coverage per namespace (a flow counts in each namespace it touches,
 *     '' when it touches none): flows, resolved, ambiguous, unknown (an
 *     in-cluster address without owner on either side), and when the
 *     newest edge of the namespace first appeared. Unresolved addresses
 *     are kept in `unresolved`.
 */

struct learn_opts {
	int64_t since, until;			/* INT64_MIN / INT64_MAX: open */
	const char *const *volatile_keys;	/* extra volatile label keys */
	size_t nvolatile;
	const struct fp_ip *cidrs;		/* --cluster-cidr */
	const int *prefixes;
	size_t ncidrs;
	FILE *notes;				/* merge notices (stderr) */
	int allow_empty;	/* learn even when no flow is in the period */
};

struct learn_stats {
	size_t pods, workloads, merged, flows, resolved, ambiguous, unknown,
	    edges;
	size_t host_local;	/* flows from a pod's own node: no rule */
	size_t link_local;	/* IPv6 link-local, ND/MLD: never policed */
	char dns[400];		/* what the cluster's DNS was found to be */
};

/*
 * 0 or -1. With no flow in [since, until] and !allow_empty, nothing is
 * written (the previous model stays) and the message names the period and
 * the first and last flow times the database holds: an empty period would
 * otherwise learn a model that allows nothing, and emit would isolate every
 * workload.
 */
int learn_run(struct store *st, const struct learn_opts *o,
    struct learn_stats *out);


#endif
