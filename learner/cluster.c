#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/strbuf.h"
#include "learner/cluster.h"
#include "learner/strmap.h"
#include "common/banned.h"

const char *const cluster_default_volatile[] = {
	"pod-template-hash", "controller-revision-hash",
	"statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index",
	"pod-template-generation", "controller-uid",
	"batch.kubernetes.io/controller-uid", "job-name",
	"batch.kubernetes.io/job-name", NULL
};

const char *const cluster_preferred[] = {
	"app.kubernetes.io/name", "app", "k8s-app", "name", "component",
	"app.kubernetes.io/component", "tier", "role", "version", NULL
};

#define SA_KEY "projectcalico.org/serviceaccount"
#define RANK_OTHER 50
#define RANK_SA 99
#define SEARCH_BUDGET 200000	/* combinations tried before using all labels */

/* One label set of one pod, as sorted pair ids. */
struct state {
	size_t grp;
	long *ids;
	size_t n;
};

struct grp {
	const char *ns, *kind;
	char *name;		/* display name (collision-free) */
	size_t parent;		/* union-find */
	long *common;		/* root only: common pair ids, sorted */
	size_t ncommon;
	int have_common;
	size_t npods;
};

struct ctx {
	struct cl_pod *pods;
	size_t npods;
	struct grp *g;
	size_t ng;
	struct state *s;
	size_t ns;
	struct strmap *pairs;
	int *rank;		/* by pair id */
	size_t nrank;
	const struct cl_opts *o;
};

/* --- controllers -------------------------------------------------------- */

static int
ctrl_key_cmp(const struct cl_ctrl *x, const char *ns, const char *kind,
    const char *name)
{
	int r;

	if ((r = strcmp(x->ns, ns)) != 0 || (r = strcmp(x->kind, kind)) != 0)
		return r;
	return strcmp(x->name, name);
}

/* By namespace, kind, name; equal keys in input order (the first wins). */
static int
ctrl_cmp(const void *a, const void *b)
{
	const struct cl_ctrl *x = *(const struct cl_ctrl *const *)a;
	const struct cl_ctrl *y = *(const struct cl_ctrl *const *)b;
	int r = ctrl_key_cmp(x, y->ns, y->kind, y->name);

	return r ? r : (x > y) - (x < y);
}

/* The first controller with this key in idx (sorted by ctrl_cmp), or NULL. */
static const struct cl_ctrl *
find_ctrl(const struct cl_ctrl *const *idx, size_t n, const char *ns,
    const char *kind, const char *name)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ctrl_key_cmp(idx[mid], ns, kind, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ctrl_key_cmp(idx[lo], ns, kind, name) == 0 ? idx[lo] :
	    NULL;
}

static const char *
state_get(const struct cl_pod *p, const char *key)
{
	size_t i;
	const char *v;

	for (i = 0; i < p->nstates; i++)
		if ((v = labels_get(&p->states[i], key)) != NULL)
			return v;
	return NULL;
}

