#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common/cli.h"
#include "common/err.h"
#include "common/proto.h"
#include "store/store.h"
#include "common/banned.h"

static const char usage[] =
    "usage: flowpol graph [--db PATH] [-o dot]\n"
    "\n"
    "Write the learned traffic graph as Graphviz DOT: namespaces as clusters,\n"
    "workloads as nodes, edges labelled protocol/port. Nodes, external and\n"
    "unknown addresses are drawn outside the clusters. Render with\n"
    "  flowpol graph | dot -Tsvg > graph.svg\n"
    "\n"
    "  --db PATH        database (default $FLOWPOL_DB or ./flowpol.db)\n"
    "  -o, --output dot the only format for now; --format is an alias\n";

/* The inside of a DOT double-quoted ID: only '"' and '\' need escaping. */
static void
dot_escaped(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			putc('\\', f);
		if (*s == '\n' || *s == '\r')
			continue;
		putc(*s, f);
	}
}

static void
dot_id(FILE *f, const char *s)
{
	putc('"', f);
	dot_escaped(f, s);
	putc('"', f);
}

/* "a\nb": two lines in a label. */
static void
dot_id_join(FILE *f, const char *a, const char *b)
{
	putc('"', f);
	dot_escaped(f, a);
	fputs("\\n", f);
	dot_escaped(f, b);
	putc('"', f);
}

static int
write_workloads(struct store *st, FILE *f)
{
	sqlite3_stmt *s = NULL;
	char *open_ns = NULL;
	int rc, ret = -1;

	if (store_prepare(st, &s, "SELECT namespace, name, kind, selector FROM "
	    "workloads ORDER BY namespace, name") < 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *ns = (const char *)sqlite3_column_text(s, 0);
		const char *name = (const char *)sqlite3_column_text(s, 1);
		const char *kind = (const char *)sqlite3_column_text(s, 2);
		const char *sel = (const char *)sqlite3_column_text(s, 3);
		char id[1024];

		if (open_ns == NULL || strcmp(open_ns, ns) != 0) {
			if (open_ns != NULL)
				fputs("  }\n", f);
			free(open_ns);
			if ((open_ns = strdup(ns)) == NULL) {
				fp_error("graph: out of memory");
				goto out;
			}
			fputs("  subgraph ", f);
			snprintf(id, sizeof(id), "cluster_%s", ns);
			dot_id(f, id);
			fputs(" {\n    label=", f);
			dot_id(f, ns);
			fputs(";\n    style=rounded;\n", f);
		}
		snprintf(id, sizeof(id), "%s/%s", ns, name);
		fputs("    ", f);
		dot_id(f, id);
		/* name, a DOT line break, kind: each part escaped */
		fputs(" [label=", f);
		dot_id_join(f, name, kind);
		fputs(", tooltip=", f);
		dot_id(f, sel);
		fputs("];\n", f);
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(st, "reading workloads");
		goto out;
	}
	if (open_ns != NULL)
		fputs("  }\n", f);
	ret = 0;
out:
	free(open_ns);
	sqlite3_finalize(s);
	return ret;
}

/* Peers that are not workloads: one node each, shaped by kind. */
static int
write_other_peers(struct store *st, FILE *f)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (store_prepare(st, &s, "SELECT p FROM (SELECT src AS p FROM edges "
	    "UNION SELECT dst FROM edges) WHERE p NOT IN (SELECT namespace || '/' "
	    "|| name FROM workloads) ORDER BY p") < 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(s, 0);
		const char *shape = strncmp(p, "node:", 5) == 0 ? "box" :
		    strncmp(p, "external:", 9) == 0 ? "octagon" : "diamond";

		fputs("  ", f);
		dot_id(f, p);
		fprintf(f, " [shape=%s%s];\n", shape,
		    strncmp(p, "unknown:", 8) == 0 ? ", color=red" : "");
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(st, "reading edges");
	return 0;
}

/* One arrow per (src, dst), labelled with every proto/port, sorted. */
static int
write_edges(struct store *st, FILE *f)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (store_prepare(st, &s, "SELECT src, dst, proto, port FROM edges "
	    "ORDER BY src, dst, proto, port") < 0)
		return -1;
	rc = sqlite3_step(s);
	while (rc == SQLITE_ROW) {
		char src[512], dst[512], pb[16], portb[16];
		int first = 1;

		snprintf(src, sizeof(src), "%s", sqlite3_column_text(s, 0));
		snprintf(dst, sizeof(dst), "%s", sqlite3_column_text(s, 1));
		fputs("  ", f);
		dot_id(f, src);
		fputs(" -> ", f);
		dot_id(f, dst);
		fputs(" [label=\"", f);
		do {
			int proto = sqlite3_column_int(s, 2);
			int port = sqlite3_column_int(s, 3);
			const char *pn = fp_proto_name(proto, pb, sizeof(pb));
			const char *po = fp_port_format(proto, port, portb, sizeof(portb));

			fprintf(f, "%s%s%s%s", first ? "" : "\\n", pn, *po ? "/" : "", po);
			first = 0;
			rc = sqlite3_step(s);
		} while (rc == SQLITE_ROW &&
		    strcmp(src, (const char *)sqlite3_column_text(s, 0)) == 0 &&
		    strcmp(dst, (const char *)sqlite3_column_text(s, 1)) == 0);
		fputs("\"];\n", f);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(st, "reading edges");
	return 0;
}

int
cmd_graph(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL;
	enum fp_format fmt = FP_FMT_DOT;
	struct store *st = NULL;
	int c, ret = FP_EXIT_ERR;

	while ((c = fp_getopt(argc, argv, "ho:", opts)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'o':
		case 'f':
			if (fp_cli_format(optarg, "dot", &fmt) < 0)
				return fp_cli_usage_error("graph", usage, "%s",
				    fp_errmsg());
			break;
		case 'h':
			return fp_cli_help(usage);
		default:
			return fp_cli_bad_option("graph", usage, opts, argv);
		}
	}
	if (optind != argc)
		return fp_cli_usage_error("graph", usage, "unexpected argument '%s'",
		    argv[optind]);
	if (store_open(&st, db, STORE_READONLY) < 0)
		return fp_report();
	fputs("digraph flowpol {\n  rankdir=LR;\n  node [shape=ellipse, "
	    "fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", "
	    "fontsize=10];\n", stdout);
	if (write_workloads(st, stdout) < 0 || write_other_peers(st, stdout) < 0 ||
	    write_edges(st, stdout) < 0) {
		fp_report();
		goto out;
	}
	fputs("}\n", stdout);
	/* A redirect to a full disk must not look like a written graph. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ret = fp_fail("graph: writing the output: %s", strerror(errno));
		goto out;
	}
	ret = FP_EXIT_OK;
out:
	store_free(st);
	return ret;
}
