#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "common/cli.h"
#include "common/err.h"
#include "common/fileio.h"
#include "common/k8sname.h"
#include "common/ipaddr.h"
#include "common/proto.h"
#include "store/model.h"
#include "store/store.h"
#include "common/timeutil.h"
#include "common/strbuf.h"
#include "emitter/emit.h"
#include "emitter/names.h"
#include "review/peers.h"
#include "review/report.h"
#include "policy/calver.h"
#include "policy/evaluate.h"
#include "policy/reader.h"
#include "common/banned.h"

/*
 * report.c: `flowpol report`. The policy evidence is not re-derived here:
 * the emitter builds the set exactly as `flowpol emit` would, the policy
 * engine reads the rendered YAML back, and every learned edge is evaluated
 * against it, each peer modelled as diff models it (review/peers.h), so
 * both give an edge the same verdict. The rule that allows an edge on each
 * side (in its first label-set and address combination) is its evidence,
 * so the report shows what Calico would do with the files under review,
 * including edges an inexact selector lets through another policy.
 */

#define REPORT_MAX_UNRESOLVED 50	/* rows shown; the rest are counted */

/*
 * A decision kept for the report: what sections print (allowed, why, the
 * deciding rule), 12 bytes instead of a pe_decision's hundred.
 */
struct rdec {
	uint32_t pol;		/* RULE: index in the set, else UINT32_MAX */
	uint32_t rule;		/* RULE: 0-based */
	uint8_t why;		/* enum pe_why */
	uint8_t allowed;
};

/*
 * A learned edge, compact: a few million of them are held at once, so
 * peers and node lists are indices into interned strings, and of the
 * committed set's verdict only whether each side allows is kept.
 */
struct redge {
	uint32_t src, dst;	/* index in peers (sorted by name) */
	uint32_t nodes;		/* index in nodes */
	int proto, port;
	long long conns;
	int64_t first, last;
	struct rdec eg, in;	/* the generated set's decisions */
	unsigned is_new : 1;	/* first seen at or after --since */
	unsigned evaluated : 1;	/* both peers resolved and evaluated */
	unsigned allowed : 1;	/* by the generated set, both sides */
	unsigned c_evaluated : 1; /* evaluated against the committed set */
	unsigned c_allowed : 1;	/* by the committed set, both sides */
	unsigned c_eg_allowed : 1;
	unsigned c_in_allowed : 1;
};

/* An edge decided by rule `rule` of policy `pol` in one direction. */
struct rule_hit {
	uint32_t pol, rule, edge;
	uint32_t ingress;
};

/* Interned strings: each distinct one stored once, found by hash. */
struct strtab {
	char **v;		/* by index */
	size_t n, cap;
	uint32_t *slot;		/* open addressing: index + 1, 0 empty */
	size_t nslot;		/* a power of two */
};

/* An edge peer or a workload, modelled as diff models it (review/peers.h). */
struct peer {
	struct rv_peer p;	/* p.text is the name */
	int ok;
	char *err;		/* why it cannot be evaluated */
};

struct rep {
	struct store *st;
	struct model *m;
	const struct report_opts *o;
	FILE *f;
	int64_t now;
	int64_t model_at;	/* newest edge last_seen, 0 if none */
	struct redge *edges;
	size_t nedges;
	struct strtab names;	/* edge peers while loading */
	struct strtab nodes;	/* edges' node lists */
	struct peer *peers;	/* sorted by name */
	size_t npeers;
	struct emit_result er;
	struct pe_policyset ps;
	size_t *doc_of;		/* policy index in ps -> doc index */
	size_t *pol_of;		/* doc index -> first policy index, or SIZE_MAX */
	/* The workload peers each policy selects: sel_peer[sel_start[p] ..
	 * sel_start[p + 1]), built once from the peers' bindings. */
	size_t *sel_start, *sel_peer;
	struct rule_hit *hits;	/* which rule allowed each edge, sorted */
	size_t nhits;
	size_t nnew;
	/* the committed directory (--policies) */
	struct pe_policyset cps;
	struct emit_cmp *cmp;
	size_t ncmp;
	int64_t since, until;	/* the learned period (meta), open ends */
	char *cerr;		/* why the committed set was not evaluated */
	int c_same;		/* it is the generated set (not read again) */
};

/* --- small helpers ------------------------------------------------------ */

static char *
xstrdup(const char *s)
{
	char *p = strdup(s != NULL ? s : "");

	if (p == NULL)
		fp_error("report: out of memory");
	return p;
}

/*
 * Text from the database in Markdown: every character Markdown or a table
 * could read as syntax gets a backslash (CommonMark allows one before any
 * ASCII punctuation), and control characters, newlines included, become a
 * space so that a value never ends a table row or starts a block.
 */
static int
md_special(unsigned char c)
{
	return c < 0x20 || c == 0x7f || strchr("\\`*_[]<>|~&#!", c) != NULL;
}

/* Plain runs go out in one fwrite: a report has a few million cells. */
static void
md(FILE *f, const char *s)
{
	const char *run;
	unsigned char c;

	while (s != NULL && *s != '\0') {
		for (run = s; *s != '\0' && !md_special((unsigned char)*s); s++)
			;
		fwrite(run, 1, (size_t)(s - run), f);
		if ((c = (unsigned char)*s) == '\0')
			break;
		s++;
		if (c < 0x20 || c == 0x7f) {
			putc(' ', f);
		} else {
			putc('\\', f);
			putc(c, f);
		}
	}
}

static void
md_time(FILE *f, int64_t us)
{
	char buf[FP_TIMESTRLEN];

	fputs(fp_time_format(us, buf), f);
}

