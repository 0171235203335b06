#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/err.h"
#include "common/fileio.h"
#include "common/hash.h"
#include "common/ipaddr.h"
#include "common/out.h"
#include "common/proto.h"
#include "store/model.h"
#include "store/store.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "emitter/emit.h"
#include "review/diff.h"
#include "review/peers.h"
#include "policy/evaluate.h"
#include "policy/reader.h"
#include "common/banned.h"

/* --- the model: peers and edges --------------------------------------- */

/*
 * One side of an edge: review/peers.h models it (a workload is every
 * distinct namespace, service account and label set of its pods, with all
 * their addresses), as report does, so both judge an edge alike.
 */
/* What one direction of an edge came to, over every combination. */
struct d_dir {
	size_t denied;			/* combinations denied */
	const struct pe_decision *first;/* the first denied one; NULL when
					   none was */
};

/*
 * An edge that reaches the output: checked (last seen since --since) and
 * denied, left out or unattributed. The others are evaluated as they
 * stream past and only counted.
 */
struct d_edge {
	const char *src, *dst;		/* the peers' text (r->peers) */
	char *nodes;
	int proto, port;
	int64_t conns, first, last;
	size_t si, di;			/* into peers */
	int unattributed;		/* an unknown: peer, or no pods */
	int left_out;			/* denied only where emit --strict
					   writes no policy */
	size_t combos;
	struct d_dir eg, in;
	struct pe_decision *dec;	/* [0] egress, [1] ingress; malloc'd
					   when a direction was denied */
};

/* An edge denied at one workload, for grouping. */
struct d_group_ent {
	size_t peer;			/* the workload */
	int ingress;
	size_t edge;
};

struct d_stale {
	const struct pe_policy *p;
	int ingress;
	size_t rule;
};

enum d_change { DC_ADDED, DC_CHANGED, DC_REMOVED };

struct d_prop {
	char *file;
	enum d_change change;
	size_t plus, minus;
	char *patch;			/* unified diff; NULL when not shown */
};

struct diff_result {
	const struct pe_policyset *ps;
	struct diff_opts o;
	struct rv_peer *peers;
	size_t npeers;
	size_t *peer_ix;		/* hash of peers[].text: index + 1 */
	size_t peer_ix_cap;		/* a power of two */
	struct d_edge *edges;		/* those that reach the output */
	size_t nkept;
	size_t nedges;			/* every edge seen */
	struct d_group_ent *groups;
	size_t ngroups;
	struct d_stale *stale;
	size_t nstale;
	size_t ndenied, nunattributed, nchecked, nleft_out;
	unsigned char *strict_out;	/* per peer: --strict leaves it out */
	size_t nstaged;			/* staged policies in the set */
	int64_t lsince, luntil;		/* the learned period */
	/* proposals */
	int proposed;			/* the emitter ran */
	char *prop_error;		/* why it could not, or NULL */
	char *prop_dir;			/* where generated files were compared */
	struct d_prop *props;
	size_t nprops;
	size_t nadded, nchanged, nremoved;
};

static const char *
dir_name(int ingress)
{
	return ingress ? "ingress" : "egress";
}

static void
props_clear(struct diff_result *r)
{
	size_t i;

	for (i = 0; i < r->nprops; i++) {
		free(r->props[i].file);
		free(r->props[i].patch);
	}
	free(r->props);
	free(r->prop_dir);
	r->props = NULL;
	r->prop_dir = NULL;
	r->nprops = r->nadded = r->nchanged = r->nremoved = 0;
}

void
diff_result_free(struct diff_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->npeers; i++)
		rv_peer_release(&r->peers[i]);
	free(r->peers);
	free(r->peer_ix);
	for (i = 0; i < r->nkept; i++) {
		free(r->edges[i].nodes);
		free(r->edges[i].dec);
	}
	free(r->edges);
	free(r->groups);
	free(r->stale);
	free(r->strict_out);
	props_clear(r);
	free(r->prop_error);
	free(r);
}

size_t
diff_denied_edges(const struct diff_result *r)
{
	return r->ndenied;
}

static size_t
peer_hash(const char *text)
{
	return (size_t)fp_fnv1a64(text, strlen(text));
}

static int
peer_index_grow(struct diff_result *r)
{
	size_t cap = r->peer_ix_cap ? 2 * r->peer_ix_cap : 1024, i, h;
	size_t *ix;

	if ((ix = calloc(cap, sizeof(*ix))) == NULL)
		return fp_error("diff: out of memory");
	for (i = 0; i < r->npeers; i++) {
		for (h = peer_hash(r->peers[i].text) & (cap - 1); ix[h] != 0;
		    h = (h + 1) & (cap - 1))
			;
		ix[h] = i + 1;
	}
	free(r->peer_ix);
	r->peer_ix = ix;
	r->peer_ix_cap = cap;
	return 0;
}

/*
 * The peer named text, loaded from the model and bound to ps the first
 * time it is met (each endpoint is built once however many edges name
 * it): its index in r->peers into *out.
 */
static int
peer_get(struct model *m, const struct pe_policyset *ps,
    struct diff_result *r, const char *text, size_t *out, size_t *alloc)
{
	size_t h;

	if (2 * (r->npeers + 1) > r->peer_ix_cap && peer_index_grow(r) < 0)
		return -1;
	for (h = peer_hash(text) & (r->peer_ix_cap - 1); r->peer_ix[h] != 0;
	    h = (h + 1) & (r->peer_ix_cap - 1)) {
		if (strcmp(r->peers[r->peer_ix[h] - 1].text, text) == 0) {
			*out = r->peer_ix[h] - 1;
			return 0;
		}
	}
	if (r->npeers == *alloc) {
		size_t na = *alloc ? 2 * *alloc : 256;
		struct rv_peer *np;
		unsigned char *so;

		if ((np = realloc(r->peers, na * sizeof(*np))) == NULL)
			return fp_error("diff: out of memory");
		r->peers = np;
		if ((so = realloc(r->strict_out, na)) == NULL)
			return fp_error("diff: out of memory");
		r->strict_out = so;
		*alloc = na;
	}
	r->npeers++;
	if (rv_peer_load(m, ps, text, &r->peers[r->npeers - 1]) < 0)
		return fp_error_prefix("diff");
	/*
	 * emit --strict writes no policy for a workload whose selector also
	 * selects other workloads: its own policy denies all its traffic.
	 */
	r->strict_out[r->npeers - 1] = 0;
	if (r->o.strict) {
		const struct model_workload *w;

		w = model_workload_find(m, text);
		r->strict_out[r->npeers - 1] = w != NULL && !w->exact &&
		    !w->host_network;
	}
	r->peer_ix[h] = r->npeers;
	*out = r->npeers - 1;
	return 0;
}

/* --- evaluation -------------------------------------------------------- */

/* Per policy and direction, which Allow rules decided an observed edge. */
struct d_used {
	unsigned char *in, *eg;
};

