#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/proto.h"
#include "common/strbuf.h"
#include "policy/calver.h"
#include "policy/evaluate.h"
#include "policy/intern.h"
#include "policy/selector.h"
#include "common/banned.h"

#define LABEL_NS "projectcalico.org/namespace"
#define LABEL_SA "projectcalico.org/serviceaccount"
#define LABEL_ORCH "projectcalico.org/orchestrator"

/* --- endpoints -------------------------------------------------------- */

void
pe_endpoint_init(struct pe_endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
}

void
pe_endpoint_release(struct pe_endpoint *ep)
{
	size_t i;

	if (ep == NULL)
		return;
	free(ep->namespace);
	free(ep->name);
	free(ep->service_account);
	labels_release(&ep->labels);
	labels_release(&ep->ns_labels);
	labels_release(&ep->sa_labels);
	labels_release(&ep->sel_labels);
	free(ep->bound_ranks);
	for (i = 0; i < ep->n_named_ports; i++)
		free(ep->named_ports[i].name);
	free(ep->named_ports);
	free(ep->node);
	for (i = 0; i < ep->n_services; i++) {
		free(ep->services[i].namespace);
		free(ep->services[i].name);
	}
	free(ep->services);
	pe_endpoint_init(ep);
}

int
pe_endpoint_add_service(struct pe_endpoint *ep, const char *ns,
    const char *name, int proto, int port)
{
	struct pe_svc_member *m;

	m = realloc(ep->services, (ep->n_services + 1) * sizeof(*m));
	if (m == NULL)
		return fp_error("endpoint: out of memory");
	ep->services = m;
	m = &m[ep->n_services];
	m->proto = proto;
	m->port = port;
	if ((m->namespace = strdup(ns)) == NULL ||
	    (m->name = strdup(name)) == NULL) {
		free(m->namespace);
		return fp_error("endpoint: out of memory");
	}
	ep->n_services++;
	ep->services_known = 1;
	return 0;
}

int
pe_endpoint_add_named_port(struct pe_endpoint *ep, const char *name,
    int proto, int port)
{
	struct pe_named_port *np;

	np = realloc(ep->named_ports, (ep->n_named_ports + 1) * sizeof(*np));
	if (np == NULL)
		return fp_error("endpoint: out of memory");
	ep->named_ports = np;
	if ((np[ep->n_named_ports].name = strdup(name)) == NULL)
		return fp_error("endpoint: out of memory");
	np[ep->n_named_ports].proto = proto;
	np[ep->n_named_ports].port = port;
	ep->n_named_ports++;
	ep->named_ports_known = 1;
	return 0;
}

static int
add_prefixed(struct labels *out, const char *prefix, const struct labels *in)
{
	struct strbuf b = STRBUF_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; i < in->n && ret == 0; i++) {
		b.len = 0;
		sb_adds(&b, prefix);
		sb_adds(&b, in->v[i].key);
		if (b.oom)
			ret = fp_error("endpoint: out of memory");
		else
			ret = labels_set(out, sb_str(&b), in->v[i].value);
	}
	sb_release(&b);
	return ret;
}

int
pe_endpoint_prepare(struct pe_endpoint *ep)
{
	struct labels *l = &ep->sel_labels;
	const char *sa = ep->service_account ? ep->service_account : "default";
	size_t i;

	labels_release(l);
	ep->prepared = 1;
	ep->bound = NULL;	/* labels change what applies */
	if (ep->kind != PE_EP_POD)
		return 0;
	/* Profile labels first; the endpoint's own labels win on a clash. */
	if (add_prefixed(l, "pcns.", &ep->ns_labels) < 0 ||
	    labels_set(l, "pcns.projectcalico.org/name",
	    ep->namespace ? ep->namespace : "") < 0 ||
	    (labels_get(&ep->ns_labels, "kubernetes.io/metadata.name") == NULL &&
	    labels_set(l, "pcns.kubernetes.io/metadata.name",
	    ep->namespace ? ep->namespace : "") < 0) ||
	    add_prefixed(l, "pcsa.", &ep->sa_labels) < 0 ||
	    labels_set(l, "pcsa.projectcalico.org/name", sa) < 0)
		return -1;
	for (i = 0; i < ep->labels.n; i++) {
		const char *k = ep->labels.v[i].key;

		/* Anti-spoofing: Calico drops these from pods (WEPPROC.go). */
		if (strncmp(k, "pcns.", 5) == 0 || strncmp(k, "pcsa.", 5) == 0)
			continue;
		if (labels_set(l, k, ep->labels.v[i].value) < 0)
			return -1;
	}
	if (labels_set(l, LABEL_NS, ep->namespace ? ep->namespace : "") < 0 ||
	    labels_set(l, LABEL_ORCH, "k8s") < 0 ||
	    labels_set(l, LABEL_SA, sa) < 0)
		return -1;
	return 0;
}

/* --- preparing the set ----------------------------------------------- */

static char *
str_replace_all(const char *s, const char *from, const char *to)
{
	struct strbuf b = STRBUF_INIT;
	size_t fl = strlen(from);
	const char *p;

	while ((p = strstr(s, from)) != NULL) {
		sb_addn(&b, s, (size_t)(p - s));
		sb_adds(&b, to);
		s = p + fl;
	}
	sb_adds(&b, s);
	return sb_detach(&b);
}

/* parseSelectorAttachPrefix: canonical text with every label prefixed. */
static char *
prefixed(const char *s, const char *prefix)
{
	struct sel *p = NULL;
	char *t = NULL;

	if (sel_parse(s, &p, NULL) < 0)
		return NULL;
	if (sel_prefix(p, prefix) == 0)
		t = sel_format(p);
	sel_free(p);
	return t;
}

/* prefixAndAppendSelector */
static char *
prefix_append(char *cur, const char *add, const char *prefix)
{
	char *pre, *out;
	struct strbuf b = STRBUF_INIT;

	if (add == NULL || *add == '\0')
		return cur;
	if ((pre = prefixed(add, prefix)) == NULL) {
		free(cur);
		return NULL;
	}
	if (cur != NULL && *cur != '\0') {
		sb_addf(&b, "(%s) && %s", cur, pre);
		out = sb_detach(&b);
		free(pre);
	} else {
		out = pre;
	}
	free(cur);
	return out;
}

/*
 * prefix_append for a global policy's namespace or service account
 * selector: when one is given, all() in the result is narrowed to scoped
 * endpoints (all_is). Consumes cur; NULL on failure (cur NULL too).
 */
static char *
prefix_append_scoped(char *cur, const char *add, const char *prefix,
    const char *all_is)
{
	char *t;

	if (cur == NULL || add == NULL || *add == '\0')
		return cur;
	if ((cur = prefix_append(cur, add, prefix)) == NULL)
		return NULL;
	t = str_replace_all(cur, "all()", all_is);
	free(cur);
	return t;
}

static int
compile_text(const char *text, struct sel **out, const struct pe_policy *p)
{
	if (text == NULL)
		return fp_error("%s:%d: out of memory", p->file, p->line);
	if (sel_parse(text, out, NULL) < 0)
		return fp_error_prefix("%s:%d: compiled selector '%s'",
		    fp_clamp(p->file, 200), p->line, fp_clamp(text, 200));
	return 0;
}

/*
 * compile_text, once per distinct text in the set: *out is the set's
 * shared compiled selector (ps->c_sels owns it; pe_entity.c_shared).
 */
static int
compile_shared(struct pe_policyset *ps, const char *text, struct sel **out,
    const struct pe_policy *p)
{
	struct pe_ient *ent;
	const void *data;

	if ((ent = pe_intern(&ps->c_sels, 0, text, strlen(text), &data)) ==
	    NULL)
		return fp_error("%s:%d: out of memory", p->file, p->line);
	if (ent->val == NULL && compile_text(text, (struct sel **)&ent->val,
	    p) < 0)
		return -1;
	*out = ent->val;
	return 0;
}

static void
sel_free_void(void *s)
{
	sel_free(s);
}

