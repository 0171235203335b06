#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/k8sname.h"
#include "policy/calver.h"
#include "policy/k8snp.h"
#include "policy/rd.h"
#include "common/banned.h"

/*
 * The cluster-scoped Kubernetes policies, converted into the
 * GlobalNetworkPolicy Felix enforces, as projectcalico/calico does:
 *   AdminNetworkPolicy (v3.29.7 to v3.31.7 conversion.go
 *     K8sAdminNetworkPolicyToCalico): "kanp.adminnetworkpolicy.<name>" in
 *     tier adminnetworkpolicy at order spec.priority;
 *   BaselineAdminNetworkPolicy (v3.30.7, v3.31.7
 *     K8sBaselineAdminNetworkPolicyToCalico):
 *     "kbanp.baselineadminnetworkpolicy.<name>" in tier
 *     baselineadminnetworkpolicy at order 1000;
 *   ClusterNetworkPolicy (v3.32.1 clusternetworkpolicy.go
 *     K8sClusterNetworkPolicyToCalico): named as the object, kind
 *     KubernetesClusterNetworkPolicy, tier kube-admin (spec.tier Admin) or
 *     kube-baseline (Baseline) at order spec.priority; action Accept is
 *     Allow.
 * Subject: namespaces gives namespaceSelector with the orchestrator pod
 * selector; pods gives both selectors. Rules: one per protocol (none,
 * SCTP, TCP, UDP, in that order) and peer, ports merged (SimplifyPorts);
 * egress peers may be networks (nets). A rule Calico cannot convert (a
 * peer of a kind it does not support, such as nodes) becomes a Deny-all
 * rule when its action is Deny or Pass and is dropped when it is Allow
 * ("fail closed"). An AdminNetworkPolicy namedPort converts to no port
 * at all, so that rule matches every protocol and port (conversion.go
 * "TODO: Add support for NamedPorts"): reproduced. Types: Ingress when
 * there are ingress rules, Egress when egress rules; with none, Felix's
 * "both" (the tiers' default action is Pass, so it changes nothing).
 * Objects of a kind the target release does not enforce are read and
 * left out, with a warning.
 */

enum adm { ANP, BANP, CNP };

static const struct {
	const char *kind;
	const char *api;
	int first, last;	/* Calico versions enforcing it */
	const char *prefix;	/* Calico's name prefix */
} adms[] = {
	{ "AdminNetworkPolicy", PE_K8SADMIN_GROUP "v1alpha1", 329, 331,
	  "kanp.adminnetworkpolicy." },
	{ "BaselineAdminNetworkPolicy", PE_K8SADMIN_GROUP "v1alpha1", 330, 331,
	  "kbanp.baselineadminnetworkpolicy." },
	{ "ClusterNetworkPolicy", PE_K8SADMIN_GROUP "v1alpha2", 332, 999,
	  "" },
};

#define N_ADM (sizeof(adms) / sizeof(adms[0]))

enum { PR_ANY, PR_SCTP, PR_TCP, PR_UDP, N_PR };	/* sort.Strings order */
static const int pr_num[N_PR] = { -1, 132, 6, 17 };

struct prports {
	int present, all;
	struct pe_port *ports;
	size_t n;
};

struct conv {
	struct rd *r;
	enum adm k;
	const char *ctx;
	int failed;		/* the rule cannot be converted: fail closed */
};

int
pe_k8sadmin_kind(const char *kind)
{
	size_t i;

	for (i = 0; i < N_ADM; i++)
		if (strcmp(kind, adms[i].kind) == 0)
			return 1;
	return 0;
}

static int
oom(struct rd *r, yaml_node_t *at)
{
	return rd_error(r, at, NULL, "out of memory");
}

static int
add_port(struct rd *r, yaml_node_t *at, struct prports *pp, int lo, int hi,
    const char *name)
{
	struct pe_port *np;

	pp->present = 1;
	if (pp->all)
		return 0;
	if ((np = realloc(pp->ports, (pp->n + 1) * sizeof(*np))) == NULL)
		return oom(r, at);
	pp->ports = np;
	np[pp->n].lo = lo;
	np[pp->n].hi = hi;
	np[pp->n].name = NULL;
	if (name != NULL && (np[pp->n].name = strdup(name)) == NULL)
		return oom(r, at);
	pp->n++;
	return 0;
}