static void
mark_used(const struct pe_policyset *ps, struct d_used *u,
    const struct pe_decision *d, int ingress)
{
	size_t pi;

	if (d->why != PE_WHY_RULE || d->action != PE_ACT_ALLOW)
		return;
	pi = (size_t)(d->policy - ps->policies);
	if (ingress)
		u[pi].in[d->rule] = 1;
	else
		u[pi].eg[d->rule] = 1;
}

struct d_mark {
	const struct pe_policyset *ps;
	struct d_used *u;
};

static void
mark_cb(const struct pe_decision *d, int ingress, void *arg)
{
	struct d_mark *mk = arg;

	mark_used(mk->ps, mk->u, d, ingress);
}

/*
 * Judge one edge as it streams past: which rules it uses (when fresh), and
 * whether it reaches the output. 1 keep it (*e filled but for nodes), 0
 * only counted.
 */
static int
eval_edge(const struct pe_policyset *ps, struct diff_result *r,
    const struct model_edge *me, struct d_edge *e, struct d_used *u,
    int staged)
{
	const struct rv_peer *s = &r->peers[e->si], *d = &r->peers[e->di];
	int fresh = me->last_seen >= r->o.now - r->o.stale_after;
	int checked = me->last_seen >= r->o.since, eg, in;
	struct d_mark mk = { ps, u };
	struct rv_eval ev, sev;

	rv_eval_edge(ps, s, d, me->proto, me->port, r->o.staged ?
	    PE_EVAL_STAGED : 0, fresh ? mark_cb : NULL, &mk, &ev);
	if (fresh && staged)
		rv_eval_edge(ps, s, d, me->proto, me->port, PE_EVAL_STAGED,
		    mark_cb, &mk, &sev);
	if (!checked)
		return 0;
	r->nchecked++;
	e->src = s->text;
	e->dst = d->text;
	e->proto = me->proto;
	e->port = me->port;
	e->conns = me->connections;
	e->first = me->first_seen;
	e->last = me->last_seen;
	e->unattributed = s->mp.kind == MODEL_PEER_UNKNOWN ||
	    d->mp.kind == MODEL_PEER_UNKNOWN || s->nstates == 0 ||
	    d->nstates == 0;
	e->combos = ev.combos;
	e->eg.denied = ev.eg.denied;
	e->in.denied = ev.in.denied;
	e->eg.first = e->in.first = NULL;
	e->left_out = 0;
	e->dec = NULL;
	if (e->unattributed) {
		r->nunattributed++;
	} else {
		/* Denied at a workload emit --strict left out: not drift. */
		eg = e->eg.denied && !r->strict_out[e->si];
		in = e->in.denied && !r->strict_out[e->di];
		e->left_out = (e->eg.denied || e->in.denied) && !eg && !in;
		if (e->left_out)
			r->nleft_out++;
		if (eg || in)
			r->ndenied++;
		else if (!e->left_out)
			return 0;	/* allowed: nothing to show */
	}
	if (e->eg.denied || e->in.denied) {
		if ((e->dec = calloc(2, sizeof(*e->dec))) == NULL)
			return fp_error("diff: out of memory");
		e->dec[0] = ev.eg.first_denied;
		e->dec[1] = ev.in.first_denied;
		e->eg.first = &e->dec[0];
		e->in.first = &e->dec[1];
	}
	return 1;
}

static int
group_cmp_r(const struct d_group_ent *a, const struct d_group_ent *b,
    const struct diff_result *r)
{
	int c = strcmp(r->peers[a->peer].text, r->peers[b->peer].text);

	if (c != 0)
		return c;
	if (a->ingress != b->ingress)
		return a->ingress - b->ingress;
	return a->edge < b->edge ? -1 : a->edge > b->edge;
}

/* qsort has no context argument; the result being sorted is one at a time. */
static const struct diff_result *sort_ctx;

static int
group_cmp(const void *a, const void *b)
{
	return group_cmp_r(a, b, sort_ctx);
}

