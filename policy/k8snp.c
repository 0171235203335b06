#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/k8sname.h"
#include "common/strbuf.h"
#include "policy/calver.h"
#include "policy/k8snp.h"
#include "policy/rd.h"
#include "common/banned.h"

/*
 * Sources, all in projectcalico/calico (v3.28.5 to master; the rule
 * conversion is the same code in each): conversion.go
 * K8sNetworkPolicyToCalico, k8sSelectorToCalico, k8sRuleToCalico,
 * SimplifyPorts, k8sPeerToCalicoFields, k8sPortToCalico. Kubernetes'
 * own checks (the API server refuses what fails them, so a cluster never
 * holds it) come from k8s.io/kubernetes pkg/apis/networking/validation
 * ValidateNetworkPolicySpec and pkg/apis/networking/v1 defaults.go
 * SetDefaults_NetworkPolicy (policyTypes).
 */

#define ORCH_SEL "projectcalico.org/orchestrator == 'k8s'"
#define KNP_ORDER 1000.0	/* "insert all the NetworkPolicy Policies at
				 * order 1000.0" */

enum { P_SCTP, P_TCP, P_UDP, N_PROTO };	/* sort.Strings order */
static const int proto_num[N_PROTO] = { 132, 6, 17 };
static const char *const proto_name[N_PROTO] = { "SCTP", "TCP", "UDP" };

struct knp_peer {
	char *selector, *ns_selector;	/* NULL when "" */
	struct pe_net *nets, *not_nets;
	size_t n_nets, n_not_nets;
};

/* The ports of one protocol across a rule's port entries. */
struct proto_ports {
	int present;
	int all;			/* a port entry without port: any */
	struct pe_port *ports;
	size_t n;
};

static int
oom(struct rd *r, yaml_node_t *at)
{
	return rd_error(r, at, NULL, "out of memory");
}

/*
 * k8sSelectorToCalico. sel is the LabelSelector node (NULL when absent);
 * pod: a pod selector (prefixed with the orchestrator). *out is malloc'd,
 * or NULL for the empty selector.
 */
int
pe_k8s_selector(struct rd *r, yaml_node_t *parent, const char *ctx,
    const char *key, int pod, char **out)
{
	static const char *const fields[] = {
		"matchLabels", "matchExpressions", NULL
	};
	static const char *const expr_fields[] = {
		"key", "operator", "values", NULL
	};
	yaml_node_t *sel = parent ? rd_map_get(r, parent, key) : NULL;
	yaml_node_t *exprs;
	struct labels ml = LABELS_INIT;
	struct strbuf b = STRBUF_INIT;
	char c[300], c2[340];
	const char *why;
	size_t i, j;
	int ret = -1;

	*out = NULL;
	if (pod)
		sb_adds(&b, ORCH_SEL);
	if (sel == NULL)
		goto done;
	rd_ctx_join(c, sizeof(c), ctx, key);
	if (rd_map_check(r, sel, c, fields) < 0 ||
	    rd_get_labels(r, sel, c, "matchLabels", &ml) < 0 ||
	    rd_get_seq(r, sel, c, "matchExpressions", &exprs) < 0)
		goto out;
	if (!pod && ml.n == 0 && rd_seq_len(exprs) == 0) {
		/* present but empty: every namespace */
		sb_adds(&b, "all()");
		goto done;
	}
	for (i = 0; i < ml.n; i++) {
		if ((why = k8s_check_label_key(ml.v[i].key)) != NULL ||
		    (why = k8s_check_label_value(ml.v[i].value)) != NULL) {
			rd_error(r, rd_map_get(r, sel, "matchLabels"), c,
			    "matchLabels '%s': %s", fp_clamp(ml.v[i].key, 64),
			    why);
			goto out;
		}
		sb_addf(&b, "%s%s == '%s'", b.len ? " && " : "", ml.v[i].key,
		    ml.v[i].value);
	}
	for (i = 0; i < rd_seq_len(exprs); i++) {
		yaml_node_t *e = rd_seq_at(r, exprs, i);
		char *k = NULL, *op = NULL, **vals = NULL;
		size_t nv = 0;
		int in, bad = 0;

		rd_ctx_item(c2, sizeof(c2), c, "matchExpressions", i);
		if (e == NULL || rd_map_check(r, e, c2, expr_fields) < 0 ||
		    rd_get_str(r, e, c2, "key", &k) < 0 ||
		    rd_get_str(r, e, c2, "operator", &op) < 0 ||
		    rd_get_str_list(r, e, c2, "values", &vals, &nv) < 0)
			bad = 1;
		else if (k == NULL || (why = k8s_check_label_key(k)) != NULL)
			bad = rd_error(r, e, c2, "key: %s", k ? why :
			    "required");
		else if (op == NULL)
			bad = rd_error(r, e, c2, "operator is required");
		else if ((in = strcmp(op, "In") == 0) ||
		    strcmp(op, "NotIn") == 0) {
			if (nv == 0)
				bad = rd_error(r, e, c2, "values: required "
				    "for operator %s", op);
			for (j = 0; j < nv && !bad; j++)
				if ((why = k8s_check_label_value(vals[j])) !=
				    NULL)
					bad = rd_error(r, e, c2, "values[%zu]: "
					    "%s", j, why);
			if (!bad) {
				sb_addf(&b, "%s%s %sin { '", b.len ? " && " :
				    "", k, in ? "" : "not ");
				for (j = 0; j < nv; j++)
					sb_addf(&b, "%s%s", j ? "', '" : "",
					    vals[j]);
				sb_adds(&b, "' }");
			}
		} else if (strcmp(op, "Exists") == 0 ||
		    strcmp(op, "DoesNotExist") == 0) {
			if (nv != 0)
				bad = rd_error(r, e, c2, "values: must be "
				    "empty for operator %s", op);
			else
				sb_addf(&b, "%s%shas(%s)", b.len ? " && " : "",
				    op[0] == 'D' ? "! " : "", k);
		} else
			bad = rd_error(r, e, c2, "invalid operator '%s' (In, "
			    "NotIn, Exists or DoesNotExist)", fp_clamp(op, 32));
		free(k);
		free(op);
		for (j = 0; j < nv; j++)
			free(vals[j]);
		free(vals);
		if (bad)
			goto out;
	}
done:
	if (b.len > 0 && (*out = sb_detach(&b)) == NULL) {
		oom(r, parent);
		goto out;
	}
	ret = 0;
out:
	labels_release(&ml);
	sb_release(&b);
	return ret;
}