/* "3d 4h", "2h 5m", "4m 10s", "7s": two units are enough for a reviewer. */
static void
md_duration(FILE *f, int64_t us)
{
	int64_t s;

	if (us < 0) {
		fputs("in the future", f);
		return;
	}
	s = us / FP_USEC;
	if (s >= 86400)
		fprintf(f, "%" PRId64 "d %" PRId64 "h", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		fprintf(f, "%" PRId64 "h %" PRId64 "m", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		fprintf(f, "%" PRId64 "m %" PRId64 "s", s / 60, s % 60);
	else
		fprintf(f, "%" PRId64 "s", s);
}

static void
md_proto_port(FILE *f, int proto, int port)
{
	char pb[16], po[16];
	const char *pn = fp_proto_name(proto, pb, sizeof(pb));
	const char *ps = fp_port_format(proto, port, po, sizeof(po));

	fprintf(f, "%s%s%s", pn, *ps ? "/" : "", ps);
}

static void
md_percent(FILE *f, long long part, long long whole)
{
	if (whole <= 0)
		fputs("-", f);
	else
		fprintf(f, "%lld.%01lld%%", part * 100 / whole,
		    part * 1000 / whole % 10);
}

/* --namespace: whether namespace ns (len bytes) is reported. */
static int
ns_in_scope(const struct rep *r, const char *ns, size_t len)
{
	size_t i;

	if (r->o->nnamespaces == 0)
		return 1;
	for (i = 0; i < r->o->nnamespaces; i++)
		if (strlen(r->o->namespaces[i]) == len &&
		    memcmp(r->o->namespaces[i], ns, len) == 0)
			return 1;
	return 0;
}

/* A peer "namespace/workload" in scope; nodes, addresses never are. */
static int
peer_in_scope(const struct rep *r, const char *peer)
{
	const char *sl = strchr(peer, '/'), *colon = strchr(peer, ':');

	if (r->o->nnamespaces == 0)
		return 1;
	if (sl == NULL || (colon != NULL && colon < sl))
		return 0;
	return ns_in_scope(r, peer, (size_t)(sl - peer));
}

/* FNV-1a: the interning tables' hash. */
static uint32_t
str_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* The index of s in t, added if new: amortized O(length). -1 on memory. */
static int64_t
strtab_intern(struct strtab *t, const char *s)
{
	size_t i, mask;
	uint32_t idx;

	if (2 * (t->n + 1) > t->nslot) {
		size_t ns = t->nslot ? t->nslot * 2 : 1024, k;
		uint32_t *sl = calloc(ns, sizeof(*sl));

		if (sl == NULL)
			return fp_error("report: out of memory");
		for (k = 0; k < t->n; k++) {
			for (i = str_hash(t->v[k]) & (ns - 1); sl[i] != 0;
			    i = (i + 1) & (ns - 1))
				;
			sl[i] = (uint32_t)k + 1;
		}
		free(t->slot);
		t->slot = sl;
		t->nslot = ns;
	}
	mask = t->nslot - 1;
	for (i = str_hash(s) & mask; (idx = t->slot[i]) != 0; i = (i + 1) & mask)
		if (strcmp(t->v[idx - 1], s) == 0)
			return idx - 1;
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 256;
		char **v = realloc(t->v, nc * sizeof(*v));

		if (v == NULL)
			return fp_error("report: out of memory");
		t->v = v;
		t->cap = nc;
	}
	if ((t->v[t->n] = xstrdup(s)) == NULL)
		return -1;
	t->slot[i] = (uint32_t)t->n + 1;
	return (int64_t)t->n++;
}

/* The index table only: the strings stay (or were handed on). */
static void
strtab_drop_index(struct strtab *t)
{
	free(t->slot);
	t->slot = NULL;
	t->nslot = 0;
}

static void
strtab_free(struct strtab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	strtab_drop_index(t);
	memset(t, 0, sizeof(*t));
}

/* --- loading ------------------------------------------------------------ */

static int
load_edges(struct rep *r)
{
	struct model_edges *it = NULL;
	struct model_edge me;
	struct redge *v;
	size_t cap = 0;
	int64_t id;
	int rc, ret = -1;

	if (model_edges_open(r->m, &it) < 0)
		goto fail;
	while ((rc = model_edges_next(it, &me)) == 1) {
		struct redge *e;

		if (!peer_in_scope(r, me.src.text) &&
		    !peer_in_scope(r, me.dst.text))
			continue;
		if (r->nedges == cap) {
			cap = cap ? cap * 2 : 64;
			if ((v = realloc(r->edges, cap * sizeof(*v))) == NULL) {
				fp_error("report: out of memory");
				goto out;
			}
			r->edges = v;
		}
		e = &r->edges[r->nedges];
		memset(e, 0, sizeof(*e));
		r->nedges++;
		e->proto = me.proto;
		e->port = me.port;
		e->conns = me.connections;
		e->first = me.first_seen;
		e->last = me.last_seen;
		/* peers by name for now: load_peers makes them peer indices */
		if ((id = strtab_intern(&r->names, me.src.text)) < 0)
			goto out;
		e->src = (uint32_t)id;
		if ((id = strtab_intern(&r->names, me.dst.text)) < 0)
			goto out;
		e->dst = (uint32_t)id;
		if ((id = strtab_intern(&r->nodes, me.nodes != NULL ? me.nodes :
		    "")) < 0)
			goto out;
		e->nodes = (uint32_t)id;
		if (e->last > r->model_at)
			r->model_at = e->last;
	}
	if (rc == 0) {
		strtab_drop_index(&r->nodes);
		ret = 0;
		goto out;
	}
fail:
	fp_error_prefix("report");
out:
	model_edges_close(it);
	return ret;
}

/* "new": first seen at or after --since. */
static void
mark_new(struct rep *r)
{
	size_t i;

	for (i = 0; i < r->nedges && r->o->have_since; i++) {
		r->edges[i].is_new = r->edges[i].first >= r->o->since;
		r->nnew += (size_t)r->edges[i].is_new;
	}
}

/* --- evaluation against the generated set -------------------------------- */

static int
cmp_peer(const void *a, const void *b)
{
	return strcmp(((const struct peer *)a)->p.text,
	    ((const struct peer *)b)->p.text);
}

static struct peer *
find_peer(struct rep *r, const char *name)
{
	struct peer key;

	memset(&key, 0, sizeof(key));
	key.p.text = (char *)(uintptr_t)name;
	return r->npeers ? bsearch(&key, r->peers, r->npeers, sizeof(*r->peers),
	    cmp_peer) : NULL;
}

/* A name to load; p.text is set, the rest when loaded. */
static int
add_peer_name(struct rep *r, size_t *cap, const char *name)
{
	struct peer *v;

	if (r->npeers == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		if ((v = realloc(r->peers, *cap * sizeof(*v))) == NULL)
			return fp_error("report: out of memory");
		r->peers = v;
	}
	memset(&r->peers[r->npeers], 0, sizeof(*r->peers));
	if ((r->peers[r->npeers].p.text = xstrdup(name)) == NULL)
		return -1;
	r->npeers++;
	return 0;
}

/* Why a loaded peer cannot be evaluated, or NULL. */
static const char *
peer_unusable(const struct peer *p)
{
	if (p->p.mp.kind == MODEL_PEER_UNKNOWN)
		return "address not resolved to a pod, node or external peer";
	if (p->p.nstates == 0)
		return "no pod of the workload in the inventory";
	return NULL;
}

/* Every edge peer and every workload, loaded once and bound to the set. */
static int
load_peers(struct rep *r)
{
	const struct model_workload *wl;
	size_t cap = 0, i, k, nwl;
	char *name;
	const char *why;

	uint32_t *map;

	for (i = 0; i < r->names.n; i++)
		if (add_peer_name(r, &cap, r->names.v[i]) < 0)
			return -1;
	if (model_workloads(r->m, &wl, &nwl) < 0)
		return fp_error_prefix("report");
	for (i = 0; i < nwl; i++)
		if (add_peer_name(r, &cap, wl[i].text) < 0)
			return -1;
	if (r->npeers > 1)
		qsort(r->peers, r->npeers, sizeof(*r->peers), cmp_peer);
	for (i = k = 0; i < r->npeers; i++) {
		if (k > 0 && strcmp(r->peers[k - 1].p.text, r->peers[i].p.text) == 0) {
			free(r->peers[i].p.text);
			continue;
		}
		r->peers[k++] = r->peers[i];
	}
	r->npeers = k;
	for (i = 0; i < r->npeers; i++) {
		struct peer *p = &r->peers[i];

		name = p->p.text;
		p->p.text = NULL;
		if (rv_peer_load(r->m, &r->ps, name, &p->p) < 0) {
			free(name);
			return fp_error_prefix("report");
		}
		free(name);
		if ((why = peer_unusable(p)) != NULL) {
			if ((p->err = xstrdup(why)) == NULL)
				return -1;
		} else {
			p->ok = 1;
		}
	}
	/* the edges' peers, interned by name while loading, become indices */
	if ((map = calloc(r->names.n + 1, sizeof(*map))) == NULL)
		return fp_error("report: out of memory");
	for (i = 0; i < r->names.n; i++)
		map[i] = (uint32_t)(find_peer(r, r->names.v[i]) - r->peers);
	for (i = 0; i < r->nedges; i++) {
		r->edges[i].src = map[r->edges[i].src];
		r->edges[i].dst = map[r->edges[i].dst];
	}
	free(map);
	strtab_free(&r->names);
	return 0;
}

/* A decision as the report keeps it. */
static void
rdec_set(const struct pe_policyset *ps, struct rdec *d,
    const struct pe_decision *dec)
{
	d->why = (uint8_t)dec->why;
	d->allowed = dec->allowed != 0;
	d->pol = UINT32_MAX;
	d->rule = 0;
	if (dec->why == PE_WHY_RULE && dec->policy != NULL) {
		d->pol = (uint32_t)(dec->policy - ps->policies);
		d->rule = (uint32_t)dec->rule;
	}
}

/* The verdict over every combination, shown as its deciding decisions. */
static void
evaluate_edge(struct rep *r, struct redge *e, const struct peer *a,
    const struct peer *b)
{
	struct rv_eval ev;

	rv_eval_edge(&r->ps, &a->p, &b->p, e->proto, e->port, 0, NULL, NULL,
	    &ev);
	rdec_set(&r->ps, &e->eg, rv_dir_decision(&ev.eg));
	rdec_set(&r->ps, &e->in, rv_dir_decision(&ev.in));
	e->allowed = ev.eg.denied == 0 && ev.in.denied == 0;
	e->evaluated = 1;
}

static int
evaluate_edges(struct rep *r)
{
	size_t i;

	for (i = 0; i < r->nedges; i++) {
		struct redge *e = &r->edges[i];
		struct peer *a = &r->peers[e->src], *b = &r->peers[e->dst];

		if (a->ok && b->ok)
			evaluate_edge(r, e, a, b);
	}
	return 0;
}

/* Why an edge was not evaluated: "peer: reason". */
static void
edge_why(FILE *f, const struct rep *r, const struct redge *e)
{
	const struct peer *bad = !r->peers[e->src].ok ? &r->peers[e->src] :
	    &r->peers[e->dst];

	md(f, bad->p.text);
	fputs(": ", f);
	md(f, bad->err != NULL ? bad->err : "not resolved");
}

static int
cmp_doc_name(const void *a, const void *b)
{
	return strcmp((*(const struct emit_doc *const *)a)->name,
	    (*(const struct emit_doc *const *)b)->name);
}

/* Build the set as `flowpol emit` does by default and read it back. */
static int
build_policies(struct rep *r)
{
	struct emit_opts eo;
	struct emit_doc key, *kp = &key, **byname = NULL, **hit;
	size_t i, j;
	int ret = -1;

	memset(&eo, 0, sizeof(eo));
	eo.calico_version = r->o->calico_version;
	if ((eo.calico_version == 0 && r->o->policies != NULL &&
	    emit_recorded_version(r->o->policies, &eo.calico_version) < 0) ||
	    emit_build_model(r->m, &eo, &r->er) < 0)
		return -1;
	for (i = 0; i < r->er.ndocs; i++)
		if (pe_read_buffer(&r->ps, r->er.docs[i].file, r->er.docs[i].text,
		    r->er.docs[i].len) < 0)
			return fp_error_prefix("report: reading back what emit writes");
	if (pe_policyset_prepare(&r->ps, PE_TYPES_API) < 0)
		return -1;
	/* policies and documents meet by name: sort one side, not P x D */
	if ((r->doc_of = calloc(r->ps.n_policies + 1, sizeof(*r->doc_of))) == NULL ||
	    (r->pol_of = calloc(r->er.ndocs + 1, sizeof(*r->pol_of))) == NULL ||
	    (byname = calloc(r->er.ndocs + 1, sizeof(*byname))) == NULL) {
		fp_error("report: out of memory");
		goto out;
	}
	for (j = 0; j < r->er.ndocs; j++) {
		byname[j] = &r->er.docs[j];
		r->pol_of[j] = SIZE_MAX;
	}
	qsort(byname, r->er.ndocs, sizeof(*byname), cmp_doc_name);
	for (i = 0; i < r->ps.n_policies; i++) {
		key.name = r->ps.policies[i].name;
		hit = r->er.ndocs ? bsearch(&kp, byname, r->er.ndocs,
		    sizeof(*byname), cmp_doc_name) : NULL;
		if (hit == NULL) {
			fp_error("report: internal: policy '%s' read back from no "
			    "document", fp_clamp(r->ps.policies[i].name, 64));
			goto out;
		}
		r->doc_of[i] = j = (size_t)(*hit - r->er.docs);
		if (r->pol_of[j] == SIZE_MAX)
			r->pol_of[j] = i;
	}
	ret = 0;
out:
	free(byname);
	return ret;
}

/* The policy of doc d in the set read back, or NULL. */
static const struct pe_policy *
doc_policy(const struct rep *r, size_t d, size_t *idx)
{
	if (r->pol_of[d] == SIZE_MAX)
		return NULL;
	*idx = r->pol_of[d];
	return &r->ps.policies[*idx];
}

/*
 * The header of an emitted file lists one summary line per rule, ingress
 * first ("#   ingress tcp/80 from ntierapp/frontend"); a rule's place in
 * that list finds its line. The lines are indexed once per document (a
 * scan from the top per rule would cost rules squared): *out holds the
 * start of each, up to a "#   ... and N more" line that stops the list.
 * The count, or -1 (memory).
 */
static int64_t
rule_summaries(const struct emit_doc *d, const char ***out)
{
	const char *p = d->text, *nl, **v = NULL, **nv;
	size_t n = 0, cap = 0;
	int in_allows = 0;

	*out = NULL;
	while (*p == '#') {
		nl = strchr(p, '\n');
		if (nl == NULL)
			break;
		if (strncmp(p, "# Allows", 8) == 0) {
			in_allows = 1;
		} else if (in_allows && strncmp(p, "#   ", 4) == 0) {
			if (strncmp(p, "#   ... and ", 12) == 0)
				break;
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
					free(v);
					return fp_error("report: out of memory");
				}
				v = nv;
			}
			v[n++] = p + 4;
		}
		p = nl + 1;
	}
	*out = v;
	return (int64_t)n;
}