static int
stale_cmp(const void *a, const void *b)
{
	const struct d_stale *x = a, *y = b;
	const struct pe_rule *rx = x->ingress ? &x->p->ingress[x->rule] :
	    &x->p->egress[x->rule];
	const struct pe_rule *ry = y->ingress ? &y->p->ingress[y->rule] :
	    &y->p->egress[y->rule];
	int c = strcmp(x->p->file, y->p->file);

	if (c != 0)
		return c;
	if (rx->line != ry->line)
		return rx->line < ry->line ? -1 : 1;
	if (x->ingress != y->ingress)
		return x->ingress - y->ingress;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static int
collect_stale(const struct pe_policyset *ps, struct diff_result *r,
    const struct d_used *u)
{
	size_t i, k, n = 0;
	int dir;

	for (i = 0; i < ps->n_policies; i++)
		n += ps->policies[i].n_ingress + ps->policies[i].n_egress;
	if ((r->stale = calloc(n + 1, sizeof(*r->stale))) == NULL)
		return fp_error("diff: out of memory");
	for (i = 0; i < ps->n_policies; i++) {
		const struct pe_policy *p = &ps->policies[i];

		if (!pe_policy_for_workloads(p))
			continue;	/* never meets pod traffic */
		for (dir = 0; dir < 2; dir++) {
			const struct pe_rule *rules = dir ? p->ingress : p->egress;
			size_t nr = dir ? p->n_ingress : p->n_egress;
			const unsigned char *used = dir ? u[i].in : u[i].eg;

			for (k = 0; k < nr; k++) {
				if (rules[k].action != PE_ACT_ALLOW || used[k])
					continue;
				r->stale[r->nstale].p = p;
				r->stale[r->nstale].ingress = dir;
				r->stale[r->nstale].rule = k;
				r->nstale++;
			}
		}
	}
	qsort(r->stale, r->nstale, sizeof(*r->stale), stale_cmp);
	return 0;
}

static int
add_group(struct diff_result *r, size_t peer, int ingress, size_t edge,
    size_t *alloc)
{
	if (r->ngroups == *alloc) {
		size_t na = *alloc ? 2 * *alloc : 64;
		struct d_group_ent *g;

		if ((g = realloc(r->groups, na * sizeof(*g))) == NULL)
			return fp_error("diff: out of memory");
		r->groups = g;
		*alloc = na;
	}
	r->groups[r->ngroups++] = (struct d_group_ent){ peer, ingress, edge };
	return 0;
}

/*
 * One pass over the edges in the model's order: each peer is loaded and
 * bound once, each edge evaluated as it comes; only counters, the rules
 * used and the edges the output lists are kept.
 */
static int
evaluate_all(struct model *m, struct pe_policyset *ps, struct diff_result *r)
{
	struct model_edges *it = NULL;
	struct model_edge me;
	struct d_used *u = NULL;
	size_t i, palloc = 0, ealloc = 0, galloc = 0;
	int rc, ret = -1, staged = pe_policyset_has_staged(ps);

	if ((u = calloc(ps->n_policies + 1, sizeof(*u))) == NULL)
		return fp_error("diff: out of memory");
	for (i = 0; i < ps->n_policies; i++)
		r->nstaged += pe_kind_is_staged(ps->policies[i].kind) != 0;
	for (i = 0; i < ps->n_policies; i++) {
		u[i].in = calloc(ps->policies[i].n_ingress + 1, 1);
		u[i].eg = calloc(ps->policies[i].n_egress + 1, 1);
		if (u[i].in == NULL || u[i].eg == NULL) {
			fp_error("diff: out of memory");
			goto out;
		}
	}
	if (model_edges_open(m, &it) < 0) {
		fp_error_prefix("diff");
		goto out;
	}
	while ((rc = model_edges_next(it, &me)) == 1) {
		struct d_edge *e;

		r->nedges++;
		if (r->nkept == ealloc) {
			size_t na = ealloc ? 2 * ealloc : 64;

			if ((e = realloc(r->edges, na * sizeof(*e))) == NULL) {
				fp_error("diff: out of memory");
				goto out;
			}
			r->edges = e;
			ealloc = na;
		}
		e = &r->edges[r->nkept];
		memset(e, 0, sizeof(*e));
		if (peer_get(m, ps, r, me.src.text, &e->si, &palloc) < 0 ||
		    peer_get(m, ps, r, me.dst.text, &e->di, &palloc) < 0)
			goto out;
		if ((rc = eval_edge(ps, r, &me, e, u, staged)) < 0)
			goto out;
		if (rc == 0)
			continue;
		r->nkept++;
		if ((e->nodes = strdup(me.nodes)) == NULL) {
			fp_error("diff: out of memory");
			goto out;
		}
		/* Only a pod side has a policy that can deny. */
		if (!e->unattributed && !e->left_out &&
		    ((e->eg.denied && !r->strict_out[e->si] &&
		    add_group(r, e->si, 0, r->nkept - 1, &galloc) < 0) ||
		    (e->in.denied && !r->strict_out[e->di] &&
		    add_group(r, e->di, 1, r->nkept - 1, &galloc) < 0)))
			goto out;
	}
	if (rc < 0) {
		fp_error_prefix("diff");
		goto out;
	}
	/* peers' text moves no more: the kept edges point at it */
	sort_ctx = r;
	if (r->ngroups > 1)
		qsort(r->groups, r->ngroups, sizeof(*r->groups), group_cmp);
	sort_ctx = NULL;
	ret = collect_stale(ps, r, u);
	/*
	 * Every edge is judged: the endpoints go before the proposals are
	 * built (the output needs only the peers' text), so the two never
	 * weigh at once.
	 */
	for (i = 0; i < r->npeers; i++) {
		size_t k;

		for (k = 0; k < r->peers[i].nstates; k++)
			pe_endpoint_release(&r->peers[i].states[k].ep);
		free(r->peers[i].states);
		r->peers[i].states = NULL;
		r->peers[i].nstates = 0;
	}
	free(r->peer_ix);
	r->peer_ix = NULL;
	r->peer_ix_cap = 0;
out:
	model_edges_close(it);
	for (i = 0; u != NULL && i < ps->n_policies; i++) {
		free(u[i].in);
		free(u[i].eg);
	}
	free(u);
	return ret;
}

/* --- proposals: what emit would write ---------------------------------- */

/* Whether the file starts with the emitter's mark (possibly after "---"). */
static int
generated_text(const char *buf, size_t len)
{
	size_t m = strlen(EMIT_HEADER_MARK);

	if (len >= 4 && memcmp(buf, "---\n", 4) == 0) {
		buf += 4;
		len -= 4;
	}
	return len >= m && memcmp(buf, EMIT_HEADER_MARK, m) == 0;
}

static int
generated_file(const char *path)
{
	char line[128];
	size_t n;
	FILE *f = fopen(path, "r");
	int r = 0;

	if (f == NULL)
		return 0;
	n = fread(line, 1, sizeof(line), f);
	r = generated_text(line, n);
	fclose(f);
	return r;
}

struct d_dircount {
	char *dir;
	size_t n;
};

/* Count generated files per directory under path (recursive). */
static int
scan_generated(const char *path, int depth, struct d_dircount **v, size_t *nv)
{
	DIR *d;
	struct dirent *de;
	struct stat sb;
	char *sub = NULL;
	size_t here = 0;
	int ret = -1;

	if (depth > 32)
		return 0;
	if ((d = opendir(path)) == NULL)
		return fp_error("diff: '%s': %s", fp_clamp(path, 256),
		    strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		free(sub);
		if (asprintf(&sub, "%s/%s", path, de->d_name) < 0) {
			sub = NULL;
			fp_error("diff: out of memory");
			goto out;
		}
		if (stat(sub, &sb) < 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			if (scan_generated(sub, depth + 1, v, nv) < 0)
				goto out;
		} else if (S_ISREG(sb.st_mode) && emit_is_yaml_name(de->d_name) &&
		    generated_file(sub)) {
			here++;
		}
	}
	if (here > 0) {
		struct d_dircount *nvp = realloc(*v, (*nv + 1) * sizeof(**v));

		if (nvp == NULL || (nvp[*nv].dir = strdup(path)) == NULL) {
			if (nvp != NULL)
				*v = nvp;
			fp_error("diff: out of memory");
			goto out;
		}
		*v = nvp;
		nvp[*nv].n = here;
		(*nv)++;
	}
	ret = 0;
out:
	free(sub);
	closedir(d);
	return ret;
}

/* Split text into lines (pointers into it; '\n' kept out). */
struct d_lines {
	const char **s;
	size_t *len;
	size_t n;
};

static int
split_lines(const char *t, size_t len, struct d_lines *l)
{
	size_t i, n = 0, start = 0;

	for (i = 0; i < len; i++)
		if (t[i] == '\n')
			n++;
	n++;
	l->s = calloc(n, sizeof(*l->s));
	l->len = calloc(n, sizeof(*l->len));
	l->n = 0;
	if (l->s == NULL || l->len == NULL)
		return fp_error("diff: out of memory");
	for (i = 0; i <= len; i++) {
		if (i == len && start == len)
			break;
		if (i == len || t[i] == '\n') {
			l->s[l->n] = t + start;
			l->len[l->n] = i - start;
			l->n++;
			start = i + 1;
		}
	}
	return 0;
}

static int
line_eq(const struct d_lines *a, size_t i, const struct d_lines *b, size_t j)
{
	return a->len[i] == b->len[j] &&
	    memcmp(a->s[i], b->s[j], a->len[i]) == 0;
}

#define D_LCS_MAX_CELLS (4u << 20)	/* bigger files: counts only */
#define D_CONTEXT 3

struct d_op {
	char op;	/* ' ', '-', '+' */
	size_t a, b;	/* line indexes (0-based) */
};

/*
 * A unified diff of old -> new (LCS on lines, 3 lines of context), and the
 * lines added and removed. *patch is malloc'd, or NULL when the files are
 * too large for the table. 0 or -1.
 */
static int
unified_diff(const char *name, const char *old, size_t olen, const char *new,
    size_t nlen, size_t *plus, size_t *minus, char **patch)
{
	struct d_lines a = { 0 }, b = { 0 };
	uint32_t *t = NULL;
	struct d_op *ops = NULL;
	struct strbuf sb = STRBUF_INIT;
	size_t i, j, nops = 0, w, k;
	int ret = -1;

	*plus = *minus = 0;
	*patch = NULL;
	if (split_lines(old, olen, &a) < 0 || split_lines(new, nlen, &b) < 0)
		goto out;
	w = b.n + 1;
	if ((a.n + 1) > D_LCS_MAX_CELLS / w) {
		*plus = b.n;
		*minus = a.n;
		ret = 0;
		goto out;
	}
	if ((t = calloc((a.n + 1) * w, sizeof(*t))) == NULL ||
	    (ops = calloc(a.n + b.n + 1, sizeof(*ops))) == NULL) {
		fp_error("diff: out of memory");
		goto out;
	}
	/* t[i][j]: LCS length of a[i..] and b[j..]. */
	for (i = a.n; i-- > 0;)
		for (j = b.n; j-- > 0;)
			t[i * w + j] = line_eq(&a, i, &b, j) ?
			    t[(i + 1) * w + j + 1] + 1 :
			    (t[(i + 1) * w + j] > t[i * w + j + 1] ?
			    t[(i + 1) * w + j] : t[i * w + j + 1]);
	for (i = j = 0; i < a.n || j < b.n;) {
		if (i < a.n && j < b.n && line_eq(&a, i, &b, j)) {
			ops[nops++] = (struct d_op){ ' ', i++, j++ };
		} else if (i < a.n && (j == b.n ||
		    t[(i + 1) * w + j] >= t[i * w + j + 1])) {
			/* Removals before additions, as diff -u writes. */
			ops[nops++] = (struct d_op){ '-', i++, j };
			(*minus)++;
		} else {
			ops[nops++] = (struct d_op){ '+', i, j++ };
			(*plus)++;
		}
	}
	sb_addf(&sb, "--- a/%s\n+++ b/%s\n", name, name);
	for (k = 0; k < nops;) {
		size_t s, e, last, x, an = 0, bn = 0;

		if (ops[k].op == ' ') {
			k++;
			continue;
		}
		s = k > D_CONTEXT ? k - D_CONTEXT : 0;
		/* Extend while the next change is within 2 * context. */
		last = k;
		for (x = k; x < nops; x++) {
			if (ops[x].op != ' ')
				last = x;
			else if (x - last > 2 * D_CONTEXT)
				break;
		}
		e = last + D_CONTEXT + 1 < nops ? last + D_CONTEXT + 1 : nops;
		for (x = s; x < e; x++) {
			an += ops[x].op != '+';
			bn += ops[x].op != '-';
		}
		sb_addf(&sb, "@@ -%zu,%zu +%zu,%zu @@\n",
		    an ? ops[s].a + 1 : ops[s].a, an,
		    bn ? ops[s].b + 1 : ops[s].b, bn);
		for (x = s; x < e; x++) {
			const char *ln = ops[x].op == '+' ? b.s[ops[x].b] :
			    a.s[ops[x].a];
			size_t ll = ops[x].op == '+' ? b.len[ops[x].b] :
			    a.len[ops[x].a];

			sb_addc(&sb, ops[x].op);
			sb_addn(&sb, ln, ll);
			sb_addc(&sb, '\n');
		}
		k = e;
	}
	if (sb.oom || (*patch = sb_detach(&sb)) == NULL) {
		fp_error("diff: out of memory");
		goto out;
	}
	ret = 0;
out:
	sb_release(&sb);
	free(t);
	free(ops);
	free(a.s);
	free(a.len);
	free(b.s);
	free(b.len);
	return ret;
}

static int
add_prop(struct diff_result *r, const char *file, enum d_change c,
    const char *old, size_t olen, const char *new, size_t nlen)
{
	struct d_prop *p = realloc(r->props, (r->nprops + 1) * sizeof(*p));

	if (p == NULL)
		return fp_error("diff: out of memory");
	r->props = p;
	p = &r->props[r->nprops];
	memset(p, 0, sizeof(*p));
	if ((p->file = strdup(file)) == NULL)
		return fp_error("diff: out of memory");
	r->nprops++;
	p->change = c;
	if (c == DC_ADDED)
		r->nadded++;
	else if (c == DC_REMOVED)
		r->nremoved++;
	else
		r->nchanged++;
	return unified_diff(file, old, olen, new, nlen, &p->plus, &p->minus,
	    &p->patch);
}

static int
prop_cmp(const void *a, const void *b)
{
	return strcmp(((const struct d_prop *)a)->file,
	    ((const struct d_prop *)b)->file);
}

/* A single file: compare it with emit's one-stream form (--out -). */
static int
propose_stream(struct diff_result *r, const struct emit_result *er,
    const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char *cur = NULL;
	size_t clen, i;
	const char *base = strrchr(path, '/');
	int ret = -1;

	base = base ? base + 1 : path;
	for (i = 0; i < er->ndocs; i++) {
		sb_adds(&sb, "---\n");
		sb_addn(&sb, er->docs[i].text, er->docs[i].len);
	}
	if (sb.oom) {
		fp_error("diff: out of memory");
		goto out;
	}
	if (fp_read_file(path, PE_READ_MAX_FILE, &cur, &clen) < 0)
		goto out;
	if ((r->prop_dir = strdup(path)) == NULL) {
		fp_error("diff: out of memory");
		goto out;
	}
	if (clen == sb.len && memcmp(cur, sb_str(&sb), clen) == 0)
		ret = 0;
	else
		ret = add_prop(r, base, DC_CHANGED, cur, clen, sb_str(&sb),
		    sb.len);
out:
	free(cur);
	sb_release(&sb);
	return ret;
}

/*
 * A directory: emit's proposal is compared file by file as it is rendered
 * (emit_build_model_to), so an unchanged file's text is dropped at once and
 * only the differing ones are held, with what is there.
 */
static int
propose_dir(struct diff_result *r, struct model *m,
    const struct emit_opts *eo, const char *root)
{
	struct d_dircount *dc = NULL;
	struct emit_cmp *c = NULL;
	struct emit_result ers, *er = &ers;
	struct emit_sink sink;
	size_t ndc = 0, nc = 0, i, best = 0, clen;
	char *path = NULL, *cur = NULL;
	int ret = -1;

	memset(&ers, 0, sizeof(ers));

	if (scan_generated(root, 0, &dc, &ndc) < 0)
		goto out;
	/* The directory holding most generated files; ties: byte order. */
	for (i = 1; i < ndc; i++)
		if (dc[i].n > dc[best].n || (dc[i].n == dc[best].n &&
		    strcmp(dc[i].dir, dc[best].dir) < 0))
			best = i;
	if ((r->prop_dir = strdup(ndc ? dc[best].dir : root)) == NULL)
		goto oom;
	memset(&sink, 0, sizeof(sink));
	sink.dir = r->prop_dir;
	sink.follow = 1;
	if (emit_build_model_to(m, eo, &sink, er) < 0) {
		fp_error_prefix("diff: proposals");
		goto out;
	}
	if (emit_compare(er, r->prop_dir, &c, &nc) < 0)
		goto out;
	for (i = 0; i < nc; i++) {
		const struct emit_doc *doc = c[i].doc;

		switch (c[i].change) {
		case EMIT_ADDED:
			if (add_prop(r, c[i].file, DC_ADDED, "", 0, doc->text,
			    doc->len) < 0)
				goto out;
			break;
		case EMIT_CHANGED:
			if (add_prop(r, c[i].file, DC_CHANGED, c[i].old,
			    c[i].oldlen, doc->text, doc->len) < 0)
				goto out;
			break;
		case EMIT_CLASH:
			/* Not flowpol's: emit would refuse; show what differs. */
			free(path);
			free(cur);
			cur = NULL;
			if (asprintf(&path, "%s/%s", r->prop_dir, c[i].file) < 0) {
				path = NULL;
				goto oom;
			}
			if (fp_read_file(path, PE_READ_MAX_FILE, &cur, &clen) < 0 ||
			    add_prop(r, c[i].file, DC_CHANGED, cur, clen,
			    doc->text, doc->len) < 0)
				goto out;
			break;
		case EMIT_REMOVED:
			if (add_prop(r, c[i].file, DC_REMOVED, c[i].old,
			    c[i].oldlen, "", 0) < 0)
				goto out;
			break;
		case EMIT_UNCHANGED:
		case EMIT_FOREIGN:
			break;
		}
	}
	if (r->nprops > 0)
		qsort(r->props, r->nprops, sizeof(*r->props), prop_cmp);
	ret = 0;
	goto out;
oom:
	fp_error("diff: out of memory");
out:
	emit_cmp_free(c, nc);
	emit_result_free(&ers);
	for (i = 0; i < ndc; i++)
		free(dc[i].dir);
	free(dc);
	free(path);
	free(cur);
	return ret;
}

static int
propose(struct model *m, struct diff_result *r)
{
	struct emit_opts eo;
	struct emit_result er;
	struct stat sb;
	int ret = -1;

	memset(&eo, 0, sizeof(eo));
	memset(&er, 0, sizeof(er));
	eo.strict = r->o.strict;
	if (stat(r->o.policies, &sb) < 0)
		return fp_error("diff: '%s': %s", fp_clamp(r->o.policies, 256),
		    strerror(errno));
	/* compare like with like: the release the files were written for */
	if (S_ISDIR(sb.st_mode)) {
		if (emit_recorded_version(r->o.policies, &eo.calico_version) < 0) {
			fp_error_prefix("diff: proposals");
			goto out;
		}
		ret = propose_dir(r, m, &eo, r->o.policies);
	} else {
		if (emit_build_model(m, &eo, &er) < 0) {
			fp_error_prefix("diff: proposals");
			goto out;
		}
		ret = propose_stream(r, &er, r->o.policies);
	}
	r->proposed = ret == 0;
out:
	emit_result_free(&er);
	return ret;
}

int
diff_run(struct store *st, struct pe_policyset *ps,
    const struct diff_opts *o, struct diff_result **out)
{
	struct diff_result *r;
	struct model *m = NULL;
	int ret = -1;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return fp_error("diff: out of memory");
	r->ps = ps;
	r->o = *o;
	if (model_open(&m, st) < 0)
		goto out;
	/*
	 * Proposals first: they hold emit's whole build, released before
	 * the policies are read. A failed proposal (the emitter refuses
	 * this model, say) must not hide what would be denied: it is
	 * reported, and the rest stands.
	 */
	if (o->propose && o->policies != NULL && propose(m, r) < 0) {
		if ((r->prop_error = strdup(fp_errmsg())) == NULL) {
			fp_error("diff: out of memory");
			goto out;
		}
		fp_error_clear();
		r->proposed = 0;
		props_clear(r);
	}
	if ((o->read_policies != NULL && o->read_policies(ps, o->read_arg) < 0) ||
	    pe_policyset_prepare(ps, PE_TYPES_API) < 0 ||
	    store_learned_period(st, &r->lsince, &r->luntil) < 0 ||
	    evaluate_all(m, ps, r) < 0)
		goto out;
	*out = r;
	r = NULL;
	ret = 0;
out:
	diff_result_free(r);
	model_free(m);
	return ret;
}

/* --- output ------------------------------------------------------------ */

static const char *
proto_port(const struct d_edge *e, char *buf, size_t len)
{
	char pb[16], qb[32];
	const char *port = fp_port_format(e->proto, e->port, qb, sizeof(qb));

	snprintf(buf, len, "%s%s%s", fp_proto_name(e->proto, pb, sizeof(pb)),
	    *port ? "/" : "", port);
	return buf;
}

static const char *
change_name(enum d_change c)
{
	return c == DC_ADDED ? "added" : c == DC_REMOVED ? "removed" :
	    "changed";
}

static const char *
policy_label(const struct pe_policy *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s%s%s", pe_kind_name(p->kind),
	    p->namespace ? p->namespace : "", p->namespace ? "/" : "", p->name);
	return buf;
}