/* ipBlock: cidr masked (cnet.ParseCIDR then String()), except likewise. */
static int
ip_block(struct rd *r, yaml_node_t *blk, const char *ctx, struct knp_peer *p)
{
	static const char *const fields[] = { "cidr", "except", NULL };
	char *cidr = NULL, **ex = NULL, c[340];
	size_t nex = 0, i;
	int ret = -1;

	if (rd_map_check(r, blk, ctx, fields) < 0 ||
	    rd_get_str(r, blk, ctx, "cidr", &cidr) < 0 ||
	    rd_get_str_list(r, blk, ctx, "except", &ex, &nex) < 0)
		goto out;
	if (cidr == NULL) {
		rd_error(r, blk, ctx, "cidr is required");
		goto out;
	}
	if ((p->nets = calloc(1, sizeof(*p->nets))) == NULL ||
	    (nex && (p->not_nets = calloc(nex, sizeof(*p->not_nets))) ==
	    NULL)) {
		oom(r, blk);
		goto out;
	}
	if (strchr(cidr, '/') == NULL ||
	    fp_cidr_parse(&p->nets[0].ip, &p->nets[0].prefix, cidr) < 0) {
		rd_error(r, rd_map_get(r, blk, "cidr"), ctx, "invalid CIDR "
		    "'%s'", fp_clamp(cidr, 64));
		goto out;
	}
	rd_mask_net(&p->nets[0].ip, p->nets[0].prefix);
	p->n_nets = 1;
	for (i = 0; i < nex; i++) {
		struct pe_net *n = &p->not_nets[i];
		struct fp_ip m;

		rd_ctx_item(c, sizeof(c), ctx, "except", i);
		if (strchr(ex[i], '/') == NULL ||
		    fp_cidr_parse(&n->ip, &n->prefix, ex[i]) < 0) {
			rd_error(r, rd_map_get(r, blk, "except"), c,
			    "invalid CIDR '%s'", fp_clamp(ex[i], 64));
			goto out;
		}
		rd_mask_net(&n->ip, n->prefix);
		m = n->ip;
		rd_mask_net(&m, p->nets[0].prefix);
		/* ValidateIPBlock: a strict subset of cidr */
		if (n->ip.len != p->nets[0].ip.len ||
		    n->prefix <= p->nets[0].prefix ||
		    memcmp(m.a, p->nets[0].ip.a, m.len) != 0) {
			rd_error(r, rd_map_get(r, blk, "except"), c, "'%s' is "
			    "not a strict subset of cidr '%s'",
			    fp_clamp(ex[i], 64), fp_clamp(cidr, 64));
			goto out;
		}
		p->n_not_nets++;
	}
	ret = 0;
out:
	free(cidr);
	for (i = 0; i < nex; i++)
		free(ex[i]);
	free(ex);
	return ret;
}