/* NAME-<8+ digits>: a Job a CronJob created for its scheduled minute. */
static size_t
cronjob_prefix(const char *job)
{
	const char *dash = strrchr(job, '-'), *p;

	if (dash == NULL || dash == job || strlen(dash + 1) < 8)
		return 0;
	for (p = dash + 1; *p; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	return (size_t)(dash - job);
}

static void
set_ctrl(struct cl_pod *p, const char *kind, const char *name, size_t len)
{
	if (len >= sizeof(p->ctrl_name))
		len = sizeof(p->ctrl_name) - 1;
	p->ctrl_kind = kind;
	memcpy(p->ctrl_name, name, len);
	p->ctrl_name[len] = '\0';
}

static void
controller_of(struct cl_pod *p, const struct cl_ctrl *const *ctrls,
    size_t nctrls)
{
	const struct cl_ctrl *c;
	const char *hash, *on = p->owner_name;
	size_t on_len, hl;

	if (p->owner_kind == NULL || *p->owner_kind == '\0' || on == NULL) {
		set_ctrl(p, "Pod", p->name, strlen(p->name));
		return;
	}
	on_len = strlen(on);
	if (strcmp(p->owner_kind, "ReplicaSet") == 0) {
		if ((c = find_ctrl(ctrls, nctrls, p->ns, "ReplicaSet", on)) != NULL) {
			set_ctrl(p, c->owner_kind, c->owner_name, strlen(c->owner_name));
			return;
		}
		hash = state_get(p, "pod-template-hash");
		if (hash != NULL && (hl = strlen(hash)) > 0 && on_len > hl + 1 &&
		    on[on_len - hl - 1] == '-' && strcmp(on + on_len - hl, hash) == 0) {
			set_ctrl(p, "Deployment", on, on_len - hl - 1);
			return;
		}
	} else if (strcmp(p->owner_kind, "Job") == 0) {
		if ((c = find_ctrl(ctrls, nctrls, p->ns, "Job", on)) != NULL) {
			set_ctrl(p, c->owner_kind, c->owner_name, strlen(c->owner_name));
			return;
		}
		if ((hl = cronjob_prefix(on)) > 0) {
			set_ctrl(p, "CronJob", on, hl);
			return;
		}
	}
	set_ctrl(p, p->owner_kind, on, on_len);
}

/* --- label pairs -------------------------------------------------------- */

static int
is_volatile(const struct ctx *c, const char *key)
{
	size_t i;

	for (i = 0; cluster_default_volatile[i] != NULL; i++)
		if (strcmp(key, cluster_default_volatile[i]) == 0)
			return 1;
	for (i = 0; i < c->o->nvolatile; i++)
		if (strcmp(key, c->o->volatile_keys[i]) == 0)
			return 1;
	/* Calico drops pcns./pcsa. pod labels and sets projectcalico.org/. */
	return strncmp(key, "pcns.", 5) == 0 || strncmp(key, "pcsa.", 5) == 0 ||
	    strncmp(key, "projectcalico.org/", 18) == 0;
}

static int
key_rank(const char *key, size_t klen)
{
	size_t i;

	for (i = 0; cluster_preferred[i] != NULL; i++)
		if (strlen(cluster_preferred[i]) == klen &&
		    memcmp(cluster_preferred[i], key, klen) == 0)
			return (int)i;
	if (klen == strlen(SA_KEY) && memcmp(key, SA_KEY, klen) == 0)
		return RANK_SA;
	return RANK_OTHER;
}

static long
intern_pair(struct ctx *c, const char *k, const char *v)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "%s=%s", k, v);
	long id;
	int *r;
	size_t cap;

	if (n < 0 || (size_t)n >= sizeof(buf))
		return fp_error("learn: label '%s' too long", fp_clamp(k, 64));
	if ((id = strmap_intern(c->pairs, buf, (size_t)n)) < 0)
		return fp_error("learn: out of memory");
	if ((size_t)id >= c->nrank) {
		cap = c->nrank ? c->nrank * 2 : 256;
		while (cap <= (size_t)id)
			cap *= 2;
		if ((r = realloc(c->rank, cap * sizeof(*r))) == NULL)
			return fp_error("learn: out of memory");
		c->rank = r;
		c->nrank = cap;
	}
	c->rank[id] = key_rank(k, strlen(k));
	return id;
}

