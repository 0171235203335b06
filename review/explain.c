#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/ipaddr.h"
#include "common/proto.h"
#include "store/model.h"
#include "store/store.h"
#include "review/explain.h"
#include "common/banned.h"

/* --- resolving endpoints --------------------------------------------- */

static int
set_str(char **dst, const char *s)
{
	free(*dst);
	if ((*dst = strdup(s)) == NULL)
		return fp_error("out of memory");
	return 0;
}

static int
parse_named_port(struct pe_endpoint *ep, const char *v)
{
	char name[64], proto[32];
	int port, p;
	char extra;

	if (sscanf(v, "%63[^/]/%31[^/]/%d%c", name, proto, &port, &extra) != 3
	    || (p = fp_proto_parse(proto)) < 0 || port < 1 || port > 65535)
		return fp_error("'port:%s': want port:NAME/PROTO/NUMBER",
		    fp_clamp(v, 64));
	return pe_endpoint_add_named_port(ep, name, p, port);
}

static int
parse_spec(const char *arg, struct pe_endpoint *ep)
{
	char *copy = strdup(arg), *item, *next;
	int ret = -1;

	if (copy == NULL)
		return fp_error("out of memory");
	ep->kind = PE_EP_POD;
	for (item = copy; item != NULL; item = next) {
		if ((next = strchr(item, ',')) != NULL)
			*next++ = '\0';
		if (*item == '\0')
			continue;
		if (strncmp(item, "ns:", 3) == 0) {
			if (set_str(&ep->namespace, item + 3) < 0)
				goto out;
		} else if (strncmp(item, "sa:", 3) == 0) {
			if (set_str(&ep->service_account, item + 3) < 0)
				goto out;
		} else if (strncmp(item, "ip:", 3) == 0) {
			if (fp_ip_parse(&ep->ip, item + 3) < 0) {
				fp_error("'%s': not an IP address",
				    fp_clamp(item + 3, 64));
				goto out;
			}
			ep->has_ip = 1;
		} else if (strncmp(item, "nslabel:", 8) == 0) {
			if (labels_parse_pair(&ep->ns_labels, item + 8) < 0)
				goto out;
		} else if (strncmp(item, "salabel:", 8) == 0) {
			if (labels_parse_pair(&ep->sa_labels, item + 8) < 0)
				goto out;
		} else if (strncmp(item, "port:", 5) == 0) {
			if (parse_named_port(ep, item + 5) < 0)
				goto out;
		} else if (strchr(item, '=') != NULL) {
			if (labels_parse_pair(&ep->labels, item) < 0)
				goto out;
		} else {
			fp_error("'%s': want ns:, sa:, ip:, nslabel:, salabel:, "
			    "port: or KEY=VALUE", fp_clamp(item, 64));
			goto out;
		}
	}
	if (ep->namespace == NULL || *ep->namespace == '\0') {
		fp_error("a label spec needs ns:NAMESPACE");
		goto out;
	}
	if (set_str(&ep->name, arg) < 0)
		goto out;
	ret = 0;
out:
	free(copy);
	return ret;
}

static int
load_ns_labels(struct model *m, struct pe_endpoint *ep)
{
	char *l = NULL;
	int rc, ret = -1;

	if ((rc = model_namespace_labels(m, ep->namespace, &l)) < 0)
		return -1;
	if (rc == 1 && labels_parse_lines(&ep->ns_labels, l) < 0) {
		fp_error_prefix("namespace '%s'", fp_clamp(ep->namespace, 64));
		goto out;
	}
	ret = 0;
out:
	free(l);
	return ret;
}

/*
 * ep from a pod of the model: labels, service account, namespace labels and
 * its newest address (hostNetwork pods become PE_EP_NODE); res, when not
 * NULL, gets its newest address of each family.
 */
static int
from_pod(struct model *m, const struct model_pod *pod, struct pe_endpoint *ep,
    struct pe_resolved *res)
{
	const struct fp_ip *ip;
	int f;

