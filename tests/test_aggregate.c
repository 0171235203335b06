/* Aggregation per window and the flows/health round trip through a store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "collector/aggregate.h"
#include "collector/decode.h"
#include "common/err.h"
#include "store/store.h"
#include "tests/testutil.h"

#define T0 1764151200000000LL	/* 2025-11-26T10:00:00Z, a 600 s boundary */
#define S 1000000LL

static char *dir;
static struct store *st;

static int
setup(void **state)
{
	char *db;

	(void)state;
	if ((dir = tu_tmpdir()) == NULL || (db = tu_path(dir, "f.db")) == NULL)
		return -1;
	if (store_open(&st, db, STORE_CREATE) < 0) {
		free(db);
		return -1;
	}
	free(db);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	store_free(st);
	st = NULL;
	tu_rmdir(dir);
	return 0;
}

static struct decode_event
ev4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t dport)
{
	struct decode_event e;

	memset(&e, 0, sizeof(e));
	e.family = 4;
	e.proto = proto;
	e.dport = dport;
	e.src[0] = (uint8_t)(src >> 24); e.src[1] = (uint8_t)(src >> 16);
	e.src[2] = (uint8_t)(src >> 8); e.src[3] = (uint8_t)src;
	e.dst[0] = (uint8_t)(dst >> 24); e.dst[1] = (uint8_t)(dst >> 16);
	e.dst[2] = (uint8_t)(dst >> 8); e.dst[3] = (uint8_t)dst;
	return e;
}

static struct decode_event
ev6(uint8_t s, uint8_t d, uint8_t proto, uint16_t dport)
{
	struct decode_event e;

	memset(&e, 0, sizeof(e));
	e.family = 6;
	e.proto = proto;
	e.dport = dport;
	e.src[0] = e.dst[0] = 0xfd;
	e.src[15] = s;
	e.dst[15] = d;
	return e;
}

/* Rows of flows as text, in key order, for comparison. */
static char *
dump(const char *sql)
{
	sqlite3_stmt *s;
	char *out = calloc(1, 65536);
	size_t n = 0;
	int i;

	assert_non_null(out);
	assert_int_equal(store_prepare(st, &s, sql), 0);
	while (sqlite3_step(s) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(s); i++) {
			if (sqlite3_column_type(s, i) == SQLITE_BLOB)
				n += (size_t)snprintf(out + n, 65536 - n, "%s%d:",
				    i ? " " : "", sqlite3_column_bytes(s, i));
			else
				n += (size_t)snprintf(out + n, 65536 - n, "%s%lld",
				    i ? " " : "",
				    (long long)sqlite3_column_int64(s, i));
		}
		n += (size_t)snprintf(out + n, 65536 - n, "\n");
	}
	sqlite3_finalize(s);
	return out;
}

static void
test_aggregate_windows_and_keys(void **state)
{
	struct agg *a;
	struct decode_event e1 = ev4(0x0af4010b, 0x0af4010c, 6, 80);
	struct decode_event e2 = ev4(0x0af4010b, 0x0af4010c, 6, 443);
	struct decode_event e3 = ev6(1, 2, 58, 128 << 8);
	char *rows;

	(void)state;
	assert_int_equal(agg_new(&a, 600), 0);
	assert_int_equal(agg_window_of(a, T0 + 599 * S + 999999), T0 / S);
	assert_int_equal(agg_window_of(a, T0 + 600 * S), T0 / S + 600);
	assert_int_equal(agg_add(a, &e1, T0 + 5 * S), 0);
	assert_int_equal(agg_add(a, &e1, T0 + 1 * S), 0);
	assert_int_equal(agg_add(a, &e1, T0 + 9 * S), 0);
	assert_int_equal(agg_add(a, &e2, T0 + 2 * S), 0);
	assert_int_equal(agg_add(a, &e1, T0 + 600 * S), 0);	/* next window */
	assert_int_equal(agg_add(a, &e3, T0 + 3 * S), 0);
	assert_int_equal(agg_flows(a), 4);
	assert_int_equal(agg_count(a, T0, AGG_RECEIVED, 5), 0);
	assert_int_equal(agg_count(a, T0 + 600 * S, AGG_RECEIVED, 1), 0);
	assert_int_equal(agg_count(a, T0, AGG_LOST, 2), 0);
	assert_int_equal(agg_counter_total(a, AGG_RECEIVED), 6);
	assert_int_equal(agg_flush(a, st, "node-a"), 0);
	assert_int_equal(agg_flows(a), 0);
	rows = dump("SELECT window_start, length(src), proto, dport, packets,"
	    " first_seen, last_seen FROM flows ORDER BY window_start,"
	    " length(src), dport");
	assert_string_equal(rows,
	    "1764151200 4 6 80 3 1764151201000000 1764151209000000\n"
	    "1764151200 4 6 443 1 1764151202000000 1764151202000000\n"
	    "1764151200 16 58 32768 1 1764151203000000 1764151203000000\n"
	    "1764151800 4 6 80 1 1764151800000000 1764151800000000\n");
	free(rows);
	/* A second flush adds to the stored rows and widens first/last. */
	assert_int_equal(agg_add(a, &e1, T0 + 0 * S), 0);
	assert_int_equal(agg_add(a, &e1, T0 + 20 * S), 0);
	assert_int_equal(agg_count(a, T0, AGG_RECEIVED, 2), 0);
	assert_int_equal(agg_count(a, T0, AGG_MALFORMED, 1), 0);
	assert_int_equal(agg_flush(a, st, "node-a"), 0);
	/* Another node's rows stay apart. */
	assert_int_equal(agg_add(a, &e1, T0), 0);
	assert_int_equal(agg_flush(a, st, "node-b"), 0);
	rows = dump("SELECT window_start, node = 'node-a', packets, first_seen,"
	    " last_seen FROM flows WHERE proto = 6 AND dport = 80"
	    " ORDER BY window_start, node");
	assert_string_equal(rows,
	    "1764151200 1 5 1764151200000000 1764151220000000\n"
	    "1764151200 0 1 1764151200000000 1764151200000000\n"
	    "1764151800 1 1 1764151800000000 1764151800000000\n");
	free(rows);
	rows = dump("SELECT window_start, window_len, received, decoded,"
	    " malformed, lost, fragments, unsupported FROM health"
	    " WHERE node = 'node-a' ORDER BY window_start");
	assert_string_equal(rows,
	    "1764151200 600 7 0 1 2 0 0\n"
	    "1764151800 600 1 0 0 0 0 0\n");
	free(rows);
	agg_free(a);
}

