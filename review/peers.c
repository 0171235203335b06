#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/proto.h"
#include "review/peers.h"
#include "common/banned.h"

/* A (namespace, service account, label set) of one pod, for grouping. */
struct st_key {
	const char *ns, *sa, *labels;
	const struct model_pod *pod;	/* pods come sorted by uid */
	size_t order;			/* place in that order */
};

static int
cmp_key(const void *a, const void *b)
{
	const struct st_key *x = a, *y = b;
	int c;

	if ((c = strcmp(x->ns, y->ns)) != 0 || (c = strcmp(x->sa, y->sa)) != 0 ||
	    (c = strcmp(x->labels, y->labels)) != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void
set_addrs(struct rv_state *s, const struct model_pod *pod)
{
	const struct fp_ip *ip;
	int f;

	for (f = 0; f < 2; f++) {
		if ((ip = model_pod_addr(pod, f ? 6 : 4)) != NULL) {
			s->addr[f] = *ip;
			s->has[f] = 1;
		}
	}
}

/* ep's namespace labels, read once per run of one namespace. */
static int
ns_labels(struct model *m, struct pe_endpoint *ep, char **cache_ns,
    char **cache)
{
	int rc;

	if (*cache_ns == NULL || strcmp(*cache_ns, ep->namespace) != 0) {
		free(*cache_ns);
		free(*cache);
		*cache = NULL;
		if ((*cache_ns = strdup(ep->namespace)) == NULL)
			return fp_error("out of memory");
		if ((rc = model_namespace_labels(m, ep->namespace, cache)) < 0)
			return -1;
	}
	if (*cache != NULL && labels_parse_lines(&ep->ns_labels, *cache) < 0)
		return fp_error_prefix("namespace '%s'", fp_clamp(ep->namespace, 64));
	return 0;
}

/*
 * A hostNetwork workload has no Calico endpoint: it is its nodes, one
 * state per node its pods ran on, with that node's addresses. NodeLocal
 * DNSCache answers at its own addresses (learn's DNS addresses).
 */
static int
load_host_workload(struct model *m, struct rv_peer *p, struct model_pod **pods,
    size_t npods)
{
	struct fp_ip *ips = NULL, a;
	char *t = NULL, buf[64];
	const char *q;
	size_t i, j, n = 0, k;
	int ret = -1, f, prefix, nodelocal;

	nodelocal = strcmp(model_peer_name(&p->mp), "node-local-dns") == 0;
	if (nodelocal && model_dns_addresses(m, &t) < 0)
		goto out;
	if ((p->states = calloc(npods + 1, sizeof(*p->states))) == NULL) {
		fp_error("out of memory");
		goto out;
	}
	for (i = 0; i < npods; i++) {
		struct rv_state *st;

		for (j = 0; j < i && strcmp(pods[j]->node, pods[i]->node) != 0; j++)
			;
		if (j < i || *pods[i]->node == '\0')
			continue;	/* one state per node */
		st = &p->states[p->nstates++];
		pe_endpoint_init(&st->ep);
		st->ep.kind = PE_EP_NODE;
		if ((st->ep.name = strdup(p->text)) == NULL ||
		    (st->ep.node = strdup(pods[i]->node)) == NULL) {
			fp_error("out of memory");
			goto out;
		}
		free(ips);
		ips = NULL;
		n = 0;
		if (!nodelocal &&
		    model_node_addresses(m, pods[i]->node, &ips, &n) < 0)
			goto out;
		for (k = 0; k < n; k++) {
			f = ips[k].len == 16;
			if (!st->has[f]) {
				st->addr[f] = ips[k];
				st->has[f] = 1;
			}
		}
		for (q = t; q != NULL && *q != '\0'; q += k + (q[k] == ',')) {
			k = strcspn(q, ",");
			if (k >= sizeof(buf))
				continue;
			memcpy(buf, q, k);
			buf[k] = '\0';
			if (fp_cidr_parse(&a, &prefix, buf) == 0 &&
			    !st->has[f = a.len == 16]) {
				st->addr[f] = a;
				st->has[f] = 1;
			}
		}
		if (pe_endpoint_prepare(&st->ep) < 0)
			goto out;
	}
	ret = 0;
out:
	free(ips);
	free(t);
	return ret;
}

static int
load_workload(struct model *m, const struct pe_policyset *ps,
    struct rv_peer *p)
{
	struct model_pod **pods = NULL;
	struct st_key *keys = NULL;
	size_t npods = 0, nkeys = 0, i, k;
	char *cache_ns = NULL, *cache = NULL;
	int ret = -1;

	if (model_workload_pods(m, p->text, &pods, &npods) < 0)
		goto out;
	for (i = 0; i < npods; i++)
		nkeys += pods[i]->host_network ? 0 : pods[i]->nlabel_sets;
	if (nkeys == 0 && npods > 0) {
		ret = load_host_workload(m, p, pods, npods);
		goto out;
	}
	if ((keys = calloc(nkeys + 1, sizeof(*keys))) == NULL ||
	    (p->states = calloc(nkeys + 1, sizeof(*p->states))) == NULL) {
		fp_error("out of memory");
		goto out;
	}
	for (i = nkeys = 0; i < npods; i++) {
		if (pods[i]->host_network)
			continue;
		for (k = 0; k < pods[i]->nlabel_sets; k++, nkeys++)
			keys[nkeys] = (struct st_key){ pods[i]->ns,
			    pods[i]->service_account, pods[i]->label_sets[k],
			    pods[i], nkeys };
	}
	if (nkeys > 1)
		qsort(keys, nkeys, sizeof(*keys), cmp_key);
	for (i = 0; i < nkeys; i++) {
		struct rv_state *s;
		struct pe_endpoint *ep;

		if (i > 0 && strcmp(keys[i].ns, keys[i - 1].ns) == 0 &&
		    strcmp(keys[i].sa, keys[i - 1].sa) == 0 &&
		    strcmp(keys[i].labels, keys[i - 1].labels) == 0)
			continue;	/* the lowest uid stands for the state */
		s = &p->states[p->nstates++];
		ep = &s->ep;
		pe_endpoint_init(ep);
		ep->kind = PE_EP_POD;
		if ((ep->namespace = strdup(keys[i].ns)) == NULL ||
		    (ep->service_account = strdup(keys[i].sa)) == NULL ||
		    (ep->name = strdup(p->text)) == NULL ||
		    (*keys[i].pod->node != '\0' &&
		    (ep->node = strdup(keys[i].pod->node)) == NULL)) {
			fp_error("out of memory");
			goto out;
		}
		if (labels_parse_lines(&ep->labels, keys[i].labels) < 0) {
			fp_error_prefix("workload '%s'", fp_clamp(p->text, 128));
			goto out;
		}
		set_addrs(s, keys[i].pod);
		if (ns_labels(m, ep, &cache_ns, &cache) < 0 ||
		    pe_endpoint_prepare(ep) < 0 ||
		    (ps != NULL && pe_endpoint_bind(ep, ps) < 0))
			goto out;
	}
	ret = 0;
out:
	free(cache_ns);
	free(cache);
	free(keys);
	model_pods_free(pods, npods);
	return ret;
}

int
rv_peer_load(struct model *m, const struct pe_policyset *ps, const char *text,
    struct rv_peer *p)
{
	struct pe_endpoint *ep;
	int f;

	memset(p, 0, sizeof(*p));
	if ((p->text = strdup(text)) == NULL)
		return fp_error("out of memory");
	if (model_peer_parse(p->text, &p->mp) < 0)
		return -1;
	if (p->mp.kind == MODEL_PEER_WORKLOAD)
		return load_workload(m, ps, p);
	if ((p->states = calloc(1, sizeof(*p->states))) == NULL)
		return fp_error("out of memory");
	p->nstates = 1;
	ep = &p->states[0].ep;
	pe_endpoint_init(ep);
	ep->kind = p->mp.kind == MODEL_PEER_NODE ? PE_EP_NODE : PE_EP_EXTERNAL;
	if ((ep->name = strdup(text)) == NULL)
		return fp_error("out of memory");
	if (p->mp.kind == MODEL_PEER_SERVICE) {
		/* The Service's endpoints, on whichever port the edge has. */
		char ns[256];

		if (pe_endpoint_add_service(ep, model_peer_ns(&p->mp, ns,
		    sizeof(ns)), model_peer_name(&p->mp), -1, -1) < 0)
			return -1;
		return pe_endpoint_prepare(ep);
	}
	if (p->mp.kind == MODEL_PEER_NODE &&
	    model_ip_node(m, &p->mp.ip, &ep->node) < 0)
		return -1;
	f = p->mp.ip.len == 16;
	p->states[0].addr[f] = ep->ip = p->mp.ip;
	p->states[0].has[f] = ep->has_ip = 1;
	return pe_endpoint_prepare(ep);
}

void
rv_peer_release(struct rv_peer *p)
{
	size_t i;

	for (i = 0; i < p->nstates; i++)
		pe_endpoint_release(&p->states[i].ep);
	free(p->states);
	free(p->text);
	memset(p, 0, sizeof(*p));
}

/* --- evaluation ---------------------------------------------------------- */

/* The families (bit 0 IPv4, bit 1 IPv6) the edge can have been seen in. */
static int
edge_families(const struct rv_peer *s, const struct rv_peer *d,
    const struct rv_state *a, const struct rv_state *b, int proto)
{
	int fam;

	if (proto == FP_PROTO_ICMP)
		return 1;
	if (proto == FP_PROTO_ICMPV6)
		return 2;
	if ((fam = model_peer_family(&s->mp)) != 0 ||
	    (fam = model_peer_family(&d->mp)) != 0)
		return fam == 6 ? 2 : 1;
	return (a->has[0] && b->has[0] ? 1 : 0) | (a->has[1] && b->has[1] ? 2 : 0);
}

/* A view of st's endpoint with its address of family f (0 IPv4, 1 IPv6;
 * -1: the newest it has, as when no family is known). */
static void
with_family(struct pe_endpoint *out, const struct rv_state *st, int f)
{
	*out = st->ep;	/* shallow: read only, never released */
	if (f < 0)
		f = st->has[0] ? 0 : 1;
	out->has_ip = st->has[f];
	if (st->has[f])
		out->ip = st->addr[f];
}

static void
eval_one(const struct pe_policyset *ps, struct pe_flow *f, int flags,
    rv_decision_fn *each, void *arg, struct rv_eval *out)
{
	struct pe_decision dec;
	int dir;

	for (dir = 0; dir < 2; dir++) {
		struct rv_dir *dd = dir ? &out->in : &out->eg;

		pe_evaluate_dir(ps, f, dir, flags, &dec);
		if (out->combos == 0)
			dd->first = dec;
		if (!dec.allowed && dd->denied++ == 0)
			dd->first_denied = dec;
		if (each != NULL)
			each(&dec, dir, arg);
	}
	out->combos++;
}

void
rv_eval_edge(const struct pe_policyset *ps, const struct rv_peer *src,
    const struct rv_peer *dst, int proto, int port, int flags,
    rv_decision_fn *each, void *arg, struct rv_eval *out)
{
	struct pe_endpoint a, b;
	struct pe_flow f;
	size_t i, j;
	int fams, k;

	memset(out, 0, sizeof(*out));
	memset(&f, 0, sizeof(f));
	f.proto = proto;
	f.icmp_type = f.icmp_code = -1;
	if (fp_proto_is_icmp(proto)) {
		/* The collector stores ICMP as type * 256 + code. */
		f.icmp_type = (port >> 8) & 0xff;
		f.icmp_code = port & 0xff;
	} else if (fp_proto_has_ports(proto)) {
		f.dport = port;
	}
	f.src = &a;
	f.dst = &b;
	for (i = 0; i < src->nstates; i++) {
		for (j = 0; j < dst->nstates; j++) {
			fams = edge_families(src, dst, &src->states[i],
			    &dst->states[j], proto);
			if (fams == 0) {
				/* No address in common (or none at all). */
				with_family(&a, &src->states[i], -1);
				with_family(&b, &dst->states[j], -1);
				f.family = 0;
				eval_one(ps, &f, flags, each, arg, out);
				continue;
			}
			for (k = 0; k < 2; k++) {
				if (!(fams & (1 << k)))
					continue;
				with_family(&a, &src->states[i], k);
				with_family(&b, &dst->states[j], k);
				f.family = k ? 6 : 4;
				eval_one(ps, &f, flags, each, arg, out);
			}
		}
	}
}

const struct pe_decision *
rv_dir_decision(const struct rv_dir *d)
{
	return d->denied ? &d->first_denied : &d->first;
}

int
rv_peer_selected(const struct rv_peer *p, size_t pidx)
{
	size_t i;

	for (i = 0; i < p->nstates; i++)
		if (p->states[i].ep.kind == PE_EP_POD &&
		    pe_endpoint_applies(&p->states[i].ep, pidx) != 0)
			return 1;
	return 0;
}
