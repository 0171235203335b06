#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emitter/emit.h"
#include "emitter/names.h"
#include "emitter/policyset.h"
#include "emitter/target.h"
#include "store/model.h"
#include "store/store.h"
#include "common/k8sname.h"
#include "common/err.h"
#include "common/ipaddr.h"
#include "common/proto.h"
#include "common/strbuf.h"
#include "common/banned.h"

/*
 * layers.c: the policy set (doc/architecture.md, "The policy set"). Reads
 * the learned model, decides which rules each policy needs, and hands the
 * set to yaml_out.c. Every list is sorted before it is used so that the
 * output is a function of the model only.
 */

const char *const emit_default_exempt[] = {
	"calico-system", "gatekeeper-system", "kube-node-lease",
	"kube-public", "kube-system", "tigera-operator",
};
const size_t emit_default_nexempt =
    sizeof(emit_default_exempt) / sizeof(emit_default_exempt[0]);

/* Orders (doc/calico-semantics.md 2.1): explicit and distinct, all below
 * the 1000 that Kubernetes NetworkPolicies get. Learned policies get a slot
 * derived from their name so that adding a workload does not renumber the
 * others. */
#define ORDER_DENY	10000	/* centi: 100 */
#define ORDER_DNS	20000
#define ORDER_DNS_IN	21000
#define ORDER_LEARNED	EMIT_ORDER_LEARNED
#define LEARNED_SLOTS	60000

/* master CRD limits (doc/calico-semantics.md 8) */
#define MAX_PORTS_PER_RULE 50
#define MAX_NETS_PER_RULE 256
#define MAX_RULES_PER_POLICY 1024

#define DNS_DEFAULT_NS "kube-system"
#define DNS_DEFAULT_SEL "k8s-app == 'kube-dns'"

/*
 * Peers that Calico can name: a workload (or namespace); the cluster's
 * nodes (one GlobalNetworkSet, by its label: every node address and every
 * hostNetwork workload); a Service by Calico's services match (the API
 * server); the clients of a LoadBalancer Service (its source ranges, else
 * anywhere outside the cluster's ranges); an exact external address.
 */
enum peer_kind { PEER_POD = 0, PEER_NODE = 1, PEER_SVC = 2, PEER_LB = 3,
	PEER_EXT = 4 };

#define NODESET_NAME "flowpol-nodes"
#define NODESET_KEY "flowpol/node-set"
#define NODESET_VALUE "cluster-nodes"

struct wl {
	char *ns, *name, *sel;
	int exempt;
	int dns;	/* DNS pods: port 53 to them is the DNS layer's */
	int hostnet;	/* no Calico endpoint: its peers see the node set */
	int nodelocal;	/* node-local-dns: port 53 to it is the DNS layer's */
	int exact;	/* 0: its selector also selects other workloads */
	char *also;	/* those workloads' names, or "" */
	int talks;	/* some learned edge names it */
	size_t nsidx;	/* index into b->nss */
};

struct item {
	size_t subject;
	int dir;
	int pkind;
	size_t peer;		/* PEER_POD: workload (or namespace) index;
				   PEER_SVC, PEER_LB: index into b->svcs */
	struct fp_ip ip;	/* PEER_EXT */
	int proto, port;
};

/* A Service a rule names: by services match, or a LoadBalancer's clients. */
struct svcref {
	char *ns, *name;
	char *ranges;		/* LoadBalancer: source ranges, "" for none */
};

struct dnspeer {
	char *ns, *sel;
};

struct build {
	const struct emit_opts *o;
	struct model *m;
	const char *path;	/* the store's, for messages */
	int nsmode;
	char **exempt;		/* sorted, unique */
	size_t nexempt;
	char **enforce;
	size_t nenforce;
	struct wl *wls;		/* sorted by namespace, name */
	size_t nwl;
	char **nss;		/* namespaces of workloads, sorted, unique */
	size_t nns;
	struct dnspeer *dns;
	size_t ndns;
	char **dns_nets;	/* DNS by address: NodeLocal DNSCache, --dns-address */
	size_t ndns_nets;
	struct svcref *svcs;
	size_t nsvcs;
	char **cluster_nets;	/* notNets of a load balancer's "anywhere" */
	size_t ncluster_nets;
	int use_nodeset;
	struct item *items;
	size_t nitems, capitems;
	char **notes;
	size_t nnotes, capnotes;
	struct pset_policy *pols;
	size_t npols, cappols;
	char **silent;		/* "ns/name" of silent workloads, sorted */
	size_t nsilent;
	int oom;
};

/* --- small helpers ------------------------------------------------------ */

static char *
xstrdup(struct build *b, const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		b->oom = 1;
	return p;
}

static char *
xfmt(struct build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static char *
xfmt(struct build *b, const char *fmt, ...)
{
	va_list ap;
	char *p = NULL;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0) {
		p = NULL;
		b->oom = 1;
	}
	va_end(ap);
	return p;
}

static void *
xgrow(struct build *b, void *p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return p;
	ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	if ((np = realloc(p, ncap * elem)) == NULL) {
		b->oom = 1;
		return NULL;
	}
	*cap = ncap;
	return np;
}