/* The applicability selector (GNPPROC.go, NPPROC.go). */
static int
compile_policy_selector(struct pe_policy *p)
{
	char *s = strdup(p->selector ? p->selector : "");
	int ret;

	if (s == NULL)
		return fp_error("out of memory");
	if (pe_kind_is_namespaced(p->kind)) {
		struct strbuf b = STRBUF_INIT;

		if (*s == '\0')
			sb_addf(&b, LABEL_NS " == '%s'", p->namespace);
		else
			sb_addf(&b, "(%s) && " LABEL_NS " == '%s'", s,
			    p->namespace);
		free(s);
		s = sb_detach(&b);
		s = prefix_append(s, p->sa_selector, "pcsa.");
	} else {
		s = prefix_append_scoped(s, p->ns_selector, "pcns.",
		    "has(" LABEL_NS ")");
		s = prefix_append_scoped(s, p->sa_selector, "pcsa.",
		    "has(" LABEL_SA ")");
	}
	ret = compile_text(s, &p->c_sel, p);
	free(s);
	return ret;
}

/* parseServiceAccounts */
static char *
sa_selector(const struct pe_entity *e)
{
	struct strbuf b = STRBUF_INIT;
	char *upd = NULL, *names;
	size_t i;

	if (PE_MORE(e)->sa_selector != NULL && *PE_MORE(e)->sa_selector != '\0')
		if ((upd = prefixed(PE_MORE(e)->sa_selector, "pcsa.")) == NULL)
			return NULL;
	if (PE_MORE(e)->n_sa_names == 0)
		return upd ? upd : strdup("");
	sb_adds(&b, LABEL_SA " in { '");
	for (i = 0; i < PE_MORE(e)->n_sa_names; i++) {
		if (i > 0)
			sb_adds(&b, "', '");
		sb_adds(&b, PE_MORE(e)->sa_names[i]);
	}
	sb_adds(&b, "' }");
	names = sb_detach(&b);
	if (names == NULL) {
		free(upd);
		return NULL;
	}
	{
		char *canon = prefixed(names, "");

		free(names);
		if (canon == NULL) {
			free(upd);
			return NULL;
		}
		names = canon;
	}
	if (upd != NULL && *upd != '\0') {
		sb_addf(&b, "(%s) && (%s)", upd, names);
		free(names);
		names = sb_detach(&b);
	}
	free(upd);
	return names;
}

/* getEndpointSelector (RULES.go); ns is NULL for global policies. */
static char *
entity_selector(const struct pe_entity *e, const char *ns)
{
	struct strbuf b = STRBUF_INIT;
	char *nssel = NULL, *sasel, *sel = NULL, *t;
	const char *nsraw = e->ns_selector ? e->ns_selector : "";
	const char *epsel = e->selector ? e->selector : "";
	const char *notsel = PE_MORE(e)->not_selector ? PE_MORE(e)->not_selector : "";

	if (*nsraw != '\0') {
		if ((nssel = prefixed(nsraw, "pcns.")) == NULL)
			return NULL;
		t = str_replace_all(nssel, "all()", "has(" LABEL_NS ")");
		free(nssel);
		if (t == NULL)
			return NULL;
		nssel = str_replace_all(t, "global()", "!has(" LABEL_NS ")");
		free(t);
	} else if (ns != NULL) {
		sb_addf(&b, LABEL_NS " == '%s'", ns);
		nssel = sb_detach(&b);
	} else {
		nssel = strdup("");
	}
	if (nssel == NULL)
		return NULL;
	sasel = PE_MORE(e)->has_sa ? sa_selector(e) : strdup("");
	if (sasel == NULL) {
		free(nssel);
		return NULL;
	}
	if (*sasel != '\0' && *epsel != '\0')
		sb_addf(&b, "(%s) && (%s)", sasel, epsel);
	else if (*sasel != '\0')
		sb_adds(&b, sasel);
	else
		sb_adds(&b, epsel);
	sel = sb_detach(&b);
	if (sel != NULL && *nssel != '\0' &&
	    (*sel != '\0' || *notsel != '\0' || *nsraw != '\0')) {
		if (*sel != '\0')
			sb_addf(&b, "(%s) && (%s)", nssel, sel);
		else
			sb_adds(&b, nssel);
		free(sel);
		sel = sb_detach(&b);
	}
	free(nssel);
	free(sasel);
	return sel;
}

static int
compile_entity(struct pe_policyset *ps, struct pe_entity *e,
    const struct pe_policy *p)
{
	char *s = entity_selector(e, p->namespace);
	int ret = 0;

	if (s == NULL)
		return fp_error("%s:%d: out of memory", p->file, p->line);
	e->c_shared = 1;
	if (*s != '\0')
		ret = compile_shared(ps, s, &e->c_sel, p);
	free(s);
	if (ret == 0 && e->more != NULL && e->more->not_selector != NULL &&
	    *e->more->not_selector != '\0')
		ret = compile_shared(ps, e->more->not_selector,
		    &e->more->c_not_sel, p);
	return ret;
}

static int
default_types(const struct pe_policy *p, enum pe_types_mode mode)
{
	if (p->types != 0)
		return p->types;
	if (mode == PE_TYPES_FELIX)
		return PE_TYPE_INGRESS | PE_TYPE_EGRESS;
	/* DEFAULTS.go defaultPolicyTypesField */
	if (p->n_egress > 0 && p->n_ingress == 0)
		return PE_TYPE_EGRESS;
	if (p->n_egress > 0)
		return PE_TYPE_INGRESS | PE_TYPE_EGRESS;
	return PE_TYPE_INGRESS;
}

/*
 * The tiers a release creates itself (calver.h): an admin tier at 1000
 * and a baseline tier at 10,000,000, both defaultAction Pass, around
 * default at 1,000,000 (tier.go).
 */
static size_t
builtin_tiers(const struct pe_policyset *ps, const char *names[3],
    double orders[3], int pass[3])
{
	const struct pe_calver *v = pe_calver_get(ps->calico_version);
	size_t n = 0;

	if (v == NULL)
		v = pe_calver_get(0);
	if (v->admin_tier != NULL) {
		names[n] = v->admin_tier;
		orders[n] = 1000;
		pass[n++] = 1;
	}
	names[n] = "default";
	orders[n] = 1000000;
	pass[n++] = 0;
	if (v->baseline_tier != NULL) {
		names[n] = v->baseline_tier;
		orders[n] = 10000000;
		pass[n++] = 1;
	}
	return n;
}

