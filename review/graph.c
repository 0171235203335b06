#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common/cli.h"
#include "common/err.h"
#include "common/k8sname.h"
#include "common/proto.h"
#include "common/strbuf.h"
#include "store/model.h"
#include "store/store.h"
#include "common/banned.h"

static const char usage[] =
    "usage: flowpol graph [--db PATH] [-o dot|mermaid] [-n NS]... [--dns]\n"
    "\n"
    "Write the learned traffic graph: namespaces as clusters, workloads as\n"
    "nodes, one arrow per pair labelled with its protocols/ports. Nodes,\n"
    "external and unknown addresses are drawn outside the clusters.\n"
    "  flowpol graph | dot -Tsvg > graph.svg\n"
    "Mermaid is for GitHub (a ```mermaid block in a pull request), which\n"
    "renders at most about 500 edges and 50,000 characters: a bigger graph\n"
    "is folded into one node per namespace, and graph says so.\n"
    "\n"
    "  --db PATH        database (default $FLOWPOL_DB or ./flowpol.db)\n"
    "  -o, --output F   dot (default) or mermaid; --format is an alias\n"
    "  -n, --namespace NS  only edges with an end in NS, and the workloads of\n"
    "                   NS (repeatable)\n"
    "  --dns            draw DNS edges too (port 53 to a workload); by default\n"
    "                   they are folded into a count on each DNS workload\n";

/* Mermaid's defaults (maxEdges 500, maxTextSize 50,000). */
#define MERMAID_MAX_EDGES 500
#define MERMAID_MAX_TEXT 50000
#define GRAPH_MAX_NS 256

struct gwl {
	char *ns, *name, *kind, *sel;
	size_t dns_in;		/* folded DNS edges to it */
};

/* One arrow: a (src, dst) pair and its sorted proto/port labels. */
struct garrow {
	char *src, *dst;
	char *label;		/* "tcp/80\ntcp/443" */
};

struct graph {
	const char *const *nss;	/* --namespace */
	size_t nnss;
	int dns;		/* --dns */
	struct gwl *wls;	/* sorted by namespace, name */
	size_t nwls;
	struct garrow *arrows;	/* sorted by src, dst */
	size_t narrows;
	char **others;		/* peers that are not workloads, sorted */
	size_t nothers;
	size_t folded_dns;
};

static int
ns_in_scope(const struct graph *g, const char *ns, size_t len)
{
	size_t i;

	if (g->nnss == 0)
		return 1;
	for (i = 0; i < g->nnss; i++)
		if (strlen(g->nss[i]) == len && memcmp(g->nss[i], ns, len) == 0)
			return 1;
	return 0;
}

/* A peer "namespace/workload" in one of the --namespace namespaces. */
static int
peer_in_scope(const struct graph *g, const char *p)
{
	const char *sl = strchr(p, '/'), *colon = strchr(p, ':');

	if (g->nnss == 0)
		return 1;
	if (sl == NULL || (colon != NULL && colon < sl))
		return 0;
	return ns_in_scope(g, p, (size_t)(sl - p));
}

static int
cmp_wl_key(const void *key, const void *elem)
{
	const struct gwl *w = elem;
	const char *k = key, *sl = strchr(k, '/');
	size_t n = sl ? (size_t)(sl - k) : strlen(k);
	int c = strncmp(k, w->ns, n);

	if (c == 0 && w->ns[n] != '\0')
		c = -1;
	if (c != 0 || sl == NULL)
		return c != 0 ? c : -1;
	return strcmp(sl + 1, w->name);
}

static struct gwl *
find_wl(const struct graph *g, const char *peer)
{
	return g->nwls ? bsearch(peer, g->wls, g->nwls, sizeof(*g->wls),
	    cmp_wl_key) : NULL;
}