static int
proto_index(const char *s)
{
	if (s == NULL || strcmp(s, "TCP") == 0)
		return PR_TCP;	/* ensureProtocol */
	if (strcmp(s, "UDP") == 0)
		return PR_UDP;
	if (strcmp(s, "SCTP") == 0)
		return PR_SCTP;
	return -1;
}

/*
 * One port entry's outcome for protocol slot pp: every port (all), a
 * range Calico cannot build (bad: the rule fails closed), or lo..hi.
 */
static int
put_port(struct conv *c, yaml_node_t *at, struct prports *pp, int lo,
    int hi, int bad, int all)
{
	if (all) {
		pp->present = 1;
		pp->all = 1;
		return 0;
	}
	if (bad) {
		c->failed = 1;
		return 0;
	}
	return add_port(c->r, at, pp, lo, hi, NULL);
}

/* A port range {start, end} or {number}: 1 read, 0 absent, -1 error. */
static int
read_range(struct rd *r, yaml_node_t *n, const char *ctx, int *lo, int *hi,
    int *bad)
{
	int have_s, have_e;

	if (rd_get_int(r, n, ctx, "start", 1, 65535, lo, &have_s) < 0 ||
	    rd_get_int(r, n, ctx, "end", 1, 65535, hi, &have_e) < 0)
		return -1;
	if (!have_s || !have_e)
		return rd_error(r, n, ctx, "start and end are required");
	*bad = *lo > *hi;	/* PortFromRange fails: fail closed */
	return 1;
}

/* unpackANPPorts / unpackCNPProtocols: one entry. */
static int
read_port(struct conv *c, yaml_node_t *n, const char *ctx,
    struct prports pp[N_PR], int *any)
{
	static const char *const anp_fields[] = {
		"portNumber", "portRange", "namedPort", NULL
	};
	static const char *const cnp_fields[] = {
		"tcp", "udp", "sctp", "destinationNamedPort", NULL
	};
	static const char *const num_fields[] = { "protocol", "port", NULL };
	static const char *const range_fields[] = {
		"protocol", "start", "end", NULL
	};
	static const char *const dp_fields[] = { "destinationPort", NULL };
	static const char *const cport_fields[] = { "number", "range", NULL };
	static const char *const crange_fields[] = { "start", "end", NULL };
	struct rd *r = c->r;
	yaml_node_t *v;
	char *proto = NULL, *name = NULL, cc[400];
	int k, lo = 0, hi = 0, have, bad = 0, ret = -1;

	if (rd_map_check(r, n, ctx, c->k == CNP ? cnp_fields : anp_fields) < 0)
		return -1;
	if (c->k != CNP) {
		if ((v = rd_map_get(r, n, "portNumber")) != NULL) {
			rd_ctx_join(cc, sizeof(cc), ctx, "portNumber");
			if (rd_map_check(r, v, cc, num_fields) < 0 ||
			    rd_get_str(r, v, cc, "protocol", &proto) < 0 ||
			    rd_get_int(r, v, cc, "port", 1, 65535, &lo,
			    &have) < 0)
				goto out;
			if (!have) {
				rd_error(r, v, cc, "port is required");
				goto out;
			}
			hi = lo;
		} else if ((v = rd_map_get(r, n, "portRange")) != NULL) {
			rd_ctx_join(cc, sizeof(cc), ctx, "portRange");
			if (rd_map_check(r, v, cc, range_fields) < 0 ||
			    rd_get_str(r, v, cc, "protocol", &proto) < 0 ||
			    read_range(r, v, cc, &lo, &hi, &bad) < 0)
				goto out;
		} else {
			/* namedPort (or nothing): no protocol, no port */
			*any = 1;
			ret = 0;
			goto out;
		}
		if ((k = proto_index(proto)) < 0) {
			rd_error(r, v, cc, "invalid protocol '%s' (TCP, UDP or "
			    "SCTP)", fp_clamp(proto, 32));
			goto out;
		}
		ret = put_port(c, n, &pp[k], lo, hi, bad, 0);
		goto out;
	}
	if (rd_get_str(r, n, ctx, "destinationNamedPort", &name) < 0)
		goto out;
	for (k = PR_SCTP; k < N_PR; k++) {
		static const char *const keys[N_PR] = { "", "sctp", "tcp", "udp" };
		yaml_node_t *dp, *rg = NULL;
		char cd[440];

		if ((v = rd_map_get(r, n, keys[k])) == NULL)
			continue;
		rd_ctx_join(cc, sizeof(cc), ctx, keys[k]);
		if (rd_map_check(r, v, cc, dp_fields) < 0)
			goto out;
		/* no destinationPort, or neither number nor range: any port */
		if ((dp = rd_map_get(r, v, "destinationPort")) != NULL) {
			rd_ctx_join(cd, sizeof(cd), cc, "destinationPort");
			if (rd_map_check(r, dp, cd, cport_fields) < 0 ||
			    rd_get_int(r, dp, cd, "number", 0, 65535, &lo,
			    &have) < 0)
				goto out;
			if (have && lo != 0)
				hi = lo;
			else if ((rg = rd_map_get(r, dp, "range")) != NULL &&
			    (rd_map_check(r, rg, cd, crange_fields) < 0 ||
			    read_range(r, rg, cd, &lo, &hi, &bad) < 0))
				goto out;
		}
		ret = put_port(c, n, &pp[k], lo, hi, bad, dp == NULL ||
		    (!(have && lo != 0) && rg == NULL));
		goto out;
	}
	if (name != NULL) {
		/* a named port has no protocol: the "" entry */
		if (add_port(r, n, &pp[PR_ANY], 0, 0, name) < 0)
			goto out;
		ret = 0;
		goto out;
	}
	*any = 1;	/* an empty entry: everything */
	ret = 0;
out:
	free(proto);
	free(name);
	return ret;
}

