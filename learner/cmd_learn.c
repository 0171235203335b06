#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common/cli.h"
#include "common/err.h"
#include "common/fileio.h"
#include "common/store.h"
#include "common/timeutil.h"
#include "common/ipaddr.h"
#include "common/out.h"
#include "common/proto.h"
#include "learner/graph.h"
#include "learner/inventory.h"
#include "common/banned.h"

/* Largest inventory file read (kubectl JSON of ~100k pods fits). */
#define INVENTORY_MAX ((size_t)512 << 20)

static const char inventory_usage[] =
    "usage: flowpol inventory [--db PATH] [--at TIME] FILE...\n"
    "\n"
    "Import a snapshot of the cluster: the output of\n"
    "  kubectl get pods,namespaces,nodes,services -A -o json   (or -o yaml)\n"
    "  calicoctl get workloadendpoints -A -o yaml\n"
    "FILE '-' reads stdin. All FILEs form one snapshot taken at TIME\n"
    "(RFC 3339, @UNIXSECONDS, now; default now). Snapshots are imported in\n"
    "time order. A failed import stores nothing.\n"
    "\n"
    "  --db PATH   the database (default $FLOWPOL_DB, else ./flowpol.db)\n"
    "  --at TIME   when the snapshot was taken\n";

int
cmd_inventory(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "at", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = NULL;
	struct store *st = NULL;
	struct inv *inv = NULL;
	struct inv_counts n;
	char *buf = NULL, *source = NULL, tbuf[FP_TIMESTRLEN];
	size_t len, slen = 0, used = 0;
	int64_t at = fp_now_us();
	int c, i, ret = FP_EXIT_ERR;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'a':
			if (fp_time_parse(optarg, &at) < 0)
				return fp_cli_usage_error(argv[0], inventory_usage,
				    "option --at: %s", fp_errmsg());
			break;
		case 'h':
			return fp_cli_help(inventory_usage);
		default:
			return fp_cli_usage_error(argv[0], inventory_usage,
			    "unknown option '%s'", fp_clamp(argv[optind - 1], 64));
		}
	}
	if (optind >= argc)
		return fp_cli_usage_error(argv[0], inventory_usage,
		    "no FILE given");
	if (inv_new(&inv) < 0)
		goto out;
	for (i = optind; i < argc; i++)
		slen += strlen(argv[i]) + 2;
	if ((source = malloc(slen + 1)) == NULL) {
		fp_error("inventory: out of memory");
		goto out;
	}
	source[0] = '\0';
	for (i = optind; i < argc; i++) {
		if (fp_read_file(argv[i], INVENTORY_MAX, &buf, &len) < 0) {
			fp_error_prefix("inventory");
			goto out;
		}
		if (inv_parse(inv, argv[i], buf, len) < 0)
			goto out;
		free(buf);
		buf = NULL;
		used += (size_t)snprintf(source + used, slen + 1 - used, "%s%s",
		    used ? ", " : "", argv[i]);
	}
	if (store_open(&st, db, STORE_CREATE) < 0 ||
	    inv_store(inv, st, at, source) < 0)
		goto out;
	inv_counts(inv, &n);
	printf("inventory: snapshot at %s: %zu pods, %zu workload endpoints, "
	    "%zu namespaces, %zu nodes, %zu services, %zu owner references, "
	    "%zu other objects ignored\n", fp_time_format(at, tbuf), n.pods,
	    n.weps, n.namespaces, n.nodes, n.services, n.controllers, n.ignored);
	ret = FP_EXIT_OK;
out:
	if (ret != FP_EXIT_OK)
		ret = fp_report();
	free(buf);
	free(source);
	inv_free(inv);
	store_free(st);
	return ret;
}

