#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "learner/resolve.h"
#include "learner/strmap.h"
#include "common/banned.h"

struct owner {
	struct fp_ip ip;
	int64_t from, to;
	long peer;
	long node;
};

struct resolver {
	struct owner *o;
	size_t n, cap;
	struct fp_ip *nets;
	int *prefixes;
	size_t nnets, capnets;
	struct strmap *netset;	/* prefix and masked address: no duplicates */
	/*
	 * After resolver_ready: the nets sorted by (prefix, address), and the
	 * distinct prefixes, so an unowned address is tested with one binary
	 * search per prefix length, not one comparison per net (a cluster's
	 * thousands of node /32s).
	 */
	struct netkey *idx;
	int *plens;
	size_t nplens;
	int ready;
};

struct netkey {
	int prefix;
	struct fp_ip net;	/* masked to prefix */
};

static int
netkey_cmp(const void *a, const void *b)
{
	const struct netkey *x = a, *y = b;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return fp_ip_cmp(&x->net, &y->net);
}

/* Whether ip is in one of the nets (the index resolver_ready built). */
static int
in_some_net(const struct resolver *r, const struct fp_ip *ip)
{
	struct netkey key;
	size_t i;
	int b;

	if (!r->ready) {
		for (i = 0; i < r->nnets; i++)
			if (fp_ip_in_net(ip, &r->nets[i], r->prefixes[i]))
				return 1;
		return 0;
	}
	for (i = 0; i < r->nplens; i++) {
		if (r->plens[i] < 0 || r->plens[i] > ip->len * 8)
			continue;
		key.prefix = r->plens[i];
		key.net = *ip;
		for (b = key.prefix; b < key.net.len * 8; b++)
			key.net.a[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
		if (bsearch(&key, r->idx, r->nnets, sizeof(*r->idx), netkey_cmp))
			return 1;
	}
	return 0;
}

int
resolver_new(struct resolver **out)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return fp_error("learn: out of memory");
	return 0;
}

void
resolver_free(struct resolver *r)
{
	if (r == NULL)
		return;
	free(r->o);
	free(r->nets);
	free(r->prefixes);
	free(r->idx);
	free(r->plens);
	strmap_free(r->netset);
	free(r);
}

int
resolver_add(struct resolver *r, const struct fp_ip *ip, int64_t from,
    int64_t to, long peer)
{
	return resolver_add_on(r, ip, from, to, peer, -1);
}

int
resolver_add_on(struct resolver *r, const struct fp_ip *ip, int64_t from,
    int64_t to, long peer, long node)
{
	struct owner *p;
	size_t cap;

	if (r->n == r->cap) {
		cap = r->cap ? r->cap * 2 : 1024;
		if ((p = realloc(r->o, cap * sizeof(*p))) == NULL)
			return fp_error("learn: out of memory");
		r->o = p;
		r->cap = cap;
	}
	p = &r->o[r->n++];
	p->ip = *ip;
	p->from = from;
	p->to = to;
	p->peer = peer;
	p->node = node;
	return 0;
}

int
resolver_add_net(struct resolver *r, const struct fp_ip *net, int prefix)
{
	struct fp_ip masked = *net;
	char key[1 + sizeof(int) + 16];
	size_t cap;
	long id;
	void *p;
	int b;

	for (b = prefix; b < masked.len * 8; b++)
		masked.a[b / 8] &= (uint8_t)~(0x80 >> (b % 8));

	key[0] = (char)masked.len;
	memcpy(key + 1, &prefix, sizeof(int));
	memcpy(key + 1 + sizeof(int), masked.a, masked.len);
	if (r->netset == NULL && (r->netset = strmap_new()) == NULL)
		return fp_error("learn: out of memory");
	if ((id = strmap_intern(r->netset, key, 1 + sizeof(int) + masked.len)) < 0)
		return fp_error("learn: out of memory");
	if ((size_t)id < r->nnets)
		return 0;	/* known already */
	if (r->nnets == r->capnets) {
		cap = r->capnets ? r->capnets * 2 : 16;
		if ((p = realloc(r->nets, cap * sizeof(*r->nets))) == NULL)
			return fp_error("learn: out of memory");
		r->nets = p;
		if ((p = realloc(r->prefixes, cap * sizeof(*r->prefixes))) == NULL)
			return fp_error("learn: out of memory");
		r->prefixes = p;
		r->capnets = cap;
	}
	r->nets[r->nnets] = masked;
	r->prefixes[r->nnets++] = prefix;
	return 0;
}

