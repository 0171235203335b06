#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/timeutil.h"
#include "learner/cluster.h"
#include "learner/graph.h"
#include "common/labels.h"
#include "learner/resolve.h"
#include "learner/strmap.h"
#include "common/banned.h"

#define DEFAULT_WINDOW_S 600
#define NO_NS (-1L)

struct lpod {
	char *uid, *ns, *name, *okind, *oname, *sa;
	int64_t alive_from, alive_to;
	struct labels *states;
	size_t nstates, capstates;
	long kept;		/* index into the cl_pod array, or -1 */
};

struct edge {
	int64_t conns, first, last;
	int *nodes;		/* node name ids, unsorted, unique */
	size_t nnodes;
	long src_ns, dst_ns;	/* namespace ids or NO_NS */
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
	struct strmap *edges, *nodes, *nss, *unres;
	struct edge *e;
	size_t cape;
	struct cov *cov;
	size_t capcov;
	struct unres *u;
	size_t capu;
	struct learn_stats stats;
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
	    "THEN deleted ELSE gone_at END "
	    "FROM pods WHERE host_network = 0 AND live = 1 ORDER BY uid") < 0)
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
	ret = 0;
	goto out;
oom:
	fp_error("learn: out of memory");
out:
	sqlite3_finalize(s);
	return ret;
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
	return 0;
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
	long peer;
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
		if (kind != NULL && strcmp(kind, "node") == 0) {
			peer = RS_NODE_PEER;
			if (infer && resolver_add_net(c->res, &ip, ip.len * 8) < 0)
				goto out;
		} else {
			/*
			 * A pod outside the period (or unknown) still owned the
			 * address: a flow meeting it is ambiguous (peer -2).
			 */
			p = owner ? find_pod(c, owner) : NULL;
			peer = p && p->kept >= 0 ? (long)c->cp[p->kept].wl : -2;
			if (infer && add_guess(c, &ip) < 0)
				goto out;
		}
		if (resolver_add(c->res, &ip, from, to, peer) < 0)
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
out:
	sqlite3_finalize(s);
	return ret;
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

/*
 * v, an array of *cap elements of elem bytes indexed by a dense id, grown
 * (doubling from first) to hold need elements, the new ones zeroed. The
 * array, or NULL when out of memory (v is then untouched).
 */
static void *
grow_zeroed(void *v, size_t *cap, size_t need, size_t elem, size_t first)
{
	size_t n = *cap ? *cap : first;
	char *p;

	if (need <= *cap)
		return v;
	while (n < need)
		n *= 2;
	if ((p = realloc(v, n * elem)) == NULL)
		return NULL;
	memset(p + *cap * elem, 0, (n - *cap) * elem);
	*cap = n;
	return p;
}

static struct cov *
cov_of(struct lctx *c, long ns)
{
	struct cov *p = grow_zeroed(c->cov, &c->capcov, (size_t)ns + 1,
	    sizeof(*c->cov), 64);

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
	if ((p = grow_zeroed(c->u, &c->capu, (size_t)id + 1, sizeof(*c->u),
	    64)) == NULL)
		return fp_error("learn: out of memory");
	c->u = p;
	if (c->u[id].flows == 0 || first < c->u[id].first)
		c->u[id].first = first;
	if (c->u[id].flows == 0 || last > c->u[id].last)
		c->u[id].last = last;
	c->u[id].flows++;
	return 0;
}

static int
add_edge(struct lctx *c, const char *src, const char *dst, int proto,
    int port, long src_ns, long dst_ns, int64_t packets, int64_t first,
    int64_t last, const char *node)
{
	char key[1400];
	int n = snprintf(key, sizeof(key), "%s\t%s\t%d\t%d", src, dst, proto, port);
	long id, nid;
	struct edge *e;
	size_t i;
	void *p;

	if (n < 0 || (size_t)n >= sizeof(key))
		return fp_error("learn: peer name too long");
	if ((id = strmap_intern(c->edges, key, (size_t)n)) < 0 ||
	    (nid = strmap_intern(c->nodes, node, strlen(node))) < 0)
		return fp_error("learn: out of memory");
	if ((p = grow_zeroed(c->e, &c->cape, (size_t)id + 1, sizeof(*c->e),
	    1024)) == NULL)
		return fp_error("learn: out of memory");
	c->e = p;
	e = &c->e[id];
	if (e->conns == 0 && e->nnodes == 0) {
		e->first = first;
		e->last = last;
		e->src_ns = src_ns;
		e->dst_ns = dst_ns;
	}
	e->conns += packets;
	if (first < e->first)
		e->first = first;
	if (last > e->last)
		e->last = last;
	for (i = 0; i < e->nnodes && e->nodes[i] != (int)nid; i++)
		;
	if (i == e->nnodes) {
		if ((p = realloc(e->nodes, (e->nnodes + 1) * sizeof(int))) == NULL)
			return fp_error("learn: out of memory");
		e->nodes = p;
		e->nodes[e->nnodes++] = (int)nid;
	}
	return 0;
}