/*
 * The policy set being printed, for the sides of a decision (several
 * --policies paths); set by diff_print only.
 */
static const struct pe_policyset *print_ps;

/* " [side: PATH, ...]" when the set was read from several paths. */
static void
sides_text(struct strbuf *sb, const struct pe_decision *d)
{
	size_t i;
	int first = 1;

	if (print_ps == NULL || print_ps->n_origin_paths < 2)
		return;
	sb_adds(sb, " [side: ");
	for (i = 0; i < print_ps->n_origin_paths && i < 64; i++)
		if (d->origins & (1UL << i)) {
			sb_addf(sb, "%s%s", first ? "" : ", ",
			    print_ps->origin_paths[i]);
			first = 0;
		}
	sb_addc(sb, ']');
}

static void
sides_json(FILE *f, const struct pe_decision *d)
{
	size_t i;
	int first = 1;

	if (print_ps == NULL || print_ps->n_origin_paths < 2)
		return;
	fputs("\"sides\": [", f);
	for (i = 0; i < print_ps->n_origin_paths && i < 64; i++)
		if (d->origins & (1UL << i)) {
			fputs(first ? "" : ", ", f);
			fp_json_str(f, print_ps->origin_paths[i]);
			first = 0;
		}
	fputs("], ", f);
}

