#include <stdlib.h>
#include <string.h>

#include "collector/aggregate.h"
#include "common/err.h"
#include "store/store.h"
#include "common/banned.h"

/*
 * A flow: a 40-byte key then the counts, 64 bytes in all, so that a million
 * distinct flows take 64 MiB of entries plus an 8-byte-per-slot index.
 */
struct agg_flow {
	uint32_t window;	/* window start, unix seconds (good until 2106) */
	uint8_t family;
	uint8_t proto;
	uint16_t dport;
	uint8_t src[16];
	uint8_t dst[16];
	uint64_t packets;
	int64_t first_us;
	int64_t last_us;
};

#define AGG_KEYLEN offsetof(struct agg_flow, packets)

struct agg_slot {
	uint32_t idx;		/* entry index + 1; 0 = empty */
	uint32_t hash;
};

struct agg_health {
	int64_t window;
	uint64_t c[AGG_NCOUNTERS];
};

struct agg {
	int64_t window_s;
	struct agg_flow *flows;
	size_t nflows, capflows;
	struct agg_slot *slots;
	size_t nslots;		/* a power of two */
	struct agg_health *health;
	size_t nhealth, caphealth;
};

#define AGG_MIN_SLOTS 1024

int
agg_new(struct agg **out, int64_t window_s)
{
	struct agg *a;

	if (window_s < 1 || window_s > (1LL << 31))
		return fp_error("aggregate: window of %lld seconds out of range",
		    (long long)window_s);
	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->slots = calloc(AGG_MIN_SLOTS, sizeof(*a->slots))) == NULL) {
		free(a);
		return fp_error("aggregate: out of memory");
	}
	a->nslots = AGG_MIN_SLOTS;
	a->window_s = window_s;
	*out = a;
	return 0;
}

void
agg_free(struct agg *a)
{
	if (a == NULL)
		return;
	free(a->flows);
	free(a->slots);
	free(a->health);
	free(a);
}

int64_t
agg_window_of(const struct agg *a, int64_t ts_us)
{
	int64_t s = ts_us / 1000000;

	if (ts_us < 0 && ts_us % 1000000 != 0)
		s--;
	s -= ((s % a->window_s) + a->window_s) % a->window_s;
	return s;
}

void
agg_pending(const struct agg *a, size_t *flows, uint64_t *events)
{
	size_t i;

	*flows = a->nflows;
	*events = 0;
	for (i = 0; i < a->nhealth; i++)
		*events += a->health[i].c[AGG_RECEIVED];
}

size_t
agg_flows(const struct agg *a)
{
	return a->nflows;
}