/* k8sPeerToCalicoFields */
static int
read_peer(struct rd *r, yaml_node_t *n, const char *ctx, struct knp_peer *p)
{
	static const char *const fields[] = {
		"podSelector", "namespaceSelector", "ipBlock", NULL
	};
	yaml_node_t *blk;
	char c[340];

	if (rd_map_check(r, n, ctx, fields) < 0)
		return -1;
	if ((blk = rd_map_get(r, n, "ipBlock")) != NULL) {
		if (rd_map_get(r, n, "podSelector") != NULL ||
		    rd_map_get(r, n, "namespaceSelector") != NULL)
			return rd_error(r, n, ctx, "ipBlock cannot be combined "
			    "with podSelector or namespaceSelector");
		rd_ctx_join(c, sizeof(c), ctx, "ipBlock");
		return ip_block(r, blk, c, p);
	}
	if (rd_map_get(r, n, "podSelector") == NULL &&
	    rd_map_get(r, n, "namespaceSelector") == NULL)
		return rd_error(r, n, ctx, "a peer needs podSelector, "
		    "namespaceSelector or ipBlock");
	if (pe_k8s_selector(r, n, ctx, "podSelector", 1, &p->selector) < 0 ||
	    pe_k8s_selector(r, n, ctx, "namespaceSelector", 0,
	    &p->ns_selector) < 0)
		return -1;
	return 0;
}

static void
peer_release(struct knp_peer *p)
{
	free(p->selector);
	free(p->ns_selector);
	free(p->nets);
	free(p->not_nets);
	memset(p, 0, sizeof(*p));
}

static int
add_port(struct rd *r, yaml_node_t *at, struct proto_ports *pp,
    const struct pe_port *p)
{
	struct pe_port *np;

	if ((np = realloc(pp->ports, (pp->n + 1) * sizeof(*np))) == NULL)
		return oom(r, at);
	pp->ports = np;
	np[pp->n] = *p;
	if (p->name != NULL && (np[pp->n].name = strdup(p->name)) == NULL)
		return oom(r, at);
	pp->n++;
	return 0;
}

/* One NetworkPolicyPort: protocol (default TCP), port, endPort. */
static int
read_port(struct rd *r, yaml_node_t *n, const char *ctx,
    struct proto_ports pp[N_PROTO])
{
	static const char *const fields[] = {
		"protocol", "port", "endPort", NULL
	};
	yaml_node_t *pv;
	char *proto = NULL;
	struct pe_port p = { 0, 0, NULL };
	int k = P_TCP, end = 0, have_end, ret = -1;
	long num;

	if (rd_map_check(r, n, ctx, fields) < 0 ||
	    rd_get_str(r, n, ctx, "protocol", &proto) < 0 ||
	    rd_get_int(r, n, ctx, "endPort", 1, 65535, &end, &have_end) < 0)
		goto out;
	if (proto != NULL) {
		for (k = 0; k < N_PROTO; k++)
			if (strcmp(proto, proto_name[k]) == 0)
				break;
		if (k == N_PROTO) {
			rd_error(r, rd_map_get(r, n, "protocol"), ctx,
			    "invalid protocol '%s' (TCP, UDP or SCTP)",
			    fp_clamp(proto, 32));
			goto out;
		}
	}
	pp[k].present = 1;
	if ((pv = rd_map_get(r, n, "port")) == NULL) {
		if (have_end) {
			rd_error(r, n, ctx, "endPort needs port");
			goto out;
		}
		pp[k].all = 1;	/* "treat nil as 'all ports'" */
		ret = 0;
		goto out;
	}
	switch (rd_scalar_int(pv, &num)) {
	case 1:
		if (num < 1 || num > 65535 || (have_end && end < num)) {
			rd_error(r, pv, ctx, "port %ld%s", num, have_end &&
			    end < num ? ": endPort is below it" :
			    " is out of range (1 to 65535)");
			goto out;
		}
		p.lo = (int)num;
		p.hi = have_end ? end : (int)num;
		break;
	case 0:
		p.name = (char *)rd_scalar(pv);
		if (k8s_check_dns_label(p.name) != NULL || strlen(p.name) > 15 ||
		    strstr(p.name, "--") != NULL ||
		    strpbrk(p.name, "abcdefghijklmnopqrstuvwxyz") == NULL) {
			/* IsValidPortName */
			rd_error(r, pv, ctx, "invalid named port '%s' (at most 15 "
			    "lowercase letters, digits and '-', with a letter)",
			    fp_clamp(p.name, 64));
			goto out;
		}
		if (have_end) {
			rd_error(r, pv, ctx, "endPort needs a numeric port");
			goto out;
		}
		break;
	default:
		rd_error(r, pv, ctx, "expected a port number or name");
		goto out;
	}
	if (!pp[k].all && add_port(r, n, &pp[k], &p) < 0)
		goto out;
	ret = 0;
out:
	free(proto);
	return ret;
}

