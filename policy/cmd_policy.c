#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "common/cli.h"
#include "common/err.h"
#include "common/store.h"
#include "policy/evaluate.h"
#include "policy/explain.h"
#include "policy/labels.h"
#include "policy/reader.h"
#include "policy/selector.h"
#include "common/banned.h"

static const char selector_usage[] =
    "usage: flowpol selector [--canonical] EXPR [KEY=VALUE...]\n"
    "\n"
    "Evaluate the Calico selector EXPR against the labels given as\n"
    "KEY=VALUE arguments (split at the first '='; an empty value is allowed).\n"
    "Prints 'match' or 'no match'. With --canonical, prints Calico's\n"
    "canonical form of EXPR instead and exits 0 if it parses.\n"
    "Use '--' before an EXPR that starts with '-'.\n"
    "\n"
    "Exit status: 0 match, 1 no match, 2 invalid selector or usage error\n"
    "(the message gives the byte position of the error).\n";

int
cmd_selector(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "canonical", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct labels l = LABELS_INIT;
	struct sel *s = NULL;
	int c, canonical = 0, ret = FP_EXIT_ERR, i;

	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return fp_cli_help(selector_usage);
		case 'c':
			canonical = 1;
			break;
		default:
			return fp_cli_usage_error("selector", selector_usage,
			    "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return fp_cli_usage_error("selector", selector_usage,
		    "missing selector expression");
	if (sel_parse(argv[optind], &s, NULL) < 0) {
		fp_error_prefix("selector");
		ret = fp_report();
		goto out;
	}
	for (i = optind + 1; i < argc; i++) {
		if (labels_parse_pair(&l, argv[i]) < 0) {
			fp_error_prefix("selector");
			ret = fp_report();
			goto out;
		}
	}
	if (canonical) {
		char *t = sel_format(s);

		if (t == NULL) {
			ret = fp_fail("selector: out of memory");
			goto out;
		}
		printf("%s\n", t);
		free(t);
		ret = FP_EXIT_OK;
		goto out;
	}
	if (sel_match(s, &l)) {
		puts("match");
		ret = FP_EXIT_OK;
	} else {
		puts("no match");
		ret = FP_EXIT_NO;
	}
out:
	sel_free(s);
	labels_release(&l);
	return ret;
}

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

static int
ps_has_staged(const struct pe_policyset *ps)
{
	size_t i;

	for (i = 0; i < ps->n_policies; i++)
		if (pe_kind_is_staged(ps->policies[i].kind))
			return 1;
	return 0;
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
		{ NULL, 0, NULL, 0 }
	};
	struct pe_policyset ps = PE_POLICYSET_INIT;
	struct pe_endpoint src, dst;
	struct pe_flow f;
	struct pe_verdict v;
	struct store *st = NULL;
	const char *db = NULL;
	enum pe_types_mode mode = PE_TYPES_API;
	int c, ret = FP_EXIT_ERR, npol = 0, flags = 0;
	long long sport = 0;

	pe_endpoint_init(&src);
	pe_endpoint_init(&dst);
	memset(&f, 0, sizeof(f));
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
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
			ret = fp_cli_usage_error("explain", explain_usage,
			    "unknown option '%s'", argv[optind - 1]);
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
	if (db != NULL && store_open(&st, db, STORE_READONLY) < 0) {
		ret = fp_report();
		goto out;
	}
	if (pe_resolve_endpoint(st, argv[optind], &src) < 0) {
		fp_error_prefix("explain: source");
		ret = fp_report();
		goto out;
	}
	if (pe_resolve_endpoint(st, argv[optind + 1], &dst) < 0) {
		fp_error_prefix("explain: destination");
		ret = fp_report();
		goto out;
	}
	if (pe_parse_proto_port(argv[optind + 2], &f) < 0) {
		fp_error_prefix("explain");
		ret = fp_report();
		goto out;
	}
	f.src = &src;
	f.dst = &dst;
	f.sport = (int)sport;
	if (pe_policyset_prepare(&ps, mode) < 0 ||
	    pe_evaluate(&ps, &f, flags, &v) < 0) {
		ret = fp_report();
		goto out;
	}
	pe_explain_print(stdout, &f, &v);
	if (!(flags & PE_EVAL_STAGED) && ps_has_staged(&ps)) {
		struct pe_verdict sv;

		/* Staged policies never enforce; say what they would do. */
		if (pe_evaluate(&ps, &f, PE_EVAL_STAGED, &sv) == 0 &&
		    sv.allowed != v.allowed)
			printf("staged: would be %s if the staged policies were "
			    "enforced (see --staged)\n",
			    sv.allowed ? "allowed" : "denied");
	}
	ret = v.allowed ? FP_EXIT_OK : FP_EXIT_NO;
out:
	pe_endpoint_release(&src);
	pe_endpoint_release(&dst);
	pe_policyset_release(&ps);
	store_free(st);
	return ret;
}

int
cmd_diff(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return 0;
	return fp_fail("diff: not implemented yet");
}
