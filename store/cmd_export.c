#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common/cli.h"
#include "common/err.h"
#include "common/ipaddr.h"
#include "common/out.h"
#include "common/strbuf.h"
#include "store/store.h"
#include "common/banned.h"

static const char usage[] =
    "usage: flowpol export [--db PATH] [--schema NAME]\n"
    "\n"
    "Write every table of the database to standard output as one PostgreSQL\n"
    "script: CREATE TABLE statements, then the rows in COPY ... FROM STDIN\n"
    "blocks, the bulk path of PostgreSQL's own psql:\n"
    "\n"
    "  flowpol export --db cluster.db | psql -v ON_ERROR_STOP=1 -d flowpol\n"
    "\n"
    "For clusters past what one machine merges: each node's database (or a\n"
    "merge of a few hundred) loads into the same tables. Addresses become\n"
    "inet, integers bigint (times stay unix seconds or microseconds, as in\n"
    "the store), text stays text. The whole script is one transaction; the\n"
    "tables are created in the schema NAME (default flowpol), which must not\n"
    "hold them yet.\n"
    "\n"
    "  --db PATH       the database (default $FLOWPOL_DB, else ./flowpol.db)\n"
    "  --schema NAME   PostgreSQL schema to create the tables in\n";

/* A column of one table: its name, and how its values are written. */
enum col_type { COL_INT, COL_TEXT, COL_ADDR, COL_BLOB };

struct col {
	char *name;
	enum col_type type;
	int pk;			/* position in the primary key, 0: not in it */
};

/*
 * Addresses are stored as 4- or 16-byte BLOBs in columns of these names
 * (store/schema.c); in PostgreSQL they are inet, so that users query them
 * with its address operators. Any other BLOB is bytea.
 */
static int
is_addr_column(const char *name)
{
	static const char *const names[] = { "ip", "src", "dst", "net" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	return 0;
}

/* Identifiers come from our own schema; still, only [a-z0-9_] pass. */
static int
plain_ident(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static void
cols_free(struct col *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(c[i].name);
	free(c);
}

/* The columns of table t, from SQLite's own description of it. */
static int
table_cols(struct store *st, const char *t, struct col **out, size_t *nout)
{
	sqlite3_stmt *s = NULL;
	struct col *c = NULL, *nc;
	size_t n = 0;
	int rc, ret = -1;

	if (store_prepare(st, &s, "SELECT name, upper(type), pk FROM pragma_table_info(?1) ORDER BY cid") < 0)
		return -1;
	sqlite3_bind_text(s, 1, t, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		const char *type = (const char *)sqlite3_column_text(s, 1);

		if (name == NULL || type == NULL || !plain_ident(name)) {
			fp_error("store '%s': table '%s': unexpected column", store_path(st), t);
			goto out;
		}
		if ((nc = realloc(c, (n + 1) * sizeof(*c))) == NULL) {
			fp_error("out of memory");
			goto out;
		}
		c = nc;
		c[n].pk = sqlite3_column_int(s, 2);
		if (strcmp(type, "INTEGER") == 0)
			c[n].type = COL_INT;
		else if (strcmp(type, "BLOB") == 0)
			c[n].type = is_addr_column(name) ? COL_ADDR : COL_BLOB;
		else
			c[n].type = COL_TEXT;
		if ((c[n].name = strdup(name)) == NULL) {
			fp_error("out of memory");
			goto out;
		}
		n++;
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(st, "reading the schema");
		goto out;
	}
	*out = c;
	*nout = n;
	c = NULL;
	n = 0;
	ret = 0;
out:
	cols_free(c, n);
	sqlite3_finalize(s);
	return ret;
}

static void
create_table(FILE *f, const char *schema, const char *t, const struct col *c, size_t n)
{
	static const char *const pgtype[] = {
		[COL_INT] = "bigint", [COL_TEXT] = "text",
		[COL_ADDR] = "inet", [COL_BLOB] = "bytea"
	};
	size_t i;
	int k, first;

	fprintf(f, "CREATE TABLE %s.%s (\n", schema, t);
	for (i = 0; i < n; i++)
		fprintf(f, "  %s %s,\n", c[i].name, pgtype[c[i].type]);
	fputs("  PRIMARY KEY (", f);
	first = 1;
	for (k = 1; k <= (int)n; k++)
		for (i = 0; i < n; i++)
			if (c[i].pk == k) {
				fprintf(f, "%s%s", first ? "" : ", ", c[i].name);
				first = 0;
			}
	if (first) {
		/* No declared key (rowid tables): every column is the key. */
		for (i = 0; i < n; i++)
			fprintf(f, "%s%s", i ? ", " : "", c[i].name);
	}
	fputs(")\n);\n", f);
}

/* COPY's text format: backslash escapes for \ and the control characters. */
static void
copy_text(FILE *f, const unsigned char *p, int len)
{
	int i;

	for (i = 0; i < len; i++) {
		switch (p[i]) {
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (p[i] < 0x20 || p[i] == 0x7f)
				fprintf(f, "\\%03o", p[i]);
			else
				putc(p[i], f);
		}
	}
}

static int
copy_value(FILE *f, sqlite3_stmt *s, int i, const struct col *c,
    struct store *st, const char *t)
{
	const unsigned char *b;
	char buf[FP_IPSTRLEN];
	struct fp_ip ip;
	int len, j;

	switch (sqlite3_column_type(s, i)) {
	case SQLITE_NULL:
		fputs("\\N", f);
		return 0;
	case SQLITE_INTEGER:
		fprintf(f, "%lld", (long long)sqlite3_column_int64(s, i));
		return 0;
	default:
		break;
	}
	if (c->type == COL_ADDR) {
		b = sqlite3_column_blob(s, i);
		len = sqlite3_column_bytes(s, i);
		if (len < 0 || fp_ip_from_blob(&ip, b, (size_t)len) < 0)
			return fp_error("store '%s': table '%s': column '%s': "
			    "not an address (%d bytes)", store_path(st), t, c->name, len);
		fputs(fp_ip_format(&ip, buf), f);
		return 0;
	}
	if (c->type == COL_BLOB) {
		b = sqlite3_column_blob(s, i);
		len = sqlite3_column_bytes(s, i);
		fputs("\\\\x", f);
		for (j = 0; j < len; j++)
			fprintf(f, "%02x", b[j]);
		return 0;
	}
	b = sqlite3_column_text(s, i);
	copy_text(f, b, sqlite3_column_bytes(s, i));
	return 0;
}

static int
export_table(FILE *f, struct store *st, const char *schema, const char *t)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *s = NULL;
	struct col *c = NULL;
	size_t n = 0, i;
	int rc, ret = -1;

	if (table_cols(st, t, &c, &n) < 0)
		goto out;
	create_table(f, schema, t, c, n);
	/* Primary-key order: the same database gives the same bytes. */
	sb_addf(&sql, "SELECT * FROM \"%s\" ORDER BY ", t);
	for (i = 0; i < n; i++)
		sb_addf(&sql, "%s\"%s\"", i ? ", " : "", c[i].name);
	if (sql.oom) {
		fp_error("out of memory");
		goto out;
	}
	if (store_prepare(st, &s, sb_str(&sql)) < 0)
		goto out;
	fprintf(f, "COPY %s.%s (", schema, t);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? ", " : "", c[i].name);
	fputs(") FROM STDIN;\n", f);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (i = 0; i < n; i++) {
			if (i)
				putc('\t', f);
			if (copy_value(f, s, (int)i, &c[i], st, t) < 0)
				goto out;
		}
		putc('\n', f);
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(st, "reading");
		goto out;
	}
	fputs("\\.\n\n", f);
	ret = 0;