	if (set_str(&ep->namespace, pod->ns) < 0 ||
	    set_str(&ep->name, pod->name) < 0 ||
	    set_str(&ep->service_account, pod->service_account) < 0)
		return -1;
	ep->kind = pod->host_network ? PE_EP_NODE : PE_EP_POD;
	if (labels_parse_lines(&ep->labels, pod->labels) < 0)
		return fp_error_prefix("pod '%s/%s'", fp_clamp(ep->namespace, 64),
		    fp_clamp(ep->name, 64));
	if (load_ns_labels(m, ep) < 0)
		return -1;
	if (*pod->node != '\0' && set_str(&ep->node, pod->node) < 0)
		return -1;
	if (pod->naddrs > 0) {
		ep->ip = pod->addrs[0].ip;
		ep->has_ip = 1;
	}
	if (pod->host_network) {
		/* no address of its own: its node's */
		struct fp_ip *ips = NULL;
		size_t n = 0, k;

		if (*pod->node != '\0' &&
		    model_node_addresses(m, pod->node, &ips, &n) < 0)
			return -1;
		for (k = 0; k < n; k++) {
			f = ips[k].len == 16;
			if (k == 0) {
				ep->ip = ips[k];
				ep->has_ip = 1;
			}
			if (res != NULL && !res->has[f]) {
				res->addr[f] = ips[k];
				res->has[f] = 1;
			}
		}
		free(ips);
	}
	for (f = 0; res != NULL && f < 2; f++) {
		if ((ip = model_pod_addr(pod, f ? 6 : 4)) != NULL) {
			res->addr[f] = *ip;
			res->has[f] = 1;
		}
	}
	return 0;
}

static int
resolve_ip(struct model *m, const char *arg, struct pe_endpoint *ep)
{
	struct model_pod *pod = NULL;
	enum model_owner_kind kind;
	char *owner = NULL;
	int rc, ret = -1;

	if (fp_ip_parse(&ep->ip, arg) < 0)
		return fp_error("'%s': not an IP address", fp_clamp(arg, 64));
	ep->has_ip = 1;
	ep->kind = PE_EP_EXTERNAL;
	if (set_str(&ep->name, arg) < 0)
		return -1;
	if (m == NULL)
		return 0;
	if ((rc = model_ip_owner(m, &ep->ip, MODEL_AT_LATEST, &kind, &owner)) <= 0) {
		ret = rc;
		goto out;
	}
	if (kind == MODEL_OWNER_NODE) {
		ep->kind = PE_EP_NODE;
		ret = set_str(&ep->name, owner) < 0 ? -1 :
		    set_str(&ep->node, owner);
		goto out;
	}
	if ((rc = model_pod_get(m, owner, &pod)) < 0 ||
	    (rc == 1 && from_pod(m, pod, ep, NULL) < 0))
		goto out;
	/* The IP asked about wins over the pod's latest one. */
	fp_ip_parse(&ep->ip, arg);
	ep->has_ip = 1;
	ret = 0;
out:
	model_pod_free(pod);
	free(owner);
	return ret;
}

int
pe_endpoint_load_pod(struct store *st, const char *uid,
    struct pe_endpoint *ep)
{
	struct model *m = NULL;
	struct model_pod *pod = NULL;
	int ret = -1;

	if (model_open(&m, st) < 0 || (ret = model_pod_get(m, uid, &pod)) < 0)
		goto out;
	if (ret == 1 && (from_pod(m, pod, ep, NULL) < 0 ||
	    pe_endpoint_prepare(ep) < 0))
		ret = -1;
out:
	model_pod_free(pod);
	model_free(m);
	return ret;
}

/* A workload's pod with the lowest name, else the pod ns/name: 1, 0, -1. */
static int
resolve_named(struct model *m, const char *arg, const char *slash,
    struct pe_endpoint *ep, struct pe_resolved *res)
{
	struct model_pod **pods = NULL, *pod = NULL, *use = NULL;
	size_t n = 0, i;
	char *ns = NULL;
	int ret = -1;

	if (model_workload_pods(m, arg, &pods, &n) < 0)
		goto out;
	for (i = 0; i < n; i++)
		if (use == NULL || strcmp(pods[i]->name, use->name) < 0)
			use = pods[i];
	if (use != NULL) {
		if (from_pod(m, use, ep, res) < 0 || set_str(&ep->name, arg) < 0)
			goto out;
		ret = 1;
		goto out;
	}
	if ((ns = strndup(arg, (size_t)(slash - arg))) == NULL) {
		fp_error("out of memory");
		goto out;
	}
	if ((ret = model_pod_find(m, ns, slash + 1, &pod)) == 1 &&
	    from_pod(m, pod, ep, res) < 0)
		ret = -1;
out:
	free(ns);
	model_pod_free(pod);
	model_pods_free(pods, n);
	return ret;
}

