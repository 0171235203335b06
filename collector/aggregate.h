#ifndef FLOWPOL_AGGREGATE_H
#define FLOWPOL_AGGREGATE_H

#include <stddef.h>
#include <stdint.h>

#include "collector/decode.h"

/*
 * In-memory aggregation of flow events per time window, keyed by (window,
 * src, dst, proto, dport) with a packet count and first/last seen; plus the
 * collector's health counters per window. One aggregator serves one node
 * label. agg_flush() writes everything in one transaction, adding to the
 * rows already stored, then forgets it: memory follows the distinct flows
 * of one flush interval, and the hot path (agg_add) allocates only when the
 * table doubles.
 */

struct agg;
struct store;

/* Health counters, one column each in the health table. */
enum agg_counter {
	AGG_RECEIVED,
	AGG_DECODED,
	AGG_MALFORMED,
	AGG_LOST,
	AGG_FRAGMENTS,
	AGG_UNSUPPORTED,
	AGG_NCOUNTERS
};

/* window_s: window length in seconds (1 .. 2^31). 0 or -1 (fp_error). */
int agg_new(struct agg **out, int64_t window_s);
/* Free; NULL does nothing. */
void agg_free(struct agg *a);

/* The window an event time (unix µs) belongs to, in unix seconds. */
int64_t agg_window_of(const struct agg *a, int64_t ts_us);

/* Count one decoded event at ts_us. 0 or -1 (out of memory, fp_error). */
int agg_add(struct agg *a, const struct decode_event *ev, int64_t ts_us);
/* Add n to a health counter of the window of ts_us. 0 or -1 (fp_error). */
int agg_count(struct agg *a, int64_t ts_us, enum agg_counter c, uint64_t n);

/* Distinct flows held now. */
size_t agg_flows(const struct agg *a);
/* Windows held now (each has a health row). */
size_t agg_windows(const struct agg *a);
/* Sum of a counter over the windows held now (for messages and tests). */
uint64_t agg_counter_total(const struct agg *a, enum agg_counter c);

/*
 * Write every flow and health row in one transaction (prepared UPSERTs that
 * add counts, widen first/last seen) labelled node; on success empty the
 * aggregator. On failure nothing is written and nothing is forgotten.
 * 0 or -1 (fp_error).
 */
int agg_flush(struct agg *a, struct store *st, const char *node);
/*
 * agg_flush, and in_txn(arg, st) inside the same transaction before it
 * commits (with nothing held, the transaction holds only what in_txn
 * writes): in_txn returns 0 to commit, 1 to give up quietly (nothing is
 * written, the aggregator keeps its rows, agg_flush_with returns 1) or -1
 * on an error (fp_error; rolled back, -1).
 */
int agg_flush_with(struct agg *a, struct store *st, const char *node,
    int (*in_txn)(void *arg, struct store *st), void *arg);
/* What a failed flush would lose: distinct flows and events received. */
void agg_pending(const struct agg *a, size_t *flows, uint64_t *events);

/* Forget everything held (after an input error: that input is not stored). */
void agg_reset(struct agg *a);

#endif