static void
note(struct build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
note(struct build *b, const char *fmt, ...)
{
	va_list ap;
	char *p;
	char **nn;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		p = NULL;
	va_end(ap);
	if (p == NULL || (nn = xgrow(b, b->notes, &b->capnotes, b->nnotes + 1,
	    sizeof(*nn))) == NULL) {
		free(p);
		b->oom = 1;
		return;
	}
	b->notes = nn;
	b->notes[b->nnotes++] = p;
}

/* qsort and bsearch, which must not see a NULL base even for n == 0. */
static void
sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

static int
in_sorted(char *const *v, size_t n, const char *s)
{
	return n > 0 && bsearch(&s, v, n, sizeof(*v), fp_cmp_str) != NULL;
}

/* Copy, sort and de-duplicate a list of names. */
static int
sorted_set(struct build *b, const char *const *in, size_t n, char ***out,
    size_t *nout)
{
	char **v;
	size_t i, k = 0;

	*out = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return fp_error("emit: out of memory");
	for (i = 0; i < n; i++)
		if ((v[i] = xstrdup(b, in[i])) == NULL)
			return fp_error("emit: out of memory");
	sort(v, n, sizeof(*v), fp_cmp_str);
	for (i = 0; i < n; i++) {
		if (k > 0 && strcmp(v[k - 1], v[i]) == 0)
			free(v[i]);
		else
			v[k++] = v[i];
	}
	*out = v;
	*nout = k;
	return 0;
}

/* "{'a', 'b'}" of a sorted list (names are DNS labels: no quotes inside). */
static char *
set_literal(struct build *b, char *const *v, size_t n)
{
	size_t i, len = 3;
	char *s, *p;

	for (i = 0; i < n; i++)
		len += strlen(v[i]) + 4;
	if ((s = malloc(len)) == NULL) {
		b->oom = 1;
		return NULL;
	}
	p = s;
	*p++ = '{';
	for (i = 0; i < n; i++)
		p += snprintf(p, len - (size_t)(p - s), "%s'%s'", i ? ", " : "", v[i]);
	*p++ = '}';
	*p = '\0';
	return s;
}

/* "NS-clause && SEL", with SEL grouped when it has a top-level "||". */
static char *
and_selector(struct build *b, const char *left, const char *sel)
{
	if (sel == NULL || *sel == '\0')
		return xstrdup(b, left);
	if (strstr(sel, "||") != NULL)
		return xfmt(b, "%s && (%s)", left, sel);
	return xfmt(b, "%s && %s", left, sel);
}

static int
calico_ports(int proto)
{
	/* Ports only with TCP, UDP or SCTP (doc/calico-semantics.md 4). */
	return proto == FP_PROTO_TCP || proto == FP_PROTO_UDP ||
	    proto == FP_PROTO_SCTP;
}

static int
is_icmp(int proto)
{
	return proto == FP_PROTO_ICMP || proto == FP_PROTO_ICMPV6;
}

static const char *
proto_lc(int proto, char *buf, size_t len)
{
	return fp_proto_name(proto, buf, len);
}

/* --- loading the model -------------------------------------------------- */

static int
cmp_wl(const void *a, const void *b)
{
	const struct wl *x = a, *y = b;
	int c = strcmp(x->ns, y->ns);

	return c ? c : strcmp(x->name, y->name);
}

/* The namespaces of the workloads, sorted and unique (borrowed names). */
static int
index_namespaces(struct build *b)
{
	size_t i;
	char **v;

	for (i = 0; i < b->nwl; i++) {
		if (b->nns == 0 || strcmp(b->nss[b->nns - 1], b->wls[i].ns) != 0) {
			if ((v = realloc(b->nss, (b->nns + 1) * sizeof(*v))) == NULL)
				return fp_error("emit: out of memory");
			b->nss = v;
			b->nss[b->nns++] = b->wls[i].ns;
		}
		b->wls[i].nsidx = b->nns - 1;
	}
	return 0;
}

static int
load_workloads(struct build *b)
{
	const struct model_workload *v;
	struct wl *w;
	size_t cap = 0, i, n, errpos;
	const char *ns, *name, *sel;

	if (model_workloads(b->m, &v, &n) < 0)
		return fp_error_prefix("emit");
	for (i = 0; i < n; i++) {
		ns = v[i].ns;
		name = v[i].name;
		sel = v[i].selector;
		/* Names go into selectors and file names: refuse what
		 * Kubernetes would not accept rather than quote it. */
		if (k8s_check_dns_label(ns) != NULL)
			return fp_error("emit: store '%s': workload '%s/%s': "
			    "invalid namespace name", b->path, fp_clamp(ns, 64),
			    fp_clamp(name, 64));
		if (k8s_check_dns_subdomain(name) != NULL)
			return fp_error("emit: store '%s': workload '%s/%s': "
			    "invalid workload name", b->path, ns,
			    fp_clamp(name, 64));
		/* all() (or empty): the learner found no label to tell the
		 * workload apart, nor needed one: it is the whole namespace.
		 * Never write all() itself (it would reach host endpoints). */
		if (strcmp(sel, "all()") == 0)
			sel = "";
		if ((*sel != '\0' && emit_selector_check(sel, &errpos) < 0) ||
		    strlen(sel) > 900)
			return fp_error("emit: store '%s': workload '%s/%s': "
			    "selector '%s' is not a valid Calico selector%s",
			    b->path, ns, name, fp_clamp(sel, 128),
			    strlen(sel) > 900 ? " (too long)" : "");
		if ((w = xgrow(b, b->wls, &cap, b->nwl + 1, sizeof(*w))) == NULL)
			return fp_error("emit: out of memory");
		b->wls = w;
		w = &b->wls[b->nwl++];
		memset(w, 0, sizeof(*w));
		w->ns = xstrdup(b, ns);
		w->name = xstrdup(b, name);
		w->sel = xstrdup(b, sel);
		if (b->oom)
			return fp_error("emit: out of memory");
		w->exempt = in_sorted(b->exempt, b->nexempt, ns);
		w->hostnet = v[i].host_network;
		w->nodelocal = w->hostnet && strcmp(name, "node-local-dns") == 0;
		w->exact = v[i].exact;
		w->also = xstrdup(b, v[i].also_selects);
		/*
		 * The learner could not find labels that select this workload
		 * alone: never widen silently. Say which workloads its policy
		 * would also reach and which label tells it apart; --strict
		 * leaves its allows out.
		 */
		if (!w->exempt && !w->exact && !w->hostnet)
			note(b, "workload %s/%s: selector %s also selects %s%s; add a "
			    "label such as app.kubernetes.io/name: %s to its pod "
			    "template%s", ns, name, fp_clamp(sel, 128),
			    *v[i].also_selects ? "workloads " : "other pods of the "
			    "namespace", fp_clamp(v[i].also_selects, 300), name,
			    b->o->strict ? " (--strict: its allows are left out)" :
			    "; its policy applies to them too");
	}
	/* The model hands them sorted by namespace, name (cmp_wl's order). */
	return index_namespaces(b);
}

static struct wl *
find_wl(struct build *b, const char *ns, const char *name)
{
	struct wl key;

	key.ns = (char *)(uintptr_t)ns;
	key.name = (char *)(uintptr_t)name;
	if (b->nwl == 0)
		return NULL;
	return bsearch(&key, b->wls, b->nwl, sizeof(*b->wls), cmp_wl);
}

/* --dns-selector: keep the namespace found, replace the pods' selector. */
static int
dns_override(struct build *b)
{
	struct dnspeer *d;
	size_t i, errpos;
	char *tmp;

	if (emit_selector_check(b->o->dns_selector, &errpos) < 0)
		return fp_error("emit: --dns-selector '%s': invalid selector at "
		    "byte %zu", fp_clamp(b->o->dns_selector, 128), errpos);
	tmp = xstrdup(b, b->ndns > 0 ? b->dns[0].ns : DNS_DEFAULT_NS);
	for (i = 0; i < b->ndns; i++) {
		free(b->dns[i].ns);
		free(b->dns[i].sel);
	}
	b->ndns = 0;
	if ((d = realloc(b->dns, sizeof(*d))) == NULL) {
		free(tmp);
		return fp_error("emit: out of memory");
	}
	b->dns = d;
	b->dns[0].ns = tmp;
	b->dns[0].sel = xstrdup(b, b->o->dns_selector);
	b->ndns = 1;
	return 0;
}

/*
 * The DNS pods: the workloads in kube-system whose pods carry
 * k8s-app=kube-dns (doc/architecture.md), or --dns-selector. Without
 * either, the cluster default (kube-system, k8s-app == 'kube-dns') with a note.
 */
static int
find_dns(struct build *b)
{
	char **found = NULL, *slash;
	struct wl *x;
	struct dnspeer *d;
	int ret = -1;
	size_t i, nfound = 0;

	/* Only kube-system: a pod elsewhere that copies the label must not
	 * receive every pod's DNS traffic. */
	if (model_workloads_labelled(b->m, DNS_DEFAULT_NS, "k8s-app", "kube-dns",
	    &found, &nfound) < 0) {
		fp_error_prefix("emit");
		goto out;
	}
	for (i = 0; i < nfound; i++) {
		if ((slash = strchr(found[i], '/')) == NULL)
			continue;
		*slash = '\0';
		if ((x = find_wl(b, found[i], slash + 1)) == NULL)
			continue;
		if (b->o->dns_selector == NULL)
			x->dns = 1;
		if ((d = realloc(b->dns, (b->ndns + 1) * sizeof(*d))) == NULL)
			goto oom;
		b->dns = d;
		b->dns[b->ndns].ns = xstrdup(b, x->ns);
		b->dns[b->ndns].sel = xstrdup(b, x->sel);
		b->ndns++;
	}
	if (b->o->dns_selector != NULL) {
		if (dns_override(b) < 0)
			goto out;
	} else if (b->ndns == 0) {
		note(b, "dns: no pods labelled k8s-app=kube-dns in the inventory; "
		    "assuming %s pods with %s", DNS_DEFAULT_NS, DNS_DEFAULT_SEL);
		if ((b->dns = calloc(1, sizeof(*b->dns))) == NULL)
			goto oom;
		b->dns[0].ns = xstrdup(b, DNS_DEFAULT_NS);
		b->dns[0].sel = xstrdup(b, DNS_DEFAULT_SEL);
		b->ndns = 1;
	}
	/* Port 53 to pods the DNS layer already reaches needs no learned rule;
	 * only a workload with exactly that selector is known to be them. */
	for (i = 0; i < b->nwl; i++) {
		size_t k;

		for (k = 0; k < b->ndns; k++)
			if (strcmp(b->wls[i].ns, b->dns[k].ns) == 0 &&
			    strcmp(b->wls[i].sel, b->dns[k].sel) == 0)
				b->wls[i].dns = 1;
	}
	if (b->oom)
		goto oom;
	ret = 0;
	goto out;
oom:
	fp_error("emit: out of memory");
out:
	for (i = 0; i < nfound; i++)
		free(found[i]);
	free(found);
	return ret;
}

/* --- edges to items ----------------------------------------------------- */

struct peer {
	int kind;		/* PEER_*, -1 unknown */
	struct wl *w;		/* PEER_POD; PEER_NODE for a hostNetwork one */
	struct fp_ip ip;
	size_t svc;		/* PEER_SVC, PEER_LB */
};

/* The index of Service ns/name in b->svcs, added if new (ranges: a
 * LoadBalancer's source ranges, NULL for a services match). */
static size_t
svc_index(struct build *b, const char *ns, const char *name,
    const char *ranges)
{
	struct svcref *v;
	size_t i;

	for (i = 0; i < b->nsvcs; i++)
		if (strcmp(b->svcs[i].ns, ns) == 0 &&
		    strcmp(b->svcs[i].name, name) == 0 &&
		    (ranges == NULL) == (b->svcs[i].ranges == NULL))
			return i;
	if ((v = realloc(b->svcs, (b->nsvcs + 1) * sizeof(*v))) == NULL) {
		b->oom = 1;
		return 0;
	}
	b->svcs = v;
	v[b->nsvcs].ns = xstrdup(b, ns);
	v[b->nsvcs].name = xstrdup(b, name);
	v[b->nsvcs].ranges = ranges ? xstrdup(b, ranges) : NULL;
	return b->nsvcs++;
}

/* A parsed edge side to the emitter's peer: workloads must be known. */
static int
to_peer(struct build *b, const struct model_peer *mp, struct peer *p, long row)
{
	char ns[256];

	memset(p, 0, sizeof(*p));
	switch (mp->kind) {
	case MODEL_PEER_NODE:
		p->kind = PEER_NODE;	/* any node: the node set */
		return 0;
	case MODEL_PEER_SERVICE:
		p->kind = PEER_SVC;
		if (mp->nslen >= sizeof(ns))
			return fp_error("emit: store '%s': edge %ld: peer '%s': "
			    "namespace too long", b->path, row,
			    fp_clamp(mp->text, 128));
		p->svc = svc_index(b, model_peer_ns(mp, ns, sizeof(ns)),
		    model_peer_name(mp), NULL);
		return b->oom ? fp_error("emit: out of memory") : 0;
	case MODEL_PEER_EXTERNAL:
		p->kind = PEER_EXT;
		p->ip = mp->ip;
		return 0;
	case MODEL_PEER_UNKNOWN:
		p->kind = -1;
		return 0;
	case MODEL_PEER_WORKLOAD:
		break;
	}
	p->kind = PEER_POD;
	if (mp->nslen >= sizeof(ns) || (p->w = find_wl(b, model_peer_ns(mp, ns,
	    sizeof(ns)), model_peer_name(mp))) == NULL)
		return fp_error("emit: store '%s': edge %ld: workload '%s' "
		    "is not in the workloads table", b->path, row,
		    fp_clamp(mp->text, 128));
	/* A hostNetwork pod is its node's addresses: its peers see the set. */
	if (p->w->hostnet)
		p->kind = PEER_NODE;
	return 0;
}

static void
add_item(struct build *b, size_t subject, int dir, const struct peer *peer,
    int proto, int port)
{
	struct item *it;

	if ((it = xgrow(b, b->items, &b->capitems, b->nitems + 1,
	    sizeof(*it))) == NULL)
		return;
	b->items = it;
	it = &b->items[b->nitems++];
	memset(it, 0, sizeof(*it));
	it->subject = subject;
	it->dir = dir;
	it->pkind = peer->kind;
	if (peer->kind == PEER_POD)
		it->peer = b->nsmode ? peer->w->nsidx : (size_t)(peer->w - b->wls);
	else if (peer->kind == PEER_SVC || peer->kind == PEER_LB)
		it->peer = peer->svc;
	else if (peer->kind == PEER_EXT)
		it->ip = peer->ip;
	if (peer->kind == PEER_NODE)
		b->use_nodeset = 1;
	it->proto = proto;
	it->port = port;
}

/*
 * Workloads no learned edge names: isolated by the default deny (least
 * privilege), but never silently: each is a note, and listed in b->silent.
 */
static int
find_silent(struct build *b)
{
	size_t i, cap = 0;
	char **v;

	for (i = 0; i < b->nwl; i++) {
		const struct wl *w = &b->wls[i];

		if (w->exempt || w->talks)
			continue;
		if ((v = xgrow(b, b->silent, &cap, b->nsilent + 1,
		    sizeof(*v))) == NULL)
			return fp_error("emit: out of memory");
		b->silent = v;
		b->silent[b->nsilent++] = xfmt(b, "%s/%s", w->ns, w->name);
		if (b->o->exempt_silent)
			note(b, "workload %s/%s: never seen talking in the learned "
			    "period: left out of the default deny (--exempt-silent)",
			    w->ns, w->name);
		else
			note(b, "workload %s/%s: never seen talking in the learned "
			    "period: the default deny isolates it (--exempt-silent "
			    "leaves it out)", w->ns, w->name);
	}
	return b->oom ? fp_error("emit: out of memory") : 0;
}

/* Whether an edge can become a rule; a note says why not. */
static int
edge_writable(struct build *b, const struct model_edge *e,
    const struct peer *src, const struct peer *dst)
{
	const char *st = e->src.text, *dt = e->dst.text;
	int proto = e->proto, port = e->port;
	char pb[16], pf[16];

	fp_port_format(proto, port, pf, sizeof(pf));
	if (src->kind < 0 || dst->kind < 0) {
		note(b, "edge %s -> %s %s/%s: unknown peer, not allowed",
		    fp_clamp(st, 64), fp_clamp(dt, 64),
		    proto_lc(proto, pb, sizeof(pb)), pf);
		return 0;
	}
	if (proto < 1 || proto > 255 ||
	    (calico_ports(proto) && (port < 1 || port > 65535)) ||
	    (is_icmp(proto) && (port < 0 || (port >> 8) > 254 ||
	    port > 0xffff))) {
		note(b, "edge %s -> %s proto %d port %d: cannot be written "
		    "as a Calico rule, not allowed", fp_clamp(st, 64),
		    fp_clamp(dt, 64), proto, port);
		return 0;
	}
	/* One address family per ICMP flavour. */
	if (is_icmp(proto) && ((src->kind == PEER_EXT &&
	    (src->ip.len == 16) != (proto == FP_PROTO_ICMPV6)) ||
	    (dst->kind == PEER_EXT &&
	    (dst->ip.len == 16) != (proto == FP_PROTO_ICMPV6)))) {
		note(b, "edge %s -> %s %s: protocol does not match the "
		    "address family, not allowed", fp_clamp(st, 64),
		    fp_clamp(dt, 64), proto_lc(proto, pb, sizeof(pb)));
		return 0;
	}
	return 1;
}

/*
 * Whether a workload gets rules: not exempt, not hostNetwork (Calico gives
 * it no endpoint, so a policy selecting it would do nothing), and with
 * --strict not one whose selector also selects other workloads.
 */
static int
subject_ok(struct build *b, const struct wl *w)
{
	return !w->exempt && !w->hostnet && (!b->o->strict || w->exact);
}

/*
 * src (an external address) calls w on proto/port: when w backs a
 * LoadBalancer Service there, the client is any client of it.
 */
static int
lb_peer(struct build *b, const struct wl *w, int proto, int port,
    struct peer *src)
{
	struct model_lb *lbs = NULL;
	char text[600];
	size_t n = 0;

	snprintf(text, sizeof(text), "%s/%s", w->ns, w->name);
	if (model_lbs_of(b->m, text, proto, port, &lbs, &n) < 0)
		return fp_error_prefix("emit");
	if (n > 0) {
		src->kind = PEER_LB;
		src->svc = svc_index(b, lbs[0].ns, lbs[0].name,
		    lbs[0].source_ranges);
	}
	model_lbs_free(lbs, n);
	return b->oom ? fp_error("emit: out of memory") : 0;
}

static int
load_edges(struct build *b)
{
	struct model_edges *it = NULL;
	struct model_edge e;
	struct peer src, dst;
	int rc, proto, port, ret = -1;

	if (model_edges_open(b->m, &it) < 0) {
		fp_error_prefix("emit");
		goto out;
	}
	while ((rc = model_edges_next(it, &e)) == 1) {
		if (to_peer(b, &e.src, &src, e.row) < 0 ||
		    to_peer(b, &e.dst, &dst, e.row) < 0)
			goto out;
		/* A hostNetwork workload talks too (its peers see the node set). */
		if (src.w != NULL)
			src.w->talks = 1;
		if (dst.w != NULL)
			dst.w->talks = 1;
		if (!edge_writable(b, &e, &src, &dst))
			continue;
		proto = e.proto;
		port = e.port;
		if (!calico_ports(proto) && !is_icmp(proto))
			port = 0;	/* Calico cannot match it */
		if (src.kind != PEER_POD && dst.kind != PEER_POD)
			continue;	/* not pod traffic: no pod policy applies */
		if (src.kind == PEER_POD && dst.w != NULL &&
		    (dst.w->dns || dst.w->nodelocal) &&
		    port == 53 && (proto == FP_PROTO_UDP || proto == FP_PROTO_TCP))
			continue;	/* the DNS layer allows it */
		/* An external client of a LoadBalancer the workload backs. */
		if (src.kind == PEER_EXT && dst.kind == PEER_POD &&
		    lb_peer(b, dst.w, proto, port, &src) < 0)
			goto out;
		if (src.kind == PEER_POD && subject_ok(b, src.w))
			add_item(b, b->nsmode ? src.w->nsidx : (size_t)(src.w - b->wls),
			    PSET_EGRESS, &dst, proto, port);
		if (dst.kind == PEER_POD && subject_ok(b, dst.w))
			add_item(b, b->nsmode ? dst.w->nsidx : (size_t)(dst.w - b->wls),
			    PSET_INGRESS, &src, proto, port);
		if (b->oom) {
			fp_error("emit: out of memory");
			goto out;
		}
	}
	if (rc < 0) {
		fp_error_prefix("emit");
		goto out;
	}
	ret = 0;
out:
	model_edges_close(it);
	return ret;
}

static int
cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c;

	if (x->subject != y->subject)
		return x->subject < y->subject ? -1 : 1;
	if (x->dir != y->dir)
		return x->dir < y->dir ? -1 : 1;	/* ingress first */
	if (x->pkind != y->pkind)
		return x->pkind < y->pkind ? -1 : 1;
	if (x->pkind != PEER_EXT && x->peer != y->peer)
		return x->peer < y->peer ? -1 : 1;
	if (x->pkind == PEER_EXT && (c = fp_ip_cmp(&x->ip, &y->ip)) != 0)
		return c;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return 0;
}