static const char learn_usage[] =
    "usage: flowpol learn [--db PATH] [--since T] [--until T]\n"
    "                     [--volatile-label KEY]... [--cluster-cidr CIDR]...\n"
    "\n"
    "Resolve every flow to the owner of each address at that time, group pods\n"
    "into workloads with minimal stable selectors, and store the traffic\n"
    "graph (replacing the previous model). Flows whose owner is ambiguous are\n"
    "set aside and counted, never guessed.\n"
    "\n"
    "  --since T, --until T     learning period (RFC 3339, @SECONDS, -DURATION)\n"
    "  --volatile-label KEY     a label key never to use in selectors (repeat)\n"
    "  --cluster-cidr CIDR      the cluster's pod/service ranges (repeat); an\n"
    "                           unowned address inside is unknown, outside\n"
    "                           external (default: inferred from the inventory)\n";

#define MAX_OPTS 256

int
cmd_learn(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "volatile-label", required_argument, NULL, 'v' },
		{ "cluster-cidr", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = NULL, *vol[MAX_OPTS];
	struct fp_ip cidrs[MAX_OPTS];
	int prefixes[MAX_OPTS];
	struct learn_opts o;
	struct learn_stats stats;
	struct store *st = NULL;
	int c, ret;

	memset(&o, 0, sizeof(o));
	o.since = INT64_MIN;
	o.until = INT64_MAX;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 's':
		case 'u':
			if (fp_time_parse(optarg, c == 's' ? &o.since : &o.until) < 0)
				return fp_cli_usage_error(argv[0], learn_usage,
				    "option --%s: %s", c == 's' ? "since" : "until",
				    fp_errmsg());
			break;
		case 'v':
			if (o.nvolatile >= MAX_OPTS || *optarg == '\0')
				return fp_cli_usage_error(argv[0], learn_usage,
				    "option --volatile-label: empty or too many");
			vol[o.nvolatile++] = optarg;
			break;
		case 'c':
			if (o.ncidrs >= MAX_OPTS ||
			    fp_cidr_parse(&cidrs[o.ncidrs], &prefixes[o.ncidrs],
			    optarg) < 0)
				return fp_cli_usage_error(argv[0], learn_usage,
				    "option --cluster-cidr: '%s' is not a CIDR",
				    fp_clamp(optarg, 64));
			o.ncidrs++;
			break;
		case 'h':
			return fp_cli_help(learn_usage);
		default:
			return fp_cli_usage_error(argv[0], learn_usage,
			    "unknown option '%s'", fp_clamp(argv[optind - 1], 64));
		}
	}
	if (optind < argc)
		return fp_cli_usage_error(argv[0], learn_usage,
		    "unexpected argument '%s'", fp_clamp(argv[optind], 64));
	if (o.since > o.until)
		return fp_cli_usage_error(argv[0], learn_usage,
		    "--since is after --until");
	o.volatile_keys = vol;
	o.cidrs = cidrs;
	o.prefixes = prefixes;
	o.notes = stderr;
	if (store_open(&st, db, 0) < 0 || learn_run(st, &o, &stats) < 0) {
		ret = fp_report();
		goto out;
	}
	printf("learn: %zu pods in %zu workloads (%zu merged); %zu flows: "
	    "%zu resolved, %zu ambiguous, %zu unknown; %zu edges\n", stats.pods,
	    stats.workloads, stats.merged, stats.flows, stats.resolved,
	    stats.ambiguous, stats.unknown, stats.edges);
	ret = FP_EXIT_OK;
out:
	store_free(st);
	return ret;
}

/* Shared by the listing commands: --db and --format, nothing else. */
static int
list_args(int argc, char **argv, const char *usage, const char **db,
    enum fp_format *fmt, const char *allowed, int64_t *now)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "now", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	*db = NULL;
	*fmt = FP_FMT_TSV;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			*db = optarg;
			break;
		case 'f':
			if (fp_cli_format(optarg, allowed, fmt) < 0)
				return fp_cli_usage_error(argv[0], usage, "%s",
				    fp_errmsg());
			break;
		case 'n':
			if (now == NULL || fp_time_parse(optarg, now) < 0)
				return fp_cli_usage_error(argv[0], usage,
				    "option --now: %s", now ? fp_errmsg() :
				    "not supported");
			break;
		case 'h':
			fp_cli_help(usage);
			return 1;
		default:
			return fp_cli_usage_error(argv[0], usage, "unknown option '%s'",
			    fp_clamp(argv[optind - 1], 64));
		}
	}
	if (optind < argc)
		return fp_cli_usage_error(argv[0], usage, "unexpected argument '%s'",
		    fp_clamp(argv[optind], 64));
	return 0;
}

