#ifndef FLOWPOL_POLICY_MODEL_H
#define FLOWPOL_POLICY_MODEL_H

#include <stddef.h>

#include "common/ipaddr.h"
#include "common/labels.h"

/*
 * The Calico resources the policy engine reads (doc/calico-semantics.md),
 * as the reader (reader.h) fills them. Everything here is owned by the
 * struct pe_policyset that holds it; other modules read it, never free it.
 * Strings that the YAML leaves unset are NULL; "set but empty" is "".
 */

struct sel;
struct pe_selidx;
struct pe_intern;

enum pe_kind {
	PE_GNP,		/* GlobalNetworkPolicy */
	PE_SGNP,	/* StagedGlobalNetworkPolicy */
	PE_NP,		/* NetworkPolicy (namespaced) */
	PE_SNP,		/* StagedNetworkPolicy (namespaced) */
	PE_KNP,		/* networking.k8s.io/v1 NetworkPolicy, converted (k8snp.h) */
	PE_KCNP		/* Admin, BaselineAdmin, ClusterNetworkPolicy (k8snp.h) */
};

enum pe_action { PE_ACT_ALLOW, PE_ACT_DENY, PE_ACT_LOG, PE_ACT_PASS };

#define PE_TYPE_INGRESS 1
#define PE_TYPE_EGRESS 2

struct pe_net {
	struct fp_ip ip;
	int prefix;
};

/* One ports/notPorts entry: a range lo..hi, or a named port (name set). */
struct pe_port {
	int lo, hi;
	char *name;
};

/*
 * The parts of a rule's entity that few rules use (pe_entity.more): read
 * them through PE_MORE, which stands in an empty one when there is none.
 */
struct pe_entity_more {
	struct pe_net *not_nets;
	size_t n_not_nets;
	struct pe_port *not_ports;
	size_t n_not_ports;
	char *not_selector;
	int has_sa;			/* serviceAccounts present */
	int has_services;		/* services present */
	char **sa_names;
	size_t n_sa_names;
	char *sa_selector;
	char *svc_name, *svc_namespace;

	/* Filled by pe_policyset_prepare (evaluate.c); see c_shared. */
	struct sel *c_not_sel;		/* notSelector, unscoped, or NULL */
};

extern const struct pe_entity_more pe_entity_none;
#define PE_MORE(e) ((e)->more != NULL ? \
	(const struct pe_entity_more *)(e)->more : &pe_entity_none)

struct pe_entity {
	struct pe_net *nets;
	size_t n_nets;
	struct pe_port *ports;
	size_t n_ports;
	char *selector, *ns_selector;
	struct pe_entity_more *more;	/* NULL when all of it is unset */
	/*
	 * The reader's entities: selector, notSelector, namespaceSelector,
	 * the ports and notPorts arrays and their names are shared copies
	 * owned by the set (r_intern), not the entity's own.
	 */
	int shared;
	/* c_sel and more->c_not_sel are owned by the set's c_sels. */
	int c_shared;

	/* Filled by pe_policyset_prepare (evaluate.c). */
	struct sel *c_sel;		/* combined positive selector or NULL */
};

struct pe_rule {
	/* Narrow types: a set holds millions of rules. */
	int line;			/* of the rule in its file */
	enum pe_action action;
	short protocol, not_protocol;	/* 1..255, or -1 when unset */
	short icmp_type, icmp_code;	/* -1 when unset (0..255 else) */
	short not_icmp_type, not_icmp_code;
	signed char ip_version;		/* 0 (both), 4 or 6 */
	signed char has_http;		/* L7 match: not modelled (L4 only) */
	struct pe_entity src, dst;
};

struct pe_ruleidx {
	const char *key, *value;	/* into the rule's compiled selector */
	int side;			/* 0: the source's, 1: the destination's */
	size_t rule;
};

struct pe_policy {
	enum pe_kind kind;
	char *name;
	char *namespace;		/* namespaced kinds only, else NULL */
	char *file;
	int line;			/* of the document's kind: line */
	char *tier;			/* never NULL: "default" when unset */
	int has_order;
	double order;
	char *selector, *ns_selector, *sa_selector;
	int types;			/* PE_TYPE_* bits; 0 when unset */
	int do_not_track, pre_dnat, apply_on_forward;
	char *staged_action;		/* staged kinds: Set (default), ... */
	size_t origin;			/* which path it was read from (0-based) */
	/* the Kubernetes kind it was converted from (static), or NULL */
	const char *source_kind;
	struct pe_rule *ingress, *egress;
	size_t n_ingress, n_egress;