/* --- rules -------------------------------------------------------------- */

/* Runs of three or more consecutive ports become one range; a range is only
 * written where every port in it was seen. */
static size_t
compress_ports(const int *ports, size_t n, struct pset_ports *out)
{
	size_t i = 0, j, k = 0;

	while (i < n) {
		for (j = i; j + 1 < n && ports[j + 1] == ports[j] + 1; j++)
			;
		if (j - i >= 2) {
			out[k].lo = ports[i];
			out[k++].hi = ports[j];
			i = j + 1;
		} else {
			out[k].lo = out[k].hi = ports[i];
			k++;
			i++;
		}
	}
	return k;
}

static void
ports_text(char *buf, size_t len, const struct pset_ports *p, size_t n)
{
	size_t i, off = 0;
	int w;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++) {
		if (p[i].lo == p[i].hi)
			w = snprintf(buf + off, len - off, "%s%d", i ? "," : "", p[i].lo);
		else
			w = snprintf(buf + off, len - off, "%s%d-%d", i ? "," : "",
			    p[i].lo, p[i].hi);
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

/* The text a peer has in evidence and in the header digest. */
static char *
peer_label(struct build *b, const struct item *it)
{
	char ip[FP_IPSTRLEN];

	if (it->pkind == PEER_POD)
		return b->nsmode ? xfmt(b, "namespace %s", b->nss[it->peer]) :
		    xfmt(b, "%s/%s", b->wls[it->peer].ns, b->wls[it->peer].name);
	if (it->pkind == PEER_NODE)
		return xstrdup(b, "the cluster's nodes (" NODESET_NAME ")");
	if (it->pkind == PEER_SVC)
		return xfmt(b, "service %s/%s", b->svcs[it->peer].ns,
		    b->svcs[it->peer].name);
	if (it->pkind == PEER_LB)
		return xfmt(b, "clients of LoadBalancer %s/%s (%s)",
		    b->svcs[it->peer].ns, b->svcs[it->peer].name,
		    *b->svcs[it->peer].ranges ? "its loadBalancerSourceRanges" :
		    "no loadBalancerSourceRanges: anywhere outside the cluster");
	return xfmt(b, "external:%s", fp_ip_format(&it->ip, ip));
}

static char *
subject_label(struct build *b, size_t subject)
{
	return b->nsmode ? xfmt(b, "namespace %s", b->nss[subject]) :
	    xfmt(b, "%s/%s", b->wls[subject].ns, b->wls[subject].name);
}

/* A rule "shape": what a group of items shares (protocol and ports). */
struct shape {
	int proto;
	int icmp_type, icmp_code;	/* -1 unless ICMP */
	struct pset_ports *ports;	/* compressed */
	size_t nports;
};

static struct pset_rule *
new_rule(struct build *b, struct pset_policy *p, int dir)
{
	struct pset_rule **v = dir == PSET_INGRESS ? &p->ingress : &p->egress;
	size_t *n = dir == PSET_INGRESS ? &p->ningress : &p->negress;
	struct pset_rule *r;

	if ((r = realloc(*v, (*n + 1) * sizeof(*r))) == NULL) {
		b->oom = 1;
		return NULL;
	}
	*v = r;
	r = &r[(*n)++];
	memset(r, 0, sizeof(*r));
	r->icmp_type = r->icmp_code = -1;
	return r;
}

/*
 * Add the rules for one shape: peers is either one pod peer (its entity in
 * pe) or a list of addresses (nets, all one family). Ports are split into
 * rules of at most MAX_PORTS_PER_RULE entries and nets into rules of at
 * most MAX_NETS_PER_RULE.
 */
/* Append text to an entity's nets or notNets. */
static void
add_net(struct build *b, char ***v, size_t *n, const char *text)
{
	char **p;

	if ((p = realloc(*v, (*n + 1) * sizeof(*p))) == NULL) {
		b->oom = 1;
		return;
	}
	*v = p;
	p[(*n)++] = xstrdup(b, text);
}

/*
 * The entity of a peer that is not a workload: the node set by its label,
 * a Service by services match, or a LoadBalancer's clients in family fam
 * (its source ranges of that family, else anywhere, minus the cluster's
 * own ranges so that other pods do not ride on it).
 */
static int
non_pod_peer(struct build *b, struct pset_rule *r, struct pset_entity *e,
    const struct item *it, int fam)
{
	const struct svcref *v;
	char buf[64];
	const char *t;
	size_t i, n;
	struct fp_ip ip;
	int prefix;

	switch (it->pkind) {
	case PEER_NODE:
		e->selector = xstrdup(b, NODESET_KEY " == '" NODESET_VALUE "'");
		return 0;
	case PEER_SVC:
		e->svc_ns = xstrdup(b, b->svcs[it->peer].ns);
		e->svc_name = xstrdup(b, b->svcs[it->peer].name);
		return 0;
	case PEER_LB:
		break;
	default:
		return 0;
	}
	v = &b->svcs[it->peer];
	r->ip_version = fam;
	for (t = v->ranges; t != NULL && *t != '\0';) {
		n = strcspn(t, ",");
		if (n < sizeof(buf)) {
			memcpy(buf, t, n);
			buf[n] = '\0';
			if (fp_cidr_parse(&ip, &prefix, buf) == 0 &&
			    (ip.len == 16 ? 6 : 4) == fam)
				add_net(b, &e->nets, &e->nnets, buf);
		}
		t += n + (t[n] == ',');
	}
	if (*v->ranges == '\0') {
		add_net(b, &e->nets, &e->nnets, fam == 4 ? "0.0.0.0/0" : "::/0");
		for (i = 0; i < b->ncluster_nets; i++)
			if (fp_cidr_parse(&ip, &prefix, b->cluster_nets[i]) == 0 &&
			    (ip.len == 16 ? 6 : 4) == fam)
				add_net(b, &e->not_nets, &e->nnot_nets,
				    b->cluster_nets[i]);
	}
	return 0;
}

/* The families a LoadBalancer's clients come in: its ranges', else both. */
static int
lb_families(const struct build *b, const struct item *it)
{
	const char *r = b->svcs[it->peer].ranges;
	int fams = 0;

	if (*r == '\0')
		return 4 | 6 << 4;
	if (strchr(r, '.') != NULL)
		fams |= 4;
	if (strchr(r, ':') != NULL)
		fams |= 6 << 4;
	return fams;
}

static void add_rules1(struct build *b, struct pset_policy *p, int dir,
    size_t subject, const struct shape *sh, const struct item *pod,
    const struct item *const *nets, size_t nnets, int ipver_lb);

static void
add_rules(struct build *b, struct pset_policy *p, int dir, size_t subject,
    const struct shape *sh, const struct item *pod, const struct item *const *nets,
    size_t nnets)
{
	int fams;

	if (pod == NULL || pod->pkind != PEER_LB) {
		add_rules1(b, p, dir, subject, sh, pod, nets, nnets, 0);
		return;
	}
	fams = lb_families(b, pod);
	if (fams & 4)
		add_rules1(b, p, dir, subject, sh, pod, nets, nnets, 4);
	if (fams & (6 << 4))
		add_rules1(b, p, dir, subject, sh, pod, nets, nnets, 6);
}

static void
add_rules1(struct build *b, struct pset_policy *p, int dir, size_t subject,
    const struct shape *sh, const struct item *pod, const struct item *const *nets,
    size_t nnets, int ipver_lb)
{
	size_t pi, ni, k, pn, nn;
	struct pset_rule *r;
	struct pset_entity *peer, *dst;
	char pb[16], ptxt[512], *plabel = NULL, *slabel, *tmp;
	int ipver = 0;

	slabel = subject_label(b, subject);
	for (ni = 0; ni < (pod != NULL ? 1 : nnets); ni += MAX_NETS_PER_RULE) {
		nn = pod != NULL ? 0 : nnets - ni;
		if (nn > MAX_NETS_PER_RULE)
			nn = MAX_NETS_PER_RULE;
		for (pi = 0; pi < (sh->nports ? sh->nports : 1);
		    pi += MAX_PORTS_PER_RULE) {
			pn = sh->nports - (sh->nports ? pi : 0);
			if (pn > MAX_PORTS_PER_RULE)
				pn = MAX_PORTS_PER_RULE;
			if ((r = new_rule(b, p, dir)) == NULL)
				goto out;
			r->proto = sh->proto;
			r->icmp_type = sh->icmp_type;
			r->icmp_code = sh->icmp_code;
			peer = dir == PSET_INGRESS ? &r->src : &r->dst;
			dst = &r->dst;
			free(plabel);
			plabel = NULL;
			if (pod != NULL && pod->pkind != PEER_POD) {
				plabel = peer_label(b, pod);
				if (non_pod_peer(b, r, peer, pod, ipver_lb) < 0)
					goto out;
			} else if (pod != NULL) {
				plabel = peer_label(b, pod);
				if (b->nsmode) {
					peer->ns_selector = xfmt(b,
					    "projectcalico.org/name == '%s'",
					    b->nss[pod->peer]);
				} else {
					peer->ns_selector = xfmt(b,
					    "projectcalico.org/name == '%s'",
					    b->wls[pod->peer].ns);
					if (*b->wls[pod->peer].sel != '\0')
						peer->selector = xstrdup(b,
						    b->wls[pod->peer].sel);
				}
			} else {
				if ((peer->nets = calloc(nn, sizeof(char *))) == NULL) {
					b->oom = 1;
					goto out;
				}
				for (k = 0; k < nn; k++) {
					char ip[FP_IPSTRLEN];
					const struct item *it = nets[ni + k];

					ipver = it->ip.len == 16 ? 6 : 4;
					peer->nets[peer->nnets++] = xfmt(b, "%s/%d",
					    fp_ip_format(&it->ip, ip), ipver == 6 ? 128 : 32);
					tmp = peer_label(b, it);
					if (plabel == NULL) {
						plabel = tmp;
					} else {
						char *j = xfmt(b, "%s, %s", plabel,
						    tmp ? tmp : "");
						free(plabel);
						free(tmp);
						plabel = j;
					}
				}
				r->ip_version = ipver;
			}
			/* A services match carries the Service's ports. */
			if (pn > 0 && !(pod != NULL && pod->pkind == PEER_SVC &&
			    dir == PSET_EGRESS)) {
				if ((dst->ports = calloc(pn, sizeof(*dst->ports))) == NULL) {
					b->oom = 1;
					goto out;
				}
				memcpy(dst->ports, sh->ports + pi, pn * sizeof(*dst->ports));
				dst->nports = pn;
			}
			if (plabel == NULL || slabel == NULL)
				goto out;
			r->evidence = dir == PSET_INGRESS ?
			    xfmt(b, "%s -> %s", plabel, slabel) :
			    xfmt(b, "%s -> %s", slabel, plabel);
			if (is_icmp(sh->proto))
				snprintf(ptxt, sizeof(ptxt), "type %d code %d",
				    sh->icmp_type, sh->icmp_code);
			else
				ports_text(ptxt, sizeof(ptxt), dst->ports, dst->nports);
			r->summary = xfmt(b, "%s %s%s%s %s %s",
			    dir == PSET_INGRESS ? "ingress" : "egress",
			    proto_lc(sh->proto, pb, sizeof(pb)),
			    is_icmp(sh->proto) ? " " : *ptxt ? "/" : "", ptxt,
			    dir == PSET_INGRESS ? "from" : "to", plabel);
		}
	}
out:
	free(plabel);
	free(slabel);
}

/* The shape of items[i..j) (same peer, same protocol); ICMP makes one
 * shape per type/code, so *next says where this shape ends. */
static int
item_shape(struct build *b, const struct item *items, size_t i, size_t j,
    struct shape *sh, size_t *next)
{
	int *raw;
	size_t k, n = 0;

	memset(sh, 0, sizeof(*sh));
	sh->proto = items[i].proto;
	sh->icmp_type = sh->icmp_code = -1;
	if (is_icmp(sh->proto)) {
		sh->icmp_type = items[i].port >> 8;
		sh->icmp_code = items[i].port & 0xff;
		*next = i + 1;
		return 0;
	}
	*next = j;
	if (!calico_ports(sh->proto))
		return 0;
	if ((raw = calloc(j - i, sizeof(*raw))) == NULL ||
	    (sh->ports = calloc(j - i, sizeof(*sh->ports))) == NULL) {
		free(raw);
		b->oom = 1;
		return -1;
	}
	for (k = i; k < j; k++)
		if (n == 0 || raw[n - 1] != items[k].port)
			raw[n++] = items[k].port;
	sh->nports = compress_ports(raw, n, sh->ports);
	free(raw);
	return 0;
}

static int
shape_cmp(const struct shape *x, const struct shape *y)
{
	size_t i;

	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->icmp_type != y->icmp_type)
		return x->icmp_type < y->icmp_type ? -1 : 1;
	if (x->icmp_code != y->icmp_code)
		return x->icmp_code < y->icmp_code ? -1 : 1;
	for (i = 0; i < x->nports && i < y->nports; i++) {
		if (x->ports[i].lo != y->ports[i].lo)
			return x->ports[i].lo < y->ports[i].lo ? -1 : 1;
		if (x->ports[i].hi != y->ports[i].hi)
			return x->ports[i].hi < y->ports[i].hi ? -1 : 1;
	}
	if (x->nports != y->nports)
		return x->nports < y->nports ? -1 : 1;
	return 0;
}

