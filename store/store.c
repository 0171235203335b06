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

/* The progress bound (see progress_cb). */
#define STORE_TICK_OPS 1000
#define STORE_BOUND_BASE 100000LL
#define STORE_BOUND_PER_PAGE 1000LL

struct store {
	sqlite3 *db;
	char *path;
	int flags;
	long long ticks;	/* progress ticks of the running statement */
	long long bound;	/* ... at which it is stopped */
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
	if (code == SQLITE_INTERRUPT && st->ticks > st->bound)
		return fp_error("store '%s': %s: statement stopped after %lld "
		    "million steps, the bound for a database of this size (a "
		    "crafted database?)", st->path, what,
		    st->bound * STORE_TICK_OPS / 1000000);
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
	/* A writer's database grows: so does the bound on its statements. */
	if (store_bound_update(st) < 0)
		return -1;
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

/*
 * Identity of the file in one read transaction: three separate reads could
 * straddle another process's migration commit and see application_id 0
 * beside a full schema.
 */
static int
read_identity(struct store *st, long long *appid, long long *version,
    long long *objects)
{
	sqlite3_stmt *s = NULL;
	int ret = -1;

	if (sqlite3_prepare_v2(st->db, "SELECT (SELECT application_id FROM "
	    "pragma_application_id), (SELECT user_version FROM "
	    "pragma_user_version), (SELECT count(*) FROM sqlite_master)", -1, &s,
	    NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		if (sqlite3_errcode(st->db) == SQLITE_NOTADB)
			fp_error("store '%s': not a SQLite database", st->path);
		else
			store_sqlerr(st, "reading the schema");
		goto out;
	}
	*appid = sqlite3_column_int64(s, 0);
	*version = sqlite3_column_int64(s, 1);
	*objects = sqlite3_column_int64(s, 2);
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}

/*
 * Bring an empty or older database to this build's schema. The check is
 * made again under the write lock (BEGIN IMMEDIATE): another process may
 * have migrated it while we waited, and then there is nothing left to do.
 */
static int
migrate(struct store *st)
{
	long long appid, version, objects;
	char sql[96];
	int v;

	if (store_begin(st) < 0)
		return -1;
	if (read_identity(st, &appid, &version, &objects) < 0)
		goto fail;
	if (appid == FP_STORE_APPID && version >= fp_migration_count) {
		store_rollback(st);
		return 0;
	}
	if (!(appid == 0 && version == 0 && objects == 0) &&
	    !(appid == FP_STORE_APPID && version >= 1)) {
		fp_error("store '%s': changed by another process while opening; "
		    "left untouched", st->path);
		goto fail;
	}
	for (v = (int)version; v < fp_migration_count; v++) {
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

/*
 * A database is input, not code (SQLite's security.html): no triggers, no
 * views, no functions with side effects from the schema, no writes to the
 * schema tables. Set before the first statement reads the schema.
 */
static int
harden(struct store *st)
{
	static const int off[] = { SQLITE_DBCONFIG_TRUSTED_SCHEMA,
	    SQLITE_DBCONFIG_ENABLE_TRIGGER, SQLITE_DBCONFIG_ENABLE_VIEW,
	    SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION };
	size_t i;
	int got;

	if (sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, &got) !=
	    SQLITE_OK || got != 1)
		return fp_error("store '%s': cannot open defensively", st->path);
	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		if (sqlite3_db_config(st->db, off[i], 0, &got) != SQLITE_OK ||
		    got != 0)
			return fp_error("store '%s': cannot open defensively",
			    st->path);
	return 0;
}

/* --- the schema a database of each version must have ------------------- */

struct schema_obj {
	char *type, *name, *sql;
};

static void
schema_objs_free(struct schema_obj *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].type);
		free(v[i].name);
		free(v[i].sql);
	}
	free(v);
}

/* Every object of SCHEMA ("main" or an attached name), sorted by type, name. */
static int
schema_objs(sqlite3 *db, const char *schema, struct schema_obj **out,
    size_t *nout)
{
	struct schema_obj *v = NULL, *nv;
	sqlite3_stmt *s = NULL;
	size_t n = 0, alloc = 0;
	char *sql;
	int rc, ret = -1;

	*out = NULL;
	*nout = 0;
	if ((sql = sqlite3_mprintf("SELECT type, name, coalesce(sql, '') FROM "
	    "\"%w\".sqlite_master ORDER BY type, name", schema)) == NULL)
		return fp_error("out of memory");
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		fp_error("reading the schema: %s", sqlite3_errmsg(db));
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 32;
			if (alloc > 4096 ||
			    (nv = realloc(v, alloc * sizeof(*v))) == NULL) {
				fp_error("reading the schema: too many objects");
				goto out;
			}
			v = nv;
		}
		v[n].type = strdup((const char *)sqlite3_column_text(s, 0));
		v[n].name = strdup((const char *)sqlite3_column_text(s, 1));
		v[n].sql = strdup((const char *)sqlite3_column_text(s, 2));
		n++;
		if (v[n - 1].type == NULL || v[n - 1].name == NULL ||
		    v[n - 1].sql == NULL) {
			fp_error("out of memory");
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		fp_error("reading the schema: %s", sqlite3_errmsg(db));
		goto out;
	}
	*out = v;
	*nout = n;
	v = NULL;
	n = 0;
	ret = 0;
