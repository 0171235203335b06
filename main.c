#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "common/err.h"
#include "common/banned.h"

#ifndef FLOWPOL_VERSION
#define FLOWPOL_VERSION "0.1.0"
#endif

/* Dispatch only: each subcommand parses its own options (git's commands[]). */
static const struct command {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
} commands[] = {
	{ "collect", cmd_collect, "record NFLOG flow events (live or from pcap) into the store" },
	{ "flows", cmd_flows, "print the recorded flows" },
	{ "inventory", cmd_inventory, "import a kubectl/calicoctl snapshot of pods, namespaces, nodes" },
	{ "learn", cmd_learn, "resolve flows to workloads and build the traffic graph" },
	{ "workloads", cmd_workloads, "print the learned workloads and their selectors" },
	{ "edges", cmd_edges, "print the learned edges (who talks to whom)" },
	{ "status", cmd_status, "print learning coverage per namespace" },
	{ "emit", cmd_emit, "write least-privilege Calico policy YAML" },
	{ "selector", cmd_selector, "evaluate a Calico selector against labels" },
	{ "explain", cmd_explain, "explain which policy and rule decide a flow" },
	{ "diff", cmd_diff, "compare observed traffic with committed policies" },
	{ "report", cmd_report, "write a Markdown report for a pull request" },
	{ "graph", cmd_graph, "write the learned graph as Graphviz DOT" },
	{ "merge", cmd_merge, "merge per-node databases into one" },
	{ "export", cmd_export, "write the database as a PostgreSQL script (psql)" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;

	fputs("usage: flowpol COMMAND [OPTIONS] [ARGS]\n\n"
	    "Learns which pods talk to which from real traffic and writes the\n"
	    "least-privilege Calico policy that allows exactly that.\n\n"
	    "Commands:\n", f);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun 'flowpol COMMAND --help' for a command's options.\n"
	    "The database is --db PATH, else $FLOWPOL_DB, else ./flowpol.db.\n"
	    "Exit status: 0 success, 1 a negative answer (no match, drift), 2 an error.\n",
	    f);
}

static const struct command *
find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int
run(const struct command *c, int argc, char **argv)
{
	optind = 1;
	opterr = 0;
	return c->fn(argc, argv);
}

int
main(int argc, char **argv)
{
	const struct command *c;
	char *help_argv[3];

	if (argc < 2) {
		usage(stderr);
		return FP_EXIT_ERR;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		if (argc < 3) {
			usage(stdout);
			return FP_EXIT_OK;
		}
		if ((c = find(argv[2])) == NULL)
			return fp_fail("help: unknown command '%s'",
			    fp_clamp(argv[2], 64));
		help_argv[0] = argv[2];
		help_argv[1] = "--help";
		help_argv[2] = NULL;
		return run(c, 2, help_argv);
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("flowpol %s\n", FLOWPOL_VERSION);
		return FP_EXIT_OK;
	}
	if ((c = find(argv[1])) == NULL) {
		fp_warn("unknown command '%s'", fp_clamp(argv[1], 64));
		usage(stderr);
		return FP_EXIT_ERR;
	}
	return run(c, argc - 1, argv + 1);
}