/* 64-bit multiply-xorshift over the key words: cheap and well mixed. */
static uint32_t
key_hash(const struct agg_flow *k)
{
	uint64_t w[AGG_KEYLEN / 8], h = 0x9e3779b97f4a7c15ULL;
	size_t i;

	memcpy(w, k, AGG_KEYLEN);
	for (i = 0; i < AGG_KEYLEN / 8; i++) {
		h ^= w[i];
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	return (uint32_t)(h ^ (h >> 29));
}

static int
grow_slots(struct agg *a)
{
	size_t n = a->nslots * 2, i, j;
	struct agg_slot *s;

	if ((s = calloc(n, sizeof(*s))) == NULL)
		return fp_error("aggregate: out of memory (%zu flows)", a->nflows);
	for (i = 0; i < a->nslots; i++) {
		if (a->slots[i].idx == 0)
			continue;
		for (j = a->slots[i].hash & (n - 1); s[j].idx != 0;
		    j = (j + 1) & (n - 1))
			;
		s[j] = a->slots[i];
	}
	free(a->slots);
	a->slots = s;
	a->nslots = n;
	return 0;
}

int
agg_add(struct agg *a, const struct decode_event *ev, int64_t ts_us)
{
	struct agg_flow k, *f;
	struct agg_slot *s;
	uint32_t h;
	size_t j;

	memset(&k, 0, AGG_KEYLEN);
	k.window = (uint32_t)agg_window_of(a, ts_us);
	k.family = ev->family;
	k.proto = ev->proto;
	k.dport = ev->dport;
	memcpy(k.src, ev->src, ev->family == 4 ? 4 : 16);
	memcpy(k.dst, ev->dst, ev->family == 4 ? 4 : 16);
	h = key_hash(&k);
	for (j = h & (a->nslots - 1);; j = (j + 1) & (a->nslots - 1)) {
		s = &a->slots[j];
		if (s->idx == 0)
			break;
		f = &a->flows[s->idx - 1];
		if (s->hash == h && memcmp(f, &k, AGG_KEYLEN) == 0) {
			f->packets++;
			if (ts_us < f->first_us)
				f->first_us = ts_us;
			if (ts_us > f->last_us)
				f->last_us = ts_us;
			return 0;
		}
	}
	/* New flow. Keep the index at most 5/8 full so probes stay short. */
	if (a->nflows == a->capflows) {
		size_t n = a->capflows ? a->capflows * 2 : 1024;
		struct agg_flow *nf;

		if (n > UINT32_MAX - 1 ||
		    (nf = realloc(a->flows, n * sizeof(*nf))) == NULL)
			return fp_error("aggregate: out of memory (%zu flows)",
			    a->nflows);
		a->flows = nf;
		a->capflows = n;
	}
	if ((a->nflows + 1) * 8 > a->nslots * 5) {
		if (grow_slots(a) < 0)
			return -1;
		for (j = h & (a->nslots - 1); a->slots[j].idx != 0;
		    j = (j + 1) & (a->nslots - 1))
			;
		s = &a->slots[j];
	}
	f = &a->flows[a->nflows];
	memcpy(f, &k, AGG_KEYLEN);
	f->packets = 1;
	f->first_us = f->last_us = ts_us;
	s->idx = (uint32_t)++a->nflows;
	s->hash = h;
	return 0;
}

int
agg_count(struct agg *a, int64_t ts_us, enum agg_counter c, uint64_t n)
{
	int64_t w = agg_window_of(a, ts_us);
	size_t i;

	/* Events arrive in time order: the window is nearly always the last. */
	for (i = a->nhealth; i > 0; i--)
		if (a->health[i - 1].window == w)
			goto found;
	if (a->nhealth == a->caphealth) {
		size_t cap = a->caphealth ? a->caphealth * 2 : 4;
		struct agg_health *nh = realloc(a->health, cap * sizeof(*nh));

		if (nh == NULL)
			return fp_error("aggregate: out of memory");
		a->health = nh;
		a->caphealth = cap;
	}
	memset(&a->health[a->nhealth], 0, sizeof(a->health[0]));
	a->health[a->nhealth].window = w;
	i = ++a->nhealth;
found:
	a->health[i - 1].c[c] += n;
	return 0;
}

size_t
agg_windows(const struct agg *a)
{
	return a->nhealth;
}

uint64_t
agg_counter_total(const struct agg *a, enum agg_counter c)
{
	uint64_t t = 0;
	size_t i;

	for (i = 0; i < a->nhealth; i++)
		t += a->health[i].c[c];
	return t;
}

void
agg_reset(struct agg *a)
{
	a->nflows = 0;
	a->nhealth = 0;
	memset(a->slots, 0, a->nslots * sizeof(*a->slots));
}

/* The entries being sorted by cmp_idx (qsort has no context argument). */
static const struct agg_flow *sort_base;

/* Key order, so that rows go into the B-tree roughly in its own order. */
static int
cmp_idx(const void *x, const void *y)
{
	const uint32_t *a = x, *b = y;

	return memcmp(&sort_base[*a], &sort_base[*b], AGG_KEYLEN);
}

static const char upsert_flow_sql[] =
    "INSERT INTO flows(window_start, node, src, dst, proto, dport, packets,"
    " first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    " ON CONFLICT(window_start, node, src, dst, proto, dport) DO UPDATE SET"
    " packets = packets + excluded.packets,"
    " first_seen = min(first_seen, excluded.first_seen),"
    " last_seen = max(last_seen, excluded.last_seen)";

static const char upsert_health_sql[] =
    "INSERT INTO health(window_start, node, window_len, received, decoded,"
    " malformed, lost, fragments, unsupported)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    " ON CONFLICT(window_start, node) DO UPDATE SET"
    " received = received + excluded.received,"
    " decoded = decoded + excluded.decoded,"
    " malformed = malformed + excluded.malformed,"
    " lost = lost + excluded.lost,"
    " fragments = fragments + excluded.fragments,"
    " unsupported = unsupported + excluded.unsupported";

int
agg_flush(struct agg *a, struct store *st, const char *node)
{
	return agg_flush_with(a, st, node, NULL, NULL);
}

int
agg_flush_with(struct agg *a, struct store *st, const char *node,
    int (*in_txn)(void *arg, struct store *st), void *arg)
{
	sqlite3_stmt *fs = NULL, *hs = NULL;
	uint32_t *order = NULL;
	size_t i, alen;
	int c, rc, ret = -1, began = 0;

	if (a->nflows == 0 && a->nhealth == 0 && in_txn == NULL)
		return 0;
	/*
	 * Sort 4-byte indexes, not the 64-byte entries: glibc's qsort may take
	 * a buffer as large as the array, which at a million flows would be
	 * the largest allocation of the whole collector.
	 */
	if (a->nflows > 0 &&
	    (order = malloc(a->nflows * sizeof(*order))) == NULL) {
		fp_error("aggregate: out of memory (%zu flows)", a->nflows);
		goto out;
	}
	for (i = 0; i < a->nflows; i++)
		order[i] = (uint32_t)i;
	sort_base = a->flows;
	if (a->nflows > 0)
		qsort(order, a->nflows, sizeof(*order), cmp_idx);
	if (store_prepare(st, &fs, upsert_flow_sql) < 0 ||
	    store_prepare(st, &hs, upsert_health_sql) < 0 ||
	    store_begin(st) < 0)
		goto out;
	began = 1;
	for (i = 0; i < a->nflows; i++) {
		const struct agg_flow *f = &a->flows[order[i]];

		alen = f->family == 4 ? 4 : 16;
		sqlite3_bind_int64(fs, 1, f->window);
		sqlite3_bind_text(fs, 2, node, -1, SQLITE_STATIC);
		sqlite3_bind_blob(fs, 3, f->src, (int)alen, SQLITE_STATIC);
		sqlite3_bind_blob(fs, 4, f->dst, (int)alen, SQLITE_STATIC);
		sqlite3_bind_int(fs, 5, f->proto);
		sqlite3_bind_int(fs, 6, f->dport);
		sqlite3_bind_int64(fs, 7, (sqlite3_int64)f->packets);
		sqlite3_bind_int64(fs, 8, f->first_us);
		sqlite3_bind_int64(fs, 9, f->last_us);
		if (sqlite3_step(fs) != SQLITE_DONE) {
			store_sqlerr(st, "writing flows");
			goto out;
		}
		sqlite3_reset(fs);
	}
	for (i = 0; i < a->nhealth; i++) {
		const struct agg_health *h = &a->health[i];

		sqlite3_bind_int64(hs, 1, h->window);
		sqlite3_bind_text(hs, 2, node, -1, SQLITE_STATIC);
		sqlite3_bind_int64(hs, 3, a->window_s);
		for (c = 0; c < AGG_NCOUNTERS; c++)
			sqlite3_bind_int64(hs, 4 + c, (sqlite3_int64)h->c[c]);
		if (sqlite3_step(hs) != SQLITE_DONE) {
			store_sqlerr(st, "writing health");
			goto out;
		}
		sqlite3_reset(hs);
	}
	if (in_txn != NULL && (rc = in_txn(arg, st)) != 0) {
		ret = rc < 0 ? -1 : 1;	/* rolled back below */
		goto out;
	}
	began = 0;	/* a failed commit rolls back by itself */
	if (store_commit(st) < 0)
		goto out;
	agg_reset(a);
	ret = 0;
out:
	if (began)
		store_rollback(st);
	sqlite3_finalize(fs);
	sqlite3_finalize(hs);
	free(order);
	return ret;
}
