#ifndef FLOWPOL_STORE_MODEL_H
#define FLOWPOL_STORE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "common/ipaddr.h"

/*
 * The read model of the learned cluster: the one module that knows how the
 * learner's tables (workloads, workload_notes, edges, coverage, unresolved)
 * and the inventory's (pods, pod_labels, endpoints, namespaces) are laid
 * out, for every part that reads them: emit, diff, report, graph, explain,
 * status and the listings. Writers (collector, inventory import, learn)
 * keep their own statements; nothing else writes SQL.
 *
 * Made to stream: edges come one at a time from an iterator, a pod or a
 * workload's pods are looked up through the store's indexes when asked
 * for, and only the workloads (one row per controller, not per pod) are
 * held in memory, sorted, for bsearch lookups. Nothing here scans a table
 * once per row of another.
 *
 * Ownership: struct model borrows its store (the store must outlive it).
 * Pointers returned into the model (workloads, parsed peers of the current
 * edge) stay valid as the comments say; everything a function hands out
 * with "malloc'd" is the caller's to free with the matching *_free.
 * Functions return 0 (or 1 found / 0 not found) and -1 with fp_error set.
 */

struct store;
struct model;

int model_open(struct model **out, struct store *st);
/* Finalizes every statement; NULL does nothing. */
void model_free(struct model *m);
struct store *model_store(const struct model *m);

/* --- peers --------------------------------------------------------------- */

/*
 * A side of an edge as the learner writes it: "namespace/name" (a
 * workload), "node:IP", "external:IP", "unknown:IP" (an in-cluster
 * address without an owner) or "service:namespace/name" (a Service's
 * endpoints as Calico's services match names them: the API server). The
 * one parser of that text.
 */
enum model_peer_kind {
	MODEL_PEER_WORKLOAD,
	MODEL_PEER_NODE,
	MODEL_PEER_EXTERNAL,
	MODEL_PEER_UNKNOWN,
	MODEL_PEER_SERVICE
};

struct model_peer {
	enum model_peer_kind kind;
	const char *text;	/* as stored; borrowed from the caller */
	size_t off;		/* where "namespace/name" starts in text */
	size_t nslen;		/* WORKLOAD, SERVICE: text[off..off+nslen) is
				   the namespace, then '/' and the name */
	struct fp_ip ip;	/* NODE, EXTERNAL, UNKNOWN */
};

/*
 * Parse text (kept by pointer, not copied). 0, or -1 with fp_error
 * "peer 'TEXT' is not namespace/name, node:IP, external:IP or unknown:IP"
 * or "peer 'TEXT': not an IP address".
 */
int model_peer_parse(const char *text, struct model_peer *out /* OUT */);
/* Copy the namespace of a WORKLOAD or SERVICE peer into buf (truncated). */
const char *model_peer_ns(const struct model_peer *p, char *buf, size_t len);
/* The name of a WORKLOAD or SERVICE peer (points into p->text). */
const char *model_peer_name(const struct model_peer *p);
/* The family an address peer fixes: 4 or 6; 0 for a workload. */
int model_peer_family(const struct model_peer *p);

/* --- edges --------------------------------------------------------------- */

struct model_edge {
	struct model_peer src, dst;	/* text valid until the next call */
	int proto;			/* IP protocol number */
	int port;			/* destination port, ICMP type*256+code */
	int64_t connections;
	int64_t first_seen, last_seen;	/* unix µs */
	const char *nodes;		/* comma-separated, sorted */
	long row;			/* 1-based place in the listing */
};

struct model_edges;

/* Start a pass over the edges, sorted by src, dst, proto, port (bytes). */
int model_edges_open(struct model *m, struct model_edges **it /* OUT */);
/*
 * The next edge into *e: 1, 0 at the end, -1 on error. A peer that does
 * not parse is an error: "store 'PATH': edge N: peer ...".
 */
int model_edges_next(struct model_edges *it, struct model_edge *e /* OUT */);
void model_edges_close(struct model_edges *it);

/* --- workloads ----------------------------------------------------------- */

struct model_workload {
	char *ns, *name, *kind, *selector;
	char *text;		/* "namespace/name", as edges name it */
	int64_t pods;
	char *members;		/* workload_notes: "Kind/name,..." or "" */
	int exact;		/* 0: the selector also matches other pods */
	int host_network;	/* its pods are hostNetwork: no Calico endpoint */
	char *also_selects;	/* inexact: other workloads' names it selects */
};

/*
 * Every workload, sorted by namespace then name (bytes); loaded on the
 * first call and kept. *v points into the model (valid until model_free).
 */
int model_workloads(struct model *m, const struct model_workload **v,
    size_t *n);
/* The workload named by "namespace/name" text (bsearch), else NULL. */
const struct model_workload *model_workload_find(struct model *m,
    const char *text);

/* --- pods ---------------------------------------------------------------- */

/* One address a pod held, and when (unix µs). */
struct model_addr {
	struct fp_ip ip;
	int64_t valid_from;
	int64_t valid_to;	/* INT64_MAX: still held */
};

