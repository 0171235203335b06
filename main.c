#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>
#include <yaml.h>

#include "commands.h"
#include "common/cli.h"
#include "common/err.h"
#include "common/out.h"
#include "common/banned.h"

/* Defined once in CMake's project(VERSION); the commit comes from the build. */
#ifndef FLOWPOL_VERSION
#define FLOWPOL_VERSION "unknown"
#endif
#ifndef FLOWPOL_NFLOG_VERSION
#define FLOWPOL_NFLOG_VERSION "unknown"
#endif
extern const char flowpol_git_commit[];	/* build/commit.c, "" when unknown */

static int cmd_version(int argc, char **argv);
static int cmd_completion(int argc, char **argv);

/*
 * Dispatch only: each subcommand parses its own options (git's commands[])
 * with fp_getopt, whose --completion-helper lists them; completion is made
 * from this table and those.
 */
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
	{ "version", cmd_version, "print the version, commit and library versions" },
	{ "completion", cmd_completion, "print a bash or zsh completion script" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/*
 * Options that may come before the command as well as after it (as kubectl
 * takes --kubeconfig anywhere): they are moved after the command name, so
 * the command's own parser checks them like any other.
 */
static const struct option global_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, 'f' },
	{ "namespace", required_argument, NULL, 'n' },
	{ "all-namespaces", no_argument, NULL, 'A' },
	{ "now", required_argument, NULL, 'N' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};
#define GLOBAL_SHORT "o:n:Ah"

static void
usage(FILE *f)
{
	size_t i;

	fputs("usage: flowpol [--db PATH] COMMAND [OPTIONS] [ARGS]\n\n"
	    "Learns which pods talk to which from real traffic and writes the\n"
	    "least-privilege Calico policy that allows exactly that.\n\n"
	    "Commands:\n", f);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun 'flowpol COMMAND --help' for a command's options.\n"
	    "The database is --db PATH, else $FLOWPOL_DB, else ./flowpol.db.\n"
	    "--db, -o/--output, -n/--namespace, -A and --now may also come before\n"
	    "the command. --version prints what 'flowpol version' does.\n"
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
unknown_command(const char *name)
{
	const char *names[NCOMMANDS], *best;
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i].name;
	best = fp_cli_suggest(name, names, NCOMMANDS);
	return fp_cli_unknown(NULL, "command", name, "", best);
}

static int
run(const struct command *c, int argc, char **argv)
{
	optind = 1;
	opterr = 0;
	fp_err_command(c->name);
	return c->fn(argc, argv);
}

/* -------- version -------- */

static const char version_usage[] =
    "usage: flowpol version [-o text|json]\n"
    "\n"
    "Print flowpol's version, the git commit it was built from (\"unknown\"\n"
    "when built without .git and without -DFLOWPOL_GIT_COMMIT), and the\n"
    "versions of SQLite and libyaml in use (at run time) and of\n"
    "libnetfilter_log as built against (it has no version call).\n"
    "\n"
    "  -o, --output FMT  text (default) or json; --format is an alias\n";

static int
cmd_version(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum fp_format fmt = FP_FMT_TEXT;
	const char *commit = *flowpol_git_commit ? flowpol_git_commit : "unknown";
	int c;

	while ((c = fp_getopt(argc, argv, "o:h", opts)) != -1) {
		switch (c) {
		case 'o':
			if (fp_cli_format(optarg, "text,json", &fmt) < 0)
				return fp_cli_usage_error("version", version_usage, "%s",
				    fp_errmsg());
			break;
		case 'h':
			return fp_cli_help(version_usage);
		default:
			return fp_cli_bad_option("version", version_usage, opts, argv);
		}
	}
	if (optind < argc)
		return fp_cli_usage_error("version", version_usage,
		    "unexpected argument '%s'", fp_clamp(argv[optind], 64));
	if (fmt == FP_FMT_JSON) {
		printf("{\n  \"apiVersion\": \"flowpol/v1\",\n  \"kind\": \"Version\",\n"
		    "  \"version\": ");
		fp_json_str(stdout, FLOWPOL_VERSION);
		fputs(",\n  \"commit\": ", stdout);
		if (*flowpol_git_commit)
			fp_json_str(stdout, flowpol_git_commit);
		else
			fputs("null", stdout);
		fputs(",\n  \"sqlite\": ", stdout);
		fp_json_str(stdout, sqlite3_libversion());
		fputs(",\n  \"libyaml\": ", stdout);
		fp_json_str(stdout, yaml_get_version_string());
		fputs(",\n  \"libnetfilter_log\": ", stdout);
		fp_json_str(stdout, FLOWPOL_NFLOG_VERSION);
		fputs("\n}\n", stdout);
	} else {
		printf("flowpol %s\ncommit: %s\nsqlite: %s\nlibyaml: %s\n"
		    "libnetfilter_log: %s (built against)\n", FLOWPOL_VERSION,
		    commit, sqlite3_libversion(), yaml_get_version_string(),
		    FLOWPOL_NFLOG_VERSION);
	}
	return fp_out_flush("version") < 0 ? fp_report() : FP_EXIT_OK;
}