static const char workloads_usage[] =
    "usage: flowpol workloads [--db PATH] [--format tsv|json]\n"
    "\n"
    "Print the learned workloads, sorted by namespace and name. TSV columns:\n"
    "namespace, name, kind, selector (Calico syntax), pods.\n";

int
cmd_workloads(int argc, char **argv)
{
	const char *db;
	enum fp_format fmt;
	struct store *st = NULL;
	sqlite3_stmt *s = NULL;
	int rc, ret, n = 0;

	if ((rc = list_args(argc, argv, workloads_usage, &db, &fmt, "tsv,json",
	    NULL)) != 0)
		return rc == 1 ? FP_EXIT_OK : rc;
	if (store_open(&st, db, STORE_READONLY) < 0 ||
	    store_prepare(st, &s, "SELECT namespace, name, kind, selector, pods, "
	    "members FROM workloads ORDER BY namespace, name") < 0) {
		ret = fp_report();
		goto out;
	}
	if (fmt == FP_FMT_TSV)
		fputs("namespace\tname\tkind\tselector\tpods\n", stdout);
	else
		fputs("[", stdout);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *f[6];
		int i;

		for (i = 0; i < 6; i++) {
			f[i] = (const char *)sqlite3_column_text(s, i);
			if (f[i] == NULL)
				f[i] = "";
		}
		if (fmt == FP_FMT_TSV) {
			for (i = 0; i < 4; i++) {
				fp_tsv_str(stdout, f[i]);
				fputc('\t', stdout);
			}
			printf("%lld\n", (long long)sqlite3_column_int64(s, 4));
		} else {
			fputs(n++ ? ",\n  {" : "\n  {", stdout);
			fputs("\"namespace\": ", stdout);
			fp_json_str(stdout, f[0]);
			fputs(", \"name\": ", stdout);
			fp_json_str(stdout, f[1]);
			fputs(", \"kind\": ", stdout);
			fp_json_str(stdout, f[2]);
			fputs(", \"selector\": ", stdout);
			fp_json_str(stdout, f[3]);
			printf(", \"pods\": %lld, \"members\": ",
			    (long long)sqlite3_column_int64(s, 4));
			fp_json_str(stdout, f[5]);
			fputs("}", stdout);
		}
	}
	if (fmt == FP_FMT_JSON)
		fputs(n ? "\n]\n" : "]\n", stdout);
	if (rc != SQLITE_DONE) {
		store_sqlerr(st, "reading workloads");
		ret = fp_report();
		goto out;
	}
	ret = fflush(stdout) == 0 ? FP_EXIT_OK : fp_fail("workloads: write error");
out:
	sqlite3_finalize(s);
	store_free(st);
	return ret;
}

static const char edges_usage[] =
    "usage: flowpol edges [--db PATH] [--format tsv|json]\n"
    "\n"
    "Print the learned edges, sorted. TSV columns: src, dst, proto, port,\n"
    "connections, first_seen, last_seen. A peer is namespace/workload,\n"
    "node:IP, external:IP or unknown:IP.\n";

