#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/emitter_gen.h"
#include "common/err.h"
#include "common/banned.h"

/* splitmix64: tiny, portable, good enough to shuffle test clusters. */
static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int
rndn(uint64_t *s, int n)
{
	return (int)(rnd(s) % (uint64_t)n);
}

static const char *const words[] = {
	"api", "web", "cache", "db", "queue", "auth", "search", "billing",
	"cart", "mail", "report", "worker", "proxy", "metrics", "frontend",
	"backend", "store", "log", "gateway", "ledger",
};
#define NWORDS (int)(sizeof(words) / sizeof(words[0]))

#define MAXWL 64

struct gwl {
	char ns[64], name[64], sel[256], labels[512];
	int exempt;
};

struct gen {
	struct store *st;
	sqlite3_stmt *ins_ns, *ins_pod, *ins_wl, *ins_edge;
	uint64_t vol;		/* volatile stream: rollout changes it */
	int rollout;
	struct gwl wl[MAXWL];
	int nwl;
	int nedges;
};

static int
step(struct gen *g, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(g->st, "generating cluster");
	return 0;
}

static int
add_ns(struct gen *g, const char *ns)
{
	char labels[128];

	snprintf(labels, sizeof(labels), "kubernetes.io/metadata.name=%s\n", ns);
	sqlite3_bind_text(g->ins_ns, 1, ns, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(g->ins_ns, 2, labels, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(g->ins_ns, 3, 1700000000000000LL + g->rollout);
	return step(g, g->ins_ns);
}

/* A workload: labels (without the volatile ones), its selector, pods. */
static int
add_wl(struct gen *g, const char *ns, const char *name, const char *labels,
    const char *sel, int pods, int exempt)
{
	struct gwl *w;
	char uid[64], pname[160], wref[160], plabels[640], hash[16];
	int i;

	if (g->nwl == MAXWL)
		return 0;
	w = &g->wl[g->nwl++];
	snprintf(w->ns, sizeof(w->ns), "%s", ns);
	snprintf(w->name, sizeof(w->name), "%s", name);
	snprintf(w->sel, sizeof(w->sel), "%s", sel);
	snprintf(w->labels, sizeof(w->labels), "%s", labels);
	w->exempt = exempt;
	snprintf(wref, sizeof(wref), "%s/%s", ns, name);
	snprintf(hash, sizeof(hash), "%08llx",
	    (unsigned long long)(rnd(&g->vol) & 0xffffffffULL));
	for (i = 0; i < pods; i++) {
		snprintf(uid, sizeof(uid), "uid-%llx",
		    (unsigned long long)rnd(&g->vol));
		snprintf(pname, sizeof(pname), "%s-%s-%05llx", name, hash,
		    (unsigned long long)(rnd(&g->vol) & 0xfffff));
		snprintf(plabels, sizeof(plabels), "%spod-template-hash=%s\n",
		    labels, hash);
		sqlite3_bind_text(g->ins_pod, 1, uid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(g->ins_pod, 2, ns, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(g->ins_pod, 3, pname, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(g->ins_pod, 4, rndn(&g->vol, 2) ? "node-a" : "node-b",
		    -1, SQLITE_STATIC);
		sqlite3_bind_text(g->ins_pod, 5, plabels, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(g->ins_pod, 6, wref, -1, SQLITE_TRANSIENT);
		if (step(g, g->ins_pod) < 0)
			return -1;
	}
	sqlite3_bind_text(g->ins_wl, 1, ns, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(g->ins_wl, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(g->ins_wl, 3, sel, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(g->ins_wl, 4, pods);
	return step(g, g->ins_wl);
}

static int
add_edge(struct gen *g, const char *src, const char *dst, int proto, int port)
{
	sqlite3_bind_text(g->ins_edge, 1, src, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(g->ins_edge, 2, dst, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(g->ins_edge, 3, proto);
	sqlite3_bind_int(g->ins_edge, 4, port);
	sqlite3_bind_int(g->ins_edge, 5, 1 + rndn(&g->vol, 1000));
	sqlite3_bind_int64(g->ins_edge, 6, 1700000000000000LL + rndn(&g->vol, 1000));
	sqlite3_bind_int64(g->ins_edge, 7, 1700000600000000LL + rndn(&g->vol, 1000));
	sqlite3_bind_text(g->ins_edge, 8, rndn(&g->vol, 2) ? "node-a" : "node-a,node-b",
	    -1, SQLITE_STATIC);
	if (sqlite3_step(g->ins_edge) != SQLITE_DONE) {
		sqlite3_reset(g->ins_edge);
		return store_sqlerr(g->st, "generating edges");
	}
	g->nedges += sqlite3_changes(store_db(g->st));
	sqlite3_reset(g->ins_edge);
	return 0;
}

static void
wref(const struct gwl *w, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", w->ns, w->name);
}

int
gen_cluster_rollout(struct store *st, unsigned seed, int rollout,
    struct gen_info *info)
{
	struct gen g;
	uint64_t s = 0x5eed0000ULL + seed;	/* structure: seed only */
	char ns[64], labels[512], sel[256], a[160], b[160];
	int nns, i, j, k, nw, used, e, nedges, proto, port, ret = -1;

	memset(&g, 0, sizeof(g));
	g.st = st;
	g.rollout = rollout;
	g.vol = 0xa11ce000ULL + seed * 7919ULL + (uint64_t)rollout * 104729ULL;
	if (store_prepare(st, &g.ins_ns, "INSERT INTO namespaces (name, labels, "
	    "first_seen, last_seen) VALUES (?1, ?2, ?3, ?3)") < 0 ||
	    store_prepare(st, &g.ins_pod, "INSERT INTO pods (uid, namespace, "
	    "name, node, owner_kind, owner_name, labels, workload, first_seen, "
	    "last_seen) VALUES (?1, ?2, ?3, ?4, 'ReplicaSet', ?3, ?5, ?6, 0, 1)") < 0 ||
	    store_prepare(st, &g.ins_wl, "INSERT INTO workloads (namespace, name, "
	    "kind, selector, pods) VALUES (?1, ?2, 'Deployment', ?3, ?4)") < 0 ||
	    store_prepare(st, &g.ins_edge, "INSERT OR IGNORE INTO edges (src, dst, "
	    "proto, port, connections, first_seen, last_seen, nodes) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)") < 0 ||
	    store_begin(st) < 0)
		goto out;

	/* the nodes that call pods below (node:10.0.0.N): the node set */
	if (store_exec(st, "INSERT INTO endpoints (ip, owner_kind, owner, "
	    "valid_from, valid_to, seen_first, seen_last) VALUES "
	    "(x'0a000001', 'node', 'node-1', 0, NULL, 0, 1), "
	    "(x'0a000002', 'node', 'node-2', 0, NULL, 0, 1), "
	    "(x'0a000003', 'node', 'node-3', 0, NULL, 0, 1)") < 0)
		goto out;
	/* kube-system: DNS and one other exempt workload */
	if (add_ns(&g, "kube-system") < 0 ||
	    add_wl(&g, "kube-system", "coredns", "k8s-app=kube-dns\n",
	    "k8s-app == 'kube-dns'", 2, 1) < 0 ||
	    add_wl(&g, "kube-system", "metrics-server", "k8s-app=metrics-server\n",
	    "k8s-app == 'metrics-server'", 1, 1) < 0)
		goto out;
	nns = 2 + rndn(&s, 4);
	for (i = 0; i < nns; i++) {
		snprintf(ns, sizeof(ns), "team-%s%d", words[rndn(&s, NWORDS)], i);
		if (add_ns(&g, ns) < 0)
			goto out;
		nw = 1 + rndn(&s, 5);
		used = 0;
		for (j = 0; j < nw; j++) {
			int wi = rndn(&s, NWORDS), scheme = rndn(&s, 3);

			if (used & (1 << wi))
				continue;
			used |= 1 << wi;
			/* same label values recur across namespaces on purpose:
			 * a rule that forgets its namespaceSelector is caught */
			if (scheme == 0) {
				snprintf(labels, sizeof(labels), "app=%s\n", words[wi]);
				snprintf(sel, sizeof(sel), "app == '%s'", words[wi]);
			} else if (scheme == 1) {
				snprintf(labels, sizeof(labels),
				    "app.kubernetes.io/component=server\n"
				    "app.kubernetes.io/name=%s\n", words[wi]);
				snprintf(sel, sizeof(sel),
				    "app.kubernetes.io/name == '%s'", words[wi]);
			} else {
				snprintf(labels, sizeof(labels), "app=%s\ntier=%s\n",
				    words[wi], rndn(&s, 2) ? "gold" : "silver");
				snprintf(sel, sizeof(sel), "app == '%s' && tier == '%s'",
				    words[wi], strstr(labels, "gold") ? "gold" : "silver");
			}
			if (add_wl(&g, ns, words[wi], labels, sel, 1 + rndn(&s, 3), 0) < 0)
				goto out;
		}
	}
	/* traffic */
	nedges = 6 + rndn(&s, 20);
	for (e = 0; e < nedges; e++) {
		const struct gwl *x = &g.wl[rndn(&s, g.nwl)];
		const struct gwl *y = &g.wl[rndn(&s, g.nwl)];
		int kind = rndn(&s, 20);

		wref(x, a, sizeof(a));
		wref(y, b, sizeof(b));
		if (kind < 3) {		/* DNS */
			if (add_edge(&g, a, "kube-system/coredns", 17, 53) < 0)
				goto out;
			continue;
		}
		if (kind == 3) {	/* a node calls a pod (probe, hostNetwork) */
			snprintf(a, sizeof(a), "node:10.0.0.%d", 1 + rndn(&s, 3));
		} else if (kind == 4) {	/* a pod calls out */
			snprintf(b, sizeof(b), "external:203.0.113.%d", 1 + rndn(&s, 4));
		} else if (kind == 5) {
			snprintf(b, sizeof(b), "external:2001:db8::%x", 1 + rndn(&s, 4));
		} else if (kind == 6) {	/* reported, never allowed */
			snprintf(b, sizeof(b), "unknown:10.244.%d.%d", rndn(&s, 4),
			    1 + rndn(&s, 200));
		}
		proto = 6;
		port = 0;
		k = rndn(&s, 20);
		if (k < 3)
			proto = 17;
		else if (k == 3)
			proto = 132;
		else if (k == 4 && kind != 5)
			proto = 1, port = 8 << 8;
		else if (k == 5 && kind == 5)
			proto = 58, port = 128 << 8;
		if (port == 0) {
			static const int common[] = { 80, 443, 5432, 6379, 8080, 9090 };

			port = rndn(&s, 3) ? common[rndn(&s, 6)] : 3000 + rndn(&s, 40);
		}
		if (add_edge(&g, a, b, proto, port) < 0)
			goto out;
		if (rndn(&s, 8) == 0) {	/* a run of ports: written as a range */
			for (k = 1; k <= 4; k++)
				if (add_edge(&g, a, b, proto == 6 ? 6 : 17,
				    (proto == 6 ? port : 4000) + k) < 0)
					goto out;
		}
		if (rndn(&s, 12) == 0) {	/* many ports: rules are split */
			for (k = 0; k < 70; k++)
				if (add_edge(&g, a, b, 6, 20000 + 2 * k) < 0)
					goto out;
		}
	}
	if (store_commit(st) < 0)
		goto out;
	if (info != NULL) {
		info->nworkloads = g.nwl;
		info->nedges = g.nedges;
	}
	ret = 0;
out:
	if (ret < 0)
		store_rollback(st);
	sqlite3_finalize(g.ins_ns);
	sqlite3_finalize(g.ins_pod);
	sqlite3_finalize(g.ins_wl);
	sqlite3_finalize(g.ins_edge);
	return ret;
}

int
gen_cluster(struct store *st, unsigned seed, struct gen_info *info)
{
	return gen_cluster_rollout(st, seed, 0, info);
}
