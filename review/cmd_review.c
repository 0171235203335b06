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
#include "policy/reader.h"
#include "policy/selector.h"
#include "common/banned.h"

static const char explain_usage[] =
    "usage: flowpol explain --policies PATH [--policies PATH...] [--db PATH]\n"
    "                       [--staged] [--missing-types api|felix]\n"
    "                       [--sport PORT] SRC DST PROTO[/PORT]\n"
    "\n"
    "Evaluate one flow against Calico policies the way Felix does and say\n"
    "which tier, policy and rule decided each direction (egress at the\n"
    "source, ingress at the destination).\n"
    "\n"
    "  --policies PATH   policy YAML/JSON file or directory (recursive)\n"
    "  --db PATH         learned database (default $FLOWPOL_DB, else\n"
    "                    ./flowpol.db; used only if it exists)\n"
    "  --staged          what if staged policies were enforced (Set replaces\n"
    "                    the policy of the same name, Delete removes it)\n"
    "  --missing-types M policies without spec.types: 'api' (default,\n"
    "                    Calico API defaulting) or 'felix' (both directions)\n"
    "  --sport PORT      source port, for rules with source ports\n"
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
    "Exit status: 0 allowed, 1 denied, 2 error.\n";

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
		{ NULL, 0, NULL, 0 }
	};
	struct pe_policyset ps = PE_POLICYSET_INIT;
	struct pe_endpoint src, dst;
	struct pe_resolved rs, rd;
	struct pe_flow f;
	struct pe_verdict v;
	struct store *st = NULL;
	struct model *m = NULL;
	const char *db = NULL;
	enum pe_types_mode mode = PE_TYPES_API;
	int c, ret = FP_EXIT_ERR, npol = 0, flags = 0;
	long long sport = 0;

	pe_endpoint_init(&src);
	pe_endpoint_init(&dst);
	memset(&f, 0, sizeof(f));
	while ((c = fp_getopt(argc, argv, "+h", opts)) != -1) {
		switch (c) {
		case 'h':
			return fp_cli_help(explain_usage);
		case 'p':
			if (pe_read_path(&ps, optarg) < 0) {
				ret = fp_report();
				goto out;
			}
			npol++;
			break;
		case 'd':
			db = optarg;
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
	if (argc - optind != 3) {
		ret = fp_cli_usage_error("explain", explain_usage,
		    "want SRC DST PROTO[/PORT]");
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
	if (pe_resolve_endpoint_ex(m, argv[optind], &src, &rs) < 0) {
		fp_error_prefix("explain: source");
		ret = fp_report();
		goto out;
	}
	if (pe_resolve_endpoint_ex(m, argv[optind + 1], &dst, &rd) < 0) {
		fp_error_prefix("explain: destination");
		ret = fp_report();
		goto out;
	}
	if (pe_parse_proto_port(argv[optind + 2], &f) < 0) {
		fp_error_prefix("explain");
		ret = fp_report();
		goto out;
	}
	/* A pod named by name is all of its addresses: one of the flow's
	 * family (a dual-stack pod talking IPv6 uses its IPv6 address). */
	pe_resolve_family(&f, &src, &rs, &dst, &rd);
	f.src = &src;
	f.dst = &dst;
	f.sport = (int)sport;
	if (pe_policyset_prepare(&ps, mode) < 0 ||
	    pe_evaluate(&ps, &f, flags, &v) < 0) {
		ret = fp_report();
		goto out;
	}
	pe_explain_print(stdout, &f, &v);
	if (!(flags & PE_EVAL_STAGED) && pe_policyset_has_staged(&ps)) {
		struct pe_verdict sv;

		/* Staged policies never enforce; say what they would do. */
		if (pe_evaluate(&ps, &f, PE_EVAL_STAGED, &sv) == 0 &&
		    sv.allowed != v.allowed)
			printf("staged: would be %s if the staged policies were "
			    "enforced (see --staged)\n",
			    sv.allowed ? "allowed" : "denied");
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ret = fp_fail("explain: writing the output: %s", strerror(errno));
		goto out;
	}
	ret = v.allowed ? FP_EXIT_OK : FP_EXIT_NO;
out:
	pe_endpoint_release(&src);
	pe_endpoint_release(&dst);
	pe_policyset_release(&ps);
	model_free(m);
	store_free(st);
	return ret;
}

static const char diff_usage[] =
    "usage: flowpol diff [--db PATH] --policies PATH [--since T]\n"
    "                    [--stale-after DURATION] [--now T]\n"
    "                    [--format text|json|markdown] [--no-proposals] [--staged]\n"
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
    "  proposed   what a plain `flowpol emit` would write, compared file by\n"
    "             file with the flowpol-generated files under --policies\n"
    "             (the directory holding most of them): added, changed\n"
    "             (with a unified diff), removed\n"
    "\n"
    "  --db PATH             learned database (default $FLOWPOL_DB, else\n"
    "                        ./flowpol.db)\n"
    "  --policies PATH       committed policy YAML/JSON file or directory\n"
    "                        (recursive)\n"
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
    "\n"
    "JSON (format_version 1; keys sorted; lists in text order):\n"
    "  {denied_edges: [EDGE], format_version, now, policies,\n"
    "   proposed: null | {added, changed, directory, files: [{change:\n"
    "     added|changed|removed, diff: TEXT|null, file, lines_added,\n"
    "     lines_removed}], removed},\n"
    "   proposed_error: null | why the emitter could not run,\n"
    "   since: T|null, stale_after_seconds, stale_rules: [{direction, file,\n"
    "     index, kind, line, namespace, policy, rule, tier}],\n"
    "   summary: {denied_edges, edges, edges_checked, staged_evaluated,\n"
    "     staged_policies, stale_rules, unattributed}, unattributed: [EDGE],\n"
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
		{ NULL, 0, NULL, 0 }
	};
	struct pe_policyset ps = PE_POLICYSET_INIT;
	struct diff_result *res = NULL;
	struct diff_opts o;
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
			if (o.policies != NULL)
				return fp_cli_usage_error("diff", diff_usage,
				    "--policies given twice");
			o.policies = optarg;
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
	if (pe_read_path(&ps, o.policies) < 0) {
		fp_error_prefix("diff");
		ret = fp_report();
		goto out;
	}
	if (ps.n_files == 0) {
		ret = fp_fail("diff: '%s': no policy files (*.yaml, *.yml, "
		    "*.json)", fp_clamp(o.policies, 256));
		goto out;
	}
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
