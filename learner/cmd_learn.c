#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common/cli.h"
#include "common/err.h"
#include "common/fileio.h"
#include "common/store.h"
#include "common/timeutil.h"
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

int
cmd_learn(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return 0;
	return fp_fail("learn: not implemented yet");
}

int
cmd_workloads(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return 0;
	return fp_fail("workloads: not implemented yet");
}

int
cmd_edges(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return 0;
	return fp_fail("edges: not implemented yet");
}

int
cmd_status(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return 0;
	return fp_fail("status: not implemented yet");
}