/* An address peer with its shape, for grouping addresses into nets. */
struct netent {
	int ipver;
	struct shape sh;
	const struct item *it;
};

static int
cmp_netent(const void *a, const void *b)
{
	const struct netent *x = a, *y = b;
	int c;

	if (x->ipver != y->ipver)
		return x->ipver < y->ipver ? -1 : 1;
	if ((c = shape_cmp(&x->sh, &y->sh)) != 0)
		return c;
	return fp_ip_cmp(&x->it->ip, &y->it->ip);
}

/* Rules of one direction of one subject from its sorted items. */
static void
direction_rules(struct build *b, struct pset_policy *p, const struct item *it,
    size_t n)
{
	struct netent *ne = NULL;
	const struct item **nets = NULL;
	struct shape sh;
	size_t i, j, next, nne = 0, k;

	/* pods, the node set, Services: one group per (peer, protocol) */
	for (i = 0; i < n && it[i].pkind != PEER_EXT; i = j) {
		for (j = i; j < n && it[j].pkind == it[i].pkind &&
		    it[j].peer == it[i].peer && it[j].proto == it[i].proto; j++)
			;
		for (k = i; k < j; k = next) {
			if (item_shape(b, it, k, j, &sh, &next) < 0)
				goto out;
			add_rules(b, p, it[i].dir, it[i].subject, &sh, &it[k], NULL, 0);
			free(sh.ports);
		}
	}
	/* addresses: their shapes, then one rule per (family, shape) */
	if (i < n && (ne = calloc(n - i, sizeof(*ne))) == NULL) {
		b->oom = 1;
		goto out;
	}
	for (; i < n; i = j) {
		for (j = i; j < n && fp_ip_cmp(&it[j].ip, &it[i].ip) == 0 &&
		    it[j].pkind == it[i].pkind && it[j].proto == it[i].proto; j++)
			;
		for (k = i; k < j; k = next) {
			if (item_shape(b, it, k, j, &ne[nne].sh, &next) < 0)
				goto out;
			ne[nne].ipver = it[k].ip.len == 16 ? 6 : 4;
			ne[nne++].it = &it[k];
		}
	}
	if (nne == 0)
		goto out;
	sort(ne, nne, sizeof(*ne), cmp_netent);
	if ((nets = calloc(nne, sizeof(*nets))) == NULL) {
		b->oom = 1;
		goto out;
	}
	for (i = 0; i < nne; i = j) {
		for (j = i; j < nne && ne[j].ipver == ne[i].ipver &&
		    shape_cmp(&ne[j].sh, &ne[i].sh) == 0; j++)
			nets[j - i] = ne[j].it;
		add_rules(b, p, ne[i].it->dir, ne[i].it->subject, &ne[i].sh, NULL,
		    nets, j - i);
	}
out:
	for (i = 0; i < nne; i++)
		free(ne[i].sh.ports);
	free(ne);
	free(nets);
}