/* "end of tier T (N policies applied, none allowed)" or the rule. */
static char *
decision_text(const struct pe_decision *d, int ingress)
{
	struct strbuf sb = STRBUF_INIT;
	char pl[512];

	if (d->why == PE_WHY_RULE) {
		const struct pe_rule *ru = ingress ? &d->policy->ingress[d->rule] :
		    &d->policy->egress[d->rule];
		char *t = pe_rule_format(ru);

		sb_addf(&sb, "tier %s, %s %s[%zu] (%s:%d): %s", d->tier->name,
		    policy_label(d->policy, pl, sizeof(pl)), dir_name(ingress),
		    d->rule, d->policy->file, ru->line, t ? t : "?");
		free(t);
	} else {
		sb_addf(&sb, "end of tier %s (%zu polic%s applied, no rule "
		    "allowed)", d->tier ? d->tier->name : "?",
		    d->policies_applied, d->policies_applied == 1 ? "y" : "ies");
	}
	sides_text(&sb, d);
	return sb_detach(&sb);
}

static void
nodes_json(FILE *f, const char *nodes)
{
	const char *p = nodes, *c;
	int first = 1;

	fputc('[', f);
	while (*p) {
		char buf[256];
		size_t n;

		c = strchr(p, ',');
		n = c ? (size_t)(c - p) : strlen(p);
		if (n >= sizeof(buf))
			n = sizeof(buf) - 1;
		memcpy(buf, p, n);
		buf[n] = '\0';
		fprintf(f, "%s", first ? "" : ", ");
		fp_json_str(f, buf);
		first = 0;
		p = c ? c + 1 : p + strlen(p);
	}
	fputc(']', f);
}