int
cmd_edges(int argc, char **argv)
{
	const char *db;
	enum fp_format fmt;
	struct store *st = NULL;
	sqlite3_stmt *s = NULL;
	char pbuf[32], portb[32], t1[FP_TIMESTRLEN], t2[FP_TIMESTRLEN];
	const char *pb;
	int rc, ret, n = 0, proto, port;

	if ((rc = list_args(argc, argv, edges_usage, &db, &fmt, "tsv,json",
	    NULL)) != 0)
		return rc == 1 ? FP_EXIT_OK : rc;
	if (store_open(&st, db, STORE_READONLY) < 0 ||
	    store_prepare(st, &s, "SELECT src, dst, proto, port, connections, "
	    "first_seen, last_seen, nodes FROM edges "
	    "ORDER BY src, dst, proto, port") < 0) {
		ret = fp_report();
		goto out;
	}
	if (fmt == FP_FMT_TSV)
		fputs("src\tdst\tproto\tport\tconnections\tfirst_seen\tlast_seen\n",
		    stdout);
	else
		fputs("[", stdout);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *src = (const char *)sqlite3_column_text(s, 0);
		const char *dst = (const char *)sqlite3_column_text(s, 1);
		const char *nodes = (const char *)sqlite3_column_text(s, 7);

		proto = sqlite3_column_int(s, 2);
		port = sqlite3_column_int(s, 3);
		pb = fp_proto_name(proto, pbuf, sizeof(pbuf));
		fp_port_format(proto, port, portb, sizeof(portb));
		fp_time_format(sqlite3_column_int64(s, 5), t1);
		fp_time_format(sqlite3_column_int64(s, 6), t2);
		if (fmt == FP_FMT_TSV) {
			fp_tsv_str(stdout, src ? src : "");
			fputc('\t', stdout);
			fp_tsv_str(stdout, dst ? dst : "");
			printf("\t%s\t%s\t%lld\t%s\t%s\n", pb, portb,
			    (long long)sqlite3_column_int64(s, 4), t1, t2);
		} else {
			fputs(n++ ? ",\n  {" : "\n  {", stdout);
			fputs("\"src\": ", stdout);
			fp_json_str(stdout, src ? src : "");
			fputs(", \"dst\": ", stdout);
			fp_json_str(stdout, dst ? dst : "");
			printf(", \"proto\": \"%s\", \"port\": \"%s\", \"connections\": %lld, "
			    "\"first_seen\": \"%s\", \"last_seen\": \"%s\", \"nodes\": ",
			    pb, portb, (long long)sqlite3_column_int64(s, 4), t1, t2);
			fp_json_str(stdout, nodes ? nodes : "");
			fputs("}", stdout);
		}
	}
	if (fmt == FP_FMT_JSON)
		fputs(n ? "\n]\n" : "]\n", stdout);
	if (rc != SQLITE_DONE) {
		store_sqlerr(st, "reading edges");
		ret = fp_report();
		goto out;
	}
	ret = fflush(stdout) == 0 ? FP_EXIT_OK : fp_fail("edges: write error");
out:
	sqlite3_finalize(s);
	store_free(st);
	return ret;
}

static const char status_usage[] =
    "usage: flowpol status [--db PATH] [--format tsv|json] [--now TIME]\n"
    "\n"
    "Learning coverage per namespace as of the last `flowpol learn`: flows\n"
    "touching it, how many resolved, ambiguous (set aside) or unknown (an\n"
    "in-cluster address without owner), when its newest edge first appeared\n"
    "and seconds since then (relative to --now, default now). Then collector\n"
    "loss per node from the health table. Namespace '-' holds flows that\n"
    "touch no namespace.\n";

