#ifndef FLOWPOL_POLICY_EVALUATE_H
#define FLOWPOL_POLICY_EVALUATE_H

#include <stddef.h>

#include "common/ipaddr.h"
#include "common/labels.h"
#include "policy/model.h"

/*
 * Calico's evaluation of a flow against a policy set, as Felix programs it
 * (doc/calico-semantics.md 6): per direction, tiers in order, policies
 * in order (ties by the byte string "<name>/<namespace>/<kind>"), first
 * matching rule decides (Log goes on), Pass skips to the next tier, end of
 * tier drops only when a non-staged policy applied in that direction and
 * the tier's defaultAction is not Pass, staged policies never enforce, and
 * when no tier decides the namespace profile allows. A flow passes only if
 * the source pod's egress and the destination pod's ingress both allow;
 * a node or external peer has no Calico endpoint here, so only the pod
 * side is evaluated. Calico's source files are cited by the short names of
 * doc/calico-semantics.md (SORTER.go, POL.go, ...), which gives their paths.
 *
 * Usage: read a set (reader.h), call pe_policyset_prepare once (compiles
 * every selector), build endpoints with pe_endpoint_* once each, then call
 * pe_evaluate for as many flows as needed. Nothing in pe_evaluate
 * allocates; a prepared set may be shared by threads.
 */

/*
 * Policies without spec.types: Calico's API defaulting (calicoctl, API
 * server, DEFAULTS.go: Egress if only egress rules, both if both, else
 * Ingress) is what a cluster stores, so it is the default here. Felix's own
 * fallback (both directions) applies only to data that skipped the API.
 */
enum pe_types_mode { PE_TYPES_API = 0, PE_TYPES_FELIX = 1 };

/* Compile selectors and order tiers and policies. Idempotent. 0 or -1. */
int pe_policyset_prepare(struct pe_policyset *ps, enum pe_types_mode mode);
/* Drop what prepare compiled, so that it runs again (another mode). */
void pe_policyset_release_compiled(struct pe_policyset *ps);

/* A tier in evaluation order (after pe_policyset_prepare). */
struct pe_ctier {
	const char *name;
	int valid;		/* a Tier resource or built-in exists */
	int has_order;
	double order;
	int default_pass;
	size_t *pols;		/* indexes into ps->policies, in order */
	size_t n_pols;
};

enum pe_ep_kind { PE_EP_POD, PE_EP_NODE, PE_EP_EXTERNAL };

struct pe_named_port {
	char *name;
	int proto;
	int port;
};

/*
 * A Service the endpoint backs: Calico's `services` match selects the
 * Service's endpoints (addresses, and ports for a destination), so an
 * endpoint that knows its Services can be matched exactly.
 */
struct pe_svc_member {
	char *namespace, *name;
	int proto, port;	/* the endpoint's port for the Service; port -1:
				   whichever (the Service's own ports) */
};

/*
 * An endpoint: a pod (a Calico workload endpoint), or a node or external
 * address (no Calico endpoint in our model; matched only by nets and
 * network sets). Owns its strings and labels; pe_endpoint_release frees.
 */
struct pe_endpoint {
	enum pe_ep_kind kind;
	char *namespace;		/* pods */
	char *name;			/* for messages: pod or workload name */
	char *service_account;		/* pods; NULL means "default" */
	struct labels labels;		/* the pod's own labels */
	struct labels ns_labels;	/* labels of its namespace */
	struct labels sa_labels;	/* labels of its service account */
	int has_ip;
	struct fp_ip ip;
	int named_ports_known;		/* else rules naming ports are unsure */
	struct pe_named_port *named_ports;
	size_t n_named_ports;
	/*
	 * The node a pod runs on, or the node a node address belongs to
	 * (NULL: unknown). Felix never polices traffic from a host to its own
	 * workloads (doc: calico-semantics; felix/rules/static.go, "We don't
	 * currently police host -> endpoint according to the endpoint's
	 * ingress policy", felix/bpf-gpl/tc.c "Host to workload traffic always
	 * allowed"), so node -> pod ingress on the same node is allowed.
	 * Exception not modelled: with kube-proxy in IPVS mode Felix polices
	 * host-to-workload traffic of IPVS connections.
	 */
	char *node;
	int services_known;		/* else services matches are unsure */
	struct pe_svc_member *services;
	size_t n_services;

	/* pe_endpoint_prepare: the labels selectors see
	 * (doc/calico-semantics.md 7). */
	struct labels sel_labels;
	int prepared;

	/* pe_endpoint_bind: the ranks (ps->c_rank) of the policies that
	 * apply, ascending. */
	const struct pe_policyset *bound;
	unsigned long bound_generation;
	size_t *bound_ranks;
	size_t n_bound, a_bound;
};

void pe_endpoint_init(struct pe_endpoint *ep);
void pe_endpoint_release(struct pe_endpoint *ep);
/* Add a named port (copied). 0 or -1. */
int pe_endpoint_add_named_port(struct pe_endpoint *ep, const char *name,
    int proto, int port);
