#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "common/cli.h"
#include "common/err.h"
#include "store/model.h"
#include "store/store.h"
#include "common/timeutil.h"
#include "review/diff.h"
#include "policy/evaluate.h"
#include "review/explain.h"
#include "common/labels.h"
#include "policy/calver.h"
#include "policy/reader.h"
#include "policy/selector.h"
#include "common/banned.h"

#define MAX_PATHS 64	/* --policies given at most this often */

/*
 * Read every --policies path in order for Calico version, stamping each
 * policy with the index of its path; print what the reader warned about.
 */
static int
read_paths(struct pe_policyset *ps, const char *cmd, char *const *paths,
    size_t n, int version)
{
	size_t i;

	ps->calico_version = version;
	for (i = 0; i < n; i++) {
		ps->origin = i;
		if (pe_read_path(ps, paths[i]) < 0)
			return strcmp(cmd, "explain") == 0 ? -1 :
			    fp_error_prefix("%s", cmd);
	}
	for (i = 0; i < ps->n_warnings; i++)
		fp_warn("%s: warning: %s", cmd, ps->warnings[i]);
	return 0;
}

/* "--calico-version V" into *version. 0 or -1 (fp_error). */
static int
calico_version_opt(const char *cmd, const char *arg, int *version)
{
	if (pe_calver_parse(arg, version) < 0)
		return fp_error_prefix("%s: --calico-version", cmd);
	return 0;
}

/* --policies PATH, collected; "given too often" past MAX_PATHS. */
static int
add_path(const char *cmd, char **paths, size_t *n, char *arg)
{
	if (*n == MAX_PATHS)
		return fp_error("%s: --policies given more than %d times", cmd,
		    MAX_PATHS);
	paths[(*n)++] = arg;
	return 0;
}

/* Which --policies path(s) decided (explain and diff, several paths). */
static void
print_sides(FILE *out, const char *dir, const struct pe_decision *d,
    char *const *paths, size_t n)
{
	size_t i;
	int first = 1;

	if (n < 2 || d->origins == 0)
		return;
	fprintf(out, "%s decided by: ", dir);
	for (i = 0; i < n && i < 64; i++) {
		if (!(d->origins & (1UL << i)))
			continue;
		fprintf(out, "%s--policies %s", first ? "" : ", ", paths[i]);
		first = 0;
	}
	fputc('\n', out);
}

static const char explain_usage[] =
    "usage: flowpol explain --policies PATH [--policies PATH...] [--db PATH]\n"
    "                       [--staged] [--missing-types api|felix]\n"
    "                       [--calico-version 3.28..3.33]\n"
    "                       [--sport PORT] SRC DST PROTO[/PORT]\n"
    "       flowpol explain --policies PATH ... --batch FILE\n"
    "\n"
    "Evaluate one flow against Calico policies the way Felix does and say\n"
    "which tier, policy and rule decided each direction (egress at the\n"
    "source, ingress at the destination).\n"
    "\n"
    "  --policies PATH   policy YAML/JSON file or directory (recursive):\n"
    "                    Calico kinds and Kubernetes NetworkPolicy; give\n"
    "                    it again to evaluate several sets together (the\n"
    "                    cluster's and flowpol's), each decision then\n"
    "                    names the path that decided it\n"
    "  --calico-version V  the Calico release to model (default 3.33)\n"
    "  --db PATH         learned database (default $FLOWPOL_DB, else\n"
    "                    ./flowpol.db; used only if it exists)\n"
    "  --staged          what if staged policies were enforced (Set replaces\n"
    "                    the policy of the same name, Delete removes it)\n"
    "  --missing-types M policies without spec.types: 'api' (default,\n"
    "                    Calico API defaulting) or 'felix' (both directions)\n"
    "  --sport PORT      source port, for rules with source ports\n"
    "  --batch FILE      explain every flow in FILE ('-': standard input),\n"
    "                    one \"SRC DST PROTO[/PORT]\" a line ('#' starts a\n"
    "                    comment), reading the policies once; the\n"
    "                    explanations are separated by empty lines\n"
    "\n"
    "SRC and DST are one of:\n"
    "  NAMESPACE/NAME    a learned workload, else a pod (needs the database)\n"
    "  IP                resolved through the database, else external\n"
    "  node:IP | external:IP\n"
    "  a label spec      ns:NAMESPACE[,sa:NAME][,ip:ADDR][,nslabel:K=V]\n"
    "                    [,salabel:K=V][,port:NAME/PROTO/NUM][,K=V...]\n"
    "                    e.g. ns:shop,app=web,ip:10.0.0.5\n"
    "PROTO[/PORT]: tcp/80, udp/53, icmp/8[/0], or a protocol number.\n"
    "\n"
    "Exit status: 0 allowed, 1 denied (with --batch: any flow denied),\n"
    "2 error.\n";