static int
load_workloads(struct model *m, struct graph *g)
{
	const struct model_workload *v;
	size_t n, i;

	if (model_workloads(m, &v, &n) < 0)
		return fp_error_prefix("graph");
	if ((g->wls = calloc(n + 1, sizeof(*g->wls))) == NULL)
		return fp_error("graph: out of memory");
	for (i = 0; i < n; i++) {
		struct gwl *w = &g->wls[g->nwls++];

		w->ns = strdup(v[i].ns);
		w->name = strdup(v[i].name);
		w->kind = strdup(v[i].kind);
		w->sel = strdup(v[i].selector);
		if (!w->ns || !w->name || !w->kind || !w->sel)
			return fp_error("graph: out of memory");
	}
	return 0;
}

static int
add_other(struct graph *g, size_t *cap, const char *p)
{
	char **v;

	if (g->nothers == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		if ((v = realloc(g->others, *cap * sizeof(*v))) == NULL)
			return fp_error("graph: out of memory");
		g->others = v;
	}
	if ((g->others[g->nothers] = strdup(p)) == NULL)
		return fp_error("graph: out of memory");
	g->nothers++;
	return 0;
}

/*
 * Edges in scope, one arrow per pair. DNS (port 53 over UDP or TCP to a
 * workload) is folded into a count on the DNS workload unless --dns: every
 * client has it, and it would hide everything else.
 */
/* Add the arrow of one (src, dst) pair, unless empty or out of scope. */
static int
add_arrow(struct graph *g, size_t *cap, char *src, char *dst, char *label,
    int n)
{
	struct garrow *v;

	if (n == 0 || (!peer_in_scope(g, src) && !peer_in_scope(g, dst))) {
		free(src);
		free(dst);
		free(label);
		return 0;
	}
	if (g->narrows == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		if ((v = realloc(g->arrows, *cap * sizeof(*v))) == NULL) {
			free(src);
			free(dst);
			free(label);
			return fp_error("graph: out of memory");
		}
		g->arrows = v;
	}
	g->arrows[g->narrows++] = (struct garrow){ src, dst, label };
	return 0;
}

/*
 * Edges in scope, one arrow per pair (the edges come sorted by src, dst).
 * DNS (port 53 over UDP or TCP to a workload) is folded into a count on
 * the DNS workload unless --dns: every client has it, and it would hide
 * everything else.
 */
static int
load_edges(struct model *m, struct graph *g)
{
	struct model_edges *it = NULL;
	struct model_edge e;
	size_t cap = 0, ocap = 0, i, k, llen = 0;
	char *src = NULL, *dst = NULL, *label = NULL;
	struct gwl *dw = NULL;
	FILE *lf = NULL;
	int rc, n = 0, ret = -1;

	if (model_edges_open(m, &it) < 0) {
		fp_error_prefix("graph");
		return -1;
	}
	while ((rc = model_edges_next(it, &e)) == 1) {
		char pb[16], portb[16];
		const char *pn, *po;

		if (src == NULL || strcmp(src, e.src.text) != 0 ||
		    strcmp(dst, e.dst.text) != 0) {
			if (src != NULL) {
				fclose(lf);
				lf = NULL;
				if (add_arrow(g, &cap, src, dst, label, n) < 0) {
					src = dst = label = NULL;
					goto out;
				}
				src = dst = label = NULL;
			}
			n = 0;
			if ((src = strdup(e.src.text)) == NULL ||
			    (dst = strdup(e.dst.text)) == NULL ||
			    (lf = open_memstream(&label, &llen)) == NULL)
				goto oom;
			dw = find_wl(g, dst);
		}
		pn = fp_proto_name(e.proto, pb, sizeof(pb));
		po = fp_port_format(e.proto, e.port, portb, sizeof(portb));
		if (!g->dns && dw != NULL && e.port == 53 &&
		    (e.proto == FP_PROTO_UDP || e.proto == FP_PROTO_TCP) &&
		    (peer_in_scope(g, src) || peer_in_scope(g, dst))) {
			dw->dns_in++;
			g->folded_dns++;
		} else {
			fprintf(lf, "%s%s%s%s", n++ ? "\n" : "", pn, *po ? "/" : "",
			    po);
		}
	}
	if (rc < 0) {
		fp_error_prefix("graph");
		goto out;
	}
	if (src != NULL) {
		fclose(lf);
		lf = NULL;
		if (add_arrow(g, &cap, src, dst, label, n) < 0) {
			src = dst = label = NULL;
			goto out;
		}
		src = dst = label = NULL;
	}
	/* The peers that are not workloads, each once. */
	for (i = 0; i < g->narrows; i++) {
		if (find_wl(g, g->arrows[i].src) == NULL &&
		    add_other(g, &ocap, g->arrows[i].src) < 0)
			goto out;
		if (find_wl(g, g->arrows[i].dst) == NULL &&
		    add_other(g, &ocap, g->arrows[i].dst) < 0)
			goto out;
	}
	if (g->nothers > 1)
		qsort(g->others, g->nothers, sizeof(*g->others), fp_cmp_str);
	for (i = k = 0; i < g->nothers; i++) {
		if (k > 0 && strcmp(g->others[k - 1], g->others[i]) == 0)
			free(g->others[i]);
		else
			g->others[k++] = g->others[i];
	}
	g->nothers = k;
	ret = 0;
	goto out;
oom:
	fp_error("graph: out of memory");
out:
	if (lf != NULL)
		fclose(lf);
	free(src);
	free(dst);
	free(label);
	model_edges_close(it);
	return ret;
}