struct model_pod {
	char *uid, *ns, *name, *node, *service_account;
	char *labels;		/* latest, "key=value\n" lines sorted */
	char *workload;		/* "namespace/name", or NULL */
	int host_network;
	/* Every distinct label set the pod was seen with (the latest one
	 * included), sorted by bytes. */
	char **label_sets;
	size_t nlabel_sets;
	/* Every address of both families, newest first: still held ones
	 * first, then by valid_from descending. */
	struct model_addr *addrs;
	size_t naddrs;
};

/* Find a pod by uid / by namespace and name: 1 (*out malloc'd), 0, -1. */
int model_pod_get(struct model *m, const char *uid, struct model_pod **out);
int model_pod_find(struct model *m, const char *ns, const char *name,
    struct model_pod **out);
/*
 * The pods of a workload ("namespace/name"), hostNetwork ones included,
 * sorted by uid. *v is a malloc'd array of malloc'd pods (model_pods_free).
 */
int model_workload_pods(struct model *m, const char *workload,
    struct model_pod ***v, size_t *n);
void model_pod_free(struct model_pod *p);
void model_pods_free(struct model_pod **v, size_t n);
/* The pod's newest address of the family (4 or 6), else NULL. */
const struct fp_ip *model_pod_addr(const struct model_pod *p, int family);

/*
 * The workloads ("namespace/name", sorted, unique, malloc'd: free each and
 * the array) of the pods in ns whose latest labels hold key=value.
 */
int model_workloads_labelled(struct model *m, const char *ns,
    const char *key, const char *value, char ***v, size_t *n);

/* A namespace's labels ("key=value\n" lines): 1 (*out malloc'd), 0, -1. */
int model_namespace_labels(struct model *m, const char *ns, char **out);

/* --- addresses ----------------------------------------------------------- */

#define MODEL_AT_LATEST INT64_MAX

enum model_owner_kind { MODEL_OWNER_POD, MODEL_OWNER_NODE };

/*
 * Who owned ip at time at (unix µs), or with MODEL_AT_LATEST the owner
 * that holds it now, else the one that held it last. 1 found (*owner is
 * malloc'd: a pod uid or a node name), 0 no owner, -1 error.
 */
int model_ip_owner(struct model *m, const struct fp_ip *ip, int64_t at,
    enum model_owner_kind *kind, char **owner);

/*
 * The addresses of the cluster's nodes, for the node network set: every
 * address a node still holds (InternalIP, ExternalIP, Calico's tunnel
 * addresses), or of node (a name) only when node is not NULL. Sorted,
 * distinct; *v malloc'd.
 */
int model_node_addresses(struct model *m, const char *node, struct fp_ip **v,
    size_t *n);

/*
 * The Services of type LoadBalancer that workload ("namespace/name") backs
 * on proto/port (its target port), with their loadBalancerSourceRanges.
 */
struct model_lb {
	char *ns, *name;
	char *source_ranges;	/* comma-separated CIDRs, "" for none */
	char *traffic_policy;	/* Cluster or Local */
};
int model_lbs_of(struct model *m, const char *workload, int proto, int port,
    struct model_lb **v, size_t *n);
void model_lbs_free(struct model_lb *v, size_t n);

/* The learner's cluster ranges (meta learn.cluster_cidrs): malloc'd text,
 * comma-separated CIDRs, "" when unknown. */
int model_cluster_cidrs(struct model *m, char **out);
/* Extra DNS addresses learn found (meta learn.dns_addresses), as above. */
int model_dns_addresses(struct model *m, char **out);

/*
 * The node that holds ip now (its name, malloc'd into *node): 1, 0 when ip
 * is no node's, -1 on error.
 */
int model_ip_node(struct model *m, const struct fp_ip *ip, char **node);

/* --- coverage and health ------------------------------------------------- */

struct model_coverage {
	char *ns;		/* "" for flows that touch no namespace */
	int64_t flows, resolved, ambiguous, unknown;
	int has_last_new_edge;
	int64_t last_new_edge;	/* unix µs */
};

/* Every coverage row, sorted by namespace (bytes). *v malloc'd. */
int model_coverage(struct model *m, struct model_coverage **v, size_t *n);
void model_coverage_free(struct model_coverage *v, size_t n);

struct model_unresolved {
	struct fp_ip ip;
	int ip_ok;		/* 0: the stored value is not an address */
	char *reason;		/* "ambiguous" or "unknown" */
	int64_t flows, first_seen, last_seen;
};

/*
 * The first `limit` unresolved addresses by reason, flows descending, then
 * address; *total counts them all. *v malloc'd.
 */
int model_unresolved(struct model *m, size_t limit,
    struct model_unresolved **v, size_t *n, size_t *total);
void model_unresolved_free(struct model_unresolved *v, size_t n);

/* Collector health per node, over windows that overlap (since, until]. */
struct model_health {
	char *node;
	int64_t windows;
	int64_t from, to;	/* unix seconds: first window start, last end */
	int64_t received, decoded, malformed, lost, fragments, unsupported;
};

int model_health(struct model *m, int64_t since, int64_t until,
    struct model_health **v, size_t *n);
void model_health_free(struct model_health *v, size_t n);

#endif
