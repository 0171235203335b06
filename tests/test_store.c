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

/* A new database, closed again. */
static void
fresh(const char *db)
{
	struct store *st = NULL;

	assert_int_equal(store_open(&st, db, STORE_CREATE), 0);
	store_free(st);
}

/* Run SQL on the file behind flowpol's back, as an attacker would. */
static void
plant(const char *db, const char *sql)
{
	sqlite3 *h;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

static void
test_store_refuses_planted_trigger_without_running_it(void **state)
{
	struct fixture *f = *state;
	struct store *st = NULL;

	assert_int_equal(store_open(&st, f->db, STORE_CREATE), 0);
	assert_int_equal(store_exec(st, "INSERT INTO edges VALUES ('a/b', 'c/d', "
	    "6, 80, 1, 0, 0, 'n1')"), 0);
	store_free(st);
	st = NULL;
	plant(f->db, "CREATE TRIGGER wipe AFTER INSERT ON flows BEGIN "
	    "DELETE FROM edges; END");
	assert_int_equal(store_open(&st, f->db, 0), -1);
	assert_non_null(strstr(fp_errmsg(), "trigger 'wipe' is not part of "
	    "flowpol's schema"));
	assert_int_equal(store_open(&st, f->db, STORE_READONLY), -1);
	/* Even a connection that skipped the check would not run it. */
	plant(f->db, "DROP TRIGGER wipe");
	assert_int_equal(store_open(&st, f->db, 0), 0);
	assert_int_equal(query_int(store_db(st), "SELECT count(*) FROM edges"), 1);
	store_free(st);
}

static void
test_store_refuses_view_in_place_of_a_table(void **state)
{
	struct fixture *f = *state;
	struct store *st = NULL;

	fresh(f->db);
	plant(f->db, "DROP TABLE flows; CREATE VIEW flows AS WITH RECURSIVE "
	    "c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT 0, 'other', "
	    "x'0a000001', x'0a000002', 6, 80, 1, 0, 0 FROM c");
	assert_int_equal(store_open(&st, f->db, STORE_READONLY), -1);
	assert_non_null(strstr(fp_errmsg(), "view 'flows' is not part of "
	    "flowpol's schema"));
}

static void
test_store_refuses_extra_index_and_altered_table(void **state)
{
	struct fixture *f = *state;
	struct store *st = NULL;

	fresh(f->db);
	plant(f->db, "CREATE INDEX sneaky ON flows(node)");
	assert_int_equal(store_open(&st, f->db, 0), -1);
	assert_non_null(strstr(fp_errmsg(), "index 'sneaky'"));
	plant(f->db, "DROP INDEX sneaky; ALTER TABLE meta ADD COLUMN x "
	    "DEFAULT 1");
	assert_int_equal(store_open(&st, f->db, 0), -1);
	assert_non_null(strstr(fp_errmsg(), "table 'meta' of flowpol's schema "
	    "(version "));
	assert_non_null(strstr(fp_errmsg(), ") is missing or altered"));
}

static void
test_store_stops_endless_statement(void **state)
{
	struct fixture *f = *state;
	struct store *st = NULL;

	assert_int_equal(store_open(&st, f->db, STORE_CREATE), 0);
	assert_int_equal(store_exec(st, "WITH RECURSIVE c(x) AS (SELECT 1 UNION "
	    "ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"), -1);
	assert_non_null(strstr(fp_errmsg(), "statement stopped after"));
	/* The bound is per statement: the next one runs. */
	assert_int_equal(store_exec(st, "SELECT count(*) FROM flows"), 0);
	store_free(st);
}

static void
test_store_publish_uses_rollback_journal(void **state)
{
	struct fixture *f = *state;
	struct store *st = NULL;
	sqlite3_stmt *s;

	assert_int_equal(store_open(&st, f->db, STORE_CREATE | STORE_PUBLISH), 0);
	assert_int_equal(sqlite3_prepare_v2(store_db(st), "PRAGMA journal_mode",
	    -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "delete");
	sqlite3_finalize(s);
	store_free(st);
	/* A later writer keeps it that way. */
	assert_int_equal(store_open(&st, f->db, 0), 0);
	assert_int_equal(sqlite3_prepare_v2(store_db(st), "PRAGMA journal_mode",
	    -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "delete");
	sqlite3_finalize(s);
	store_free(st);
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
		cmocka_unit_test_setup_teardown(test_store_refuses_planted_trigger_without_running_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_refuses_view_in_place_of_a_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_refuses_extra_index_and_altered_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_stops_endless_statement, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_publish_uses_rollback_journal, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