/* What explain evaluates flows against, read once for every flow. */
struct explain_ctx {
	struct pe_policyset *ps;
	struct model *m;
	char *const *paths;
	size_t npaths;
	int flags;
	long long sport;
};

/*
 * Explain one flow given as its three arguments: print the verdict and
 * the decisions. 1 allowed, 0 denied, -1 (fp_error) when an argument does
 * not resolve.
 */
static int
explain_one(const struct explain_ctx *x, const char *sarg, const char *darg,
    const char *parg)
{
	struct pe_endpoint src, dst;
	struct pe_resolved rs, rd;
	struct pe_flow f;
	struct pe_verdict v;
	int ret = -1;

	pe_endpoint_init(&src);
	pe_endpoint_init(&dst);
	memset(&f, 0, sizeof(f));
	if (pe_resolve_endpoint_ex(x->m, sarg, &src, &rs) < 0) {
		fp_error_prefix("source");
		goto out;
	}
	if (pe_resolve_endpoint_ex(x->m, darg, &dst, &rd) < 0) {
		fp_error_prefix("destination");
		goto out;
	}
	if (pe_parse_proto_port(parg, &f) < 0)
		goto out;
	/* A pod named by name is all of its addresses: one of the flow's
	 * family (a dual-stack pod talking IPv6 uses its IPv6 address). */
	pe_resolve_family(&f, &src, &rs, &dst, &rd);
	f.src = &src;
	f.dst = &dst;
	f.sport = (int)x->sport;
	if (pe_evaluate(x->ps, &f, x->flags, &v) < 0)
		goto out;
	pe_explain_print(stdout, &f, &v);
	print_sides(stdout, "egress", &v.egress, x->paths, x->npaths);
	print_sides(stdout, "ingress", &v.ingress, x->paths, x->npaths);
	if (!(x->flags & PE_EVAL_STAGED) && pe_policyset_has_staged(x->ps)) {
		struct pe_verdict sv;

		/* Staged policies never enforce; say what they would do. */
		if (pe_evaluate(x->ps, &f, PE_EVAL_STAGED, &sv) == 0 &&
		    sv.allowed != v.allowed)
			printf("staged: would be %s if the staged policies were "
			    "enforced (see --staged)\n",
			    sv.allowed ? "allowed" : "denied");
	}
	ret = v.allowed ? 1 : 0;
out:
	pe_endpoint_release(&src);
	pe_endpoint_release(&dst);
	return ret;
}

#define BATCH_LINE_MAX 4096

/*
 * --batch FILE ('-': standard input): one flow a line, "SRC DST
 * PROTO[/PORT]" separated by blanks; empty lines and lines starting with
 * '#' skipped. The policies are read once for all of them. *denied counts
 * the denied flows. 0, or -1 (fp_error naming FILE:LINE).
 */