size_t
resolver_nets(const struct resolver *r, const struct fp_ip **nets,
    const int **prefixes)
{
	*nets = r->nets;
	*prefixes = r->prefixes;
	return r->nnets;
}

static int
owner_cmp(const void *a, const void *b)
{
	const struct owner *x = a, *y = b;
	int c = fp_ip_cmp(&x->ip, &y->ip);

	if (c)
		return c;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return (x->peer > y->peer) - (x->peer < y->peer);
}

void
resolver_ready(struct resolver *r)
{
	size_t i;

	if (r->n > 1)
		qsort(r->o, r->n, sizeof(*r->o), owner_cmp);
	free(r->idx);
	free(r->plens);
	r->idx = NULL;
	r->plens = NULL;
	r->nplens = 0;
	r->ready = 0;
	/* Without memory for the index, lookups scan the nets. */
	if (r->nnets == 0 ||
	    (r->idx = malloc(r->nnets * sizeof(*r->idx))) == NULL ||
	    (r->plens = malloc(r->nnets * sizeof(*r->plens))) == NULL)
		return;
	for (i = 0; i < r->nnets; i++) {
		r->idx[i].prefix = r->prefixes[i];
		r->idx[i].net = r->nets[i];
	}
	qsort(r->idx, r->nnets, sizeof(*r->idx), netkey_cmp);
	for (i = 0; i < r->nnets; i++)
		if (i == 0 || r->idx[i].prefix != r->idx[i - 1].prefix)
			r->plens[r->nplens++] = r->idx[i].prefix;
	r->ready = 1;
}

/* First owner entry for ip (binary search), or r->n. */
static size_t
first_of(const struct resolver *r, const struct fp_ip *ip)
{
	size_t lo = 0, hi = r->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (fp_ip_cmp(&r->o[mid].ip, ip) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
resolver_lookup(const struct resolver *r, const struct fp_ip *ip,
    int64_t first, int64_t last, struct rs_result *out)
{
	size_t i, n = 0, k;
	int64_t covered = first;	/* the span is covered up to here */
	int same = 1, gap = 0;
	long peer = 0, node = -1;

	memset(out, 0, sizeof(*out));
	out->node = -1;
	for (i = first_of(r, ip); i < r->n && fp_ip_cmp(&r->o[i].ip, ip) == 0;
	    i++) {
		const struct owner *o = &r->o[i];

		if (o->from > last || o->to <= first)
			continue;	/* no overlap with [first, last] */
		if (n == 0) {
			peer = o->peer;
			node = o->node;
		} else {
			if (o->peer != peer)
				same = 0;
			if (o->node != node)
				node = -1;
		}
		n++;
		/* Owners come sorted by from: check the union covers the span. */
		if (o->from > covered)
			gap = 1;
		if (o->to == INT64_MAX)
			covered = INT64_MAX;
		else if (o->to > covered)
			covered = o->to;
		if (o->peer != RS_NODE_PEER) {
			for (k = 0; k < out->ncand && out->cand[k] != o->peer; k++)
				;
			if (k == out->ncand && out->ncand < RS_MAXCAND)
				out->cand[out->ncand++] = o->peer;
		}
	}
	if (n == 0) {
		out->cls = in_some_net(r, ip) ? RS_UNKNOWN : RS_EXTERNAL;
		return;
	}
	/* A pod outside the learning period (peer < 0, not a node) too. */
	if (!same || gap || covered <= last || (peer < 0 && peer != RS_NODE_PEER)) {
		out->cls = RS_AMBIGUOUS;
		return;
	}
	out->ncand = 0;
	out->peer = peer;
	out->node = node;
	out->cls = peer == RS_NODE_PEER ? RS_NODE : RS_WORKLOAD;
}