struct peer {
	char *sel, *ns;
	struct pe_net *nets;
	size_t n_nets;
	int unsupported;
};

static void
peer_release(struct peer *p)
{
	free(p->sel);
	free(p->ns);
	free(p->nets);
}

static int
read_peer(struct conv *c, yaml_node_t *n, const char *ctx, int egress,
    struct peer *p)
{
	static const char *const fields[] = {
		"namespaces", "pods", "networks", "nodes", "domainNames", NULL
	};
	static const char *const pod_fields[] = {
		"namespaceSelector", "podSelector", NULL
	};
	struct rd *r = c->r;
	yaml_node_t *pods;
	char **nets = NULL, cc[400];
	size_t nn = 0, i;
	int found = 0, ret = -1;

	if (rd_map_check(r, n, ctx, fields) < 0)
		return -1;
	if (rd_map_get(r, n, "namespaces") != NULL) {
		if (pe_k8s_selector(r, n, ctx, "namespaces", 0, &p->ns) < 0)
			return -1;
		found = 1;
	}
	if ((pods = rd_map_get(r, n, "pods")) != NULL) {
		rd_ctx_join(cc, sizeof(cc), ctx, "pods");
		free(p->ns);
		p->ns = NULL;
		if (rd_map_check(r, pods, cc, pod_fields) < 0 ||
		    pe_k8s_selector(r, pods, cc, "podSelector", 1,
		    &p->sel) < 0 ||
		    pe_k8s_selector(r, pods, cc, "namespaceSelector", 0,
		    &p->ns) < 0)
			return -1;
		/* a present-but-absent namespaceSelector is still "all()" */
		if (p->ns == NULL && (p->ns = strdup("all()")) == NULL)
			return oom(r, n);
		found = 1;
	}
	if (egress && rd_get_str_list(r, n, ctx, "networks", &nets, &nn) < 0)
		goto out;
	if (nn > 0) {
		if ((p->nets = calloc(nn, sizeof(*p->nets))) == NULL) {
			oom(r, n);
			goto out;
		}
		for (i = 0; i < nn; i++) {
			if (strchr(nets[i], '/') == NULL ||
			    fp_cidr_parse(&p->nets[i].ip, &p->nets[i].prefix,
			    nets[i]) < 0) {
				c->failed = 1;	/* "invalid CIDR in ANP rule" */
				break;
			}
			rd_mask_net(&p->nets[i].ip, p->nets[i].prefix);
			p->n_nets++;
		}
		found = 1;
	}
	if (!found)
		c->failed = 1;	/* nodes, domainNames: not converted */
	ret = 0;
out:
	for (i = 0; i < nn; i++)
		free(nets[i]);
	free(nets);
	return ret;
}

