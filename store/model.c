#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/strbuf.h"
#include "store/model.h"
#include "store/store.h"
#include "common/banned.h"

/*
 * model.c: every statement that reads the learned cluster. Statements are
 * prepared on first use and kept (STYLE: prepare once, bind per row), so a
 * lookup per edge or per workload costs one indexed probe.
 */

enum {
	Q_POD_UID, Q_POD_NAME, Q_POD_WORKLOAD, Q_POD_LABELS, Q_POD_ADDRS,
	Q_NS_LABELS, Q_OWNER_LATEST, Q_OWNER_AT, Q_LABELLED, Q_NODE_ADDRS,
	Q_NODE_ADDRS_OF, Q_LBS, Q_COUNT
};

static const char *const q_sql[Q_COUNT] = {
#define POD_COLS "SELECT uid, namespace, name, node, service_account, " \
	"labels, workload, host_network FROM pods "
	[Q_POD_UID] = POD_COLS "WHERE uid = ?1",
	[Q_POD_NAME] = POD_COLS "WHERE namespace = ?1 AND name = ?2",
	/* index pods_workload */
	[Q_POD_WORKLOAD] = POD_COLS "WHERE workload = ?1 ORDER BY uid",
#undef POD_COLS
	[Q_POD_LABELS] = "SELECT labels FROM pod_labels WHERE uid = ?1 "
	    "ORDER BY labels",
	/* index endpoints_owner */
	[Q_POD_ADDRS] = "SELECT ip, valid_from, valid_to FROM endpoints WHERE "
	    "owner_kind = 'pod' AND owner = ?1 "
	    "ORDER BY valid_to IS NULL DESC, valid_from DESC, ip",
	[Q_NS_LABELS] = "SELECT labels FROM namespaces WHERE name = ?1",
	[Q_NODE_ADDRS] = "SELECT DISTINCT ip FROM endpoints WHERE "
	    "owner_kind = 'node' AND gone_at IS NULL ORDER BY ip",
	[Q_NODE_ADDRS_OF] = "SELECT DISTINCT ip FROM endpoints WHERE "
	    "owner_kind = 'node' AND owner = ?1 ORDER BY gone_at IS NULL DESC, ip",
	[Q_LBS] = "SELECT s.namespace, s.name, s.source_ranges, s.traffic_policy "
	    "FROM service_backends b JOIN services s USING (namespace, name) "
	    "WHERE b.workload = ?1 AND b.proto = ?2 AND b.port = ?3 AND "
	    "s.type = 'LoadBalancer' ORDER BY s.namespace, s.name",
	[Q_OWNER_LATEST] = "SELECT owner_kind, owner FROM endpoints "
	    "WHERE ip = ?1 ORDER BY valid_to IS NULL DESC, valid_from DESC "
	    "LIMIT 1",
	[Q_OWNER_AT] = "SELECT owner_kind, owner FROM endpoints "
	    "WHERE ip = ?1 AND valid_from <= ?2 AND "
	    "(valid_to IS NULL OR valid_to > ?2) ORDER BY valid_from DESC "
	    "LIMIT 1",
	/* index pods_ns */
	[Q_LABELLED] = "SELECT DISTINCT workload FROM pods "
	    "WHERE workload IS NOT NULL AND namespace = ?1 "
	    "AND instr(char(10) || labels, char(10) || ?2 || char(10)) > 0 "
	    "ORDER BY workload",
};

struct model {
	struct store *st;
	sqlite3_stmt *q[Q_COUNT];
	struct model_workload *wls;	/* sorted by text */
	size_t nwl;
	int wl_loaded;
};

struct model_edges {
	struct model *m;
	sqlite3_stmt *s;
	long row;
};

/* --- helpers ------------------------------------------------------------- */

static const char *
col_text(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);

	return t != NULL ? t : "";
}

static char *
col_dup(sqlite3_stmt *s, int i)
{
	char *p = strdup(col_text(s, i));

	if (p == NULL)
		fp_error("out of memory");
	return p;
}

/* The prepared statement k, reset and with no bindings. */
static sqlite3_stmt *
stmt(struct model *m, int k)
{
	if (m->q[k] == NULL) {
		if (store_prepare(m->st, &m->q[k], q_sql[k]) < 0)
			return NULL;
	} else {
		sqlite3_reset(m->q[k]);
		sqlite3_clear_bindings(m->q[k]);
	}
	return m->q[k];
}