/* Record that ep backs Service ns/name on proto/port (copied); sets
 * services_known. 0 or -1. */
int pe_endpoint_add_service(struct pe_endpoint *ep, const char *ns,
    const char *name, int proto, int port);
/*
 * Compute sel_labels: own labels (minus pcns./pcsa. ones), plus
 * projectcalico.org/namespace, projectcalico.org/orchestrator=k8s and
 * projectcalico.org/serviceaccount, plus pcns.<namespace label> with
 * pcns.projectcalico.org/name (and pcns.kubernetes.io/metadata.name when
 * the namespace labels lack it, as every namespace since Kubernetes 1.21
 * carries it), plus pcsa.<SA label> and pcsa.projectcalico.org/name.
 * Call again after changing the endpoint. 0 or -1.
 */
int pe_endpoint_prepare(struct pe_endpoint *ep);

/*
 * Optional speed-up for many flows per endpoint: record once which of the
 * prepared set's policies apply to ep (their selectors and types), so
 * pe_evaluate skips those selector matches and visits only the policies
 * that apply. The candidates come from the set's index of policies by a
 * label equality their selector requires, so binding costs about the
 * number of candidate policies, not the size of the set. Stale bindings
 * (another set, or the set prepared again) are ignored. Call after
 * pe_endpoint_prepare.
 * 0 or -1 (out of memory).
 */
int pe_endpoint_bind(struct pe_endpoint *ep, const struct pe_policyset *ps);
/*
 * For a bound endpoint: the PE_TYPE_* bits with which policy pidx applies
 * to it, 0 when it does not apply. Logarithmic in the policies bound.
 */
int pe_endpoint_applies(const struct pe_endpoint *ep, size_t pidx);
/* Whether p can apply to a pod (not doNotTrack or preDNAT: host only). */
int pe_policy_for_workloads(const struct pe_policy *p);

struct pe_flow {
	const struct pe_endpoint *src, *dst;	/* prepared */
	int proto;		/* IP protocol number */
	int sport;		/* 0 when unknown */
	int dport;		/* 0 for protocols without ports */
	int icmp_type;		/* -1 unless ICMP/ICMPv6 */
	int icmp_code;		/* -1 when unknown */
	int family;		/* 4 or 6; 0 = from the IPs, else 4 */
};

enum pe_why {
	PE_WHY_RULE,		/* an Allow or Deny rule decided */
	PE_WHY_END_OF_TIER,	/* no rule matched; tier drops */
	PE_WHY_PROFILE,		/* no tier decided: namespace profile allows */
	PE_WHY_NO_ENDPOINT,	/* not a pod: nothing to evaluate */
	PE_WHY_HOST_LOCAL	/* ingress from the pod's own node: never policed */
};

struct pe_decision {
	int allowed;
	enum pe_why why;
	const struct pe_ctier *tier;	/* RULE, END_OF_TIER */
	const struct pe_policy *policy;	/* RULE */
	size_t rule;			/* RULE: 0-based index */
	enum pe_action action;		/* RULE: Allow or Deny */
	/* The last Pass that sent evaluation on, if any. */
	const struct pe_ctier *pass_tier;
	const struct pe_policy *pass_policy;
	size_t pass_rule;
	size_t logs;			/* Log rules that matched on the way */
	size_t policies_applied;	/* enforced policies seen */
	/*
	 * Which read paths (pe_policy.origin, bit min(origin, 63)) decided:
	 * the rule's policy, or the policies that applied in the tier that
	 * dropped at its end.
	 */
	unsigned long origins;
	/*
	 * Something could not be decided exactly: a rule needed the source
	 * port, a named port of an endpoint whose ports are unknown, a
	 * services match, or an HTTP match (L4 only here).
	 */
	int uncertain;
};

struct pe_verdict {
	int allowed;			/* egress && ingress */
	struct pe_decision egress;	/* at the source */
	struct pe_decision ingress;	/* at the destination */
};

/*
 * The staged view ("what if"): staged policies with stagedAction Set (the
 * default) are evaluated as if enforced, in place of an enforced policy of
 * the same kind scope, name and namespace; stagedAction Delete removes
 * that policy; Learn and Ignore change nothing.
 */
#define PE_EVAL_STAGED 0x1

/* Evaluate one flow. The set must be prepared. 0, or -1 (fp_error). */
int pe_evaluate(const struct pe_policyset *ps, const struct pe_flow *f,
    int flags, struct pe_verdict *out);

/* One direction only (what diff needs for one side). */
void pe_evaluate_dir(const struct pe_policyset *ps, const struct pe_flow *f,
    int ingress, int flags, struct pe_decision *out);

/* Short one-line rendering of a rule for explain: malloc'd, caller frees. */
char *pe_rule_format(const struct pe_rule *r);

/*
 * For tests: the fewest rules a policy direction needs to get a rule index
 * (default 8; read by pe_policyset_prepare), and whether evaluation scans
 * every rule instead of using it, to check the two agree.
 */
extern size_t pe_ruleidx_min;
extern int pe_ruleidx_scan;

#endif