static void
time_json(FILE *f, int64_t t)
{
	char tb[FP_TIMESTRLEN];

	fp_json_str(f, fp_time_format(t, tb));
}

static void
decision_json(FILE *f, const struct d_edge *e, const struct d_dir *dd,
    int ingress)
{
	const struct pe_decision *d = dd->first;

	if (!dd->denied) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"combinations\": %zu, \"denied_combinations\": %zu, ",
	    e->combos, dd->denied);
	if (d->why == PE_WHY_RULE) {
		const struct pe_rule *ru = ingress ? &d->policy->ingress[d->rule] :
		    &d->policy->egress[d->rule];
		char *t = pe_rule_format(ru);

		fputs("\"file\": ", f);
		fp_json_str(f, d->policy->file);
		fprintf(f, ", \"kind\": \"%s\", \"line\": %d, \"namespace\": ",
		    pe_kind_name(d->policy->kind), ru->line);
		if (d->policy->namespace)
			fp_json_str(f, d->policy->namespace);
		else
			fputs("null", f);
		fputs(", \"policy\": ", f);
		fp_json_str(f, d->policy->name);
		fprintf(f, ", \"rule\": %zu, \"rule_text\": ", d->rule);
		fp_json_str(f, t ? t : "?");
		fputs(", ", f);
		sides_json(f, d);
		fputs("\"tier\": ", f);
		fp_json_str(f, d->tier->name);
		fputs(", \"why\": \"rule\"}", f);
		free(t);
	} else {
		fprintf(f, "\"policies_applied\": %zu, ", d->policies_applied);
		sides_json(f, d);
		fputs("\"tier\": ", f);
		fp_json_str(f, d->tier ? d->tier->name : "?");
		fputs(", \"why\": \"end-of-tier\"}", f);
	}
}

static void
edge_json(FILE *f, const struct d_edge *e)
{
	char pb[16], qb[32];

	fprintf(f, "{\"connections\": %lld, \"dst\": ", (long long)e->conns);
	fp_json_str(f, e->dst);
	fputs(", \"egress\": ", f);
	decision_json(f, e, &e->eg, 0);
	fputs(", \"first_seen\": ", f);
	time_json(f, e->first);
	fputs(", \"ingress\": ", f);
	decision_json(f, e, &e->in, 1);
	fputs(", \"last_seen\": ", f);
	time_json(f, e->last);
	fputs(", \"nodes\": ", f);
	nodes_json(f, e->nodes);
	fputs(", \"port\": ", f);
	fp_json_str(f, fp_port_format(e->proto, e->port, qb, sizeof(qb)));
	fputs(", \"proto\": ", f);
	fp_json_str(f, fp_proto_name(e->proto, pb, sizeof(pb)));
	fputs(", \"src\": ", f);
	fp_json_str(f, e->src);
	fputc('}', f);
}

static const struct pe_rule *
stale_rule(const struct d_stale *s)
{
	return s->ingress ? &s->p->ingress[s->rule] : &s->p->egress[s->rule];
}

/*
 * JSON, keys sorted in every object, lists in the orders the text form
 * uses (see cmd_diff's usage for the shape).
 */
static void
print_json(FILE *f, const struct diff_result *r)
{
	char tb[FP_TIMESTRLEN];
	size_t i, j;

	fputs("{\n  \"denied_edges\": [", f);
	for (i = j = 0; i < r->nkept; i++) {
		const struct d_edge *e = &r->edges[i];

		if (e->unattributed || e->left_out ||
		    !(e->eg.denied || e->in.denied))
			continue;
		fputs(j++ ? ",\n    " : "\n    ", f);
		edge_json(f, e);
	}
	fputs(j ? "\n  ],\n" : "],\n", f);
	fputs("  \"format_version\": 1,\n  \"left_out\": [", f);
	for (i = j = 0; i < r->nkept; i++) {
		if (!r->edges[i].left_out)
			continue;
		fputs(j++ ? ",\n    " : "\n    ", f);
		edge_json(f, &r->edges[i]);
	}
	fputs(j ? "\n  ],\n" : "],\n", f);
	fputs("  \"now\": ", f);
	fp_json_str(f, fp_time_format(r->o.now, tb));
	fputs(",\n  \"policies\": ", f);
	fp_json_str(f, r->o.policies ? r->o.policies : "");
	fputs(",\n  \"proposed\": ", f);
	if (!r->proposed) {
		fputs("null", f);
	} else {
		fprintf(f, "{\"added\": %zu, \"changed\": %zu, \"directory\": ",
		    r->nadded, r->nchanged);
		fp_json_str(f, r->prop_dir);
		fputs(", \"files\": [", f);
		for (i = 0; i < r->nprops; i++) {
			const struct d_prop *p = &r->props[i];

			fprintf(f, "%s{\"change\": \"%s\", \"diff\": ",
			    i ? ",\n      " : "\n      ", change_name(p->change));
			if (p->patch)
				fp_json_str(f, p->patch);
			else
				fputs("null", f);
			fputs(", \"file\": ", f);
			fp_json_str(f, p->file);
			fprintf(f, ", \"lines_added\": %zu, \"lines_removed\": "
			    "%zu}", p->plus, p->minus);
		}
		fprintf(f, "%s], \"removed\": %zu}", r->nprops ? "\n    " : "",
		    r->nremoved);
	}
	fputs(",\n  \"proposed_error\": ", f);
	if (r->prop_error)
		fp_json_str(f, r->prop_error);
	else
		fputs("null", f);
	fputs(",\n  \"since\": ", f);
	if (r->o.since == INT64_MIN)
		fputs("null", f);
	else
		fp_json_str(f, fp_time_format(r->o.since, tb));
	fprintf(f, ",\n  \"stale_after_seconds\": %lld,\n  \"stale_rules\": [",
	    (long long)(r->o.stale_after / FP_USEC));
	for (i = 0; i < r->nstale; i++) {
		const struct d_stale *s = &r->stale[i];
		char *t = pe_rule_format(stale_rule(s));

		fprintf(f, "%s{\"direction\": \"%s\", \"file\": ",
		    i ? ",\n    " : "\n    ", dir_name(s->ingress));
		fp_json_str(f, s->p->file);
		fprintf(f, ", \"index\": %zu, \"kind\": \"%s\", \"line\": %d, "
		    "\"namespace\": ", s->rule, pe_kind_name(s->p->kind),
		    stale_rule(s)->line);
		if (s->p->namespace)
			fp_json_str(f, s->p->namespace);
		else
			fputs("null", f);
		fputs(", \"policy\": ", f);
		fp_json_str(f, s->p->name);
		fputs(", \"rule\": ", f);
		fp_json_str(f, t ? t : "?");
		fputs(", \"tier\": ", f);
		fp_json_str(f, s->p->tier);
		fputc('}', f);
		free(t);
	}
	fputs(r->nstale ? "\n  ],\n" : "],\n", f);
	fprintf(f, "  \"summary\": {\"denied_edges\": %zu, \"edges\": %zu, "
	    "\"edges_checked\": %zu, \"left_out\": %zu, \"staged_evaluated\": "
	    "%s, \"staged_policies\": %zu, \"stale_rules\": %zu, "
	    "\"unattributed\": %zu},\n", r->ndenied, r->nedges, r->nchecked,
	    r->nleft_out, r->o.staged ? "true" : "false", r->nstaged, r->nstale,
	    r->nunattributed);
	fputs("  \"unattributed\": [", f);
	for (i = j = 0; i < r->nkept; i++) {
		const struct d_edge *e = &r->edges[i];

		if (!e->unattributed)
			continue;
		fputs(j++ ? ",\n    " : "\n    ", f);
		edge_json(f, e);
	}
	fputs(j ? "\n  ],\n" : "],\n", f);
	fputs("  \"workloads\": [", f);
	for (i = 0; i < r->ngroups;) {
		size_t w = r->groups[i].peer;
		int dir;

		fputs(i ? ",\n    {" : "\n    {", f);
		for (dir = 0; dir < 2; dir++) {
			int n = 0;

			fprintf(f, "\"%s\": [", dir_name(dir));
			for (; i < r->ngroups && r->groups[i].peer == w &&
			    r->groups[i].ingress == dir; i++) {
				fputs(n++ ? ",\n        " : "\n        ", f);
				edge_json(f, &r->edges[r->groups[i].edge]);
			}
			fputs(n ? "\n      ], " : "], ", f);
		}
		fputs("\"workload\": ", f);
		fp_json_str(f, r->peers[w].text);
		fputc('}', f);
	}
	fputs(r->ngroups ? "\n  ]\n}\n" : "]\n}\n", f);
}