/* Room for one more element in *v (n used of *cap); 0 or -1 (fp_error). */
static int
grow(void *v, size_t *cap, size_t n, size_t elem)
{
	void **vp = v, *nv;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? 2 * *cap : 8;
	if (ncap > SIZE_MAX / elem || (nv = realloc(*vp, ncap * elem)) == NULL)
		return fp_error("out of memory");
	*vp = nv;
	*cap = ncap;
	return 0;
}

/* --- the handle ---------------------------------------------------------- */

int
model_open(struct model **out, struct store *st)
{
	struct model *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return fp_error("out of memory");
	m->st = st;
	*out = m;
	return 0;
}

static void
workload_release(struct model_workload *w)
{
	free(w->ns);
	free(w->name);
	free(w->kind);
	free(w->selector);
	free(w->text);
	free(w->members);
	free(w->also_selects);
}

void
model_free(struct model *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(m->q[i]);
	for (i = 0; i < m->nwl; i++)
		workload_release(&m->wls[i]);
	free(m->wls);
	free(m);
}

struct store *
model_store(const struct model *m)
{
	return m->st;
}

/* --- peers --------------------------------------------------------------- */

int
model_peer_parse(const char *text, struct model_peer *p)
{
	static const struct {
		const char *prefix;
		enum model_peer_kind kind;
	} pf[] = {
		{ "node:", MODEL_PEER_NODE },
		{ "external:", MODEL_PEER_EXTERNAL },
		{ "unknown:", MODEL_PEER_UNKNOWN },
		{ "service:", MODEL_PEER_SERVICE },
	};
	const char *slash;
	size_t i, n;

	memset(p, 0, sizeof(*p));
	p->text = text;
	for (i = 0; i < sizeof(pf) / sizeof(pf[0]); i++) {
		n = strlen(pf[i].prefix);
		if (strncmp(text, pf[i].prefix, n) != 0)
			continue;
		p->kind = pf[i].kind;
		if (p->kind == MODEL_PEER_SERVICE) {
			p->off = n;
			if ((slash = strchr(text + n, '/')) == NULL || slash ==
			    text + n || slash[1] == '\0')
				return fp_error("peer '%s': want service:"
				    "namespace/name", fp_clamp(text, 128));
			p->nslen = (size_t)(slash - text - n);
			return 0;
		}
		if (fp_ip_parse(&p->ip, text + n) < 0)
			return fp_error("peer '%s': not an IP address",
			    fp_clamp(text, 128));
		return 0;
	}
	if ((slash = strchr(text, '/')) == NULL)
		return fp_error("peer '%s' is not namespace/name, node:IP, "
		    "external:IP or unknown:IP", fp_clamp(text, 128));
	p->kind = MODEL_PEER_WORKLOAD;
	p->nslen = (size_t)(slash - text);
	return 0;
}

const char *
model_peer_ns(const struct model_peer *p, char *buf, size_t len)
{
	size_t n = p->nslen < len ? p->nslen : len - 1;

	memcpy(buf, p->text + p->off, n);
	buf[n] = '\0';
	return buf;
}

const char *
model_peer_name(const struct model_peer *p)
{
	return p->text + p->off + p->nslen + 1;
}

int
model_peer_family(const struct model_peer *p)
{
	if (p->kind == MODEL_PEER_WORKLOAD || p->kind == MODEL_PEER_SERVICE)
		return 0;
	return p->ip.len == 16 ? 6 : 4;
}

/* --- edges --------------------------------------------------------------- */

int
model_edges_open(struct model *m, struct model_edges **out)
{
	struct model_edges *it;

	if ((it = calloc(1, sizeof(*it))) == NULL)
		return fp_error("out of memory");
	it->m = m;
	/* BINARY collation: byte order, as every listing. */
	if (store_prepare(m->st, &it->s, "SELECT src, dst, proto, port, "
	    "connections, first_seen, last_seen, nodes FROM edges "
	    "ORDER BY src, dst, proto, port") < 0) {
		free(it);
		return -1;
	}
	*out = it;
	return 0;
}