static int
copy_rule_parts(struct pe_rule *ru, const struct prports *pp,
    const struct peer *p, int egress)
{
	struct pe_entity *e = egress ? &ru->dst : &ru->src;
	size_t i;

	if (pp != NULL && !pp->all && pp->n > 0) {
		if ((ru->dst.ports = calloc(pp->n, sizeof(*ru->dst.ports))) ==
		    NULL)
			return -1;
		for (i = 0; i < pp->n; i++) {
			ru->dst.ports[i] = pp->ports[i];
			ru->dst.ports[i].name = NULL;
			if (pp->ports[i].name != NULL &&
			    (ru->dst.ports[i].name =
			    strdup(pp->ports[i].name)) == NULL)
				return -1;
			ru->dst.n_ports++;
		}
	}
	if ((p->sel && (e->selector = strdup(p->sel)) == NULL) ||
	    (p->ns && (e->ns_selector = strdup(p->ns)) == NULL))
		return -1;
	if (p->n_nets > 0) {
		if ((e->nets = malloc(p->n_nets * sizeof(*e->nets))) == NULL)
			return -1;
		memcpy(e->nets, p->nets, p->n_nets * sizeof(*e->nets));
		e->n_nets = p->n_nets;
	}
	return 0;
}

static struct pe_rule *
new_rule(struct pe_rule **rules, size_t *n, int line, enum pe_action act)
{
	struct pe_rule *arr, *ru;

	if ((arr = realloc(*rules, (*n + 1) * sizeof(*arr))) == NULL)
		return NULL;
	*rules = arr;
	ru = &arr[(*n)++];
	memset(ru, 0, sizeof(*ru));
	ru->line = line;
	ru->action = act;
	ru->protocol = ru->not_protocol = -1;
	ru->icmp_type = ru->icmp_code = -1;
	ru->not_icmp_type = ru->not_icmp_code = -1;
	return ru;
}

static int
read_rule(struct conv *c, yaml_node_t *n, const char *ctx, int egress,
    struct pe_rule **rules, size_t *nrules)
{
	static const char *const in_fields[] = {
		"name", "action", "from", "ports", "protocols", NULL
	};
	static const char *const eg_fields[] = {
		"name", "action", "to", "ports", "protocols", NULL
	};
	struct rd *r = c->r;
	const char *pkey = egress ? "to" : "from";
	const char *portkey = c->k == CNP ? "protocols" : "ports";
	struct prports pp[N_PR];
	struct peer *peers = NULL;
	yaml_node_t *pseq, *portseq;
	char *name = NULL, *action = NULL, cc[400];
	size_t np = 0, i, j, k;
	int ret = -1, any = 0, line = (int)n->start_mark.line + 1;
	enum pe_action act;

	memset(pp, 0, sizeof(pp));
	c->failed = 0;
	if (rd_map_check(r, n, ctx, egress ? eg_fields : in_fields) < 0 ||
	    rd_get_str(r, n, ctx, "name", &name) < 0 ||
	    rd_get_str(r, n, ctx, "action", &action) < 0 ||
	    rd_get_seq(r, n, ctx, pkey, &pseq) < 0 ||
	    rd_get_seq(r, n, ctx, portkey, &portseq) < 0)
		goto out;
	if (rd_map_get(r, n, c->k == CNP ? "ports" : "protocols") != NULL) {
		rd_error(r, n, ctx, "unknown field '%s'", c->k == CNP ?
		    "ports" : "protocols");
		goto out;
	}
	if (action != NULL && strcmp(action, "Allow") == 0 && c->k != CNP)
		act = PE_ACT_ALLOW;
	else if (action != NULL && strcmp(action, "Accept") == 0 &&
	    c->k == CNP)
		act = PE_ACT_ALLOW;
	else if (action != NULL && strcmp(action, "Deny") == 0)
		act = PE_ACT_DENY;
	else if (action != NULL && strcmp(action, "Pass") == 0 &&
	    c->k != BANP)
		act = PE_ACT_PASS;
	else {
		rd_error(r, n, ctx, "invalid action '%s' (%s)", action ?
		    fp_clamp(action, 32) : "", c->k == CNP ?
		    "Accept, Deny or Pass" : c->k == BANP ? "Allow or Deny" :
		    "Allow, Deny or Pass");
		goto out;
	}
	if ((np = rd_seq_len(pseq)) == 0) {
		rd_error(r, n, ctx, "%s: at least one peer", pkey);
		goto out;
	}
	if ((peers = calloc(np, sizeof(*peers))) == NULL) {
		oom(r, n);
		goto out;
	}
	for (i = 0; i < np; i++) {
		yaml_node_t *pn = rd_seq_at(r, pseq, i);

		rd_ctx_item(cc, sizeof(cc), ctx, pkey, i);
		if (pn == NULL || read_peer(c, pn, cc, egress, &peers[i]) < 0)
			goto out;
	}
	for (i = 0; i < rd_seq_len(portseq) && !any; i++) {
		yaml_node_t *pn = rd_seq_at(r, portseq, i);

		rd_ctx_item(cc, sizeof(cc), ctx, portkey, i);
		if (pn == NULL || read_port(c, pn, cc, pp, &any) < 0)
			goto out;
	}
	if (rd_seq_len(portseq) == 0)
		any = 1;
	if (c->failed) {
		/* k8sANPHandleFailedRules: Deny and Pass fail closed */
		if (act != PE_ACT_ALLOW &&
		    new_rule(rules, nrules, line, PE_ACT_DENY) == NULL) {
			oom(r, n);
			goto out;
		}
		ret = 0;
		goto out;
	}
	for (k = 0; k < N_PR; k++) {
		if (any ? k != PR_ANY : !pp[k].present)
			continue;
		if (!any)
			pp[k].n = pe_k8s_simplify_ports(pp[k].ports, pp[k].n);
		for (j = 0; j < np; j++) {
			struct pe_rule *ru = new_rule(rules, nrules, line, act);

			if (ru == NULL || (ru->protocol = pr_num[k],
			    copy_rule_parts(ru, any ? NULL : &pp[k], &peers[j],
			    egress)) < 0) {
				oom(r, n);
				goto out;
			}
		}
	}
	ret = 0;
out:
	free(name);
	free(action);
	for (i = 0; i < np && peers; i++)
		peer_release(&peers[i]);
	free(peers);
	for (k = 0; k < N_PR; k++) {
		for (i = 0; i < pp[k].n; i++)
			free(pp[k].ports[i].name);
		free(pp[k].ports);
	}
	return ret;
}