/* The "what it is for" of an emitted file's second header line. */
static char *
doc_about(const struct emit_doc *d)
{
	const char *p = strchr(d->text, '\n'), *nl, *c;

	if (p == NULL || strncmp(p + 1, "# ", 2) != 0 ||
	    (nl = strchr(p + 1, '\n')) == NULL)
		return NULL;
	c = strstr(p + 1, ": ");
	if (c == NULL || c > nl)
		return NULL;
	return strndup(c + 2, (size_t)(nl - c - 2));
}

/* --- sections ------------------------------------------------------------ */

/* "src -> dst proto/port": an edge in one table cell. */
static void
edge_label(FILE *f, const struct rep *r, const struct redge *e)
{
	md(f, r->peers[e->src].p.text);
	fputs(" -> ", f);
	md(f, r->peers[e->dst].p.text);
	fputs(" ", f);
	md_proto_port(f, e->proto, e->port);
}

/* The cells after the peers: " | conns | first | last | nodes |". */
static void
edge_evidence(FILE *f, const struct rep *r, const struct redge *e)
{
	fprintf(f, " | %lld | ", e->conns);
	md_time(f, e->first);
	fputs(" | ", f);
	md_time(f, e->last);
	fputs(" | ", f);
	md(f, r->nodes.v[e->nodes]);
	fputs(" |", f);
}

static void
edge_row(FILE *f, const struct rep *r, const struct redge *e)
{
	fputs("| ", f);
	md(f, r->peers[e->src].p.text);
	fputs(" | ", f);
	md(f, r->peers[e->dst].p.text);
	fputs(" | ", f);
	md_proto_port(f, e->proto, e->port);
	edge_evidence(f, r, e);
}

static const char edge_head[] =
    "| Source | Destination | Protocol/port | Connections | First seen | "
    "Last seen | Nodes |\n"
    "|---|---|---|---:|---|---|---|\n";

static size_t
count_learned(const struct rep *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->er.ndocs; i++)
		n += r->er.docs[i].order_centi >= EMIT_ORDER_LEARNED;
	return n;
}

/* The newest of the coverage's last new edges and the edges' first
 * sightings: when the model last grew. */
static int
last_new_edge(struct rep *r, int64_t *out)
{
	struct model_coverage *cov = NULL;
	size_t i, n = 0;

	*out = 0;
	if (model_coverage(r->m, &cov, &n) < 0)
		return fp_error_prefix("report");
	for (i = 0; i < n; i++)
		if (cov[i].has_last_new_edge && cov[i].last_new_edge > *out)
			*out = cov[i].last_new_edge;
	for (i = 0; i < r->nedges; i++)
		if (r->edges[i].first > *out)
			*out = r->edges[i].first;
	model_coverage_free(cov, n);
	return 0;
}

/* Rows of one list in the summary; the rest are counted (the details
 * have them all), so the summary stays small at any cluster size. */
#define SUMMARY_ROWS 25
/* GitHub refuses a pull-request body over 65,536 characters. */
#define REPORT_BODY_MAX 60000

static void
more_rows(FILE *f, size_t shown, size_t total)
{
	if (total > shown)
		fprintf(f, "\n... and %zu more (in the details).\n", total - shown);
}

/* Workloads, namespaces and pods of the scope. */
static int
count_workloads(struct rep *r, size_t *nwl, size_t *nns, long long *npods)
{
	const struct model_workload *wl;
	const char *last = NULL;
	size_t i, n;

	*nwl = *nns = 0;
	*npods = 0;
	if (model_workloads(r->m, &wl, &n) < 0)
		return fp_error_prefix("report");
	for (i = 0; i < n; i++) {
		if (!ns_in_scope(r, wl[i].ns, strlen(wl[i].ns)))
			continue;
		(*nwl)++;
		*npods += wl[i].pods;
		if (last == NULL || strcmp(last, wl[i].ns) != 0)
			(*nns)++;
		last = wl[i].ns;
	}
	return 0;
}

/* "namespace/name" of a learned document ("learned allows for workload X"). */
static char *
doc_workload(const struct emit_doc *d)
{
	char *about = doc_about(d), *w, *out = NULL;

	if (about != NULL && (w = strstr(about, "for workload ")) != NULL)
		out = strdup(w + 13);
	free(about);
	return out;
}

/*
 * Workloads the pull request isolates for the first time: each whose learned
 * policy is added, or all of them when the default deny itself is new.
 */
static void
list_isolated(struct rep *r)
{
	FILE *f = r->f;
	size_t i, n = 0, shown = 0;
	int deny_new = 0;

	for (i = 0; i < r->ncmp; i++)
		if (r->cmp[i].change == EMIT_ADDED && r->cmp[i].doc != NULL &&
		    strncmp(r->cmp[i].doc->name, "flowpol-default-deny", 20) == 0)
			deny_new = 1;
	for (i = 0; i < r->ncmp; i++) {
		const struct emit_doc *d = r->cmp[i].doc;
		char *w;

		if (d == NULL || d->order_centi < EMIT_ORDER_LEARNED ||
		    (r->cmp[i].change != EMIT_ADDED && !deny_new) ||
		    (w = doc_workload(d)) == NULL)
			continue;
		if (peer_in_scope(r, w)) {
			if (n++ == 0)
				fprintf(f, "\n### Workloads newly isolated\n\n%s\n\n",
				    deny_new ? "The default deny is new: each workload "
				    "is limited to its learned allows." :
				    "Their first learned policy: limited to what was "
				    "observed.");
			if (shown < SUMMARY_ROWS) {
				fputs("- ", f);
				md(f, w);
				putc('\n', f);
				shown++;
			}
		}
		free(w);
	}
	more_rows(f, shown, n);
}

/*
 * Workloads the new policies let do more than the committed ones: counted
 * per peer, and peers are in name order, so no sort of the edges' names.
 */
static int
list_widened(struct rep *r)
{
	FILE *f = r->f;
	size_t *cnt;
	size_t i, shown = 0, groups = 0;

	if ((cnt = calloc(r->npeers + 1, sizeof(*cnt))) == NULL)
		return fp_error("report: out of memory");
	for (i = 0; i < r->nedges; i++) {
		const struct redge *e = &r->edges[i];
		const char *s = r->peers[e->src].p.text;
		const char *d = r->peers[e->dst].p.text;

		if (!e->c_evaluated)
			continue;
		if (!e->c_eg_allowed && e->eg.allowed &&
		    peer_in_scope(r, s) && strchr(s, ':') == NULL)
			cnt[e->src]++;
		if (!e->c_in_allowed && e->in.allowed &&
		    peer_in_scope(r, d) && strchr(d, ':') == NULL)
			cnt[e->dst]++;
	}
	for (i = 0; i < r->npeers; i++) {
		if (cnt[i] == 0)
			continue;
		if (groups++ == 0)
			fputs("\n### Workloads widened\n\nEdges the committed "
			    "policies deny at this workload and the new ones "
			    "allow:\n\n| Workload | Edges newly allowed |\n"
			    "|---|---:|\n", f);
		if (shown < SUMMARY_ROWS) {
			fputs("| ", f);
			md(f, r->peers[i].p.text);
			fprintf(f, " | %zu |\n", cnt[i]);
			shown++;
		}
	}
	more_rows(f, shown, groups);
	free(cnt);
	return 0;
}