/* A workload is drawn when in scope, or when an arrow drawn names it. */
static int
wl_drawn(const struct graph *g, const struct gwl *w, const unsigned char *used)
{
	return ns_in_scope(g, w->ns, strlen(w->ns)) || used[w - g->wls];
}

static unsigned char *
used_workloads(const struct graph *g)
{
	unsigned char *used = calloc(g->nwls + 1, 1);
	struct gwl *w;
	size_t i;

	if (used == NULL)
		return NULL;
	for (i = 0; i < g->narrows; i++) {
		if ((w = find_wl(g, g->arrows[i].src)) != NULL)
			used[w - g->wls] = 1;
		if ((w = find_wl(g, g->arrows[i].dst)) != NULL)
			used[w - g->wls] = 1;
	}
	return used;
}

static void
graph_release(struct graph *g)
{
	size_t i;

	for (i = 0; i < g->nwls; i++) {
		free(g->wls[i].ns);
		free(g->wls[i].name);
		free(g->wls[i].kind);
		free(g->wls[i].sel);
	}
	free(g->wls);
	for (i = 0; i < g->narrows; i++) {
		free(g->arrows[i].src);
		free(g->arrows[i].dst);
		free(g->arrows[i].label);
	}
	free(g->arrows);
	for (i = 0; i < g->nothers; i++)
		free(g->others[i]);
	free(g->others);
}

/* --- DOT ---------------------------------------------------------------- */

/* The inside of a DOT double-quoted ID: only '"' and '\' need escaping;
 * a newline becomes DOT's "\n" line break. */
static void
dot_escaped(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		if (*s == '\r')
			continue;
		if (*s == '"' || *s == '\\')
			putc('\\', f);
		putc(*s, f);
	}
}

static void
dot_id(FILE *f, const char *s)
{
	putc('"', f);
	dot_escaped(f, s);
	putc('"', f);
}