	/* Filled by pe_policyset_prepare (evaluate.c). */
	struct sel *c_sel;		/* which endpoints it applies to */
	/*
	 * Per direction ([0] ingress, [1] egress), when it has many rules:
	 * each rule keyed by one label equality a selector of its requires
	 * (evaluate.c build_ruleidx), sorted; the rules no key stands for,
	 * ascending. An edge then tries only the rules its endpoints' labels
	 * can match, in order, not every rule of the policy.
	 */
	struct pe_ruleidx *c_ridx[2];
	size_t n_ridx[2];
	size_t *c_runidx[2];
	size_t n_runidx[2];
	int c_types;			/* effective PE_TYPE_* bits */
	int c_staged_replaced;		/* a staged Set/Delete of this name */
};

struct pe_tier {
	char *name;
	char *file;			/* NULL for a built-in tier */
	int line;
	int has_order;
	double order;
	int default_pass;		/* defaultAction Pass (else Deny) */
};

/* GlobalNetworkSet (namespace NULL) or NetworkSet. */
struct pe_netset {
	char *name;
	char *namespace;
	char *file;
	int line;
	struct labels labels;		/* as written in metadata.labels */
	struct pe_net *nets;
	size_t n_nets;
};

struct pe_netent {
	struct fp_ip net;		/* masked to prefix */
	int prefix;
	size_t set;			/* index into netsets */
};

struct pe_policyset {
	struct pe_policy *policies;
	size_t n_policies, a_policies;
	struct pe_tier *tiers;
	size_t n_tiers, a_tiers;
	struct pe_netset *netsets;
	size_t n_netsets, a_netsets;
	size_t n_files;			/* files read */
	int calico_version;		/* calver.h; 0: PE_CALVER_DEFAULT */
	size_t origin;			/* stamped on what is read next */
	char **origin_paths;		/* per origin: the path read for it */
	size_t n_origin_paths;
	/* Things Calico's API would refuse but a cluster can hold. */
	char **warnings;
	size_t n_warnings;

	/* Filled by pe_policyset_prepare (evaluate.c). */
	int prepared;
	unsigned long generation;	/* bumped by every prepare */
	struct pe_ctier *c_tiers;	/* tiers in evaluation order */
	size_t n_ctiers;
	struct labels *c_netset_labels;	/* per netset, as selectors see them */
	/*
	 * Every network set's nets, masked and sorted by family, prefix
	 * length and address, with the distinct (family, prefix length)
	 * pairs present: the sets holding an address are found by one
	 * binary search per pair, not by a scan of every net.
	 */
	struct pe_netent *c_nets;
	size_t n_cnets;
	unsigned short c_netpfx[4 * 8 + 16 * 8 + 2];	/* len << 8 | prefix */
	size_t n_netpfx;
	/*
	 * The policies that can apply to pods, indexed by one label equality
	 * their selector requires (the rarest one), or listed apart when it
	 * requires none; each policy's rank in evaluation order, the policy
	 * at each rank, and its tier (an index into c_tiers).
	 */
	struct pe_selidx *c_selidx;
	size_t n_selidx;
	size_t *c_unindexed;
	size_t n_unindexed;
	size_t *c_rank, *c_order, *c_tier_of;

	/*
	 * Compiled rule selectors by their text, each compiled once and
	 * shared by every entity with that text (evaluate.c).
	 */
	struct pe_intern *c_sels;

	/* The reader's shared strings and ports lists (pe_entity.shared). */
	struct pe_intern *r_intern;

	/* The reader's hash of policies by kind, namespace and name. */
	size_t *r_uniq;			/* policy index + 1, or 0 */
	size_t a_uniq;			/* a power of two, or 0 */
};

#define PE_POLICYSET_INIT { 0 }

/* Frees everything the set holds; it is then empty. */
void pe_policyset_release(struct pe_policyset *ps);

/* "GlobalNetworkPolicy", "NetworkPolicy", "KubernetesNetworkPolicy" ... */
const char *pe_kind_name(enum pe_kind k);
int pe_kind_is_staged(enum pe_kind k);
int pe_kind_is_namespaced(enum pe_kind k);
/*
 * Record a warning (copied; "FILE:LINE: FIELD: reason"). 0 or -1 (out of
 * memory, fp_error).
 */
int pe_policyset_warn(struct pe_policyset *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Whether the set holds any staged policy. */
int pe_policyset_has_staged(const struct pe_policyset *ps);
/* "Allow", "Deny", "Log", "Pass" */
const char *pe_action_name(enum pe_action a);
/* Calico's name of a protocol ("TCP", "ICMPv6", "UDPLite"...), else NULL. */
const char *pe_protocol_name(int num);

#endif
