#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common/cli.h"
#include "common/err.h"
#include "common/proto.h"
#include "store/model.h"
#include "store/store.h"
#include "common/banned.h"

static const char usage[] =
    "usage: flowpol graph [--db PATH] [--format dot]\n"
    "\n"
    "Write the learned traffic graph as Graphviz DOT: namespaces as clusters,\n"
    "workloads as nodes, edges labelled protocol/port. Nodes, external and\n"
    "unknown addresses are drawn outside the clusters. Render with\n"
    "  flowpol graph | dot -Tsvg > graph.svg\n"
    "\n"
    "  --db PATH        database (default $FLOWPOL_DB or ./flowpol.db)\n"
    "  --format dot     the only format for now\n";

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
write_workloads(struct model *m, FILE *f)
{
	const struct model_workload *wl;
	size_t i, n;
	char id[1024];

	if (model_workloads(m, &wl, &n) < 0)
		return fp_error_prefix("graph");
	for (i = 0; i < n; i++) {
		const char *ns = wl[i].ns;

		if (i == 0 || strcmp(wl[i - 1].ns, ns) != 0) {
			if (i > 0)
				fputs("  }\n", f);
			fputs("  subgraph ", f);
			snprintf(id, sizeof(id), "cluster_%s", ns);
			dot_id(f, id);
			fputs(" {\n    label=", f);
			dot_id(f, ns);
			fputs(";\n    style=rounded;\n", f);
		}
		snprintf(id, sizeof(id), "%s/%s", ns, wl[i].name);
		fputs("    ", f);
		dot_id(f, id);
		/* name, a DOT line break, kind: each part escaped */
		fputs(" [label=", f);
		dot_id_join(f, wl[i].name, wl[i].kind);
		fputs(", tooltip=", f);
		dot_id(f, wl[i].selector);
		fputs("];\n", f);
	}
	if (n > 0)
		fputs("  }\n", f);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add a peer that is not a learned workload to v (duplicates kept). */
static int
add_other(struct model *m, const struct model_peer *p, char ***v, size_t *n,
    size_t *cap)
{
	char **nv;

	if (p->kind == MODEL_PEER_WORKLOAD &&
	    model_workload_find(m, p->text) != NULL)
		return 0;
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		if ((nv = realloc(*v, *cap * sizeof(*nv))) == NULL)
			return fp_error("graph: out of memory");
		*v = nv;
	}
	if (((*v)[*n] = strdup(p->text)) == NULL)
		return fp_error("graph: out of memory");
	(*n)++;
	return 0;
}

/* Peers that are not workloads: one node each, shaped by kind. */
static int
write_other_peers(struct model *m, FILE *f)
{
	struct model_edges *it = NULL;
	struct model_edge e;
	char **v = NULL;
	size_t n = 0, cap = 0, i;
	int rc, ret = -1;

	if (model_edges_open(m, &it) < 0) {
		fp_error_prefix("graph");
		goto out;
	}
	while ((rc = model_edges_next(it, &e)) == 1)
		if (add_other(m, &e.src, &v, &n, &cap) < 0 ||
		    add_other(m, &e.dst, &v, &n, &cap) < 0)
			goto out;
	if (rc < 0) {
		fp_error_prefix("graph");
		goto out;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n; i++) {
		struct model_peer mp;

		if (i > 0 && strcmp(v[i - 1], v[i]) == 0)
			continue;
		if (model_peer_parse(v[i], &mp) < 0) {
			fp_error_prefix("graph");
			goto out;
		}
		fputs("  ", f);
		dot_id(f, v[i]);
		fprintf(f, " [shape=%s%s];\n", mp.kind == MODEL_PEER_NODE ? "box" :
		    mp.kind == MODEL_PEER_EXTERNAL ? "octagon" : "diamond",
		    mp.kind == MODEL_PEER_UNKNOWN ? ", color=red" : "");
	}
	ret = 0;
out:
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	model_edges_close(it);
	return ret;
}

/* One arrow per (src, dst), labelled with every proto/port, sorted. */
static int
write_edges(struct model *m, FILE *f)
{
	struct model_edges *it = NULL;
	struct model_edge e;
	char src[512] = "", dst[512] = "", pb[16], portb[16];
	int rc, open = 0;

	if (model_edges_open(m, &it) < 0)
		return fp_error_prefix("graph");
	while ((rc = model_edges_next(it, &e)) == 1) {
		const char *pn = fp_proto_name(e.proto, pb, sizeof(pb));
		const char *po = fp_port_format(e.proto, e.port, portb,
		    sizeof(portb));

		if (open && strcmp(src, e.src.text) == 0 &&
		    strcmp(dst, e.dst.text) == 0) {
			fprintf(f, "\\n%s%s%s", pn, *po ? "/" : "", po);
			continue;
		}
		if (open)
			fputs("\"];\n", f);
		snprintf(src, sizeof(src), "%s", e.src.text);
		snprintf(dst, sizeof(dst), "%s", e.dst.text);
		fputs("  ", f);
		dot_id(f, src);
		fputs(" -> ", f);
		dot_id(f, dst);
		fputs(" [label=\"", f);
		fprintf(f, "%s%s%s", pn, *po ? "/" : "", po);
		open = 1;
	}
	if (open)
		fputs("\"];\n", f);
	model_edges_close(it);
	if (rc < 0)
		return fp_error_prefix("graph");
	return 0;
}

int
cmd_graph(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL;
	enum fp_format fmt = FP_FMT_DOT;
	struct store *st = NULL;
	struct model *m = NULL;
	int c, ret = FP_EXIT_ERR;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'f':
			if (fp_cli_format(optarg, "dot", &fmt) < 0)
				return fp_report();
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
	if (store_open(&st, db, STORE_READONLY) < 0 || model_open(&m, st) < 0) {
		ret = fp_report();
		goto out;
	}
	fputs("digraph flowpol {\n  rankdir=LR;\n  node [shape=ellipse, "
	    "fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", "
	    "fontsize=10];\n", stdout);
	if (write_workloads(m, stdout) < 0 || write_other_peers(m, stdout) < 0 ||
	    write_edges(m, stdout) < 0) {
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
	model_free(m);
	store_free(st);
	return ret;
}