/* SORTER.go TierLess */
static int
tier_cmp(const void *a, const void *b)
{
	const struct pe_ctier *x = a, *y = b;

	if (x->valid != y->valid)
		return x->valid ? -1 : 1;
	if (x->has_order != y->has_order)
		return x->has_order ? -1 : 1;
	if (x->has_order && x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return strcmp(x->name, y->name);
}

static const struct pe_policyset *sort_ps;	/* for qsort */

static void
policy_key(const struct pe_policy *p, struct strbuf *b)
{
	const struct pe_calver *v = pe_calver_get(sort_ps->calico_version);

	b->len = 0;
	if (v != NULL && !v->tiebreak_kind) {
		/* up to 3.31 the v1 key's name: "<ns>/<name>" or "<name>" */
		if (p->namespace != NULL) {
			sb_adds(b, p->namespace);
			sb_addc(b, '/');
		}
		sb_adds(b, p->name);
		return;
	}
	sb_adds(b, p->name);
	sb_addc(b, '/');
	sb_adds(b, p->namespace ? p->namespace : "");
	sb_addc(b, '/');
	sb_adds(b, pe_kind_name(p->kind));
}

/* SORTER.go PolKVLess: order (+Inf when unset), then the key bytes. */
static int
policy_cmp(const void *a, const void *b)
{
	const struct pe_policy *x = &sort_ps->policies[*(const size_t *)a];
	const struct pe_policy *y = &sort_ps->policies[*(const size_t *)b];
	double ox = x->has_order ? x->order : INFINITY;
	double oy = y->has_order ? y->order : INFINITY;
	struct strbuf kx = STRBUF_INIT, ky = STRBUF_INIT;
	int c;

	if (ox != oy)
		return ox < oy ? -1 : 1;
	policy_key(x, &kx);
	policy_key(y, &ky);
	c = strcmp(sb_str(&kx), sb_str(&ky));
	sb_release(&kx);
	sb_release(&ky);
	return c;
}

/* Drop what prepare compiled for e (the set's c_sels owns it, or e). */
static void
entity_release_compiled(struct pe_entity *e)
{
	if (!e->c_shared) {
		sel_free(e->c_sel);
		if (e->more != NULL)
			sel_free(e->more->c_not_sel);
	}
	e->c_sel = NULL;
	if (e->more != NULL)
		e->more->c_not_sel = NULL;
}

void
pe_policyset_release_compiled(struct pe_policyset *ps)
{
	size_t i, j;

	for (i = 0; i < ps->n_ctiers; i++)
		free(ps->c_tiers[i].pols);
	free(ps->c_tiers);
	ps->c_tiers = NULL;
	ps->n_ctiers = 0;
	free(ps->c_selidx);
	free(ps->c_unindexed);
	free(ps->c_rank);
	free(ps->c_order);
	free(ps->c_tier_of);
	ps->c_selidx = NULL;
	ps->c_unindexed = ps->c_rank = ps->c_order = ps->c_tier_of = NULL;
	ps->n_selidx = ps->n_unindexed = 0;
	free(ps->c_nets);
	ps->c_nets = NULL;
	ps->n_cnets = ps->n_netpfx = 0;
	if (ps->c_netset_labels != NULL) {
		for (i = 0; i < ps->n_netsets; i++)
			labels_release(&ps->c_netset_labels[i]);
		free(ps->c_netset_labels);
		ps->c_netset_labels = NULL;
	}
	for (i = 0; i < ps->n_policies; i++) {
		struct pe_policy *p = &ps->policies[i];

		for (j = 0; j < 2; j++) {
			free(p->c_ridx[j]);
			free(p->c_runidx[j]);
			p->c_ridx[j] = NULL;
			p->c_runidx[j] = NULL;
			p->n_ridx[j] = p->n_runidx[j] = 0;
		}
		sel_free(p->c_sel);
		p->c_sel = NULL;
		for (j = 0; j < p->n_ingress + p->n_egress; j++) {
			struct pe_rule *r = j < p->n_ingress ? &p->ingress[j] :
			    &p->egress[j - p->n_ingress];

			entity_release_compiled(&r->src);
			entity_release_compiled(&r->dst);
			r->src.c_shared = r->dst.c_shared = 0;
		}
	}
	pe_intern_free(ps->c_sels, sel_free_void);
	ps->c_sels = NULL;
	ps->prepared = 0;
}

static struct pe_ctier *
find_ctier(struct pe_policyset *ps, const char *name)
{
	size_t i;

	for (i = 0; i < ps->n_ctiers; i++)
		if (strcmp(ps->c_tiers[i].name, name) == 0)
			return &ps->c_tiers[i];
	return NULL;
}

static struct pe_ctier *
add_ctier(struct pe_policyset *ps, const char *name, size_t cap)
{
	struct pe_ctier *t;

	if (ps->n_ctiers >= cap)
		return NULL;
	t = &ps->c_tiers[ps->n_ctiers++];
	memset(t, 0, sizeof(*t));
	t->name = name;
	return t;
}

/* A staged policy that changes the staged view: Set (default) or Delete. */
static int
staged_acts(const struct pe_policy *q)
{
	return q->staged_action == NULL ||
	    strcmp(q->staged_action, "Set") == 0 ||
	    strcmp(q->staged_action, "Delete") == 0;
}

/* Staged policies that act (Set or Delete), by namespacedness and name. */
static int
staged_cmp(const void *a, const void *b)
{
	const struct pe_policy *x = &sort_ps->policies[*(const size_t *)a];
	const struct pe_policy *y = &sort_ps->policies[*(const size_t *)b];
	int c = pe_kind_is_namespaced(x->kind) - pe_kind_is_namespaced(y->kind);

	if (c == 0)
		c = strcmp(x->name, y->name);
	if (c == 0)
		c = *(const size_t *)a < *(const size_t *)b ? -1 :
		    *(const size_t *)a > *(const size_t *)b;
	return c;
}

/*
 * c_staged_replaced for every enforced policy: whether an acting staged
 * policy of the same name (and namespace) stands in for it. Sorted, then
 * binary search: n log n rather than every pair. 0 or -1 (out of memory).
 */
static int
mark_staged_replaced(struct pe_policyset *ps)
{
	size_t *st, ns = 0, i, lo, hi, mid;

	for (i = 0; i < ps->n_policies; i++)
		ps->policies[i].c_staged_replaced = 0;
	if ((st = malloc((ps->n_policies + 1) * sizeof(*st))) == NULL)
		return -1;
	for (i = 0; i < ps->n_policies; i++)
		if (pe_kind_is_staged(ps->policies[i].kind) &&
		    staged_acts(&ps->policies[i]))
			st[ns++] = i;
	sort_ps = ps;
	qsort(st, ns, sizeof(*st), staged_cmp);
	sort_ps = NULL;
	for (i = 0; i < ps->n_policies && ns > 0; i++) {
		struct pe_policy *p = &ps->policies[i];
		int nsd = pe_kind_is_namespaced(p->kind);

		/* Staged Kubernetes kinds are not read: converted ones stay. */
		if (pe_kind_is_staged(p->kind) || p->source_kind != NULL)
			continue;
		/* The first staged entry not before (nsd, name). */
		lo = 0;
		hi = ns;
		while (lo < hi) {
			const struct pe_policy *q;
			int c;

			mid = lo + (hi - lo) / 2;
			q = &ps->policies[st[mid]];
			c = pe_kind_is_namespaced(q->kind) - nsd;
			if (c == 0)
				c = strcmp(q->name, p->name);
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < ns; lo++) {
			const struct pe_policy *q = &ps->policies[st[lo]];

			if (pe_kind_is_namespaced(q->kind) != nsd ||
			    strcmp(q->name, p->name) != 0)
				break;
			if (!p->namespace ||
			    strcmp(q->namespace, p->namespace) == 0) {
				p->c_staged_replaced = 1;
				break;
			}
		}
	}
	free(st);
	return 0;
}

/* Each policy's rank in evaluation order, the policy at each rank, its tier. */
static int
rank_policies(struct pe_policyset *ps)
{
	size_t n = ps->n_policies + 1, ti, pi, k = 0;

	ps->c_rank = malloc(n * sizeof(size_t));
	ps->c_order = malloc(n * sizeof(size_t));
	ps->c_tier_of = malloc(n * sizeof(size_t));
	if (ps->c_rank == NULL || ps->c_order == NULL || ps->c_tier_of == NULL)
		return -1;
	for (ti = 0; ti < ps->n_ctiers; ti++) {
		for (pi = 0; pi < ps->c_tiers[ti].n_pols; pi++) {
			size_t idx = ps->c_tiers[ti].pols[pi];

			ps->c_rank[idx] = k;
			ps->c_order[k++] = idx;
			ps->c_tier_of[idx] = ti;
		}
	}
	return 0;
}

struct pe_selidx {
	const char *key, *value;	/* in the policy's compiled selector */
	size_t pol;
	size_t count;			/* policies requiring this pair */
};

static int
kv_cmp(const char *k1, const char *v1, const char *k2, const char *v2)
{
	int c = strcmp(k1, k2);

	return c != 0 ? c : strcmp(v1, v2);
}

static int
selidx_cmp(const void *a, const void *b)
{
	const struct pe_selidx *x = a, *y = b;
	int c = kv_cmp(x->key, x->value, y->key, y->value);

	if (c != 0)
		return c;
	return x->pol < y->pol ? -1 : x->pol > y->pol;
}

/* The equalities of one selector considered for the index. */
#define PE_MAX_EQS 16

/*
 * Index the policies that can apply to pods by the rarest label equality
 * their selector requires ("projectcalico.org/namespace == 'x'" for every
 * namespaced policy): binding an endpoint then visits only the policies
 * keyed by one of its labels, plus those that require no exact value.
 * Sorting makes this n log n in the policies. 0 or -1 (out of memory).
 */
static int
build_selidx(struct pe_policyset *ps)
{
	const char *keys[PE_MAX_EQS], *vals[PE_MAX_EQS];
	struct pe_selidx *all = NULL, *na;
	size_t *best = NULL, i, j, k, m, n = 0, cap = 0;

	ps->c_unindexed = malloc((ps->n_policies + 1) * sizeof(size_t));
	if ((best = malloc((ps->n_policies + 1) * sizeof(*best))) == NULL ||
	    ps->c_unindexed == NULL)
		goto oom;
	for (i = 0; i < ps->n_policies; i++) {
		const struct pe_policy *p = &ps->policies[i];

		best[i] = SIZE_MAX;
		if (!pe_policy_for_workloads(p) || p->c_types == 0)
			continue;	/* never applies to a pod */
		m = sel_required_eqs(p->c_sel, keys, vals, PE_MAX_EQS);
		if (m > PE_MAX_EQS)
			m = PE_MAX_EQS;
		if (m == 0) {
			ps->c_unindexed[ps->n_unindexed++] = i;
			continue;
		}
		if (n + m > cap) {
			cap = (n + m) * 2;
			if ((na = realloc(all, cap * sizeof(*all))) == NULL)
				goto oom;
			all = na;
		}
		for (j = 0; j < m; j++)
			all[n++] = (struct pe_selidx){ keys[j], vals[j], i, 0 };
	}
	if (n > 0)
		qsort(all, n, sizeof(*all), selidx_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && kv_cmp(all[i].key, all[i].value,
		    all[j].key, all[j].value) == 0; j++)
			;
		for (k = i; k < j; k++)
			all[k].count = j - i;
	}
	for (k = 0; k < n; k++)
		if (best[all[k].pol] == SIZE_MAX ||
		    all[k].count < all[best[all[k].pol]].count)
			best[all[k].pol] = k;
	for (k = 0, m = 0; k < n; k++)
		if (best[all[k].pol] == k)
			all[m++] = all[k];
	ps->c_selidx = all;
	ps->n_selidx = m;
	free(best);
	return 0;
oom:
	free(all);
	free(best);
	return -1;
}