static void
list_committed_denied(struct rep *r, size_t total)
{
	FILE *f = r->f;
	size_t i, shown = 0;

	if (total == 0)
		return;
	fputs("\n### Observed edges the committed policies deny\n\n"
	    "| Edge | Connections | Denied at |\n|---|---:|---|\n", f);
	for (i = 0; i < r->nedges && shown < SUMMARY_ROWS; i++) {
		const struct redge *e = &r->edges[i];

		if (!e->c_evaluated || e->c_allowed)
			continue;
		fputs("| ", f);
		edge_label(f, r, e);
		fprintf(f, " | %lld | %s |\n", e->conns,
		    !e->c_eg_allowed && !e->c_in_allowed ?
		    "both ends" : !e->c_eg_allowed ? "source (egress)" :
		    "destination (ingress)");
		shown++;
	}
	more_rows(f, shown, total);
}

static void
list_silent(struct rep *r, size_t total)
{
	FILE *f = r->f;
	size_t i, shown = 0;

	if (total == 0)
		return;
	fputs("\n### Workloads never seen talking\n\nNo learned edge names "
	    "them: the default deny isolates them (`flowpol emit "
	    "--exempt-silent` leaves them out).\n\n", f);
	for (i = 0; i < r->er.nsilent && shown < SUMMARY_ROWS; i++) {
		if (!peer_in_scope(r, r->er.silent[i]))
			continue;
		fputs("- ", f);
		md(f, r->er.silent[i]);
		putc('\n', f);
		shown++;
	}
	more_rows(f, shown, total);
}

/* The cluster's DNS as learn found it, and from what evidence (learn
 * prints the same text): a summary row. */
static int
dns_row(struct rep *r)
{
	char *dns = NULL;

	if (model_dns_found(r->m, &dns) < 0)
		return fp_error_prefix("report");
	fputs("| Cluster DNS | ", r->f);
	md(r->f, *dns ? dns : "none found (no kube-dns, node-local-dns or "
	    "openshift-dns in the inventory)");
	fputs(" |\n", r->f);
	free(dns);
	return 0;
}

/* What each LoadBalancer Service's clients become. */
static int
list_lbs(struct rep *r)
{
	FILE *f = r->f;
	struct model_lb *lbs = NULL;
	size_t i, n = 0;

	if (model_lbs_of(r->m, NULL, 0, 0, &lbs, &n) < 0)
		return fp_error_prefix("report");
	if (n > 0)
		fputs("\n### Load balancers\n\n", f);
	for (i = 0; i < n && i < SUMMARY_ROWS; i++) {
		fputs("- ", f);
		md(f, lbs[i].ns);
		fputc('/', f);
		md(f, lbs[i].name);
		if (strcmp(lbs[i].traffic_policy, "Local") == 0) {
			fputs(" (externalTrafficPolicy: Local): clients keep their "
			    "addresses; where external clients were seen, its "
			    "backends allow the target port from ", f);
			md(f, *lbs[i].source_ranges ? lbs[i].source_ranges :
			    "anywhere outside the cluster's pod and service ranges");
			fputs(".\n", f);
		} else {
			fputs(" (externalTrafficPolicy: Cluster): kube-proxy "
			    "translates its clients to node addresses, so they "
			    "arrive as nodes and are covered by the node set "
			    "(GlobalNetworkSet flowpol-nodes); no client address "
			    "gets a rule.\n", f);
		}
	}
	if (n > SUMMARY_ROWS)
		fprintf(f, "\n... and %zu more.\n", n - SUMMARY_ROWS);
	model_lbs_free(lbs, n);
	return 0;
}

static int
sec_summary(struct rep *r)
{
	FILE *f = r->f;
	long long npods;
	int64_t lastnew;
	size_t i, nwl, nns, denied = 0, ungoverned = 0, cdenied = 0, silent = 0;
	size_t counts[EMIT_FOREIGN + 1] = { 0 };
	char per[FP_PERIODLEN];

	if (count_workloads(r, &nwl, &nns, &npods) < 0 ||
	    last_new_edge(r, &lastnew) < 0)
		return -1;
	for (i = 0; i < r->nedges; i++) {
		const struct redge *e = &r->edges[i];

		if (!e->evaluated || !e->allowed)
			denied++;
		else if (e->eg.why != PE_WHY_RULE && e->in.why != PE_WHY_RULE)
			ungoverned++;
		cdenied += e->c_evaluated && !e->c_allowed;
	}
	for (i = 0; i < r->er.nsilent; i++)
		silent += (size_t)peer_in_scope(r, r->er.silent[i]);
	for (i = 0; i < r->ncmp; i++)
		counts[r->cmp[i].change]++;
	fputs("# flowpol report\n\n", f);
	fprintf(f, "Learned period: %s", fp_period_format(r->since, r->until,
	    per));
	if (r->model_at > 0) {
		fputs("; traffic learned up to ", f);
		md_time(f, r->model_at);
	} else {
		fputs("; no traffic learned yet", f);
	}
	fputs(". Every count below is for this period.", f);
	if (r->o->have_now) {
		fputs(" Report time ", f);
		md_time(f, r->o->now);
		fputs(".", f);
	}
	if (r->o->nnamespaces > 0) {
		fputs(" Namespaces: ", f);
		for (i = 0; i < r->o->nnamespaces; i++) {
			fputs(i ? ", " : "", f);
			md(f, r->o->namespaces[i]);
		}
		fputs(" (edges with an end there).", f);
	}
	fputs("\n\n## Summary\n\n| | |\n|---|---|\n", f);
	fprintf(f, "| Workloads | %zu (%lld pods) |\n", nwl, npods);
	fprintf(f, "| Namespaces | %zu |\n", nns);
	fprintf(f, "| Edges | %zu |\n", r->nedges);
	fprintf(f, "| Policies | %zu files: %zu layers, %zu learned |\n",
	    r->er.ndocs, r->er.ndocs - count_learned(r), count_learned(r));
	if (r->o->have_since) {
		fputs("| New edges since ", f);
		md_time(f, r->o->since);
		fprintf(f, " | %zu |\n", r->nnew);
	}
	fputs("| Last new edge | ", f);
	if (lastnew > 0) {
		md_time(f, lastnew);
		fputs(" (", f);
		md_duration(f, r->now - lastnew);
		fputs(" ago) |\n", f);
	} else {
		fputs("none |\n", f);
	}
	fprintf(f, "| Workloads never seen talking | %zu |\n", silent);
	fprintf(f, "| Edges the generated policies would not allow | %zu |\n",
	    denied);
	fprintf(f, "| Edges no generated policy governs | %zu |\n", ungoverned);
	if (dns_row(r) < 0)
		return -1;
	if (r->o->policies != NULL) {
		fputs("| Compared with ", f);
		md(f, r->o->policies);
		fprintf(f, " | %zu added, %zu changed, %zu unchanged, %zu "
		    "removed |\n", counts[EMIT_ADDED], counts[EMIT_CHANGED] +
		    counts[EMIT_CLASH], counts[EMIT_UNCHANGED],
		    counts[EMIT_REMOVED]);
		if (r->cerr != NULL) {
			fputs("| Observed edges the committed policies deny | not "
			    "judged: ", f);
			md(f, r->cerr);
			fputs(" |\n", f);
		} else {
			fprintf(f, "| Observed edges the committed policies deny | "
			    "%zu |\n", cdenied);
		}
		list_isolated(r);
		if (list_widened(r) < 0)
			return -1;
		list_committed_denied(r, cdenied);
	}
	list_silent(r, silent);
	return list_lbs(r);
}

/* --since: the edges first seen since then, and those quiet since then. */
static int
sec_since(struct rep *r)
{
	FILE *f = r->f;
	size_t i, quiet = 0;

	if (!r->o->have_since)
		return 0;
	fputs("\n## New since ", f);
	md_time(f, r->o->since);
	fputs("\n\n", f);
	if (r->nnew == 0) {
		fputs("Nothing new: no edge was first seen since then.\n", f);
	} else {
		fputs(edge_head, f);
		for (i = 0; i < r->nedges; i++)
			if (r->edges[i].is_new) {
				edge_row(f, r, &r->edges[i]);
				putc('\n', f);
			}
	}
	for (i = 0; i < r->nedges; i++)
		quiet += r->edges[i].last < r->o->since;
	if (quiet > 0) {
		fputs("\nEdges not seen since then (their allows may be "
		    "stale):\n\n", f);
		fputs(edge_head, f);
		for (i = 0; i < r->nedges; i++)
			if (r->edges[i].last < r->o->since) {
				edge_row(f, r, &r->edges[i]);
				putc('\n', f);
			}
	}
	return 0;
}

static int
sec_workloads(struct rep *r)
{
	FILE *f = r->f;
	const struct model_workload *wl;
	size_t i, n, shown = 0;

	if (model_workloads(r->m, &wl, &n) < 0)
		return fp_error_prefix("report");
	fputs("\n## Workloads\n\n", f);
	for (i = 0; i < n; i++) {
		if (!ns_in_scope(r, wl[i].ns, strlen(wl[i].ns)))
			continue;
		if (shown++ == 0)
			fputs("| Namespace | Workload | Kind | Selector | Pods |\n"
			    "|---|---|---|---|---:|\n", f);
		fputs("| ", f);
		md(f, wl[i].ns);
		fputs(" | ", f);
		md(f, wl[i].name);
		fputs(" | ", f);
		md(f, wl[i].kind);
		fputs(" | ", f);
		md(f, wl[i].selector);
		fprintf(f, " | %lld |\n", (long long)wl[i].pods);
	}
	if (shown == 0)
		fputs("No workloads learned: run `flowpol inventory` and "
		    "`flowpol learn` first.\n", f);
	return 0;
}