/* --- policies ----------------------------------------------------------- */

static struct pset_policy *
new_policy(struct build *b)
{
	struct pset_policy *p;

	if ((p = xgrow(b, b->pols, &b->cappols, b->npols + 1, sizeof(*p))) == NULL)
		return NULL;
	b->pols = p;
	p = &b->pols[b->npols++];
	memset(p, 0, sizeof(*p));
	return p;
}

/* The pods the default deny and the DNS layer cover: Kubernetes pods
 * only (host endpoints lack projectcalico.org/orchestrator;
 * doc/calico-semantics.md 2.3, 7), in the given namespaces or outside the
 * exempt ones. */
static char *
pods_selector(struct build *b, char *const *in, size_t nin, char *const *out,
    size_t nout)
{
	char *s1 = NULL, *r;

	if (nin > 0) {
		s1 = set_literal(b, in, nin);
		r = xfmt(b, "projectcalico.org/orchestrator == 'k8s' && "
		    "projectcalico.org/namespace in %s", s1 ? s1 : "");
	} else if (nout > 0) {
		s1 = set_literal(b, out, nout);
		r = xfmt(b, "projectcalico.org/orchestrator == 'k8s' && "
		    "projectcalico.org/namespace not in %s", s1 ? s1 : "");
	} else {
		r = xstrdup(b, "projectcalico.org/orchestrator == 'k8s'");
	}
	free(s1);
	return r;
}

static char *
list_text(struct build *b, char *const *v, size_t n)
{
	char *s = xstrdup(b, ""), *t;
	size_t i;

	for (i = 0; i < n && s != NULL; i++) {
		t = xfmt(b, "%s%s%s", s, i ? ", " : "", v[i]);
		free(s);
		s = t;
	}
	return s;
}

/* CIDR text by family, then address, then prefix. */
static int
cmp_net(const void *x, const void *y)
{
	struct fp_ip a, b;
	int pa, pb, c;

	if (fp_cidr_parse(&a, &pa, *(char *const *)x) < 0 ||
	    fp_cidr_parse(&b, &pb, *(char *const *)y) < 0)
		return strcmp(*(char *const *)x, *(char *const *)y);
	if (a.len != b.len)
		return a.len < b.len ? -1 : 1;
	if ((c = fp_ip_cmp(&a, &b)) != 0)
		return c;
	return (pa > pb) - (pa < pb);
}

/* Comma-separated CIDRs or addresses into a list (bare ones as /32, /128). */
static int
split_nets(struct build *b, const char *t, const char *what, char ***v,
    size_t *n)
{
	char buf[64], out[80], ip[FP_IPSTRLEN];
	struct fp_ip a;
	size_t k;
	int prefix;

	while (t != NULL && *t != '\0') {
		k = strcspn(t, ",");
		if (k >= sizeof(buf) || (memcpy(buf, t, k), buf[k] = '\0',
		    fp_cidr_parse(&a, &prefix, buf) < 0))
			return fp_error("emit: %s '%s': not an address or CIDR", what,
			    fp_clamp(t, 64));
		snprintf(out, sizeof(out), "%s/%d", fp_ip_format(&a, ip), prefix);
		add_net(b, v, n, out);
		t += k + (t[k] == ',');
	}
	return b->oom ? fp_error("emit: out of memory") : 0;
}

/*
 * The cluster's pod and service ranges among learn's cluster ranges: single
 * addresses (nodes) dropped, ranges inside another dropped, sorted by
 * address. A load balancer's "anywhere" excludes them.
 */
static void
cluster_ranges(struct build *b)
{
	struct fp_ip a[2];
	unsigned char *keep;
	int pf[2];
	size_t i, j, k = 0;

	if ((keep = calloc(b->ncluster_nets + 1, 1)) == NULL) {
		b->oom = 1;
		return;
	}
	for (i = 0; i < b->ncluster_nets; i++) {
		keep[i] = fp_cidr_parse(&a[0], &pf[0], b->cluster_nets[i]) == 0 &&
		    pf[0] < a[0].len * 8;
		for (j = 0; keep[i] && j < b->ncluster_nets; j++) {
			if (j == i || fp_cidr_parse(&a[1], &pf[1],
			    b->cluster_nets[j]) < 0 || pf[1] >= a[1].len * 8)
				continue;
			if (fp_ip_in_net(&a[0], &a[1], pf[1]) &&
			    (pf[1] < pf[0] || (pf[1] == pf[0] && j < i)))
				keep[i] = 0;
		}
	}
	for (i = 0; i < b->ncluster_nets; i++) {
		if (keep[i])
			b->cluster_nets[k++] = b->cluster_nets[i];
		else
			free(b->cluster_nets[i]);
	}
	free(keep);
	b->ncluster_nets = k;
	sort(b->cluster_nets, k, sizeof(char *), cmp_net);
}

/*
 * DNS the cluster serves by address, not by pods: NodeLocal DNSCache (learn
 * found its 169.254.20.10 and the kube-dns ClusterIPs it answers on,
 * untranslated) and --dns-address; and the cluster's ranges for the
 * notNets of a load balancer's "anywhere".
 */
static int
load_addresses(struct build *b)
{
	char *t = NULL;
	size_t i;
	int ret = -1;

	if (model_dns_addresses(b->m, &t) < 0) {
		fp_error_prefix("emit");
		goto out;
	}
	if (split_nets(b, t, "learned DNS address", &b->dns_nets,
	    &b->ndns_nets) < 0)
		goto out;
	for (i = 0; i < b->o->ndns_addresses; i++)
		if (split_nets(b, b->o->dns_addresses[i], "--dns-address",
		    &b->dns_nets, &b->ndns_nets) < 0)
			goto out;
	sort(b->dns_nets, b->ndns_nets, sizeof(char *), fp_cmp_str);
	free(t);
	t = NULL;
	if (model_cluster_cidrs(b->m, &t) < 0) {
		fp_error_prefix("emit");
		goto out;
	}
	if (split_nets(b, t, "learned cluster range", &b->cluster_nets,
	    &b->ncluster_nets) < 0)
		goto out;
	cluster_ranges(b);
	ret = 0;
out:
	free(t);
	return ret;
}