static void
mask_ip(struct fp_ip *ip, int prefix)
{
	int i;

	for (i = 0; i < ip->len; i++) {
		int bits = prefix - i * 8;

		if (bits < 8)
			ip->a[i] &= bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
}

static int
netent_cmp3(int len, int prefix, const uint8_t *a, const struct pe_netent *e)
{
	int c;

	if (len != e->net.len)
		return len < e->net.len ? -1 : 1;
	if (prefix != e->prefix)
		return prefix < e->prefix ? -1 : 1;
	c = memcmp(a, e->net.a, (size_t)len);
	return c;
}

static int
netent_cmp(const void *a, const void *b)
{
	const struct pe_netent *x = a, *y = b;
	int c = netent_cmp3(x->net.len, x->prefix, x->net.a, y);

	return c != 0 ? c : x->set < y->set ? -1 : x->set > y->set;
}

/* c_nets and c_netpfx from the network sets. */
static int
build_netidx(struct pe_policyset *ps)
{
	size_t i, j, n = 0;

	for (i = 0; i < ps->n_netsets; i++)
		n += ps->netsets[i].n_nets;
	if (n == 0)
		return 0;
	if ((ps->c_nets = calloc(n, sizeof(*ps->c_nets))) == NULL)
		return -1;
	for (i = 0; i < ps->n_netsets; i++)
		for (j = 0; j < ps->netsets[i].n_nets; j++) {
			const struct pe_net *src = &ps->netsets[i].nets[j];
			struct pe_netent *e = &ps->c_nets[ps->n_cnets];

			if ((src->ip.len != 4 && src->ip.len != 16) ||
			    src->prefix < 0 || src->prefix > src->ip.len * 8)
				continue;	/* matches no address */
			e->net = src->ip;
			e->prefix = src->prefix;
			e->set = i;
			mask_ip(&e->net, e->prefix);
			ps->n_cnets++;
		}
	qsort(ps->c_nets, ps->n_cnets, sizeof(*ps->c_nets), netent_cmp);
	for (i = 0; i < ps->n_cnets; i++) {
		unsigned short k = (unsigned short)(ps->c_nets[i].net.len << 8 |
		    ps->c_nets[i].prefix);

		if (ps->n_netpfx == 0 || ps->c_netpfx[ps->n_netpfx - 1] != k)
			ps->c_netpfx[ps->n_netpfx++] = k;
	}
	return 0;
}

/* A policy direction with fewer rules is scanned, not indexed. */
size_t pe_ruleidx_min = 8;
int pe_ruleidx_scan;

static int
ruleidx_cmp3(int side, const char *k, const char *v,
    const struct pe_ruleidx *e)
{
	int c;

	if (side != e->side)
		return side < e->side ? -1 : 1;
	if ((c = strcmp(k, e->key)) != 0)
		return c;
	return strcmp(v, e->value);
}

static int
ruleidx_cmp(const void *a, const void *b)
{
	const struct pe_ruleidx *x = a, *y = b;
	int c = ruleidx_cmp3(x->side, x->key, x->value, y);

	return c != 0 ? c : x->rule < y->rule ? -1 : x->rule > y->rule;
}

/*
 * Whether an entity's checks can only fail quietly: no services and no
 * ports, the checks that note missing data (*unsure) on the way.
 */
static int
entity_quiet(const struct pe_entity *e)
{
	return !PE_MORE(e)->has_services && e->n_ports == 0 &&
	    PE_MORE(e)->n_not_ports == 0;
}

/*
 * Index one direction of p. A rule is keyed by an equality its source
 * selector requires, else (when the source side cannot note missing data
 * before the destination is checked, see rule_match) by one its
 * destination selector requires; of a selector's equalities the one
 * fewest of the policy's rules share. A rule whose selector an endpoint's
 * labels (its own, or a network set's holding its address) cannot satisfy
 * fails in rule_match with nothing noted: skipping it is exact.
 */
static int
build_ruleidx(struct pe_policy *p, int egress)
{
	const struct pe_rule *rules = egress ? p->egress : p->ingress;
	size_t n = egress ? p->n_egress : p->n_ingress;
	const char *keys[PE_MAX_EQS], *vals[PE_MAX_EQS];
	struct pe_ruleidx *all = NULL, *na;
	size_t *best = NULL, *cnt = NULL, i, j, k, m, na_n = 0, cap = 0;
	int ret = -1;

	if (n < pe_ruleidx_min || n == 0)
		return 0;
	if ((best = malloc(n * sizeof(*best))) == NULL ||
	    (p->c_runidx[egress] = malloc(n * sizeof(size_t))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		const struct pe_rule *r = &rules[i];
		int side = -1;

		best[i] = SIZE_MAX;
		m = 0;
		if (r->src.c_sel != NULL &&
		    (m = sel_required_eqs(r->src.c_sel, keys, vals,
		    PE_MAX_EQS)) > 0)
			side = 0;
		else if (r->dst.c_sel != NULL && entity_quiet(&r->src) &&
		    (m = sel_required_eqs(r->dst.c_sel, keys, vals,
		    PE_MAX_EQS)) > 0)
			side = 1;
		if (side < 0) {
			p->c_runidx[egress][p->n_runidx[egress]++] = i;
			continue;
		}
		if (m > PE_MAX_EQS)
			m = PE_MAX_EQS;
		if (na_n + m > cap) {
			cap = (na_n + m) * 2;
			if ((na = realloc(all, cap * sizeof(*all))) == NULL)
				goto out;
			all = na;
		}
		for (j = 0; j < m; j++)
			all[na_n++] = (struct pe_ruleidx){ keys[j], vals[j],
			    side, i };
	}
	if (na_n > 0) {
		qsort(all, na_n, sizeof(*all), ruleidx_cmp);
		if ((cnt = malloc(na_n * sizeof(*cnt))) == NULL)
			goto out;
	}
	for (i = 0; i < na_n; i = j) {
		for (j = i + 1; j < na_n && ruleidx_cmp3(all[i].side,
		    all[i].key, all[i].value, &all[j]) == 0; j++)
			;
		for (k = i; k < j; k++)
			cnt[k] = j - i;
	}
	for (k = 0; k < na_n; k++)
		if (best[all[k].rule] == SIZE_MAX ||
		    cnt[k] < cnt[best[all[k].rule]])
			best[all[k].rule] = k;
	for (k = 0, m = 0; k < na_n; k++)
		if (best[all[k].rule] == k)
			all[m++] = all[k];
	p->c_ridx[egress] = all;
	p->n_ridx[egress] = m;
	all = NULL;
	ret = 0;
out:
	free(all);
	free(best);
	free(cnt);
	return ret;
}

int
pe_policyset_prepare(struct pe_policyset *ps, enum pe_types_mode mode)
{
	size_t i, j, cap, nb;
	struct pe_ctier *t;
	const char *bnames[3];
	double border[3];
	int bpass[3];

	if (ps->prepared)
		return 0;
	pe_policyset_release_compiled(ps);
	cap = ps->n_tiers + ps->n_policies + 3;
	if ((ps->c_tiers = calloc(cap, sizeof(*ps->c_tiers))) == NULL)
		goto oom;
	nb = builtin_tiers(ps, bnames, border, bpass);
	for (i = 0; i < nb; i++) {
		t = add_ctier(ps, bnames[i], cap);
		t->valid = 1;
		t->has_order = 1;
		t->order = border[i];
		t->default_pass = bpass[i];
	}
	for (i = 0; i < ps->n_tiers; i++) {
		const struct pe_tier *rt = &ps->tiers[i];

		if ((t = find_ctier(ps, rt->name)) == NULL)
			t = add_ctier(ps, rt->name, cap);
		t->valid = 1;
		t->has_order = rt->has_order;
		t->order = rt->order;
		t->default_pass = rt->default_pass;
		if (strcmp(rt->name, "default") == 0) {
			/* The default tier's order is fixed (TIER.go). */
			t->has_order = 1;
			t->order = 1000000;
		}
	}
	for (i = 0; i < ps->n_policies; i++) {
		struct pe_policy *p = &ps->policies[i];

		if ((t = find_ctier(ps, p->tier)) == NULL) {
			/* No such Tier: sorted last, no defaultAction = Deny. */
			t = add_ctier(ps, p->tier, cap);
		}
		if ((j = t->n_pols) % 16 == 0) {
			size_t *np = realloc(t->pols, (j + 16) * sizeof(*np));

			if (np == NULL)
				goto oom;
			t->pols = np;
		}
		t->pols[t->n_pols++] = i;
		p->c_types = default_types(p, mode);
		if (compile_policy_selector(p) < 0)
			goto fail;
		for (j = 0; j < p->n_ingress; j++)
			if (compile_entity(ps, &p->ingress[j].src, p) < 0 ||
			    compile_entity(ps, &p->ingress[j].dst, p) < 0)
				goto fail;
		for (j = 0; j < p->n_egress; j++)
			if (compile_entity(ps, &p->egress[j].src, p) < 0 ||
			    compile_entity(ps, &p->egress[j].dst, p) < 0)
				goto fail;
	}
	/*
	 * In the staged view, a staged policy stands in for the enforced
	 * policy of the same name (Set), or removes it (Delete).
	 */
	if (mark_staged_replaced(ps) < 0)
		goto oom;
	qsort(ps->c_tiers, ps->n_ctiers, sizeof(*ps->c_tiers), tier_cmp);
	sort_ps = ps;
	for (i = 0; i < ps->n_ctiers; i++)
		if (ps->c_tiers[i].n_pols > 1)
			qsort(ps->c_tiers[i].pols, ps->c_tiers[i].n_pols,
			    sizeof(size_t), policy_cmp);
	sort_ps = NULL;
	if (rank_policies(ps) < 0 || build_selidx(ps) < 0)
		goto oom;
	for (i = 0; i < ps->n_policies; i++)
		if (build_ruleidx(&ps->policies[i], 0) < 0 ||
		    build_ruleidx(&ps->policies[i], 1) < 0)
			goto oom;
	if (build_netidx(ps) < 0)
		goto oom;
	if (ps->n_netsets > 0) {
		ps->c_netset_labels = calloc(ps->n_netsets,
		    sizeof(*ps->c_netset_labels));
		if (ps->c_netset_labels == NULL)
			goto oom;
		for (i = 0; i < ps->n_netsets; i++) {
			const struct pe_netset *s = &ps->netsets[i];
			struct labels *l = &ps->c_netset_labels[i];

			if (labels_copy(l, &s->labels) < 0)
				goto fail;
			if (s->namespace != NULL &&
			    (labels_set(l, LABEL_NS, s->namespace) < 0 ||
			    labels_set(l, "pcns.projectcalico.org/name",
			    s->namespace) < 0 ||
			    labels_set(l, "pcns.kubernetes.io/metadata.name",
			    s->namespace) < 0))
				goto fail;
		}
	}
	ps->prepared = 1;
	ps->generation++;
	return 0;
oom:
	fp_error("policies: out of memory");
fail:
	pe_policyset_release_compiled(ps);
	return -1;
}

/* Where netidx_next is: a prefix length present, and an entry. */
struct netidx_it {
	size_t pfx, at, end;
	int len, prefix;
	struct fp_ip m;
};

#define NETIDX_IT_INIT { 0, 0, 0, 0, 0, { 0, { 0 } } }

/*
 * The next network-set entry holding ip (it starts NETIDX_IT_INIT), or
 * NULL: for each prefix length present, a binary search for the address
 * masked to it, then the entries equal to it.
 */
static const struct pe_netent *
netidx_next(const struct pe_policyset *ps, const struct fp_ip *ip,
    struct netidx_it *it)
{
	for (;;) {
		size_t lo, hi;

		if (it->at < it->end && netent_cmp3(it->len, it->prefix,
		    it->m.a, &ps->c_nets[it->at]) == 0)
			return &ps->c_nets[it->at++];
		if (it->pfx >= ps->n_netpfx)
			return NULL;
		it->len = ps->c_netpfx[it->pfx] >> 8;
		it->prefix = ps->c_netpfx[it->pfx] & 0xff;
		it->pfx++;
		it->at = it->end = 0;
		if (it->len != ip->len)
			continue;
		it->m = *ip;
		mask_ip(&it->m, it->prefix);
		lo = 0;
		hi = ps->n_cnets;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (netent_cmp3(it->len, it->prefix, it->m.a,
			    &ps->c_nets[mid]) > 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		it->at = lo;
		it->end = ps->n_cnets;
	}
}

/* --- evaluation ------------------------------------------------------- */

static int
flow_family(const struct pe_flow *f)
{
	if (f->family)
		return f->family;
	if (f->src && f->src->has_ip)
		return f->src->ip.len == 16 ? 6 : 4;
	if (f->dst && f->dst->has_ip)
		return f->dst->ip.len == 16 ? 6 : 4;
	return f->proto == FP_PROTO_ICMPV6 ? 6 : 4;
}

static int
in_nets(const struct pe_endpoint *ep, const struct pe_net *n, size_t cnt)
{
	size_t i;

	if (!ep->has_ip)
		return 0;
	for (i = 0; i < cnt; i++)
		if (fp_ip_in_net(&ep->ip, &n[i].ip, n[i].prefix))
			return 1;
	return 0;
}

/*
 * Whether the endpoint is in the IP set Felix builds for a selector: pods
 * whose labels match, plus network sets whose labels match and whose nets
 * hold the endpoint's IP.
 */
static int
in_selector_set(const struct pe_policyset *ps, const struct sel *s,
    const struct pe_endpoint *ep)
{
	struct netidx_it it = NETIDX_IT_INIT;
	const struct pe_netent *e;

	if (ep->kind == PE_EP_POD && sel_match(s, &ep->sel_labels))
		return 1;
	if (!ep->has_ip)
		return 0;
	while ((e = netidx_next(ps, &ep->ip, &it)) != NULL)
		if (sel_match(s, &ps->c_netset_labels[e->set]))
			return 1;
	return 0;
}

/* 1 match, 0 no match; *unsure set when the answer needed unknown data. */
static int
port_match(const struct pe_port *p, size_t n, const struct pe_endpoint *ep,
    int proto, int port, int *unsure)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		if (p[i].name == NULL) {
			if (port >= p[i].lo && port <= p[i].hi)
				return 1;
			continue;
		}
		if (ep->kind != PE_EP_POD)
			continue;	/* only Calico endpoints have named ports */
		if (!ep->named_ports_known) {
			*unsure = 1;
			continue;
		}
		for (k = 0; k < ep->n_named_ports; k++)
			if (strcmp(ep->named_ports[k].name, p[i].name) == 0 &&
			    ep->named_ports[k].proto == proto &&
			    ep->named_ports[k].port == port)
				return 1;
	}
	return 0;
}

static int
all_other_family(const struct pe_net *n, size_t cnt, int fam)
{
	size_t i;

	if (cnt == 0)
		return 0;
	for (i = 0; i < cnt; i++)
		if ((n[i].ip.len == 4 ? 4 : 6) == fam)
			return 0;
	return 1;
}

/*
 * A services match: the Service's endpoint addresses, and for a destination
 * its endpoint ports too (ports may not be written with services). The
 * namespace defaults to the policy's (a global policy must name it).
 */
static int
service_match(const struct pe_entity *e, const struct pe_endpoint *ep,
    const char *pol_ns, int is_dst, int proto, int port, int *unsure)
{
	const char *ns = PE_MORE(e)->svc_namespace && *PE_MORE(e)->svc_namespace ?
	    PE_MORE(e)->svc_namespace : pol_ns;
	size_t i;

	if (!ep->services_known) {
		*unsure = 1;	/* Service endpoints are not in the policy set */
		return 0;
	}
	for (i = 0; i < ep->n_services; i++)
		if (ns != NULL && strcmp(ep->services[i].namespace, ns) == 0 &&
		    strcmp(ep->services[i].name, PE_MORE(e)->svc_name) == 0 &&
		    (!is_dst || ep->services[i].port < 0 ||
		    (ep->services[i].proto == proto &&
		    ep->services[i].port == port)))
			return 1;
	return 0;
}

static int
entity_match(const struct pe_policyset *ps, const struct pe_entity *e,
    const struct pe_endpoint *ep, const char *pol_ns, int is_dst, int proto,
    int port, int *unsure)
{
	if (e->n_nets && !in_nets(ep, e->nets, e->n_nets))
		return 0;
	if (PE_MORE(e)->n_not_nets &&
	    in_nets(ep, PE_MORE(e)->not_nets, PE_MORE(e)->n_not_nets))
		return 0;
	if (e->c_sel && !in_selector_set(ps, e->c_sel, ep))
		return 0;
	if (e->more != NULL && e->more->c_not_sel != NULL &&
	    in_selector_set(ps, e->more->c_not_sel, ep))
		return 0;
	if (PE_MORE(e)->has_services &&
	    !service_match(e, ep, pol_ns, is_dst, proto, port, unsure))
		return 0;
	if (e->n_ports || PE_MORE(e)->n_not_ports) {
		if (port <= 0) {
			*unsure = 1;
			return 0;
		}
		if (e->n_ports &&
		    !port_match(e->ports, e->n_ports, ep, proto, port, unsure))
			return 0;
		if (PE_MORE(e)->n_not_ports &&
		    port_match(PE_MORE(e)->not_ports,
		    PE_MORE(e)->n_not_ports, ep, proto, port, unsure))
			return 0;
	}
	return 1;
}

static int
rule_match(const struct pe_policyset *ps, const struct pe_rule *r,
    const char *pol_ns, const struct pe_flow *f, int *unsure)
{
	int fam = flow_family(f);

	if (r->ip_version != 0 && r->ip_version != fam)
		return 0;
	/* POL.go filterNets: a list wholly of the other family drops it. */
	if (all_other_family(r->src.nets, r->src.n_nets, fam) ||
	    all_other_family(PE_MORE(&r->src)->not_nets,
	    PE_MORE(&r->src)->n_not_nets, fam) ||
	    all_other_family(r->dst.nets, r->dst.n_nets, fam) ||
	    all_other_family(PE_MORE(&r->dst)->not_nets,
	    PE_MORE(&r->dst)->n_not_nets, fam))
		return 0;
	if (r->protocol != -1 && r->protocol != f->proto)
		return 0;
	if (r->not_protocol != -1 && r->not_protocol == f->proto)
		return 0;
	if (r->icmp_type != -1) {
		if (!fp_proto_is_icmp(f->proto) || f->icmp_type != r->icmp_type)
			return 0;
		if (r->icmp_code != -1 && f->icmp_code != r->icmp_code)
			return 0;
	}
	if (r->not_icmp_type != -1 && fp_proto_is_icmp(f->proto) &&
	    f->icmp_type == r->not_icmp_type &&
	    (r->not_icmp_code == -1 || f->icmp_code == r->not_icmp_code))
		return 0;
	if (!entity_match(ps, &r->src, f->src, pol_ns, 0, f->proto, f->sport,
	    unsure))
		return 0;
	if (!entity_match(ps, &r->dst, f->dst, pol_ns, 1, f->proto,
	    fp_proto_has_ports(f->proto) ? f->dport : 0, unsure))
		return 0;
	if (r->has_http)
		*unsure = 1;	/* L7 part not modelled; L4 matched */
	return 1;
}

/*
 * doNotTrack and preDNAT policies go only to host endpoints' untracked and
 * preDNAT tiers (SEQ.go): they never apply to a pod.
 */
int
pe_policy_for_workloads(const struct pe_policy *p)
{
	return !p->do_not_track && !p->pre_dnat;
}

/* The first index entry for (key, value), or n_selidx. */
static size_t
selidx_lower(const struct pe_policyset *ps, const char *key, const char *value)
{
	size_t lo = 0, hi = ps->n_selidx, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (kv_cmp(ps->c_selidx[mid].key, ps->c_selidx[mid].value, key,
		    value) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
bind_try(struct pe_endpoint *ep, const struct pe_policyset *ps, size_t idx)
{
	const struct pe_policy *p = &ps->policies[idx];
	size_t *v;

	if (!sel_match(p->c_sel, &ep->sel_labels))
		return 0;
	if (ep->n_bound == ep->a_bound) {
		ep->a_bound = ep->a_bound ? 2 * ep->a_bound : 16;
		if ((v = realloc(ep->bound_ranks, ep->a_bound * sizeof(*v))) ==
		    NULL)
			return fp_error("endpoint: out of memory");
		ep->bound_ranks = v;
	}
	ep->bound_ranks[ep->n_bound++] = ps->c_rank[idx];
	return 0;
}

static int
size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

int
pe_endpoint_bind(struct pe_endpoint *ep, const struct pe_policyset *ps)
{
	size_t i, k;

	ep->bound = NULL;
	ep->n_bound = 0;
	if (!ps->prepared || ep->kind != PE_EP_POD)
		return 0;
	for (i = 0; i < ps->n_unindexed; i++)
		if (bind_try(ep, ps, ps->c_unindexed[i]) < 0)
			return -1;
	for (i = 0; i < ep->sel_labels.n; i++) {
		const struct label *l = &ep->sel_labels.v[i];

		for (k = selidx_lower(ps, l->key, l->value); k < ps->n_selidx &&
		    strcmp(ps->c_selidx[k].key, l->key) == 0 &&
		    strcmp(ps->c_selidx[k].value, l->value) == 0; k++)
			if (bind_try(ep, ps, ps->c_selidx[k].pol) < 0)
				return -1;
	}
	if (ep->n_bound > 1)
		qsort(ep->bound_ranks, ep->n_bound, sizeof(size_t), size_cmp);
	ep->bound = ps;
	ep->bound_generation = ps->generation;
	return 0;
}

static int
is_bound(const struct pe_policyset *ps, const struct pe_endpoint *ep)
{
	return ep->bound == ps && ep->bound_generation == ps->generation;
}

int
pe_endpoint_applies(const struct pe_endpoint *ep, size_t pidx)
{
	const struct pe_policyset *ps = ep->bound;
	size_t rank;

	if (ps == NULL || !ps->prepared || pidx >= ps->n_policies ||
	    ep->n_bound == 0)
		return 0;
	rank = ps->c_rank[pidx];
	return bsearch(&rank, ep->bound_ranks, ep->n_bound, sizeof(size_t),
	    size_cmp) != NULL ? ps->policies[pidx].c_types : 0;
}

static int
applies(const struct pe_policyset *ps, const struct pe_endpoint *ep,
    size_t idx, int bit)
{
	const struct pe_policy *p = &ps->policies[idx];

	return (p->c_types & bit) && pe_policy_for_workloads(p) &&
	    sel_match(p->c_sel, &ep->sel_labels);
}

/*
 * One policy that applies in this direction: its rules in order. Returns 1
 * when a rule decided (d filled), else 0; sets *enforced, *passed.
 */
/* The rules in cand[0..n) as a growable set of rule indexes. */
struct rcand {
	size_t *v;
	size_t n, cap;
	size_t stack[256];
};

static int
rcand_add(struct rcand *c, size_t rule)
{
	if (c->n == c->cap) {
		size_t cap = c->cap * 2, *nv;

		if (c->v == c->stack) {
			if ((nv = malloc(cap * sizeof(*nv))) != NULL)
				memcpy(nv, c->v, c->n * sizeof(*nv));
		} else {
			nv = realloc(c->v, cap * sizeof(*nv));
		}
		if (nv == NULL)
			return -1;
		c->v = nv;
		c->cap = cap;
	}
	c->v[c->n++] = rule;
	return 0;
}

/* The rules of one side keyed by a label of l. */
static int
rcand_labels(struct rcand *c, const struct pe_policy *p, int egress,
    int side, const struct labels *l)
{
	const struct pe_ruleidx *ix = p->c_ridx[egress];
	size_t i, n = p->n_ridx[egress];

	for (i = 0; i < l->n; i++) {
		const char *k = l->v[i].key, *v = l->v[i].value;
		size_t lo = 0, hi = n;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (ruleidx_cmp3(side, k, v, &ix[mid]) > 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < n && ruleidx_cmp3(side, k, v, &ix[lo]) == 0; lo++)
			if (rcand_add(c, ix[lo].rule) < 0)
				return -1;
	}
	return 0;
}

/* The rules one side's endpoint can satisfy: its labels and its sets'. */
static int
rcand_side(struct rcand *c, const struct pe_policyset *ps,
    const struct pe_policy *p, int egress, int side,
    const struct pe_endpoint *ep)
{
	struct netidx_it it = NETIDX_IT_INIT;
	const struct pe_netent *e;

	if (ep->kind == PE_EP_POD &&
	    rcand_labels(c, p, egress, side, &ep->sel_labels) < 0)
		return -1;
	if (!ep->has_ip)
		return 0;
	while ((e = netidx_next(ps, &ep->ip, &it)) != NULL)
		if (rcand_labels(c, p, egress, side,
		    &ps->c_netset_labels[e->set]) < 0)
			return -1;
	return 0;
}

static int
size_cmp_asc(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static int rule_decides(const struct pe_ctier *t, const struct pe_policy *p,
    const struct pe_rule *rules, size_t ri, struct pe_decision *d,
    int *passed, int *decided);

/*
 * eval_policy's rule loop through the policy's rule index (build_ruleidx):
 * the same rules in the same order, less the ones no label of the flow's
 * endpoints can satisfy.
 */
static int
eval_indexed(const struct pe_policyset *ps, const struct pe_ctier *t,
    const struct pe_policy *p, const struct pe_flow *f, int ingress,
    struct pe_decision *d, int *passed)
{
	const struct pe_rule *rules = ingress ? p->ingress : p->egress;
	int egress = !ingress, ret = 0, decided = 0;
	struct rcand c;
	size_t i, last = SIZE_MAX;

	c.v = c.stack;
	c.n = 0;
	c.cap = sizeof(c.stack) / sizeof(c.stack[0]);
	for (i = 0; i < p->n_runidx[egress]; i++)
		if (rcand_add(&c, p->c_runidx[egress][i]) < 0)
			goto oom;
	if ((f->src != NULL &&
	    rcand_side(&c, ps, p, egress, 0, f->src) < 0) ||
	    (f->dst != NULL && rcand_side(&c, ps, p, egress, 1, f->dst) < 0))
		goto oom;
	qsort(c.v, c.n, sizeof(*c.v), size_cmp_asc);
	for (i = 0; i < c.n && !decided; i++) {
		size_t ri = c.v[i];

		if (ri == last)
			continue;	/* offered by two label sets */
		last = ri;
		if (!rule_match(ps, &rules[ri], p->namespace, f,
		    &d->uncertain))
			continue;
		ret = rule_decides(t, p, rules, ri, d, passed, &decided);
	}
	if (c.v != c.stack)
		free(c.v);
	return ret;
oom:
	if (c.v != c.stack)
		free(c.v);
	return -1;	/* the caller scans every rule instead */
}

/*
 * What rule ri, which matched, does to the decision: a Log rule counts and
 * evaluation goes on; the rest end the policy's rules (*decided). 1 when
 * it allowed or denied the flow.
 */
static int
rule_decides(const struct pe_ctier *t, const struct pe_policy *p,
    const struct pe_rule *rules, size_t ri, struct pe_decision *d,
    int *passed, int *decided)
{
	*decided = 1;
	switch (rules[ri].action) {
	case PE_ACT_LOG:
		d->logs++;
		*decided = 0;
		return 0;
	case PE_ACT_PASS:
		d->pass_tier = t;
		d->pass_policy = p;
		d->pass_rule = ri;
		*passed = 1;
		return 0;
	case PE_ACT_ALLOW:
	case PE_ACT_DENY:
		d->why = PE_WHY_RULE;
		d->allowed = rules[ri].action == PE_ACT_ALLOW;
		d->action = rules[ri].action;
		d->tier = t;
		d->policy = p;
		d->rule = ri;
		d->origins = 1UL << (p->origin < 63 ? p->origin : 63);
		return 1;
	}
	return 0;
}

static int
eval_policy(const struct pe_policyset *ps, const struct pe_ctier *t,
    const struct pe_policy *p, const struct pe_flow *f, int ingress,
    int flags, struct pe_decision *d, int *enforced, int *passed,
    unsigned long *origins)
{
	const struct pe_rule *rules = ingress ? p->ingress : p->egress;
	size_t n = ingress ? p->n_ingress : p->n_egress, ri;
	int ret = 0, decided = 0;

	if (pe_kind_is_staged(p->kind) &&
	    (!(flags & PE_EVAL_STAGED) ||
	    (p->staged_action != NULL && strcmp(p->staged_action, "Set") != 0)))
		return 0;	/* POL.go skips staged policies */
	if ((flags & PE_EVAL_STAGED) && p->c_staged_replaced)
		return 0;
	*enforced = 1;
	d->policies_applied++;
	*origins |= 1UL << (p->origin < 63 ? p->origin : 63);
	if (p->c_runidx[!ingress] != NULL && !pe_ruleidx_scan &&
	    (ret = eval_indexed(ps, t, p, f, ingress, d, passed)) >= 0)
		return ret;
	for (ri = 0; ri < n && !decided; ri++) {
		if (!rule_match(ps, &rules[ri], p->namespace, f,
		    &d->uncertain))
			continue;
		ret = rule_decides(t, p, rules, ri, d, passed, &decided);
	}
	return ret;
}

/* Whether a tier where no rule decided drops the flow (d filled). */
static int
end_of_tier(const struct pe_ctier *t, int enforced, int passed,
    unsigned long origins, struct pe_decision *d)
{
	if (passed || !enforced || t->default_pass)
		return 0;
	d->why = PE_WHY_END_OF_TIER;
	d->allowed = 0;
	d->tier = t;
	d->origins = origins;
	return 1;
}

/*
 * A bound endpoint: only the policies that apply, in evaluation order; a
 * tier none of them is in has nothing enforced, so it never decides.
 */
static void
evaluate_bound(const struct pe_policyset *ps, const struct pe_endpoint *ep,
    const struct pe_flow *f, int ingress, int flags, struct pe_decision *d)
{
	int bit = ingress ? PE_TYPE_INGRESS : PE_TYPE_EGRESS;
	size_t k = 0;

	while (k < ep->n_bound) {
		size_t ti = ps->c_tier_of[ps->c_order[ep->bound_ranks[k]]];
		const struct pe_ctier *t = &ps->c_tiers[ti];
		int enforced = 0, passed = 0;
		unsigned long origins = 0;

		for (; k < ep->n_bound &&
		    ps->c_tier_of[ps->c_order[ep->bound_ranks[k]]] == ti; k++) {
			const struct pe_policy *p =
			    &ps->policies[ps->c_order[ep->bound_ranks[k]]];

			if (passed || !(p->c_types & bit))
				continue;
			if (eval_policy(ps, t, p, f, ingress, flags, d,
			    &enforced, &passed, &origins))
				return;
		}
		if (end_of_tier(t, enforced, passed, origins, d))
			return;
	}
	/* kns.<namespace> profile: allow-all for Kubernetes pods. */
	d->why = PE_WHY_PROFILE;
	d->allowed = 1;
}

void
pe_evaluate_dir(const struct pe_policyset *ps, const struct pe_flow *f,
    int ingress, int flags, struct pe_decision *d)
{
	const struct pe_endpoint *ep = ingress ? f->dst : f->src;
	int bit = ingress ? PE_TYPE_INGRESS : PE_TYPE_EGRESS;
	size_t ti, pi;

	memset(d, 0, sizeof(*d));
	d->allowed = 1;
	if (ep == NULL || ep->kind != PE_EP_POD) {
		d->why = PE_WHY_NO_ENDPOINT;
		return;
	}
	/* From the pod's own node: Felix returns before workload ingress. */
	if (ingress && f->src != NULL && f->src->kind == PE_EP_NODE &&
	    f->src->node != NULL && ep->node != NULL &&
	    strcmp(f->src->node, ep->node) == 0) {
		d->why = PE_WHY_HOST_LOCAL;
		return;
	}
	if (is_bound(ps, ep)) {
		evaluate_bound(ps, ep, f, ingress, flags, d);
		return;
	}
	for (ti = 0; ti < ps->n_ctiers; ti++) {
		const struct pe_ctier *t = &ps->c_tiers[ti];
		int enforced = 0, passed = 0;
		unsigned long origins = 0;

		for (pi = 0; pi < t->n_pols && !passed; pi++) {
			if (!applies(ps, ep, t->pols[pi], bit))
				continue;
			if (eval_policy(ps, t, &ps->policies[t->pols[pi]], f,
			    ingress, flags, d, &enforced, &passed, &origins))
				return;
		}
		if (end_of_tier(t, enforced, passed, origins, d))
			return;
	}
	/* kns.<namespace> profile: allow-all for Kubernetes pods. */
	d->why = PE_WHY_PROFILE;
	d->allowed = 1;
}

int
pe_evaluate(const struct pe_policyset *ps, const struct pe_flow *f,
    int flags, struct pe_verdict *out)
{
	if (!ps->prepared)
		return fp_error("policies: not prepared");
	if (f->src == NULL || f->dst == NULL || !f->src->prepared ||
	    !f->dst->prepared)
		return fp_error("evaluate: endpoints not prepared");
	pe_evaluate_dir(ps, f, 0, flags, &out->egress);
	pe_evaluate_dir(ps, f, 1, flags, &out->ingress);
	out->allowed = out->egress.allowed && out->ingress.allowed;
	return 0;
}

/* --- rendering -------------------------------------------------------- */

static void
fmt_proto(struct strbuf *b, int p)
{
	const char *name = pe_protocol_name(p);

	if (name != NULL)
		sb_adds(b, name);
	else
		sb_addf(b, "%d", p);
}

static void
fmt_nets(struct strbuf *b, const char *what, const struct pe_net *n,
    size_t cnt)
{
	char buf[FP_IPSTRLEN];
	size_t i;

	if (cnt == 0)
		return;
	sb_addf(b, " %s=[", what);
	for (i = 0; i < cnt; i++)
		sb_addf(b, "%s%s/%d", i ? "," : "", fp_ip_format(&n[i].ip, buf),
		    n[i].prefix);
	sb_addc(b, ']');
}

static void
fmt_ports(struct strbuf *b, const char *what, const struct pe_port *p,
    size_t cnt)
{
	size_t i;

	if (cnt == 0)
		return;
	sb_addf(b, " %s=[", what);
	for (i = 0; i < cnt; i++) {
		if (i)
			sb_addc(b, ',');
		if (p[i].name)
			sb_adds(b, p[i].name);
		else if (p[i].lo == p[i].hi)
			sb_addf(b, "%d", p[i].lo);
		else
			sb_addf(b, "%d:%d", p[i].lo, p[i].hi);
	}
	sb_addc(b, ']');
}

static void
fmt_entity(struct strbuf *b, const char *side, const struct pe_entity *e)
{
	char what[64];
	size_t i;

#define W(x) (snprintf(what, sizeof(what), "%s.%s", side, x), what)
	fmt_nets(b, W("nets"), e->nets, e->n_nets);
	fmt_nets(b, W("notNets"), PE_MORE(e)->not_nets, PE_MORE(e)->n_not_nets);
	if (e->selector)
		sb_addf(b, " %s=\"%s\"", W("selector"), e->selector);
	if (PE_MORE(e)->not_selector)
		sb_addf(b, " %s=\"%s\"", W("notSelector"), PE_MORE(e)->not_selector);
	if (e->ns_selector)
		sb_addf(b, " %s=\"%s\"", W("namespaceSelector"), e->ns_selector);
	if (PE_MORE(e)->has_sa) {
		sb_addf(b, " %s=[", W("serviceAccounts.names"));
		for (i = 0; i < PE_MORE(e)->n_sa_names; i++)
			sb_addf(b, "%s%s", i ? "," : "", PE_MORE(e)->sa_names[i]);
		sb_addc(b, ']');
		if (PE_MORE(e)->sa_selector)
			sb_addf(b, " %s=\"%s\"", W("serviceAccounts.selector"),
			    PE_MORE(e)->sa_selector);
	}
	if (PE_MORE(e)->has_services)
		sb_addf(b, " %s=%s/%s", W("services"),
		    PE_MORE(e)->svc_namespace ? PE_MORE(e)->svc_namespace : "",
		    PE_MORE(e)->svc_name);
	fmt_ports(b, W("ports"), e->ports, e->n_ports);
	fmt_ports(b, W("notPorts"), PE_MORE(e)->not_ports, PE_MORE(e)->n_not_ports);
#undef W
}

char *
pe_rule_format(const struct pe_rule *r)
{
	struct strbuf b = STRBUF_INIT;

	sb_adds(&b, pe_action_name(r->action));
	if (r->ip_version)
		sb_addf(&b, " ipVersion=%d", r->ip_version);
	if (r->protocol != -1) {
		sb_adds(&b, " protocol=");
		fmt_proto(&b, r->protocol);
	}
	if (r->not_protocol != -1) {
		sb_adds(&b, " notProtocol=");
		fmt_proto(&b, r->not_protocol);
	}
	if (r->icmp_type != -1) {
		sb_addf(&b, " icmp.type=%d", r->icmp_type);
		if (r->icmp_code != -1)
			sb_addf(&b, " icmp.code=%d", r->icmp_code);
	}
	if (r->not_icmp_type != -1) {
		sb_addf(&b, " notICMP.type=%d", r->not_icmp_type);
		if (r->not_icmp_code != -1)
			sb_addf(&b, " notICMP.code=%d", r->not_icmp_code);
	}
	fmt_entity(&b, "source", &r->src);
	fmt_entity(&b, "destination", &r->dst);
	if (r->has_http)
		sb_adds(&b, " http=(not modelled)");
	return sb_detach(&b);
}