static int
explain_batch(const struct explain_ctx *x, const char *path, size_t *denied)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char line[BATCH_LINE_MAX + 2];
	unsigned long no = 0;
	size_t flows = 0;
	int ret = -1;

	if (in == NULL)
		return fp_error("%s: %s", fp_clamp(path, 256), strerror(errno));
	while (fgets(line, sizeof(line), in) != NULL) {
		char *arg[4], *p = line;
		size_t len = strlen(line), n = 0;
		int r;

		no++;
		if (len > BATCH_LINE_MAX && line[len - 1] != '\n') {
			fp_error("%s:%lu: line longer than %d bytes",
			    fp_clamp(path, 256), no, BATCH_LINE_MAX);
			goto out;
		}
		while (n < 4) {
			p += strspn(p, " \t\r\n");
			if (*p == '\0')
				break;
			arg[n++] = p;
			p += strcspn(p, " \t\r\n");
			if (*p != '\0')
				*p++ = '\0';
		}
		if (n == 0 || arg[0][0] == '#')
			continue;
		if (n != 3) {
			fp_error("%s:%lu: want SRC DST PROTO[/PORT]",
			    fp_clamp(path, 256), no);
			goto out;
		}
		if (flows++ > 0)
			putchar('\n');
		if ((r = explain_one(x, arg[0], arg[1], arg[2])) < 0) {
			fp_error_prefix("%s:%lu", fp_clamp(path, 256), no);
			goto out;
		}
		if (r == 0)
			(*denied)++;
	}
	if (ferror(in)) {
		fp_error("%s: %s", fp_clamp(path, 256), strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (in != stdin)
		fclose(in);
	return ret;
}

int
cmd_explain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "policies", required_argument, NULL, 'p' },
		{ "db", required_argument, NULL, 'd' },
		{ "staged", no_argument, NULL, 's' },
		{ "missing-types", required_argument, NULL, 't' },
		{ "sport", required_argument, NULL, 'P' },
		{ "calico-version", required_argument, NULL, 'V' },
		{ "batch", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	struct pe_policyset ps = PE_POLICYSET_INIT;
	struct explain_ctx x;
	char *paths[MAX_PATHS];
	size_t npaths = 0, denied = 0;
	int version = 0;
	struct store *st = NULL;
	struct model *m = NULL;
	const char *db = NULL, *batch = NULL;
	enum pe_types_mode mode = PE_TYPES_API;
	int c, r, ret = FP_EXIT_ERR, npol = 0, flags = 0;
	long long sport = 0;

	while ((c = fp_getopt(argc, argv, "+h", opts)) != -1) {
		switch (c) {
		case 'h':
			return fp_cli_help(explain_usage);
		case 'p':
			if (add_path("explain", paths, &npaths, optarg) < 0) {
				ret = fp_report();
				goto out;
			}
			npol++;
			break;
		case 'V':
			if (calico_version_opt("explain", optarg,
			    &version) < 0) {
				ret = fp_report();
				goto out;
			}
			break;
		case 'd':
			db = optarg;
			break;
		case 'b':
			batch = optarg;
			break;
		case 's':
			flags |= PE_EVAL_STAGED;
			break;
		case 't':
			if (strcmp(optarg, "api") == 0)
				mode = PE_TYPES_API;
			else if (strcmp(optarg, "felix") == 0)
				mode = PE_TYPES_FELIX;
			else {
				ret = fp_cli_usage_error("explain", explain_usage,
				    "--missing-types must be api or felix");
				goto out;
			}
			break;
		case 'P':
			if (fp_cli_long("sport", optarg, 1, 65535, &sport) < 0) {
				ret = fp_report();
				goto out;
			}
			break;
		default:
			ret = fp_cli_bad_option("explain", explain_usage, opts, argv);
			goto out;
		}
	}
	if (npol == 0) {
		ret = fp_cli_usage_error("explain", explain_usage,
		    "--policies is required");
		goto out;
	}
	if (batch != NULL ? argc != optind : argc - optind != 3) {
		ret = fp_cli_usage_error("explain", explain_usage, batch ?
		    "--batch takes the flows from its file, not arguments" :
		    "want SRC DST PROTO[/PORT]");
		goto out;
	}
	if (read_paths(&ps, "explain", paths, npaths, version) < 0) {
		ret = fp_report();
		goto out;
	}
	if (db == NULL) {
		db = store_default_path();
		if (access(db, F_OK) != 0)
			db = NULL;
	}
	if (db != NULL && (store_open(&st, db, STORE_READONLY) < 0 ||
	    model_open(&m, st) < 0)) {
		ret = fp_report();
		goto out;
	}
	if (pe_policyset_prepare(&ps, mode) < 0) {
		ret = fp_report();
		goto out;
	}
	x.ps = &ps;
	x.m = m;
	x.paths = paths;
	x.npaths = npaths;
	x.flags = flags;
	x.sport = sport;
	if (batch != NULL) {
		if (explain_batch(&x, batch, &denied) < 0) {
			fp_error_prefix("explain");
			fflush(stdout);
			ret = fp_report();
			goto out;
		}
		r = denied == 0;
	} else if ((r = explain_one(&x, argv[optind], argv[optind + 1],
	    argv[optind + 2])) < 0) {
		fp_error_prefix("explain");
		ret = fp_report();
		goto out;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ret = fp_fail("explain: writing the output: %s", strerror(errno));
		goto out;
	}
	ret = r ? FP_EXIT_OK : FP_EXIT_NO;
out:
	pe_policyset_release(&ps);
	model_free(m);
	store_free(st);
	return ret;
}