static int
cmp_range(const void *a, const void *b)
{
	const struct pe_port *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return (x->hi > y->hi) - (x->hi < y->hi);
}

/*
 * SimplifyPorts: named ports first (in order), then the numeric ports
 * merged into the fewest ranges, ascending; left as given when at most
 * one numeric port is covered. (Calico expands ranges into single ports
 * and regroups them; merging sorted ranges gives the same ranges.)
 */
size_t
pe_k8s_simplify_ports(struct pe_port *ports, size_t n)
{
	struct pe_port *num, *out;
	size_t nn = 0, nnamed = 0, i, k;
	long covered = 0;

	if (n <= 1)
		return n;
	for (i = 0; i < n; i++)
		if (ports[i].name == NULL)
			covered += ports[i].hi - ports[i].lo + 1;
	/* Out of memory leaves the ports as given: the same matches. */
	if (covered <= 1 || (num = calloc(n, sizeof(*num))) == NULL)
		return n;
	if ((out = calloc(n, sizeof(*out))) == NULL) {
		free(num);
		return n;
	}
	for (i = 0; i < n; i++) {
		if (ports[i].name != NULL)
			out[nnamed++] = ports[i];
		else
			num[nn++] = ports[i];
	}
	qsort(num, nn, sizeof(*num), cmp_range);
	k = nnamed;
	for (i = 0; i < nn; i++) {
		if (k > nnamed && num[i].lo <= out[k - 1].hi + 1) {
			if (num[i].hi > out[k - 1].hi)
				out[k - 1].hi = num[i].hi;
			continue;
		}
		out[k++] = num[i];
	}
	memset(ports, 0, n * sizeof(*ports));
	memcpy(ports, out, k * sizeof(*out));
	free(num);
	free(out);
	return k;
}

static int
copy_nets(struct pe_net **dst, size_t *nd, const struct pe_net *src,
    size_t n)
{
	if (n == 0)
		return 0;
	if ((*dst = malloc(n * sizeof(**dst))) == NULL)
		return -1;
	memcpy(*dst, src, n * sizeof(**dst));
	*nd = n;
	return 0;
}

static int
copy_ports(struct pe_entity *e, const struct proto_ports *pp)
{
	size_t i;

	if (pp == NULL || pp->all || pp->n == 0)
		return 0;
	if ((e->ports = calloc(pp->n, sizeof(*e->ports))) == NULL)
		return -1;
	for (i = 0; i < pp->n; i++) {
		e->ports[i] = pp->ports[i];
		if (pp->ports[i].name != NULL &&
		    (e->ports[i].name = strdup(pp->ports[i].name)) == NULL)
			return -1;
		e->n_ports++;
	}
	return 0;
}

/* One Calico rule for (protocol, peer); the peer may be NULL. */
static int
emit_rule(struct pe_rule *ru, int line, int egress, int proto,
    const struct proto_ports *pp, const struct knp_peer *peer)
{
	struct pe_entity *pe = egress ? &ru->dst : &ru->src;

	memset(ru, 0, sizeof(*ru));
	ru->line = line;
	ru->action = PE_ACT_ALLOW;
	ru->protocol = proto;
	ru->not_protocol = -1;
	ru->icmp_type = ru->icmp_code = -1;
	ru->not_icmp_type = ru->not_icmp_code = -1;
	if (copy_ports(&ru->dst, pp) < 0)
		return -1;
	if (peer == NULL)
		return 0;
	if ((peer->selector && (pe->selector = strdup(peer->selector)) ==
	    NULL) ||
	    (peer->ns_selector && (pe->ns_selector =
	    strdup(peer->ns_selector)) == NULL) ||
	    copy_nets(&pe->nets, &pe->n_nets, peer->nets, peer->n_nets) < 0 ||
	    (peer->n_not_nets > 0 &&
	    (pe->more = calloc(1, sizeof(*pe->more))) == NULL) ||
	    (pe->more != NULL && copy_nets(&pe->more->not_nets,
	    &pe->more->n_not_nets, peer->not_nets, peer->n_not_nets) < 0))
		return -1;
	return 0;
}