static int
read_subject(struct conv *c, yaml_node_t *spec, struct pe_policy *p)
{
	static const char *const fields[] = { "namespaces", "pods", NULL };
	static const char *const pod_fields[] = {
		"namespaceSelector", "podSelector", NULL
	};
	struct rd *r = c->r;
	yaml_node_t *s = rd_map_get(r, spec, "subject"), *pods;

	if (s == NULL)
		return rd_error(r, spec, "spec", "subject is required");
	if (rd_map_check(r, s, "spec.subject", fields) < 0)
		return -1;
	if (rd_map_get(r, s, "namespaces") != NULL) {
		if (rd_map_get(r, s, "pods") != NULL)
			return rd_error(r, s, "spec.subject", "namespaces and "
			    "pods exclude each other");
		return pe_k8s_selector(r, s, "spec.subject", "namespaces", 0,
		    &p->ns_selector) < 0 ||
		    pe_k8s_selector(r, NULL, "", "", 1, &p->selector) < 0 ?
		    -1 : 0;
	}
	if ((pods = rd_map_get(r, s, "pods")) == NULL)
		return rd_error(r, s, "spec.subject", "namespaces or pods is "
		    "required");
	if (rd_map_check(r, pods, "spec.subject.pods", pod_fields) < 0 ||
	    pe_k8s_selector(r, pods, "spec.subject.pods", "podSelector", 1,
	    &p->selector) < 0 ||
	    pe_k8s_selector(r, pods, "spec.subject.pods", "namespaceSelector",
	    0, &p->ns_selector) < 0)
		return -1;
	if (p->ns_selector == NULL && (p->ns_selector = strdup("all()")) ==
	    NULL)
		return oom(r, s);
	return 0;
}