static int
sec_edges(struct rep *r)
{
	FILE *f = r->f;
	size_t i;

	fputs("\n## Edges\n\n", f);
	if (r->nedges == 0) {
		fputs("No edges learned.\n", f);
		return 0;
	}
	fputs("| Source | Destination | Protocol/port | Connections | First seen | "
	    "Last seen | Nodes | New |\n|---|---|---|---:|---|---|---|---|\n", f);
	for (i = 0; i < r->nedges; i++) {
		edge_row(f, r, &r->edges[i]);
		fputs(r->edges[i].is_new ? " new |\n" : " |\n", f);
	}
	return 0;
}

/* Flows per namespace: how much of the traffic learn could attribute.
 * *learned says whether learn recorded any. */
static int
coverage_flows(struct rep *r, int *learned)
{
	FILE *f = r->f;
	struct model_coverage *cov = NULL;
	long long tf = 0, tr = 0, ta = 0, tu = 0;
	size_t i, n = 0, shown = 0;

	if (model_coverage(r->m, &cov, &n) < 0)
		return fp_error_prefix("report");
	fputs("\n## Learning coverage and loss\n\n### Flows per namespace\n\n", f);
	for (i = 0; i < n; i++) {
		const struct model_coverage *c = &cov[i];

		if (!ns_in_scope(r, c->ns, strlen(c->ns)))
			continue;
		if (shown++ == 0)
			fputs("| Namespace | Flows | Resolved | Ambiguous | Unknown | "
			    "Resolved % | Last new edge |\n"
			    "|---|---:|---:|---:|---:|---:|---|\n", f);
		tf += c->flows;
		tr += c->resolved;
		ta += c->ambiguous;
		tu += c->unknown;
		fputs("| ", f);
		if (*c->ns == '\0')
			fputs("(no namespace)", f);
		else
			md(f, c->ns);
		fprintf(f, " | %lld | %lld | %lld | %lld | ", (long long)c->flows,
		    (long long)c->resolved, (long long)c->ambiguous,
		    (long long)c->unknown);
		md_percent(f, c->resolved, c->flows);
		fputs(" | ", f);
		if (!c->has_last_new_edge)
			fputs("none", f);
		else
			md_time(f, c->last_new_edge);
		fputs(" |\n", f);
	}
	if (n > 0) {
		fprintf(f, "| **all (a flow may count in two namespaces)** | %lld | "
		    "%lld | %lld | %lld | ", tf, tr, ta, tu);
		md_percent(f, tr, tf);
		fputs(" | |\n", f);
	} else {
		fputs("No coverage recorded: run `flowpol learn` first.\n", f);
	}
	*learned = n > 0;
	model_coverage_free(cov, n);
	return 0;
}

/* What each node's collector received and lost, over all its windows. */
static int
coverage_health(struct rep *r)
{
	FILE *f = r->f;
	struct model_health *h = NULL;
	size_t i, n = 0;

	if (model_health(r->m, INT64_MIN, INT64_MAX, &h, &n) < 0)
		return fp_error_prefix("report");
	fputs("\n### Collector health\n\n", f);
	for (i = 0; i < n; i++) {
		if (i == 0)
			fputs("| Node | Windows | From | To | Received | Decoded | "
			    "Malformed | Lost | Lost % | Fragments | Unsupported |\n"
			    "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|\n", f);
		fputs("| ", f);
		md(f, h[i].node);
		fprintf(f, " | %lld | ", (long long)h[i].windows);
		md_time(f, h[i].from * FP_USEC);
		fputs(" | ", f);
		md_time(f, h[i].to * FP_USEC);
		fprintf(f, " | %lld | %lld | %lld | %lld | ", (long long)h[i].received,
		    (long long)h[i].decoded, (long long)h[i].malformed,
		    (long long)h[i].lost);
		md_percent(f, h[i].lost, h[i].received + h[i].lost);
		fprintf(f, " | %lld | %lld |\n", (long long)h[i].fragments,
		    (long long)h[i].unsupported);
	}
	if (n == 0)
		fputs("No collector health recorded.\n", f);
	model_health_free(h, n);
	return 0;
}

/* Addresses learn could not attribute, the most frequent first. */
static int
coverage_unresolved(struct rep *r, int learned)
{
	FILE *f = r->f;
	struct model_unresolved *u = NULL;
	size_t i, n = 0, total = 0;
	char ipb[FP_IPSTRLEN];

	if (model_unresolved(r->m, REPORT_MAX_UNRESOLVED, &u, &n, &total) < 0)
		return fp_error_prefix("report");
	fputs("\n### Unresolved addresses\n\n", f);
	for (i = 0; i < n; i++) {
		if (i == 0)
			fputs("| Address | Reason | Flows | First seen | Last seen |\n"
			    "|---|---|---:|---|---|\n", f);
		fputs("| ", f);
		fputs(u[i].ip_ok ? fp_ip_format(&u[i].ip, ipb) : "(not an address)",
		    f);
		fputs(" | ", f);
		md(f, u[i].reason);
		fprintf(f, " | %lld | ", (long long)u[i].flows);
		md_time(f, u[i].first_seen);
		fputs(" | ", f);
		md_time(f, u[i].last_seen);
		fputs(" |\n", f);
	}
	if (total > REPORT_MAX_UNRESOLVED)
		fprintf(f, "\n... and %zu more addresses.\n",
		    total - REPORT_MAX_UNRESOLVED);
	if (total == 0)
		fputs(learned ? "None: every flow's addresses were resolved.\n" :
		    "None recorded.\n", f);
	model_unresolved_free(u, n);
	return 0;
}

/* Workloads learn merged from several controllers, or selects inexactly. */
static int
coverage_inexact(struct rep *r)
{
	FILE *f = r->f;
	const struct model_workload *wl;
	size_t i, n, rows = 0;
	int merged;

	if (model_workloads(r->m, &wl, &n) < 0)
		return fp_error_prefix("report");
	fputs("\n### Merged or inexact workloads\n\n", f);
	for (i = 0; i < n; i++) {
		merged = strchr(wl[i].members, ',') != NULL;
		if (wl[i].exact && !merged)
			continue;
		if (rows++ == 0)
			fputs("| Workload | Controllers | Note |\n|---|---|---|\n", f);
		fputs("| ", f);
		md(f, wl[i].ns);
		fputs("/", f);
		md(f, wl[i].name);
		fputs(" | ", f);
		md(f, wl[i].members);
		fputs(" | ", f);
		if (merged)
			fputs("merged: no label set tells these controllers apart", f);
		if (merged && !wl[i].exact)
			fputs("; ", f);
		if (!wl[i].exact)
			fputs("inexact: its selector also matches pods of another "
			    "workload", f);
		fputs(" |\n", f);
	}
	if (rows == 0)
		fputs("None: every workload is one controller, selected exactly.\n", f);
	return 0;
}

static int
sec_coverage(struct rep *r)
{
	int learned = 0;

	if (coverage_flows(r, &learned) < 0 || coverage_health(r) < 0 ||
	    coverage_unresolved(r, learned) < 0 || coverage_inexact(r) < 0)
		return -1;
	return 0;
}

/*
 * Invert the peers' bindings (the policies each one's endpoints are bound
 * to) into the peers each policy selects, in peer order: one pass over the
 * bindings instead of every policy asking every peer. 0 or -1 (memory).
 */
static int
index_selected(struct rep *r)
{
	size_t np = r->ps.n_policies, i, j, k, pidx, *last, *fill;
	int pass;

	r->sel_start = calloc(np + 2, sizeof(size_t));
	last = calloc(np + 1, sizeof(size_t));
	fill = calloc(np + 1, sizeof(size_t));
	if (r->sel_start == NULL || last == NULL || fill == NULL)
		goto oom;
	for (pass = 0; pass < 2; pass++) {
		memset(last, 0, (np + 1) * sizeof(size_t));
		for (i = 0; i < r->npeers; i++) {
			const struct peer *p = &r->peers[i];

			if (!p->ok || p->p.mp.kind != MODEL_PEER_WORKLOAD)
				continue;
			for (j = 0; j < p->p.nstates; j++) {
				const struct pe_endpoint *ep =
				    &p->p.states[j].ep;

				if (ep->kind != PE_EP_POD ||
				    ep->bound != &r->ps)
					continue;
				for (k = 0; k < ep->n_bound; k++) {
					pidx = r->ps.c_order[
					    ep->bound_ranks[k]];
					if (last[pidx] == i + 1)
						continue; /* seen */
					last[pidx] = i + 1;
					if (pass == 0)
						r->sel_start[pidx + 1]++;
					else
						r->sel_peer[r->sel_start[pidx] +
						    fill[pidx]++] = i;
				}
			}
		}
		if (pass == 1)
			break;
		for (pidx = 0; pidx < np; pidx++)
			r->sel_start[pidx + 1] += r->sel_start[pidx];
		if ((r->sel_peer = malloc((r->sel_start[np] + 1) *
		    sizeof(size_t))) == NULL)
			goto oom;
	}
	free(last);
	free(fill);
	return 0;
oom:
	free(last);
	free(fill);
	free(r->sel_start);
	r->sel_start = NULL;
	return fp_error("report: out of memory");
}