int
model_edges_next(struct model_edges *it, struct model_edge *e)
{
	int rc = sqlite3_step(it->s);

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return store_sqlerr(it->m->st, "reading edges");
	memset(e, 0, sizeof(*e));
	e->row = ++it->row;
	if (model_peer_parse(col_text(it->s, 0), &e->src) < 0 ||
	    model_peer_parse(col_text(it->s, 1), &e->dst) < 0)
		return fp_error_prefix("store '%s': edge %ld",
		    store_path(it->m->st), e->row);
	e->proto = sqlite3_column_int(it->s, 2);
	e->port = sqlite3_column_int(it->s, 3);
	e->connections = sqlite3_column_int64(it->s, 4);
	e->first_seen = sqlite3_column_int64(it->s, 5);
	e->last_seen = sqlite3_column_int64(it->s, 6);
	e->nodes = col_text(it->s, 7);
	return 1;
}

void
model_edges_close(struct model_edges *it)
{
	if (it == NULL)
		return;
	sqlite3_finalize(it->s);
	free(it);
}

/* --- workloads ----------------------------------------------------------- */

static int
cmp_wl(const void *a, const void *b)
{
	const struct model_workload *x = a, *y = b;
	int c = strcmp(x->ns, y->ns);

	return c ? c : strcmp(x->name, y->name);
}

static int
load_workloads(struct model *m)
{
	sqlite3_stmt *s = NULL;
	struct model_workload *w;
	size_t cap = 0;
	int rc, ret = -1;

	if (store_prepare(m->st, &s, "SELECT w.namespace, w.name, w.kind, "
	    "w.selector, w.pods, coalesce(n.members, ''), coalesce(n.exact, 1), "
	    "coalesce(n.host_network, 0), coalesce(n.also_selects, '') "
	    "FROM workloads w LEFT JOIN workload_notes n USING (namespace, name) "
	    "ORDER BY w.namespace, w.name") < 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (grow(&m->wls, &cap, m->nwl, sizeof(*m->wls)) < 0)
			goto out;
		w = &m->wls[m->nwl++];
		memset(w, 0, sizeof(*w));
		if ((w->ns = col_dup(s, 0)) == NULL ||
		    (w->name = col_dup(s, 1)) == NULL ||
		    (w->kind = col_dup(s, 2)) == NULL ||
		    (w->selector = col_dup(s, 3)) == NULL ||
		    (w->members = col_dup(s, 5)) == NULL ||
		    (w->also_selects = col_dup(s, 8)) == NULL ||
		    asprintf(&w->text, "%s/%s", w->ns, w->name) < 0) {
			w->text = NULL;
			goto oom;
		}
		w->pods = sqlite3_column_int64(s, 4);
		w->exact = sqlite3_column_int(s, 6) != 0;
		w->host_network = sqlite3_column_int(s, 7) != 0;
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(m->st, "reading workloads");
		goto out;
	}
	/* ORDER BY uses BINARY (strcmp) order, but sort again so lookups
	 * never depend on it. */
	if (m->nwl > 1)
		qsort(m->wls, m->nwl, sizeof(*m->wls), cmp_wl);
	m->wl_loaded = 1;
	ret = 0;
	goto out;
oom:
	fp_error("out of memory");
out:
	sqlite3_finalize(s);
	return ret;
}

int
model_workloads(struct model *m, const struct model_workload **v, size_t *n)
{
	if (!m->wl_loaded && load_workloads(m) < 0)
		return -1;
	*v = m->wls;
	*n = m->nwl;
	return 0;
}

const struct model_workload *
model_workload_find(struct model *m, const char *text)
{
	const char *slash = strchr(text, '/');
	struct model_workload key;
	char ns[256];
	size_t n;

	if (slash == NULL || (!m->wl_loaded && load_workloads(m) < 0) ||
	    m->nwl == 0 || (n = (size_t)(slash - text)) >= sizeof(ns))
		return NULL;
	memcpy(ns, text, n);
	ns[n] = '\0';
	key.ns = ns;
	key.name = (char *)(uintptr_t)(slash + 1);
	return bsearch(&key, m->wls, m->nwl, sizeof(*m->wls), cmp_wl);
}

