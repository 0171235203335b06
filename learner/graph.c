#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/timeutil.h"
#include "learner/cluster.h"
#include "learner/graph.h"
#include "common/labels.h"
#include "common/strbuf.h"
#include "learner/resolve.h"
#include "learner/strmap.h"
#include "common/banned.h"

#define DEFAULT_WINDOW_S 600
#define NO_NS (-1L)
#define NODELOCAL_DNS_ADDR "169.254.20.10"	/* NodeLocal DNSCache default */

struct lport {
	char *name;
	int proto, port;
};

struct lpod {
	char *uid, *ns, *name, *okind, *oname, *sa;
	int64_t alive_from, alive_to;
	struct labels *states;
	size_t nstates, capstates;
	long kept;		/* index into the cl_pod array, or -1 */
	long node;		/* node id (lctx.nodes), -1 when unscheduled */
	int hostnet;
	struct lport *ports;	/* declared container ports */
	size_t nports, capports;
};

/* A hostNetwork pod listening on its node (a declared container port). */
struct listener {
	long node, wl;
	int proto, port;
	int64_t from, to;
};

struct sport {
	char *name, *target;	/* target: number or container port name */
	int proto, port;
};

/* A backend address from an EndpointSlice, ready at some time. */
struct sback {
	struct fp_ip ip;
	long slice;		/* index into lsvc.slices */
};

struct slport {
	long slice;
	char *name;
	int proto, port;
};

struct lsvc {
	char *ns, *name, *type;
	struct labels sel;
	struct sport *ports;
	size_t nports, capports;
	struct strmap *slices;	/* slice names */
	struct sback *backs;
	size_t nbacks, capbacks;
	struct slport *sports;
	size_t nsports, capsports;
	size_t *pods;		/* selector services: matching lpod indexes */
	size_t npods, cappods;
};

/* A ClusterIP, sorted for lookup. */
struct svcip {
	struct fp_ip ip;
	size_t svc;
};

/*
 * A service flow's share for one backend, added at the end of its window
 * unless the same connection was seen at the pod (struct direct).
 */
struct pending {
	long src, src_ns, wl;	/* src: peer id */
	int proto, port;
	int64_t packets, first, last;
	struct fp_ip sip;
	size_t nodes, nnodes;	/* the nodes that logged it, in lctx.pool */
};

/* A flow of the window to a workload's own address. */
struct direct {
	struct fp_ip sip;
	long wl;
	int proto, port;
};

struct edge {
	int64_t conns, first, last;
	int *nodes;		/* node name ids, unsorted, unique */
	size_t nnodes, capnodes;
	long src_ns, dst_ns;	/* namespace ids or NO_NS */
	long src, dst;		/* peer ids (lctx.peers) */
	int proto, port;
};

/* A slot of the edge table: id + 1 (0: empty) and the hash's top bits. */
struct eslot {
	uint32_t id1, tag;
};

struct cov {
	int64_t flows, resolved, ambiguous, unknown, last_new;
};

struct unres {
	int64_t flows, first, last;
};

struct lctx {
	struct store *st;
	const struct learn_opts *o;
	struct lpod *pods;	/* sorted by uid */
	size_t npods;
	struct cl_ctrl *ctrls;
	size_t nctrls;
	struct cl_pod *cp;
	size_t ncp;
	struct cl_workload *wl;
	size_t nwl;
	long *wl_ns;		/* namespace id of each workload */
	struct resolver *res;
	struct strmap *nodes, *nss, *unres;
	struct strmap *peers;	/* edge ends by text: ns/workload, node:IP, ... */
	long *wl_peer;		/* per workload: its peer id, or -1 */
	struct strmap *ippeers;	/* class letter and address of other peers */
	long *ippeer;		/* per ippeers id: peer id + 1, 0 if not yet */
	size_t capippeer;
	long apiserver_peer, empty_ns;
	struct edge *e;		/* by edge id */
	size_t ne, cape;
	struct eslot *eslots;	/* open addressing over e */
	size_t neslots;
	struct cov *cov;
	size_t capcov;
	struct unres *u;
	size_t capu;
	struct learn_stats stats;
	int *wl_hostnet;	/* per workload: all its pods are hostNetwork */
	struct listener *lis;
	size_t nlis, caplis;
	struct lsvc *svcs;
	size_t nsvcs;
	struct svcip *sips;
	size_t nsips, capsips;
	long apiserver;		/* default/kubernetes, or -1 */
	long kubedns;		/* kube-system/kube-dns, or -1 */
	long nodelocal_wl;	/* the node-local-dns workload, or -1 */
	struct fp_ip nodelocal_ip;
	struct direct *dirs;	/* of the window being walked */
	size_t ndirs, capdirs;
	struct strmap *hl;	/* host-local edges: node \t dst \t proto \t port */
	struct edge *hle;
	size_t caphle;
	struct pending *pend;	/* of the window being walked */
	size_t npend, cappend;
	int *pool;		/* their nodes */
	size_t npool, cappool;
};

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);

	return strdup(t ? t : "");
}

static int
pod_uid_cmp(const void *a, const void *b)
{
	return strcmp(((const struct lpod *)a)->uid, ((const struct lpod *)b)->uid);
}

static struct lpod *
find_pod(struct lctx *c, const char *uid)
{
	struct lpod key;

	key.uid = (char *)uid;
	return bsearch(&key, c->pods, c->npods, sizeof(*c->pods), pod_uid_cmp);
}

static int
load_controllers(struct lctx *c)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	int rc, ret = -1;
	void *p;

	if (store_prepare(c->st, &s, "SELECT namespace, kind, name, owner_kind, "
	    "owner_name FROM controllers ORDER BY namespace, kind, name") < 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct cl_ctrl *k;

		if (c->nctrls == cap) {
			cap = cap ? cap * 2 : 64;
			if ((p = realloc(c->ctrls, cap * sizeof(*c->ctrls))) == NULL)
				goto oom;
			c->ctrls = p;
		}
		k = &c->ctrls[c->nctrls];
		memset(k, 0, sizeof(*k));
		c->nctrls++;
		if ((k->ns = col_dup(s, 0)) == NULL || (k->kind = col_dup(s, 1)) == NULL ||
		    (k->name = col_dup(s, 2)) == NULL ||
		    (k->owner_kind = col_dup(s, 3)) == NULL ||
		    (k->owner_name = col_dup(s, 4)) == NULL)
			goto oom;
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(c->st, "reading controllers");
		goto out;
	}
	ret = 0;
	goto out;
oom:
	fp_error("learn: out of memory");
out:
	sqlite3_finalize(s);
	return ret;
}

static int
load_pods(struct lctx *c)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	int rc, ret = -1;
	void *p;
	struct lpod *lp;

	if (store_prepare(c->st, &s, "SELECT uid, namespace, name, owner_kind, "
	    "owner_name, service_account, "
	    "CASE WHEN created IS NOT NULL AND created < first_seen THEN created "
	    "ELSE first_seen END, "
	    "CASE WHEN deleted IS NOT NULL AND (gone_at IS NULL OR deleted < gone_at) "
	    "THEN deleted ELSE gone_at END, finished, node, host_network "
	    "FROM pods WHERE live = 1 ORDER BY uid") < 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (c->npods == cap) {
			cap = cap ? cap * 2 : 1024;
			if ((p = realloc(c->pods, cap * sizeof(*c->pods))) == NULL)
				goto oom;
			c->pods = p;
		}
		lp = &c->pods[c->npods++];
		memset(lp, 0, sizeof(*lp));
		lp->kept = -1;
		if ((lp->uid = col_dup(s, 0)) == NULL || (lp->ns = col_dup(s, 1)) == NULL ||
		    (lp->name = col_dup(s, 2)) == NULL ||
		    (lp->okind = col_dup(s, 3)) == NULL ||
		    (lp->oname = col_dup(s, 4)) == NULL || (lp->sa = col_dup(s, 5)) == NULL)
			goto oom;
		lp->alive_from = sqlite3_column_int64(s, 6);
		lp->alive_to = sqlite3_column_type(s, 7) == SQLITE_NULL ? INT64_MAX :
		    sqlite3_column_int64(s, 7);
		if (sqlite3_column_type(s, 8) != SQLITE_NULL &&
		    sqlite3_column_int64(s, 8) < lp->alive_to)
			lp->alive_to = sqlite3_column_int64(s, 8);
		{
			const char *nn = (const char *)sqlite3_column_text(s, 9);

			lp->node = nn == NULL || *nn == '\0' ? -1 :
			    strmap_intern(c->nodes, nn, strlen(nn));
			if (nn != NULL && *nn != '\0' && lp->node < 0)
				goto oom;
		}
		lp->hostnet = sqlite3_column_int(s, 10) != 0;
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(c->st, "reading pods");
		goto out;
	}
	/* ORDER BY uid uses SQLite's BINARY collation, which is strcmp order. */
	sqlite3_finalize(s);
	s = NULL;
	if (store_prepare(c->st, &s, "SELECT uid, labels FROM pod_labels "
	    "ORDER BY uid, labels") < 0)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *uid = (const char *)sqlite3_column_text(s, 0);
		const char *text = (const char *)sqlite3_column_text(s, 1);

		if (uid == NULL || (lp = find_pod(c, uid)) == NULL)
			continue;
		if (lp->nstates == lp->capstates) {
			size_t n = lp->capstates ? lp->capstates * 2 : 2;

			if ((p = realloc(lp->states, n * sizeof(*lp->states))) == NULL)
				goto oom;
			lp->states = p;
			lp->capstates = n;
		}
		labels_init(&lp->states[lp->nstates]);
		if (labels_parse_lines(&lp->states[lp->nstates], text ? text : "") < 0) {
			fp_error_prefix("store '%s': pod_labels of pod uid '%s'",
			    store_path(c->st), fp_clamp(uid, 64));
			labels_release(&lp->states[lp->nstates]);
			goto out;
		}
		lp->nstates++;
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(c->st, "reading pod labels");
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (store_prepare(c->st, &s, "SELECT uid, port_name, proto, port FROM "
	    "pod_ports ORDER BY uid, proto, port") < 0)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *uid = (const char *)sqlite3_column_text(s, 0);
		struct lport *lpt;

		if (uid == NULL || (lp = find_pod(c, uid)) == NULL)
			continue;
		if ((p = fp_grow(lp->ports, &lp->capports, lp->nports + 1,
		    sizeof(*lp->ports))) == NULL)
			goto oom;
		lp->ports = p;
		lpt = &lp->ports[lp->nports++];
		lpt->proto = sqlite3_column_int(s, 2);
		lpt->port = sqlite3_column_int(s, 3);
		if ((lpt->name = col_dup(s, 1)) == NULL)
			goto oom;
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(c->st, "reading pod ports");
		goto out;
	}
	ret = 0;
	goto out;