/* -------- completion -------- */

static const char completion_usage[] =
    "usage: flowpol completion bash|zsh\n"
    "\n"
    "Print a completion script, made from the commands and options the\n"
    "parser uses. Load it with\n"
    "  source <(flowpol completion bash)\n"
    "or, for zsh, put 'flowpol completion zsh > \"${fpath[1]}/_flowpol\"'.\n";

/*
 * A command's options as its parser knows them: "CMD --completion-helper"
 * run in a child (fp_getopt prints them and exits), read back here. Returns
 * malloc'd text, one option a line, or NULL.
 */
static char *
command_options(const struct command *c)
{
	char *argv[3], *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd[2], status;
	pid_t pid;

	if (pipe(fd) < 0)
		return NULL;
	fflush(NULL);
	if ((pid = fork()) < 0) {
		close(fd[0]);
		close(fd[1]);
		return NULL;
	}
	if (pid == 0) {
		close(fd[0]);
		if (dup2(fd[1], STDOUT_FILENO) < 0)
			_exit(2);
		close(fd[1]);
		argv[0] = (char *)c->name;
		argv[1] = "--completion-helper";
		argv[2] = NULL;
		_exit(run(c, 2, argv) == 0 ? 0 : 2);
	}
	close(fd[1]);
	for (;;) {
		if (len + 4096 + 1 > cap) {
			if ((nb = realloc(buf, cap + 8192)) == NULL)
				break;
			buf = nb;
			cap += 8192;
		}
		if ((n = read(fd[0], buf + len, cap - len - 1)) <= 0)
			break;
		len += (size_t)n;
	}
	close(fd[0]);
	waitpid(pid, &status, 0);
	if (buf != NULL)
		buf[len] = '\0';
	return buf;
}

/* A helper's lines as words of one line, without the '=' of "--db=". */
static void
print_words(const char *opts)
{
	const char *p;

	for (p = opts; *p != '\0'; p++) {
		if (*p == '=' || (*p == '\n' && p[1] == '\0'))
			continue;
		putchar(*p == '\n' ? ' ' : *p);
	}
}

/*
 * The global options as completion words: all of them (sep ' '), or those
 * that take a value, the word after which is not the command (sep '|').
 */
static void
print_globals(const char *sep, int valued_only)
{
	const char *p;
	size_t i;
	int n = 0;

	for (i = 0; global_opts[i].name != NULL; i++)
		if (!valued_only || global_opts[i].has_arg == required_argument)
			printf("%s--%s", n++ ? sep : "", global_opts[i].name);
	for (p = GLOBAL_SHORT; *p != '\0'; p++)
		if (*p != ':' && (!valued_only || p[1] == ':'))
			printf("%s-%c", n++ ? sep : "", *p);
}