out:
	sqlite3_finalize(s);
	sqlite3_free(sql);
	schema_objs_free(v, n);
	return ret;
}

/* The objects migrations 1..VERSION create, built in a private memory db. */
static int
expected_objs(int version, struct schema_obj **out, size_t *nout)
{
	sqlite3 *mem = NULL;
	int v, ret = -1;

	if (sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		fp_error("schema: out of memory");
		goto out;
	}
	for (v = 0; v < version; v++)
		if (sqlite3_exec(mem, fp_migrations[v], NULL, NULL, NULL) !=
		    SQLITE_OK) {
			fp_error("schema: migration %d: %s", v + 1,
			    sqlite3_errmsg(mem));
			goto out;
		}
	ret = schema_objs(mem, "main", out, nout);
out:
	sqlite3_close(mem);
	return ret;
}

int
store_check_schema(struct store *st, const char *schema, const char *label)
{
	struct schema_obj *have = NULL, *want = NULL, *bad = NULL;
	size_t nh = 0, nw = 0, i = 0, j = 0;
	long long version;
	sqlite3_stmt *s = NULL;
	char *sql = NULL;
	int c, ret = -1;

	if ((sql = sqlite3_mprintf("PRAGMA \"%w\".user_version", schema)) == NULL ||
	    sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		fp_error("store '%s': reading the schema: %s",
		    fp_clamp(label, 256), sqlite3_errmsg(st->db));
		goto out;
	}
	version = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_free(sql);
	s = NULL;
	if ((sql = sqlite3_mprintf("PRAGMA \"%w\".application_id", schema)) == NULL ||
	    sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		fp_error("store '%s': reading the schema: %s",
		    fp_clamp(label, 256), sqlite3_errmsg(st->db));
		goto out;
	}
	if (sqlite3_column_int64(s, 0) != FP_STORE_APPID) {
		fp_error("store '%s': not a flowpol database (application_id "
		    "0x%llx)", fp_clamp(label, 256),
		    (unsigned long long)(sqlite3_column_int64(s, 0) & 0xffffffffLL));
		goto out;
	}
	if (version < 1 || version > fp_migration_count) {
		fp_error("store '%s': schema version %lld is not one this flowpol "
		    "knows (1 to %d)", fp_clamp(label, 256), version,
		    fp_migration_count);
		goto out;
	}
	if (expected_objs((int)version, &want, &nw) < 0 ||
	    schema_objs(st->db, schema, &have, &nh) < 0) {
		fp_error_prefix("store '%s'", fp_clamp(label, 256));
		goto out;
	}
	/* An object the file should not have is named first: it is the attack. */
	while (i < nh || j < nw) {
		if (i == nh)
			c = 1;
		else if (j == nw)
			c = -1;
		else if ((c = strcmp(have[i].type, want[j].type)) == 0)
			c = strcmp(have[i].name, want[j].name);
		if (c < 0) {
			fp_error("store '%s': %s '%s' is not part of flowpol's schema "
			    "(version %lld); refused, nothing of it was run",
			    fp_clamp(label, 256), fp_clamp(have[i].type, 16),
			    fp_clamp(have[i].name, 64), version);
			goto out;
		}
		if (c > 0 && bad == NULL)
			bad = &want[j];
		else if (c == 0 && bad == NULL && strcmp(have[i].sql, want[j].sql) != 0)
			bad = &want[j];
		if (c >= 0)
			j++;
		if (c <= 0)
			i++;
	}
	if (bad != NULL) {
		fp_error("store '%s': %s '%s' of flowpol's schema (version %lld) "
		    "is missing or altered; refused", fp_clamp(label, 256),
		    bad->type, bad->name, version);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(s);
	sqlite3_free(sql);
	schema_objs_free(have, nh);
	schema_objs_free(want, nw);
	return ret;
}

/* --- a bound on every statement ---------------------------------------- */

/*
 * With triggers and views off and the schema checked, no statement of ours
 * should run away; the progress handler is the backstop for what is left (a
 * crafted b-tree, a query plan gone wrong). It counts ticks of
 * STORE_TICK_OPS virtual machine operations per statement (the trace
 * callback resets the count when a statement starts) and stops the
 * statement past STORE_BOUND_BASE + pages * STORE_BOUND_PER_PAGE ticks:
 * about 1e8 operations on an empty database, 1e6 more per 4 KiB page, far
 * above what a scan or an indexed join over that page costs, so a learn
 * over millions of flows is never stopped.
 */

static int
progress_cb(void *arg)
{
	struct store *st = arg;

	return ++st->ticks > st->bound;
}

static int
trace_cb(unsigned type, void *arg, void *p, void *x)
{
	struct store *st = arg;

	(void)p;
	(void)x;
	if (type == SQLITE_TRACE_STMT)
		st->ticks = 0;
	return 0;
}

int
store_bound_update(struct store *st)
{
	sqlite3_stmt *s = NULL;
	long long pages = 0;

	/* Every attached database counts: merge reads its inputs. */
	st->bound = STORE_BOUND_BASE;
	if (sqlite3_prepare_v2(st->db, "SELECT sum(p.page_count) FROM "
	    "pragma_database_list d, pragma_page_count(d.name) p", -1, &s,
	    NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return store_sqlerr(st, "reading the database size");
	}
	pages = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (pages > 0 && pages < (1LL << 40))
		st->bound += pages * STORE_BOUND_PER_PAGE;
	return 0;
}

/* --- opening ----------------------------------------------------------- */

/* PATH's directory (or "." for a bare name) into buf. */
static int
dir_of(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');
	int n;

	if (slash == NULL)
		n = snprintf(buf, size, ".");
	else if (slash == path)
		n = snprintf(buf, size, "/");
	else
		n = snprintf(buf, size, "%.*s", (int)(slash - path), path);
	return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

/*
 * Create the database under a temporary name in its directory (mkstemp:
 * exclusive, mode 0600), give it the whole schema in one transaction and
 * its journal mode, then link(2) it into place: link never replaces, so
 * when two processes create at once exactly one file wins and nobody, not
 * even a reader, ever sees it half-made.
 */
static int
create_db(const char *path, int flags)
{
	struct store tmp;
	char *name = NULL;
	int fd = -1, ret = -1;

	memset(&tmp, 0, sizeof(tmp));
	if ((name = malloc(strlen(path) + 16)) == NULL)
		return fp_error("store '%s': out of memory", path);
	snprintf(name, strlen(path) + 16, "%s.new.XXXXXX", path);
	if ((fd = mkostemp(name, O_CLOEXEC)) < 0) {
		fp_error("store '%s': cannot create: %s", path, strerror(errno));
		free(name);
		return -1;
	}
	close(fd);
	tmp.path = name;
	if (sqlite3_open_v2(name, &tmp.db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		fp_error("store '%s': %s", path, tmp.db ? sqlite3_errmsg(tmp.db) :
		    "out of memory");
		goto out;
	}
	tmp.bound = STORE_BOUND_BASE;
	if (harden(&tmp) < 0 ||
	    store_exec(&tmp, (flags & STORE_PUBLISH) ? "PRAGMA journal_mode = "
	    "DELETE" : "PRAGMA journal_mode = WAL") < 0 ||
	    migrate(&tmp) < 0)
		goto out;
	/* Closing checkpoints the log into the file and removes it. */
	if (sqlite3_close(tmp.db) != SQLITE_OK) {
		fp_error("store '%s': %s", path, sqlite3_errmsg(tmp.db));
		goto out;
	}
	tmp.db = NULL;
	if (link(name, path) < 0 && errno != EEXIST) {
		fp_error("store '%s': cannot create: %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (tmp.db != NULL)
		sqlite3_close(tmp.db);
	unlink(name);
	free(name);
	return ret;
}

/*
 * An empty file someone else created (touch, a hostPath of type
 * FileOrCreate) keeps its mode, often 0644: take group and other access
 * away before the first row goes in, as create_db would have.
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

	if (read_identity(st, &appid, &version, &objects) < 0)
		return -1;
	if (appid == 0 && version == 0 && objects == 0) {
		if (st->flags & STORE_READONLY)
			return fp_error("store '%s': empty database: nothing recorded yet",
			    st->path);
		if (tighten_mode(st) < 0 || migrate(st) < 0)
			return -1;
		/* Made here, so its journal mode is ours to choose. */
		return store_exec(st, (st->flags & STORE_PUBLISH) ?
		    "PRAGMA journal_mode = DELETE" : "PRAGMA journal_mode = WAL");
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
	/* Before anything is migrated or read: the file is what it claims. */
	if (store_check_schema(st, "main", st->path) < 0)
		return -1;
	if (version < fp_migration_count) {
		if (st->flags & STORE_READONLY)
			return fp_error("store '%s': schema version %lld needs a "
			    "migration; open it with a writing command first",
			    st->path, version);
		return migrate(st);
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

/*
 * A reader in a directory it cannot write (a read-only mount, another
 * user's directory) cannot create the -shm file WAL needs. Without a -wal
 * file nothing is pending and nobody can be writing there either, so the
 * file is opened immutable (no locks, no -shm); with one, say so.
 * *uri is NULL (open PATH as is) or sqlite3_malloc'd.
 */
static int
readonly_uri(const char *path, char **uri)
{
	char dir[4096], *wal = NULL;
	const char *p;
	sqlite3_str *s;
	int ret = -1;

	*uri = NULL;
	if (dir_of(path, dir, sizeof(dir)) < 0)
		return fp_error("store '%s': path too long", path);
	if (access(dir, W_OK) == 0 || (errno != EACCES && errno != EROFS &&
	    errno != EPERM))
		return 0;
	if ((wal = sqlite3_mprintf("%s-wal", path)) == NULL)
		return fp_error("out of memory");
	if (access(wal, F_OK) == 0) {
		fp_error("store '%s': has a write-ahead log ('%s') and its "
		    "directory is not writable, so it cannot be read here (SQLite "
		    "needs to create '%s-shm'): copy the database and its -wal "
		    "file to a writable directory, or publish it with 'flowpol "
		    "merge' (rollback journal, readable anywhere)", path, wal, path);
		goto out;
	}
	/* file: URI: percent-encode what a URI path cannot hold. */
	s = sqlite3_str_new(NULL);
	sqlite3_str_appendall(s, "file:");
	for (p = path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || (unsigned char)*p < 0x20 ||
		    (unsigned char)*p >= 0x7f)
			sqlite3_str_appendf(s, "%%%02X", (unsigned char)*p);
		else
			sqlite3_str_appendchar(s, 1, *p);
	}
	sqlite3_str_appendall(s, "?immutable=1");
	if ((*uri = sqlite3_str_finish(s)) == NULL) {
		fp_error("out of memory");
		goto out;
	}
	ret = 0;
out:
	sqlite3_free(wal);
	return ret;
}

int
store_open(struct store **out, const char *path, int flags)
{
	struct store *st = NULL;
	struct stat sb;
	char *uri = NULL;
	int oflags, ret = -1;

	if (path == NULL)
		path = store_default_path();
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->path = strdup(path)) == NULL) {
		fp_error("store '%s': out of memory", path);
		goto out;
	}
	st->flags = flags;
	st->bound = STORE_BOUND_BASE;
	if (stat(path, &sb) < 0) {
		if (errno != ENOENT || !(flags & STORE_CREATE)) {
			fp_error("store '%s': %s", path, errno == ENOENT ?
			    "no such database" : strerror(errno));
			goto out;
		}
		if (create_db(path, flags) < 0 || stat(path, &sb) < 0)
			goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		fp_error("store '%s': not a regular file", path);
		goto out;
	} else if (access(path, (flags & STORE_READONLY) ? R_OK : R_OK | W_OK) < 0) {
		fp_error("store '%s': %s", path, strerror(errno));
		goto out;
	}
	oflags = (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE;
	if ((flags & STORE_READONLY) && readonly_uri(path, &uri) < 0)
		goto out;
	if (sqlite3_open_v2(uri ? uri : path, &st->db, oflags |
	    SQLITE_OPEN_NOMUTEX | (uri ? SQLITE_OPEN_URI : 0), NULL)
	    != SQLITE_OK) {
		fp_error("store '%s': %s", path, st->db ? sqlite3_errmsg(st->db) :
		    "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(st->db, 0);
	sqlite3_busy_timeout(st->db, busy_ms());
	if (harden(st) < 0)
		goto out;
	sqlite3_progress_handler(st->db, STORE_TICK_OPS, progress_cb, st);
	sqlite3_trace_v2(st->db, SQLITE_TRACE_STMT, trace_cb, st);
	if (check_and_migrate(st) < 0 || store_bound_update(st) < 0)
		goto out;
	/* Only now that the file is known to be ours may anything be written. */
	if (!(flags & STORE_READONLY) &&
	    store_exec(st, "PRAGMA synchronous = NORMAL") < 0)
		goto out;
	*out = st;
	st = NULL;
	ret = 0;
out:
	sqlite3_free(uri);
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