static void
dns_rules(struct build *b, struct pset_policy *p, int dir)
{
	static const int protos[] = { FP_PROTO_UDP, FP_PROTO_TCP };
	struct pset_rule *r;
	size_t k, i, f, j;
	char pb[16];

	/* DNS by address (egress only), one rule per family and protocol */
	for (f = 4; dir == PSET_EGRESS && f <= 6; f += 2) {
		for (i = 0; i < 2; i++) {
			r = NULL;
			for (j = 0; j < b->ndns_nets; j++) {
				if ((strchr(b->dns_nets[j], ':') != NULL) != (f == 6))
					continue;
				if (r == NULL) {
					if ((r = new_rule(b, p, dir)) == NULL ||
					    (r->dst.ports = calloc(1,
					    sizeof(*r->dst.ports))) == NULL) {
						b->oom = 1;
						return;
					}
					r->proto = protos[i];
					r->ip_version = (int)f;
					r->dst.ports[0].lo = r->dst.ports[0].hi = 53;
					r->dst.nports = 1;
				}
				add_net(b, &r->dst.nets, &r->dst.nnets, b->dns_nets[j]);
			}
			if (r != NULL)
				r->summary = xfmt(b, "egress %s/53 to DNS at IPv%zu "
				    "addresses (NodeLocal DNSCache or --dns-address)",
				    proto_lc(protos[i], pb, sizeof(pb)), f);
		}
	}

	for (k = 0; k < b->ndns; k++) {
		for (i = 0; i < 2; i++) {
			if ((r = new_rule(b, p, dir)) == NULL)
				return;
			r->proto = protos[i];
			if ((r->dst.ports = calloc(1, sizeof(*r->dst.ports))) == NULL) {
				b->oom = 1;
				return;
			}
			r->dst.ports[0].lo = r->dst.ports[0].hi = 53;
			r->dst.nports = 1;
			if (dir == PSET_EGRESS) {
				r->dst.ns_selector = xfmt(b,
				    "projectcalico.org/name == '%s'", b->dns[k].ns);
				r->dst.selector = xstrdup(b, b->dns[k].sel);
				r->summary = xfmt(b, "egress %s/53 to dns pods %s in "
				    "namespace %s", proto_lc(protos[i], pb, sizeof(pb)),
				    b->dns[k].sel, b->dns[k].ns);
			} else {
				r->src.selector = xstrdup(b,
				    "projectcalico.org/orchestrator == 'k8s'");
				r->summary = xfmt(b, "ingress %s/53 from every pod",
				    proto_lc(protos[i], pb, sizeof(pb)));
			}
		}
	}
}

static int
enforced_ns(struct build *b, const char *ns)
{
	if (b->o->staged)
		return 0;
	return b->nenforce == 0 || in_sorted(b->enforce, b->nenforce, ns);
}

/*
 * --exempt-silent: the default deny (and so the DNS layer, which copies its
 * selector) leaves out the pods of every silent workload.
 */
static void
without_silent(struct build *b, struct pset_policy *p)
{
	char *sel = p->selector, *next;
	size_t i;

	for (i = 0; i < b->nwl && sel != NULL; i++) {
		const struct wl *w = &b->wls[i];

		if (w->exempt || w->talks)
			continue;
		next = *w->sel == '\0' ?
		    xfmt(b, "%s && projectcalico.org/namespace != '%s'", sel,
		    w->ns) :
		    xfmt(b, "%s && !(projectcalico.org/namespace == '%s' && (%s))",
		    sel, w->ns, w->sel);
		free(sel);
		sel = next;
	}
	p->selector = sel;
	next = xfmt(b, "%s, except the %zu workloads never seen talking",
	    p->about ? p->about : "", b->nsilent);
	free(p->about);
	p->about = next;
}

/* The first DNS peer outside the exempt namespaces gets one ingress
 * policy from every pod. */
static void
dns_ingress_policy(struct build *b)
{
	struct pset_policy *p;
	struct dnspeer *save = b->dns;
	size_t k, nsave = b->ndns;
	char *nsc;

	for (k = 0; k < b->ndns; k++)
		if (!in_sorted(b->exempt, b->nexempt, b->dns[k].ns))
			break;
	if (k == b->ndns || (p = new_policy(b)) == NULL)
		return;
	p->name = xfmt(b, "flowpol-allow-dns-ingress");
	p->staged = !enforced_ns(b, b->dns[k].ns);
	p->order_centi = ORDER_DNS_IN;
	p->types = PSET_INGRESS;
	nsc = xfmt(b, "projectcalico.org/namespace == '%s'", b->dns[k].ns);
	p->selector = nsc ? and_selector(b, nsc, b->dns[k].sel) : NULL;
	free(nsc);
	p->about = xfmt(b, "DNS from every pod to the kube-dns pods of "
	    "namespace %s, which is not exempt", b->dns[k].ns);
	/* one policy for all DNS peers: rules for this one only */
	b->dns = &save[k];
	b->ndns = 1;
	dns_rules(b, p, PSET_INGRESS);
	b->dns = save;
	b->ndns = nsave;
}

static void
layer_policies(struct build *b)
{
	struct pset_policy *p;
	char **outside = NULL, *ex, *en;
	size_t nout = 0, i;
	int split = b->nenforce > 0 && !b->o->staged;

	ex = list_text(b, b->exempt, b->nexempt);
	en = list_text(b, b->enforce, b->nenforce);
	/* namespaces the staged half covers: exempt ∪ enforced stay out */
	if (split) {
		if ((outside = calloc(b->nexempt + b->nenforce, sizeof(*outside))) == NULL) {
			b->oom = 1;
			goto out;
		}
		for (i = 0; i < b->nexempt; i++)
			outside[nout++] = b->exempt[i];
		for (i = 0; i < b->nenforce; i++)
			outside[nout++] = b->enforce[i];
		sort(outside, nout, sizeof(*outside), fp_cmp_str);
	}

	for (i = 0; i < (split ? 2u : 1u); i++) {
		int staged = b->o->staged || i == 1;
		const char *sfx = i == 1 ? "-staged" : "";

		/* layer 1: default deny */
		if ((p = new_policy(b)) == NULL)
			goto out;
		p->name = xfmt(b, "flowpol-default-deny%s", sfx);
		p->staged = staged;
		p->order_centi = ORDER_DENY + (long)i * 100;
		p->types = PSET_INGRESS | PSET_EGRESS;
		p->selector = split && i == 0 ?
		    pods_selector(b, b->enforce, b->nenforce, NULL, 0) :
		    split ? pods_selector(b, NULL, 0, outside, nout) :
		    pods_selector(b, NULL, 0, b->exempt, b->nexempt);
		p->about = split && i == 0 ?
		    xfmt(b, "default deny for pods in %s", en ? en : "") :
		    xfmt(b, "default deny for pods outside %s%s%s",
		    b->nexempt ? ex : "(no exempt namespaces)",
		    split ? ", " : "", split ? en : "");
		if (b->o->exempt_silent && b->nsilent > 0)
			without_silent(b, p);

		/* layer 2: DNS egress for the same pods */
		if ((p = new_policy(b)) == NULL)
			goto out;
		p->name = xfmt(b, "flowpol-allow-dns%s", sfx);
		p->staged = staged;
		p->order_centi = ORDER_DNS + (long)i * 100;
		p->types = PSET_EGRESS;
		p->selector = xstrdup(b, b->pols[b->npols - 2].selector);
		p->about = xstrdup(b, "DNS to the kube-dns pods for the pods the "
		    "default deny covers");
		dns_rules(b, p, PSET_EGRESS);
	}
	/* kube-dns under the default deny needs its ingress opened too */
	dns_ingress_policy(b);
out:
	free(outside);
	free(ex);
	free(en);
}

static int
cmp_pol_name(const void *a, const void *b)
{
	return strcmp(((const struct pset_policy *)a)->name,
	    ((const struct pset_policy *)b)->name);
}

/* Rules past the limit move from (from, nfrom) to a new (to, nto). 0 or -1. */
static int
move_overflow(struct pset_rule **from, size_t *nfrom, struct pset_rule **to,
    size_t *nto)
{
	size_t n;

	if (*nfrom <= MAX_RULES_PER_POLICY)
		return 0;
	n = *nfrom - MAX_RULES_PER_POLICY;
	if ((*to = calloc(n, sizeof(**to))) == NULL)
		return -1;
	memcpy(*to, *from + MAX_RULES_PER_POLICY, n * sizeof(**to));
	*nto = n;
	*nfrom = MAX_RULES_PER_POLICY;
	return 0;
}

/*
 * Calico's master CRD allows at most 1024 ingress and 1024 egress rules per
 * policy (doc/calico-semantics.md 8). A workload with more goes on in
 * "-partN" policies with the same selector: a packet no rule of one
 * matches goes on to the next, so the set allows the same.
 */
static void
split_policy(struct build *b, size_t idx)
{
	struct pset_policy *p, *q;
	size_t k, part = 2, base;
	char *stem, *about;

	if ((stem = xstrdup(b, b->pols[idx].name)) == NULL)
		return;
	if ((about = xstrdup(b, b->pols[idx].about)) == NULL) {
		free(stem);
		return;
	}
	base = strlen(stem);
	if (base > EMIT_NAME_MAX - 8)
		stem[base = EMIT_NAME_MAX - 8] = '\0';
	while (base > 0 && stem[base - 1] == '-')
		stem[--base] = '\0';
	while (b->pols[idx].ningress > MAX_RULES_PER_POLICY ||
	    b->pols[idx].negress > MAX_RULES_PER_POLICY) {
		k = b->npols;
		if (new_policy(b) == NULL)
			break;
		p = &b->pols[idx];
		q = &b->pols[k];
		q->staged = p->staged;
		q->types = p->types;
		q->selector = xstrdup(b, p->selector);
		q->name = xfmt(b, "%s-part%zu", stem, part);
		q->about = xfmt(b, "%s (part %zu)", about, part);
		if (move_overflow(&p->ingress, &p->ningress, &q->ingress,
		    &q->ningress) < 0 || move_overflow(&p->egress, &p->negress,
		    &q->egress, &q->negress) < 0) {
			b->oom = 1;
			break;
		}
		idx = k;
		part++;
	}
	free(stem);
	free(about);
}

