#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "tests/testutil.h"
#include "common/err.h"
#include "store/store.h"

struct fixture {
	char *dir;
	char *db;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = tu_tmpdir();
	assert_non_null(f->dir);
	f->db = tu_path(f->dir, "flowpol.db");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	free(f->db);
	tu_rmdir(f->dir);
	free(f);
	return 0;
}

static long long
query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	long long v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void
test_store_create_sets_identity_mode_and_wal(void **state)
{
	struct fixture *f = *state;
	struct store *st = NULL;
	struct stat sb;
	sqlite3_stmt *s;

	assert_int_equal(store_open(&st, f->db, STORE_CREATE), 0);
	assert_int_equal(query_int(store_db(st), "PRAGMA application_id"),
	    FP_STORE_APPID);
	assert_int_equal(query_int(store_db(st), "PRAGMA user_version"),
	    store_schema_version());
	assert_int_equal(sqlite3_prepare_v2(store_db(st), "PRAGMA journal_mode",
	    -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	store_free(st);
	assert_int_equal(stat(f->db, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
}

static void
test_store_missing_without_create_fails(void **state)
{
	struct fixture *f = *state;
	struct store *st = NULL;
	struct stat sb;

	assert_int_equal(store_open(&st, f->db, 0), -1);
	assert_non_null(strstr(fp_errmsg(), "no such database"));
	assert_non_null(strstr(fp_errmsg(), f->db));
	assert_int_equal(stat(f->db, &sb), -1);
}

static void
test_store_round_trip_and_meta(void **state)
{
	struct fixture *f = *state;
	struct store *st = NULL;
	char *v = NULL;

	assert_int_equal(store_open(&st, f->db, STORE_CREATE), 0);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_exec(st, "INSERT INTO flows VALUES "
	    "(600, 'n1', x'0a000001', x'0a000002', 6, 80, 3, 1, 2)"), 0);
	assert_int_equal(store_meta_set(st, "k", "v1"), 0);
	assert_int_equal(store_commit(st), 0);
	store_free(st);
	st = NULL;

	assert_int_equal(store_open(&st, f->db, 0), 0);
	assert_int_equal(query_int(store_db(st),
	    "SELECT packets FROM flows WHERE dport = 80"), 3);
	assert_int_equal(store_meta_get(st, "k", &v), 0);
	assert_string_equal(v, "v1");
	free(v);
	assert_int_equal(store_meta_get(st, "absent", &v), 0);
	assert_null(v);
	store_free(st);
}

static void
test_store_refuses_newer_schema_untouched(void **state)
{
	struct fixture *f = *state;
	struct store *st = NULL;
	sqlite3 *db;
	struct stat before, after;

	assert_int_equal(store_open(&st, f->db, STORE_CREATE), 0);
	store_free(st);
	st = NULL;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode=DELETE; "
	    "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(stat(f->db, &before), 0);

	assert_int_equal(store_open(&st, f->db, 0), -1);
	assert_non_null(strstr(fp_errmsg(), "schema version 999 is newer"));
	assert_int_equal(stat(f->db, &after), 0);
	assert_int_equal(before.st_size, after.st_size);
	assert_int_equal(before.st_mtime, after.st_mtime);
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(query_int(db, "PRAGMA user_version"), 999);
	sqlite3_close(db);
}

static void
test_store_refuses_foreign_database(void **state)
{
	struct fixture *f = *state;
	struct store *st = NULL;
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t "
	    "VALUES (42)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(store_open(&st, f->db, STORE_CREATE), -1);
	assert_non_null(strstr(fp_errmsg(), "not a flowpol database"));
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(query_int(db, "SELECT x FROM t"), 42);
	assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master"), 1);
	assert_int_equal(query_int(db, "PRAGMA application_id"), 0);
	sqlite3_close(db);
}

static void
test_store_refuses_non_sqlite_file(void **state)
{
	struct fixture *f = *state;
	struct store *st = NULL;
	static const char junk[] = "this is not a database, just some text that "
	    "is long enough to look like a header........................";

	assert_int_equal(tu_write(f->db, junk, sizeof(junk)), 0);
	assert_int_equal(store_open(&st, f->db, STORE_CREATE), -1);
	assert_non_null(strstr(fp_errmsg(), "not a SQLite database"));
	assert_non_null(strstr(fp_errmsg(), f->db));
}

static void
test_store_locked_database_is_a_clear_error(void **state)
{
	struct fixture *f = *state;
	struct store *st = NULL;
	sqlite3 *other;

	setenv("FLOWPOL_BUSY_TIMEOUT_MS", "50", 1);
	assert_int_equal(store_open(&st, f->db, STORE_CREATE), 0);
	assert_int_equal(sqlite3_open(f->db, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE; INSERT INTO meta "
	    "VALUES ('held', 'x')", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_begin(st), -1);
	assert_non_null(strstr(fp_errmsg(), "locked"));
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_commit(st), 0);
	store_free(st);
	unsetenv("FLOWPOL_BUSY_TIMEOUT_MS");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store_create_sets_identity_mode_and_wal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_missing_without_create_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_round_trip_and_meta, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_refuses_newer_schema_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_refuses_foreign_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_refuses_non_sqlite_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_locked_database_is_a_clear_error, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