/* diff reads its --policies after the proposals (diff_opts). */
struct diff_read_arg {
	char *const *paths;
	size_t npaths;
	int version;
	const char *dir;
};

static int
diff_read_policies(struct pe_policyset *ps, void *arg)
{
	const struct diff_read_arg *ra = arg;

	if (read_paths(ps, "diff", ra->paths, ra->npaths, ra->version) < 0)
		return -1;
	if (ps->n_files == 0)
		return fp_error("diff: '%s': no policy files (*.yaml, *.yml, "
		    "*.json)", fp_clamp(ra->dir, 256));
	return 0;
}

static const char diff_usage[] =
    "usage: flowpol diff [--db PATH] --policies PATH [--policies PATH...]\n"
    "                    [--calico-version 3.28..3.33] [--since T]\n"
    "                    [--stale-after DURATION] [--now T]\n"
    "                    [--format text|json|markdown] [--no-proposals]\n"
    "                    [--staged] [--strict]\n"
    "\n"
    "Compare the learned model with the committed policies, for a scheduled\n"
    "job or a pull request:\n"
    "  denied     observed edges the policies would deny (the source's egress\n"
    "             or the destination's ingress), grouped by the workload whose\n"
    "             policy denies, with evidence and the tier/policy/rule (or\n"
    "             end-of-tier drop) that decides. Every distinct label set\n"
    "             of a workload's pods is checked. Edges with an unknown:\n"
    "             peer are listed apart (unattributed) and not counted.\n"
    "  stale      Allow rules that decided no edge last seen within the\n"
    "             stale period, with policy, file:line, index and rendering\n"
    "  proposed   what a plain `flowpol emit` (with --strict, `emit --strict`)\n"
    "             would write, compared file by file with the flowpol-\n"
    "             generated files under --policies (the directory holding\n"
    "             most of them): added, changed (with a unified diff),\n"
    "             removed\n"
    "  left out   with --strict: edges denied only at a workload that\n"
    "             `emit --strict` writes no policy for (its selector also\n"
    "             selects other workloads), listed apart and not counted\n"
    "\n"
    "  --db PATH             learned database (default $FLOWPOL_DB, else\n"
    "                        ./flowpol.db)\n"
    "  --policies PATH       committed policy YAML/JSON file or directory\n"
    "                        (recursive), Calico kinds and Kubernetes\n"
    "                        NetworkPolicy; again for several sets\n"
    "                        evaluated together (each denial then names\n"
    "                        the path that decided it: \"side\"); the\n"
    "                        last one is compared with the proposals\n"
    "  --calico-version V    the Calico release to model (default 3.33)\n"
    "  --since T             only edges last seen at or after T (RFC 3339,\n"
    "                        @UNIXSECONDS, or a duration before --now such\n"
    "                        as 2h30m or 14d); default: all\n"
    "  --stale-after DURATION  a rule is stale when no edge it allowed was\n"
    "                        last seen within DURATION before --now\n"
    "                        (default 14d; 90s, 2h30m, 7d, 2w)\n"
    "  --now T               the time stale periods end (default: now)\n"
    "  -o, --output F        text (default), json or markdown (for a pull\n"
    "                        request description); --format is an alias\n"
    "  --no-proposals        do not run the emitter\n"
    "  --staged              evaluate staged policies as if enforced (watch a\n"
    "                        staged rollout before enforcing it); without it\n"
    "                        they never enforce, and diff says how many it\n"
    "                        left out\n"
    "  --strict              the policies were emitted with --strict (the\n"
    "                        files do not record it): report such edges as\n"
    "                        left out, not denied, and propose with --strict\n"
    "\n"
    "JSON (format_version 1; keys sorted; lists in text order):\n"
    "  {denied_edges: [EDGE], format_version, left_out: [EDGE], now,\n"
    "   policies,\n"
    "   proposed: null | {added, changed, directory, files: [{change:\n"
    "     added|changed|removed, diff: TEXT|null, file, lines_added,\n"
    "     lines_removed}], removed},\n"
    "   proposed_error: null | why the emitter could not run,\n"
    "   since: T|null, stale_after_seconds, stale_rules: [{direction, file,\n"
    "     index, kind, line, namespace, policy, rule, tier}],\n"
    "   summary: {denied_edges, edges, edges_checked, left_out,\n"
    "     staged_evaluated, staged_policies, stale_rules, unattributed},\n"
    "   unattributed: [EDGE],\n"
    "   workloads: [{egress: [EDGE], ingress: [EDGE], workload}]}\n"
    "  EDGE: {connections, dst, egress: DENIAL|null, first_seen,\n"
    "    ingress: DENIAL|null, last_seen, nodes: [..], port, proto, src}\n"
    "  DENIAL: {combinations, denied_combinations, why: rule|end-of-tier,\n"
    "    tier, and for rule: file, kind, line, namespace, policy, rule,\n"
    "    rule_text; for end-of-tier: policies_applied}\n"
    "\n"
    "Exit status: 0 nothing would be denied, 1 something would (drift),\n"
    "2 error (bad database, missing or invalid policies: file and line).\n";