static int
completion_bash(void)
{
	size_t i;
	char *o;

	fputs("# bash completion for flowpol (flowpol completion bash)\n"
	    "_flowpol() {\n"
	    "\tlocal cur prev cmd i w\n"
	    "\tCOMPREPLY=()\n"
	    "\tcur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
	    "\tprev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
	    "\tcmd=\n"
	    "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	    "\t\tw=\"${COMP_WORDS[i]}\"\n"
	    "\t\tcase \"$w\" in\n\t\t", stdout);
	print_globals("|", 1);
	fputs(") ((i++)) ;;\n"
	    "\t\t-*) ;;\n"
	    "\t\t*) cmd=\"$w\"; break ;;\n"
	    "\t\tesac\n"
	    "\tdone\n"
	    "\tcase \"$prev\" in\n"
	    "\t-o|--output|--format)\n"
	    "\t\tCOMPREPLY=($(compgen -W \"table tsv json yaml text markdown dot\" -- \"$cur\"))\n"
	    "\t\treturn ;;\n"
	    "\t--db|--policies|--pcap|--out)\n"
	    "\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	    "\t\treturn ;;\n"
	    "\tesac\n"
	    "\tif [ -z \"$cmd\" ]; then\n"
	    "\t\tcase \"$cur\" in\n"
	    "\t\t-*) COMPREPLY=($(compgen -W \"", stdout);
	print_globals(" ", 0);
	fputs("\" -- \"$cur\")) ;;\n"
	    "\t\t*) COMPREPLY=($(compgen -W \"", stdout);
	for (i = 0; i < NCOMMANDS; i++)
		printf("%s%s", i ? " " : "", commands[i].name);
	fputs(" help\" -- \"$cur\")) ;;\n"
	    "\t\tesac\n"
	    "\t\treturn\n"
	    "\tfi\n"
	    "\tcase \"$cmd\" in\n", stdout);
	for (i = 0; i < NCOMMANDS; i++) {
		if (strcmp(commands[i].name, "completion") == 0) {
			fputs("\tcompletion) COMPREPLY=($(compgen -W \"bash zsh\" -- "
			    "\"$cur\")) ;;\n", stdout);
			continue;
		}
		if ((o = command_options(&commands[i])) == NULL)
			return fp_fail("completion: %s: cannot list its options",
			    commands[i].name);
		printf("\t%s) COMPREPLY=($(compgen -W \"", commands[i].name);
		print_words(o);
		fputs("\" -- \"$cur\"))\n", stdout);
		fputs("\t\t[[ \"$cur\" == -* ]] || COMPREPLY+=($(compgen -f -- \"$cur\")) ;;\n",
		    stdout);
		free(o);
	}
	fputs("\tesac\n"
	    "}\n"
	    "complete -F _flowpol flowpol\n", stdout);
	return FP_EXIT_OK;
}

static int
completion_zsh(void)
{
	size_t i;
	char *o;

	fputs("#compdef flowpol\n"
	    "# zsh completion for flowpol (flowpol completion zsh)\n"
	    "_flowpol() {\n"
	    "\tlocal -a cmds opts\n"
	    "\tcmds=(\n", stdout);
	for (i = 0; i < NCOMMANDS; i++) {
		printf("\t\t'%s:", commands[i].name);
		/* Summaries have no single quotes; keep it so. */
		fputs(commands[i].summary, stdout);
		fputs("'\n", stdout);
	}
	fputs("\t)\n"
	    "\tlocal cmd= i\n"
	    "\tfor ((i = 2; i < CURRENT; i++)); do\n"
	    "\t\tcase \"${words[i]}\" in\n\t\t", stdout);
	print_globals("|", 1);
	fputs(") ((i++)) ;;\n"
	    "\t\t-*) ;;\n"
	    "\t\t*) cmd=\"${words[i]}\"; break ;;\n"
	    "\t\tesac\n"
	    "\tdone\n"
	    "\tif [[ -z \"$cmd\" ]]; then\n"
	    "\t\tif [[ \"${words[CURRENT]}\" == -* ]]; then\n"
	    "\t\t\tcompadd -- ", stdout);
	print_globals(" ", 0);
	fputs("\n"
	    "\t\telse\n"
	    "\t\t\t_describe 'command' cmds\n"
	    "\t\tfi\n"
	    "\t\treturn\n"
	    "\tfi\n"
	    "\tcase \"${words[CURRENT-1]}\" in\n"
	    "\t-o|--output|--format) compadd -- table tsv json yaml text markdown dot; return ;;\n"
	    "\tesac\n"
	    "\tcase \"$cmd\" in\n", stdout);
	for (i = 0; i < NCOMMANDS; i++) {
		if (strcmp(commands[i].name, "completion") == 0) {
			fputs("\tcompletion) compadd -- bash zsh ;;\n", stdout);
			continue;
		}
		if ((o = command_options(&commands[i])) == NULL)
			return fp_fail("completion: %s: cannot list its options",
			    commands[i].name);
		printf("\t%s) opts=(", commands[i].name);
		print_words(o);
		fputs(")\n\t\tif [[ \"${words[CURRENT]}\" == -* ]]; then compadd -- "
		    "$opts; else _files; fi ;;\n", stdout);
		free(o);
	}
	fputs("\tesac\n"
	    "}\n"
	    "if [[ \"$funcstack[1]\" == _flowpol ]]; then _flowpol \"$@\"; "
	    "else compdef _flowpol flowpol; fi\n", stdout);
	return FP_EXIT_OK;
}