/* k8sRuleToCalico for spec.ingress[i] or spec.egress[i]. */
static int
read_rule(struct rd *r, yaml_node_t *n, const char *ctx, int egress,
    struct pe_rule **rules, size_t *nrules)
{
	static const char *const in_fields[] = { "from", "ports", NULL };
	static const char *const eg_fields[] = { "to", "ports", NULL };
	const char *pkey = egress ? "to" : "from";
	struct proto_ports pp[N_PROTO];
	struct knp_peer *peers = NULL;
	yaml_node_t *pseq, *portseq;
	size_t npeers = 0, i, j, k, want;
	char c[340];
	int ret = -1, any_proto = 0, line = (int)n->start_mark.line + 1;
	struct pe_rule *arr;

	memset(pp, 0, sizeof(pp));
	if (rd_map_check(r, n, ctx, egress ? eg_fields : in_fields) < 0 ||
	    rd_get_seq(r, n, ctx, pkey, &pseq) < 0 ||
	    rd_get_seq(r, n, ctx, "ports", &portseq) < 0)
		goto out;
	if ((npeers = rd_seq_len(pseq)) > 0 &&
	    (peers = calloc(npeers, sizeof(*peers))) == NULL) {
		oom(r, n);
		goto out;
	}
	for (i = 0; i < npeers; i++) {
		yaml_node_t *pn = rd_seq_at(r, pseq, i);

		rd_ctx_item(c, sizeof(c), ctx, pkey, i);
		if (pn == NULL) {
			rd_error(r, pseq, c, "missing peer");
			goto out;
		}
		if (read_peer(r, pn, c, &peers[i]) < 0)
			goto out;
	}
	for (i = 0; i < rd_seq_len(portseq); i++) {
		yaml_node_t *pn = rd_seq_at(r, portseq, i);

		rd_ctx_item(c, sizeof(c), ctx, "ports", i);
		if (pn == NULL) {
			rd_error(r, portseq, c, "missing port");
			goto out;
		}
		if (read_port(r, pn, c, pp) < 0)
			goto out;
	}
	any_proto = rd_seq_len(portseq) == 0;	/* no ports: any protocol */
	want = 0;
	for (k = 0; k < N_PROTO; k++)
		if (pp[k].present)
			want++;
	want = (any_proto ? 1 : want) * (npeers ? npeers : 1);
	if ((arr = realloc(*rules, (*nrules + want) * sizeof(*arr))) ==
	    NULL) {
		oom(r, n);
		goto out;
	}
	*rules = arr;
	for (k = 0; k < (any_proto ? 1 : (size_t)N_PROTO); k++) {
		if (!any_proto && !pp[k].present)
			continue;
		if (!any_proto)
			pp[k].n = pe_k8s_simplify_ports(pp[k].ports, pp[k].n);
		for (j = 0; j < (npeers ? npeers : 1); j++) {
			struct pe_rule *ru = &arr[(*nrules)++];

			if (emit_rule(ru, line, egress, any_proto ? -1 :
			    proto_num[k], any_proto ? NULL : &pp[k],
			    npeers ? &peers[j] : NULL) < 0) {
				oom(r, n);
				goto out;
			}
		}
	}
	ret = 0;
out:
	for (i = 0; i < npeers; i++)
		peer_release(&peers[i]);
	free(peers);
	for (k = 0; k < N_PROTO; k++) {
		for (i = 0; i < pp[k].n; i++)
			free(pp[k].ports[i].name);
		free(pp[k].ports);
	}
	return ret;
}

static int
read_rules(struct rd *r, yaml_node_t *spec, const char *key, int egress,
    struct pe_rule **rules, size_t *nrules, size_t *nk8s)
{
	yaml_node_t *s;
	char c[64];
	size_t i;