/* --- pods ---------------------------------------------------------------- */

void
model_pod_free(struct model_pod *p)
{
	size_t i;

	if (p == NULL)
		return;
	free(p->uid);
	free(p->ns);
	free(p->name);
	free(p->node);
	free(p->service_account);
	free(p->labels);
	free(p->workload);
	for (i = 0; i < p->nlabel_sets; i++)
		free(p->label_sets[i]);
	free(p->label_sets);
	free(p->addrs);
	free(p);
}

void
model_pods_free(struct model_pod **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		model_pod_free(v[i]);
	free(v);
}

/* The pod row at s's cursor, without its history. */
static struct model_pod *
pod_row(sqlite3_stmt *s)
{
	struct model_pod *p;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		fp_error("out of memory");
		return NULL;
	}
	if ((p->uid = col_dup(s, 0)) == NULL || (p->ns = col_dup(s, 1)) == NULL ||
	    (p->name = col_dup(s, 2)) == NULL ||
	    (p->node = col_dup(s, 3)) == NULL ||
	    (p->service_account = col_dup(s, 4)) == NULL ||
	    (p->labels = col_dup(s, 5)) == NULL ||
	    (sqlite3_column_type(s, 6) != SQLITE_NULL &&
	    (p->workload = col_dup(s, 6)) == NULL)) {
		model_pod_free(p);
		return NULL;
	}
	p->host_network = sqlite3_column_int(s, 7) != 0;
	return p;
}

/* Every label set the pod had: pod_labels plus its latest, unique. */
static int
pod_label_sets(struct model *m, struct model_pod *p)
{
	sqlite3_stmt *s;
	size_t cap = 4, i, k;
	int rc;

	if ((s = stmt(m, Q_POD_LABELS)) == NULL)
		return -1;
	if ((p->label_sets = calloc(cap, sizeof(*p->label_sets))) == NULL ||
	    (p->label_sets[0] = strdup(p->labels)) == NULL)
		return fp_error("out of memory");
	p->nlabel_sets = 1;
	sqlite3_bind_text(s, 1, p->uid, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (grow(&p->label_sets, &cap, p->nlabel_sets,
		    sizeof(*p->label_sets)) < 0 ||
		    (p->label_sets[p->nlabel_sets] = col_dup(s, 0)) == NULL)
			return -1;
		p->nlabel_sets++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(m->st, "reading pod_labels");
	qsort(p->label_sets, p->nlabel_sets, sizeof(*p->label_sets), fp_cmp_str);
	for (i = k = 0; i < p->nlabel_sets; i++) {
		if (k > 0 && strcmp(p->label_sets[k - 1], p->label_sets[i]) == 0)
			free(p->label_sets[i]);
		else
			p->label_sets[k++] = p->label_sets[i];
	}
	p->nlabel_sets = k;
	return 0;
}

static int
pod_addrs(struct model *m, struct model_pod *p)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	if ((s = stmt(m, Q_POD_ADDRS)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, p->uid, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct model_addr a;

		if (fp_ip_from_blob(&a.ip, sqlite3_column_blob(s, 0),
		    (size_t)sqlite3_column_bytes(s, 0)) < 0)
			continue;	/* not an address: never an owner */
		a.valid_from = sqlite3_column_int64(s, 1);
		a.valid_to = sqlite3_column_type(s, 2) == SQLITE_NULL ?
		    INT64_MAX : sqlite3_column_int64(s, 2);
		if (grow(&p->addrs, &cap, p->naddrs, sizeof(*p->addrs)) < 0) {
			sqlite3_reset(s);
			return -1;
		}
		p->addrs[p->naddrs++] = a;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(m->st, "reading endpoints");
	return 0;
}

/* Run pod query s (bound); collect its rows with history. */
static int
pods_from(struct model *m, sqlite3_stmt *s, struct model_pod ***out,
    size_t *n)
{
	struct model_pod **v = NULL, *p;
	size_t cap = 0, i;
	int rc;

	*out = NULL;
	*n = 0;
	/* Rows first: the history lookups reuse other statements. */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (grow(&v, &cap, *n, sizeof(*v)) < 0)
			goto fail;
		if ((p = pod_row(s)) == NULL)
			goto fail;
		v[(*n)++] = p;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_sqlerr(m->st, "reading pods");
		goto fail;
	}
	for (i = 0; i < *n; i++)
		if (pod_label_sets(m, v[i]) < 0 || pod_addrs(m, v[i]) < 0)
			goto fail;
	*out = v;
	return 0;
fail:
	sqlite3_reset(s);
	model_pods_free(v, *n);
	*n = 0;
	return -1;
}

static int
one_pod(struct model *m, sqlite3_stmt *s, struct model_pod **out)
{
	struct model_pod **v;
	size_t n, i;

	*out = NULL;
	if (pods_from(m, s, &v, &n) < 0)
		return -1;
	if (n > 0) {
		*out = v[0];
		for (i = 1; i < n; i++)
			model_pod_free(v[i]);
	}
	free(v);
	return n > 0;
}

int
model_pod_get(struct model *m, const char *uid, struct model_pod **out)
{
	sqlite3_stmt *s = stmt(m, Q_POD_UID);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, uid, -1, SQLITE_TRANSIENT);
	return one_pod(m, s, out);
}