oom:
	fp_error("learn: out of memory");
out:
	sqlite3_finalize(s);
	return ret;
}

/*
 * hostNetwork workloads (all their pods hostNetwork), what they listen on
 * (their declared container ports, which are the node's ports), and
 * NodeLocal DNSCache (the node-local-dns DaemonSet, which listens on the
 * nodes' link-local 169.254.20.10 and, with kube-proxy in iptables mode,
 * on the kube-dns ClusterIP too, untranslated).
 */
static int
mark_host_network(struct lctx *c)
{
	size_t i, k;
	int prefix;
	void *p;

	if ((c->wl_hostnet = malloc((c->nwl + 1) * sizeof(int))) == NULL)
		return fp_error("learn: out of memory");
	for (i = 0; i < c->nwl; i++)
		c->wl_hostnet[i] = 1;
	for (i = 0; i < c->npods; i++)
		if (c->pods[i].kept >= 0 && !c->pods[i].hostnet)
			c->wl_hostnet[c->cp[c->pods[i].kept].wl] = 0;
	c->nodelocal_wl = -1;
	for (i = 0; i < c->npods; i++) {
		struct lpod *lp = &c->pods[i];
		const struct cl_pod *q;

		if (lp->kept < 0 || !lp->hostnet)
			continue;
		q = &c->cp[lp->kept];
		if (strcmp(q->ctrl_kind, "DaemonSet") == 0 &&
		    strcmp(q->ctrl_name, "node-local-dns") == 0)
			c->nodelocal_wl = (long)q->wl;
		if (lp->node < 0 || !c->wl_hostnet[q->wl])
			continue;
		for (k = 0; k < lp->nports; k++) {
			if ((p = fp_grow(c->lis, &c->caplis, c->nlis + 1,
			    sizeof(*c->lis))) == NULL)
				return fp_error("learn: out of memory");
			c->lis = p;
			c->lis[c->nlis].node = lp->node;
			c->lis[c->nlis].wl = (long)q->wl;
			c->lis[c->nlis].proto = lp->ports[k].proto;
			c->lis[c->nlis].port = lp->ports[k].port;
			c->lis[c->nlis].from = lp->alive_from;
			c->lis[c->nlis].to = lp->alive_to;
			c->nlis++;
		}
	}
	fp_cidr_parse(&c->nodelocal_ip, &prefix, NODELOCAL_DNS_ADDR);
	return 0;
}

static int
build_workloads(struct lctx *c)
{
	struct cl_opts co;
	size_t i;

	if ((c->cp = calloc(c->npods + 1, sizeof(*c->cp))) == NULL)
		return fp_error("learn: out of memory");
	for (i = 0; i < c->npods; i++) {
		struct lpod *p = &c->pods[i];
		struct cl_pod *q;

		if (p->alive_from > c->o->until || p->alive_to <= c->o->since)
			continue;
		p->kept = (long)c->ncp;
		q = &c->cp[c->ncp++];
		q->uid = p->uid;
		q->ns = p->ns;
		q->name = p->name;
		q->owner_kind = p->okind;
		q->owner_name = p->oname;
		q->sa = p->sa;
		q->states = p->states;
		q->nstates = p->nstates;
	}
	memset(&co, 0, sizeof(co));
	co.volatile_keys = c->o->volatile_keys;
	co.nvolatile = c->o->nvolatile;
	co.notes = c->o->notes;
	if (cluster_build(c->cp, c->ncp, c->ctrls, c->nctrls, &co, &c->wl, &c->nwl,
	    &c->stats.merged) < 0)
		return -1;
	if ((c->wl_ns = malloc((c->nwl + 1) * sizeof(*c->wl_ns))) == NULL)
		return fp_error("learn: out of memory");
	for (i = 0; i < c->nwl; i++)
		if ((c->wl_ns[i] = strmap_intern(c->nss, c->wl[i].ns,
		    strlen(c->wl[i].ns))) < 0)
			return fp_error("learn: out of memory");
	c->stats.pods = c->ncp;
	c->stats.workloads = c->nwl;
	return mark_host_network(c);
}

/* The /16 (IPv4) or /48 (IPv6) around an address (see graph.h). */
static int
add_guess(struct lctx *c, const struct fp_ip *ip)
{
	return resolver_add_net(c->res, ip, ip->len == 4 ? 16 : 48);
}

static int
load_endpoints(struct lctx *c)
{
	sqlite3_stmt *s = NULL;
	struct fp_ip ip;
	struct lpod *p;
	const char *kind, *owner;
	int64_t from, to;
	long peer, node;
	size_t i;
	const struct fp_ip *nets;
	const int *prefixes;
	int rc, ret = -1, infer = c->o->ncidrs == 0;

	for (i = 0; i < c->o->ncidrs; i++)
		if (resolver_add_net(c->res, &c->o->cidrs[i], c->o->prefixes[i]) < 0)
			return -1;
	if (store_prepare(c->st, &s, "SELECT ip, owner_kind, owner, valid_from, "
	    "valid_to FROM endpoints") < 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fp_ip_from_blob(&ip, sqlite3_column_blob(s, 0),
		    (size_t)sqlite3_column_bytes(s, 0)) < 0)
			continue;
		kind = (const char *)sqlite3_column_text(s, 1);
		owner = (const char *)sqlite3_column_text(s, 2);
		from = sqlite3_column_int64(s, 3);
		to = sqlite3_column_type(s, 4) == SQLITE_NULL ? INT64_MAX :
		    sqlite3_column_int64(s, 4);
		node = -1;
		if (kind != NULL && strcmp(kind, "node") == 0) {
			peer = RS_NODE_PEER;
			if (owner != NULL &&
			    (node = strmap_intern(c->nodes, owner, strlen(owner))) < 0)
				goto oom;
			if (infer && resolver_add_net(c->res, &ip, ip.len * 8) < 0)
				goto out;
		} else {
			/*
			 * A pod outside the period (or unknown) still owned the
			 * address: a flow meeting it is ambiguous (peer -2).
			 */
			p = owner ? find_pod(c, owner) : NULL;
			peer = p && p->kept >= 0 ? (long)c->cp[p->kept].wl : -2;
			node = p ? p->node : -1;
			if (infer && add_guess(c, &ip) < 0)
				goto out;
		}
		if (resolver_add_on(c->res, &ip, from, to, peer, node) < 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(c->st, "reading endpoints");
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (infer) {
		if (store_prepare(c->st, &s, "SELECT net, prefix FROM networks "
		    "UNION ALL SELECT NULL, cluster_ips FROM services") < 0)
			goto out;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			if (sqlite3_column_type(s, 0) == SQLITE_BLOB) {
				if (fp_ip_from_blob(&ip, sqlite3_column_blob(s, 0),
				    (size_t)sqlite3_column_bytes(s, 0)) == 0 &&
				    resolver_add_net(c->res, &ip,
				    sqlite3_column_int(s, 1)) < 0)
					goto out;
				continue;
			}
			/* comma-separated service cluster IPs */
			{
				const char *t = (const char *)sqlite3_column_text(s, 1);
				char buf[64];
				size_t n;

				while (t != NULL && *t != '\0') {
					n = strcspn(t, ",");
					if (n < sizeof(buf)) {
						memcpy(buf, t, n);
						buf[n] = '\0';
						if (fp_ip_parse(&ip, buf) == 0 &&
						    add_guess(c, &ip) < 0)
							goto out;
					}
					t += n;
					if (*t == ',')
						t++;
				}
			}
		}
		if (rc != SQLITE_DONE) {
			store_sqlerr(c->st, "reading networks");
			goto out;
		}
	}
	if (infer && resolver_nets(c->res, &nets, &prefixes) == 0) {
		/*
		 * Nothing to infer from (no inventory): calling every unowned
		 * address external would allow pod addresses as external peers,
		 * so the private ranges count as the cluster's.
		 */
		static const char *const private_nets[] = {
			"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
			"100.64.0.0/10", "fc00::/7"
		};
		int prefix;

		for (i = 0; i < sizeof(private_nets) / sizeof(private_nets[0]); i++)
			if (fp_cidr_parse(&ip, &prefix, private_nets[i]) < 0 ||
			    resolver_add_net(c->res, &ip, prefix) < 0)
				goto out;
		if (c->o->notes != NULL)
			fprintf(c->o->notes, "flowpol: learn: the inventory gives no "
			    "cluster ranges: private addresses count as in-cluster "
			    "(unknown); use --cluster-cidr to set them\n");
	}
	resolver_ready(c->res);
	ret = 0;
	goto out;
oom:
	fp_error("learn: out of memory");
out:
	sqlite3_finalize(s);
	return ret;
}

/* --- Services ------------------------------------------------------------ */

static int
svc_cmp_key(const char *ns, const char *name, const struct lsvc *v)
{
	int k = strcmp(ns, v->ns);

	return k ? k : strcmp(name, v->name);
}