static int
cmd_completion(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, ret;

	while ((c = fp_getopt(argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'h':
			return fp_cli_help(completion_usage);
		default:
			return fp_cli_bad_option("completion", completion_usage, opts,
			    argv);
		}
	}
	if (optind + 1 != argc)
		return fp_cli_usage_error("completion", completion_usage,
		    "expected one shell: bash or zsh");
	if (strcmp(argv[optind], "bash") == 0)
		ret = completion_bash();
	else if (strcmp(argv[optind], "zsh") == 0)
		ret = completion_zsh();
	else
		return fp_cli_usage_error("completion", completion_usage,
		    "shell '%s' is not one of bash or zsh", fp_clamp(argv[optind], 32));
	if (ret == FP_EXIT_OK && fp_out_flush("completion") < 0)
		ret = fp_report();
	return ret;
}

/* -------- global options -------- */

/*
 * Find the command after the global options in argv[1..]; on return
 * *cmdi is its index (argc when there is none). Returns -1 after printing
 * a message for an option that is not global, else the code of
 * --help/--version when one came first (0 for neither).
 */
static int
scan_globals(int argc, char **argv, int *cmdi)
{
	const char *names[16], *a, *best;
	size_t k = 0, n;
	int i = 1, j;
	char word[64];

	for (j = 0; global_opts[j].name != NULL; j++)
		names[k++] = global_opts[j].name;
	while (i < argc && argv[i][0] == '-' && argv[i][1] != '\0') {
		a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[1] == '-') {
			n = strcspn(a + 2, "=");
			for (j = 0; global_opts[j].name != NULL; j++)
				if (strlen(global_opts[j].name) == n &&
				    strncmp(global_opts[j].name, a + 2, n) == 0)
					break;
			if (global_opts[j].name == NULL) {
				snprintf(word, sizeof(word), "%.*s", (int)(n < 63 ? n : 63),
				    a + 2);
				best = fp_cli_suggest(word, names, k);
				fp_cli_unknown(NULL, "option", a, "--", best);
				return -1;
			}
			if (global_opts[j].val == 'h' || global_opts[j].val == 'V') {
				*cmdi = i;
				return global_opts[j].val;
			}
			if (global_opts[j].has_arg == required_argument &&
			    a[2 + n] != '=') {
				if (i + 1 >= argc) {
					fp_warn("option '%s' needs a value", fp_clamp(a, 64));
					return -1;
				}
				i++;
			}
		} else {
			if (a[1] == 'h') {
				*cmdi = i;
				return 'h';
			}
			if (strchr(GLOBAL_SHORT, a[1]) == NULL || a[1] == ':') {
				fp_cli_unknown(NULL, "option", a, "", NULL);
				return -1;
			}
			if (a[1] != 'A' && a[2] == '\0') {
				if (i + 1 >= argc) {
					fp_warn("option '%s' needs a value", fp_clamp(a, 64));
					return -1;
				}
				i++;
			} else if (a[1] == 'A' && a[2] != '\0') {
				fp_cli_unknown(NULL, "option", a, "", NULL);
				return -1;
			}
		}
		i++;
	}
	*cmdi = i;
	return 0;
}

int
main(int argc, char **argv)
{
	const struct command *c;
	char *help_argv[3], **nargv;
	int cmdi, rc, i, k;

	if (argc < 2) {
		usage(stderr);
		return FP_EXIT_ERR;
	}
	if ((rc = scan_globals(argc, argv, &cmdi)) < 0)
		return FP_EXIT_ERR;
	if (rc == 'V') {
		help_argv[0] = "version";
		help_argv[1] = NULL;
		return run(find("version"), 1, help_argv);
	}
	if (rc == 'h' || (cmdi < argc && strcmp(argv[cmdi], "help") == 0)) {
		if (cmdi + 1 >= argc || rc == 'h') {
			usage(stdout);
			return FP_EXIT_OK;
		}
		if ((c = find(argv[cmdi + 1])) == NULL)
			return unknown_command(argv[cmdi + 1]);
		help_argv[0] = argv[cmdi + 1];
		help_argv[1] = "--help";
		help_argv[2] = NULL;
		return run(c, 2, help_argv);
	}
	if (cmdi >= argc) {
		fp_warn("no command; see 'flowpol --help'");
		return FP_EXIT_ERR;
	}
	if ((c = find(argv[cmdi])) == NULL)
		return unknown_command(argv[cmdi]);
	/* COMMAND, then the global options given before it, then the rest. */
	if ((nargv = calloc((size_t)argc + 1, sizeof(*nargv))) == NULL)
		return fp_fail("out of memory");
	k = 0;
	nargv[k++] = argv[cmdi];
	for (i = 1; i < cmdi; i++)
		if (strcmp(argv[i], "--") != 0 || i + 1 != cmdi)
			nargv[k++] = argv[i];
	for (i = cmdi + 1; i < argc; i++)
		nargv[k++] = argv[i];
	nargv[k] = NULL;
	rc = run(c, k, nargv);
	free(nargv);
	return rc;
}