int
pe_k8sadmin_read(struct rd *r, yaml_node_t *doc, yaml_node_t *kind_node,
    const char *api, const char *kind)
{
	static const char *const fields[] = {
		"apiVersion", "kind", "metadata", "spec", "status", NULL
	};
	static const char *const spec_fields[] = {
		"tier", "priority", "subject", "ingress", "egress", NULL
	};
	const struct pe_calver *v = rd_calver(r);
	struct conv c;
	struct pe_policy *p;
	yaml_node_t *spec, *meta, *s;
	char *name = NULL, *ns = NULL, *tier = NULL, cc[64];
	size_t i, k;
	int prio = 0, have_prio, ret = -1;

	memset(&c, 0, sizeof(c));
	c.r = r;
	for (k = 0; k < N_ADM && strcmp(kind, adms[k].kind) != 0; k++)
		;
	c.k = (enum adm)k;
	if (strcmp(api, adms[k].api) != 0)
		return rd_error(r, rd_map_get(r, doc, "apiVersion"), "apiVersion",
		    "unsupported apiVersion '%s' for %s (want %s)",
		    fp_clamp(api, 64), kind, adms[k].api);
	if (rd_map_check(r, doc, "", fields) < 0)
		return -1;
	if (v->version < adms[k].first || v->version > adms[k].last) {
		/* the object can exist; the release ignores it */
		if (rd_read_meta(r, doc, 0, &name, &ns, &meta) < 0)
			return -1;
		ret = pe_policyset_warn(rd_policyset(r), "%s:%lu: %s '%s' is "
		    "not enforced by Calico %s: left out", rd_file(r),
		    (unsigned long)kind_node->start_mark.line + 1, kind,
		    fp_clamp(name, 64), pe_calver_name(v->version));
		free(name);
		free(ns);
		return ret < 0 ? oom(r, doc) : 0;
	}
	if ((p = rd_policy_add(r, doc)) == NULL)
		return -1;
	p->kind = PE_KCNP;
	p->source_kind = adms[k].kind;
	p->line = (int)kind_node->start_mark.line + 1;
	p->has_order = 1;
	if ((p->file = strdup(rd_file(r))) == NULL) {
		oom(r, doc);
		goto out;
	}
	if (rd_read_meta(r, doc, 0, &name, &ns, &meta) < 0)
		goto out;
	if (k8s_check_dns_subdomain(name) != NULL) {
		rd_error(r, meta, "metadata.name", "invalid name '%s'",
		    fp_clamp(name, 64));
		goto out;
	}
	{
		size_t len = strlen(adms[k].prefix) + strlen(name) + 1;

		if ((p->name = malloc(len)) == NULL) {
			oom(r, doc);
			goto out;
		}
		snprintf(p->name, len, "%s%s", adms[k].prefix, name);
	}
	if ((spec = rd_map_get(r, doc, "spec")) == NULL) {
		rd_error(r, doc, NULL, "spec is required");
		goto out;
	}
	if (rd_map_check(r, spec, "spec", spec_fields) < 0 ||
	    rd_get_int(r, spec, "spec", "priority", 0, 1000, &prio,
	    &have_prio) < 0 ||
	    rd_get_str(r, spec, "spec", "tier", &tier) < 0)
		goto out;
	if ((c.k == BANP) == (have_prio != 0)) {
		rd_error(r, spec, "spec", c.k == BANP ? "unknown field "
		    "'priority'" : "priority is required");
		goto out;
	}
	if ((c.k == CNP) != (tier != NULL)) {
		rd_error(r, spec, "spec", c.k == CNP ? "tier is required" :
		    "unknown field 'tier'");
		goto out;
	}
	if (c.k == CNP) {
		if (strcmp(tier, "Admin") != 0 && strcmp(tier, "Baseline") != 0) {
			rd_error(r, rd_map_get(r, spec, "tier"), "spec.tier",
			    "invalid tier '%s' (Admin or Baseline)",
			    fp_clamp(tier, 32));
			goto out;
		}
		p->tier = strdup(tier[0] == 'A' ? v->admin_tier :
		    v->baseline_tier);
	} else
		p->tier = strdup(c.k == ANP ? v->admin_tier : v->baseline_tier);
	if (p->tier == NULL) {
		oom(r, doc);
		goto out;
	}
	p->order = c.k == BANP ? 1000 : prio;
	if (read_subject(&c, spec, p) < 0)
		goto out;
	for (i = 0; i < 2; i++) {
		const char *key = i ? "egress" : "ingress";
		size_t j;

		if (rd_get_seq(r, spec, "spec", key, &s) < 0)
			goto out;
		for (j = 0; j < rd_seq_len(s); j++) {
			yaml_node_t *n = rd_seq_at(r, s, j);

			rd_ctx_item(cc, sizeof(cc), "spec", key, j);
			if (n == NULL || read_rule(&c, n, cc, (int)i, i ?
			    &p->egress : &p->ingress, i ? &p->n_egress :
			    &p->n_ingress) < 0)
				goto out;
		}
	}
	p->types = (p->n_ingress ? PE_TYPE_INGRESS : 0) |
	    (p->n_egress ? PE_TYPE_EGRESS : 0);
	if (p->types == 0)
		p->types = PE_TYPE_INGRESS | PE_TYPE_EGRESS;
	if (rd_policy_check_dup(r, kind_node) < 0)
		goto out;
	ret = 0;
out:
	free(name);
	free(ns);
	free(tier);
	if (ret < 0)
		rd_policy_drop(r);
	return ret;
}