int
cmd_status(int argc, char **argv)
{
	const char *db;
	enum fp_format fmt;
	struct store *st = NULL;
	sqlite3_stmt *s = NULL;
	char *learned = NULL, tb[FP_TIMESTRLEN];
	int64_t now = fp_now_us(), t;
	int rc, ret, n = 0;

	if ((rc = list_args(argc, argv, status_usage, &db, &fmt, "tsv,json",
	    &now)) != 0)
		return rc == 1 ? FP_EXIT_OK : rc;
	if (store_open(&st, db, STORE_READONLY) < 0 ||
	    store_meta_get(st, "learn.at", &learned) < 0) {
		ret = fp_report();
		goto out;
	}
	if (learned == NULL) {
		ret = fp_fail("status: nothing learned yet: run 'flowpol learn' first");
		goto out;
	}
	if (store_prepare(st, &s, "SELECT CASE namespace WHEN '' THEN '-' ELSE "
	    "namespace END, flows, resolved, ambiguous, unknown, last_new_edge "
	    "FROM coverage ORDER BY namespace = '', namespace") < 0) {
		ret = fp_report();
		goto out;
	}
	t = strtoll(learned, NULL, 10);
	if (fmt == FP_FMT_TSV) {
		printf("# learned at %s\n", fp_time_format(t, tb));
		fputs("namespace\tflows\tresolved\tambiguous\tunknown\tlast_new_edge\t"
		    "since_last_new_edge\n", stdout);
	} else {
		printf("{\"learned_at\": \"%s\", \"namespaces\": [",
		    fp_time_format(t, tb));
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *ns = (const char *)sqlite3_column_text(s, 0);
		int has = sqlite3_column_type(s, 5) != SQLITE_NULL;
		int64_t last = sqlite3_column_int64(s, 5);
		long long age = has ? (long long)((now - last) / FP_USEC) : -1;

		if (fmt == FP_FMT_TSV) {
			fp_tsv_str(stdout, ns ? ns : "");
			printf("\t%lld\t%lld\t%lld\t%lld\t%s\t", (long long)
			    sqlite3_column_int64(s, 1), (long long)sqlite3_column_int64(s, 2),
			    (long long)sqlite3_column_int64(s, 3),
			    (long long)sqlite3_column_int64(s, 4),
			    has ? fp_time_format(last, tb) : "-");
			if (has)
				printf("%lld\n", age);
			else
				fputs("-\n", stdout);
		} else {
			fputs(n++ ? ",\n  {" : "\n  {", stdout);
			fputs("\"namespace\": ", stdout);
			fp_json_str(stdout, ns ? ns : "");
			printf(", \"flows\": %lld, \"resolved\": %lld, \"ambiguous\": %lld, "
			    "\"unknown\": %lld, ", (long long)sqlite3_column_int64(s, 1),
			    (long long)sqlite3_column_int64(s, 2),
			    (long long)sqlite3_column_int64(s, 3),
			    (long long)sqlite3_column_int64(s, 4));
			if (has)
				printf("\"last_new_edge\": \"%s\", \"since_last_new_edge\": %lld}",
				    fp_time_format(last, tb), age);
			else
				fputs("\"last_new_edge\": null, \"since_last_new_edge\": null}",
				    stdout);
		}
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(st, "reading coverage");
		ret = fp_report();
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (store_prepare(st, &s, "SELECT node, count(*), sum(received), sum(lost), "
	    "sum(malformed) FROM health GROUP BY node ORDER BY node") < 0) {
		ret = fp_report();
		goto out;
	}
	if (fmt == FP_FMT_TSV)
		fputs("\nnode\twindows\treceived\tlost\tmalformed\tloss_percent\n",
		    stdout);
	else
		fputs(n ? "\n], \"collector\": [" : "], \"collector\": [", stdout);
	n = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *node = (const char *)sqlite3_column_text(s, 0);
		long long win = sqlite3_column_int64(s, 1);
		long long rec = sqlite3_column_int64(s, 2);
		long long lost = sqlite3_column_int64(s, 3);
		long long bad = sqlite3_column_int64(s, 4);
		double pct = rec + lost > 0 ? 100.0 * (double)lost /
		    (double)(rec + lost) : 0.0;

		if (fmt == FP_FMT_TSV) {
			fp_tsv_str(stdout, node ? node : "");
			printf("\t%lld\t%lld\t%lld\t%lld\t%.3f\n", win, rec, lost, bad,
			    pct);
		} else {
			fputs(n++ ? ",\n  {" : "\n  {", stdout);
			fputs("\"node\": ", stdout);
			fp_json_str(stdout, node ? node : "");
			printf(", \"windows\": %lld, \"received\": %lld, \"lost\": %lld, "
			    "\"malformed\": %lld, \"loss_percent\": %.3f}", win, rec, lost,
			    bad, pct);
		}
	}
	if (fmt == FP_FMT_JSON)
		fputs(n ? "\n]}\n" : "]}\n", stdout);
	if (rc != SQLITE_DONE) {
		store_sqlerr(st, "reading health");
		ret = fp_report();
		goto out;
	}
	ret = fflush(stdout) == 0 ? FP_EXIT_OK : fp_fail("status: write error");
out:
	free(learned);
	sqlite3_finalize(s);
	store_free(st);
	return ret;
}