static int
long_cmp(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static int
make_states(struct ctx *c)
{
	size_t i, j, k, total = 0;
	struct state *st;
	const struct labels *l;
	long id;

	for (i = 0; i < c->npods; i++)
		total += c->pods[i].nstates ? c->pods[i].nstates : 1;
	if ((c->s = calloc(total ? total : 1, sizeof(*c->s))) == NULL)
		return fp_error("learn: out of memory");
	for (i = 0; i < c->npods; i++) {
		struct cl_pod *p = &c->pods[i];
		size_t n = p->nstates ? p->nstates : 1;

		for (j = 0; j < n; j++) {
			static const struct labels none = LABELS_INIT;

			l = p->nstates ? &p->states[j] : &none;
			st = &c->s[c->ns++];
			st->grp = p->wl;
			if ((st->ids = malloc((l->n + 1) * sizeof(long))) == NULL)
				return fp_error("learn: out of memory");
			for (k = 0; k < l->n; k++) {
				if (is_volatile(c, l->v[k].key))
					continue;
				if ((id = intern_pair(c, l->v[k].key, l->v[k].value)) < 0)
					return -1;
				st->ids[st->n++] = id;
			}
			if ((id = intern_pair(c, SA_KEY, p->sa && *p->sa ? p->sa :
			    "default")) < 0)
				return -1;
			st->ids[st->n++] = id;
			qsort(st->ids, st->n, sizeof(long), long_cmp);
		}
	}
	return 0;
}

/* a (sorted) is a subset of b (sorted). */
static int
subset(const long *a, size_t na, const long *b, size_t nb)
{
	size_t i = 0, j = 0;

	while (i < na) {
		while (j < nb && b[j] < a[i])
			j++;
		if (j == nb || b[j] != a[i])
			return 0;
		i++;
		j++;
	}
	return 1;
}

static size_t
root(struct ctx *c, size_t g)
{
	while (c->g[g].parent != g) {
		c->g[g].parent = c->g[c->g[g].parent].parent;
		g = c->g[g].parent;
	}
	return g;
}

/* Common pairs of every state whose group's root is r. */
static int
common_of(struct ctx *c, size_t r, size_t s0, size_t s1)
{
	struct grp *g = &c->g[r];
	size_t i, a, b, n;
	int first = 1;

	if (g->have_common)
		return 0;
	free(g->common);
	g->common = NULL;
	g->ncommon = 0;
	for (i = s0; i < s1; i++) {
		struct state *st = &c->s[i];

		if (root(c, st->grp) != r)
			continue;
		if (first) {
			if ((g->common = malloc((st->n + 1) * sizeof(long))) == NULL)
				return fp_error("learn: out of memory");
			memcpy(g->common, st->ids, st->n * sizeof(long));
			g->ncommon = st->n;
			first = 0;
			continue;
		}
		for (a = b = n = 0; a < g->ncommon; a++) {
			while (b < st->n && st->ids[b] < g->common[a])
				b++;
			if (b < st->n && st->ids[b] == g->common[a])
				g->common[n++] = g->common[a];
		}
		g->ncommon = n;
	}
	g->have_common = 1;
	return 0;
}

static int
grp_name_cmp(const struct ctx *c, size_t a, size_t b)
{
	return strcmp(c->g[a].name, c->g[b].name);
}

/* Whether some state of root h contains root g's common pairs. */
static int
covers_state(struct ctx *c, size_t g, size_t h, size_t s0, size_t s1)
{
	size_t i;

	for (i = s0; i < s1; i++)
		if (root(c, c->s[i].grp) == h && subset(c->g[g].common,
		    c->g[g].ncommon, c->s[i].ids, c->s[i].n))
			return 1;
	return 0;
}

/*
 * Merge the groups of one namespace (states s0..s1, groups g0..g1) that no
 * label set tells apart in either direction: g's common labels appear on a
 * pod of h and h's on a pod of g. A one-sided overlap is not merged: the
 * workload with fewer labels keeps an inexact selector (see cluster.h).
 */
static int
merge_ns(struct ctx *c, size_t g0, size_t g1, size_t s0, size_t s1,
    size_t *nmerged)
{
	size_t g, h = 0, r, i;
	int changed = 1, found;

	while (changed) {
		changed = 0;
		/* Passes until nothing merges; a merge does not restart one. */
		for (g = g0; g < g1; g++) {
			if (root(c, g) != g)
				continue;
			if (common_of(c, g, s0, s1) < 0)
				return -1;
			/*
			 * One pass over the namespace's states finds the roots
			 * carrying g's common labels; the reverse test runs only
			 * for those (usually none), so a pass is O(groups x states).
			 */
			for (i = s0, found = 0; i < s1 && !found; i++) {
				h = root(c, c->s[i].grp);
				if (h == g || !subset(c->g[g].common, c->g[g].ncommon,
				    c->s[i].ids, c->s[i].n))
					continue;
				if (common_of(c, h, s0, s1) < 0)
					return -1;
				found = covers_state(c, h, g, s0, s1);
			}
			if (!found)
				continue;
			/* Keep the alphabetically first name as the root. */
			r = grp_name_cmp(c, g, h) <= 0 ? g : h;
			c->g[g == r ? h : g].parent = r;
			c->g[r].have_common = 0;
			(*nmerged)++;
			changed = 1;
		}
	}
	return 0;
}

/* --- selector search ---------------------------------------------------- */

static const struct ctx *sort_ctx;	/* qsort has no user pointer */

static int
cand_cmp(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	int rx = sort_ctx->rank[x], ry = sort_ctx->rank[y];

	if (rx != ry)
		return rx < ry ? -1 : 1;
	return strcmp(strmap_key(sort_ctx->pairs, x, NULL),
	    strmap_key(sort_ctx->pairs, y, NULL));
}

static int
append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	char *p;

	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		if ((p = realloc(*buf, *cap)) == NULL)
			return -1;
		*buf = p;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

static int
selector_text(const struct ctx *c, const long *ids, size_t n, char **out)
{
	char *buf = NULL;
	size_t len = 0, cap = 0, i, klen;
	const char *pair, *eq;

	if (n == 0) {
		*out = strdup("all()");
		return *out ? 0 : fp_error("learn: out of memory");
	}
	for (i = 0; i < n; i++) {
		pair = strmap_key(c->pairs, ids[i], NULL);
		eq = strchr(pair, '=');
		klen = (size_t)(eq - pair);
		if ((i > 0 && append(&buf, &len, &cap, " && ", 4) < 0) ||
		    append(&buf, &len, &cap, pair, klen) < 0 ||
		    append(&buf, &len, &cap, " == '", 5) < 0 ||
		    append(&buf, &len, &cap, eq + 1, strlen(eq + 1)) < 0 ||
		    append(&buf, &len, &cap, "'", 1) < 0) {
			free(buf);
			return fp_error("learn: out of memory");
		}
	}
	*out = buf;
	return 0;
}

/*
 * The smallest subset of the root's common pairs (in preference order)
 * that no other state of the namespace contains.
 */
static int
search_selector(struct ctx *c, size_t r, size_t s0, size_t s1, char **out,
    int *exact)
{
	struct grp *g = &c->g[r];
	size_t m = g->ncommon, nother = 0, words, i, j, k, w, tried = 0;
	uint64_t *bits = NULL, acc;
	long *cand = NULL, *pick = NULL;
	size_t *idx = NULL, *other = NULL;
	int found = 0, ret = -1;

	if ((cand = malloc((m + 1) * sizeof(long))) == NULL ||
	    (pick = malloc((m + 1) * sizeof(long))) == NULL ||
	    (idx = malloc((m + 1) * sizeof(size_t))) == NULL ||
	    (other = malloc((s1 - s0 + 1) * sizeof(size_t))) == NULL)
		goto oom;
	memcpy(cand, g->common, m * sizeof(long));
	sort_ctx = c;
	qsort(cand, m, sizeof(long), cand_cmp);
	for (i = s0; i < s1; i++)
		if (root(c, c->s[i].grp) != r)
			other[nother++] = i;
	words = (nother + 63) / 64;
	if ((bits = calloc(m * words + 1, sizeof(uint64_t))) == NULL)
		goto oom;
	for (j = 0; j < m; j++)
		for (i = 0; i < nother; i++)
			if (subset(&cand[j], 1, c->s[other[i]].ids, c->s[other[i]].n))
				bits[j * words + i / 64] |= (uint64_t)1 << (i % 64);
	/* Even every common label matches another pod: no exact selector. */
	*exact = 1;
	for (w = 0; w < words; w++) {
		acc = ~(uint64_t)0;
		for (j = 0; j < m; j++)
			acc &= bits[j * words + w];
		if (nother > 0 && acc != 0) {
			*exact = 0;
			tried = SEARCH_BUDGET;
			break;
		}
	}
	for (k = 1; k <= m && !found && tried < SEARCH_BUDGET; k++) {
		for (i = 0; i < k; i++)
			idx[i] = i;
		for (;;) {
			tried++;
			for (w = 0, acc = 0; w < words && acc == 0; w++) {
				acc = ~(uint64_t)0;
				for (i = 0; i < k; i++)
					acc &= bits[idx[i] * words + w];
			}
			if (acc == 0) {
				found = 1;
				break;
			}
			if (tried >= SEARCH_BUDGET)
				break;
			/* next combination in lexicographic order */
			for (i = k; i-- > 0;)
				if (idx[i] < m - k + i)
					break;
			if (i == (size_t)-1)
				break;
			idx[i]++;
			for (j = i + 1; j < k; j++)
				idx[j] = idx[j - 1] + 1;
		}
	}
	if (m == 0 || !found) {
		/* nothing or too many to search: all common labels separate */
		for (i = 0; i < m; i++)
			idx[i] = i;
		k = m;
	} else {
		k--;
	}
	for (i = 0; i < k; i++)
		pick[i] = cand[idx[i]];
	ret = selector_text(c, pick, k, out);
	goto out;
oom:
	fp_error("learn: out of memory");
out:
	free(bits);
	free(cand);
	free(pick);
	free(idx);
	free(other);
	return ret;
}

/* --- building ----------------------------------------------------------- */

static struct cl_pod *qsort_pods;

static int
pod_order(const void *a, const void *b)
{
	const struct cl_pod *x = &qsort_pods[*(const size_t *)a];
	const struct cl_pod *y = &qsort_pods[*(const size_t *)b];
	int r;

	if ((r = strcmp(x->ns, y->ns)) != 0 ||
	    (r = strcmp(x->ctrl_name, y->ctrl_name)) != 0 ||
	    (r = strcmp(x->ctrl_kind, y->ctrl_kind)) != 0)
		return r;
	return strcmp(x->uid, y->uid);
}

static int
wl_cmp(const void *a, const void *b)
{
	const struct cl_workload *x = a, *y = b;
	int r = strcmp(x->ns, y->ns);

	return r ? r : strcmp(x->name, y->name);
}

/* "a+b" style join of sorted unique strings. */
static char *
join_sorted(char **v, size_t n, const char *sep)
{
	char *buf = NULL;
	size_t len = 0, cap = 0, i;

	qsort(v, n, sizeof(*v), fp_cmp_str);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(v[i], v[i - 1]) == 0)
			continue;
		if ((len > 0 && append(&buf, &len, &cap, sep, strlen(sep)) < 0) ||
		    append(&buf, &len, &cap, v[i], strlen(v[i])) < 0) {
			free(buf);
			return NULL;
		}
	}
	return buf ? buf : strdup("");
}