	if (rd_get_seq(r, spec, "spec", key, &s) < 0)
		return -1;
	*nk8s = rd_seq_len(s);
	for (i = 0; i < *nk8s; i++) {
		yaml_node_t *n = rd_seq_at(r, s, i);

		rd_ctx_item(c, sizeof(c), "spec", key, i);
		if (n == NULL)
			return rd_error(r, s, c, "missing rule");
		if (read_rule(r, n, c, egress, rules, nrules) < 0)
			return -1;
	}
	return 0;
}

int
pe_k8snp_read(struct rd *r, yaml_node_t *doc, yaml_node_t *kind_node)
{
	static const char *const fields[] = {
		"apiVersion", "kind", "metadata", "spec", "status", NULL
	};
	static const char *const spec_fields[] = {
		"podSelector", "policyTypes", "ingress", "egress", NULL
	};
	const struct pe_calver *v = rd_calver(r);
	struct pe_policy *p;
	yaml_node_t *spec, *meta;
	char *name = NULL, **types = NULL;
	size_t nt = 0, i, nin = 0, neg = 0;
	int ret = -1;

	if (rd_map_check(r, doc, "", fields) < 0)
		return -1;
	if ((p = rd_policy_add(r, doc)) == NULL)
		return -1;
	p->kind = PE_KNP;
	p->source_kind = "NetworkPolicy";
	p->line = (int)kind_node->start_mark.line + 1;
	p->has_order = 1;
	p->order = KNP_ORDER;
	if ((p->file = strdup(rd_file(r))) == NULL ||
	    (p->tier = strdup("default")) == NULL) {
		oom(r, doc);
		goto out;
	}
	if (rd_read_meta(r, doc, 1, &name, &p->namespace, &meta) < 0)
		goto out;
	if (k8s_check_dns_subdomain(name) != NULL) {
		rd_error(r, rd_map_get(r, meta, "name"), "metadata.name",
		    "invalid name '%s': %s", fp_clamp(name, 64),
		    k8s_check_dns_subdomain(name));
		goto out;
	}
	if (v->knp_plain_name) {
		p->name = name;
		name = NULL;
	} else {
		size_t len = strlen(PE_K8SNP_PREFIX) + strlen(name) + 1;

		if ((p->name = malloc(len)) == NULL) {
			oom(r, doc);
			goto out;
		}
		snprintf(p->name, len, "%s%s", PE_K8SNP_PREFIX, name);
	}
	if ((spec = rd_map_get(r, doc, "spec")) == NULL) {
		rd_error(r, doc, NULL, "spec is required");
		goto out;
	}
	if (rd_map_check(r, spec, "spec", spec_fields) < 0 ||
	    pe_k8s_selector(r, spec, "spec", "podSelector", 1,
	    &p->selector) < 0 ||
	    rd_get_str_list(r, spec, "spec", "policyTypes", &types, &nt) < 0 ||
	    read_rules(r, spec, "ingress", 0, &p->ingress, &p->n_ingress,
	    &nin) < 0 ||
	    read_rules(r, spec, "egress", 1, &p->egress, &p->n_egress,
	    &neg) < 0)
		goto out;
	for (i = 0; i < nt; i++) {
		int bit = strcmp(types[i], "Ingress") == 0 ? PE_TYPE_INGRESS :
		    strcmp(types[i], "Egress") == 0 ? PE_TYPE_EGRESS : 0;

		if (bit == 0 || (p->types & bit)) {
			rd_error(r, rd_map_get(r, spec, "policyTypes"),
			    "spec.policyTypes", "%s type '%s' (Ingress or "
			    "Egress)", bit ? "repeated" : "invalid",
			    fp_clamp(types[i], 32));
			goto out;
		}
		p->types |= bit;
	}
	/* SetDefaults_NetworkPolicy, what the cluster stores */
	if (nt == 0)
		p->types = PE_TYPE_INGRESS | (neg > 0 ? PE_TYPE_EGRESS : 0);
	if (rd_policy_check_dup(r, kind_node) < 0)
		goto out;
	ret = 0;
out:
	free(name);
	for (i = 0; i < nt; i++)
		free(types[i]);
	free(types);
	if (ret < 0)
		rd_policy_drop(r);
	return ret;
}

const char *
pe_k8snp_object_name(const struct pe_policy *p)
{
	static const char *const prefixes[] = {
		PE_K8SNP_PREFIX, "kanp.adminnetworkpolicy.",
		"kbanp.baselineadminnetworkpolicy."
	};
	size_t i, n;

	if (p->source_kind == NULL)
		return p->name;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		n = strlen(prefixes[i]);
		if (strncmp(p->name, prefixes[i], n) == 0)
			return p->name + n;
	}
	return p->name;
}