static long
side_ns(struct lctx *c, const struct rs_result *r)
{
	return r->cls == RS_WORKLOAD ? c->wl_ns[r->peer] : NO_NS;
}

static int
walk_flows(struct lctx *c)
{
	sqlite3_stmt *s = NULL;
	struct fp_ip sip, dip;
	struct rs_result rs, rd;
	char sbuf[600], dbuf[600];
	int64_t ws, first, last, packets, wlen;
	long touched[2 + 2 * RS_MAXCAND], empty_ns;
	size_t nt, i, j;
	const char *node;
	int rc, ret = -1, proto, port, ambiguous, unknown;
	struct cov *cv;

	if ((empty_ns = strmap_intern(c->nss, "", 0)) < 0)
		return fp_error("learn: out of memory");
	/*
	 * A connection between pods on two nodes is logged by both nodes (on
	 * the way out and on the way in), so per window and 5-tuple the nodes'
	 * counts are the same connections seen twice: take the largest, and
	 * remember every node that saw them.
	 */
	if (store_prepare(c->st, &s, "SELECT f.window_start, "
	    "group_concat(f.node, ','), f.src, f.dst, f.proto, f.dport, "
	    "max(f.packets), min(f.first_seen), max(f.last_seen), "
	    "max(h.window_len) FROM flows f LEFT JOIN health h "
	    "ON h.window_start = f.window_start AND h.node = f.node "
	    "GROUP BY f.window_start, f.src, f.dst, f.proto, f.dport") < 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ws = sqlite3_column_int64(s, 0) * FP_USEC;
		node = (const char *)sqlite3_column_text(s, 1);
		if (node == NULL)
			node = "";
		if (fp_ip_from_blob(&sip, sqlite3_column_blob(s, 2),
		    (size_t)sqlite3_column_bytes(s, 2)) < 0 ||
		    fp_ip_from_blob(&dip, sqlite3_column_blob(s, 3),
		    (size_t)sqlite3_column_bytes(s, 3)) < 0)
			continue;	/* not an address: nothing to attribute */
		proto = sqlite3_column_int(s, 4);
		port = sqlite3_column_int(s, 5);
		packets = sqlite3_column_int64(s, 6);
		first = sqlite3_column_int64(s, 7);
		last = sqlite3_column_int64(s, 8);
		wlen = sqlite3_column_type(s, 9) == SQLITE_NULL ? DEFAULT_WINDOW_S :
		    sqlite3_column_int64(s, 9);
		if (wlen <= 0 || wlen > 86400 * 365)
			wlen = DEFAULT_WINDOW_S;
		/* Unusable packet times: fall back to the whole window. */
		if (first <= 0 || last < first || first < ws ||
		    last >= ws + wlen * FP_USEC) {
			first = ws;
			last = ws + wlen * FP_USEC - 1;
		}
		if (last < c->o->since || first > c->o->until)
			continue;
		c->stats.flows++;
		resolver_lookup(c->res, &sip, first, last, &rs);
		resolver_lookup(c->res, &dip, first, last, &rd);
		ambiguous = rs.cls == RS_AMBIGUOUS || rd.cls == RS_AMBIGUOUS;
		unknown = rs.cls == RS_UNKNOWN || rd.cls == RS_UNKNOWN;
		/* Namespaces the flow touches (for coverage). */
		nt = 0;
		if (rs.cls == RS_WORKLOAD)
			touched[nt++] = side_ns(c, &rs);
		if (rd.cls == RS_WORKLOAD)
			touched[nt++] = side_ns(c, &rd);
		for (i = 0; i < rs.ncand; i++)
			if (rs.cand[i] >= 0)
				touched[nt++] = c->wl_ns[rs.cand[i]];
		for (i = 0; i < rd.ncand; i++)
			if (rd.cand[i] >= 0)
				touched[nt++] = c->wl_ns[rd.cand[i]];
		if (nt == 0)
			touched[nt++] = empty_ns;
		for (i = 0; i < nt; i++) {
			for (j = 0; j < i && touched[j] != touched[i]; j++)
				;
			if (j < i)
				continue;
			if ((cv = cov_of(c, touched[i])) == NULL)
				goto oom;
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
			goto out;
		if (rd.cls == RS_AMBIGUOUS && note_unresolved(c, &dip, "ambiguous",
		    first, last) < 0)
			goto out;
		if (rs.cls == RS_UNKNOWN && note_unresolved(c, &sip, "unknown",
		    first, last) < 0)
			goto out;
		if (rd.cls == RS_UNKNOWN && note_unresolved(c, &dip, "unknown",
		    first, last) < 0)
			goto out;
		if (ambiguous) {
			c->stats.ambiguous++;
			continue;
		}
		if (unknown)
			c->stats.unknown++;
		else
			c->stats.resolved++;
		peer_text(c, &rs, &sip, sbuf, sizeof(sbuf));
		peer_text(c, &rd, &dip, dbuf, sizeof(dbuf));
		/* Node names cannot hold ','; count the packets once. */
		for (;;) {
			const char *comma = strchr(node, ',');
			size_t nl = comma ? (size_t)(comma - node) : strlen(node);
			char nbuf[256];

			if (nl >= sizeof(nbuf))
				nl = sizeof(nbuf) - 1;
			memcpy(nbuf, node, nl);
			nbuf[nl] = '\0';
			if (add_edge(c, sbuf, dbuf, proto, port, side_ns(c, &rs),
			    side_ns(c, &rd), packets, first, last, nbuf) < 0)
				goto out;
			if (comma == NULL)
				break;
			packets = 0;
			node = comma + 1;
		}
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
	sqlite3_finalize(s);
	return ret;
}

static const struct strmap *node_sort_map;

static int
node_id_cmp(const void *a, const void *b)
{
	return strcmp(strmap_key(node_sort_map, *(const int *)a, NULL),
	    strmap_key(node_sort_map, *(const int *)b, NULL));
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
	size_t i, j, used;
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
	node_sort_map = c->nodes;
	for (id = 0; id < (long)strmap_count(c->edges); id++) {
		const char *key = strmap_key(c->edges, id, NULL);
		struct edge *e = &c->e[id];
		const char *t1 = strchr(key, '\t'), *t2 = strchr(t1 + 1, '\t');
		const char *t3 = strchr(t2 + 1, '\t');

		qsort(e->nodes, e->nnodes, sizeof(int), node_id_cmp);
		for (j = 0, used = 0, nodes[0] = '\0'; j < e->nnodes; j++) {
			int k = snprintf(nodes + used, sizeof(nodes) - used, "%s%s",
			    j ? "," : "", strmap_key(c->nodes, e->nodes[j], NULL));

			if (k < 0 || (size_t)k >= sizeof(nodes) - used)
				break;
			used += (size_t)k;
		}
		sqlite3_bind_text(s, 1, key, (int)(t1 - key), SQLITE_STATIC);
		sqlite3_bind_text(s, 2, t1 + 1, (int)(t2 - t1 - 1), SQLITE_STATIC);
		sqlite3_bind_int(s, 3, atoi(t2 + 1));
		sqlite3_bind_int(s, 4, atoi(t3 + 1));
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
	c->stats.edges = strmap_count(c->edges);
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
	sqlite3_finalize(s);
	sqlite3_finalize(n);
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

int
learn_run(struct store *st, const struct learn_opts *o, struct learn_stats *out)
{
	struct lctx c;
	size_t i, j;
	int began = 0, ret = -1;

	memset(&c, 0, sizeof(c));
	c.st = st;
	c.o = o;
	if ((c.edges = strmap_new()) == NULL || (c.nodes = strmap_new()) == NULL ||
	    (c.nss = strmap_new()) == NULL || (c.unres = strmap_new()) == NULL) {
		fp_error("learn: out of memory");
		goto out;
	}
	if (resolver_new(&c.res) < 0 || store_begin(st) < 0)
		goto out;
	began = 1;
	if (load_controllers(&c) < 0 || load_pods(&c) < 0 ||
	    build_workloads(&c) < 0 || load_endpoints(&c) < 0 ||
	    walk_flows(&c) < 0 || write_model(&c) < 0 || write_meta(&c) < 0)
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
	}
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
	for (i = 0; i < c.cape; i++)
		free(c.e[i].nodes);
	free(c.e);
	free(c.cov);
	free(c.u);
	strmap_free(c.edges);
	strmap_free(c.nodes);
	strmap_free(c.nss);
	strmap_free(c.unres);
	return ret;
}