static int
write_dot(FILE *f, const struct graph *g)
{
	unsigned char *used = used_workloads(g);
	const char *open_ns = NULL;
	size_t i;

	if (used == NULL)
		return fp_error("graph: out of memory");
	/*
	 * newrank: rank the whole graph at once, not cluster by cluster;
	 * without it dot loses edges between clusters ("Error: lost ...
	 * edge") once a graph has a few dozen of them.
	 */
	fputs("digraph flowpol {\n  rankdir=LR;\n  newrank=true;\n  node "
	    "[shape=ellipse, fontname=\"Helvetica\"];\n  edge [fontname="
	    "\"Helvetica\", fontsize=10];\n", f);
	if (g->folded_dns > 0)
		fprintf(f, "  // %zu DNS edges folded into their DNS workloads "
		    "(--dns draws them)\n", g->folded_dns);
	for (i = 0; i < g->nwls; i++) {
		const struct gwl *w = &g->wls[i];
		char *lbl = NULL;

		if (!wl_drawn(g, w, used))
			continue;
		if (open_ns == NULL || strcmp(open_ns, w->ns) != 0) {
			if (open_ns != NULL)
				fputs("  }\n", f);
			open_ns = w->ns;
			fputs("  subgraph \"cluster_", f);
			dot_escaped(f, w->ns);
			fputs("\" {\n    label=", f);
			dot_id(f, w->ns);
			fputs(";\n    style=rounded;\n", f);
		}
		fputs("    \"", f);
		dot_escaped(f, w->ns);
		putc('/', f);
		dot_escaped(f, w->name);
		fputs("\" [label=", f);
		if (w->dns_in > 0 && asprintf(&lbl, "%s\n%s\nDNS from %zu "
		    "edges (folded)", w->name, w->kind, w->dns_in) < 0)
			lbl = NULL;
		if (lbl == NULL && asprintf(&lbl, "%s\n%s", w->name, w->kind) < 0) {
			free(used);
			return fp_error("graph: out of memory");
		}
		dot_id(f, lbl);
		free(lbl);
		fputs(", tooltip=", f);
		dot_id(f, w->sel);
		fputs("];\n", f);
	}
	if (open_ns != NULL)
		fputs("  }\n", f);
	for (i = 0; i < g->nothers; i++) {
		const char *p = g->others[i];
		const char *shape = strncmp(p, "node:", 5) == 0 ? "box" :
		    strncmp(p, "external:", 9) == 0 ? "octagon" : "diamond";

		fputs("  ", f);
		dot_id(f, p);
		fprintf(f, " [shape=%s%s];\n", shape,
		    strncmp(p, "unknown:", 8) == 0 ? ", color=red" : "");
	}
	for (i = 0; i < g->narrows; i++) {
		fputs("  ", f);
		dot_id(f, g->arrows[i].src);
		fputs(" -> ", f);
		dot_id(f, g->arrows[i].dst);
		fputs(" [label=", f);
		dot_id(f, g->arrows[i].label);
		fputs("];\n", f);
	}
	fputs("}\n", f);
	free(used);
	return 0;
}

/* --- Mermaid -------------------------------------------------------------- */

/* Text inside a Mermaid "quoted" label: quotes and markup as entities. */
static void
mm_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '"':
			fputs("#quot;", f);
			break;
		case '<':
			fputs("#lt;", f);
			break;
		case '>':
			fputs("#gt;", f);
			break;
		case '#':
			fputs("#35;", f);
			break;
		case '\n':
			fputs("<br/>", f);
			break;
		case '\r':
			break;
		default:
			putc(*s, f);
		}
	}
}

/* Mermaid node ids: one per drawn thing, by its place in a sorted list. */
static long
mm_node(const struct graph *g, const char *peer)
{
	const struct gwl *w = find_wl(g, peer);
	char **o;

	if (w != NULL)
		return (long)(w - g->wls);
	o = g->nothers ? bsearch(&peer, g->others, g->nothers,
	    sizeof(*g->others), fp_cmp_str) : NULL;
	return o != NULL ? (long)(g->nwls + (size_t)(o - g->others)) : -1;
}

