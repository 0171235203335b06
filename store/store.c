#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "store/schema.h"
#include "store/store.h"
#include "common/banned.h"

/* How long a writer waits for another writer before "database is locked". */
#define STORE_BUSY_MS_DEFAULT 5000

struct store {
	sqlite3 *db;
	char *path;
	int flags;
};

const char *
store_default_path(void)
{
	const char *p = getenv("FLOWPOL_DB");

	return (p != NULL && *p != '\0') ? p : "./flowpol.db";
}

int
store_schema_version(void)
{
	return fp_migration_count;
}

sqlite3 *
store_db(struct store *st)
{
	return st->db;
}

const char *
store_path(const struct store *st)
{
	return st->path;
}

int
store_sqlerr(struct store *st, const char *what)
{
	int code = sqlite3_errcode(st->db);

	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return fp_error("store '%s': %s: database is locked by another process",
		    st->path, what);
	return fp_error("store '%s': %s: %s", st->path, what,
	    sqlite3_errmsg(st->db));
}

int
store_exec(struct store *st, const char *sql)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlerr(st, "exec");
	return 0;
}

int
store_prepare(struct store *st, sqlite3_stmt **out, const char *sql)
{
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out,
	    NULL) != SQLITE_OK)
		return store_sqlerr(st, "prepare");
	return 0;
}

int
store_begin(struct store *st)
{
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlerr(st, "begin");
	return 0;
}

int
store_commit(struct store *st)
{
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		store_sqlerr(st, "commit");
		store_rollback(st);
		return -1;
	}
	return 0;
}

void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static int
pragma_int(struct store *st, const char *sql, long long *out)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		goto fail;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		goto fail;
	*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
fail:
	sqlite3_finalize(s);
	if (sqlite3_errcode(st->db) == SQLITE_NOTADB)
		return fp_error("store '%s': not a SQLite database", st->path);
	return store_sqlerr(st, "reading the schema");
}

static int
migrate(struct store *st, int from)
{
	char sql[96];
	int v;

	if (store_begin(st) < 0)
		return -1;
	for (v = from; v < fp_migration_count; v++) {
		if (sqlite3_exec(st->db, fp_migrations[v], NULL, NULL, NULL) != SQLITE_OK) {
			store_sqlerr(st, "migrating the schema");
			goto fail;
		}
	}
	snprintf(sql, sizeof(sql),
	    "PRAGMA application_id = %d; PRAGMA user_version = %d;",
	    FP_STORE_APPID, fp_migration_count);
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		store_sqlerr(st, "migrating the schema");
		goto fail;
	}
	return store_commit(st);
fail:
	store_rollback(st);
	return -1;
}

/* Create the file ourselves so that it is 0600 from the first byte. */
static int
create_file(const char *path, int *created)
{
	int fd;

	*created = 0;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		*created = 1;
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	return fp_error("store '%s': cannot create: %s", path, strerror(errno));
}

/*
 * An empty file someone else created (touch, a hostPath of type
 * FileOrCreate) keeps its mode, often 0644: take group and other access
 * away before the first row goes in, as create_file would have.
 */
static int
tighten_mode(struct store *st)
{
	struct stat sb;

	if (stat(st->path, &sb) < 0)
		return fp_error("store '%s': %s", st->path, strerror(errno));
	if ((sb.st_mode & 077) != 0 && chmod(st->path, sb.st_mode & 0700) < 0)
		return fp_error("store '%s': cannot make it private (mode 0600): %s",
		    st->path, strerror(errno));
	return 0;
}

static int
check_and_migrate(struct store *st)
{
	long long appid, version, objects;

	if (pragma_int(st, "PRAGMA application_id", &appid) < 0 ||
	    pragma_int(st, "PRAGMA user_version", &version) < 0 ||
	    pragma_int(st, "SELECT count(*) FROM sqlite_master", &objects) < 0)
		return -1;
	if (appid == 0 && version == 0 && objects == 0) {
		if (st->flags & STORE_READONLY)
			return fp_error("store '%s': empty database: nothing recorded yet",
			    st->path);
		if (tighten_mode(st) < 0)
			return -1;
		return migrate(st, 0);
	}
	if (appid != FP_STORE_APPID)
		return fp_error("store '%s': not a flowpol database "
		    "(application_id 0x%llx); left untouched", st->path,
		    (unsigned long long)(appid & 0xffffffffLL));
	if (version > fp_migration_count)
		return fp_error("store '%s': schema version %lld is newer than this "
		    "flowpol supports (%d); upgrade flowpol; left untouched",
		    st->path, version, fp_migration_count);
	if (version < 1)
		return fp_error("store '%s': damaged flowpol database (schema "
		    "version %lld)", st->path, version);
	if (version < fp_migration_count) {
		if (st->flags & STORE_READONLY)
			return fp_error("store '%s': schema version %lld needs a "
			    "migration; open it with a writing command first",
			    st->path, version);
		return migrate(st, (int)version);
	}
	return 0;
}