/* Many distinct flows: the table grows and loses nothing. */
static void
test_aggregate_growth(void **state)
{
	struct agg *a;
	struct decode_event e;
	uint32_t i;
	char *rows;

	(void)state;
	assert_int_equal(agg_new(&a, 60), 0);
	for (i = 0; i < 50000; i++) {
		e = ev4(0x0a000000 + i, 0x0a800001, 17, (uint16_t)(i % 7));
		assert_int_equal(agg_add(a, &e, T0 + i), 0);
		if (i % 5 == 0)
			assert_int_equal(agg_add(a, &e, T0 + i + 1), 0);
	}
	assert_int_equal(agg_flows(a), 50000);
	assert_int_equal(agg_flush(a, st, "n"), 0);
	rows = dump("SELECT count(*), sum(packets), min(first_seen) FROM flows");
	assert_string_equal(rows, "50000 60000 1764151200000000\n");
	free(rows);
	agg_free(a);
}

/* A locked store: the flush fails, keeps everything, and succeeds later. */
static void
test_aggregate_flush_locked(void **state)
{
	struct agg *a;
	struct store *other;
	struct decode_event e = ev4(1, 2, 6, 22);
	char *db, *rows;

	(void)state;
	setenv("FLOWPOL_BUSY_TIMEOUT_MS", "0", 1);
	db = tu_path(dir, "f.db");
	assert_int_equal(store_open(&other, db, 0), 0);
	store_free(st);
	assert_int_equal(store_open(&st, db, 0), 0);
	assert_int_equal(agg_new(&a, 600), 0);
	assert_int_equal(agg_add(a, &e, T0), 0);
	assert_int_equal(store_begin(other), 0);
	assert_int_equal(agg_flush(a, st, "n"), -1);
	assert_non_null(strstr(fp_errmsg(), "locked"));
	assert_int_equal(agg_flows(a), 1);
	assert_int_equal(agg_add(a, &e, T0 + S), 0);	/* same flow, found again */
	assert_int_equal(agg_flows(a), 1);
	store_rollback(other);
	assert_int_equal(agg_flush(a, st, "n"), 0);
	rows = dump("SELECT packets, first_seen, last_seen FROM flows");
	assert_string_equal(rows, "2 1764151200000000 1764151201000000\n");
	free(rows);
	store_free(other);
	agg_free(a);
	free(db);
	unsetenv("FLOWPOL_BUSY_TIMEOUT_MS");
}

static void
test_aggregate_bad_window(void **state)
{
	struct agg *a = NULL;

	(void)state;
	assert_int_equal(agg_new(&a, 0), -1);
	assert_null(a);
	assert_non_null(strstr(fp_errmsg(), "window"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_aggregate_windows_and_keys,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_aggregate_growth, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_aggregate_flush_locked, setup,
		    teardown),
		cmocka_unit_test(test_aggregate_bad_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