static int
write_mermaid_full(FILE *f, const struct graph *g)
{
	unsigned char *used = used_workloads(g);
	const char *open_ns = NULL;
	size_t i, nsid = 0;

	if (used == NULL)
		return fp_error("graph: out of memory");
	fputs("flowchart LR\n", f);
	if (g->folded_dns > 0)
		fprintf(f, "  %%%% %zu DNS edges folded into their DNS workloads "
		    "(--dns draws them)\n", g->folded_dns);
	for (i = 0; i < g->nwls; i++) {
		const struct gwl *w = &g->wls[i];

		if (!wl_drawn(g, w, used))
			continue;
		if (open_ns == NULL || strcmp(open_ns, w->ns) != 0) {
			if (open_ns != NULL)
				fputs("  end\n", f);
			open_ns = w->ns;
			fprintf(f, "  subgraph s%zu[\"", nsid++);
			mm_text(f, w->ns);
			fputs("\"]\n", f);
		}
		fprintf(f, "    n%zu[\"", i);
		mm_text(f, w->name);
		fputs("<br/>", f);
		mm_text(f, w->kind);
		if (w->dns_in > 0)
			fprintf(f, "<br/>DNS from %zu edges (folded)", w->dns_in);
		fputs("\"]\n", f);
	}
	if (open_ns != NULL)
		fputs("  end\n", f);
	for (i = 0; i < g->nothers; i++) {
		fprintf(f, "  n%zu%s\"", g->nwls + i,
		    strncmp(g->others[i], "node:", 5) == 0 ? "[" : "{{");
		mm_text(f, g->others[i]);
		fputs(strncmp(g->others[i], "node:", 5) == 0 ? "\"]\n" : "\"}}\n", f);
	}
	for (i = 0; i < g->narrows; i++) {
		fprintf(f, "  n%ld -->|\"", mm_node(g, g->arrows[i].src));
		mm_text(f, g->arrows[i].label);
		fprintf(f, "\"| n%ld\n", mm_node(g, g->arrows[i].dst));
	}
	free(used);
	return 0;
}

/*
 * The node a peer folds into: its namespace; "nodes", "external" or
 * "unknown" for the peers outside any.
 */
static const char *
fold_key(const char *p, size_t *len)
{
	const char *sl = strchr(p, '/'), *colon = strchr(p, ':');

	if (colon != NULL && (sl == NULL || colon < sl)) {
		if (strncmp(p, "node:", 5) == 0)
			p = "nodes";
		else if (strncmp(p, "external:", 9) == 0)
			p = "external";
		else
			p = "unknown";
		*len = strlen(p);
		return p;
	}
	*len = sl != NULL ? (size_t)(sl - p) : strlen(p);
	return p;
}

struct fold_edge {
	char *src, *dst;
	size_t n;		/* workload arrows it stands for */
	int kept;
};

static int
cmp_fold(const void *a, const void *b)
{
	const struct fold_edge *x = a, *y = b;
	int c = strcmp(x->src, y->src);

	return c != 0 ? c : strcmp(x->dst, y->dst);
}

/* Biggest first; names break ties so the choice is the same every run. */
static int
cmp_fold_size(const void *a, const void *b)
{
	const struct fold_edge *const *x = a, *const *y = b;

	if ((*x)->n != (*y)->n)
		return (*x)->n > (*y)->n ? -1 : 1;
	return cmp_fold(*x, *y);
}

struct folded {
	struct fold_edge *v;	/* one per namespace pair, name order */
	size_t n;
};

static void
folded_release(struct folded *fo)
{
	size_t i;

	for (i = 0; i < fo->n; i++) {
		free(fo->v[i].src);
		free(fo->v[i].dst);
	}
	free(fo->v);
}