/*
 * A merged workload is named "a+b" (sorted names joined), or "a+N-more"
 * when that would exceed MERGED_NAME_MAX characters.
 */
#define MERGED_NAME_MAX 120

static char *
merged_name(char **names, size_t n)
{
	char *joined = join_sorted(names, n, "+"), *short_name;
	size_t len;

	if (joined == NULL || strlen(joined) <= MERGED_NAME_MAX)
		return joined;
	free(joined);
	/* join_sorted sorted names[]: names[0] is the first. */
	len = strlen(names[0]) + 32;
	if ((short_name = malloc(len)) != NULL)
		snprintf(short_name, len, "%s+%zu-more", names[0], n - 1);
	return short_name;
}

static char *
lower_dup(const char *s)
{
	char *d = strdup(s), *p;

	for (p = d; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

/* Groups: one per (namespace, controller name, kind), pods in `order`. */
static int
make_groups(struct ctx *c, struct cl_pod *pods, const size_t *order)
{
	size_t i;

	for (i = 0; i < c->npods; i++) {
		struct cl_pod *p = &pods[order[i]], *q = i ? &pods[order[i - 1]] : NULL;

		if (q == NULL || strcmp(p->ns, q->ns) != 0 ||
		    strcmp(p->ctrl_name, q->ctrl_name) != 0 ||
		    strcmp(p->ctrl_kind, q->ctrl_kind) != 0) {
			struct grp *g = &c->g[c->ng];

			g->ns = p->ns;
			g->kind = p->ctrl_kind;
			g->parent = c->ng;
			/* Same name, another kind: "<name>-<kind>". */
			if (q != NULL && strcmp(p->ns, q->ns) == 0 &&
			    strcmp(p->ctrl_name, q->ctrl_name) == 0) {
				char *lk = lower_dup(p->ctrl_kind);
				size_t n = strlen(p->ctrl_name) + (lk ? strlen(lk) : 0) + 2;

				if (lk == NULL || (g->name = malloc(n)) == NULL) {
					free(lk);
					return fp_error("learn: out of memory");
				}
				snprintf(g->name, n, "%s-%s", p->ctrl_name, lk);
				free(lk);
			} else if ((g->name = strdup(p->ctrl_name)) == NULL) {
				return fp_error("learn: out of memory");
			}
			c->ng++;
		}
		p->wl = c->ng - 1;
		c->g[c->ng - 1].npods++;
	}
	return 0;
}

/* States in pod order (grouped by namespace through `order`). */
static int
states_in_order(struct ctx *c, struct cl_pod *pods, const size_t *order)
{
	struct cl_pod *sorted = malloc((c->npods + 1) * sizeof(*sorted));
	size_t i;
	int ret;

	if (sorted == NULL)
		return fp_error("learn: out of memory");
	for (i = 0; i < c->npods; i++)
		sorted[i] = pods[order[i]];
	c->pods = sorted;
	ret = make_states(c);
	c->pods = pods;
	free(sorted);
	return ret;
}

/* The next namespace's groups [g0, *g1) and states [s0, *s1). */
static void
ns_span(const struct ctx *c, size_t g0, size_t s0, size_t *g1, size_t *s1)
{
	for (*g1 = g0; *g1 < c->ng && strcmp(c->g[*g1].ns, c->g[g0].ns) == 0;
	    (*g1)++)
		;
	for (*s1 = s0; *s1 < c->ns && c->s[*s1].grp < *g1; (*s1)++)
		;
}

/* Scratch for naming a workload from its groups (c->ng entries each). */
struct wl_scratch {
	char **names, **kinds, **mems;
};

/*
 * Workload x from root group gi and the groups of [g0, g1) merged into it:
 * its selector (searched over the namespace's states [s0, s1)), name,
 * kind, members and pods; the learner's notes say when it is inexact or
 * merged.
 */
static int
make_workload(struct ctx *c, size_t gi, size_t g0, size_t g1, size_t s0,
    size_t s1, struct wl_scratch *sc, struct cl_workload *x)
{
	const struct cl_opts *o = c->o;
	char mem[600];
	size_t j, m = 0;
	int ret = -1;

	if (common_of(c, gi, s0, s1) < 0 ||
	    search_selector(c, gi, s0, s1, &x->selector, &x->exact) < 0)
		return -1;
	for (j = g0; j < g1; j++) {
		if (root(c, j) != gi)
			continue;
		sc->names[m] = c->g[j].name;
		sc->kinds[m] = (char *)c->g[j].kind;
		snprintf(mem, sizeof(mem), "%s/%s", c->g[j].kind, c->g[j].name);
		if ((sc->mems[m] = strdup(mem)) == NULL)
			goto oom;
		x->pods += c->g[j].npods;
		m++;
	}
	if ((x->ns = strdup(c->g[gi].ns)) == NULL ||
	    (x->name = merged_name(sc->names, m)) == NULL ||
	    (x->kind = join_sorted(sc->kinds, m, "+")) == NULL ||
	    (x->members = join_sorted(sc->mems, m, ",")) == NULL)
		goto oom;
	/* learner/graph.c says which others an inexact one selects. */
	if (m > 1 && o->notes != NULL)
		fprintf(o->notes, "flowpol: learn: namespace '%s': no stable "
		    "label set tells %s%s apart: merged into workload '%s' "
		    "(selector %s)\n", x->ns, fp_clamp(x->members, 300),
		    strlen(x->members) > 300 ? "..." : "", x->name,
		    x->selector);
	ret = 0;
	goto out;
oom:
	fp_error("learn: out of memory");
out:
	for (j = 0; j < m; j++) {
		free(sc->mems[j]);
		sc->mems[j] = NULL;
	}
	return ret;
}

/* Sort the workloads and remap the pods' indices into them. */
static int
sort_workloads(struct cl_workload *w, size_t nw, struct cl_pod *pods,
    size_t npods)
{
	size_t *perm = malloc((nw + 1) * sizeof(*perm)), i;
	struct cl_workload *tmp = malloc((nw + 1) * sizeof(*tmp));

	if (perm == NULL || tmp == NULL) {
		free(perm);
		free(tmp);
		return fp_error("learn: out of memory");
	}
	for (i = 0; i < nw; i++) {
		tmp[i] = w[i];
		tmp[i].pods = i;	/* remember the old index */
	}
	qsort(tmp, nw, sizeof(*tmp), wl_cmp);
	for (i = 0; i < nw; i++) {
		perm[tmp[i].pods] = i;
		tmp[i].pods = w[tmp[i].pods].pods;
	}
	memcpy(w, tmp, nw * sizeof(*w));
	for (i = 0; i < npods; i++)
		pods[i].wl = perm[pods[i].wl];
	free(perm);
	free(tmp);
	return 0;
}

int
cluster_build(struct cl_pod *pods, size_t npods, const struct cl_ctrl *ctrls,
    size_t nctrls, const struct cl_opts *o, struct cl_workload **out,
    size_t *nout, size_t *nmerged)
{
	struct ctx c;
	struct cl_workload *w = NULL;
	struct wl_scratch sc = { NULL, NULL, NULL };
	size_t *order = NULL, *wl_of = NULL, i, g0, g1, s0, s1, nw = 0, gi;
	const struct cl_ctrl **cidx = NULL;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	c.pods = pods;
	c.npods = npods;
	c.o = o;
	*out = NULL;
	*nout = *nmerged = 0;
	if ((c.pairs = strmap_new()) == NULL ||
	    (order = malloc((npods + 1) * sizeof(*order))) == NULL ||
	    (c.g = calloc(npods + 1, sizeof(*c.g))) == NULL ||
	    (cidx = calloc(nctrls + 1, sizeof(*cidx))) == NULL)
		goto oom;
	for (i = 0; i < nctrls; i++)
		cidx[i] = &ctrls[i];
	if (nctrls > 1)
		qsort(cidx, nctrls, sizeof(*cidx), ctrl_cmp);
	for (i = 0; i < npods; i++) {
		controller_of(&pods[i], cidx, nctrls);
		order[i] = i;
	}
	qsort_pods = pods;
	qsort(order, npods, sizeof(*order), pod_order);
	if (make_groups(&c, pods, order) < 0 ||
	    states_in_order(&c, pods, order) < 0)
		goto out;
	/* Per namespace: merge, then search selectors. */
	for (g0 = 0, s0 = 0; g0 < c.ng; g0 = g1, s0 = s1) {
		ns_span(&c, g0, s0, &g1, &s1);
		if (merge_ns(&c, g0, g1, s0, s1, nmerged) < 0)
			goto out;
	}
	if ((w = calloc(c.ng + 1, sizeof(*w))) == NULL ||
	    (wl_of = malloc((c.ng + 1) * sizeof(*wl_of))) == NULL ||
	    (sc.names = calloc(c.ng + 1, sizeof(*sc.names))) == NULL ||
	    (sc.kinds = calloc(c.ng + 1, sizeof(*sc.kinds))) == NULL ||
	    (sc.mems = calloc(c.ng + 1, sizeof(*sc.mems))) == NULL)
		goto oom;
	for (g0 = 0, s0 = 0; g0 < c.ng; g0 = g1, s0 = s1) {
		ns_span(&c, g0, s0, &g1, &s1);
		for (gi = g0; gi < g1; gi++) {
			if (root(&c, gi) != gi)
				continue;
			wl_of[gi] = nw;
			if (make_workload(&c, gi, g0, g1, s0, s1, &sc, &w[nw++]) < 0)
				goto out;
		}
	}
	for (i = 0; i < npods; i++)
		pods[i].wl = wl_of[root(&c, pods[i].wl)];
	if (sort_workloads(w, nw, pods, npods) < 0)
		goto out;
	*out = w;
	*nout = nw;
	w = NULL;
	ret = 0;
	goto out;
oom:
	fp_error("learn: out of memory");
out:
	if (w != NULL)
		cluster_free(w, nw);
	free(sc.mems);
	free(sc.names);
	free(sc.kinds);
	free(wl_of);
	free(order);
	free(cidx);
	for (i = 0; i < c.ng; i++) {
		free(c.g[i].name);
		free(c.g[i].common);
	}
	free(c.g);
	for (i = 0; i < c.ns; i++)
		free(c.s[i].ids);
	free(c.s);
	free(c.rank);
	strmap_free(c.pairs);
	return ret;
}

void
cluster_free(struct cl_workload *w, size_t n)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(w[i].ns);
		free(w[i].name);
		free(w[i].kind);
		free(w[i].selector);
		free(w[i].members);
	}
	free(w);
}