int
pe_resolve_endpoint_ex(struct model *m, const char *arg,
    struct pe_endpoint *ep, struct pe_resolved *res)
{
	struct fp_ip ip;
	const char *slash;
	int ret;

	memset(res, 0, sizeof(*res));
	/* node:IP and external:IP as edges name them (store/model.h). */
	if (strncmp(arg, "node:", 5) == 0 || strncmp(arg, "external:", 9) == 0) {
		struct model_peer mp;

		if (model_peer_parse(arg, &mp) < 0)
			return -1;
		ep->ip = mp.ip;
		ep->has_ip = 1;
		res->fixed = 1;
		ep->kind = mp.kind == MODEL_PEER_NODE ? PE_EP_NODE : PE_EP_EXTERNAL;
		if (set_str(&ep->name, arg) < 0)
			return -1;
		/* which node: traffic to its own pods is not policed */
		if (mp.kind == MODEL_PEER_NODE && m != NULL &&
		    model_ip_node(m, &ep->ip, &ep->node) < 0)
			return -1;
		return pe_endpoint_prepare(ep);
	}
	if (strncmp(arg, "service:", 8) == 0) {
		/* a Service's endpoints, as learn names the API server */
		const char *sl = strchr(arg + 8, '/');
		char ns[254];

		if (sl == NULL || sl == arg + 8 || sl[1] == '\0' ||
		    (size_t)(sl - arg - 8) >= sizeof(ns))
			return fp_error("'%s': want service:NAMESPACE/NAME",
			    fp_clamp(arg, 128));
		memcpy(ns, arg + 8, (size_t)(sl - arg - 8));
		ns[sl - arg - 8] = '\0';
		ep->kind = PE_EP_EXTERNAL;
		res->fixed = 1;
		if (set_str(&ep->name, arg) < 0 ||
		    pe_endpoint_add_service(ep, ns, sl + 1, -1, -1) < 0)
			return -1;
		return pe_endpoint_prepare(ep);
	}
	if (fp_ip_parse(&ip, arg) == 0) {
		res->fixed = 1;
		if (resolve_ip(m, arg, ep) < 0)
			return -1;
		return pe_endpoint_prepare(ep);
	}
	if (strchr(arg, '=') != NULL || strncmp(arg, "ns:", 3) == 0) {
		if (parse_spec(arg, ep) < 0)
			return -1;
		res->fixed = ep->has_ip;
		return pe_endpoint_prepare(ep);
	}
	slash = strchr(arg, '/');
	if (slash == NULL || slash == arg || slash[1] == '\0' ||
	    strchr(slash + 1, '/') != NULL)
		return fp_error("'%s': want NAMESPACE/NAME, an IP, node:IP, "
		    "external:IP, service:NAMESPACE/NAME or a label spec "
		    "(ns:NAMESPACE,KEY=VALUE,...)", fp_clamp(arg, 128));
	if (m == NULL)
		return fp_error("'%s': naming a workload or pod needs the "
		    "learned database (--db); or give a label spec "
		    "(ns:NAMESPACE,KEY=VALUE,...)", fp_clamp(arg, 128));
	if ((ret = resolve_named(m, arg, slash, ep, res)) < 0)
		return -1;
	if (ret == 0)
		return fp_error("'%s': no such workload or pod in '%s'",
		    fp_clamp(arg, 128), fp_clamp(store_path(model_store(m)), 200));
	return pe_endpoint_prepare(ep);
}

int
pe_resolve_endpoint(struct model *m, const char *arg, struct pe_endpoint *ep)
{
	struct pe_resolved res;

	return pe_resolve_endpoint_ex(m, arg, ep, &res);
}

static int
ip_family(const struct pe_endpoint *ep)
{
	return ep->ip.len == 16 ? 1 : 0;
}