static int
busy_ms(void)
{
	const char *e = getenv("FLOWPOL_BUSY_TIMEOUT_MS");
	char *end;
	long v;

	if (e == NULL || *e == '\0')
		return STORE_BUSY_MS_DEFAULT;
	v = strtol(e, &end, 10);
	if (*end != '\0' || v < 0 || v > 600000)
		return STORE_BUSY_MS_DEFAULT;
	return (int)v;
}

int
store_open(struct store **out, const char *path, int flags)
{
	struct store *st = NULL;
	struct stat sb;
	int created = 0, oflags, ret = -1;

	if (path == NULL)
		path = store_default_path();
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->path = strdup(path)) == NULL) {
		fp_error("store '%s': out of memory", path);
		goto out;
	}
	st->flags = flags;
	if (stat(path, &sb) < 0) {
		if (errno != ENOENT || !(flags & STORE_CREATE)) {
			fp_error("store '%s': %s", path, errno == ENOENT ?
			    "no such database" : strerror(errno));
			goto out;
		}
		if (create_file(path, &created) < 0)
			goto out;
	} else if (!S_ISREG(sb.st_mode)) {
		fp_error("store '%s': not a regular file", path);
		goto out;
	} else if (access(path, (flags & STORE_READONLY) ? R_OK : R_OK | W_OK) < 0) {
		fp_error("store '%s': %s", path, strerror(errno));
		goto out;
	}
	oflags = (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE;
	if (sqlite3_open_v2(path, &st->db, oflags | SQLITE_OPEN_NOMUTEX, NULL)
	    != SQLITE_OK) {
		fp_error("store '%s': %s", path, st->db ? sqlite3_errmsg(st->db) :
		    "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(st->db, 0);
	sqlite3_busy_timeout(st->db, busy_ms());
	if (check_and_migrate(st) < 0)
		goto out;
	/* Only now that the file is known to be ours may anything be written. */
	if (!(flags & STORE_READONLY) &&
	    (store_exec(st, "PRAGMA journal_mode = WAL") < 0 ||
	    store_exec(st, "PRAGMA synchronous = NORMAL") < 0))
		goto out;
	*out = st;
	st = NULL;
	ret = 0;
out:
	if (st != NULL && created && st->db == NULL)
		unlink(path);
	store_free(st);
	return ret;
}

void
store_free(struct store *st)
{
	if (st == NULL)
		return;
	if (st->db != NULL)
		sqlite3_close(st->db);
	free(st->path);
	free(st);
}

int
store_meta_get(struct store *st, const char *key, char **out)
{
	sqlite3_stmt *s = NULL;
	int rc, ret = -1;

	*out = NULL;
	if (store_prepare(st, &s, "SELECT value FROM meta WHERE key = ?1") < 0)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(s, 0);
		if ((*out = strdup(v ? v : "")) == NULL) {
			fp_error("out of memory");
			goto out;
		}
	} else if (rc != SQLITE_DONE) {
		store_sqlerr(st, "reading meta");
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}

int
store_require_learned(struct store *st, const char *context)
{
	sqlite3_stmt *s = NULL;
	char *at = NULL;
	int rc, ret = -1;

	if (store_meta_get(st, "learn.at", &at) < 0)
		goto out;
	if (at != NULL) {
		ret = 0;
		goto out;
	}
	/* Stores written without learn (test fixtures) count by their rows. */
	if (store_prepare(st, &s, "SELECT EXISTS (SELECT 1 FROM workloads)") < 0)
		goto out;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		store_sqlerr(st, "reading workloads");
		goto out;
	}
	if (sqlite3_column_int(s, 0) == 0) {
		fp_error("%s: store '%s': nothing learned yet: run 'flowpol learn' "
		    "first", context, fp_clamp(st->path, 256));
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(s);
	free(at);
	return ret;
}

int
store_meta_set(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt *s = NULL;
	int ret = -1;

	if (store_prepare(st, &s, "INSERT INTO meta(key, value) VALUES (?1, ?2) "
	    "ON CONFLICT(key) DO UPDATE SET value = excluded.value") < 0)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		store_sqlerr(st, "writing meta");
	else
		ret = 0;
	sqlite3_finalize(s);
	return ret;
}

int
store_learned_period(struct store *st, int64_t *since, int64_t *until)
{
	char *a = NULL, *b = NULL;
	int ret = -1;

	*since = INT64_MIN;
	*until = INT64_MAX;
	if (store_meta_get(st, "learn.since", &a) < 0 ||
	    store_meta_get(st, "learn.until", &b) < 0)
		goto out;
	if (a != NULL)
		*since = strtoll(a, NULL, 10);
	if (b != NULL)
		*until = strtoll(b, NULL, 10);
	ret = 0;
out:
	free(a);
	free(b);
	return ret;
}