/* A silent workload of ns that is the whole namespace (no selector). */
static int
silent_whole_ns(const struct build *b, const char *ns)
{
	size_t i;

	for (i = 0; i < b->nwl; i++)
		if (!b->wls[i].talks && *b->wls[i].sel == '\0' &&
		    strcmp(b->wls[i].ns, ns) == 0)
			return 1;
	return 0;
}

/* A namespace policy's selector less the silent workloads of ns. */
static char *
ns_without_silent(struct build *b, const char *ns, char *sel)
{
	char *out = sel, *next;
	size_t i;

	for (i = 0; i < b->nwl && out != NULL; i++) {
		if (b->wls[i].talks || strcmp(b->wls[i].ns, ns) != 0)
			continue;
		next = xfmt(b, "%s && !(%s)", out, b->wls[i].sel);
		if (out != sel)
			free(out);
		out = next;
	}
	return out;
}

static void
learned_policies(struct build *b)
{
	struct pset_policy *p;
	size_t nsub = b->nsmode ? b->nns : b->nwl, s, i = 0, j, d;

	for (s = 0; s < nsub; s++) {
		const char *ns = b->nsmode ? b->nss[s] : b->wls[s].ns;
		char *nsc;

		if (in_sorted(b->exempt, b->nexempt, ns))
			continue;
		if (!b->nsmode && !subject_ok(b, &b->wls[s]))
			continue;	/* hostNetwork, or --strict and inexact */
		/*
		 * --exempt-silent: no policy may select a silent workload's
		 * pods, or Calico's end-of-tier drop would isolate them anyway.
		 */
		if (b->o->exempt_silent && (b->nsmode ? silent_whole_ns(b, ns) :
		    !b->wls[s].talks))
			continue;
		if ((p = new_policy(b)) == NULL)
			return;
		p->staged = !enforced_ns(b, ns);
		p->types = PSET_INGRESS | PSET_EGRESS;
		nsc = xfmt(b, "projectcalico.org/namespace == '%s'", ns);
		if (b->nsmode) {
			p->name = emit_policy_name("ns", ns);
			p->selector = b->o->exempt_silent ?
			    ns_without_silent(b, ns, nsc) : nsc;
			if (p->selector != nsc)
				free(nsc);
			nsc = NULL;
			p->about = xfmt(b, "learned allows for namespace %s "
			    "(namespace granularity)", ns);
		} else {
			p->name = emit_policy_name(ns, b->wls[s].name);
			p->selector = nsc ? and_selector(b, nsc, b->wls[s].sel) : NULL;
			if (b->wls[s].exact)
				p->about = xfmt(b, "learned allows for workload "
				    "%s/%s", ns, b->wls[s].name);
			else
				p->about = xfmt(b, "learned allows for workload "
				    "%s/%s; its selector also selects %s: add a label "
				    "such as app.kubernetes.io/name: %s to its pod "
				    "template", ns, b->wls[s].name,
				    *b->wls[s].also ? b->wls[s].also : "other pods",
				    b->wls[s].name);
		}
		free(nsc);
		if (p->name == NULL)
			b->oom = 1;
		/* this subject's items, per direction (items sorted by subject) */
		while (i < b->nitems && b->items[i].subject < s)
			i++;
		for (; i < b->nitems && b->items[i].subject == s; i = j) {
			d = (size_t)b->items[i].dir;
			for (j = i; j < b->nitems && b->items[j].subject == s &&
			    (size_t)b->items[j].dir == d; j++)
				;
			direction_rules(b, p, &b->items[i], j - i);
		}
		split_policy(b, (size_t)(p - b->pols));
	}
}

/* Names unique across the set: every policy whose name clashes (with a
 * layer or with another subject, e.g. "a-b/c" and "a/b-c") gets a hash of
 * its subject appended. Learned policies get order slots from a hash of
 * their name, probing in name order on a clash. */
static int
finish_names_orders(struct build *b, size_t first_learned)
{
	unsigned char *used = NULL, *dup = NULL;
	size_t i, j, n = b->npols - first_learned, tries;
	uint64_t slot;
	char *nn, key[700];
	int ret = -1, clash;

	if ((dup = calloc(b->npols + 1, 1)) == NULL) {
		fp_error("emit: out of memory");
		goto out;
	}
	sort(b->pols + first_learned, n, sizeof(*b->pols), cmp_pol_name);
	for (tries = 0; tries < 8; tries++) {
		clash = 0;
		memset(dup, 0, b->npols);
		for (i = first_learned; i < b->npols; i++) {
			for (j = 0; j < first_learned; j++)
				if (strcmp(b->pols[i].name, b->pols[j].name) == 0)
					dup[i] = 1;
			if (i + 1 < b->npols &&
			    strcmp(b->pols[i].name, b->pols[i + 1].name) == 0)
				dup[i] = dup[i + 1] = 1;
		}
		for (i = first_learned; i < b->npols; i++) {
			if (!dup[i])
				continue;
			clash = 1;
			/* the subject's identity is in "about" */
			snprintf(key, sizeof(key), "%s#%zu", b->pols[i].about, tries);
			if ((nn = emit_name_with_hash(b->pols[i].name, key)) == NULL) {
				fp_error("emit: out of memory");
				goto out;
			}
			free(b->pols[i].name);
			b->pols[i].name = nn;
		}
		sort(b->pols + first_learned, n, sizeof(*b->pols), cmp_pol_name);
		if (!clash)
			break;
	}
	if (n > LEARNED_SLOTS) {
		fp_error("emit: %zu policies: more than %d learned policies", n,
		    LEARNED_SLOTS);
		goto out;
	}
	if ((used = calloc(LEARNED_SLOTS, 1)) == NULL) {
		fp_error("emit: out of memory");
		goto out;
	}
	for (i = first_learned; i < b->npols; i++) {
		slot = fp_fnv1a64(b->pols[i].name, strlen(b->pols[i].name)) %
		    LEARNED_SLOTS;
		while (used[slot])
			slot = (slot + 1) % LEARNED_SLOTS;
		used[slot] = 1;
		b->pols[i].order_centi = ORDER_LEARNED + (long)slot;
	}
	/* Calico's master CRD caps every selector at 1024 characters. */
	for (i = 0; i < b->npols; i++) {
		if (strlen(b->pols[i].selector) > 1024) {
			fp_error("emit: policy '%s': selector of %zu characters, "
			    "more than Calico's 1024 (too many exempt or enforced "
			    "namespaces?)", b->pols[i].name, strlen(b->pols[i].selector));
			goto out;
		}
	}
	for (i = 0; i < b->npols; i++) {
		if (calico_check_policy_name(b->pols[i].name, 0) != NULL ||
		    (i > 0 && i >= first_learned &&
		    strcmp(b->pols[i].name, b->pols[i - 1].name) == 0)) {
			fp_error("emit: internal: policy name '%s' invalid or not "
			    "unique", fp_clamp(b->pols[i].name, 64));
			goto out;
		}
	}
	ret = 0;
out:
	free(used);
	free(dup);
	return ret;
}

static void
build_release(struct build *b)
{
	size_t i;

	fp_strv_free(b->exempt, b->nexempt);
	fp_strv_free(b->enforce, b->nenforce);
	fp_strv_free(b->silent, b->nsilent);
	for (i = 0; i < b->nwl; i++) {
		free(b->wls[i].ns);
		free(b->wls[i].name);
		free(b->wls[i].sel);
		free(b->wls[i].also);
	}
	free(b->wls);
	fp_strv_free(b->dns_nets, b->ndns_nets);
	for (i = 0; i < b->nsvcs; i++) {
		free(b->svcs[i].ns);
		free(b->svcs[i].name);
		free(b->svcs[i].ranges);
	}
	free(b->svcs);
	fp_strv_free(b->cluster_nets, b->ncluster_nets);
	free(b->nss);
	for (i = 0; i < b->ndns; i++) {
		free(b->dns[i].ns);
		free(b->dns[i].sel);
	}
	free(b->dns);
	free(b->items);
	for (i = 0; i < b->nnotes; i++)
		free(b->notes[i]);
	free(b->notes);
	for (i = 0; i < b->npols; i++)
		pset_policy_release(&b->pols[i]);
	free(b->pols);
}

void
emit_result_free(struct emit_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->ndocs; i++) {
		free(r->docs[i].name);
		free(r->docs[i].kind);
		free(r->docs[i].file);
		free(r->docs[i].text);
		free(r->docs[i].tmp);
	}
	free(r->docs);
	for (i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	free(r->notes);
	for (i = 0; i < r->nsilent; i++)
		free(r->silent[i]);
	free(r->silent);
	memset(r, 0, sizeof(*r));
}

static int
cmp_doc(const void *a, const void *b)
{
	const struct emit_doc *x = a, *y = b;
	/* layers by order, then the learned policies by name */
	long ox = x->order_centi < ORDER_LEARNED ? x->order_centi : ORDER_LEARNED;
	long oy = y->order_centi < ORDER_LEARNED ? y->order_centi : ORDER_LEARNED;

	if (ox != oy)
		return ox < oy ? -1 : 1;
	return strcmp(x->file, y->file);
}

/*
 * The cluster's nodes as one GlobalNetworkSet that rules select by its
 * label: replacing a node pool changes this file only, and a pod moved to
 * another node needs no new rule.
 */