/* Give a pod resolved by name its address of family f (0 v4, 1 v6). */
static void
use_family(struct pe_endpoint *ep, const struct pe_resolved *r, int f)
{
	if (r->fixed || (!r->has[0] && !r->has[1]))
		return;
	ep->has_ip = r->has[f];
	if (r->has[f])
		ep->ip = r->addr[f];
}

void
pe_resolve_family(struct pe_flow *fl, struct pe_endpoint *src,
    const struct pe_resolved *rs, struct pe_endpoint *dst,
    const struct pe_resolved *rd)
{
	int f;

	if (fl->proto == FP_PROTO_ICMP)
		f = 0;
	else if (fl->proto == FP_PROTO_ICMPV6)
		f = 1;
	else if (rs->fixed && src->has_ip)
		f = ip_family(src);
	else if (rd->fixed && dst->has_ip)
		f = ip_family(dst);
	else if (src->has_ip && (rd->fixed || rd->has[ip_family(src)] ||
	    (!rd->has[0] && !rd->has[1])))
		f = ip_family(src);
	else if ((rs->has[0] || rs->fixed) && rd->has[0])
		f = 0;
	else if ((rs->has[1] || rs->fixed) && rd->has[1])
		f = 1;
	else
		return;	/* no family in common: as resolved */
	use_family(src, rs, f);
	use_family(dst, rd, f);
	fl->family = f ? 6 : 4;
}

int
pe_parse_proto_port(const char *s, struct pe_flow *f)
{
	char buf[64], *slash, *p2, *end;
	long port, code;
	int proto;

	if (strlen(s) >= sizeof(buf))
		return fp_error("'%s': want PROTO/PORT", fp_clamp(s, 64));
	memcpy(buf, s, strlen(s) + 1);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if ((proto = fp_proto_parse(buf)) <= 0)
		return fp_error("'%s': unknown protocol", fp_clamp(buf, 32));
	f->proto = proto;
	f->dport = 0;
	f->icmp_type = f->icmp_code = -1;
	if (fp_proto_is_icmp(proto)) {
		if (slash == NULL)
			return 0;
		if ((p2 = strchr(slash, '/')) != NULL)
			*p2++ = '\0';
		errno = 0;
		port = strtol(slash, &end, 10);
		if (*slash == '\0' || *end || errno || port < 0 || port > 255)
			return fp_error("'%s': ICMP type must be 0..255",
			    fp_clamp(s, 64));
		f->icmp_type = (int)port;
		if (p2 != NULL) {
			code = strtol(p2, &end, 10);
			if (*p2 == '\0' || *end || code < 0 || code > 255)
				return fp_error("'%s': ICMP code must be "
				    "0..255", fp_clamp(s, 64));
			f->icmp_code = (int)code;
		}
		return 0;
	}
	if (!fp_proto_has_ports(proto)) {
		if (slash != NULL)
			return fp_error("'%s': protocol %d has no ports",
			    fp_clamp(s, 64), proto);
		return 0;
	}
	if (slash == NULL)
		return fp_error("'%s': want PROTO/PORT", fp_clamp(s, 64));
	errno = 0;
	port = strtol(slash, &end, 10);
	if (*slash == '\0' || *end || errno || port < 1 || port > 65535)
		return fp_error("'%s': port must be 1..65535", fp_clamp(s, 64));
	f->dport = (int)port;
	return 0;
}

/* --- printing --------------------------------------------------------- */

static void
print_endpoint(FILE *out, const struct pe_endpoint *ep)
{
	char buf[FP_IPSTRLEN];

	switch (ep->kind) {
	case PE_EP_POD:
		fprintf(out, "pod %s", ep->name ? ep->name : "?");
		if (ep->name && ep->namespace &&
		    strncmp(ep->name, "ns:", 3) != 0 &&
		    strncmp(ep->name, ep->namespace, strlen(ep->namespace)) != 0)
			fprintf(out, " in namespace %s", ep->namespace);
		break;
	case PE_EP_NODE:
		fprintf(out, "node %s", ep->name ? ep->name : "?");
		break;
	case PE_EP_EXTERNAL:
		fprintf(out, "external %s", ep->name ? ep->name : "?");
		break;
	}
	if (ep->has_ip && (ep->kind == PE_EP_POD || (ep->name &&
	    strcmp(ep->name, fp_ip_format(&ep->ip, buf)) != 0)))
		fprintf(out, " (%s)", fp_ip_format(&ep->ip, buf));
}