/* The Service ns/name (services are sorted), or -1. */
static long
find_svc(const struct lctx *c, const char *ns, const char *name)
{
	size_t lo = 0, hi = c->nsvcs, mid;
	int k;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		k = svc_cmp_key(ns, name, &c->svcs[mid]);
		if (k == 0)
			return (long)mid;
		if (k < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static int
svcip_cmp(const void *a, const void *b)
{
	const struct svcip *x = a, *y = b;
	int k = fp_ip_cmp(&x->ip, &y->ip);

	return k ? k : (x->svc > y->svc) - (x->svc < y->svc);
}

/* The Service whose ClusterIP ip is, or -1. */
static long
find_svc_ip(const struct lctx *c, const struct fp_ip *ip)
{
	size_t lo = 0, hi = c->nsips, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (fp_ip_cmp(&c->sips[mid].ip, ip) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nsips && fp_ip_cmp(&c->sips[lo].ip, ip) == 0 ?
	    (long)c->sips[lo].svc : -1;
}

static int
add_cluster_ips(struct lctx *c, size_t svc, const char *t)
{
	char buf[64];
	size_t n;
	void *p;

	while (t != NULL && *t != '\0') {
		n = strcspn(t, ",");
		if (n < sizeof(buf)) {
			memcpy(buf, t, n);
			buf[n] = '\0';
			if ((p = fp_grow(c->sips, &c->capsips, c->nsips + 1,
			    sizeof(*c->sips))) == NULL)
				return fp_error("learn: out of memory");
			c->sips = p;
			if (fp_ip_parse(&c->sips[c->nsips].ip, buf) == 0)
				c->sips[c->nsips++].svc = svc;
		}
		t += n;
		if (*t == ',')
			t++;
	}
	return 0;
}

/* Whether one of the pod's label sets has every label of sel. */
static int
pod_selected(const struct lpod *p, const struct labels *sel)
{
	size_t i, k;
	const char *v;

	for (i = 0; i < p->nstates; i++) {
		for (k = 0; k < sel->n; k++)
			if ((v = labels_get(&p->states[i], sel->v[k].key)) == NULL ||
			    strcmp(v, sel->v[k].value) != 0)
				break;
		if (k == sel->n)
			return 1;
	}
	return 0;
}

/*
 * A row of slice_endpoints or slice_ports (namespace, service, slice, ...):
 * its Service and the slice's id there. 1, 0 (no such Service), -1 (out of
 * memory).
 */
static int
slice_row(struct lctx *c, sqlite3_stmt *s, struct lsvc **sv, long *slice)
{
	const char *sl = (const char *)sqlite3_column_text(s, 2);
	long v = find_svc(c, (const char *)sqlite3_column_text(s, 0),
	    (const char *)sqlite3_column_text(s, 1));

	if (v < 0 || sl == NULL)
		return 0;
	*sv = &c->svcs[v];
	return (*slice = strmap_intern((*sv)->slices, sl, strlen(sl))) < 0 ? -1 : 1;
}

/*
 * Services, their ports, their ready EndpointSlice addresses and, for
 * Services with a selector, the pods it selects (used when the inventory
 * has no EndpointSlice for the Service).
 */
static int
load_services(struct lctx *c)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0, i;
	long v;
	int rc, k, ret = -1;
	void *p;

	c->apiserver = c->kubedns = -1;
	if (store_prepare(c->st, &s, "SELECT namespace, name, selector, cluster_ips, "
	    "type FROM services ORDER BY namespace, name") < 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct lsvc *sv;
		const char *sel = (const char *)sqlite3_column_text(s, 2);

		if (c->nsvcs == cap) {
			cap = cap ? cap * 2 : 32;
			if ((p = realloc(c->svcs, cap * sizeof(*c->svcs))) == NULL)
				goto oom;
			c->svcs = p;
		}
		sv = &c->svcs[c->nsvcs++];
		memset(sv, 0, sizeof(*sv));
		labels_init(&sv->sel);
		if ((sv->ns = col_dup(s, 0)) == NULL || (sv->name = col_dup(s, 1)) == NULL ||
		    (sv->type = col_dup(s, 4)) == NULL ||
		    (sv->slices = strmap_new()) == NULL)
			goto oom;
		if (labels_parse_lines(&sv->sel, sel ? sel : "") < 0)
			goto out;
		if (add_cluster_ips(c, c->nsvcs - 1,
		    (const char *)sqlite3_column_text(s, 3)) < 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(c->st, "reading services");
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	c->apiserver = find_svc(c, "default", "kubernetes");
	c->kubedns = find_svc(c, "kube-system", "kube-dns");
	if (c->nsips > 1)
		qsort(c->sips, c->nsips, sizeof(*c->sips), svcip_cmp);
	if (store_prepare(c->st, &s, "SELECT namespace, name, port_name, proto, port, "
	    "target_port FROM service_ports ORDER BY namespace, name, proto, port") < 0)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct lsvc *sv;
		struct sport *sp;

		if ((v = find_svc(c, (const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1))) < 0)
			continue;
		sv = &c->svcs[v];
		if ((p = fp_grow(sv->ports, &sv->capports, sv->nports + 1,
		    sizeof(*sv->ports))) == NULL)
			goto oom;
		sv->ports = p;
		sp = &sv->ports[sv->nports++];
		memset(sp, 0, sizeof(*sp));
		sp->proto = sqlite3_column_int(s, 3);
		sp->port = sqlite3_column_int(s, 4);
		if ((sp->name = col_dup(s, 2)) == NULL ||
		    (sp->target = col_dup(s, 5)) == NULL)
			goto oom;
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(c->st, "reading service ports");
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (store_prepare(c->st, &s, "SELECT namespace, service, slice, ip FROM "
	    "slice_endpoints WHERE ready = 1 ORDER BY namespace, service, slice, ip") < 0)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct lsvc *sv;
		struct sback *b;
		long slice;

		if ((k = slice_row(c, s, &sv, &slice)) <= 0) {
			if (k < 0)
				goto oom;
			continue;
		}
		if ((p = fp_grow(sv->backs, &sv->capbacks, sv->nbacks + 1,
		    sizeof(*sv->backs))) == NULL)
			goto oom;
		sv->backs = p;
		b = &sv->backs[sv->nbacks];
		b->slice = slice;
		if (fp_ip_from_blob(&b->ip, sqlite3_column_blob(s, 3),
		    (size_t)sqlite3_column_bytes(s, 3)) == 0)
			sv->nbacks++;
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(c->st, "reading endpoint slices");
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (store_prepare(c->st, &s, "SELECT namespace, service, slice, port_name, "
	    "proto, port FROM slice_ports ORDER BY namespace, service, slice, "
	    "port_name, proto") < 0)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct lsvc *sv;
		struct slport *sp;
		long slice;

		if ((k = slice_row(c, s, &sv, &slice)) <= 0) {
			if (k < 0)
				goto oom;
			continue;
		}
		if ((p = fp_grow(sv->sports, &sv->capsports, sv->nsports + 1,
		    sizeof(*sv->sports))) == NULL)
			goto oom;
		sv->sports = p;
		sp = &sv->sports[sv->nsports];
		sp->proto = sqlite3_column_int(s, 4);
		sp->port = sqlite3_column_int(s, 5);
		sp->slice = slice;
		if ((sp->name = col_dup(s, 3)) == NULL)
			goto oom;
		sv->nsports++;
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(c->st, "reading endpoint slices");
		goto out;
	}
	/* Selector Services without slices: the pods they select. */
	for (v = 0; v < (long)c->nsvcs; v++) {
		struct lsvc *sv = &c->svcs[v];

		if (sv->nbacks > 0 || sv->sel.n == 0)
			continue;
		for (i = 0; i < c->npods; i++) {
			struct lpod *lp = &c->pods[i];

			if (lp->kept < 0 || lp->hostnet || strcmp(lp->ns, sv->ns) != 0 ||
			    !pod_selected(lp, &sv->sel))
				continue;
			if ((p = fp_grow(sv->pods, &sv->cappods, sv->npods + 1,
			    sizeof(size_t))) == NULL)
				goto oom;
			sv->pods = p;
			sv->pods[sv->npods++] = i;
		}
	}
	ret = 0;
	goto out;
oom:
	fp_error("learn: out of memory");
out:
	sqlite3_finalize(s);
	return ret;
}

/* A target port written as a number, else -1 (a container port name). */
static int
numeric_port(const char *t)
{
	char *end;
	long n = strtol(t, &end, 10);

	return *t != '\0' && *end == '\0' && n > 0 && n <= 65535 ? (int)n : -1;
}

/* The port a pod serves a Service port on, or -1. */
static int
pod_target(const struct lpod *p, const struct sport *sp)
{
	size_t i;
	int n = numeric_port(sp->target);

	if (n > 0)
		return n;
	for (i = 0; i < p->nports; i++)
		if (p->ports[i].proto == sp->proto &&
		    strcmp(p->ports[i].name, sp->target) == 0)
			return p->ports[i].port;
	return -1;
}

/* The port a slice gives for a Service port (matched by name), or -1. */
static int
slice_target(const struct lsvc *v, long slice, const struct sport *sp)
{
	size_t i;

	for (i = 0; i < v->nsports; i++)
		if (v->sports[i].slice == slice && v->sports[i].proto == sp->proto &&
		    strcmp(v->sports[i].name, sp->name) == 0)
			return v->sports[i].port;
	return numeric_port(sp->target);
}

static const struct sport *
svc_port(const struct lsvc *v, int proto, int port)
{
	size_t i;

	for (i = 0; i < v->nports; i++)
		if (v->ports[i].proto == proto && v->ports[i].port == port)
			return &v->ports[i];
	return NULL;
}

struct backend {
	long wl;
	int port;
};

#define MAX_BACKENDS 256

/*
 * The workloads behind a Service port during [first, last]: ready slice
 * addresses owned by a workload then, else the selected pods alive then,
 * each at its target port. Distinct (workload, port) pairs; their count.
 * any_owner (a whole period, not a flow): an address that changed owners
 * counts for the first workload that held it, where a flow would be
 * ambiguous.
 */
static size_t
svc_backends(const struct lctx *c, const struct lsvc *v, const struct sport *sp,
    int64_t first, int64_t last, int any_owner, struct backend *out)
{
	struct rs_result r;
	size_t i, k, n = 0;
	long wl;
	int port;

	for (i = 0; i < v->nbacks + v->npods && n < MAX_BACKENDS; i++) {
		if (i < v->nbacks) {
			resolver_lookup(c->res, &v->backs[i].ip, first, last, &r);
			/* Over a long span an address may have had several
			 * owners: each that is a workload backed the Service. */
			if (any_owner && r.cls == RS_AMBIGUOUS && r.ncand > 0 &&
			    r.cand[0] >= 0)
				r.peer = r.cand[0];
			else if (r.cls != RS_WORKLOAD)
				continue;
			wl = r.peer;
			port = slice_target(v, v->backs[i].slice, sp);
		} else {
			const struct lpod *lp = &c->pods[v->pods[i - v->nbacks]];

			if (lp->alive_from > last || lp->alive_to <= first)
				continue;
			wl = (long)c->cp[lp->kept].wl;
			port = pod_target(lp, sp);
		}
		if (port <= 0)
			continue;
		for (k = 0; k < n && (out[k].wl != wl || out[k].port != port); k++)
			;
		if (k == n) {
			out[n].wl = wl;
			out[n++].port = port;
		}
	}
	return n;
}

/* Whether ip is a ready address of the API server at port. */
static int
apiserver_addr(const struct lctx *c, const struct fp_ip *ip, int proto, int port)
{
	const struct lsvc *v;
	size_t i, k;

	if (c->apiserver < 0)
		return 0;
	v = &c->svcs[c->apiserver];
	for (i = 0; i < v->nbacks; i++) {
		if (fp_ip_cmp(&v->backs[i].ip, ip) != 0)
			continue;
		for (k = 0; k < v->nsports; k++)
			if (v->sports[k].slice == v->backs[i].slice &&
			    v->sports[k].proto == proto && v->sports[k].port == port)
				return 1;
	}
	return 0;
}

/* IPv6 link-local addresses, and the ICMPv6 neighbour discovery and
 * multicast listener messages Felix accepts before any policy (types 130
 * to 133, 135 and 136): never a rule. */
static int
never_policed(const struct fp_ip *a, const struct fp_ip *b, int proto, int port)
{
	int type = port >> 8;

	if ((a->len == 16 && a->a[0] == 0xfe && (a->a[1] & 0xc0) == 0x80) ||
	    (b->len == 16 && b->a[0] == 0xfe && (b->a[1] & 0xc0) == 0x80))
		return 1;
	return proto == 58 && ((type >= 130 && type <= 133) || type == 135 ||
	    type == 136);
}

#define SVC_NONE 0
#define SVC_BACKENDS 1		/* the flow goes to backends[] */
#define SVC_APISERVER 2		/* the flow goes to the API server */

/*
 * What the destination of a flow really is, beyond the owner of its
 * address: NodeLocal DNSCache, a Service's backends (captures are taken
 * before DNAT), the API server, or a hostNetwork pod listening on its node.
 * May change rd and *port; returns SVC_*.
 */
static int
classify_dst(const struct lctx *c, const struct fp_ip *dip, int proto,
    int *port, int64_t first, int64_t last, struct rs_result *rd,
    struct backend *backs, size_t *nbacks)
{
	const struct sport *sp;
	const struct lsvc *v;
	long si;
	size_t i;
	int t;

	*nbacks = 0;
	si = find_svc_ip(c, dip);
	if (c->nodelocal_wl >= 0 && *port == 53 && (proto == 6 || proto == 17) &&
	    (fp_ip_cmp(dip, &c->nodelocal_ip) == 0 ||
	    (si >= 0 && si == c->kubedns))) {
		/* Not DNATed: node-local-dns answers on this node. */
		memset(rd, 0, sizeof(*rd));
		rd->cls = RS_WORKLOAD;
		rd->peer = c->nodelocal_wl;
		rd->node = -1;
		return SVC_NONE;
	}
	if (si >= 0) {
		v = &c->svcs[si];
		if ((sp = svc_port(v, proto, *port)) == NULL)
			return SVC_NONE;
		if (si == c->apiserver) {
			t = v->nbacks > 0 ? slice_target(v, v->backs[0].slice, sp) :
			    numeric_port(sp->target);
			if (t <= 0)
				return SVC_NONE;
			*port = t;
			memset(rd, 0, sizeof(*rd));
			rd->cls = RS_EXTERNAL;
			return SVC_APISERVER;
		}
		*nbacks = svc_backends(c, v, sp, first, last, 0, backs);
		if (*nbacks == 0)
			return SVC_NONE;
		memset(rd, 0, sizeof(*rd));
		rd->cls = RS_WORKLOAD;
		rd->peer = backs[0].wl;
		rd->node = -1;
		return SVC_BACKENDS;
	}
	if (apiserver_addr(c, dip, proto, *port)) {
		memset(rd, 0, sizeof(*rd));
		rd->cls = RS_EXTERNAL;
		return SVC_APISERVER;
	}
	if (rd->cls == RS_NODE && rd->node >= 0)
		for (i = 0; i < c->nlis; i++)
			if (c->lis[i].node == rd->node && c->lis[i].proto == proto &&
			    c->lis[i].port == *port && c->lis[i].from <= first &&
			    c->lis[i].to > last) {
				rd->cls = RS_WORKLOAD;
				rd->peer = c->lis[i].wl;
				return SVC_NONE;
			}
	return SVC_NONE;
}

/* Peer text for one side; buf holds at least 600 bytes. */
static const char *
peer_text(struct lctx *c, const struct rs_result *r, const struct fp_ip *ip,
    char *buf, size_t len)
{
	char a[FP_IPSTRLEN];

	switch (r->cls) {
	case RS_WORKLOAD:
		snprintf(buf, len, "%s/%s", c->wl[r->peer].ns, c->wl[r->peer].name);
		break;
	case RS_NODE:
		snprintf(buf, len, "node:%s", fp_ip_format(ip, a));
		break;
	case RS_EXTERNAL:
		snprintf(buf, len, "external:%s", fp_ip_format(ip, a));
		break;
	default:
		snprintf(buf, len, "unknown:%s", fp_ip_format(ip, a));
		break;
	}
	return buf;
}

static struct cov *
cov_of(struct lctx *c, long ns)
{
	struct cov *p = fp_grow(c->cov, &c->capcov, (size_t)ns + 1,
	    sizeof(*c->cov));

	if (p == NULL)
		return NULL;
	c->cov = p;
	return &c->cov[ns];
}

static int
note_unresolved(struct lctx *c, const struct fp_ip *ip, const char *reason,
    int64_t first, int64_t last)
{
	char key[40];
	long id;
	size_t n = ip->len;
	struct unres *p;

	memcpy(key, ip->a, n);
	key[n++] = reason[0];
	if ((id = strmap_intern(c->unres, key, n)) < 0)
		return fp_error("learn: out of memory");
	if ((p = fp_grow(c->u, &c->capu, (size_t)id + 1, sizeof(*c->u))) == NULL)
		return fp_error("learn: out of memory");
	c->u = p;
	if (c->u[id].flows == 0 || first < c->u[id].first)
		c->u[id].first = first;
	if (c->u[id].flows == 0 || last > c->u[id].last)
		c->u[id].last = last;
	c->u[id].flows++;
	return 0;
}

/* --- Edges ----------------------------------------------------------------- */

static uint64_t
edge_hash(long src, long dst, int proto, int port)
{
	uint64_t h = (uint64_t)src * 0x9e3779b97f4a7c15ULL;

	h ^= (uint64_t)dst * 0xc2b2ae3d27d4eb4fULL;
	h ^= ((uint64_t)(uint32_t)proto << 32 | (uint32_t)port) *
	    0x165667b19e3779f9ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static int
edge_slots_grow(struct lctx *c)
{
	size_t n = c->neslots ? c->neslots * 2 : 4096, i, j;
	struct eslot *s = calloc(n, sizeof(*s));
	uint64_t h;

	if (s == NULL)
		return fp_error("learn: out of memory");
	for (i = 0; i < c->ne; i++) {
		const struct edge *e = &c->e[i];

		h = edge_hash(e->src, e->dst, e->proto, e->port);
		j = (size_t)h & (n - 1);
		while (s[j].id1 != 0)
			j = (j + 1) & (n - 1);
		s[j].id1 = (uint32_t)i + 1;
		s[j].tag = (uint32_t)(h >> 32);
	}
	free(c->eslots);
	c->eslots = s;
	c->neslots = n;
	return 0;
}

/*
 * The edge (src, dst, proto, port) between two peers (ids in c->peers),
 * made when new with the namespaces of its ends; -1 when out of memory.
 */
static long
edge_of(struct lctx *c, long src, long dst, int proto, int port, long src_ns,
    long dst_ns)
{
	size_t i, mask;
	struct edge *e;
	uint64_t h;
	uint32_t tag;
	void *p;

	if ((c->ne + 1) * 2 > c->neslots && edge_slots_grow(c) < 0)
		return -1;
	if (c->ne >= UINT32_MAX - 1) {
		fp_error("learn: too many edges");
		return -1;
	}
	mask = c->neslots - 1;
	h = edge_hash(src, dst, proto, port);
	tag = (uint32_t)(h >> 32);
	for (i = (size_t)h & mask; c->eslots[i].id1 != 0; i = (i + 1) & mask) {
		if (c->eslots[i].tag != tag)
			continue;
		e = &c->e[c->eslots[i].id1 - 1];
		if (e->src == src && e->dst == dst && e->proto == proto &&
		    e->port == port)
			return (long)c->eslots[i].id1 - 1;
	}
	if (c->ne == c->cape) {
		size_t n = c->cape ? c->cape * 2 : 1024;

		if ((p = realloc(c->e, n * sizeof(*c->e))) == NULL) {
			fp_error("learn: out of memory");
			return -1;
		}
		c->e = p;
		c->cape = n;
	}
	e = &c->e[c->ne];
	memset(e, 0, sizeof(*e));
	e->src = src;
	e->dst = dst;
	e->proto = proto;
	e->port = port;
	e->src_ns = src_ns;
	e->dst_ns = dst_ns;
	c->eslots[i].id1 = (uint32_t)c->ne + 1;
	c->eslots[i].tag = tag;
	return (long)c->ne++;
}

static int
add_edge(struct lctx *c, long id, int64_t packets, int64_t first,
    int64_t last, int node)
{
	struct edge *e = &c->e[id];
	size_t i;
	void *p;

	if (e->nnodes == 0) {
		e->first = first;
		e->last = last;
	}
	e->conns += packets;
	if (first < e->first)
		e->first = first;
	if (last > e->last)
		e->last = last;
	for (i = 0; i < e->nnodes && e->nodes[i] != node; i++)
		;
	if (i == e->nnodes) {
		if (e->nnodes == e->capnodes) {
			size_t n = e->capnodes ? e->capnodes * 2 : 4;

			if ((p = realloc(e->nodes, n * sizeof(int))) == NULL)
				return fp_error("learn: out of memory");
			e->nodes = p;
			e->capnodes = n;
		}
		e->nodes[e->nnodes++] = node;
	}
	return 0;
}

static long
side_ns(struct lctx *c, const struct rs_result *r)
{
	return r->cls == RS_WORKLOAD ? c->wl_ns[r->peer] : NO_NS;
}

/* Add one flow's packets to an edge, once per node that logged it. */
static int
add_flow_edge(struct lctx *c, long src, long dst, int proto, int port,
    long src_ns, long dst_ns, int64_t packets, int64_t first, int64_t last,
    const int *nodes, size_t nnodes)
{
	long id = edge_of(c, src, dst, proto, port, src_ns, dst_ns);
	size_t i;

	if (id < 0)
		return fp_error("learn: out of memory");
	/* Count the packets once. */
	for (i = 0; i < nnodes; i++)
		if (add_edge(c, id, i == 0 ? packets : 0, first, last, nodes[i]) < 0)
			return -1;
	return 0;
}

/* --- Peers ----------------------------------------------------------------- */

/* The peer id (c->peers, by text) of a workload. */
static long
wl_peer(struct lctx *c, long wl)
{
	char buf[600];

	if (c->wl_peer[wl] < 0) {
		snprintf(buf, sizeof(buf), "%s/%s", c->wl[wl].ns, c->wl[wl].name);
		if ((c->wl_peer[wl] = strmap_intern(c->peers, buf,
		    strlen(buf))) < 0)
			return fp_error("learn: out of memory");
	}
	return c->wl_peer[wl];
}

/*
 * The peer id of one side of a flow: its text (peer_text) interned once, so
 * a flow costs a lookup of its address, not a formatted string.
 */
static long
peer_of(struct lctx *c, const struct rs_result *r, const struct fp_ip *ip)
{
	char key[1 + 16], buf[600];
	long id, pid;
	void *p;

	if (r->cls == RS_WORKLOAD)
		return wl_peer(c, r->peer);
	key[0] = r->cls == RS_NODE ? 'n' : r->cls == RS_EXTERNAL ? 'e' : 'u';
	memcpy(key + 1, ip->a, ip->len);
	if ((id = strmap_intern(c->ippeers, key, 1 + (size_t)ip->len)) < 0 ||
	    (p = fp_grow(c->ippeer, &c->capippeer, (size_t)id + 1,
	    sizeof(*c->ippeer))) == NULL)
		return fp_error("learn: out of memory");
	c->ippeer = p;
	if (c->ippeer[id] == 0) {	/* 0: not yet known, else id + 1 */
		peer_text(c, r, ip, buf, sizeof(buf));
		if ((pid = strmap_intern(c->peers, buf, strlen(buf))) < 0)
			return fp_error("learn: out of memory");
		c->ippeer[id] = pid + 1;
	}
	return c->ippeer[id] - 1;
}

static int
add_host_local(struct lctx *c, long node, const char *dst, int proto,
    int port, int64_t packets, int64_t first, int64_t last)
{
	char key[800];
	int n = snprintf(key, sizeof(key), "%s\t%s\t%d\t%d",
	    strmap_key(c->nodes, node, NULL), dst, proto, port);
	struct edge *e;
	long id;
	void *p;

	if (n < 0 || (size_t)n >= sizeof(key))
		return fp_error("learn: peer name too long");
	if ((id = strmap_intern(c->hl, key, (size_t)n)) < 0 ||
	    (p = fp_grow(c->hle, &c->caphle, (size_t)id + 1, sizeof(*c->hle))) == NULL)
		return fp_error("learn: out of memory");
	c->hle = p;
	e = &c->hle[id];
	if (e->conns == 0 || first < e->first)
		e->first = first;
	if (e->conns == 0 || last > e->last)
		e->last = last;
	e->conns += packets > 0 ? packets : 1;
	c->stats.host_local++;
	return 0;
}

/* --- Service flows and the pod flows of the same connections --------------- */

static int
direct_cmp(const void *a, const void *b)
{
	const struct direct *x = a, *y = b;
	int k = fp_ip_cmp(&x->sip, &y->sip);

	if (k)
		return k;
	if (x->wl != y->wl)
		return x->wl < y->wl ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return (x->port > y->port) - (x->port < y->port);
}

/* A connection seen at its pod address (after DNAT), in this window. */
static int
note_direct(struct lctx *c, const struct fp_ip *sip, long wl, int proto,
    int port)
{
	struct direct *d;
	void *p;

	if (c->ndirs == c->capdirs) {
		size_t n = c->capdirs ? c->capdirs * 2 : 1024;

		if ((p = realloc(c->dirs, n * sizeof(*c->dirs))) == NULL)
			return fp_error("learn: out of memory");
		c->dirs = p;
		c->capdirs = n;
	}
	d = &c->dirs[c->ndirs++];
	memset(d, 0, sizeof(*d));
	d->sip = *sip;
	d->wl = wl;
	d->proto = proto;
	d->port = port;
	return 0;
}

static int
add_pending(struct lctx *c, long src, long src_ns, const struct backend *b,
    int proto, int64_t packets, int64_t first, int64_t last,
    const struct fp_ip *sip, const int *nodes, size_t nnodes)
{
	struct pending *p;
	void *q;

	if (c->npend == c->cappend) {
		size_t n = c->cappend ? c->cappend * 2 : 64;

		if ((q = realloc(c->pend, n * sizeof(*p))) == NULL)
			return fp_error("learn: out of memory");
		c->pend = q;
		c->cappend = n;
	}
	if (c->npool + nnodes > c->cappool) {
		size_t n = c->cappool ? c->cappool : 256;

		while (n < c->npool + nnodes)
			n *= 2;
		if ((q = realloc(c->pool, n * sizeof(*c->pool))) == NULL)
			return fp_error("learn: out of memory");
		c->pool = q;
		c->cappool = n;
	}
	p = &c->pend[c->npend++];
	memset(p, 0, sizeof(*p));
	p->src = src;
	p->src_ns = src_ns;
	p->wl = b->wl;
	p->proto = proto;
	p->port = b->port;
	p->packets = packets;
	p->first = first;
	p->last = last;
	p->sip = *sip;
	p->nodes = c->npool;
	p->nnodes = nnodes;
	memcpy(c->pool + c->npool, nodes, nnodes * sizeof(*nodes));
	c->npool += nnodes;
	return 0;
}

/*
 * At the end of a window: flows to a ClusterIP become edges to each backend
 * workload at its target port. With kube-proxy in IPVS mode one connection
 * can be logged twice, to the ClusterIP and to the pod: the pod's record
 * (same window, source address, workload, proto and port) wins, so it
 * counts once.
 */
static int
flush_window(struct lctx *c)
{
	struct direct key;
	size_t i;
	long dst;

	if (c->npend > 0 && c->ndirs > 1)
		qsort(c->dirs, c->ndirs, sizeof(*c->dirs), direct_cmp);
	for (i = 0; i < c->npend; i++) {
		const struct pending *p = &c->pend[i];

		memset(&key, 0, sizeof(key));
		key.sip = p->sip;
		key.wl = p->wl;
		key.proto = p->proto;
		key.port = p->port;
		if (c->ndirs > 0 && bsearch(&key, c->dirs, c->ndirs,
		    sizeof(*c->dirs), direct_cmp) != NULL)
			continue;
		if ((dst = wl_peer(c, p->wl)) < 0 ||
		    add_flow_edge(c, p->src, dst, p->proto, p->port, p->src_ns,
		    c->wl_ns[p->wl], p->packets, p->first, p->last,
		    c->pool + p->nodes, p->nnodes) < 0)
			return -1;
	}
	c->npend = c->ndirs = c->npool = 0;
	return 0;
}

/* --- Flows ----------------------------------------------------------------- */

/* One flows row of the window being read. */
struct frow {
	int64_t packets, first, last;
	int64_t wlen;		/* the node's health window_len, or INT64_MIN */
	int proto, port, node;
	uint8_t slen, dlen, src[16], dst[16];
};

/* Grouping order: the 5-tuple (addresses as stored), then the node. */
static int
frow_cmp(const void *a, const void *b)
{
	const struct frow *x = a, *y = b;
	int k;

	if (x->slen != y->slen)
		return x->slen < y->slen ? -1 : 1;
	if ((k = memcmp(x->src, y->src, x->slen)) != 0)
		return k;
	if (x->dlen != y->dlen)
		return x->dlen < y->dlen ? -1 : 1;
	if ((k = memcmp(x->dst, y->dst, x->dlen)) != 0)
		return k;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return (x->node > y->node) - (x->node < y->node);
}

static int
same_group(const struct frow *x, const struct frow *y)
{
	return x->slen == y->slen && x->dlen == y->dlen &&
	    x->proto == y->proto && x->port == y->port &&
	    memcmp(x->src, y->src, x->slen) == 0 &&
	    memcmp(x->dst, y->dst, x->dlen) == 0;
}

/*
 * One connection group: a window's rows of one 5-tuple, one per node that
 * logged it (nodes), with the largest packet count, the earliest first and
 * latest last packet, and the largest health window length (-1: none).
 */
static int
walk_group(struct lctx *c, int64_t ws, const struct frow *g, const int *nodes,
    size_t nnodes, int64_t packets, int64_t first, int64_t last, int64_t wlen,
    struct backend *backs)
{
	struct fp_ip sip, dip;
	struct rs_result rs, rd;
	long touched[2 + 2 * RS_MAXCAND], src, dst;
	size_t nt, i, j, nbacks;
	int proto = g->proto, port = g->port, ambiguous, unknown, via;
	struct cov *cv;

	if (fp_ip_from_blob(&sip, g->src, g->slen) < 0 ||
	    fp_ip_from_blob(&dip, g->dst, g->dlen) < 0)
		return 0;	/* not an address: nothing to attribute */
	if (wlen <= 0 || wlen > 86400 * 365)
		wlen = DEFAULT_WINDOW_S;
	/* Unusable packet times: fall back to the whole window. */
	if (first <= 0 || last < first || first < ws ||
	    last >= ws + wlen * FP_USEC) {
		first = ws;
		last = ws + wlen * FP_USEC - 1;
	}
	if (last < c->o->since || first > c->o->until)
		return 0;
	if (never_policed(&sip, &dip, proto, port)) {
		c->stats.link_local++;
		return 0;
	}
	c->stats.flows++;
	resolver_lookup(c->res, &sip, first, last, &rs);
	resolver_lookup(c->res, &dip, first, last, &rd);
	via = classify_dst(c, &dip, proto, &port, first, last, &rd, backs,
	    &nbacks);
	ambiguous = rs.cls == RS_AMBIGUOUS || rd.cls == RS_AMBIGUOUS;
	unknown = rs.cls == RS_UNKNOWN || rd.cls == RS_UNKNOWN;
	/* Namespaces the flow touches (for coverage). */
	nt = 0;
	if (rs.cls == RS_WORKLOAD)
		touched[nt++] = side_ns(c, &rs);
	for (i = 0; i < (rd.cls == RS_WORKLOAD ? (nbacks ? nbacks : 1) : 0) &&
	    nt < 2 + RS_MAXCAND; i++)
		touched[nt++] = c->wl_ns[nbacks ? backs[i].wl : rd.peer];
	for (i = 0; i < rs.ncand; i++)
		if (rs.cand[i] >= 0)
			touched[nt++] = c->wl_ns[rs.cand[i]];
	for (i = 0; i < rd.ncand; i++)
		if (rd.cand[i] >= 0)
			touched[nt++] = c->wl_ns[rd.cand[i]];
	if (nt == 0)
		touched[nt++] = c->empty_ns;
	for (i = 0; i < nt; i++) {
		for (j = 0; j < i && touched[j] != touched[i]; j++)
			;
		if (j < i)
			continue;
		if ((cv = cov_of(c, touched[i])) == NULL)
			return fp_error("learn: out of memory");
		cv->flows++;
		if (ambiguous)
			cv->ambiguous++;
		else if (unknown)
			cv->unknown++;
		else
			cv->resolved++;
	}
	if (rs.cls == RS_AMBIGUOUS && note_unresolved(c, &sip, "ambiguous",
	    first, last) < 0)
		return -1;
	if (rd.cls == RS_AMBIGUOUS && note_unresolved(c, &dip, "ambiguous",
	    first, last) < 0)
		return -1;
	if (rs.cls == RS_UNKNOWN && note_unresolved(c, &sip, "unknown",
	    first, last) < 0)
		return -1;
	if (rd.cls == RS_UNKNOWN && note_unresolved(c, &dip, "unknown",
	    first, last) < 0)
		return -1;
	if (ambiguous) {
		c->stats.ambiguous++;
		return 0;
	}
	if (unknown)
		c->stats.unknown++;
	else
		c->stats.resolved++;
	if ((src = peer_of(c, &rs, &sip)) < 0)
		return -1;
	if (via == SVC_APISERVER) {
		if (c->apiserver_peer < 0 && (c->apiserver_peer =
		    strmap_intern(c->peers, "service:default/kubernetes",
		    strlen("service:default/kubernetes"))) < 0)
			return fp_error("learn: out of memory");
		dst = c->apiserver_peer;
	} else if ((dst = peer_of(c, &rd, &dip)) < 0) {
		return -1;
	}
	/*
	 * From a pod's own node (kubelet probes, the node's processes):
	 * Felix never polices it, so it needs no rule; keep it apart.
	 */
	if (via == SVC_NONE && rs.cls == RS_NODE && rd.cls == RS_WORKLOAD &&
	    rs.node >= 0 && rs.node == rd.node)
		return add_host_local(c, rs.node, strmap_key(c->peers, dst, NULL),
		    proto, port, packets, first, last);
	if (via == SVC_BACKENDS) {
		for (i = 0; i < nbacks; i++)
			if (add_pending(c, src, side_ns(c, &rs), &backs[i], proto,
			    packets, first, last, &sip, nodes, nnodes) < 0)
				return -1;
		return 0;
	}
	if (rd.cls == RS_WORKLOAD && note_direct(c, &sip, rd.peer, proto,
	    port) < 0)
		return -1;
	return add_flow_edge(c, src, dst, proto, port, side_ns(c, &rs),
	    side_ns(c, &rd), packets, first, last, nodes, nnodes);
}

/*
 * A connection between pods on two nodes is logged by both nodes (on the
 * way out and on the way in), so per window and 5-tuple the nodes' counts
 * are the same connections seen twice: take the largest, and remember every
 * node that saw them. The rows of a window are grouped here, in memory.
 */
static int
walk_window(struct lctx *c, int64_t window, struct frow *rows, size_t n,
    int *nodes, struct backend *backs)
{
	size_t i, j, nn;
	int64_t packets, first, last, wlen;

	if (n > 1)
		qsort(rows, n, sizeof(*rows), frow_cmp);
	for (i = 0; i < n; i = j) {
		packets = rows[i].packets;
		first = rows[i].first;
		last = rows[i].last;
		wlen = rows[i].wlen;
		nn = 0;
		for (j = i; j < n && (j == i || same_group(&rows[i], &rows[j]));
		    j++) {
			if (rows[j].packets > packets)
				packets = rows[j].packets;
			if (rows[j].first < first)
				first = rows[j].first;
			if (rows[j].last > last)
				last = rows[j].last;
			if (rows[j].wlen > wlen)
				wlen = rows[j].wlen;
			nodes[nn++] = rows[j].node;
		}
		if (walk_group(c, window * FP_USEC, &rows[i], nodes, nn, packets,
		    first, last, wlen == INT64_MIN ? DEFAULT_WINDOW_S : wlen,
		    backs) < 0)
			return -1;
	}
	return flush_window(c);
}

/*
 * The flows are read once in their stored order (window, node, ...), a
 * window at a time: no sort of the whole table, and memory for one window.
 */
static int
walk_flows(struct lctx *c)
{
	sqlite3_stmt *s = NULL, *h = NULL;
	struct frow *rows = NULL, *r;
	struct backend *backs = NULL;
	int *nodes = NULL;
	size_t nrows = 0, caprows = 0, i;
	int64_t window = 0, wlen = INT64_MIN;
	char *prev_node = NULL;
	int rc, ret = -1, node = -1, have = 0;
	void *p;

	if ((backs = malloc(MAX_BACKENDS * sizeof(*backs))) == NULL ||
	    (c->wl_peer = malloc((c->nwl + 1) * sizeof(*c->wl_peer))) == NULL)
		goto oom;
	for (i = 0; i < c->nwl; i++)
		c->wl_peer[i] = -1;
	c->apiserver_peer = -1;
	if ((c->empty_ns = strmap_intern(c->nss, "", 0)) < 0)
		goto oom;
	if (store_prepare(c->st, &s, "SELECT window_start, node, src, dst, proto, "
	    "dport, packets, first_seen, last_seen FROM flows "
	    "ORDER BY window_start") < 0 ||
	    store_prepare(c->st, &h, "SELECT window_len FROM health "
	    "WHERE window_start = ?1 AND node = ?2") < 0)
		goto out;
	for (;;) {
		const char *nn;
		const void *sb, *db;
		int64_t ws;
		int sl, dl;

		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			break;
		ws = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
		if (have && (rc == SQLITE_DONE || ws != window)) {
			if (walk_window(c, window, rows, nrows, nodes, backs) < 0)
				goto out;
			nrows = 0;
		}
		if (rc == SQLITE_DONE)
			break;
		if (!have || ws != window) {
			window = ws;
			have = 1;
			free(prev_node);
			prev_node = NULL;
		}
		nn = (const char *)sqlite3_column_text(s, 1);
		if (nn == NULL)
			nn = "";
		if (prev_node == NULL || strcmp(prev_node, nn) != 0) {
			/* A new node in the window: its id and health. */
			size_t len = strlen(nn);

			free(prev_node);
			if ((prev_node = strdup(nn)) == NULL)
				goto oom;
			if (len > 255)
				len = 255;
			if ((node = (int)strmap_intern(c->nodes, nn, len)) < 0)
				goto oom;
			sqlite3_bind_int64(h, 1, ws);
			sqlite3_bind_text(h, 2, prev_node, -1, SQLITE_STATIC);
			rc = sqlite3_step(h);
			if (rc == SQLITE_ROW)
				wlen = sqlite3_column_int64(h, 0);
			else
				wlen = INT64_MIN;
			sqlite3_reset(h);
			if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
				store_sqlerr(c->st, "reading collector health");
				goto out;
			}
		}
		sb = sqlite3_column_blob(s, 2);
		sl = sqlite3_column_bytes(s, 2);
		db = sqlite3_column_blob(s, 3);
		dl = sqlite3_column_bytes(s, 3);
		if (sb == NULL || db == NULL || (sl != 4 && sl != 16) ||
		    (dl != 4 && dl != 16))
			continue;	/* not an address: nothing to attribute */
		if (nrows == caprows) {
			size_t n = caprows ? caprows * 2 : 4096;

			if ((p = realloc(rows, n * sizeof(*rows))) == NULL ||
			    (rows = p, (p = realloc(nodes, n * sizeof(*nodes))) ==
			    NULL))
				goto oom;
			nodes = p;
			caprows = n;
		}
		r = &rows[nrows++];
		memset(r, 0, sizeof(*r));
		r->slen = (uint8_t)sl;
		r->dlen = (uint8_t)dl;
		memcpy(r->src, sb, (size_t)sl);
		memcpy(r->dst, db, (size_t)dl);
		r->proto = sqlite3_column_int(s, 4);
		r->port = sqlite3_column_int(s, 5);
		r->packets = sqlite3_column_int64(s, 6);
		r->first = sqlite3_column_int64(s, 7);
		r->last = sqlite3_column_int64(s, 8);
		r->wlen = wlen;
		r->node = node;
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(c->st, "reading flows");
		goto out;
	}
	ret = 0;
	goto out;
oom:
	fp_error("learn: out of memory");
out:
	free(prev_node);
	free(rows);
	free(nodes);
	free(backs);
	sqlite3_finalize(s);
	sqlite3_finalize(h);
	return ret;
}

static const struct strmap *node_sort_map;

static int
node_id_cmp(const void *a, const void *b)
{
	return strcmp(strmap_key(node_sort_map, *(const int *)a, NULL),
	    strmap_key(node_sort_map, *(const int *)b, NULL));
}

/* Peer ranks in text order, for edge_cmp. */
static const uint32_t *edge_rank;
static const struct edge *edge_arr;

static int
peer_text_cmp(const void *a, const void *b)
{
	return strcmp(strmap_key(node_sort_map, (long)*(const uint32_t *)a, NULL),
	    strmap_key(node_sort_map, (long)*(const uint32_t *)b, NULL));
}

static int
edge_cmp(const void *a, const void *b)
{
	const struct edge *x = &edge_arr[*(const uint32_t *)a];
	const struct edge *y = &edge_arr[*(const uint32_t *)b];

	if (x->src != y->src)
		return edge_rank[x->src] < edge_rank[y->src] ? -1 : 1;
	if (x->dst != y->dst)
		return edge_rank[x->dst] < edge_rank[y->dst] ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return (x->port > y->port) - (x->port < y->port);
}

/* The edge ids sorted by (src text, dst text, proto, port). */
static int
edge_order(struct lctx *c, uint32_t **out)
{
	size_t np = strmap_count(c->peers), i;
	uint32_t *by = NULL, *rank = NULL, *order = NULL;

	*out = NULL;
	if ((by = malloc((np + 1) * sizeof(*by))) == NULL ||
	    (rank = malloc((np + 1) * sizeof(*rank))) == NULL ||
	    (order = malloc((c->ne + 1) * sizeof(*order))) == NULL) {
		free(by);
		free(rank);
		return fp_error("learn: out of memory");
	}
	for (i = 0; i < np; i++)
		by[i] = (uint32_t)i;
	node_sort_map = c->peers;
	qsort(by, np, sizeof(*by), peer_text_cmp);
	for (i = 0; i < np; i++)
		rank[by[i]] = (uint32_t)i;
	for (i = 0; i < c->ne; i++)
		order[i] = (uint32_t)i;
	edge_rank = rank;
	edge_arr = c->e;
	qsort(order, c->ne, sizeof(*order), edge_cmp);
	free(by);
	free(rank);
	*out = order;
	return 0;
}

static int
step(struct lctx *c, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(c->st, what);
	return 0;
}

static int
write_model(struct lctx *c)
{
	sqlite3_stmt *s = NULL, *n = NULL;
	char nodes[4096];
	size_t i, j, k, used;
	uint32_t *order = NULL;
	long id;
	int ret = -1;
	struct cov *cv;

	if (store_exec(c->st, "DELETE FROM workloads; DELETE FROM workload_notes; "
	    "DELETE FROM edges; "
	    "DELETE FROM coverage; DELETE FROM unresolved; "
	    "UPDATE pods SET workload = NULL, controller_kind = '', "
	    "controller_name = '' WHERE workload IS NOT NULL OR "
	    "controller_kind != ''") < 0)
		return -1;
	if (store_prepare(c->st, &s, "INSERT INTO workloads(namespace, name, kind, "
	    "selector, pods) VALUES (?1, ?2, ?3, ?4, ?5)") < 0 ||
	    store_prepare(c->st, &n, "INSERT INTO workload_notes(namespace, name, "
	    "members, exact) VALUES (?1, ?2, ?3, ?4)") < 0)
		goto out;
	for (i = 0; i < c->nwl; i++) {
		sqlite3_bind_text(s, 1, c->wl[i].ns, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, c->wl[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, c->wl[i].kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, c->wl[i].selector, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, (sqlite3_int64)c->wl[i].pods);
		if (step(c, s, "writing workloads") < 0)
			goto out;
		sqlite3_bind_text(n, 1, c->wl[i].ns, -1, SQLITE_STATIC);
		sqlite3_bind_text(n, 2, c->wl[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(n, 3, c->wl[i].members, -1, SQLITE_STATIC);
		sqlite3_bind_int(n, 4, c->wl[i].exact);
		if (step(c, n, "writing workload notes") < 0)
			goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (store_prepare(c->st, &s, "UPDATE pods SET workload = ?2 || '/' || ?3, "
	    "controller_kind = ?4, controller_name = ?5 WHERE uid = ?1") < 0)
		goto out;
	for (i = 0; i < c->ncp; i++) {
		sqlite3_bind_text(s, 1, c->cp[i].uid, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, c->wl[c->cp[i].wl].ns, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, c->wl[c->cp[i].wl].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, c->cp[i].ctrl_kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, c->cp[i].ctrl_name, -1, SQLITE_STATIC);
		if (step(c, s, "writing pods") < 0)
			goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (store_prepare(c->st, &s, "INSERT INTO edges(src, dst, proto, port, "
	    "connections, first_seen, last_seen, nodes) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)") < 0)
		goto out;
	/*
	 * Edges in the table's key order (peers by text, proto, port): the
	 * inserts append to the table's B-tree instead of splitting its pages
	 * at random.
	 */
	if (edge_order(c, &order) < 0)
		goto out;
	node_sort_map = c->nodes;
	for (k = 0; k < c->ne; k++) {
		struct edge *e = &c->e[order[k]];
		size_t slen, dlen;
		const char *src = strmap_key(c->peers, e->src, &slen);
		const char *dst = strmap_key(c->peers, e->dst, &dlen);

		qsort(e->nodes, e->nnodes, sizeof(int), node_id_cmp);
		for (j = 0, used = 0, nodes[0] = '\0'; j < e->nnodes; j++) {
			int m = snprintf(nodes + used, sizeof(nodes) - used, "%s%s",
			    j ? "," : "", strmap_key(c->nodes, e->nodes[j], NULL));

			if (m < 0 || (size_t)m >= sizeof(nodes) - used)
				break;
			used += (size_t)m;
		}
		sqlite3_bind_text(s, 1, src, (int)slen, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, dst, (int)dlen, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, e->proto);
		sqlite3_bind_int(s, 4, e->port);
		sqlite3_bind_int64(s, 5, e->conns);
		sqlite3_bind_int64(s, 6, e->first);
		sqlite3_bind_int64(s, 7, e->last);
		sqlite3_bind_text(s, 8, nodes, -1, SQLITE_STATIC);
		if (step(c, s, "writing edges") < 0)
			goto out;
		/* The newest edge per namespace it touches. */
		if (e->src_ns != NO_NS && (cv = cov_of(c, e->src_ns)) != NULL &&
		    e->first > cv->last_new)
			cv->last_new = e->first;
		if (e->dst_ns != NO_NS && (cv = cov_of(c, e->dst_ns)) != NULL &&
		    e->first > cv->last_new)
			cv->last_new = e->first;
	}
	c->stats.edges = c->ne;
	sqlite3_finalize(s);
	s = NULL;
	if (store_prepare(c->st, &s, "INSERT INTO coverage(namespace, flows, "
	    "resolved, ambiguous, unknown, last_new_edge) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6)") < 0)
		goto out;
	for (id = 0; id < (long)strmap_count(c->nss); id++) {
		if ((cv = cov_of(c, id)) == NULL) {
			fp_error("learn: out of memory");
			goto out;
		}
		if (cv->flows == 0 && id == strmap_find(c->nss, "", 0))
			continue;
		sqlite3_bind_text(s, 1, strmap_key(c->nss, id, NULL), -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, cv->flows);
		sqlite3_bind_int64(s, 3, cv->resolved);
		sqlite3_bind_int64(s, 4, cv->ambiguous);
		sqlite3_bind_int64(s, 5, cv->unknown);
		if (cv->last_new > 0)
			sqlite3_bind_int64(s, 6, cv->last_new);
		else
			sqlite3_bind_null(s, 6);
		if (step(c, s, "writing coverage") < 0)
			goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (store_prepare(c->st, &s, "INSERT INTO unresolved(ip, reason, flows, "
	    "first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5)") < 0)
		goto out;
	for (id = 0; id < (long)strmap_count(c->unres); id++) {
		size_t len;
		const char *key = strmap_key(c->unres, id, &len);

		sqlite3_bind_blob(s, 1, key, (int)len - 1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, key[len - 1] == 'a' ? "ambiguous" : "unknown",
		    -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, c->u[id].flows);
		sqlite3_bind_int64(s, 4, c->u[id].first);
		sqlite3_bind_int64(s, 5, c->u[id].last);
		if (step(c, s, "writing unresolved addresses") < 0)
			goto out;
	}
	ret = 0;
out:
	free(order);
	sqlite3_finalize(s);
	sqlite3_finalize(n);
	return ret;
}

/*
 * Whether one of the pod's label sets matches a learned selector (the
 * text cluster.c writes: k == 'v' joined by " && ", or all()); the
 * projectcalico.org/serviceaccount label is the pod's service account.
 */
static int
selector_selects(const char *sel, const struct lpod *p)
{
	char key[400], val[100];
	const char *t, *q, *v;
	size_t i, n;
	int ok;

	for (i = 0; i < p->nstates || (i == 0 && p->nstates == 0); i++) {
		ok = 1;
		for (t = sel; ok && *t != '\0' && strcmp(t, "all()") != 0;) {
			if ((q = strstr(t, " == '")) == NULL ||
			    (n = (size_t)(q - t)) >= sizeof(key))
				return 0;
			memcpy(key, t, n);
			key[n] = '\0';
			t = q + 5;
			if ((q = strchr(t, '\'')) == NULL ||
			    (n = (size_t)(q - t)) >= sizeof(val))
				return 0;
			memcpy(val, t, n);
			val[n] = '\0';
			t = q + 1;
			if (strncmp(t, " && ", 4) == 0)
				t += 4;
			if (strcmp(key, "projectcalico.org/serviceaccount") == 0)
				v = p->sa;
			else
				v = i < p->nstates ? labels_get(&p->states[i], key) : NULL;
			ok = v != NULL && strcmp(v, val) == 0;
		}
		if (ok)
			return 1;
	}
	return 0;
}

/*
 * For each workload whose selector is not exact: the other workloads of its
 * namespace it also selects, written to workload_notes.also_selects and
 * said on the notes stream with the label that would tell it apart.
 */
static int
write_also_selects(struct lctx *c)
{
	sqlite3_stmt *s = NULL;
	char *list = NULL;
	size_t i, k, used, cap = 0;
	int ret = -1;
	void *p;

	if (store_prepare(c->st, &s, "UPDATE workload_notes SET also_selects = ?3 "
	    "WHERE namespace = ?1 AND name = ?2") < 0)
		return -1;
	for (i = 0; i < c->nwl; i++) {
		if (c->wl[i].exact)
			continue;
		used = 0;
		/* Workloads are sorted by (namespace, name): the list is too. */
		for (k = 0; k < c->nwl; k++) {
			size_t j, need;

			if (k == i || strcmp(c->wl[k].ns, c->wl[i].ns) != 0)
				continue;
			for (j = 0; j < c->npods; j++)
				if (c->pods[j].kept >= 0 &&
				    c->cp[c->pods[j].kept].wl == k &&
				    selector_selects(c->wl[i].selector, &c->pods[j]))
					break;
			if (j == c->npods)
				continue;
			need = used + strlen(c->wl[k].name) + 2;
			if (need > cap) {
				cap = need * 2;
				if ((p = realloc(list, cap)) == NULL) {
					fp_error("learn: out of memory");
					goto out;
				}
				list = p;
			}
			used += (size_t)snprintf(list + used, cap - used, "%s%s",
			    used ? "," : "", c->wl[k].name);
		}
		if (used == 0) {
			if (c->o->notes != NULL)
				fprintf(c->o->notes, "flowpol: learn: namespace '%s': no "
				    "label set selects workload '%s' alone: its selector %s "
				    "also matches pods of other workloads\n", c->wl[i].ns,
				    c->wl[i].name, c->wl[i].selector);
			continue;
		}
		sqlite3_bind_text(s, 1, c->wl[i].ns, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, c->wl[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, list, -1, SQLITE_STATIC);
		if (step(c, s, "writing workload notes") < 0)
			goto out;
		if (c->o->notes != NULL)
			fprintf(c->o->notes, "flowpol: learn: namespace '%s': no label "
			    "set selects workload '%s' alone: its selector %s also "
			    "selects %s; add a label such as app.kubernetes.io/name: %s "
			    "to its pod template\n", c->wl[i].ns, c->wl[i].name,
			    c->wl[i].selector, fp_clamp(list, 300), c->wl[i].name);
	}
	ret = 0;
out:
	free(list);
	sqlite3_finalize(s);
	return ret;
}

/*
 * The workloads behind each Service port over the whole learning period
 * (service_backends), at their target ports.
 */
static int
write_service_backends(struct lctx *c)
{
	sqlite3_stmt *s = NULL;
	struct backend *b = NULL;
	char wl[600];
	size_t i, k, n;
	int64_t from = c->o->since == INT64_MIN ? INT64_MIN + 1 : c->o->since;
	int64_t to = c->o->until == INT64_MAX ? INT64_MAX - 1 : c->o->until;
	int ret = -1;

	if (store_exec(c->st, "DELETE FROM service_backends") < 0 ||
	    store_prepare(c->st, &s, "INSERT OR IGNORE INTO service_backends("
	    "namespace, name, type, workload, proto, port) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6)") < 0)
		goto out;
	if ((b = malloc(MAX_BACKENDS * sizeof(*b))) == NULL) {
		fp_error("learn: out of memory");
		goto out;
	}
	for (i = 0; i < c->nsvcs; i++) {
		const struct lsvc *v = &c->svcs[i];

		for (k = 0; k < v->nports; k++) {
			n = svc_backends(c, v, &v->ports[k], from, to, 1, b);
			while (n-- > 0) {
				snprintf(wl, sizeof(wl), "%s/%s", c->wl[b[n].wl].ns,
				    c->wl[b[n].wl].name);
				sqlite3_bind_text(s, 1, v->ns, -1, SQLITE_STATIC);
				sqlite3_bind_text(s, 2, v->name, -1, SQLITE_STATIC);
				sqlite3_bind_text(s, 3, v->type, -1, SQLITE_STATIC);
				sqlite3_bind_text(s, 4, wl, -1, SQLITE_STATIC);
				sqlite3_bind_int(s, 5, v->ports[k].proto);
				sqlite3_bind_int(s, 6, b[n].port);
				if (step(c, s, "writing service backends") < 0)
					goto out;
			}
		}
	}
	ret = 0;
out:
	free(b);
	sqlite3_finalize(s);
	return ret;
}

/*
 * host_local rows, workload_notes.host_network, and what the cluster's DNS
 * was found to be (meta learn.dns, and the stats).
 */
static int
write_host_model(struct lctx *c)
{
	sqlite3_stmt *s = NULL;
	char a[FP_IPSTRLEN], ips[200], all[240] = "";
	size_t i;
	long id, v;
	int ret = -1;

	if (store_exec(c->st, "DELETE FROM host_local") < 0 ||
	    store_prepare(c->st, &s, "INSERT INTO host_local(node, dst, proto, port, "
	    "connections, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)") < 0)
		goto out;
	for (id = 0; id < (long)strmap_count(c->hl); id++) {
		const char *key = strmap_key(c->hl, id, NULL);
		const char *t1 = strchr(key, '\t'), *t2 = strchr(t1 + 1, '\t');
		const char *t3 = strchr(t2 + 1, '\t');

		sqlite3_bind_text(s, 1, key, (int)(t1 - key), SQLITE_STATIC);
		sqlite3_bind_text(s, 2, t1 + 1, (int)(t2 - t1 - 1), SQLITE_STATIC);
		sqlite3_bind_int(s, 3, atoi(t2 + 1));
		sqlite3_bind_int(s, 4, atoi(t3 + 1));
		sqlite3_bind_int64(s, 5, c->hle[id].conns);
		sqlite3_bind_int64(s, 6, c->hle[id].first);
		sqlite3_bind_int64(s, 7, c->hle[id].last);
		if (step(c, s, "writing host-local traffic") < 0)
			goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (store_prepare(c->st, &s, "UPDATE workload_notes SET host_network = 1 "
	    "WHERE namespace = ?1 AND name = ?2") < 0)
		goto out;
	for (i = 0; i < c->nwl; i++) {
		if (!c->wl_hostnet[i])
			continue;
		sqlite3_bind_text(s, 1, c->wl[i].ns, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, c->wl[i].name, -1, SQLITE_STATIC);
		if (step(c, s, "writing workload notes") < 0)
			goto out;
	}
	if (write_service_backends(c) < 0)
		goto out;
	/* The cluster's DNS, and the evidence. */
	ips[0] = '\0';
	if (c->nodelocal_wl >= 0) {
		size_t used = 0;

		for (i = 0; c->kubedns >= 0 && i < c->nsips; i++)
			if ((long)c->sips[i].svc == c->kubedns && used < sizeof(ips))
				used += (size_t)snprintf(ips + used, sizeof(ips) - used,
				    ",%s", fp_ip_format(&c->sips[i].ip, a));
		snprintf(c->stats.dns, sizeof(c->stats.dns), "NodeLocal DNSCache: "
		    "workload %s/%s (DaemonSet node-local-dns) at %s%s",
		    c->wl[c->nodelocal_wl].ns, c->wl[c->nodelocal_wl].name,
		    NODELOCAL_DNS_ADDR, ips);
		/* what emit's DNS layer allows by address */
		snprintf(all, sizeof(all), "%s%s", NODELOCAL_DNS_ADDR, ips);
	} else if ((v = find_svc(c, "openshift-dns", "dns-default")) >= 0) {
		const struct sport *sp = svc_port(&c->svcs[v], 17, 53);

		snprintf(c->stats.dns, sizeof(c->stats.dns), "OpenShift DNS: Service "
		    "openshift-dns/dns-default, target port %s",
		    sp ? sp->target : "5353");
	} else if (c->kubedns >= 0) {
		snprintf(c->stats.dns, sizeof(c->stats.dns), "kube-dns: Service "
		    "kube-system/kube-dns");
	}
	if (store_meta_set(c->st, "learn.dns", c->stats.dns) < 0 ||
	    store_meta_set(c->st, "learn.dns_addresses", all) < 0)
		goto out;
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}

static int
write_meta(struct lctx *c)
{
	char buf[64], *nets = NULL, a[FP_IPSTRLEN];
	const struct fp_ip *n;
	const int *p;
	size_t k = resolver_nets(c->res, &n, &p), i, used = 0, cap = k * 56 + 1;
	int ret = -1;

	if ((nets = malloc(cap)) == NULL)
		return fp_error("learn: out of memory");
	nets[0] = '\0';
	for (i = 0; i < k; i++)
		used += (size_t)snprintf(nets + used, cap - used, "%s%s/%d",
		    i ? "," : "", fp_ip_format(&n[i], a), p[i]);
	snprintf(buf, sizeof(buf), "%lld", (long long)fp_now_us());
	if (store_meta_set(c->st, "learn.at", buf) < 0)
		goto out;
	snprintf(buf, sizeof(buf), "%lld", (long long)c->o->since);
	if (store_meta_set(c->st, "learn.since", buf) < 0)
		goto out;
	snprintf(buf, sizeof(buf), "%lld", (long long)c->o->until);
	if (store_meta_set(c->st, "learn.until", buf) < 0 ||
	    store_meta_set(c->st, "learn.cluster_cidrs", nets) < 0)
		goto out;
	ret = 0;
out:
	free(nets);
	return ret;
}

/* The refusal of an empty period, naming what the database does hold. */
static int
empty_period(struct lctx *c)
{
	static const char sql[] =
	    "SELECT count(*), min(CASE WHEN first_seen > 0 THEN first_seen "
	    "ELSE window_start * 1000000 END), max(CASE WHEN last_seen > 0 "
	    "THEN last_seen ELSE window_start * 1000000 END) FROM flows";
	sqlite3_stmt *s = NULL;
	char per[FP_PERIODLEN], a[FP_TIMESTRLEN], b[FP_TIMESTRLEN];
	long long n = 0;
	int64_t first = 0, last = 0;

	if (store_prepare(c->st, &s, sql) < 0)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		n = sqlite3_column_int64(s, 0);
		first = sqlite3_column_int64(s, 1);
		last = sqlite3_column_int64(s, 2);
	}
	sqlite3_finalize(s);
	fp_period_format(c->o->since, c->o->until, per);
	if (n == 0)
		return fp_error("learn: no flows from %s: the database holds no "
		    "flows at all (record some with collect, or give "
		    "--allow-empty to learn a model that allows nothing)", per);
	return fp_error("learn: no flows from %s: the database holds %lld "
	    "flows from %s to %s; choose --since/--until in that range, or give "
	    "--allow-empty to learn a model that allows nothing", per, n,
	    fp_time_format(first, a), fp_time_format(last, b));
}

int
learn_run(struct store *st, const struct learn_opts *o, struct learn_stats *out)
{
	struct lctx c;
	size_t i, j;
	int began = 0, ret = -1;

	memset(&c, 0, sizeof(c));
	c.st = st;
	c.o = o;
	if ((c.peers = strmap_new()) == NULL || (c.nodes = strmap_new()) == NULL ||
	    (c.nss = strmap_new()) == NULL || (c.unres = strmap_new()) == NULL ||
	    (c.ippeers = strmap_new()) == NULL || (c.hl = strmap_new()) == NULL) {
		fp_error("learn: out of memory");
		goto out;
	}
	if (resolver_new(&c.res) < 0 || store_begin(st) < 0)
		goto out;
	began = 1;
	if (load_controllers(&c) < 0 || load_pods(&c) < 0 ||
	    build_workloads(&c) < 0 || load_endpoints(&c) < 0 ||
	    load_services(&c) < 0 || walk_flows(&c) < 0)
		goto out;
	if (c.stats.flows == 0 && !o->allow_empty) {
		empty_period(&c);
		goto out;
	}
	if (write_model(&c) < 0 || write_host_model(&c) < 0 ||
	    write_also_selects(&c) < 0 || write_meta(&c) < 0)
		goto out;
	began = 0;
	if (store_commit(st) < 0)
		goto out;
	*out = c.stats;
	ret = 0;
out:
	if (began)
		store_rollback(st);
	for (i = 0; i < c.npods; i++) {
		struct lpod *p = &c.pods[i];

		free(p->uid);
		free(p->ns);
		free(p->name);
		free(p->okind);
		free(p->oname);
		free(p->sa);
		for (j = 0; j < p->nstates; j++)
			labels_release(&p->states[j]);
		free(p->states);
		for (j = 0; j < p->nports; j++)
			free(p->ports[j].name);
		free(p->ports);
	}
	for (i = 0; i < c.nsvcs; i++) {
		struct lsvc *v = &c.svcs[i];

		free(v->ns);
		free(v->name);
		free(v->type);
		labels_release(&v->sel);
		for (j = 0; j < v->nports; j++) {
			free(v->ports[j].name);
			free(v->ports[j].target);
		}
		free(v->ports);
		strmap_free(v->slices);
		free(v->backs);
		for (j = 0; j < v->nsports; j++)
			free(v->sports[j].name);
		free(v->sports);
		free(v->pods);
	}
	free(c.svcs);
	free(c.sips);
	free(c.lis);
	free(c.wl_hostnet);
	free(c.pend);
	free(c.pool);
	free(c.dirs);
	free(c.hle);
	strmap_free(c.hl);
	free(c.pods);
	for (i = 0; i < c.nctrls; i++) {
		free((char *)c.ctrls[i].ns);
		free((char *)c.ctrls[i].kind);
		free((char *)c.ctrls[i].name);
		free((char *)c.ctrls[i].owner_kind);
		free((char *)c.ctrls[i].owner_name);
	}
	free(c.ctrls);
	free(c.cp);
	cluster_free(c.wl, c.nwl);
	free(c.wl_ns);
	resolver_free(c.res);
	for (i = 0; i < c.ne; i++)
		free(c.e[i].nodes);
	free(c.e);
	free(c.eslots);
	free(c.wl_peer);
	free(c.ippeer);
	strmap_free(c.peers);
	strmap_free(c.ippeers);
	free(c.cov);
	free(c.u);
	strmap_free(c.nodes);
	strmap_free(c.nss);
	strmap_free(c.unres);
	return ret;
}