int
model_pod_find(struct model *m, const char *ns, const char *name,
    struct model_pod **out)
{
	sqlite3_stmt *s = stmt(m, Q_POD_NAME);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, ns, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
	return one_pod(m, s, out);
}

int
model_workload_pods(struct model *m, const char *workload,
    struct model_pod ***v, size_t *n)
{
	sqlite3_stmt *s = stmt(m, Q_POD_WORKLOAD);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, workload, -1, SQLITE_TRANSIENT);
	return pods_from(m, s, v, n);
}

const struct fp_ip *
model_pod_addr(const struct model_pod *p, int family)
{
	size_t i, len = family == 6 ? 16 : 4;

	for (i = 0; i < p->naddrs; i++)
		if (p->addrs[i].ip.len == len)
			return &p->addrs[i].ip;
	return NULL;
}

int
model_workloads_labelled(struct model *m, const char *ns, const char *key,
    const char *value, char ***out, size_t *n)
{
	sqlite3_stmt *s = stmt(m, Q_LABELLED);
	char *kv = NULL, **v = NULL;
	size_t cap = 0;
	int rc, ret = -1;

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return -1;
	if (asprintf(&kv, "%s=%s", key, value) < 0)
		return fp_error("out of memory");
	sqlite3_bind_text(s, 1, ns, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, kv, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (grow(&v, &cap, *n, sizeof(*v)) < 0)
			goto out;
		if ((v[*n] = col_dup(s, 0)) == NULL)
			goto out;
		(*n)++;
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(m->st, "reading pods");
		goto out;
	}
	*out = v;
	v = NULL;
	ret = 0;
out:
	sqlite3_reset(s);
	if (v != NULL) {
		while (*n > 0)
			free(v[--*n]);
		free(v);
	}
	free(kv);
	return ret;
}

int
model_namespace_labels(struct model *m, const char *ns, char **out)
{
	sqlite3_stmt *s = stmt(m, Q_NS_LABELS);
	int rc, ret = -1;

	*out = NULL;
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, ns, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		ret = (*out = col_dup(s, 0)) != NULL ? 1 : -1;
	else if (rc == SQLITE_DONE)
		ret = 0;
	else
		store_sqlerr(m->st, "reading namespaces");
	sqlite3_reset(s);
	return ret;
}

/* --- addresses ----------------------------------------------------------- */

int
model_ip_owner(struct model *m, const struct fp_ip *ip, int64_t at,
    enum model_owner_kind *kind, char **owner)
{
	sqlite3_stmt *s = stmt(m, at == MODEL_AT_LATEST ? Q_OWNER_LATEST :
	    Q_OWNER_AT);
	int rc, ret = -1;

	*owner = NULL;
	if (s == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, ip->a, (int)ip->len, SQLITE_TRANSIENT);
	if (at != MODEL_AT_LATEST)
		sqlite3_bind_int64(s, 2, at);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*kind = strcmp(col_text(s, 0), "node") == 0 ? MODEL_OWNER_NODE :
		    MODEL_OWNER_POD;
		ret = (*owner = col_dup(s, 1)) != NULL ? 1 : -1;
	} else if (rc == SQLITE_DONE) {
		ret = 0;
	} else {
		store_sqlerr(m->st, "reading endpoints");
	}
	sqlite3_reset(s);
	return ret;
}