out:
	sqlite3_finalize(s);
	sb_release(&sql);
	cols_free(c, n);
	return ret;
}

int
cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "db", required_argument, NULL, 'd' },
		{ "schema", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	const char *path = store_default_path(), *schema = "flowpol";
	struct store *st = NULL;
	sqlite3_stmt *s = NULL;
	int c, rc, ret = FP_EXIT_ERR;

	while ((c = fp_getopt(argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'h':
			return fp_cli_help(usage);
		case 'd':
			path = optarg;
			break;
		case 's':
			schema = optarg;
			break;
		default:
			return fp_cli_bad_option("export", usage, opts, argv);
		}
	}
	if (optind != argc)
		return fp_cli_usage_error("export", usage, "unexpected argument");
	if (!plain_ident(schema) || strlen(schema) > 63)
		return fp_fail("export: --schema '%s': use 1 to 63 of a-z, 0-9 and _",
		    fp_clamp(schema, 64));
	if (store_open(&st, path, STORE_READONLY) < 0)
		goto out;
	/*
	 * One read transaction: the tables are a consistent snapshot even
	 * while a collector writes.
	 */
	if (store_exec(st, "BEGIN") < 0 ||
	    store_prepare(st, &s, "SELECT name FROM sqlite_schema WHERE type = 'table'"
	    " AND name NOT LIKE 'sqlite_%' ORDER BY name") < 0)
		goto out;
	printf("-- flowpol export of schema version %d\n"
	    "\\set ON_ERROR_STOP on\nBEGIN;\nCREATE SCHEMA %s;\n\n",
	    store_schema_version(), schema);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);

		if (t == NULL || !plain_ident(t)) {
			fp_error("store '%s': unexpected table name", store_path(st));
			goto out;
		}
		if (export_table(stdout, st, schema, t) < 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(st, "reading the schema");
		goto out;
	}
	puts("COMMIT;");
	if (fp_out_flush("export") < 0)
		goto out;
	ret = FP_EXIT_OK;
out:
	sqlite3_finalize(s);
	if (ret != FP_EXIT_OK)
		fp_report();
	store_free(st);
	return ret;
}