/* The workloads (peers with an endpoint) a policy applies to. */
static int
policy_selects(struct rep *r, size_t pidx)
{
	FILE *f = r->f;
	size_t i, n = 0;

	if (r->sel_start == NULL && index_selected(r) < 0)
		return -1;
	fputs("Selects (of the learned workloads): ", f);
	for (i = r->sel_start[pidx]; i < r->sel_start[pidx + 1]; i++) {
		fputs(n++ ? ", " : "", f);
		md(f, r->peers[r->sel_peer[i]].p.text);
	}
	fputs(n ? ".\n" : "none.\n", f);
	return 0;
}

static int
hit_cmp(const void *a, const void *b)
{
	const struct rule_hit *x = a, *y = b;

	if (x->pol != y->pol)
		return x->pol < y->pol ? -1 : 1;
	if (x->ingress != y->ingress)
		return x->ingress < y->ingress ? -1 : 1;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	if (x->edge != y->edge)
		return x->edge < y->edge ? -1 : 1;
	return 0;
}

/*
 * Index the rule that decided each evaluated edge, per direction, so that
 * listing a rule's edges costs its own edges rather than a pass over all.
 */
static int
index_hits(struct rep *r)
{
	size_t i, d;

	free(r->hits);
	r->nhits = 0;
	if ((r->hits = calloc(2 * r->nedges + 1, sizeof(*r->hits))) == NULL)
		return fp_error("report: out of memory");
	for (i = 0; i < r->nedges; i++) {
		const struct redge *e = &r->edges[i];

		if (!e->evaluated)
			continue;
		for (d = 0; d < 2; d++) {
			const struct rdec *dec = d ? &e->in : &e->eg;

			if (dec->why != PE_WHY_RULE || dec->pol == UINT32_MAX)
				continue;
			r->hits[r->nhits++] = (struct rule_hit){
				dec->pol, dec->rule, (uint32_t)i, (uint32_t)d };
		}
	}
	qsort(r->hits, r->nhits, sizeof(*r->hits), hit_cmp);
	return 0;
}