int
model_ip_node(struct model *m, const struct fp_ip *ip, char **node)
{
	enum model_owner_kind kind;
	int rc = model_ip_owner(m, ip, MODEL_AT_LATEST, &kind, node);

	if (rc == 1 && kind != MODEL_OWNER_NODE) {
		free(*node);
		*node = NULL;
		rc = 0;
	}
	return rc;
}

int
model_node_addresses(struct model *m, const char *node, struct fp_ip **v,
    size_t *n)
{
	sqlite3_stmt *s = stmt(m, node ? Q_NODE_ADDRS_OF : Q_NODE_ADDRS);
	struct fp_ip *p;
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	if (s == NULL)
		return -1;
	if (node != NULL)
		sqlite3_bind_text(s, 1, node, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			if ((p = realloc(*v, cap * sizeof(*p))) == NULL) {
				sqlite3_reset(s);
				free(*v);
				*v = NULL;
				return fp_error("out of memory");
			}
			*v = p;
		}
		if (fp_ip_from_blob(&(*v)[*n], sqlite3_column_blob(s, 0),
		    (size_t)sqlite3_column_bytes(s, 0)) == 0)
			(*n)++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(*v);
		*v = NULL;
		*n = 0;
		return store_sqlerr(m->st, "reading node addresses");
	}
	return 0;
}

void
model_lbs_free(struct model_lb *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].ns);
		free(v[i].name);
		free(v[i].source_ranges);
		free(v[i].traffic_policy);
	}
	free(v);
}

int
model_lbs_of(struct model *m, const char *workload, int proto, int port,
    struct model_lb **v, size_t *n)
{
	sqlite3_stmt *s = stmt(m, Q_LBS);
	struct model_lb *p;
	int rc;

	*v = NULL;
	*n = 0;
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, workload, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 2, proto);
	sqlite3_bind_int(s, 3, port);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((p = realloc(*v, (*n + 1) * sizeof(*p))) == NULL)
			goto oom;
		*v = p;
		p = &p[*n];
		memset(p, 0, sizeof(*p));
		(*n)++;
		if ((p->ns = col_dup(s, 0)) == NULL ||
		    (p->name = col_dup(s, 1)) == NULL ||
		    (p->source_ranges = col_dup(s, 2)) == NULL ||
		    (p->traffic_policy = col_dup(s, 3)) == NULL)
			goto oom;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_sqlerr(m->st, "reading services");
		goto fail;
	}
	return 0;
oom:
	sqlite3_reset(s);
	fp_error("out of memory");
fail:
	model_lbs_free(*v, *n);
	*v = NULL;
	*n = 0;
	return -1;
}

static int
meta_text(struct model *m, const char *key, char **out)
{
	int rc = store_meta_get(m->st, key, out);

	if (rc < 0)
		return -1;
	if (*out == NULL && (*out = strdup("")) == NULL)
		return fp_error("out of memory");
	return 0;
}

int
model_cluster_cidrs(struct model *m, char **out)
{
	return meta_text(m, "learn.cluster_cidrs", out);
}

int
model_dns_addresses(struct model *m, char **out)
{
	return meta_text(m, "learn.dns_addresses", out);
}

/* --- coverage and health ------------------------------------------------- */

void
model_coverage_free(struct model_coverage *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].ns);
	free(v);
}

int
model_coverage(struct model *m, struct model_coverage **out, size_t *n)
{
	sqlite3_stmt *s = NULL;
	struct model_coverage *v = NULL;
	size_t cap = 0;
	int rc, ret = -1;

	*out = NULL;
	*n = 0;
	if (store_prepare(m->st, &s, "SELECT namespace, flows, resolved, "
	    "ambiguous, unknown, last_new_edge FROM coverage "
	    "ORDER BY namespace") < 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (grow(&v, &cap, *n, sizeof(*v)) < 0)
			goto out;
		memset(&v[*n], 0, sizeof(v[*n]));
		if ((v[*n].ns = col_dup(s, 0)) == NULL)
			goto out;
		v[*n].flows = sqlite3_column_int64(s, 1);
		v[*n].resolved = sqlite3_column_int64(s, 2);
		v[*n].ambiguous = sqlite3_column_int64(s, 3);
		v[*n].unknown = sqlite3_column_int64(s, 4);
		v[*n].has_last_new_edge = sqlite3_column_type(s, 5) != SQLITE_NULL;
		v[*n].last_new_edge = sqlite3_column_int64(s, 5);
		(*n)++;
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(m->st, "reading coverage");
		goto out;
	}
	*out = v;
	v = NULL;
	ret = 0;
out:
	if (v != NULL) {
		model_coverage_free(v, *n);
		*n = 0;
	}
	sqlite3_finalize(s);
	return ret;
}