static void
evidence_text(FILE *f, const struct d_edge *e, const char *indent)
{
	char a[FP_TIMESTRLEN], b[FP_TIMESTRLEN];

	fprintf(f, "%s%lld connection%s, first seen %s, last seen %s, "
	    "nodes %s\n", indent, (long long)e->conns, e->conns == 1 ? "" : "s",
	    fp_time_format(e->first, a), fp_time_format(e->last, b),
	    *e->nodes ? e->nodes : "-");
}

/* How staged policies were judged: never silently left out. */
static void
staged_note(FILE *f, const struct diff_result *r, const char *prefix)
{
	if (r->nstaged == 0)
		return;
	if (r->o.staged)
		fprintf(f, "%s%zu staged polic%s evaluated as if enforced "
		    "(--staged)\n", prefix, r->nstaged,
		    r->nstaged == 1 ? "y" : "ies");
	else
		fprintf(f, "%s%zu staged polic%s ignored: staged policies never "
		    "enforce; --staged evaluates them as if enforced\n", prefix,
		    r->nstaged, r->nstaged == 1 ? "y" : "ies");
}

static void
print_text(FILE *f, const struct diff_result *r)
{
	char pp[64], tb[FP_TIMESTRLEN], pl[512], per[FP_PERIODLEN];
	size_t i;

	fprintf(f, "flowpol diff: %zu of %zu observed edge%s would be denied "
	    "by the committed policies", r->ndenied, r->nchecked,
	    r->nchecked == 1 ? "" : "s");
	if (r->o.since != INT64_MIN)
		fprintf(f, " (edges last seen since %s)",
		    fp_time_format(r->o.since, tb));
	fprintf(f, " (learned period: %s)\n", fp_period_format(r->lsince,
	    r->luntil, per));
	staged_note(f, r, "");
	if (r->ngroups)
		fputs("\nDenied, by the workload whose policy denies:\n", f);
	for (i = 0; i < r->ngroups; i++) {
		const struct d_group_ent *g = &r->groups[i];
		const struct d_edge *e = &r->edges[g->edge];
		const struct d_dir *dd = g->ingress ? &e->in : &e->eg;
		char *why = decision_text(dd->first, g->ingress);

		if (i == 0 || r->groups[i - 1].peer != g->peer)
			fprintf(f, "  %s\n", r->peers[g->peer].text);
		fprintf(f, "    %-7s %s -> %s %s\n", dir_name(g->ingress),
		    e->src, e->dst, proto_port(e, pp, sizeof(pp)));
		evidence_text(f, e, "            ");
		fprintf(f, "            denied by: %s\n", why ? why : "?");
		if (e->combos > 1)
			fprintf(f, "            label sets: %zu of %zu "
			    "combinations denied\n", dd->denied, e->combos);
		free(why);
	}
	if (r->nunattributed) {
		fprintf(f, "\nUnattributed (a peer the inventory does not name; "
		    "not counted): %zu\n", r->nunattributed);
		for (i = 0; i < r->nkept; i++) {
			const struct d_edge *e = &r->edges[i];

			if (!e->unattributed)
				continue;
			fprintf(f, "  %s -> %s %s%s\n", e->src, e->dst,
			    proto_port(e, pp, sizeof(pp)),
			    e->eg.denied || e->in.denied ? " (would be denied)" :
			    "");
			evidence_text(f, e, "    ");
		}
	}
	if (r->nleft_out)
		fprintf(f, "\nLeft out by emit (--strict: a selector that also "
		    "selects other workloads; not counted): %zu\n", r->nleft_out);
	for (i = 0; i < r->nkept; i++) {
		const struct d_edge *e = &r->edges[i];

		if (!e->left_out)
			continue;
		fprintf(f, "  %s -> %s %s\n", e->src, e->dst,
		    proto_port(e, pp, sizeof(pp)));
		evidence_text(f, e, "    ");
	}
	fprintf(f, "\nStale allow rules (no observed edge since %s): %zu\n",
	    fp_time_format(r->o.now - r->o.stale_after, tb), r->nstale);
	for (i = 0; i < r->nstale; i++) {
		const struct d_stale *s = &r->stale[i];
		char *t = pe_rule_format(stale_rule(s));

		fprintf(f, "  %s %s[%zu] (%s:%d): %s\n",
		    policy_label(s->p, pl, sizeof(pl)), dir_name(s->ingress),
		    s->rule, s->p->file, stale_rule(s)->line, t ? t : "?");
		free(t);
	}
	if (r->prop_error)
		fprintf(f, "\nProposals unavailable: %s\n", r->prop_error);
	if (!r->proposed)
		return;
	fprintf(f, "\nProposed by emit (compared with %s): %zu added, %zu "
	    "changed, %zu removed\n", r->prop_dir, r->nadded, r->nchanged,
	    r->nremoved);
	for (i = 0; i < r->nprops; i++) {
		const struct d_prop *p = &r->props[i];

		fprintf(f, "  %-7s %s (+%zu -%zu)\n", change_name(p->change),
		    p->file, p->plus, p->minus);
	}
	for (i = 0; i < r->nprops; i++)
		if (r->props[i].patch && r->props[i].change == DC_CHANGED)
			fprintf(f, "\n%s", r->props[i].patch);
}