static int
fold(const struct graph *g, struct folded *fo)
{
	struct fold_edge *v;
	size_t i, k, n = 0, len;
	const char *p;

	memset(fo, 0, sizeof(*fo));
	if ((v = calloc(g->narrows + 1, sizeof(*v))) == NULL)
		return fp_error("graph: out of memory");
	for (i = 0; i < g->narrows; i++, n++) {
		p = fold_key(g->arrows[i].src, &len);
		v[n].src = strndup(p, len);
		p = fold_key(g->arrows[i].dst, &len);
		v[n].dst = strndup(p, len);
		v[n].n = 1;
		if (v[n].src == NULL || v[n].dst == NULL) {
			fo->v = v;
			fo->n = n + 1;
			return fp_error("graph: out of memory");
		}
	}
	qsort(v, n, sizeof(*v), cmp_fold);
	for (i = k = 0; i < n; i++) {
		if (k > 0 && cmp_fold(&v[k - 1], &v[i]) == 0) {
			v[k - 1].n++;
			free(v[i].src);
			free(v[i].dst);
		} else {
			v[k++] = v[i];
		}
	}
	fo->v = v;
	fo->n = k;
	return 0;
}

/* Keep the `keep` biggest folded arrows (all when keep >= n). */
static int
fold_keep(struct folded *fo, size_t keep)
{
	struct fold_edge **by;
	size_t i;

	if ((by = calloc(fo->n + 1, sizeof(*by))) == NULL)
		return fp_error("graph: out of memory");
	for (i = 0; i < fo->n; i++)
		by[i] = &fo->v[i];
	qsort(by, fo->n, sizeof(*by), cmp_fold_size);
	for (i = 0; i < fo->n; i++)
		by[i]->kept = i < keep;
	free(by);
	return 0;
}

static void
write_mermaid_folded(FILE *f, const struct graph *g, const struct folded *fo,
    size_t kept)
{
	const char **names;
	size_t i, k, nn = 0, smallest = 0;

	if ((names = calloc(2 * fo->n + 1, sizeof(*names))) == NULL)
		return;
	for (i = 0; i < fo->n; i++) {
		if (!fo->v[i].kept) {
			if (fo->v[i].n > smallest)
				smallest = fo->v[i].n;
			continue;
		}
		names[nn++] = fo->v[i].src;
		names[nn++] = fo->v[i].dst;
	}
	qsort(names, nn, sizeof(*names), fp_cmp_str);
	for (i = k = 0; i < nn; i++)
		if (k == 0 || strcmp(names[k - 1], names[i]) != 0)
			names[k++] = names[i];
	nn = k;
	fputs("flowchart LR\n", f);
	fprintf(f, "  %%%% folded per namespace: %zu arrows are more than "
	    "Mermaid draws (%d edges, %d characters)", g->narrows,
	    MERMAID_MAX_EDGES, MERMAID_MAX_TEXT);
	if (kept < fo->n)
		fprintf(f, "; the %zu smallest of %zu namespace arrows (at most "
		    "%zu workload arrows each) left out", fo->n - kept, fo->n,
		    smallest);
	fputs("\n", f);
	for (i = 0; i < nn; i++) {
		int ns = strcmp(names[i], "nodes") != 0 &&
		    strcmp(names[i], "external") != 0 &&
		    strcmp(names[i], "unknown") != 0;

		fprintf(f, "  n%zu%s\"", i, ns ? "[" : "{{");
		mm_text(f, names[i]);
		fputs(ns ? "\"]\n" : "\"}}\n", f);
	}
	for (i = 0; i < fo->n; i++) {
		const char **a, **b;

		if (!fo->v[i].kept)
			continue;
		a = bsearch(&fo->v[i].src, names, nn, sizeof(*names), fp_cmp_str);
		b = bsearch(&fo->v[i].dst, names, nn, sizeof(*names), fp_cmp_str);
		fprintf(f, "  n%zu -->|\"%zu\"| n%zu\n", (size_t)(a - names),
		    fo->v[i].n, (size_t)(b - names));
	}
	free(names);
}

/*
 * Mermaid within its default limits: the full graph when it fits; else one
 * node per namespace (nodes, external and unknown peers one node each),
 * each arrow labelled with the workload arrows it stands for; and when even
 * that is too much, only the biggest of those arrows. Said on stderr and in
 * a comment of the graph.
 */