void
model_unresolved_free(struct model_unresolved *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].reason);
	free(v);
}

int
model_unresolved(struct model *m, size_t limit, struct model_unresolved **out,
    size_t *n, size_t *total)
{
	sqlite3_stmt *s = NULL;
	struct model_unresolved *v = NULL;
	size_t cap = 0;
	int rc, ret = -1;

	*out = NULL;
	*n = *total = 0;
	if (store_prepare(m->st, &s, "SELECT ip, reason, flows, first_seen, "
	    "last_seen FROM unresolved ORDER BY reason, flows DESC, ip") < 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct model_unresolved *u;

		if ((*total)++ >= limit)
			continue;
		if (grow(&v, &cap, *n, sizeof(*v)) < 0)
			goto out;
		u = &v[*n];
		memset(u, 0, sizeof(*u));
		if ((u->reason = col_dup(s, 1)) == NULL)
			goto out;
		(*n)++;
		u->ip_ok = fp_ip_from_blob(&u->ip, sqlite3_column_blob(s, 0),
		    (size_t)sqlite3_column_bytes(s, 0)) == 0;
		u->flows = sqlite3_column_int64(s, 2);
		u->first_seen = sqlite3_column_int64(s, 3);
		u->last_seen = sqlite3_column_int64(s, 4);
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(m->st, "reading unresolved");
		goto out;
	}
	*out = v;
	v = NULL;
	ret = 0;
out:
	if (v != NULL) {
		model_unresolved_free(v, *n);
		*n = 0;
	}
	sqlite3_finalize(s);
	return ret;
}

void
model_health_free(struct model_health *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].node);
	free(v);
}

int
model_health(struct model *m, int64_t since, int64_t until,
    struct model_health **out, size_t *n)
{
	sqlite3_stmt *s = NULL;
	struct model_health *v = NULL, *h;
	size_t cap = 0;
	int rc, ret = -1;

	*out = NULL;
	*n = 0;
	if (store_prepare(m->st, &s, "SELECT node, COUNT(*), MIN(window_start), "
	    "MAX(window_start + window_len), SUM(received), SUM(decoded), "
	    "SUM(malformed), SUM(lost), SUM(fragments), SUM(unsupported) "
	    "FROM health WHERE (window_start + window_len) * 1000000 > ?1 "
	    "AND window_start * 1000000 <= ?2 GROUP BY node ORDER BY node") < 0)
		return -1;
	sqlite3_bind_int64(s, 1, since);
	sqlite3_bind_int64(s, 2, until);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (grow(&v, &cap, *n, sizeof(*v)) < 0)
			goto out;
		h = &v[*n];
		memset(h, 0, sizeof(*h));
		if ((h->node = col_dup(s, 0)) == NULL)
			goto out;
		(*n)++;
		h->windows = sqlite3_column_int64(s, 1);
		h->from = sqlite3_column_int64(s, 2);
		h->to = sqlite3_column_int64(s, 3);
		h->received = sqlite3_column_int64(s, 4);
		h->decoded = sqlite3_column_int64(s, 5);
		h->malformed = sqlite3_column_int64(s, 6);
		h->lost = sqlite3_column_int64(s, 7);
		h->fragments = sqlite3_column_int64(s, 8);
		h->unsupported = sqlite3_column_int64(s, 9);
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(m->st, "reading health");
		goto out;
	}
	*out = v;
	v = NULL;
	ret = 0;
out:
	if (v != NULL) {
		model_health_free(v, *n);
		*n = 0;
	}
	sqlite3_finalize(s);
	return ret;
}