static void
print_policy(FILE *out, const char *label, const struct pe_policy *p)
{
	fprintf(out, "  %s: %s %s%s%s (%s:%d)\n", label, pe_kind_name(p->kind),
	    p->namespace ? p->namespace : "", p->namespace ? "/" : "",
	    p->name, p->file, p->line);
}

static void
print_rule(FILE *out, const char *label, const struct pe_policy *p,
    int ingress, size_t i)
{
	const struct pe_rule *r = ingress ? &p->ingress[i] : &p->egress[i];
	char *t = pe_rule_format(r);

	fprintf(out, "  %s: %s[%zu] (%s:%d): %s\n", label,
	    ingress ? "ingress" : "egress", i, p->file, r->line,
	    t ? t : "?");
	free(t);
}

static void
print_decision(FILE *out, const char *dir, const struct pe_endpoint *ep,
    const struct pe_decision *d, int ingress)
{
	fprintf(out, "%s: %s\n", dir, d->why == PE_WHY_NO_ENDPOINT ?
	    "not evaluated" : d->allowed ? "allowed" : "denied");
	fputs("  endpoint: ", out);
	print_endpoint(out, ep);
	fputc('\n', out);
	switch (d->why) {
	case PE_WHY_NO_ENDPOINT:
		fputs("  decided by: no Calico endpoint (not a pod)\n", out);
		break;
	case PE_WHY_HOST_LOCAL:
		fputs("  decided by: host to local workload: Calico does not "
		    "police traffic from a pod's own node\n", out);
		break;
	case PE_WHY_RULE:
		fputs("  decided by: rule\n", out);
		fprintf(out, "  tier: %s\n", d->tier->name);
		print_policy(out, "policy", d->policy);
		print_rule(out, "rule", d->policy, ingress, d->rule);
		break;
	case PE_WHY_END_OF_TIER:
		fprintf(out, "  decided by: end of tier %s (%zu polic%s "
		    "applied, no rule matched%s)\n", d->tier->name,
		    d->policies_applied, d->policies_applied == 1 ? "y" : "ies",
		    d->tier->valid ? "" : "; the tier does not exist, which "
		    "acts as Deny");
		fprintf(out, "  tier: %s\n", d->tier->name);
		break;
	case PE_WHY_PROFILE:
		fprintf(out, "  decided by: profile kns.%s (allow: %s)\n",
		    ep->namespace ? ep->namespace : "?",
		    d->pass_policy ? "every tier passed" :
		    d->policies_applied ? "every applicable tier has "
		    "defaultAction Pass" : "no policy applies");
		break;
	}
	if (d->pass_policy != NULL) {
		fprintf(out, "  passed in tier: %s\n", d->pass_tier->name);
		print_policy(out, "pass policy", d->pass_policy);
		print_rule(out, "pass rule", d->pass_policy, ingress,
		    d->pass_rule);
	}
	if (d->logs)
		fprintf(out, "  log rules matched: %zu\n", d->logs);
	if (d->uncertain)
		fputs("  note: some rule needed data flowpol does not have "
		    "(source port, named ports, services) or that is not "
		    "modelled (HTTP); the result is approximate\n", out);
}

void
pe_explain_print(FILE *out, const struct pe_flow *f,
    const struct pe_verdict *v)
{
	char pbuf[16];

	fputs("flow: ", out);
	print_endpoint(out, f->src);
	fputs(" -> ", out);
	print_endpoint(out, f->dst);
	fprintf(out, " %s", fp_proto_name(f->proto, pbuf, sizeof(pbuf)));
	if (fp_proto_is_icmp(f->proto) && f->icmp_type >= 0) {
		fprintf(out, "/%d", f->icmp_type);
		if (f->icmp_code >= 0)
			fprintf(out, "/%d", f->icmp_code);
	} else if (f->dport > 0) {
		fprintf(out, "/%d", f->dport);
	}
	fputc('\n', out);
	fprintf(out, "verdict: %s\n", v->allowed ? "allowed" : "denied");
	print_decision(out, "egress", f->src, &v->egress, 0);
	print_decision(out, "ingress", f->dst, &v->ingress, 1);
}