int
cmd_diff(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "db", required_argument, NULL, 'd' },
		{ "policies", required_argument, NULL, 'p' },
		{ "since", required_argument, NULL, 's' },
		{ "stale-after", required_argument, NULL, 'a' },
		{ "now", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'f' },
		{ "no-proposals", no_argument, NULL, 'P' },
		{ "staged", no_argument, NULL, 'S' },
		{ "calico-version", required_argument, NULL, 'V' },
		{ "strict", no_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	char *paths[MAX_PATHS];
	size_t npaths = 0;
	int version = 0;
	struct pe_policyset ps = PE_POLICYSET_INIT;
	struct diff_result *res = NULL;
	struct diff_opts o;
	struct diff_read_arg ra;
	struct store *st = NULL;
	enum fp_format fmt = FP_FMT_TEXT;
	const char *db = NULL, *now = NULL, *since = NULL;
	int c, ret = FP_EXIT_ERR;

	memset(&o, 0, sizeof(o));
	o.since = INT64_MIN;
	o.stale_after = 14 * 86400 * FP_USEC;
	o.propose = 1;
	while ((c = fp_getopt(argc, argv, "+ho:", opts)) != -1) {
		switch (c) {
		case 'h':
			return fp_cli_help(diff_usage);
		case 'd':
			db = optarg;
			break;
		case 'p':
			if (add_path("diff", paths, &npaths, optarg) < 0)
				return fp_report();
			o.policies = optarg;
			break;
		case 'V':
			if (calico_version_opt("diff", optarg, &version) < 0)
				return fp_report();
			break;
		case 's':
			since = optarg;	/* relative to --now: parsed after it */
			break;
		case 'a':
			if (fp_duration_parse(optarg, &o.stale_after) < 0) {
				fp_error_prefix("diff: --stale-after");
				return fp_report();
			}
			break;
		case 'n':
			now = optarg;
			break;
		case 'o':
		case 'f':
			if (fp_cli_format(optarg, "text,json,markdown", &fmt) < 0) {
				fp_error_prefix("diff");
				return fp_report();
			}
			break;
		case 'P':
			o.propose = 0;
			break;
		case 'S':
			o.staged = 1;
			break;
		case 'T':
			o.strict = 1;
			break;
		default:
			return fp_cli_bad_option("diff", diff_usage, opts, argv);
		}
	}
	if (optind < argc)
		return fp_cli_usage_error("diff", diff_usage,
		    "unexpected argument '%s'", fp_clamp(argv[optind], 64));
	if (o.policies == NULL)
		return fp_cli_usage_error("diff", diff_usage,
		    "--policies is required");
	o.now = fp_now_us();
	if (now != NULL && fp_time_parse(now, &o.now) < 0) {
		fp_error_prefix("diff: --now");
		return fp_report();
	}
	if (since != NULL && fp_time_parse_rel(since, o.now, &o.since) < 0) {
		fp_error_prefix("diff: --since");
		return fp_report();
	}
	if (db == NULL)
		db = store_default_path();
	ra.paths = paths;
	ra.npaths = npaths;
	ra.version = version;
	ra.dir = o.policies;
	o.read_policies = diff_read_policies;
	o.read_arg = &ra;
	if (store_open(&st, db, STORE_READONLY) < 0 ||
	    store_require_learned(st, "diff") < 0 ||
	    diff_run(st, &ps, &o, &res) < 0) {
		ret = fp_report();
		goto out;
	}
	diff_print(stdout, res, fmt);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ret = fp_fail("diff: writing the report failed");
		goto out;
	}
	ret = diff_denied_edges(res) ? FP_EXIT_NO : FP_EXIT_OK;
out:
	diff_result_free(res);
	pe_policyset_release(&ps);
	store_free(st);
	return ret;
}