static int
node_set_doc(struct build *b, struct emit_result *r)
{
	struct emit_doc *d = &r->docs[r->ndocs];
	struct fp_ip *ips = NULL;
	char **nets = NULL, a[FP_IPSTRLEN];
	size_t n = 0, i;
	int ret = -1;

	if (model_node_addresses(b->m, NULL, &ips, &n) < 0) {
		fp_error_prefix("emit");
		goto out;
	}
	if ((nets = calloc(n + 1, sizeof(*nets))) == NULL) {
		fp_error("emit: out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		nets[i] = xfmt(b, "%s/%d", fp_ip_format(&ips[i], a),
		    ips[i].len == 16 ? 128 : 32);
	if (n == 0)
		note(b, "the inventory lists no node addresses: the node set "
		    NODESET_NAME " is empty");
	if (b->oom) {
		fp_error("emit: out of memory");
		goto out;
	}
	if (pset_render_netset(NODESET_NAME, NODESET_KEY, NODESET_VALUE, nets, n,
	    "every address of the cluster's nodes (InternalIP, ExternalIP, "
	    "Calico's tunnel addresses); rules select it by its label",
	    &d->text, &d->len) < 0)
		goto out;
	r->ndocs++;
	d->name = xstrdup(b, NODESET_NAME);
	d->kind = xstrdup(b, "GlobalNetworkSet");
	d->file = xstrdup(b, NODESET_NAME ".yaml");
	d->order_centi = 0;
	ret = b->oom ? fp_error("emit: out of memory") : 0;
out:
	for (i = 0; nets != NULL && i < n; i++)
		free(nets[i]);
	free(nets);
	free(ips);
	return ret;
}

int
emit_build(struct store *st, const struct emit_opts *o, struct emit_result *out)
{
	struct model *m = NULL;
	int ret;

	if (model_open(&m, st) < 0)
		return fp_error_prefix("emit");
	ret = emit_build_model(m, o, out);
	model_free(m);
	return ret;
}

/* The exempt and enforced namespaces of the options, checked and sorted. */
static int
option_namespaces(struct build *b)
{
	const struct emit_opts *o = b->o;
	size_t i;

	if (o->exempt_set) {
		for (i = 0; i < o->nexempt; i++)
			if (k8s_check_dns_label(o->exempt[i]) != NULL)
				return fp_error("emit: --exempt-namespace '%s': not "
				    "a namespace name", fp_clamp(o->exempt[i], 64));
		if (sorted_set(b, o->exempt, o->nexempt, &b->exempt,
		    &b->nexempt) < 0)
			return -1;
	} else if (sorted_set(b, emit_default_exempt, emit_default_nexempt,
	    &b->exempt, &b->nexempt) < 0) {
		return -1;
	}
	for (i = 0; i < o->nenforce; i++) {
		if (k8s_check_dns_label(o->enforce[i]) != NULL)
			return fp_error("emit: --enforce-namespace '%s': not a "
			    "namespace name", fp_clamp(o->enforce[i], 64));
		if (in_sorted(b->exempt, b->nexempt, o->enforce[i]))
			return fp_error("emit: --enforce-namespace '%s': the "
			    "namespace is exempt", o->enforce[i]);
	}
	return sorted_set(b, o->enforce, o->nenforce, &b->enforce, &b->nenforce);
}

/* Sort the items and drop duplicates (namespace granularity merges
 * workloads). */
static void
sort_items(struct build *b)
{
	size_t i, k = 0;

	sort(b->items, b->nitems, sizeof(*b->items), cmp_item);
	for (i = 0; i < b->nitems; i++)
		if (k == 0 || cmp_item(&b->items[k - 1], &b->items[i]) != 0)
			b->items[k++] = b->items[i];
	b->nitems = k;
}

/* Every policy rendered as a document of r, in the set's order. */
static int
render_docs(struct build *b, struct emit_sink *sink, struct emit_result *out)
{
	struct emit_result r;
	size_t i;

	memset(&r, 0, sizeof(r));
	if ((r.docs = calloc(b->npols + 1, sizeof(*r.docs))) == NULL) {
		fp_error("emit: out of memory");
		goto fail;
	}
	for (i = 0; i < b->npols; i++) {
		struct emit_doc *d = &r.docs[r.ndocs];

		b->pols[i].calico_version = b->o->calico_version;
		if (b->o->tier != NULL) {
			/* "<tier>.<name>": valid in every release (doc/calico-semantics.md 2.2) */
			char *tn = xfmt(b, "%s.%s", b->o->tier, b->pols[i].name);

			if (tn == NULL)
				continue;	/* b->oom: reported below */
			free(b->pols[i].name);
			b->pols[i].name = tn;
			b->pols[i].tier = b->o->tier;
		}
		if (pset_render(&b->pols[i], &d->text, &d->len) < 0)
			goto fail;
		r.ndocs++;
		d->name = xstrdup(b, b->pols[i].name);
		d->kind = xstrdup(b, b->pols[i].staged ?
		    "StagedGlobalNetworkPolicy" : "GlobalNetworkPolicy");
		d->file = xfmt(b, "%s.yaml", b->pols[i].name);
		d->order_centi = b->pols[i].order_centi;
		/* Rendered: its structure goes now, so the set is held once
		 * (as structure or as text), not twice at the peak. */
		pset_policy_release(&b->pols[i]);
		/* Streaming: compared (and written) now, its text dropped. */
		if (sink != NULL && d->file != NULL &&
		    emit_settle(sink, d, b->o->calico_version) < 0)
			goto fail;
	}
	if (b->o->tier != NULL) {
		struct emit_doc *d = &r.docs[r.ndocs];

		if (pset_render_tier(b->o->tier, b->o->calico_version, &d->text,
		    &d->len) < 0)
			goto fail;
		r.ndocs++;
		d->name = xstrdup(b, b->o->tier);
		d->kind = xstrdup(b, "Tier");
		d->file = xfmt(b, "%s.yaml", b->o->tier);
		d->order_centi = -1;	/* ahead of every policy */
		if (sink != NULL && d->file != NULL &&
		    emit_settle(sink, d, b->o->calico_version) < 0)
			goto fail;
	}
	if (b->oom) {
		fp_error("emit: out of memory");
		goto fail;
	}
	if (b->use_nodeset) {
		if (node_set_doc(b, &r) < 0)
			goto fail;
		if (sink != NULL && emit_settle(sink, &r.docs[r.ndocs - 1],
		    b->o->calico_version) < 0)
			goto fail;
	}
	sort(r.docs, r.ndocs, sizeof(*r.docs), cmp_doc);
	/* never write what the target release refuses (a streaming build
	 * checked each document as it was rendered) */
	if (sink == NULL && emit_check_target(&r, b->o->calico_version) < 0)
		goto fail;
	*out = r;
	return 0;
fail:
	if (sink != NULL)
		emit_drop_temps(&r, sink->dir);
	emit_result_free(&r);
	return -1;
}

int
emit_build_model(struct model *m, const struct emit_opts *o,
    struct emit_result *out)
{
	return emit_build_model_to(m, o, NULL, out);
}

int
emit_build_to(struct store *st, const struct emit_opts *o,
    struct emit_sink *sink, struct emit_result *out)
{
	struct model *m = NULL;
	int ret;

	if (model_open(&m, st) < 0)
		return fp_error_prefix("emit");
	ret = emit_build_model_to(m, o, sink, out);
	model_free(m);
	return ret;
}

int
emit_build_model_to(struct model *m, const struct emit_opts *o,
    struct emit_sink *sink, struct emit_result *out)
{
	struct build b;
	struct emit_result r;
	size_t i, first_learned;
	int ret = -1;

	memset(&b, 0, sizeof(b));
	memset(&r, 0, sizeof(r));
	if (sink != NULL) {
		sink->dfd = -1;
		sink->clash = 0;
		sink->buf = sink->grown = NULL;
		sink->bufcap = 0;
	}
	b.o = o;
	b.m = m;
	b.path = store_path(model_store(m));
	b.nsmode = o->granularity == EMIT_NAMESPACE;
	if (emit_check_options(o) < 0 || option_namespaces(&b) < 0 ||
	    load_workloads(&b) < 0 || find_dns(&b) < 0 ||
	    load_addresses(&b) < 0 || load_edges(&b) < 0 || find_silent(&b) < 0)
		goto out;
	/* An enforced namespace with no learned workload is likely a typo. */
	for (i = 0; i < b.nenforce; i++)
		if (!in_sorted(b.nss, b.nns, b.enforce[i]))
			note(&b, "--enforce-namespace %s: no learned workload in that "
			    "namespace; its pods are enforced when they appear",
			    b.enforce[i]);
	sort_items(&b);
	layer_policies(&b);
	first_learned = b.npols;
	learned_policies(&b);
	if (b.oom) {
		fp_error("emit: out of memory");
		goto out;
	}
	if (o->exempt_silent && b.nsilent > 0 &&
	    strlen(b.pols[0].selector) > 1024) {
		fp_error("emit: --exempt-silent: leaving the %zu silent workloads "
		    "out of the default deny makes its selector %zu characters, "
		    "more than Calico's 1024: exempt their namespaces "
		    "(--exempt-namespace) instead, or let the default deny isolate "
		    "them", b.nsilent, strlen(b.pols[0].selector));
		goto out;
	}
	if (sink != NULL && emit_sink_open(sink) < 0)
		goto out;
	if (finish_names_orders(&b, first_learned) < 0 ||
	    render_docs(&b, sink, &r) < 0)
		goto out;
	sort(b.notes, b.nnotes, sizeof(*b.notes), fp_cmp_str);
	r.notes = b.notes;
	r.nnotes = b.nnotes;
	b.notes = NULL;
	b.nnotes = 0;
	r.silent = b.silent;
	r.nsilent = b.nsilent;
	b.silent = NULL;
	b.nsilent = 0;
	*out = r;
	memset(&r, 0, sizeof(r));
	ret = 0;
out:
	if (sink != NULL)
		emit_sink_close(sink);
	emit_result_free(&r);
	build_release(&b);
	return ret;
}