/* A Markdown table cell: '|' escaped, newlines flattened. */
static void
md_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '`' || *s == '*' ||
		    *s == '_' || *s == '<')
			fputc('\\', f);
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
	}
}

static void
md_code(FILE *f, const char *s)
{
	/* Inline code: '|' still ends a cell in GFM tables, so escape it. */
	fputc('`', f);
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s == '\n' || *s == '`' ? ' ' : *s, f);
	}
	fputc('`', f);
}

static void
print_markdown(FILE *f, const struct diff_result *r)
{
	char pp[64], tb[FP_TIMESTRLEN], a[FP_TIMESTRLEN], pl[512],
	    per[FP_PERIODLEN];
	size_t i;

	fputs("## flowpol diff\n\n", f);
	if (r->ndenied)
		fprintf(f, "**%zu of %zu observed edges would be denied** by the "
		    "committed policies.", r->ndenied, r->nchecked);
	else
		fprintf(f, "No observed edge would be denied (%zu checked).",
		    r->nchecked);
	fprintf(f, " %zu stale allow rule%s.", r->nstale,
	    r->nstale == 1 ? "" : "s");
	if (r->proposed)
		fprintf(f, " Emit would add %zu, change %zu and remove %zu "
		    "file%s.", r->nadded, r->nchanged, r->nremoved,
		    r->nremoved == 1 ? "" : "s");
	fprintf(f, " Learned period: %s.\n", fp_period_format(r->lsince,
	    r->luntil, per));
	staged_note(f, r, "\n");
	if (r->ngroups) {
		fputs("\n### Denied traffic\n", f);
		for (i = 0; i < r->ngroups; i++) {
			const struct d_group_ent *g = &r->groups[i];
			const struct d_edge *e = &r->edges[g->edge];
			const struct d_dir *dd = g->ingress ? &e->in : &e->eg;
			char *why = decision_text(dd->first, g->ingress);

			if (i == 0 || r->groups[i - 1].peer != g->peer) {
				fputs("\n#### ", f);
				md_code(f, r->peers[g->peer].text);
				fputs("\n\n| direction | source | destination | "
				    "protocol/port | connections | first seen | "
				    "last seen | nodes | denied by |\n"
				    "|---|---|---|---|---:|---|---|---|---|\n",
				    f);
			}
			fprintf(f, "| %s | ", dir_name(g->ingress));
			md_code(f, e->src);
			fputs(" | ", f);
			md_code(f, e->dst);
			fprintf(f, " | %s | %lld | %s | %s | ",
			    proto_port(e, pp, sizeof(pp)), (long long)e->conns,
			    fp_time_format(e->first, tb),
			    fp_time_format(e->last, a));
			md_cell(f, e->nodes);
			fputs(" | ", f);
			md_cell(f, why ? why : "?");
			if (e->combos > 1)
				fprintf(f, " (%zu of %zu label-set combinations)",
				    dd->denied, e->combos);
			fputs(" |\n", f);
			free(why);
		}
	}
	if (r->nunattributed) {
		fputs("\n### Unattributed traffic\n\nA peer the inventory does "
		    "not name; not counted as denied.\n\n| source | destination "
		    "| protocol/port | connections | last seen |\n"
		    "|---|---|---|---:|---|\n", f);
		for (i = 0; i < r->nkept; i++) {
			const struct d_edge *e = &r->edges[i];

			if (!e->unattributed)
				continue;
			fputs("| ", f);
			md_code(f, e->src);
			fputs(" | ", f);
			md_code(f, e->dst);
			fprintf(f, " | %s | %lld | %s |\n",
			    proto_port(e, pp, sizeof(pp)), (long long)e->conns,
			    fp_time_format(e->last, tb));
		}
	}
	if (r->nleft_out)
		fprintf(f, "\n%zu edge%s left out by emit (--strict: a selector "
		    "that also selects other workloads); not counted as "
		    "denied.\n", r->nleft_out, r->nleft_out == 1 ? "" : "s");
	fprintf(f, "\n### Stale allow rules\n\nNo observed edge since %s.\n",
	    fp_time_format(r->o.now - r->o.stale_after, tb));
	if (r->nstale)
		fputs("\n| policy | rule | file:line | allows |\n"
		    "|---|---|---|---|\n", f);
	for (i = 0; i < r->nstale; i++) {
		const struct d_stale *s = &r->stale[i];
		char *t = pe_rule_format(stale_rule(s));
		char loc[1024];

		fputs("| ", f);
		md_cell(f, policy_label(s->p, pl, sizeof(pl)));
		fprintf(f, " | %s[%zu] | ", dir_name(s->ingress), s->rule);
		snprintf(loc, sizeof(loc), "%s:%d", s->p->file,
		    stale_rule(s)->line);
		md_code(f, loc);
		fputs(" | ", f);
		md_code(f, t ? t : "?");
		fputs(" |\n", f);
		free(t);
	}
	if (r->prop_error) {
		fputs("\n### Proposed policy changes\n\nUnavailable: ", f);
		md_cell(f, r->prop_error);
		fputs("\n", f);
	}
	if (!r->proposed)
		return;
	fputs("\n### Proposed policy changes\n\n", f);
	fputs("Compared with ", f);
	md_code(f, r->prop_dir);
	fputs(" (what `flowpol emit` would write).\n", f);
	if (r->nprops == 0) {
		fputs("\nNo changes.\n", f);
		return;
	}
	fputs("\n| file | change | lines |\n|---|---|---|\n", f);
	for (i = 0; i < r->nprops; i++) {
		fputs("| ", f);
		md_code(f, r->props[i].file);
		fprintf(f, " | %s | +%zu -%zu |\n",
		    change_name(r->props[i].change), r->props[i].plus,
		    r->props[i].minus);
	}
	for (i = 0; i < r->nprops; i++) {
		const struct d_prop *p = &r->props[i];

		if (p->patch == NULL)
			continue;
		fprintf(f, "\n<details><summary>%s %s</summary>\n\n````diff\n%s"
		    "````\n\n</details>\n", change_name(p->change), p->file,
		    p->patch);
	}
}

void
diff_print(FILE *out, const struct diff_result *r, enum fp_format fmt)
{
	print_ps = r->ps;
	if (fmt == FP_FMT_JSON)
		print_json(out, r);
	else if (fmt == FP_FMT_MARKDOWN)
		print_markdown(out, r);
	else
		print_text(out, r);
	print_ps = NULL;
}