static int
write_mermaid(FILE *out, const struct graph *g)
{
	struct folded fo;
	char *buf = NULL;
	size_t len = 0, keep;
	FILE *f;
	int r;

	if (g->narrows <= MERMAID_MAX_EDGES) {
		if ((f = open_memstream(&buf, &len)) == NULL)
			return fp_error("graph: out of memory");
		r = write_mermaid_full(f, g);
		fclose(f);
		if (r == 0 && len <= MERMAID_MAX_TEXT) {
			fwrite(buf, 1, len, out);
			free(buf);
			return 0;
		}
		free(buf);
		buf = NULL;
		if (r < 0)
			return -1;
	}
	if (fold(g, &fo) < 0) {
		folded_release(&fo);
		return -1;
	}
	for (keep = fo.n < MERMAID_MAX_EDGES ? fo.n : MERMAID_MAX_EDGES;;
	    keep = keep * 9 / 10) {
		if (fold_keep(&fo, keep) < 0 ||
		    (f = open_memstream(&buf, &len)) == NULL) {
			folded_release(&fo);
			return fp_error("graph: out of memory");
		}
		write_mermaid_folded(f, g, &fo, keep);
		fclose(f);
		if (len <= MERMAID_MAX_TEXT || keep == 0)
			break;
		free(buf);
		buf = NULL;
	}
	fp_warn("graph: %zu arrows are more than Mermaid draws (%d edges, %d "
	    "characters): folded per namespace into %zu arrows%s", g->narrows,
	    MERMAID_MAX_EDGES, MERMAID_MAX_TEXT, fo.n, keep < fo.n ?
	    ", of which only the biggest are drawn (--namespace shows the rest)" :
	    "");
	fwrite(buf, 1, len, out);
	free(buf);
	folded_release(&fo);
	return 0;
}

int
cmd_graph(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'f' },
		{ "namespace", required_argument, NULL, 'n' },
		{ "dns", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *nss[GRAPH_MAX_NS];
	enum fp_format fmt = FP_FMT_DOT;
	struct store *st = NULL;
	struct model *m = NULL;
	struct graph g;
	int c, ret = FP_EXIT_ERR;

	memset(&g, 0, sizeof(g));
	while ((c = fp_getopt(argc, argv, "ho:n:", opts)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'o':
		case 'f':
			if (fp_cli_format(optarg, "dot,mermaid", &fmt) < 0)
				return fp_cli_usage_error("graph", usage, "%s",
				    fp_errmsg());
			break;
		case 'n':
			if (g.nnss >= GRAPH_MAX_NS)
				return fp_cli_usage_error("graph", usage,
				    "--namespace: more than %d", GRAPH_MAX_NS);
			if (k8s_check_dns_label(optarg) != NULL)
				return fp_cli_usage_error("graph", usage,
				    "--namespace '%s': not a namespace name",
				    fp_clamp(optarg, 64));
			nss[g.nnss++] = optarg;
			break;
		case 'D':
			g.dns = 1;
			break;
		case 'h':
			return fp_cli_help(usage);
		default:
			return fp_cli_bad_option("graph", usage, opts, argv);
		}
	}
	g.nss = nss;
	if (optind != argc)
		return fp_cli_usage_error("graph", usage, "unexpected argument '%s'",
		    argv[optind]);
	if (store_open(&st, db, STORE_READONLY) < 0)
		return fp_report();
	if (model_open(&m, st) < 0 || load_workloads(m, &g) < 0 ||
	    load_edges(m, &g) < 0 ||
	    (fmt == FP_FMT_MERMAID ? write_mermaid(stdout, &g) :
	    write_dot(stdout, &g)) < 0) {
		fp_report();
		goto out;
	}
	/* A redirect to a full disk must not look like a written graph. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ret = fp_fail("graph: writing the output: %s", strerror(errno));
		goto out;
	}
	ret = FP_EXIT_OK;
out:
	graph_release(&g);
	model_free(m);
	store_free(st);
	return ret;
}
