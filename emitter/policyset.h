#ifndef FLOWPOL_EMIT_POLICYSET_H
#define FLOWPOL_EMIT_POLICYSET_H

#include <stddef.h>

/*
 * The policy set in memory, between layers.c (which builds it from the
 * model) and yaml_out.c (which renders it). Every string is owned by the
 * structure that holds it; pset_policy_release frees a policy's contents.
 */

enum { PSET_INGRESS = 1, PSET_EGRESS = 2 };

struct pset_ports {
	int lo, hi;		/* inclusive; lo == hi for a single port */
};

struct pset_entity {
	char *ns_selector;	/* namespaceSelector, NULL: unset */
	char *selector;		/* selector, NULL: unset */
	char **nets;		/* CIDRs: /32 or /128, or a load balancer's
				   source ranges */
	size_t nnets;
	char **not_nets;	/* notNets (the cluster's own ranges) */
	size_t nnot_nets;
	char *svc_ns, *svc_name;	/* services: {name, namespace}, or NULL */
	struct pset_ports *ports;	/* destination ports */
	size_t nports;
};

struct pset_rule {
	int proto;		/* IP protocol number, 0: any */
	int ip_version;		/* 4 or 6, 0: unset */
	int icmp_type;		/* -1: unset */
	int icmp_code;		/* -1: unset */
	struct pset_entity src, dst;
	char *evidence;		/* flowpol/learned-from annotation, or NULL */
	char *summary;		/* one line for the header's allow digest */
};

struct pset_policy {
	char *name;
	int staged;		/* StagedGlobalNetworkPolicy */
	long order_centi;	/* order * 100 */
	char *selector;
	int types;		/* PSET_INGRESS | PSET_EGRESS */
	struct pset_rule *ingress;
	size_t ningress;
	struct pset_rule *egress;
	size_t negress;
	char *about;		/* header: what this policy is for (one line) */
};

void pset_rule_release(struct pset_rule *r);
void pset_policy_release(struct pset_policy *p);

/*
 * Render one policy: header comment (generator, what it is for, the allow
 * digest) then the YAML document. *text is malloc'd (caller frees).
 * 0 or -1 (fp_error).
 */
int pset_render(const struct pset_policy *p, char **text, size_t *len);

/*
 * A GlobalNetworkSet: name, one label (key: value), nets (CIDRs), and a
 * header saying what it is for. *text malloc'd. 0 or -1 (fp_error).
 */
int pset_render_netset(const char *name, const char *label_key,
    const char *label_value, char *const *nets, size_t nnets,
    const char *about, char **text, size_t *len);

#endif
