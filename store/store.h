#ifndef FLOWPOL_STORE_H
#define FLOWPOL_STORE_H

#include <stdint.h>

#include <sqlite3.h>

/*
 * The SQLite file that is the contract between stages (doc/architecture.md).
 * One handle per open database; modules prepare their own statements on
 * store_db() and finalize them before store_free().
 *
 * Identity: PRAGMA application_id is FP_STORE_APPID, PRAGMA user_version the
 * schema version. A file that is not SQLite, not ours, or of a newer schema is
 * refused before anything is written to it.
 */

#define FP_STORE_APPID 0x666c7077	/* "flpw" */

struct store;

enum {
	STORE_CREATE = 1 << 0,		/* create (mode 0600) if missing */
	STORE_READONLY = 1 << 1,	/* never write; no migration */
	STORE_PUBLISH = 1 << 2		/* created in rollback-journal mode */
};

/* Default path: $FLOWPOL_DB, else "./flowpol.db". */
const char *store_default_path(void);

/*
 * Open, check identity and version, migrate forward. 0 or -1 (fp_error).
 *
 * Every database is opened defensively (DEFENSIVE on; TRUSTED_SCHEMA,
 * triggers and views off) and its schema is compared with the one its
 * version must have: an object flowpol did not create is refused by name.
 * Each statement is stopped past a bound that grows with the size of the
 * database. A missing file is created (with STORE_CREATE) complete, under
 * a temporary name linked into place, so concurrent openers of a new
 * database see either no file or a whole one; an empty existing file is
 * migrated under the write lock. New files use WAL, or the rollback
 * journal with STORE_PUBLISH (for copies others read, over network
 * filesystems too); an existing file keeps its mode. STORE_READONLY in a
 * directory the process cannot write opens the file immutable when it has
 * no -wal file, and otherwise fails saying so.
 */
int store_open(struct store **out, const char *path, int flags);
/* Close and free; NULL does nothing. */
void store_free(struct store *st);

sqlite3 *store_db(struct store *st);
const char *store_path(const struct store *st);
/* The schema version this build writes. */
int store_schema_version(void);

/*
 * Compare the schema of SCHEMA ("main" or an ATTACHed name) with the one
 * its user_version must have; LABEL names the file in the message.
 */
int store_check_schema(struct store *st, const char *schema, const char *label);
/* Recompute the statement bound from the size of every attached database. */
int store_bound_update(struct store *st);

/* BEGIN IMMEDIATE: waits the busy timeout for a writer lock, then fails. */
int store_begin(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);

int store_exec(struct store *st, const char *sql);
int store_prepare(struct store *st, sqlite3_stmt **out, const char *sql);
/* Record "store 'PATH': WHAT: sqlite message"; returns -1. */
int store_sqlerr(struct store *st, const char *what);

/* Key/value meta table. *out is malloc'd (caller frees) or NULL if absent. */
int store_meta_get(struct store *st, const char *key, char **out);
int store_meta_set(struct store *st, const char *key, const char *value);

/*
 * Fails with "CONTEXT: store 'PATH': nothing learned yet: run 'flowpol
 * learn' first" when learn never ran on the store (no meta "learn.at") and
 * it holds no workloads. Commands that judge or write policy from the model
 * call it: on an unlearned store emit would write a bare default deny and
 * diff would report no drift.
 */
int store_require_learned(struct store *st, const char *context);

/*
 * The period learn last ran on (meta learn.since, learn.until): INT64_MIN /
 * INT64_MAX for open ends or when learn never ran. 0 or -1.
 */
int store_learned_period(struct store *st, int64_t *since, int64_t *until);

#endif