/* The first hit at or after (pol, ingress, rule). */
static size_t
first_hit(const struct rep *r, size_t pol, int ingress, size_t rule)
{
	struct rule_hit key = { (uint32_t)pol, (uint32_t)rule, 0,
	    (uint32_t)ingress };
	size_t lo = 0, hi = r->nhits;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (hit_cmp(&r->hits[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
rule_edges(struct rep *r, size_t pidx, int ingress, size_t k, size_t *nedges,
    const char *const *sums, size_t nsums)
{
	FILE *f = r->f;
	const struct pe_policy *pol = &r->ps.policies[pidx];
	size_t i, n = 0, place = ingress ? k : pol->n_ingress + k;
	char *sum = NULL, *fmt = NULL;

	if (place < nsums && (sum = strndup(sums[place],
	    (size_t)(strchr(sums[place], '\n') - sums[place]))) == NULL)
		return fp_error("report: out of memory");

	if (sum == NULL)
		fmt = pe_rule_format(ingress ? &pol->ingress[k] : &pol->egress[k]);
	fprintf(f, "| %s %zu: ", ingress ? "ingress" : "egress", k + 1);
	if (sum != NULL) {
		/* the summary repeats the direction already given */
		const char *t = sum;

		if (strncmp(t, "ingress ", 8) == 0)
			t += 8;
		else if (strncmp(t, "egress ", 7) == 0)
			t += 7;
		md(f, t);
	} else {
		md(f, fmt != NULL ? fmt : "?");
	}
	fputs(" | ", f);
	for (i = first_hit(r, pidx, ingress, k); i < r->nhits &&
	    r->hits[i].pol == pidx && r->hits[i].ingress == (uint32_t)ingress &&
	    r->hits[i].rule == k; i++) {
		const struct redge *e = &r->edges[r->hits[i].edge];

		if (n++ > 0)
			fputs("|   | ", f);
		edge_label(f, r, e);
		edge_evidence(f, r, e);
		putc('\n', f);
	}
	if (n == 0)
		fputs("no learned edge | | | | |\n", f);
	*nedges += n;
	free(sum);
	free(fmt);
	return 0;
}

/*
 * Whether a generated policy selects a workload of the --namespace set:
 * the peers it selects, from the index (pe_endpoint_applies answers with
 * the policy's types, so one without types selects none).
 */
static int
doc_in_scope(struct rep *r, size_t d, int *in)
{
	size_t i, pidx;

	*in = 0;
	if (doc_policy(r, d, &pidx) == NULL ||
	    r->ps.policies[pidx].c_types == 0)
		return 0;
	if (r->sel_start == NULL && index_selected(r) < 0)
		return -1;
	for (i = r->sel_start[pidx]; i < r->sel_start[pidx + 1] && !*in; i++)
		*in = peer_in_scope(r, r->peers[r->sel_peer[i]].p.text);
	return 0;
}

static int
sec_policies(struct rep *r)
{
	FILE *f = r->f;
	size_t d, pidx, k, n;
	const struct pe_policy *pol;
	const char **sums;
	int64_t nsums;
	int ret = 0;
	char *about;

	fputs("\n## Policies and their evidence\n\n", f);
	if (index_hits(r) < 0)
		return -1;
	fprintf(f, "What `flowpol emit` writes with its default options: %zu "
	    "files. Each rule lists the learned edges it allows (the first "
	    "rule that matches an edge on that side, as Calico evaluates "
	    "the set).\n", r->er.ndocs);
	for (d = 0; d < r->er.ndocs; d++) {
		const struct emit_doc *doc = &r->er.docs[d];
		int in = 1;

		if (r->o->nnamespaces > 0 &&
		    doc->order_centi >= EMIT_ORDER_LEARNED &&
		    doc_in_scope(r, d, &in) < 0)
			return -1;
		if (!in)
			continue;
		fputs("\n### ", f);
		md(f, doc->name);
		fputs("\n\nFile ", f);
		md(f, doc->file);
		fputs(", ", f);
		md(f, doc->kind);
		fputs(doc->order_centi < EMIT_ORDER_LEARNED ? ", a layer" : ", learned", f);
		if ((about = doc_about(doc)) != NULL) {
			fputs(": ", f);
			md(f, about);
			free(about);
		}
		fputs(".\n", f);
		if ((pol = doc_policy(r, d, &pidx)) == NULL)
			continue;
		if (policy_selects(r, pidx) < 0)
			return -1;
		if (pol->n_ingress + pol->n_egress == 0) {
			fputs("No rules: what no other policy allows is dropped for "
			    "these pods", f);
			fputs(pol->types == (PE_TYPE_INGRESS | PE_TYPE_EGRESS) ?
			    " (ingress and egress).\n" : ".\n", f);
			continue;
		}
		n = 0;
		fputs("\n| Rule | Edge | Connections | First seen | Last seen | "
		    "Nodes |\n|---|---|---:|---|---|---|\n", f);
		if ((nsums = rule_summaries(doc, &sums)) < 0)
			return -1;
		for (k = 0; k < pol->n_ingress && ret == 0; k++)
			ret = rule_edges(r, pidx, 1, k, &n, sums, (size_t)nsums);
		for (k = 0; k < pol->n_egress && ret == 0; k++)
			ret = rule_edges(r, pidx, 0, k, &n, sums, (size_t)nsums);
		free(sums);
		if (ret < 0)
			return -1;
	}
	return 0;
}

static void
decision_text(FILE *f, const struct rep *r, const struct rdec *d)
{
	switch ((enum pe_why)d->why) {
	case PE_WHY_RULE:
		fputs(d->allowed ? "allowed by " : "denied by ", f);
		md(f, r->ps.policies[d->pol].name);
		fprintf(f, " rule %zu", (size_t)d->rule + 1);
		break;
	case PE_WHY_END_OF_TIER:
		fputs("denied: no rule matches", f);
		break;
	case PE_WHY_PROFILE:
		fputs("no policy applies", f);
		break;
	case PE_WHY_NO_ENDPOINT:
		fputs("not a pod", f);
		break;
	case PE_WHY_HOST_LOCAL:
		fputs("from the pod's own node: not policed by Calico", f);
		break;
	}
}

static int
sec_unallowed(struct rep *r)
{
	FILE *f = r->f;
	size_t i, n = 0, m = 0;

	for (i = 0; i < r->nedges; i++) {
		const struct redge *e = &r->edges[i];

		if (e->evaluated && e->allowed)
			continue;
		if (n++ == 0)
			fputs("\n## Edges the generated policies would not allow\n\n"
			    "| Edge | Connections | Why |\n|---|---:|---|\n", f);
		fputs("| ", f);
		edge_label(f, r, e);
		fprintf(f, " | %lld | ", e->conns);
		if (!e->evaluated) {
			edge_why(f, r, e);
		} else {
			fputs("egress: ", f);
			decision_text(f, r, &e->eg);
			fputs("; ingress: ", f);
			decision_text(f, r, &e->in);
		}
		fputs(" |\n", f);
	}
	for (i = 0; i < r->nedges; i++) {
		const struct redge *e = &r->edges[i];

		if (!e->evaluated || !e->allowed ||
		    e->eg.why == PE_WHY_RULE || e->in.why == PE_WHY_RULE)
			continue;
		if (m++ == 0)
			fputs("\n## Edges no generated policy governs\n\nBoth ends are "
			    "in exempt namespaces or are not pods; Calico's defaults "
			    "decide.\n\n| Edge | Connections |\n|---|---:|\n", f);
		fputs("| ", f);
		edge_label(f, r, e);
		fprintf(f, " | %lld |\n", e->conns);
	}
	if (r->er.nnotes > 0) {
		fputs("\n## Emitter notes\n\n", f);
		for (i = 0; i < r->er.nnotes; i++) {
			fputs("- ", f);
			md(f, r->er.notes[i]);
			putc('\n', f);
		}
	}
	return 0;
}

/* --- comparison with committed files ------------------------------------- */

static const char *const cmp_status[] = {
	[EMIT_UNCHANGED] = "unchanged",
	[EMIT_ADDED] = "added",
	[EMIT_CHANGED] = "changed",
	[EMIT_REMOVED] = "removed",
	[EMIT_CLASH] = ("changed (the committed file was not written by "
	    "flowpol: emit refuses to overwrite it)"),
	[EMIT_FOREIGN] = "not generated by flowpol (left alone)",
};

/*
 * Whether the committed set is the generated one: every file compared is
 * unchanged (byte for byte), every generated document has its file, and
 * the policy reader would read nothing else there (no subdirectory, link,
 * .json file or other entry it might follow or read). Then each edge's
 * committed verdict is its generated one and the set is not read again:
 * the common case of a report with no drift costs one evaluation, not two.
 */
static int
committed_is_generated(const struct rep *r)
{
	const char *dir = r->o->policies;
	struct dirent *de;
	struct stat sb;
	size_t i, nyaml = 0;
	DIR *d;
	int fd, same = 1;

	if (r->ncmp != r->er.ndocs)
		return 0;
	for (i = 0; i < r->ncmp; i++)
		if (r->cmp[i].change != EMIT_UNCHANGED)
			return 0;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	while (same && (de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;	/* the reader skips these too */
		if (fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(sb.st_mode) ||
		    (n > 5 && strcmp(de->d_name + n - 5, ".json") == 0))
			same = 0;
		else if (emit_is_yaml_name(de->d_name))
			nyaml++;
	}
	closedir(d);
	return same && nyaml == r->ncmp;
}

/*
 * The documents' text after the comparison: only their header comments
 * (rule summaries, what each is for) are printed, so the YAML bodies, as
 * large as the policy directory, are not held through the evaluation.
 */
static void
trim_doc_texts(struct rep *r)
{
	size_t i;

	for (i = 0; i < r->er.ndocs; i++) {
		struct emit_doc *d = &r->er.docs[i];
		const char *p = d->text, *nl;
		char *t;
		size_t keep;

		while (*p == '#' && (nl = strchr(p, '\n')) != NULL)
			p = nl + 1;
		keep = (size_t)(p - d->text);
		/* doc_about reads the second line, whatever the first is */
		if ((nl = strchr(d->text, '\n')) != NULL &&
		    (nl = strchr(nl + 1, '\n')) != NULL &&
		    (size_t)(nl + 1 - d->text) > keep)
			keep = (size_t)(nl + 1 - d->text);
		if (keep >= d->len)
			continue;
		d->text[keep] = '\0';
		d->len = keep;
		if ((t = realloc(d->text, keep + 1)) != NULL)
			d->text = t;
	}
}

/*
 * The committed directory (--policies, the last merged pull request): what
 * emit would change there, and the committed policies read and prepared so
 * that every edge can be judged by them too. Nothing of this lives in the
 * database, so a report works on a fresh or read-only one.
 */
static int
load_committed(struct rep *r)
{
	const char *dir = r->o->policies;
	struct stat sb;

	if (stat(dir, &sb) < 0)
		return fp_error("report: --policies '%s': %s", fp_clamp(dir, 256),
		    strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return fp_error("report: --policies '%s': not a directory",
		    fp_clamp(dir, 256));
	if (emit_compare(&r->er, dir, &r->cmp, &r->ncmp) < 0)
		return fp_error_prefix("report: --policies");
	if ((r->c_same = committed_is_generated(r)) != 0)
		return 0;
	/*
	 * Committed files Calico would take but the engine cannot (a name
	 * defined twice, ...) still get their file comparison: the summary
	 * says why the edges were not judged by them.
	 */
	if (pe_read_path(&r->cps, dir) < 0 ||
	    pe_policyset_prepare(&r->cps, PE_TYPES_API) < 0) {
		if ((r->cerr = strdup(fp_errmsg())) == NULL)
			return fp_error("report: out of memory");
		fp_error_clear();
	}
	return 0;
}

/* Bind again to ps the peers' endpoints rv_peer_load bound (evaluation
 * visits only the policies that apply to them). 0 or -1. */
static int
bind_peers(struct rep *r, const struct pe_policyset *ps)
{
	size_t i, j;

	for (i = 0; i < r->npeers; i++) {
		struct peer *p = &r->peers[i];

		if (!p->ok)
			continue;
		for (j = 0; j < p->p.nstates; j++) {
			struct pe_endpoint *ep = &p->p.states[j].ep;

			/* those rv_peer_load bound */
			if (ep->bound != NULL && pe_endpoint_bind(ep, ps) < 0)
				return fp_error("report: out of memory");
		}
	}
	return 0;
}

/*
 * Every evaluated edge judged by the committed set as well. The peers are
 * bound to it for the pass (else each edge would try every committed
 * policy's selector: edges times policies), then back to the generated set
 * the sections ask about.
 */
static int
evaluate_committed(struct rep *r)
{
	size_t i;

	if (!r->c_same && bind_peers(r, &r->cps) < 0)
		return -1;

	for (i = 0; i < r->nedges; i++) {
		struct redge *e = &r->edges[i];
		const struct peer *a, *b;
		struct rv_eval ev;

		if (!e->evaluated)
			continue;
		if (r->c_same) {
			e->c_eg_allowed = e->eg.allowed;
			e->c_in_allowed = e->in.allowed;
			e->c_allowed = e->allowed;
			e->c_evaluated = 1;
			continue;
		}
		a = &r->peers[e->src];
		b = &r->peers[e->dst];
		rv_eval_edge(&r->cps, &a->p, &b->p, e->proto, e->port, 0, NULL,
		    NULL, &ev);
		e->c_eg_allowed = rv_dir_decision(&ev.eg)->allowed != 0;
		e->c_in_allowed = rv_dir_decision(&ev.in)->allowed != 0;
		e->c_allowed = ev.eg.denied == 0 && ev.in.denied == 0;
		e->c_evaluated = 1;
	}
	return r->c_same ? 0 : bind_peers(r, &r->ps);
}

static int
sec_compare(struct rep *r)
{
	FILE *f = r->f;
	size_t i, counts[EMIT_FOREIGN + 1] = { 0 };

	fputs("\n## Compared with ", f);
	md(f, r->o->policies);
	fputs("\n\n| File | Status |\n|---|---|\n", f);
	for (i = 0; i < r->ncmp; i++) {
		fputs("| ", f);
		md(f, r->cmp[i].file);
		fprintf(f, " | %s |\n", cmp_status[r->cmp[i].change]);
		counts[r->cmp[i].change]++;
	}
	fprintf(f, "\n%zu added, %zu changed, %zu unchanged, %zu removed.\n",
	    counts[EMIT_ADDED], counts[EMIT_CHANGED] + counts[EMIT_CLASH],
	    counts[EMIT_UNCHANGED], counts[EMIT_REMOVED]);
	return 0;
}

/* --- the whole report ----------------------------------------------------- */

static void
rep_release(struct rep *r)
{
	size_t i;

	free(r->edges);
	strtab_free(&r->names);
	strtab_free(&r->nodes);
	for (i = 0; i < r->npeers; i++) {
		free(r->peers[i].err);
		rv_peer_release(&r->peers[i].p);
	}
	free(r->peers);
	emit_result_free(&r->er);
	pe_policyset_release(&r->ps);
	free(r->doc_of);
	free(r->pol_of);
	free(r->sel_start);
	free(r->sel_peer);
	free(r->hits);
	pe_policyset_release(&r->cps);
	emit_cmp_free(r->cmp, r->ncmp);
	free(r->cerr);
	model_free(r->m);
}

/* The details file, opened for writing (never through a link). */
static FILE *
open_details(const char *path)
{
	int fd;
	FILE *f;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		fp_error("report: --details '%s': %s", fp_clamp(path, 256),
		    strerror(errno));
		return NULL;
	}
	return f;
}

/*
 * Without --details the details only go inline when they fit a body: the
 * stream keeps the first REPORT_BODY_MAX bytes and counts the rest, so a
 * large cluster's details (a GiB at 150,000 pods) are never held.
 */
struct capped {
	char *buf;
	size_t len;		/* bytes kept */
	size_t total;		/* bytes written */
};

static ssize_t
capped_write(void *c, const char *p, size_t n)
{
	struct capped *k = c;

	if (k->len + n <= REPORT_BODY_MAX) {
		memcpy(k->buf + k->len, p, n);
		k->len += n;
	}
	k->total += n;
	return (ssize_t)n;
}

int
report_write(struct store *st, const struct report_opts *o, FILE *out)
{
	struct rep r;
	struct capped cap;
	char *sbuf = NULL;
	size_t slen = 0, dlen;
	FILE *sf = NULL, *df = NULL;
	const char *base;
	int ret = -1;

	memset(&r, 0, sizeof(r));
	memset(&cap, 0, sizeof(cap));
	r.st = st;
	r.o = o;
	r.now = o->have_now ? o->now : fp_now_us();
	if (model_open(&r.m, st) < 0 ||
	    store_learned_period(st, &r.since, &r.until) < 0 ||
	    build_policies(&r) < 0 ||
	    (o->policies != NULL && load_committed(&r) < 0))
		goto out;
	/*
	 * The edges after the set: building it (the emitter's peak) is done
	 * and freed before they take their memory, so the two never add up.
	 */
	trim_doc_texts(&r);
	if (load_edges(&r) < 0 || load_peers(&r) < 0 || evaluate_edges(&r) < 0)
		goto out;
	mark_new(&r);
	if (o->policies != NULL && r.cerr == NULL &&
	    evaluate_committed(&r) < 0)
		goto out;
	if ((sf = open_memstream(&sbuf, &slen)) == NULL) {
		fp_error("report: out of memory");
		goto out;
	}
	r.f = sf;
	if (sec_summary(&r) < 0)
		goto out;
	/* the details stream to their file, or are capped and counted */
	if (o->details != NULL) {
		if ((df = open_details(o->details)) == NULL)
			goto out;
	} else {
		cookie_io_functions_t io = { NULL, capped_write, NULL, NULL };

		if ((cap.buf = malloc(REPORT_BODY_MAX)) == NULL ||
		    (df = fopencookie(&cap, "w", io)) == NULL) {
			fp_error("report: out of memory");
			goto out;
		}
	}
	r.f = df;
	if (sec_since(&r) < 0 || sec_workloads(&r) < 0 || sec_edges(&r) < 0 ||
	    sec_coverage(&r) < 0 || sec_policies(&r) < 0 ||
	    sec_unallowed(&r) < 0 || (o->policies != NULL && sec_compare(&r) < 0))
		goto out;
	if (fclose(df) != 0) {
		df = NULL;
		if (o->details != NULL)
			fp_error("report: --details '%s': %s",
			    fp_clamp(o->details, 256), strerror(errno));
		else
			fp_error("report: out of memory");
		goto out;
	}
	df = NULL;
	dlen = cap.total;
	/*
	 * The summary goes in the pull request's body; the long tables go to
	 * --details FILE (linked), or inline in <details> when the whole still
	 * fits a body, else the summary says how to get them.
	 */
	if (o->details != NULL) {
		base = strrchr(o->details, '/');
		base = base ? base + 1 : o->details;
		fputs("\nThe details (workloads, edges, learning coverage and loss, "
		    "the evidence behind every policy) are in [", sf);
		md(sf, base);
		fputs("](", sf);
		md(sf, base);
		fputs(").\n", sf);
	} else if (fflush(sf) == 0 && slen + dlen + 200 <= REPORT_BODY_MAX) {
		fputs("\n<details>\n<summary>Details: workloads, edges, learning "
		    "coverage and loss, the evidence behind every policy</summary>\n",
		    sf);
		fwrite(cap.buf, 1, dlen, sf);
		fputs("\n</details>\n", sf);
	} else {
		fprintf(sf, "\nThe details (%zu characters) do not fit a pull "
		    "request body: write them to a file next to it with "
		    "`--details FILE`.\n", dlen);
	}
	if (fclose(sf) != 0) {
		sf = NULL;
		fp_error("report: out of memory");
		goto out;
	}
	sf = NULL;
	if (fwrite(sbuf, 1, slen, out) != slen || fflush(out) != 0) {
		fp_error("report: writing the report: %s", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (sf != NULL)
		fclose(sf);
	if (df != NULL)
		fclose(df);
	free(sbuf);
	free(cap.buf);
	rep_release(&r);
	return ret;
}

/* --- the command ---------------------------------------------------------- */

static const char report_usage[] =
    "usage: flowpol report [--db PATH] [--policies DIR] [--details FILE]\n"
    "                      [-n NS]... [-A] [--since T] [--now T] [-o markdown]\n"
    "                      [--calico-version 3.28..3.33]\n"
    "\n"
    "Write Markdown for a pull-request description. The summary (always\n"
    "under 60,000 characters) gives the learned period and counts; with\n"
    "--policies, what changes against the committed directory (the last\n"
    "merged pull request): files added/changed/removed, workloads newly\n"
    "isolated or widened, observed edges the committed policies deny; and\n"
    "the workloads never seen talking. The details (workloads, edges,\n"
    "coverage and loss, the edges behind every rule of every policy\n"
    "`flowpol emit` writes by default) follow in <details> when everything\n"
    "fits a pull-request body, else go to --details FILE. Nothing is kept\n"
    "in the database: the database is only read.\n"
    "\n"
    "  --db PATH        the store (default $FLOWPOL_DB, else ./flowpol.db)\n"
    "  --policies DIR   the committed policy files to compare with\n"
    "  --details FILE   write the details to FILE and link it\n"
    "  -n, --namespace NS  only edges with an end in NS, its workloads and\n"
    "                   their policies (repeatable)\n"
    "  -A, --all-namespaces  every namespace (the default)\n"
    "  --since T        list the edges first seen at or after T (RFC 3339,\n"
    "                   @SECONDS or a duration before --now: 2h, 14d), and\n"
    "                   those quiet since T\n"
    "  --now T          the time that \"ago\" is measured from (default: the\n"
    "                   clock); also printed, so that runs compare equal\n"
    "  --no-record      accepted for older scripts: nothing is recorded\n"
    "  -o, --output markdown  the only format; --format is an alias\n"
    "  --calico-version V  the Calico release emit writes for (default:\n"
    "                   what the files in --policies record, else 3.33)\n";

int
cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "policies", required_argument, NULL, 'p' },
		{ "details", required_argument, NULL, 'D' },
		{ "namespace", required_argument, NULL, 'S' },
		{ "all-namespaces", no_argument, NULL, 'A' },
		{ "since", required_argument, NULL, 's' },
		{ "now", required_argument, NULL, 'T' },
		{ "no-record", no_argument, NULL, 'N' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'o' },
		{ "calico-version", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct report_opts o;
	struct fp_nsfilter ns;
	struct store *st = NULL;
	const char *db = NULL, *since = NULL, *now = NULL;
	int c, ret = FP_EXIT_ERR;

	memset(&o, 0, sizeof(o));
	memset(&ns, 0, sizeof(ns));
	while ((c = fp_getopt(argc, argv, ":hn:Ao:", longopts)) != -1) {
		switch (c) {
		case 'o': {
			enum fp_format fmt;

			if (fp_cli_format(optarg, "markdown", &fmt) < 0)
				return fp_cli_usage_error("report", report_usage, "%s",
				    fp_errmsg());
			break;
		}
		case 'n':
		case 'S':
			if (fp_ns_add(&ns, optarg) < 0)
				return fp_cli_usage_error("report", report_usage, "%s",
				    fp_errmsg());
			break;
		case 'A':
			ns.n = 0;
			break;
		case 'd':
			db = optarg;
			break;
		case 'p':
			o.policies = optarg;
			break;
		case 'D':
			o.details = optarg;
			break;
		case 's':
			since = optarg;
			break;
		case 'T':
			now = optarg;
			break;
		case 'N':
			break;	/* nothing is ever recorded now */
		case 'V':
			if (pe_calver_parse(optarg, &o.calico_version) < 0) {
				fp_error_prefix("report: --calico-version");
				return fp_report();
			}
			break;
		case 'h':
			return fp_cli_help(report_usage);
		default:
			return fp_cli_bad_option("report", report_usage, longopts,
			    argv);
		}
	}
	o.namespaces = ns.ns;
	o.nnamespaces = ns.n;
	if (optind < argc)
		return fp_cli_usage_error("report", report_usage,
		    "unexpected argument '%s'", fp_clamp(argv[optind], 64));
	if (o.policies != NULL && *o.policies == '\0')
		return fp_cli_usage_error("report", report_usage,
		    "--policies: empty path");
	if (o.details != NULL && *o.details == '\0')
		return fp_cli_usage_error("report", report_usage,
		    "--details: empty path");
	/* --now first: "--since -1h" is relative to it */
	if (now != NULL) {
		if (fp_time_parse(now, &o.now) < 0) {
			fp_error_prefix("--now");
			return fp_cli_usage_error("report", report_usage, "%s",
			    fp_errmsg());
		}
		o.have_now = 1;
	}
	if (since != NULL) {
		if (fp_time_parse_rel(since, o.have_now ? o.now : fp_now_us(),
		    &o.since) < 0) {
			fp_error_prefix("--since");
			return fp_cli_usage_error("report", report_usage, "%s",
			    fp_errmsg());
		}
		o.have_since = 1;
	}
	if (db == NULL)
		db = store_default_path();
	if (store_open(&st, db, STORE_READONLY) < 0 ||
	    report_write(st, &o, stdout) < 0) {
		ret = fp_report();
		goto out;
	}
	ret = FP_EXIT_OK;
out:
	store_free(st);
	return ret;
}
